"""Plain tables drawn without rich are byte-identical to the ones rich draws.

costcalc.render.plaintable re-implements, for one-cell characters, the parts of rich
that draw an uncoloured table (column measurement, collapsing, word wrap, padding, the
two box styles). Each test draws the same tables both ways and compares the text.
"""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from costcalc.render.plaintable import SINGLE_CELL, draw
from costcalc.render.tables import HIDDEN_NOTE, Column, Table, rich_tables, to_rich

# Words made of the characters costcalc's tables hold, with runs of spaces and
# newlines between them, and a few long words that must fold.
CHARS = "abcXYZ019-_.,:;/()%$@ ¥€£×—–…≈≥≤→·é"
word = st.text(alphabet=CHARS.replace(" ", ""), min_size=1, max_size=14)
gap = st.sampled_from([" ", " ", " ", "  ", "\n", " \n", "\n  ", "   "])


@st.composite
def cell(draw_: st.DrawFn) -> str:
    parts = draw_(st.lists(word, max_size=6))
    text = ""
    for i, part in enumerate(parts):
        text += (draw_(gap) if i else draw_(st.sampled_from(["", "", " "]))) + part
    return text + draw_(st.sampled_from(["", "", " ", "  "]))


@st.composite
def table(draw_: st.DrawFn) -> Table:
    n = draw_(st.integers(1, 7))
    names = [f"c{i}" for i in range(n)]
    columns = []
    for i in range(n):
        columns.append(
            Column(
                draw_(st.one_of(st.sampled_from(names), cell())) or names[i],
                align=draw_(st.sampled_from(["left", "right"])),
                no_wrap=draw_(st.booleans()),
                essential=draw_(st.booleans()),
                priority=draw_(st.integers(0, 3)),
                stack_under=draw_(st.one_of(st.none(), st.sampled_from(names))),
            )
        )
    rows = draw_(st.lists(st.lists(cell(), min_size=n, max_size=n), max_size=6))
    return Table(
        columns,
        rows,
        title=draw_(st.one_of(st.none(), cell())),
        notes=draw_(st.lists(cell(), max_size=2)),
        marks={r: "good" for r in range(len(rows)) if draw_(st.booleans())},
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(table(), min_size=1, max_size=2), st.integers(8, 130))
def test_plain_tables_match_rich(tables: list[Table], width: int) -> None:
    """Random tables at random widths: the plain drawing is rich's, character for character
    (or None, and rich draws it)."""
    plain = draw(tables, width, HIDDEN_NOTE)
    if plain is not None:
        assert plain == rich_tables(tables, width)
    assert to_rich(tables, width) == rich_tables(tables, width)


def test_the_compare_table_is_drawn_without_rich() -> None:
    """A table like compare's (wide, narrow, compact, a stacked column, hidden columns) is
    drawn by the plain renderer, at 200, 80 and 60 columns, as rich draws it."""
    columns = [
        Column("model", no_wrap=True, essential=True),
        Column("provider", stack_under="model", priority=2),
        Column("quality", align="right", priority=3),
        Column("$/request", align="right", essential=True),
        Column("why", priority=0),
    ]
    rows = [
        ["gpt-4.1", "openai", "71.2 ± 3.1", "$0.0080", "good enough; cheapest — 2.1× less"],
        ["deepseek-r1", "deepseek", "74.0 ± 2.9", "¥0.0110", "a longer reason that wraps …"],
    ]
    t = Table(columns, rows, title="compare: balanced, 2,000 in / 500 out", notes=["bar ≥ 64.1"])
    for width in (200, 80, 60, 40):
        plain = draw([t], width, HIDDEN_NOTE)
        assert plain is not None, width
        assert plain == rich_tables([t], width)


def test_wide_characters_are_left_to_rich() -> None:
    """A character two cells wide (or a tab) makes the plain renderer decline; rich draws it."""
    for text in ("模型", "a\tb", "e\u0301"):
        t = Table([Column("name")], [[text]])
        assert draw([t], 80, HIDDEN_NOTE) is None
        assert to_rich([t], 80) == rich_tables([t], 80)


def test_single_cell_characters_are_one_cell_in_rich() -> None:
    """Every character the plain renderer lays out is one cell wide in rich, and none is a
    line break other than what str.splitlines and rich agree on."""
    wrong = [c for c in SINGLE_CELL if cell_len(c) != 1]
    assert not wrong, [f"U+{ord(c):04X}" for c in wrong[:10]]
    assert not [c for c in SINGLE_CELL if len(("a" + c + "b").splitlines()) != 1]
    assert not [c for c in SINGLE_CELL if unicodedata.combining(c)]


def test_plain_rendering_imports_no_rich() -> None:
    """Drawing a plain table does not import rich (that is the point of it)."""
    import subprocess

    code = (
        "import sys\n"
        "from costcalc.render.tables import Column, Table, to_rich\n"
        "t = Table([Column('a'), Column('b', align='right')], [['x', '1'], ['yy', '22']],"
        " title='t', notes=['n'])\n"
        "to_rich([t], 80)\n"
        "print(sorted(m for m in sys.modules if m == 'rich' or m.startswith('rich.')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("width", [200, 80, 60])
def test_colour_still_uses_rich(width: int) -> None:
    """With colour, rich draws the table (marked rows coloured)."""
    t = Table([Column("a")], [["x"], ["y"]], marks={0: "good"})
    assert to_rich([t], width, color=True) == rich_tables([t], width, color=True)
    assert "\x1b[" in to_rich([t], width, color=True)


def test_a_long_table_is_written_in_parts_with_the_same_text() -> None:
    """write_tables writes what to_rich returns, in parts of about 1 MB (a table of 100,000
    offers is about 10 MB): 30,000 rows of about 60 characters are 2 to 3 parts."""
    from costcalc.render.tables import write_tables

    columns = [
        Column("#", align="right"),
        Column("model", no_wrap=True, essential=True),
        Column("provider", stack_under="model"),
        Column("quality", align="right"),
        Column("flags"),
    ]
    rows = [
        [str(i), f"model-{i:06d}", f"host-{i % 7}", f"{i % 97}.5 ± 1.2", "ok, dom #1" * (i % 3)]
        for i in range(30_000)
    ]
    t = Table(columns, rows, title="a long table", notes=["a note under it"])
    for width in (80, 60):
        parts: list[str] = []
        write_tables([t], width, False, parts.append)
        assert len(parts) >= 2
        assert all(part.endswith("\n") for part in parts)
        assert "".join(parts) == to_rich([t], width)


def test_a_table_rich_must_draw_is_written_whole() -> None:
    """A wide character sends the table to rich: write_tables writes rich's text once."""
    from costcalc.render.tables import write_tables

    t = Table([Column("model")], [["通义千问"], ["qwen"]], title="wide")
    parts: list[str] = []
    write_tables([t], 40, False, parts.append)
    assert parts == [rich_tables([t], 40)]
