"""The `costcalc` command: parse arguments, call the core, render, pick the exit code.

Command modules register themselves on `app` when imported below. They import
the core lazily inside each command so that `costcalc --help` stays fast.
"""

from __future__ import annotations

from costcalc.cli.common import app
from costcalc.cli import cmd_catalog  # noqa: F401  (registers models, cost, validate, schema)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="costcalc")


__all__ = ["app", "main"]
