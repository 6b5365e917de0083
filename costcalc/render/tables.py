"""One tabular result, four text formats: rich table, Markdown, CSV and JSON.

Commands build a `Table` of display strings plus a JSON payload of exact values;
the format choice is made once, here, so every command speaks every format.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any


class Format(str, Enum):
    """Output formats every listing command accepts."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class Column:
    """One column of a Table: its heading and how it is laid out.

    A plain class, not a dataclass: costcalc builds its classes at import time, and a
    dataclass costs a few generated-code exec()s each on every start of the command.
    """

    __slots__ = ("align", "essential", "name", "no_wrap", "priority", "stack_under")

    def __init__(
        self,
        name: str,
        align: str = "left",
        no_wrap: bool = False,
        essential: bool = False,
        priority: int = 0,
        stack_under: str | None = None,
    ) -> None:
        self.name = name
        self.align = align
        """left or right (numbers)."""
        self.no_wrap = no_wrap
        """Keep the cell on one line in rich tables (ids); other columns wrap instead."""
        self.essential = essential
        """Never hidden on a narrow terminal (ids and costs)."""
        self.priority = priority
        """Among the other columns, a higher priority is hidden later on a narrow terminal."""
        self.stack_under = stack_under
        """On a narrow terminal, show this column's cell as a second line of the named
        column (a provider under its model) instead of as a column of its own."""

    def _key(self) -> tuple[str, str, bool, bool, int, str | None]:
        return (
            self.name,
            self.align,
            self.no_wrap,
            self.essential,
            self.priority,
            self.stack_under,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Column) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Column(name={self.name!r}, align={self.align!r}, no_wrap={self.no_wrap!r},"
            f" essential={self.essential!r}, priority={self.priority!r},"
            f" stack_under={self.stack_under!r})"
        )


class Table:
    """Rows of display strings with a title and notes printed under the table."""

    __slots__ = ("columns", "marks", "notes", "rows", "title")

    def __init__(
        self,
        columns: list[Column],
        rows: list[list[str]] | None = None,
        title: str | None = None,
        notes: list[str] | None = None,
        marks: dict[int, str] | None = None,
    ) -> None:
        self.columns = columns
        self.rows: list[list[str]] = [] if rows is None else rows
        self.title = title
        self.notes: list[str] = [] if notes is None else notes
        self.marks: dict[int, str] = {} if marks is None else marks
        """Row index -> "good", "warn", "bad" or "dim": coloured on a colour terminal only."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Table) and all(
            getattr(self, name) == getattr(other, name) for name in self.__slots__
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass was

    def __repr__(self) -> str:
        return (
            f"Table(columns={self.columns!r}, rows={self.rows!r}, title={self.title!r},"
            f" notes={self.notes!r}, marks={self.marks!r})"
        )


MARK_STYLES = {"good": "bold green", "warn": "yellow", "bad": "bold red", "dim": "dim"}


def _versioned(payload: Any) -> Any:
    from costcalc.render.contract import SCHEMA_VERSION

    if isinstance(payload, dict) and "schema_version" not in payload:
        payload = {"schema_version": SCHEMA_VERSION, **payload}
    return payload


def to_json(payload: Any) -> str:
    """Stable JSON: the key order the command built, two-space indent, UTF-8, newline at end.
    Every document starts with `schema_version` (see costcalc.render.contract). The text of
    `json.dumps(payload, indent=2, ensure_ascii=False)`, written by costcalc.render.fastjson
    (the standard library's encoder is pure Python with an indent)."""
    from costcalc.render.fastjson import dumps_indented

    return dumps_indented(_versioned(payload)) + "\n"


def write_json(payload: Any, write: Callable[[str], object]) -> None:
    """The text of `to_json(payload)`, written in parts (one row of a long list at a time),
    so the whole document is never held as one string."""
    from costcalc.render.fastjson import write_indented

    write_indented(_versioned(payload), write)
    write("\n")


def to_csv(table: Table) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([c.name for c in table.columns])
    writer.writerows(table.rows)
    return out.getvalue()


def csv_cell(value: Any) -> str:
    """An exact JSON value as a CSV cell: null is empty, booleans are true/false, lists are
    joined with ';' (CSV is for machines: no thousands separators, units or yes/no)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(csv_cell(v) for v in value)
    return str(value)


def records_table(records: list[dict[str, Any]], fields: Sequence[str]) -> Table:
    """JSON records as a flat table of exact values, for `--format csv`."""
    return Table(
        [Column(name) for name in fields],
        [[csv_cell(r[name]) for name in fields] for r in records],
    )


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


BORDERED_OVERHEAD = (1, 3)
"""A bordered rich table costs 1 character plus 3 per column (padding and rule)."""
COMPACT_OVERHEAD = (-3, 3)
"""A compact table (no borders, one space either side of a blank rule, none at the edges)
costs 3 characters between each two columns."""
WRAP_MIN = 10
"""A wrapping column is never squeezed below this (or its longest word, if shorter)."""


class Layout:
    """How a table fits a width: which columns show, stacked columns, and the box style."""

    __slots__ = ("columns", "compact", "hidden", "min_widths", "stacked")

    def __init__(
        self,
        columns: list[int],
        stacked: dict[int, int],
        compact: bool,
        hidden: list[str],
        min_widths: list[int],
    ) -> None:
        self.columns = columns
        self.stacked = stacked
        """Column index -> index of the column whose cells it joins as a second line."""
        self.compact = compact
        self.hidden = hidden
        self.min_widths = min_widths
        """`_min_width` of every column of the table, by index (measured once)."""

    def __repr__(self) -> str:
        return (
            f"Layout(columns={self.columns!r}, stacked={self.stacked!r},"
            f" compact={self.compact!r}, hidden={self.hidden!r})"
        )


def _cell_width(text: str) -> int:
    if text.isascii() and text.isprintable():  # one line of one-cell characters
        return len(text)
    from costcalc.render.plaintable import SINGLE_CELL

    if SINGLE_CELL.issuperset(text.replace("\n", "")):
        return max(len(line) for line in text.split("\n"))
    from rich.cells import cell_len

    return max((cell_len(line) for line in text.split("\n")), default=0)


def _whole(col: Column) -> bool:
    """Cells drawn on one line: ids, essential columns and numbers (right-aligned)."""
    return col.no_wrap or col.essential or col.align == "right"


def _min_width(table: Table, i: int) -> int:
    """The narrowest a column can be drawn: its widest cell for one-line columns, else its
    longest word (never below WRAP_MIN unless the whole column is narrower)."""
    col = table.columns[i]
    cells = {col.name, *(row[i] for row in table.rows)}  # each distinct text once
    natural = max(map(_cell_width, cells))
    if _whole(col):
        return natural
    longest_word = max((_cell_width(w) for c in cells for w in c.split()), default=0)
    return min(natural, max(longest_word, WRAP_MIN))


def _needed(widths: list[int], overhead: tuple[int, int]) -> int:
    fixed, per_column = overhead
    return sum(widths) + fixed + per_column * len(widths)


def layout(table: Table, width: int) -> Layout:
    """The best layout that fits `width`: bordered with every column if it fits; otherwise a
    compact table, with stackable columns moved under their partner, then the least
    important columns hidden until the rest fits. Essential columns are never hidden."""
    n = len(table.columns)
    widths = [_min_width(table, i) for i in range(n)]
    every = list(range(n))
    if _needed(widths, BORDERED_OVERHEAD) <= width:
        return Layout(every, {}, compact=False, hidden=[], min_widths=widths)
    names = {c.name: i for i, c in enumerate(table.columns)}
    shown = list(every)
    stacked: dict[int, int] = {}

    def fits() -> bool:
        w = []
        for i in shown:
            own = widths[i]
            for child, parent in stacked.items():
                if parent == i:
                    own = max(own, widths[child] + 2)
            w.append(own)
        return _needed(w, COMPACT_OVERHEAD) <= width

    if not fits():
        for i, col in enumerate(table.columns):
            if col.stack_under in names and names[col.stack_under] in shown:
                stacked[i] = names[col.stack_under]
                shown.remove(i)
    droppable = sorted(
        (i for i in shown if not table.columns[i].essential),
        key=lambda i: (table.columns[i].priority, -i),
    )
    hidden: list[str] = []
    while not fits() and droppable:
        i = droppable.pop(0)
        shown.remove(i)
        hidden.append(table.columns[i].name)
    return Layout(shown, stacked, compact=True, hidden=hidden, min_widths=widths)


HIDDEN_NOTE = (
    "hidden at {width} columns: {hidden} (a wider terminal or another --format shows them)"
)


def to_rich(tables: list[Table], width: int | None = None, color: bool = False) -> str:
    """Render tables as rich draws them to a string, laid out to fit `width`: see `layout`.
    Hidden columns are named in a note under the table. With `color`, marked rows are
    coloured (ANSI); without, the text is plain, and drawn without importing rich when
    costcalc.render.plaintable can (the same text)."""
    width = width or 120
    if not color:
        from costcalc.render.plaintable import draw

        text = draw(tables, width, HIDDEN_NOTE)
        if text is not None:
            return text
    return rich_tables(tables, width, color)


class InParts:
    """A sink for many small texts that calls `write` once per part of about `size`
    characters: a long output is never held whole, nor written a piece at a time."""

    __slots__ = ("held", "parts", "size", "write")

    def __init__(self, write: Callable[[str], object], size: int = 1 << 20) -> None:
        self.write, self.size = write, size
        self.parts: list[str] = []
        self.held = 0

    def __call__(self, text: str) -> None:
        self.parts.append(text)
        self.held += len(text)
        if self.held >= self.size:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.write("".join(self.parts))
            self.parts.clear()
            self.held = 0


def write_tables(
    tables: list[Table], width: int | None, color: bool, write: Callable[[str], object]
) -> None:
    """`to_rich`'s text, written in parts of about 1 MB when costcalc.render.plaintable draws
    it: the table of 100,000 offers (about 10 MB of text) is never held whole, nor its
    200,000 lines at once."""
    width = width or 120
    if not color:
        from costcalc.render.plaintable import draw_lines

        lines = draw_lines(tables, width, HIDDEN_NOTE)
        if lines is not None:
            out = InParts(write)
            for line in lines:
                out(line)
            out.flush()
            return
    write(rich_tables(tables, width, color))


def rich_tables(tables: list[Table], width: int, color: bool = False) -> str:
    """The tables drawn by rich (rich is imported only here)."""
    import io

    from rich import box
    from rich.console import Console
    from rich.table import Table as RichTable
    from rich.text import Text

    out = io.StringIO()
    console = Console(
        file=out,
        width=width,
        force_terminal=color,
        color_system="standard" if color else None,
        soft_wrap=False,
    )
    for t, table in enumerate(tables):
        if t:
            console.print()
        plan = layout(table, width)
        title = Text(table.title) if table.title else None
        if plan.compact:
            rt = RichTable(
                title=title,
                title_justify="left",
                box=box.SIMPLE_HEAD,
                show_edge=False,
                pad_edge=False,
                padding=(0, 1),
            )
        else:
            rt = RichTable(title=title, title_justify="left", show_lines=False)
        for i in plan.columns:
            col = table.columns[i]
            keep_whole = _whole(col)
            rt.add_column(
                Text(col.name),
                justify="right" if col.align == "right" else "left",
                overflow="fold",
                no_wrap=keep_whole,
                min_width=plan.min_widths[i] if keep_whole else None,
            )
        for r, row in enumerate(table.rows):
            cells = []
            for i in plan.columns:
                text = row[i]
                for child, parent in plan.stacked.items():
                    if parent == i and row[child]:
                        text += "\n  " + row[child]
                cells.append(Text(text))
            mark = table.marks.get(r)
            rt.add_row(*cells, style=MARK_STYLES[mark] if mark else None)
        console.print(rt)
        notes = list(table.notes)
        if plan.hidden:
            notes.append(HIDDEN_NOTE.format(width=width, hidden=", ".join(plan.hidden)))
        for note in notes:
            console.print(Text(note))
    return "\n".join(line.rstrip() for line in out.getvalue().split("\n"))


def render(
    tables: list[Table], fmt: Format, payload: Any, width: int | None = None, color: bool = False
) -> str:
    """The text of a result in the chosen format; JSON uses the exact payload, not the strings."""
    if fmt is Format.json:
        return to_json(payload)
    if fmt is Format.csv:
        return "".join(to_csv(t) for t in tables[:1])
    if fmt is Format.markdown:
        return "\n".join(to_markdown(t) for t in tables)
    return to_rich(tables, width, color)
