"""The `costcalc` command: parse arguments, call the core, render, pick the exit code.

Command modules register themselves on `app` when imported below. They import
the core lazily inside each command so that `costcalc --help` stays fast.
"""

from __future__ import annotations

import os

from costcalc.cli.common import app

# isort: off
# Import order is the order of `costcalc --help`: the everyday commands first.
from costcalc.cli import cmd_catalog  # noqa: F401  (models, cost, validate, schema)
from costcalc.cli import cmd_compare  # noqa: F401  (compare)
from costcalc.cli import cmd_budget  # noqa: F401  (budget)
from costcalc.cli import cmd_check  # noqa: F401  (check)
from costcalc.cli import cmd_import  # noqa: F401  (import ..., prices diff)
from costcalc.cli import cmd_replay  # noqa: F401  (replay)
from costcalc.cli import cmd_refresh  # noqa: F401  (refresh)
# isort: on


def main() -> None:
    """Console-script entry point."""
    # pydantic looks up plugins through package metadata on first import (~15 ms);
    # costcalc uses none, so skip the search unless the user asked otherwise.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    app(prog_name="costcalc")


__all__ = ["app", "main"]
