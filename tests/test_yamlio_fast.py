"""The fast YAML reader gives exactly the full constructor's located data, or leaves the file to it.

`costcalc.yamlio.parse_yaml` first walks libyaml's events (`_fast_parse`); on
anything but plain mappings, lists and untagged scalars it gives up (`_Slow`)
and the full constructor reads the file. These tests pin both halves: the same
values, types, key order and lines on every file the fast reader accepts, and a
hand-off (never a decision of its own) on everything else.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costcalc import yamlio
from costcalc.errors import InputError
from costcalc.located import (
    LineDict,
    LineList,
    line_in,
    locate,
    locate_in,
    relocate,
    split_lines,
)

pytestmark = pytest.mark.skipif(
    getattr(yamlio, "_CParser", None) is None, reason="PyYAML built without libyaml"
)

ROOT = Path(__file__).resolve().parent.parent


def _same(a: Any, b: Any) -> bool:
    """Equal values of equal types, the same key order, and the same lines everywhere
    (a NaN, which equals nothing, is the same as a NaN: `.nan: x` is a valid key)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, LineDict):
        return (
            a.line == b.line
            and len(a) == len(b)
            and all(
                _same(k, m) and _same(v, w) and _same(a.lines.get(k), b.lines.get(m))
                for (k, v), (m, w) in zip(a.items(), b.items(), strict=True)
            )
        )
    if isinstance(a, LineList):
        return (
            a.line == b.line
            and a.lines == b.lines
            and len(a) == len(b)
            and all(_same(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(a, Decimal) and a.is_nan():
        return b.is_nan() and a.is_signed() == b.is_signed()
    return bool(a == b)


def _agree(text: str) -> bool:
    """True when the fast reader took the file (and matched); False when it handed it over."""
    try:
        plain, lines = yamlio._fast_parse(text)
    except yamlio._Slow:
        return False
    full = yamlio._parse_full(text, "t.yaml")
    assert _same(relocate(plain, lines), full), text
    assert repr((plain, lines)) == repr(split_lines(full)), text
    return True


PLAIN = """\
kind: procurement
policy: {licenses: {deny: [llama-3.1-community]}, max_cost_multiple: 3.50, rate: -0.5}
decisions:
  - name: a
    when: 2025-06-01
    at: 2025-06-01 10:20:30
    flags: [yes, No, true, off, ~, null, '', "quoted: yes", 0, -0, 12, 1_000, 0x1f, 1e3]
    nested:
      - - 1
        - [2, {x: 3}]
      -
    empty: {}
    none:
"""


def test_plain_file_is_read_fast_with_the_same_values_and_lines() -> None:
    """A plain file takes the fast path, with values, types and lines as the full constructor's."""
    assert _agree(PLAIN)
    data = yamlio.parse_yaml(PLAIN)
    decision = data["decisions"][0]
    # hand-checked: line 4 is `- name: a`, line 5 `when:`, line 7 `flags:`
    assert data["decisions"].lines == [4]
    assert decision.lines["when"] == 5 and decision.lines["flags"] == 7
    assert decision["when"] == dt.date(2025, 6, 1)
    # YAML 1.1: `1e3` (no point, no exponent sign) is text; 0x1f is 31
    flags = [True, False, True, False, None, None, "", "quoted: yes", 0, 0, 12, 1000, 31, "1e3"]
    assert decision["flags"] == flags
    assert data["policy"]["max_cost_multiple"] == Decimal("3.50")
    assert decision["none"] is None and decision["empty"] == {}


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",  # anchors and aliases
        "a: !!str 3\n",  # an explicit tag
        "a: !custom x\n",
        "base: {x: 1}\nm:\n  <<: {y: 2}\n",  # a merge key
        "a: 1\na: 2\n",  # a repeated key
        "1: x\n1.0: y\n",  # a repeated key by value
        "? [1, 2]\n: x\n",  # a list as a key
        "a: 010\n",  # octal trap
        "a: 16:30\n",  # base-60 trap
        "a: 2025-13-45\n",  # no date
        "a: " + "9" * 120 + "\n",  # too long a number
        "a: 1.0e+999\n",  # out of range
        "a: [1, 2\n",  # a parse error
        "a: 1\n---\nb: 2\n",  # two documents
        "%YAML 1.1\n---\na: 1\n",  # a directive
        "a: =\n",  # the value key
        "[" * 70 + "]" * 70 + "\n",  # deep nesting
    ],
)
def test_unusual_or_wrong_files_go_to_the_full_constructor(text: str) -> None:
    """Anything beyond plain data is handed over, so results and errors are the full path's."""
    assert not _agree(text)
    try:
        expected: Any = yamlio._parse_full(text, "t.yaml")
    except InputError as exc:
        with pytest.raises(InputError) as got:
            yamlio.parse_yaml(text, "t.yaml")
        assert got.value.problems == exc.problems
    else:
        assert _same(yamlio.parse_yaml(text, "t.yaml"), expected)


def test_every_yaml_file_of_the_project_reads_the_same() -> None:
    """The bundled sheets and every test fixture: the fast reader matches or hands over."""
    files = sorted((ROOT / "pricing").rglob("*.yaml")) + sorted((ROOT / "tests").rglob("*.y*ml"))
    taken = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            yamlio._parse_full(text, str(path))
        except InputError:
            assert not _agree(text), path  # a file in error is never accepted by the fast path
            continue
        taken += _agree(text)
    assert taken > 20


_scalars = st.one_of(
    st.text(alphabet="ab:-_.0123456789 eEyYnN~x#'\"", max_size=8),
    st.integers(-(10**12), 10**12).map(str),
    st.sampled_from(["yes", "no", "on", "null", "~", "1.5", ".inf", "-.nan", "0o7", "+3",
                     "2025-02-30", "2025-01-02", "1_0", "0b10", "1:2", "'q'", '"q"']),
)  # fmt: skip


@given(st.lists(st.tuples(_scalars, st.lists(_scalars, max_size=3)), max_size=6))
def test_random_documents_read_the_same(rows: list[tuple[str, list[str]]]) -> None:
    """Random keys and values (traps included): same data and lines, or the same error."""
    text = "".join(f"{k or 'k'}: [{', '.join(v)}]\n" for k, v in rows)
    try:
        expected: Any = yamlio._parse_full(text, "t.yaml")
    except InputError as exc:
        with pytest.raises(InputError) as got:
            yamlio.parse_yaml(text, "t.yaml")
        assert got.value.problems == exc.problems
        return
    _agree(text)
    assert _same(yamlio.parse_yaml(text, "t.yaml"), expected)


def test_plain_data_with_lines_apart_locates_as_located_data() -> None:
    """`parse_plain` + `locate_in` give the line and field `parse_yaml` + `locate` give."""
    plain, lines = yamlio.parse_plain(PLAIN)
    located = yamlio.parse_yaml(PLAIN)
    assert _same(relocate(plain, lines), located)
    for loc in [
        ("decisions", 0, "flags", 3),
        ("decisions", 0, "nested", 0, 1, 1, "x"),
        ("decisions", 0, "function-after[x]", "when"),  # a pydantic label is skipped
        ("decisions", 5, "name"),  # past the end: named, line of the list
        ("policy", "licenses", "deny", 0),
        ("nowhere",),
        (),
    ]:
        assert locate_in(plain, lines, loc) == locate(located, loc), loc
        assert line_in(plain, lines, loc) == locate(located, loc)[0], loc
    # hand-checked: `flags:` is line 7 of PLAIN; `deny` is on line 2
    assert locate_in(plain, lines, ("decisions", 0, "flags", 3)) == (7, "decisions[0].flags[3]")
    assert locate_in(plain, lines, ("policy", "licenses", "deny", 0))[0] == 2


def test_plain_reading_of_a_file_the_fast_reader_hands_over() -> None:
    """A merge key: the full constructor reads it, then its result is split the same way."""
    text = "base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n"
    plain, lines = yamlio.parse_plain(text)
    assert plain == {"base": {"x": 1}, "m": {"x": 1, "y": 2}}
    assert _same(relocate(plain, lines), yamlio.parse_yaml(text))
