"""The line reader (`yamlio._line_parse`) reads exactly what libyaml's events give, or hands over.

The line reader takes the common layout of procurement files and sheets (block
mappings and lists of one entry a line, one-line flow collections, plain or
simply quoted scalars, comments) without building any parse event. These tests
pin that whatever it accepts, `_walk` (libyaml's events) and the full
constructor read the same: values, types, key order and every line; and that on
anything else, including any text in error, it gives up (`_Slow`), so it never
decides an error or a bound itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costcalc import yamlio
from costcalc.errors import InputError
from costcalc.located import split_lines

pytestmark = pytest.mark.skipif(
    getattr(yamlio, "_CParser", None) is None, reason="PyYAML built without libyaml"
)

ROOT = Path(__file__).resolve().parent.parent


def _events(text: str) -> tuple[Any, Any]:
    """What `_walk` reads from libyaml's events (raises `_Slow` where it gives up)."""
    parser = yamlio._CParser(text)
    try:
        return yamlio._walk(parser.get_event)  # type: ignore[no-any-return]
    except yamlio._Slow:
        raise
    except Exception:
        raise yamlio._Slow from None
    finally:
        parser.dispose()


def _lines_agree(text: str) -> bool:
    """True when the line reader took the text (and matched the event reader and the full
    constructor); False when it handed it over."""
    try:
        taken = yamlio._line_parse(text)
    except yamlio._Slow:
        return False
    # repr tells 1 from True, 1.0 from 1.00 and keeps key order; NaN keys compare too
    assert repr(taken) == repr(_events(text)), text
    assert repr(taken) == repr(split_lines(yamlio._parse_full(text, "t.yaml"))), text
    return True


PROCUREMENT = """\
# a team's procurement file
kind: procurement
policy: {licenses: {deny: [llama-3.1-community]}, max_price_age_days: 365, headroom: 1.5}
rules:
  dominated: warn   # a comment after a value
decisions:
  - name: support-chat
    model: deepseek-r1
    provider: deepseek
    workload: {requests_per_month: 100000, input_tokens: 2000, output_tokens: 500}
    quality: {profile: balanced, min: 60}
    budget: {monthly: 500.00, currency: USD}
    notes: "quoted: with a colon"
    owner: 'the platform team'
    waivers:
      - {rule: dominated, reason: bench, owner: bench, expires: 2025-12-31}
      - rule: stale-price
        reason: it's reviewed monthly, by hand
        expires: 2026-01-31
  -   name: indented-further
      model: o3
      tags: []
      extra: {}
      none:
      flags: [yes, off, ~, null, 0x1f, 1_000, -1, .5, 1e3, '', "x"]
list_at_key_indent:
- a
- [1, [2, {b: 3}]]
"""


def test_a_procurement_file_is_taken_with_the_event_readers_values_and_lines() -> None:
    """The usual layout is taken, and reads as libyaml's events and the full constructor read it."""
    assert _lines_agree(PROCUREMENT)
    data, lines = yamlio._line_parse(PROCUREMENT)
    # hand-checked line numbers: `kind:` is line 2, `decisions:` line 6, the first
    # decision starts on line 7, its second waiver on line 17, `list_at_key_indent:` 27
    assert lines[1]["kind"] == 2 and lines[1]["decisions"] == 6
    decisions = lines[2]["decisions"]
    assert decisions[0] == 7 and decisions[1] == [7, 20]
    waivers = decisions[2][0][2]["waivers"]
    assert waivers[1] == [16, 17] and waivers[2][1][1] == {"rule": 17, "reason": 18, "expires": 19}
    assert data["decisions"][0]["waivers"][1]["reason"] == "it's reviewed monthly, by hand"
    assert data["decisions"][1]["flags"] == [True, False, None, None, 31, 1000, -1,
                                             yamlio.Decimal("0.5"), "1e3", "", "x"]  # fmt: skip
    assert data["list_at_key_indent"][1] == [1, [2, {"b": 3}]]


def test_non_ascii_in_comments_is_taken_and_elsewhere_handed_over() -> None:
    """Text outside ASCII is fine in a comment; in a value it is left to libyaml."""
    assert _lines_agree("# équipe — support\nkind: procurement  # ok ✓\n")
    assert not _lines_agree("name: équipe\n")


@pytest.mark.parametrize(
    "text",
    [
        "a: b\n  c: d\n",  # a mapping where none may start (an error)
        "a: b: c\n",  # the same on one line
        "a:\n  - x\n  b: 1\n",  # a key after a deeper list (an error)
        "a: 1\n- b\n",  # a list item after a key at the same indent (an error)
        "- a\n  b\n",  # a plain scalar over two lines
        "a: long\n  text\n",
        "a: [1,\n  2]\n",  # a flow list over two lines
        "a: {x: 1\n",  # not closed
        "a: [1, 2,]\n",  # a trailing comma
        "a: [1, , 2]\n",
        "a: {x:1}\n",
        "a: {x: }\n",
        "a: [x: 1]\n",
        "a: 'it''s'\n",  # an escaped quote
        'a: "tab\\there"\n',  # an escape
        "a: 'x' # c\n",  # quotes and a comment sign
        "a: b#c\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 3\n",
        "a: |\n  text\n",
        "a: >\n  text\n",
        "? a\n: b\n",
        '"a": 1\n',  # a quoted key
        "a: 1\na: 2\n",  # a repeated key
        "1: x\n0x1: y\n",  # repeated by value
        "a:\n-\n",  # an empty list item
        "- - a\n",
        "a: - b\n",
        "a:\tb\n",
        "a: b\r\nc: d\r\n",
        "---\na: 1\n",
        "%YAML 1.1\n---\na: 1\n",
        "a: 1\n...\n",
        "a: x\u2028b: y\n",  # a YAML line break inside a line
        "\ufeffa: 1\n",
        "a: 010\n",  # octal trap: the full constructor refuses it
        "a: 16:30\n",  # base-60 trap
        "a: 2025-13-45\n",
        "a: <<\n",
        "<<: {x: 1}\n",
        "just text\n",
        "[1, 2]\n",
        "",
        "# only a comment\n",
        "a: @x\n",
        "a: `x\n",
        "a: %x\n",
        "a: ,x\n",
        "a: [" * 70 + "]" * 70 + "\n",  # deep nesting
        "  a: 1\nb: 2\n",  # less indented than the first key
        "a: {" + "k" * 200 + ": 1}\n",  # a key longer than the line reader takes
        "k" * 200 + ": 1\n",
    ],
)
def test_other_layouts_and_errors_are_handed_over(text: str) -> None:
    """Anything beyond the line layout, and every error, goes to `_walk` and the full path."""
    assert not _lines_agree(text)
    try:
        expected: Any = yamlio._parse_full(text, "t.yaml")
    except InputError as exc:
        with pytest.raises(InputError) as got:
            yamlio.parse_plain(text, "t.yaml")
        assert got.value.problems == exc.problems
    else:
        assert repr(yamlio.parse_plain(text, "t.yaml")) == repr(split_lines(expected))


def test_every_yaml_file_of_the_project_reads_the_same() -> None:
    """The bundled sheets, examples and test fixtures: taken and equal, or handed over."""
    files = sorted((ROOT / "pricing").rglob("*.yaml")) + sorted((ROOT / "tests").rglob("*.y*ml"))
    files += sorted((ROOT / "examples").rglob("*.y*ml"))
    taken = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            yamlio._parse_full(text, str(path))
        except InputError:
            assert not _lines_agree(text), path  # a file in error is never taken
            continue
        taken += _lines_agree(text)
    assert taken > 20


# Random documents in (and near) the line layout: nested block mappings and lists,
# flow collections, quoted and plain scalars with YAML 1.1's traps, comments, odd
# indents; then, for the texts in error, random edits.

_SCALAR_TEXT = st.one_of(
    st.sampled_from(["yes", "No", "on", "OFF", "null", "~", "Null", "1.5", ".inf", "-.Inf",
                     ".nan", "0o7", "+3", "-3", "012", "0x1F", "0b101", "1_000", "1:30",
                     "2025-02-30", "2025-01-02", "2025-01-02 10:20:30", "1e3", "1.0e+3", "-",
                     "=", "<<", "a b", "a  b", "it's", "a,b", "x.y/z", "(n)", "-x", ".5",
                     "9" * 60, "true", "y", "n", "0", "-0", "00", "1.", "+.5", "_1"]),
    st.text(alphabet="ab:-_.09 yn~#'\",[]{}&*!|>%@?", min_size=1, max_size=6),
    st.from_regex(r"[a-z0-9][a-z0-9 ._/-]{0,6}", fullmatch=True),
)  # fmt: skip
_KEY_TEXT = st.one_of(
    st.sampled_from(["kind", "name", "a", "b", "1", "0x1", "yes", "null", "a-b", "a.b",
                     "2025-01-01", "1.0", "a/b", "x y", "-a", "'q'", '"q"']),
    st.text(alphabet="ab0_-:", min_size=1, max_size=3),
)  # fmt: skip


def _flow_scalar(text: str, quote: int) -> str:
    if quote == 1:
        return '"' + text + '"'
    if quote == 2:
        return "'" + text + "'"
    return text


_node = st.recursive(
    st.tuples(st.just("s"), _SCALAR_TEXT, st.integers(0, 5)),
    lambda inner: st.one_of(
        st.tuples(st.just("m"), st.lists(st.tuples(_KEY_TEXT, inner), max_size=4)),
        st.tuples(st.just("l"), st.lists(inner, max_size=4)),
    ),
    max_leaves=12,
)


def _flow(node: Any) -> str:
    kind = node[0]
    if kind == "s":
        return _flow_scalar(node[1], node[2])
    if kind == "m":
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in node[1]) + "}"
    return "[" + ", ".join(_flow(v) for v in node[1]) + "]"


def _block(node: Any, indent: int, step: int, flow_at: int, out: list[str], head: str) -> None:
    """Node written in block style at `indent` after `head` (`key:` or `-`), flow from depth."""
    kind = node[0]
    pad = " " * indent
    if kind == "s" or flow_at <= 0 or not node[1]:
        out.append(f"{pad}{head} {_flow(node)}".rstrip() if head else pad + _flow(node))
        return
    if kind == "m" and head == "-":  # `- key: value`, the other keys under the first
        start = len(out)
        _block(node, indent + 2, step, flow_at, out, "")
        out[start] = pad + "- " + out[start][indent + 2 :]
        return
    if kind == "m":
        if head:
            out.append(pad + head)
            indent += step
            pad = " " * indent
        for key, value in node[1]:
            _block(value, indent, step, flow_at - 1, out, f"{key}:")
        return
    if head:
        out.append(pad + head)
        indent += step if head != "-" else 0
    for value in node[1]:
        _block(value, indent, step, flow_at - 1, out, "-")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.tuples(st.just("m"), st.lists(st.tuples(_KEY_TEXT, _node), min_size=1, max_size=5)),
    st.integers(1, 4),
    st.integers(0, 4),
    st.lists(st.tuples(st.integers(0, 400), st.sampled_from(list(" :-#'\"{}[],\n&x1\t"))),
             max_size=2),
    st.booleans(),
)  # fmt: skip
def test_random_documents_read_the_same(
    root: Any, step: int, flow_at: int, edits: list[tuple[int, str]], comment: bool
) -> None:
    """Random documents and random edits of them: the line reader takes a text only when
    it reads it as libyaml's events and the full constructor do; never a text in error."""
    out: list[str] = []
    _block(root, 0, step, flow_at, out, "")
    if comment and out:
        out.insert(len(out) // 2, "  # a comment")
        out[0] += "  # and one after a value"
    text = "\n".join(out) + "\n"
    for at, char in edits:
        at %= len(text) + 1
        text = text[:at] + char + text[at:]
    try:
        yamlio._parse_full(text, "t.yaml")
    except InputError:
        assert not _lines_agree(text), text
        return
    _lines_agree(text)
