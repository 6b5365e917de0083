"""costcalc: cost-effectiveness calculator for large language models.

Kept import-free on purpose: `costcalc --help` must start fast, so heavy
modules (pydantic models, rich tables) are imported only where used.
"""

__version__ = "0.1.0"
