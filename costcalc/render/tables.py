"""One tabular result, four text formats: rich table, Markdown, CSV and JSON.

Commands build a `Table` of display strings plus a JSON payload of exact values;
the format choice is made once, here, so every command speaks every format.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Format(str, Enum):
    """Output formats every listing command accepts."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


@dataclass(frozen=True)
class Column:
    name: str
    align: str = "left"
    """left or right (numbers)."""
    no_wrap: bool = False
    """Keep the cell on one line in rich tables (ids); other columns wrap instead."""


@dataclass
class Table:
    """Rows of display strings with a title and notes printed under the table."""

    columns: list[Column]
    rows: list[list[str]] = field(default_factory=list)
    title: str | None = None
    notes: list[str] = field(default_factory=list)


def to_json(payload: Any) -> str:
    """Stable JSON: the key order the command built, two-space indent, UTF-8, newline at end."""
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.name for c in table.columns])
    writer.writerows(table.rows)
    return out.getvalue()


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(table: Table) -> str:
    lines = []
    if table.title:
        lines += [f"**{_md_cell(table.title)}**", ""]
    lines.append("| " + " | ".join(_md_cell(c.name) for c in table.columns) + " |")
    lines.append(
        "|" + "|".join("---:" if c.align == "right" else "---" for c in table.columns) + "|"
    )
    for row in table.rows:
        lines.append("| " + " | ".join(_md_cell(v) for v in row) + " |")
    if table.notes:
        lines.append("")
        lines += [f"- {_md_cell(n)}" for n in table.notes]
    return "\n".join(lines) + "\n"


def to_rich(tables: list[Table], width: int | None = None) -> str:
    """Render tables with rich to a string (rich is imported only here)."""
    from rich.console import Console
    from rich.table import Table as RichTable
    from rich.text import Text

    out = io.StringIO()
    console = Console(
        file=out, width=width or 120, force_terminal=False, color_system=None, soft_wrap=False
    )
    for i, table in enumerate(tables):
        if i:
            console.print()
        title = Text(table.title) if table.title else None
        rt = RichTable(title=title, title_justify="left", show_lines=False)
        for col in table.columns:
            rt.add_column(
                Text(col.name),
                justify="right" if col.align == "right" else "left",
                overflow="fold",
                no_wrap=col.no_wrap,
            )
        for row in table.rows:
            rt.add_row(*(Text(v) for v in row))
        console.print(rt)
        for note in table.notes:
            console.print(Text(note))
    return "\n".join(line.rstrip() for line in out.getvalue().split("\n"))


def render(tables: list[Table], fmt: Format, payload: Any, width: int | None = None) -> str:
    """The text of a result in the chosen format; JSON uses the exact payload, not the strings."""
    if fmt is Format.json:
        return to_json(payload)
    if fmt is Format.csv:
        return "".join(to_csv(t) for t in tables[:1])
    if fmt is Format.markdown:
        return "\n".join(to_markdown(t) for t in tables)
    return to_rich(tables, width)
