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


def node_has(node: Any, key: Any) -> bool:
    return isinstance(node, dict) and key in node


def _looks_like_label(part: str) -> bool:
    return any(ch in part for ch in "[]()-,") or part.startswith(("function-", "tagged-"))
