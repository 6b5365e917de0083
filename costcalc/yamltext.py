"""YAML text written without PyYAML: the small emitter of `dump_yaml(..., quote_strings=True)`.

Every string value is double-quoted (escaped where YAML needs it), keys are plain
when they can be, numbers are exact decimals, dates ISO; blocks are indented by two
spaces. It imports nothing but the standard library, so an import that only writes
sheets (`costcalc import`) never imports PyYAML; `costcalc.yamlio.dump_yaml` uses it
and tests/test_import_yaml.py reads its text back with the safe loader on random data.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

_PLAIN_KEY = re.compile(r"[a-z_][a-z0-9_]*")
_YAML_WORDS = frozenset(["y", "n", "yes", "no", "on", "off", "true", "false", "null"])
_NOT_PRINTABLE = re.compile(
    '[^\t\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029\\\\"]'
)
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def scalar(value: Any) -> str:
    """A scalar as written: strings double-quoted, Decimals exact, dates ISO."""
    if isinstance(value, str):
        if value.isprintable() and '"' not in value and "\\" not in value:
            # Nothing to escape: a printable character is in YAML's printable set and is
            # neither a line or paragraph separator (U+2028, U+2029) nor a control.
            return f'"{value}"'
        return '"' + _NOT_PRINTABLE.sub(_escape, value) + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"cannot write {value} as an exact number")
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot write a {type(value).__name__} as YAML")


def mapping_key(name: Any) -> str:
    """A key as written: plain when YAML reads it back as that text, else a scalar."""
    if isinstance(name, str) and _PLAIN_KEY.fullmatch(name) and name not in _YAML_WORDS:
        return name
    return scalar(name)


def emit(value: Any, indent: int, out: list[str]) -> None:
    """The lines of a value in block style at `indent` spaces, appended to `out`."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            out.append(pad + "{}")
        for key, item in value.items():
            head = pad + mapping_key(key) + ":"
            if isinstance(item, dict) and item:
                out.append(head)
                emit(item, indent + 2, out)
            elif isinstance(item, list) and item:
                out.append(head)
                emit(item, indent, out)
            else:
                out.append(head + " " + flow(item))
    elif isinstance(value, list):
        if not value:
            out.append(pad + "[]")
        for item in value:
            if isinstance(item, (dict, list)) and item:
                start = len(out)
                emit(item, indent + 2, out)
                out[start] = pad + "- " + out[start][indent + 2 :]
            else:
                out.append(pad + "- " + flow(item))
    else:
        out.append(pad + scalar(value))


def flow(value: Any) -> str:
    """A value on the line of its key or dash: a scalar, or an empty container."""
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return scalar(value)
