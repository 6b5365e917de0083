"""Reading feed files: the only I/O of the importers.

JSON numbers are parsed with `parse_float=Decimal`, so a price is the exact
decimal written in the file, never a binary float; `NaN` and `Infinity` are
refused. genai-prices YAML goes through `costcalc.yamlio` (exact decimals,
duplicate keys and YAML 1.1 traps refused), which already reads every file of
the genai-prices snapshot in tests/fixtures.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from costcalc.errors import InputError
from costcalc.files import decode_text
from costcalc.numbers import MAX_TEXT

MAX_FEED_BYTES = 64 * 1024 * 1024
"""Largest feed file read: LiteLLM's map is 3.5 MB today."""


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a price can have")


def _integer(text: str) -> int | Decimal:
    # Python's int() stops at 4,300 digits (a traceback) and is quadratic below that;
    # a long integer stays an exact Decimal and is refused, row by row, by the importers.
    # Beyond MAX_TEXT digits only the magnitude is kept (it is out of range anyway), so even
    # a file of digits costs nothing to convert.
    if len(text) <= MAX_INT_TEXT:
        return int(text)
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    if len(digits) > MAX_TEXT:
        return Decimal(f"{sign}{digits[0]}E{len(digits) - 1}")
    return Decimal(text)


MAX_INT_TEXT = 40

MAX_SHARED_NUMBERS = 100_000
"""Most distinct number texts given one shared Decimal each (see `_decimals`)."""


def _decimals() -> Callable[[str], Decimal]:
    """`parse_float` for one file: the same Decimal object for each repeat of a number text.

    A feed repeats a few hundred prices thousands of times, and the importers look each
    price up in dicts (a price converted once, certified once, written once); a Decimal
    works its hash out once per object, at a cost (a modular power, thousands of
    instructions), so one object per distinct text makes every later lookup cheap. The
    values are the same either way (a Decimal is immutable).
    """
    shared: dict[str, Decimal] = {}

    def decimal(text: str) -> Decimal:
        found = shared.get(text)
        if found is None:
            found = Decimal(text)
            if len(shared) < MAX_SHARED_NUMBERS:
                shared[text] = found
        return found

    return decimal


class DuplicateKey(ValueError):
    """A key given twice in one JSON object (json.loads would silently keep the last)."""


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) < len(pairs):  # some key came twice: name the first one repeated
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return found


def _line_of_key(text: str, key: str) -> int | None:
    """Line of the duplicate when the key's text occurs exactly twice (else unknown: no guess)."""
    needle = json.dumps(key) + ":"
    if text.count(needle) != 2:
        return None
    second = text.find(needle, text.find(needle) + 1)
    return text.count("\n", 0, second) + 1


def read_json(path: Path, max_bytes: int = MAX_FEED_BYTES) -> Any:
    """Parse a JSON feed with exact decimals, naming the line of a syntax error."""
    name = str(path)
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise InputError("not a regular file", file=name)
        if size > max_bytes:
            raise InputError(f"file is {size:,} bytes; the limit is {max_bytes:,} bytes", file=name)
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=name) from None
    text = decode_text(raw, name)
    try:
        return json.loads(
            text,
            parse_float=_decimals(),
            parse_int=_integer,
            parse_constant=_constant,
            object_pairs_hook=_unique,
        )
    except DuplicateKey as exc:
        key = str(exc)
        raise InputError(
            f"invalid JSON: duplicate key {key!r}; a JSON reader would silently keep the last",
            file=name,
            line=_line_of_key(text, key),
            field=key,
        ) from None
    except RecursionError:
        raise InputError("invalid JSON: nested too deeply", file=name) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", file=name, line=exc.lineno) from None
    except ValueError as exc:
        raise InputError(f"invalid JSON: {exc}", file=name) from None


class Unreadable(str):
    """A feed file that could not be parsed; the text is the reason."""

    __slots__ = ()


def read_genai_prices(path: Path) -> list[tuple[str, Any]]:
    """genai-prices providers as (file name, data): a folder of `*.yml`, one file, or data.json."""
    from costcalc.yamlio import load_yaml  # PyYAML is imported only by the feed that needs it

    if path.is_dir():
        files = sorted(
            p
            for p in path.iterdir()
            if p.suffix in (".yml", ".yaml") and not p.name.startswith(".")
        )
        if not files:
            raise InputError(
                "no genai-prices provider files (*.yml) in this folder", file=str(path)
            )
        found: list[tuple[str, Any]] = []
        for p in files:
            try:
                found.append((p.name, load_yaml(p)))
            except InputError as exc:
                # One unreadable file is a skipped row of the import, not the end of it.
                found.append((p.name, Unreadable(str(exc.problems[0]))))
        return found
    if not path.exists():
        raise InputError("no such file or folder", file=str(path))
    if path.suffix == ".json":
        data = read_json(path)
        if not isinstance(data, list):
            raise InputError(
                "expected a JSON list of providers (genai-prices data.json)", file=str(path)
            )
        return [(path.name, item) for item in data]
    return [(path.name, load_yaml(path))]
