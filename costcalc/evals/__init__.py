"""Your own evals as scores: read lm-evaluation-harness, Inspect AI and promptfoo output.

`costcalc.evals.read` parses the tools' files (JSON with exact decimals; an
Inspect `.eval` zip member by member, each bounded) into `EvalRun`s;
`costcalc.evals.sheet` turns runs into a benchmarks sheet, a scores sheet, a
models sheet for unmatched models and per-item files; `costcalc.evals.paired`
holds the paired non-inferiority test that `compare` applies when per-item
results exist.
"""
