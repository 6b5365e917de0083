"""Foreign price feeds -> costcalc price sheets: LiteLLM, genai-prices, OpenRouter.

Each feed has its own module with pydantic models of the feed and a `convert()`
that takes parsed data (never a file) and returns an `ImportResult`: price-sheet
data plus every skipped row and everything not representable, with reasons.
`output` turns a result into files and writes them safely; `read` is the one
place feed files are read (exact decimals, size limits).
"""
