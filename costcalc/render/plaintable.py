"""Plain (uncoloured) tables drawn without rich, the same text rich draws.

`costcalc.render.tables.to_rich` without colour used to import rich (its console,
styles, themes and table: about a third of a warm `costcalc compare`'s CPU time
outside the core) to lay out a few rows. This module draws the same thing from
the same algorithm, written for plain strings: rich's column measurement
(`Table._calculate_column_widths`, `_collapse_widths`, `ratio_reduce`), its word
wrap (`rich._wrap.divide_line`, `Text.wrap`, `Lines.justify`), its padding and
vertical alignment, and the box characters of `box.HEAVY_HEAD` (bordered) and
`box.SIMPLE_HEAD` without edges (compact). The result is byte-identical to what
`to_rich` draws with rich (tests/test_render_plaintable.py compares both on random
tables with hypothesis, and the golden files hold the commands' output).

It covers the text costcalc's tables hold: characters one cell wide (ASCII, Latin,
Greek, Cyrillic, the punctuation, currency, arrows, maths and box-drawing blocks;
`SINGLE_CELL`) and newlines. Any other character (a wide CJK name, an emoji, a
tab, a combining mark), or a width too small to draw a cell in, makes `draw`
return None, and the caller draws the table with rich.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from costcalc.render.tables import Table

_SINGLE_CELL_RANGES = (
    (0x20, 0x7E),  # ASCII, printable
    (0xA0, 0xAC),  # Latin-1 (not the soft hyphen, U+00AD)
    (0xAE, 0x2FF),  # Latin-1, Latin Extended, IPA, spacing modifiers
    (0x370, 0x482),  # Greek, Cyrillic (not the combining marks after U+0482)
    (0x2010, 0x2027),  # dashes, quotes, bullets, ellipsis
    (0x2030, 0x205E),  # per mille, primes, more punctuation
    (0x20A0, 0x20C0),  # currency signs
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators
    (0x2500, 0x25FC),  # box drawing, block elements, geometric shapes
)
SINGLE_CELL = frozenset(chr(c) for low, high in _SINGLE_CELL_RANGES for c in range(low, high + 1))
"""Characters rich draws one cell wide (tests/test_render_plaintable.py checks each
against rich.cells), plus nothing else: the characters this module can lay out."""

_DRAWABLE = SINGLE_CELL | {"\n"}
_drawable = _DRAWABLE.issuperset
_WORD = re.compile(r"\s*\S+\s*")
_TRAILING_SPACE = re.compile(r"\s+$")

# box.HEAVY_HEAD, by part: (left, horizontal, divider, right).
_TOP = ("┏", "━", "┳", "┓")
_HEAD_ROW = ("┡", "━", "╇", "┩")
_BOTTOM = ("└", "─", "┴", "┘")
_HEAD_SIDES = ("┃", "┃", "┃")  # left, divider, right
_BODY_SIDES = ("│", "│", "│")


class _Fallback(Exception):
    """The table needs rich: a character or a width this module does not lay out."""


def _lengths(text: str) -> tuple[int, int]:
    """(longest word, longest line) of a text: all its measurement depends on."""
    # "\n" is the only line break a drawable text holds.
    high = max(map(len, text.splitlines())) if "\n" in text else len(text)
    words = text.split()
    return (max(map(len, words)) if words else high), high


def _measure_text(lengths: tuple[int, int], max_width: int) -> tuple[int, int]:
    """`Measurement.get` of a rich Text of these `_lengths`, within max_width."""
    if max_width < 1:
        return 0, 0
    low, high = _normalize(*lengths)
    low, high = min(low, max_width), min(high, max_width)
    if high < 1:
        return 0, 0
    return _normalize(low, high)


def _normalize(low: int, high: int) -> tuple[int, int]:
    low = min(max(0, low), high)
    return max(0, low), max(0, max(low, high))


def _measure_cell(
    lengths: tuple[int, int], max_width: int, left: int, right: int
) -> tuple[int, int]:
    """`Measurement.get` of a rich Padding around a Text of these `_lengths`."""
    if max_width < 1:
        return 0, 0
    extra = left + right
    if max_width - extra < 1:
        low, high = max_width, max_width
    else:
        low, high = _measure_text(lengths, max_width)
        low, high = min(low + extra, max_width), min(high + extra, max_width)
    low, high = _normalize(low, high)
    low, high = min(low, max_width), min(high, max_width)
    if high < 1:
        return 0, 0
    return _normalize(low, high)


def _measure_column(
    lengths: set[tuple[int, int]], max_width: int, pads: tuple[int, int], min_width: int | None
) -> tuple[int, int]:
    """`Table._measure_column`: the narrowest and widest the column can be, padding included.

    `lengths`: the distinct `_lengths` of its cells. A measurement depends only on them, and
    only the maxima matter, so each pair is measured once (100,000 cells have a few dozen)."""
    if max_width < 1:
        return 0, 0
    left, right = pads
    measured = [_measure_cell(n, max_width, left, right) for n in lengths]
    low = max(m[0] for m in measured)
    high = max(m[1] for m in measured)
    low, high = min(low, max_width), min(high, max_width)
    if min_width is not None:
        floor = max(0, min_width + left + right)
        low, high = max(low, floor), max(high, floor)
    return low, high


def _ratio_reduce(
    total: int, ratios: list[int], maximums: list[int], values: list[int]
) -> list[int]:
    """rich._ratio.ratio_reduce."""
    ratios = [ratio if top else 0 for ratio, top in zip(ratios, maximums, strict=True)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    remaining = total
    result = []
    for ratio, top, value in zip(ratios, maximums, values, strict=True):
        if ratio and total_ratio > 0:
            distributed = min(top, round(ratio * remaining / total_ratio))
            result.append(value - distributed)
            remaining -= distributed
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def _collapse(widths: list[int], wrapable: list[bool], max_width: int) -> list[int]:
    """`Table._collapse_widths`: narrow the widest wrapping columns first."""
    total = sum(widths)
    excess = total - max_width
    if any(wrapable):
        while total and excess > 0:
            pairs = list(zip(widths, wrapable, strict=True))
            widest = max(w for w, wraps in pairs if wraps)
            second = max(w if wraps and w != widest else 0 for w, wraps in pairs)
            difference = widest - second
            ratios = [1 if (w == widest and wraps) else 0 for w, wraps in pairs]
            if not any(ratios) or not difference:
                break
            widths = _ratio_reduce(excess, ratios, [min(excess, difference)] * len(widths), widths)
            total = sum(widths)
            excess = total - max_width
    return widths


def _divide_line(text: str, width: int) -> list[int]:
    """rich._wrap.divide_line with folding, for one-cell characters."""
    breaks: list[int] = []
    offset = 0
    for match in _WORD.finditer(text):
        start = match.start()
        word = match.group(0)
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width:
            pieces = [word[i : i + width] for i in range(0, len(word), width)]
            for n, piece in enumerate(pieces):
                if start:
                    breaks.append(start)
                if n == len(pieces) - 1:
                    offset = len(piece)
                else:
                    start += len(piece)
        elif offset and start:
            breaks.append(start)
            offset = len(word)
    return breaks


def _truncate(line: str, width: int, pad: bool = False) -> str:
    length = len(line)
    if length > width:
        return line[:width]
    if pad and length < width:
        return line + " " * (width - length)
    return line


def _wrap(text: str, width: int, justify: str, no_wrap: bool = False) -> list[str]:
    """`Text.wrap` with overflow "fold": the lines of a text at a width, justified."""
    out: list[str] = []
    for line in text.split("\n"):
        if no_wrap or len(line) <= width:  # a line that fits is never broken
            pieces = [line]
        else:
            breaks = _divide_line(line, width)
            if breaks:
                edges = [0, *breaks, len(line)]
                pieces = [line[a:b] for a, b in pairwise(edges)]
            else:
                pieces = [line]
            for i, piece in enumerate(pieces):
                if len(piece) > width:
                    space = _TRAILING_SPACE.search(piece)
                    if space is not None:
                        cut = min(len(space.group(0)), len(piece) - width)
                        pieces[i] = piece[: len(piece) - cut]
        if justify == "left":
            pieces = [_truncate(p, width, pad=True) for p in pieces]
        elif justify == "right":
            pieces = [_truncate(p.rstrip(), width) for p in pieces]
            pieces = [" " * (width - len(p)) + p for p in pieces]
        out.extend(_truncate(p, width) for p in pieces)
    return out


def _fit(line: str, width: int) -> str:
    """A line cropped or padded to exactly `width` cells (rich's adjust_line_length)."""
    return line[:width] if len(line) > width else line + " " * (width - len(line))


class _ShownRows:
    """The header, then each row's shown cells, a stacked cell joined under its parent: made
    again on each pass, not kept (at 100,000 offers, a copy of the rows is about 18 MiB)."""

    def __init__(self, table: Table, shown: list[int], stacked: dict[int, int]) -> None:
        self.table, self.shown, self.stacked = table, shown, stacked

    def __iter__(self) -> Iterator[list[str]]:
        shown, stacked = self.shown, self.stacked
        yield [self.table.columns[i].name for i in shown]
        for row in self.table.rows:
            cells = []
            for i in shown:
                text = row[i]
                for child, parent in stacked.items():
                    if parent == i and row[child]:
                        text += "\n  " + row[child]
                cells.append(text)
            yield cells


@dataclass(slots=True)
class _Plan:
    """A table measured and checked, ready to draw: nothing can make it fall back now."""

    title: str | None
    rows: _ShownRows
    widths: list[int]
    pads: list[tuple[int, int]]
    rights: list[bool]
    whole: list[bool]
    bordered: bool
    hidden: list[str]


def _plan_table(table: Table, width: int) -> _Plan:
    """Lay out a table (rich's algorithm), or raise _Fallback when rich must draw it."""
    from costcalc.render.tables import _whole, layout

    plan = layout(table, width)
    shown = plan.columns
    n = len(shown)
    if n == 0:
        raise _Fallback
    columns = [table.columns[i] for i in shown]
    rows = _ShownRows(table, shown, plan.stacked)
    by_column: list[set[tuple[int, int]]] = [set() for _ in range(n)]
    for texts in rows:
        for k, text in enumerate(texts):
            if not _drawable(text):
                raise _Fallback
            by_column[k].add(_lengths(text))
    if table.title and not _drawable(table.title):
        raise _Fallback
    bordered = not plan.compact
    if bordered:
        pads = [(1, 1)] * n
    else:  # pad_edge=False: no padding at the table's two edges
        pads = [(0 if k == 0 else 1, 0 if k == n - 1 else 1) for k in range(n)]
    whole = [_whole(c) for c in columns]
    min_widths = [plan.min_widths[i] if w else None for i, w in zip(shown, whole, strict=True)]
    extra = (2 if bordered else 0) + n - 1
    max_width = width - extra

    def measure(k: int, room: int) -> tuple[int, int]:
        return _measure_column(by_column[k], room, pads[k], min_widths[k])

    widths = [measure(k, max_width)[1] or 1 for k in range(n)]
    if sum(widths) > max_width:
        widths = _collapse(widths, [not w for w in whole], max_width)
        if sum(widths) > max_width:
            widths = _ratio_reduce(sum(widths) - max_width, [1] * n, widths, widths)
        widths = [measure(k, widths[k])[1] or 0 for k in range(n)]
    table_width = sum(widths) + extra
    inners = [w - left - right for w, (left, right) in zip(widths, pads, strict=True)]
    if table_width < 1 or min(inners) < 1:
        raise _Fallback
    rights = [c.align == "right" for c in columns]
    return _Plan(table.title, rows, widths, pads, rights, whole, bordered, plan.hidden)


def _table_lines(plan: _Plan) -> Iterator[str]:
    """The lines of a planned table, one at a time (not cropped to the width)."""
    widths, pads, rights, whole, bordered = (
        plan.widths,
        plan.pads,
        plan.rights,
        plan.whole,
        plan.bordered,
    )
    n = len(widths)
    inners = [w - left - right for w, (left, right) in zip(widths, pads, strict=True)]
    if plan.title:
        table_width = sum(widths) + (2 if bordered else 0) + n - 1
        yield from _wrap(plan.title, table_width, "left")
    if bordered:
        yield _rule(_TOP, widths)
    lefts = [" " * left for left, _ in pads]
    right_pads = [" " * right for _, right in pads]
    for r, texts in enumerate(plan.rows):
        drawn: list[list[str]] = []
        height = 1
        for k, text in enumerate(texts):
            inner = inners[k]
            before, after = lefts[k], right_pads[k]
            if "\n" not in text:
                if len(text) <= inner:
                    # One line that fits: justified in place (what _wrap and _fit give it).
                    body = text.rstrip().rjust(inner) if rights[k] else text.ljust(inner)
                    drawn.append([before + body + after])
                    continue
            else:
                lines = text.split("\n")
                if max(map(len, lines)) <= inner:  # lines that all fit (a stacked cell)
                    if rights[k]:
                        drawn.append([before + x.rstrip().rjust(inner) + after for x in lines])
                    else:
                        drawn.append([before + x.ljust(inner) + after for x in lines])
                    height = max(height, len(lines))
                    continue
            wrapped = _wrap(text, inner, "right" if rights[k] else "left", whole[k])
            drawn.append([before + _fit(line, inner) + after for line in wrapped])
            height = max(height, len(wrapped))
        if height > 1:
            for k, lines_of in enumerate(drawn):
                blank = [" " * widths[k]] * (height - len(lines_of))
                # The header sits at the bottom of its row, the other cells at the top.
                drawn[k] = blank + lines_of if r == 0 else lines_of + blank
        if bordered:
            left_side, divider, right_side = _HEAD_SIDES if r == 0 else _BODY_SIDES
        else:
            left_side, divider, right_side = "", " ", ""
        for line_no in range(height):
            yield left_side + divider.join(c[line_no] for c in drawn) + right_side
        if r == 0:
            yield _rule(_HEAD_ROW, widths) if bordered else "─".join("─" * w for w in widths)
    if bordered:
        yield _rule(_BOTTOM, widths)


def _rule(parts: tuple[str, str, str, str], widths: list[int]) -> str:
    left, horizontal, divider, right = parts
    return left + divider.join(horizontal * w for w in widths) + right


def draw(tables: list[Table], width: int, hidden_note: str) -> str | None:
    """The tables as `to_rich` draws them without colour, or None when rich must draw them.

    `hidden_note` is the note under a table that hides columns, with `{hidden}` for
    their names (the same words `to_rich` prints).
    """
    lines = draw_lines(tables, width, hidden_note)
    return None if lines is None else "".join(lines)


def draw_lines(tables: list[Table], width: int, hidden_note: str) -> Iterator[str] | None:
    """`draw`'s text a line at a time (each ending in a newline), or None when rich must
    draw the tables: every table is laid out and checked before the first line, so a
    caller can write the lines as they come (a table of 100,000 offers is about 10 MB of
    text, never held whole)."""
    if width < 1 or sys.platform == "win32":  # a legacy Windows console gets other boxes
        return None
    planned: list[tuple[_Plan, list[str]]] = []
    try:
        for table in tables:
            plan = _plan_table(table, width)
            notes = list(table.notes)
            if plan.hidden:
                notes.append(hidden_note.format(width=width, hidden=", ".join(plan.hidden)))
            for note in notes:
                if not _drawable(note):
                    raise _Fallback
            planned.append((plan, notes))
    except _Fallback:
        return None
    return _lines(planned, width)


def _lines(planned: list[tuple[_Plan, list[str]]], width: int) -> Iterator[str]:
    for t, (plan, notes) in enumerate(planned):
        if t:
            yield "\n"
        for line in _table_lines(plan):
            yield line[:width].rstrip() + "\n"
        for note in notes:
            for line in _wrap(note, width, "default"):
                yield line[:width].rstrip() + "\n"
