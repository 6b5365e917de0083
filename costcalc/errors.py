"""One error family for everything a user can get wrong.

Every error that reaches the CLI is a `CostcalcError`: it carries the file, the
line and the field it is about, so the message can point at the exact place to
fix. The CLI maps `InputError` to exit code 2; nothing here exits or prints.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one place in one file."""

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        what = f"{self.field}: " if self.field else ""
        return f"{where}{what}{self.message}"


class CostcalcError(Exception):
    """Base of every error costcalc reports to a user (never a traceback)."""

    def __init__(
        self,
        message: str | None = None,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        problems: list[Problem] | None = None,
    ) -> None:
        found = list(problems or [])
        if message is not None:
            found.insert(0, Problem(message, file, line, field))
        self.problems: list[Problem] = found
        super().__init__("\n".join(str(p) for p in found))


class InputError(CostcalcError):
    """Bad input or usage: a malformed file, an unknown id, an impossible option (exit 2)."""


class NoPriceError(InputError):
    """No price is in force for an offer on the asked date, or no rate converts it."""
