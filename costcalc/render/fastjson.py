"""`json.dumps(value, indent=2, ensure_ascii=False)`, the same text, about three times faster.

With `indent`, the standard library cannot use its C encoder and walks the
data with Python generators; a 10,000-decision report (16 MB) took about a
second. Reports are plain data (dicts with string keys, lists, strings, ints,
floats, bools, None), so one recursive function writes them directly, with the
C string escaper. Anything else (another key type, a subclass, a NaN float,
very deep nesting) is left to `json.dumps` itself, so the output is always
exactly the standard library's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any


class NotPlain(Exception):
    """A value the fast writer leaves to `json.dumps` (not a plain JSON scalar or container)."""


_MAX_DEPTH = 100

_SCALARS = frozenset([str, int, float, bool, type(None)])
"""Types the C encoder writes exactly as `json.dumps` does, whatever the indent."""


def dumps_indented(value: Any) -> str:
    """The text of `json.dumps(value, indent=2, ensure_ascii=False)`."""
    if c_make_encoder is None:  # no C accelerator in this Python
        return json.dumps(value, indent=2, ensure_ascii=False)
    out: list[str] = []
    try:
        _write(value, "\n", out)
    except (NotPlain, TypeError, ValueError):  # json.dumps decides: the same text or error
        return json.dumps(value, indent=2, ensure_ascii=False)
    return "".join(out)


def scalar_text(value: Any) -> str:
    """The text `json.dumps` gives a str, None, bool, int or finite float (exact types only);
    NotPlain for anything else."""
    kind = type(value)
    if kind is str:
        text: str = encode_basestring(value)
        return text
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float and value == value and value not in (float("inf"), float("-inf")):
        return float.__repr__(value)
    raise NotPlain


_flat_encoders: dict[str, Any] = {}


def _flat(inner: str) -> Any:
    """The C encoder writing a container of scalars with items on lines indented `inner`."""
    encoder = _flat_encoders.get(inner)
    if encoder is None:
        encoder = _flat_encoders[inner] = c_make_encoder(
            None, _refuse, encode_basestring, None, ": ", "," + inner, False, False, True
        )
    return encoder


def _refuse(value: Any) -> Any:
    raise NotPlain


def _write(value: Any, newline: str, out: list[str]) -> None:
    """Append the indented text of `value`; `newline` is a newline and the current indent."""
    kind = type(value)
    if kind is dict:
        if not value:
            out.append("{}")
            return
        if len(newline) > _MAX_DEPTH:
            raise NotPlain
        inner = newline + "  "
        for item in value.values():
            if type(item) not in _SCALARS:
                break
        else:  # scalars only: one call of the C encoder, items on their own lines
            text = "".join(_flat(inner)(value, 0))
            out.append("{" + inner + text[1:-1] + newline + "}")
            return
        # Runs of scalar items go to the C encoder together; containers are written here.
        sep = "{" + inner
        run: dict[Any, Any] = {}
        for key, item in value.items():
            t = type(item)
            if t in _SCALARS:
                run[key] = item
                continue
            if type(key) is not str:
                raise NotPlain
            if run:
                out.append(sep)
                out.append("".join(_flat(inner)(run, 0))[1:-1])
                sep = "," + inner
                run = {}
            out.append(sep)
            out.append(encode_basestring(key))
            out.append(": ")
            if t is dict or t is list:
                _write(item, inner, out)
            else:
                out.append(scalar_text(item))
            sep = "," + inner
        if run:
            out.append(sep)
            out.append("".join(_flat(inner)(run, 0))[1:-1])
        out.append(newline)
        out.append("}")
    elif kind is list:
        if not value:
            out.append("[]")
            return
        if len(newline) > _MAX_DEPTH:
            raise NotPlain
        inner = newline + "  "
        sep = "[" + inner
        for item in value:
            out.append(sep)
            t = type(item)
            if t is dict or t is list:
                _write(item, inner, out)
            else:
                out.append(scalar_text(item))
            sep = "," + inner
        out.append(newline)
        out.append("]")
    else:
        out.append(scalar_text(value))


class Rows:
    """A list whose items are made one at a time as `write_indented` writes them (`make` of
    each of `items`), so they are never all held at once. Only `write_indented` knows it;
    `list(rows)` gives the list it stands for."""

    __slots__ = ("items", "make", "text")

    def __init__(
        self,
        items: Iterable[Any],
        make: Callable[[Any], Any],
        text: Callable[[Any, str], str] | None = None,
    ) -> None:
        self.items = items
        self.make = make
        self.text = text
        """Optional: `text(item, newline)`, the text `write_indented` gives `make(item)` at
        the indent of `newline` (made directly, without the dict: the caller's promise,
        which its tests hold it to)."""

    def __iter__(self) -> Iterator[Any]:
        make = self.make
        for item in self.items:
            yield make(item)


def _piece(value: Any, newline: str) -> str:
    """The text of `value` as it stands at the indent of `newline` inside an indented document."""
    if c_make_encoder is not None:
        out: list[str] = []
        try:
            _write(value, newline, out)
            return "".join(out)
        except (NotPlain, TypeError, ValueError):
            pass
    # json.dumps writes a nested value as it writes it alone, each line further indented
    # (its strings are escaped: no newline inside one), so this is the same text.
    text = json.dumps(value, indent=2, ensure_ascii=False, default=_rows_list)
    return text.replace("\n", newline)


def _rows_list(value: Any) -> Any:
    if type(value) is Rows:
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def write_indented(value: Any, write: Callable[[str], object], newline: str = "\n") -> None:
    """Write the text of `json.dumps(value, indent=2, ensure_ascii=False)` in parts.

    The text of each item of a top-level dict or list (and, one level down, of each item of
    a list or dict inside it) is made and written on its own, so a long list of rows is
    never held as one string. The same text as `dumps_indented`, piece by piece."""
    kind = type(value)
    deep = len(newline) < 4  # the document and its top-level items are written in parts
    if kind is dict and value and deep and all(type(k) is str for k in value):
        inner = newline + "  "
        sep = "{" + inner
        for key, item in value.items():
            write(sep + encode_basestring(key) + ": ")
            write_indented(item, write, inner)
            sep = "," + inner
        write(newline + "}")
    elif kind is Rows and value.text is not None:
        inner = newline + "  "
        sep = "[" + inner
        text = value.text
        for item in value.items:
            write(sep + text(item, inner))
            sep = "," + inner
        write("[]" if sep[0] == "[" else newline + "]")
    elif (kind is list and value and deep) or kind is Rows:
        inner = newline + "  "
        sep = "[" + inner
        for item in value:
            write(sep)
            if deep:
                write_indented(item, write, inner)
            else:
                write(_piece(item, inner))
            sep = "," + inner
        write("[]" if sep[0] == "[" else newline + "]")
    else:
        write(_piece(value, newline))


__all__ = ["NotPlain", "Rows", "dumps_indented", "scalar_text", "write_indented"]
