"""Data that remembers where it was written: the line of every mapping key and list item.

Kept apart from the YAML parser so that reading cached catalogs (which hold such
data for line look-ups) does not import PyYAML.
"""

from __future__ import annotations

from typing import Any


class LineDict(dict[Any, Any]):
    """A mapping that remembers its own line and the line of each key."""

    line: int = 0
    lines: dict[Any, int]

    def __init__(self) -> None:
        super().__init__()
        self.lines = {}


class LineList(list[Any]):
    """A sequence that remembers its own line and the line of each item."""

    line: int = 0
    lines: list[int]

    def __init__(self) -> None:
        super().__init__()
        self.lines = []


def locate(data: Any, loc: tuple[int | str, ...]) -> tuple[int | None, str]:
    """Follow a validation error's path into located data: (line, dotted field name).

    Path parts that are not keys of the data (pydantic's union-branch labels) are
    skipped, so the line is the deepest place the data really has.
    """
    line: int | None = getattr(data, "line", None) or None
    parts: list[str] = []
    node = data
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            line = node.lines.get(part, line)
            parts.append(str(part))
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            line = node.lines[part]
            if parts:
                parts[-1] += f"[{part}]"
            else:
                parts.append(f"[{part}]")
            node = node[part]
        elif isinstance(part, str) and not node_has(node, part) and _looks_like_label(part):
            continue
        else:
            parts.append(str(part))
            node = None
    return line, ".".join(parts)


Lines = tuple[int, Any, dict[Any, Any]] | None
"""The lines of plain data, kept apart from it (`costcalc.yamlio.parse_plain`): for a
mapping or list, (its line, the line of each key or item -- a dict or a list -- and the
lines of each child container by key or index); None for a scalar."""


def locate_in(data: Any, lines: Lines, loc: tuple[int | str, ...]) -> tuple[int | None, str]:
    """`locate` on plain data with its lines kept apart: the same line and field name."""
    line: int | None = (lines[0] if lines is not None else None) or None
    parts: list[str] = []
    node = data
    for part in loc:
        if lines is not None and isinstance(node, dict) and part in node:
            line = lines[1].get(part, line)
            parts.append(str(part))
            lines = lines[2].get(part)
            node = node[part]
        elif (
            lines is not None
            and isinstance(node, list)
            and isinstance(part, int)
            and 0 <= part < len(node)
        ):
            line = lines[1][part]
            if parts:
                parts[-1] += f"[{part}]"
            else:
                parts.append(f"[{part}]")
            lines = lines[2].get(part)
            node = node[part]
        elif isinstance(part, str) and not node_has(node, part) and _looks_like_label(part):
            continue
        else:
            parts.append(str(part))
            node = None
            lines = None
    return line, ".".join(parts)


def line_in(data: Any, lines: Lines, loc: tuple[int | str, ...]) -> int | None:
    """The line `locate_in` gives, without building the field name (findings ask often)."""
    return lines_along(data, lines, loc)[-1]


def lines_along(data: Any, lines: Lines, loc: tuple[int | str, ...]) -> list[int | None]:
    """`line_in` of every prefix of `loc` in one walk: item n is `line_in(data, lines,
    loc[:n])` (the same fold, its state read after each step)."""
    line: int | None = (lines[0] if lines is not None else None) or None
    out = [line]
    node = data
    for part in loc:
        if lines is not None and isinstance(node, dict) and part in node:
            line = lines[1].get(part, line)
            lines = lines[2].get(part)
            node = node[part]
        elif (
            lines is not None
            and isinstance(node, list)
            and isinstance(part, int)
            and 0 <= part < len(node)
        ):
            line = lines[1][part]
            lines = lines[2].get(part)
            node = node[part]
        elif isinstance(part, str) and not node_has(node, part) and _looks_like_label(part):
            out.append(line)
            continue
        else:
            node = None
            lines = None
        out.append(line)
    return out


def relocate(data: Any, lines: Lines) -> Any:
    """Plain data and its lines as located data (LineDict, LineList)."""
    if lines is None:
        return data
    children = lines[2]
    if isinstance(data, dict):
        mapping = LineDict()
        for key, value in data.items():
            mapping[key] = relocate(value, children[key]) if key in children else value
        mapping.lines = dict(lines[1])
        mapping.line = lines[0]
        return mapping
    sequence = LineList()
    sequence.extend(
        relocate(value, children[i]) if i in children else value for i, value in enumerate(data)
    )
    sequence.lines = list(lines[1])
    sequence.line = lines[0]
    return sequence


def split_lines(data: Any) -> tuple[Any, Lines]:
    """Located data as plain data and its lines apart (the inverse of `relocate`)."""
    if isinstance(data, LineDict):
        plain: dict[Any, Any] = {}
        children: dict[Any, Any] = {}
        for key, value in data.items():
            plain[key], inner = split_lines(value)
            if inner is not None:
                children[key] = inner
        return plain, (data.line, dict(data.lines), children)
    if isinstance(data, LineList):
        items: list[Any] = []
        children = {}
        for i, value in enumerate(data):
            item, inner = split_lines(value)
            items.append(item)
            if inner is not None:
                children[i] = inner
        return items, (data.line, list(data.lines), children)
    return data, None


def node_has(node: Any, key: Any) -> bool:
    return isinstance(node, dict) and key in node


def _looks_like_label(part: str) -> bool:
    return any(ch in part for ch in "[]()-,") or part.startswith(("function-", "tagged-"))
