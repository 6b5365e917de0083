"""Safe, exact, located YAML: the one place costcalc turns bytes into data.

Why not plain `yaml.safe_load`:
- money must stay exact, so YAML floats become `Decimal` built from their text;
- errors must name the line, so mappings and lists remember where each item was;
- input may be hostile (pull requests are checked in CI), so size, nesting and
  alias expansion are bounded before anything is constructed;
- YAML 1.1 has traps that silently change numbers (`16:30` is 990, `010` is 8,
  a repeated key wins quietly): those are errors here.

Only the safe loader family is used, the libyaml C parser when it is present.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterator
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from costcalc.errors import InputError
from costcalc.files import MAX_BYTES, decode_text, read_text, write_atomic
from costcalc.located import (
    LineDict,
    LineList,
    Lines,
    locate,
    node_has,
    relocate,
    split_lines,
)
from costcalc.numbers import MAX_TEXT, NumberError, check_number
from costcalc.yamltext import emit as _emit

__all__ = [
    "MAX_BYTES",
    "LineDict",
    "LineList",
    "decode_text",
    "dump_yaml",
    "load_plain",
    "load_yaml",
    "locate",
    "node_has",
    "parse_plain",
    "parse_yaml",
    "read_text",
    "write_atomic",
]

MAX_NODES = 200_000
"""Most YAML nodes a document may expand to, aliases counted at every use."""

MAX_DEPTH = 64
"""Deepest nesting accepted; real sheets nest fewer than ten levels."""

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):  # type: ignore[misc]
    """Safe loader with exact numbers, located containers and no silent traps."""

    source_name = "<input>"


def _fail(loader: _Loader, node: yaml.Node, message: str) -> InputError:
    return InputError(message, file=loader.source_name, line=node.start_mark.line + 1)


def _with_field(exc: InputError, prefix: str) -> InputError:
    """The same error with its field path prefixed by the key or index it was found under."""
    problem = exc.problems[0]
    inner = problem.field or ""
    path = prefix + ("." + inner if inner and not inner.startswith("[") else inner)
    return InputError(problem.message, file=problem.file, line=problem.line, field=path)


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Iterator[LineDict]:
    data = LineDict()
    data.line = node.start_mark.line + 1
    yield data
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, Hashable):
            raise _fail(loader, key_node, "a mapping key must be a plain value")
        line = key_node.start_mark.line + 1
        if key in seen:
            raise InputError(
                f"duplicate key {key!r} (first at line {seen[key]}); YAML would keep only the last",
                file=loader.source_name,
                line=line,
                field=str(key),
            )
        seen[key] = line
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            data[key] = loader.construct_object(value_node, deep=True)
        except InputError as exc:
            raise _with_field(exc, str(key)) from None
        data.lines[key] = key_node.start_mark.line + 1


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> Iterator[LineList]:
    data = LineList()
    data.line = node.start_mark.line + 1
    yield data
    for i, item in enumerate(node.value):
        try:
            data.append(loader.construct_object(item, deep=True))
        except InputError as exc:
            raise _with_field(exc, f"[{i}]") from None
        data.lines.append(item.start_mark.line + 1)


def _number_text(loader: _Loader, node: yaml.ScalarNode) -> str:
    """A number's text, refused before conversion when longer than any number costcalc takes."""
    text = str(node.value)
    if len(text) > MAX_TEXT:
        raise _fail(
            loader,
            node,
            f"a number of {len(text):,} characters; costcalc reads at most {MAX_TEXT}"
            " (quote it if it is text)",
        )
    return text


def _bounded(loader: _Loader, node: yaml.ScalarNode, value: Any) -> Any:
    try:
        return check_number(value, str(node.value))
    except NumberError as exc:
        raise _fail(loader, node, str(exc)) from None


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> int:
    text = _number_text(loader, node).replace("_", "")
    if ":" in text:
        raise _fail(
            loader,
            node,
            f"{node.value} is read by YAML as a base-60 number ({loader.construct_yaml_int(node)});"
            f' write a time or ratio in quotes: "{node.value}"',
        )
    digits = text.lstrip("+-")
    if len(digits) > 1 and digits.startswith("0") and digits[1] not in "box":
        raise _fail(
            loader,
            node,
            f"{node.value} has a leading zero, which YAML reads as octal"
            f" ({loader.construct_yaml_int(node)}); remove the zero or quote it",
        )
    try:
        value = int(loader.construct_yaml_int(node))
    except ValueError:  # an explicit !!int on text that is no integer
        raise _fail(loader, node, f"{node.value!r} is not an integer") from None
    return int(_bounded(loader, node, value))


def _construct_decimal(loader: _Loader, node: yaml.ScalarNode) -> Decimal:
    text = _number_text(loader, node).replace("_", "").lower()
    if ":" in text:
        raise _fail(loader, node, f"{node.value} is read by YAML as a base-60 number; quote it")
    special = {".inf": "Infinity", "+.inf": "Infinity", "-.inf": "-Infinity", ".nan": "NaN"}
    try:
        value = Decimal(special.get(text, text))
    except InvalidOperation:  # an explicit !!float on text that is no number
        raise _fail(loader, node, f"{node.value!r} is not a number") from None
    return Decimal(_bounded(loader, node, value))


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    if not isinstance(node.value, str) or not loader.timestamp_regexp.match(node.value):
        raise _fail(loader, node, f"{node.value!r} is not a date (YYYY-MM-DD) or time")
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError as exc:  # 2025-13-45 matches YAML's pattern but is no date
        raise _fail(loader, node, f"{node.value} is not a valid date or time ({exc})") from None


def _construct_bool(loader: _Loader, node: yaml.ScalarNode) -> bool:
    text = loader.construct_scalar(node)
    if not isinstance(text, str) or text.lower() not in loader.bool_values:
        raise _fail(loader, node, f"{node.value!r} is not a yes/no value")
    return bool(loader.bool_values[text.lower()])


def _construct_null(loader: _Loader, node: yaml.ScalarNode) -> None:
    if loader.construct_scalar(node) not in ("", "~", "null", "Null", "NULL"):
        raise _fail(loader, node, f"{node.value!r} is not null")
    return None


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


def _refuse_tag(loader: _Loader, node: yaml.Node) -> None:
    tag = str(node.tag)
    shown = "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org") else tag
    raise _fail(
        loader,
        node,
        f"invalid YAML: the tag {shown} is not allowed: sheets hold only mappings, lists, text,"
        " numbers, dates, yes/no and null",
    )


# Only the plain YAML types are constructed; every other tag (!!set, !!binary,
# !!omap, !!python/..., custom !tags) is a located error. Sets and ordered maps
# would carry no line information, bytes are no sheet value, and nothing read
# from disk is ever turned into an object of a named type.
_Loader.yaml_constructors = {
    "tag:yaml.org,2002:null": _construct_null,
    "tag:yaml.org,2002:bool": _construct_bool,
    "tag:yaml.org,2002:int": _construct_int,
    "tag:yaml.org,2002:float": _construct_decimal,
    "tag:yaml.org,2002:str": _construct_str,
    "tag:yaml.org,2002:timestamp": _construct_timestamp,
    "tag:yaml.org,2002:seq": _construct_sequence,
    "tag:yaml.org,2002:map": _construct_mapping,
    None: _refuse_tag,
}
_Loader.yaml_multi_constructors = {}


def _check_shape(node: yaml.Node, source: str) -> None:
    """Reject alias bombs, self-references and deep nesting before constructing."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(n: yaml.Node, depth: int) -> int:
        key = id(n)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise InputError(
                "an alias refers to the node that contains it (a cycle)",
                file=source,
                line=n.start_mark.line + 1,
            )
        if depth > MAX_DEPTH:
            raise InputError(
                f"nested more than {MAX_DEPTH} levels deep", file=source, line=n.start_mark.line + 1
            )
        total = 1
        if isinstance(n, (yaml.SequenceNode, yaml.MappingNode)):
            active.add(key)
            children = (
                n.value if isinstance(n, yaml.SequenceNode) else [c for kv in n.value for c in kv]
            )
            for child in children:
                total += size(child, depth + 1)
                if total > MAX_NODES:
                    raise InputError(
                        f"has more than {MAX_NODES:,} values once aliases are expanded"
                        " (an alias bomb?)",
                        file=source,
                        line=n.start_mark.line + 1,
                    )
            active.discard(key)
        sizes[key] = total
        return total

    size(node, 0)


# ------------------------------------------------------------- the fast reader
#
# Most files are plain: mappings, lists and untagged scalars, no anchors, no
# merge keys, nothing wrong. For those, the libyaml parser's events are walked
# once into the same located data the constructor above builds, about four
# times faster (no node objects, no per-node resolver and constructor calls in
# Python). Anything else -- an anchor or alias, a tag, a merge key, a duplicate
# key, a value the constructors would refuse, a parse error, deep nesting, many
# nodes -- makes the fast reader give up (`_Slow`), and the file is read again
# by the full constructor, which gives the same result or the same located
# error as always. So the fast reader decides no error and no bound itself.

_CParser: Any = getattr(getattr(yaml, "_yaml", None), "CParser", None)
"""libyaml's parser (None when PyYAML was built without it: every file takes the full path)."""


class _Slow(Exception):
    """The fast reader met something it leaves to the full constructor."""


_IMPLICIT: dict[Any, list[tuple[str, Any]]] = _Loader.yaml_implicit_resolvers
_BOOLS: dict[str, bool] = _Loader.bool_values
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_OTHER_SCALARS = {
    "tag:yaml.org,2002:float": _construct_decimal,
    "tag:yaml.org,2002:timestamp": _construct_timestamp,
    _INT: _construct_int,
}
_SIMPLE_INT = re.compile(r"-?(?:0|[1-9][0-9]{0,38})")
"""Integers the fast reader converts itself: no sign +, underscores, bases or leading zeros,
at most 39 digits (within `numbers.check_number`'s bound, so checking is a no-op)."""

_helper: _Loader | None = None


def _tag_of(value: str) -> str:
    """The tag YAML 1.1 gives a plain (unquoted) scalar, as the resolver would."""
    for tag, regexp in _IMPLICIT.get(value[0] if value else "", ()):
        if regexp.match(value):
            return tag
    if None in _IMPLICIT:
        for tag, regexp in _IMPLICIT[None]:
            if regexp.match(value):
                return tag
    return _STR


def _plain_scalar(value: str) -> Any:
    tag = _tag_of(value)
    if tag == _STR:
        return value
    if tag == _INT and _SIMPLE_INT.fullmatch(value):
        return int(value)
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return _BOOLS[value.lower()]
    construct = _OTHER_SCALARS.get(tag)
    if construct is None:  # merge key `<<`, value key `=`: the full constructor decides
        raise _Slow
    global _helper
    if _helper is None:
        _helper = _Loader("")
    try:
        return construct(_helper, yaml.ScalarNode(tag, value))
    except Exception:  # any refusal is reported, located, by the full path
        raise _Slow from None


def _fast_parse(text: str) -> tuple[Any, Lines]:
    """Plain data and its lines for a plain YAML document, or `_Slow` raised (see above)."""
    try:
        return _line_parse(text)
    except _Slow:
        pass
    except RecursionError:
        raise _Slow from None
    if _CParser is None:
        raise _Slow
    parser = _CParser(text)
    try:
        return _walk(parser.get_event)
    except _Slow:
        raise
    except Exception:  # a parse error: the full path reports it, located
        raise _Slow from None
    finally:
        parser.dispose()


_SCALARS: dict[str, Any] = {}
"""Plain scalar text -> its value (all immutable), shared by the files of a run."""

_SCALARS_MAX = 20_000


def _walk(get: Any) -> tuple[Any, Lines]:
    events = yaml.events
    scalar_event, mapping_start, sequence_start = (
        events.ScalarEvent,
        events.MappingStartEvent,
        events.SequenceStartEvent,
    )
    mapping_end, sequence_end = events.MappingEndEvent, events.SequenceEndEvent
    if type(get()) is not events.StreamStartEvent:
        raise _Slow
    event = get()
    if type(event) is events.StreamEndEvent:
        return None, None
    if type(event) is not events.DocumentStartEvent or event.version or event.tags:
        raise _Slow
    scalars = _SCALARS
    if len(scalars) > _SCALARS_MAX:
        scalars.clear()
    no_key = _Slow  # a marker no key can equal
    # per open container: the container, its lines, its children's lines, the key
    # waiting for its value (or no_key) and that key's line
    stack: list[list[Any]] = []
    root: Any = no_key
    root_lines: Lines = None
    frame: list[Any] | None = None
    nodes = 0
    while True:
        event = get()
        kind = type(event)
        if kind is mapping_end or kind is sequence_end:
            stack.pop()
            if not stack:
                break
            frame = stack[-1]
            continue
        nodes += 1
        if event.anchor is not None or event.tag is not None:
            raise _Slow
        line = event.start_mark.line + 1
        shadow: Lines = None
        if kind is scalar_event:
            text = event.value
            if not event.implicit[0]:
                value = text
            elif text in scalars:
                value = scalars[text]
            else:
                value = scalars[text] = _plain_scalar(text)
        elif kind is mapping_start or kind is sequence_start:
            if nodes > MAX_NODES or len(stack) >= MAX_DEPTH:
                raise _Slow
            value = {} if kind is mapping_start else []
            shadow = (line, {} if kind is mapping_start else [], {})
        else:  # an alias
            raise _Slow
        if frame is None:
            root, root_lines = value, shadow
            if shadow is None:
                break
        else:
            top = frame[0]
            if type(top) is list:
                if shadow is not None:
                    frame[2][len(top)] = shadow
                top.append(value)
                frame[1].append(line)
            elif frame[3] is no_key:
                if shadow is not None or value in top:  # a container as key, a repeated key
                    raise _Slow
                frame[3] = value
                frame[4] = line
            else:
                key = frame[3]
                top[key] = value
                frame[1][key] = frame[4]
                if shadow is not None:
                    frame[2][key] = shadow
                frame[3] = no_key
        if shadow is not None:
            frame = [value, shadow[1], shadow[2], no_key, 0]
            stack.append(frame)
    if nodes > MAX_NODES:
        raise _Slow
    if type(get()) is not events.DocumentEndEvent or type(get()) is not events.StreamEndEvent:
        raise _Slow
    return root, root_lines


# ------------------------------------------------------------ the line reader
#
# Cheaper still, for the layout costcalc's own files and hand-written procurement
# files use: ASCII text, block mappings and lists of one entry a line, flow
# collections closed on the line that opens them, plain or simply quoted scalars,
# comments. Each line is matched by a regular expression and each scalar resolved
# as `_walk` resolves it (`_plain_scalar`, the shared `_SCALARS`), with no parse
# event objects at all. Anything else -- a tab, a non-ASCII character, a scalar or
# flow collection over several lines, a quoted scalar with an escape, an anchor, a
# tag, a block scalar, a complex or quoted key, a directive or document marker, a
# repeated key, an empty list item, a line that does not fit -- raises `_Slow`, and
# `_walk` (then the full constructor) reads the file. So the line reader decides
# no error either: what it accepts it reads exactly as `_walk` does (same values,
# types, key order and lines: tests/test_yamlio_lines.py).

_NOT_YAML_PRINTABLE = (
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
"""Left to `_walk`: tabs, CR, controls, YAML's other line breaks (NEL, U+2028, U+2029), a
byte order mark, anything YAML finds unprintable. (Other non-ASCII text is taken in
comments only, and document markers and directives are refused: see `_rows`.) Compiled
on first use (~15 ms), for non-ASCII text only."""

_ASCII_BAD = re.compile("[^\n\x20-\x7e]")
"""`_NOT_YAML_PRINTABLE` for ASCII text (one small character class: a faster scan)."""

_KEY_LINE = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_./-]{0,127}):(?: +(.*))?\Z")
"""`key:` or `key: value`: a plain key of letters, digits and `_ . / -` (at most 128)."""

_PLAIN_START = re.compile(r"[A-Za-z0-9_./+~(]|-[A-Za-z0-9_.]")
"""How a plain scalar the line reader takes may begin (no indicator: `- ? : , [ ] { } # &
* ! | > ' " % @` and backquote are left to libyaml)."""

_BLOCK_PLAIN_BAD = re.compile(r"[\[\]{}\"#]")
"""In a block plain scalar: a flow indicator or double quote (left to libyaml), a comment
sign; a colon and space or a final colon (a mapping where none may start: an error) are
looked for apart (`_LineReader.inline`)."""

_FLOW_KEY = re.compile(r" *([A-Za-z0-9_][A-Za-z0-9_./-]{0,127}): +")
_FLOW_PLAIN = re.compile(r"(?:[A-Za-z0-9_./+~(]|-[A-Za-z0-9_.])[^\[\]{},:#'\"]*")
"""A plain scalar inside a flow collection: no flow indicator, colon, comment sign or quote."""
_FLOW_QUOTED = re.compile(r"\"([^\"\\]*)\"|'([^']*)'")
_FLAT_KEY_VALUE = (
    r"[A-Za-z0-9_][A-Za-z0-9_./-]*: +(?:[A-Za-z0-9_./+~(]|-[A-Za-z0-9_.])[^\[\]{},:#'\"]*"
)
_FLAT_MAPPING = re.compile(rf"\{{ *(?:{_FLAT_KEY_VALUE}, *)*{_FLAT_KEY_VALUE}\}}")
"""A flow mapping of plain keys and plain values on one line (`{monthly: 500, currency: USD}`):
read with one `findall` (`_FLAT_ENTRY`), the commonest flow collection in procurement files."""
_FLAT_ENTRY = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_./-]*): +([^\[\]{},:#'\"]*)")
_SPACES = re.compile(r" *")

_Row = tuple[int, str, int]
"""A line that holds something: its indent, its content (comment and spaces cut), its number."""


def _rows(text: str, ascii: bool) -> list[_Row]:
    rows: list[_Row] = []
    number = 0
    for raw in text.split("\n"):
        number += 1
        content = raw.lstrip(" ")
        if not content or content[0] == "#":
            continue
        indent = len(raw) - len(content)
        if indent == 0 and (content[0] == "%" or content.startswith(("---", "..."))):
            raise _Slow  # a directive or a document marker
        if "#" in content:
            if "'" in content or '"' in content:
                raise _Slow  # a comment sign and quotes: which is which is libyaml's to say
            cut = content.find(" #")
            if cut < 0:
                raise _Slow
            content = content[:cut]
            if "#" in content:
                raise _Slow
        if not ascii and not content.isascii():
            raise _Slow  # non-ASCII text outside comments: left to libyaml
        rows.append((indent, content.rstrip(" "), number))
    return rows


def _line_parse(text: str) -> tuple[Any, Lines]:
    """Plain data and its lines for a document in the line layout (see above), or `_Slow`."""
    ascii = text.isascii()
    if (_ASCII_BAD if ascii else re.compile(_NOT_YAML_PRINTABLE)).search(text):
        raise _Slow
    rows = _rows(text, ascii)
    if not rows:
        raise _Slow
    reader = _LineReader(rows)
    indent, content, _ = rows[0]
    value: Any
    if content[:2] == "- ":
        value, shadow = reader.sequence(indent, 0)
    elif _KEY_LINE.match(content):
        value, shadow = reader.mapping(indent, 0)
    else:
        raise _Slow
    if reader.at != len(rows) or reader.nodes > MAX_NODES:
        raise _Slow
    return value, shadow


class _LineReader:
    """The block structure of `_line_parse`'s rows, read top down (`at`: the next row)."""

    def __init__(self, rows: list[_Row]) -> None:
        self.rows = rows
        self.at = 0
        self.nodes = 0
        scalars = _SCALARS
        if len(scalars) > _SCALARS_MAX:
            scalars.clear()
        self.scalars = scalars

    def scalar(self, text: str) -> Any:
        scalars = self.scalars
        if text in scalars:
            return scalars[text]
        value = scalars[text] = _plain_scalar(text)
        return value

    def mapping(self, indent: int, depth: int) -> tuple[dict[Any, Any], Lines]:
        """The block mapping whose first key is the current row, at `indent`."""
        if depth >= MAX_DEPTH:
            raise _Slow
        rows = self.rows
        end = len(rows)
        data: dict[Any, Any] = {}
        lines: dict[Any, int] = {}
        children: dict[Any, Any] = {}
        shadow = (rows[self.at][2], lines, children)
        while self.at < end:
            row_indent, content, number = rows[self.at]
            if row_indent < indent:
                break
            match = _KEY_LINE.match(content) if row_indent == indent else None
            if match is None:
                raise _Slow  # deeper than its mapping, or a line that is no `key:`
            key = self.scalar(match[1])
            if key in data:
                raise _Slow
            self.nodes += 2
            self.at += 1
            text = match[2]
            if text is not None:
                value, inner = self.inline(text, number, depth + 1)
            elif self.at < end and (
                rows[self.at][0] > indent
                or (rows[self.at][0] == indent and rows[self.at][1][:2] == "- ")
            ):
                value, inner = self.block(depth + 1)
            else:
                value, inner = None, None
            data[key] = value
            lines[key] = number
            if inner is not None:
                children[key] = inner
        return data, shadow

    def sequence(self, indent: int, depth: int) -> tuple[list[Any], Lines]:
        """The block list whose first `- ` item is the current row, at `indent`."""
        if depth >= MAX_DEPTH:
            raise _Slow
        rows = self.rows
        end = len(rows)
        data: list[Any] = []
        lines: list[int] = []
        children: dict[int, Any] = {}
        shadow = (rows[self.at][2], lines, children)
        while self.at < end:
            row_indent, content, number = rows[self.at]
            if row_indent < indent or (row_indent == indent and content[:2] != "- "):
                break  # a key of the mapping this list is the value of, or its end
            if row_indent > indent:
                raise _Slow
            item = content[2:].lstrip(" ")
            if not item or item[:2] == "- ":
                raise _Slow
            self.nodes += 1
            if _KEY_LINE.match(item):  # `- key: ...`: a mapping that starts on this row
                rows[self.at] = (indent + len(content) - len(item), item, number)
                value, inner = self.mapping(rows[self.at][0], depth + 1)
            else:
                self.at += 1
                value, inner = self.inline(item, number, depth + 1)
                if self.at < end and rows[self.at][0] > indent:
                    raise _Slow  # a scalar continued on the next line
            if inner is not None:
                children[len(data)] = inner
            data.append(value)
            lines.append(number)
        return data, shadow

    def block(self, depth: int) -> tuple[Any, Lines]:
        indent, content, _ = self.rows[self.at]
        if content[:2] == "- ":
            return self.sequence(indent, depth)
        if _KEY_LINE.match(content):
            return self.mapping(indent, depth)
        raise _Slow

    def inline(self, text: str, number: int, depth: int) -> tuple[Any, Lines]:
        """A value written on its row: a flow collection, a quoted or a plain scalar."""
        first = text[0]
        if first == "{" or first == "[":
            value, shadow, at = self.flow(text, 0, number, depth)
            if at != len(text):
                raise _Slow
            return value, shadow
        self.nodes += 1
        if first == '"' or first == "'":
            match = _FLOW_QUOTED.fullmatch(text)
            if match is None:
                raise _Slow
            return (match[1] if first == '"' else match[2]), None
        if (
            not _PLAIN_START.match(text)
            or _BLOCK_PLAIN_BAD.search(text)
            or ": " in text
            or text[-1] == ":"
        ):
            raise _Slow
        return self.scalar(text), None

    def flat(self, text: str, number: int) -> tuple[Any, Lines, int]:
        """A whole `_FLAT_MAPPING` text read: what `flow` reads from it, in one pass."""
        data: dict[Any, Any] = {}
        lines: dict[Any, int] = {}
        scalar = self.scalar
        for key_text, value_text in _FLAT_ENTRY.findall(text):
            key = scalar(key_text)
            if key in data or len(key_text) > 128:  # a long key: as `_FLOW_KEY`, left over
                raise _Slow
            data[key] = scalar(value_text.rstrip(" "))
            lines[key] = number
        self.nodes += 2 * len(data)
        return data, (number, lines, {}), len(text)

    def flow(self, text: str, at: int, number: int, depth: int) -> tuple[Any, Lines, int]:
        """The flow collection opening at text[at], all on one line; and where it ends."""
        if depth >= MAX_DEPTH:
            raise _Slow
        self.nodes += 1
        if at == 0 and text[0] == "{" and _FLAT_MAPPING.fullmatch(text):
            return self.flat(text, number)
        close = "}" if text[at] == "{" else "]"
        at = _SPACES.match(text, at + 1).end()  # type: ignore[union-attr]
        data: Any = {} if close == "}" else []
        lines: Any = {} if close == "}" else []
        children: dict[Any, Any] = {}
        if text[at : at + 1] == close:
            return data, (number, lines, children), at + 1
        while True:
            if close == "}":
                match = _FLOW_KEY.match(text, at)
                if match is None:
                    raise _Slow
                key = self.scalar(match[1])
                if key in data:
                    raise _Slow
                self.nodes += 1
                at = match.end()
            if text[at : at + 1] in ("{", "["):
                value, inner, at = self.flow(text, at, number, depth + 1)
            else:
                self.nodes += 1
                match = _FLOW_QUOTED.match(text, at)
                if match is not None:
                    value, inner = (match[2] if match[1] is None else match[1]), None
                else:
                    match = _FLOW_PLAIN.match(text, at)
                    if match is None:
                        raise _Slow
                    value, inner = self.scalar(match[0].rstrip(" ")), None
                at = match.end()
            if close == "}":
                data[key] = value
                lines[key] = number
                if inner is not None:
                    children[key] = inner
            else:
                if inner is not None:
                    children[len(data)] = inner
                data.append(value)
                lines.append(number)
            at = _SPACES.match(text, at).end()  # type: ignore[union-attr]
            sign = text[at : at + 1]
            if sign == close:
                return data, (number, lines, children), at + 1
            if sign != ",":
                raise _Slow
            at = _SPACES.match(text, at + 1).end()  # type: ignore[union-attr]
            if text[at : at + 1] in (close, ""):
                raise _Slow  # a trailing comma: left to libyaml


def parse_plain(text: str, source: str = "<input>") -> tuple[Any, Lines]:
    """Parse one YAML document into plain data (dicts, lists) and its lines apart.

    The same document as `parse_yaml`, with the same errors, as plain containers
    (which pydantic validates faster than `LineDict`s and pickle passes faster)
    plus their lines, for `costcalc.located.locate_in` and `relocate`.
    """
    try:
        return _fast_parse(text)
    except _Slow:
        pass
    return split_lines(_parse_full(text, source))


def parse_yaml(text: str, source: str = "<input>") -> Any:
    """Parse one YAML document from text into located, exact Python data."""
    try:
        return relocate(*_fast_parse(text))
    except _Slow:
        pass
    return _parse_full(text, source)


def _parse_full(text: str, source: str) -> Any:
    """The full constructor: every YAML feature, every refusal located."""
    loader = _Loader(text)
    loader.source_name = source
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            reason = exc.problem or exc.context or "invalid YAML"
            raise InputError(f"invalid YAML: {reason}", file=source, line=line) from None
        except yaml.YAMLError as exc:
            raise InputError(f"invalid YAML: {exc}", file=source) from None
        if node is None:
            return None
        _check_shape(node, source)
        try:
            return loader.construct_document(node)
        except yaml.constructor.ConstructorError as exc:
            mark = exc.problem_mark
            line = mark.line + 1 if mark else None
            raise InputError(f"invalid YAML: {exc.problem}", file=source, line=line) from None
    finally:
        loader.dispose()


def load_yaml(path: Path, max_bytes: int = MAX_BYTES, name: str | None = None) -> Any:
    """Read and parse a YAML file with every safety limit applied (`name` labels messages)."""
    name = name or str(path)
    return parse_yaml(read_text(path, max_bytes, name), name)


def load_plain(
    path: Path, max_bytes: int = MAX_BYTES, name: str | None = None
) -> tuple[Any, Lines]:
    """`load_yaml` as plain data and its lines apart (see `parse_plain`)."""
    name = name or str(path)
    return parse_plain(read_text(path, max_bytes, name), name)


# ----------------------------------------------------------------------- writing


_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):  # type: ignore[misc]
    """Dumps Decimal as a plain number and keeps key order.

    The libyaml C emitter is used when present: same text, about 3x faster
    (importing a 4,900-entry price map writes ~1 MB of YAML).
    """

    def ignore_aliases(self, data: Any) -> bool:
        # A value used twice (one date object for many periods) is written twice,
        # never as an &anchor/*alias pair: sheets are read by people.
        return True


def _represent_decimal(dumper: _Dumper, value: Decimal) -> yaml.ScalarNode:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    node: yaml.ScalarNode = dumper.represent_scalar(tag, text)
    return node


_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_representer(LineDict, _Dumper.represent_dict)
_Dumper.add_representer(LineList, _Dumper.represent_list)


def dump_yaml(data: Any, header: str = "", *, quote_strings: bool = False) -> str:
    """Serialise plain data (dicts, lists, Decimals, dates) as block YAML.

    `quote_strings=True` writes every string value double-quoted with a small
    emitter of its own, about five times faster than PyYAML's representer, for
    generated files of thousands of entries (`costcalc import`); the text reads
    back to the same data (tests/test_import_yaml.py checks it on random data).
    """
    if quote_strings:
        lines: list[str] = []
        _emit(data, 0, lines)
        return header + "\n".join(lines) + "\n"
    body = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    return header + body
