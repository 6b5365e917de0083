"""Untrusted text made safe for the format it lands in.

Everything a report shows from the procurement files or the file system (decision
names, model and provider ids, waiver reasons and owners, file names, messages
that quote them) is untrusted: a pull request writes it, and CI logs, pull-request
comments and code-scanning pages read it.

- `one_line`: control characters (newlines included, C0, DEL, C1, and the Unicode
  line and paragraph separators) become visible escapes (`\\n`, `\\x1b`, `\\u2028`),
  so untrusted text can never start a line of its own;
- `json_no_commands`: the same guard for JSON, with the data unchanged;
- `no_commands`: a last guard on line-oriented output that GitHub Actions reads
  (text, JUnit, Markdown on stdout): no line may begin, after spaces, with `::`
  (a workflow command such as `::error` or `::stop-commands::`) or contain `##[`
  (the older form), whatever wrapping a table did;
- `gh_data` / `gh_prop`: GitHub's workflow-command escaping (% CR LF, and : ,
  in properties);
- `xml`: characters XML 1.0 forbids (C0 controls but tab, LF, CR; U+FFFE,
  U+FFFF; lone surrogates) become visible escapes, so the JUnit report always parses;
- `md`: Markdown inline text with no links, images, HTML, emphasis, table breaks,
  autolinks or @mentions;
- `sarif`: SARIF plain-text messages, where `[text](n)` would be an embedded link.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_char(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: str) -> str:
    """Text with every control character shown as an escape: it stays on one line."""
    return _CONTROL.sub(_escape_char, text)


_COMMAND_START = re.compile(r"^(\s*):(?=:)", re.M)


def no_commands(text: str) -> str:
    """Output in which no line is a GitHub workflow command (`::cmd::` or `##[cmd]`)."""
    text = _COMMAND_START.sub(lambda m: m.group(1) + ":\u200b", text)
    return text.replace("##[", "#\u200b#[")


def json_no_commands(text: str) -> str:
    """JSON text in which no line holds the old `##[command]` form; the data is unchanged.

    `##[` can only occur inside a JSON string, where `\\u0023` decodes to the same `#`.
    (A line of indented JSON never starts with `::`: strings are quoted.)
    """
    return text.replace("##[", "#\\u0023[")


def gh_data(text: str) -> str:
    """The message part of a workflow command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def gh_prop(text: str) -> str:
    """A property value of a workflow command (file=, title=)."""
    return gh_data(text).replace(":", "%3A").replace(",", "%2C")


def github(text: str) -> str:
    """Untrusted text for a workflow command's message: other controls made visible first."""
    return gh_data(
        _CONTROL.sub(lambda m: m.group() if m.group() in "\r\n" else _escape_char(m), text)
    )


def xml(text: str) -> str:
    """Text that XML 1.0 can hold (ElementTree escapes & < > and quotes itself)."""
    return _XML_BAD.sub(_escape_char, text)


_MD_PUNCT = re.compile(r"([\\`*_\[\]|~])")
_ZWSP = "&#8203;"


def md(text: str) -> str:
    """Untrusted text inline in Markdown (a table cell): shown as written, never as markup.

    HTML is entity-escaped; the characters of links, images, emphasis, code and
    table cells are backslash-escaped; @mentions, #references and bare links,
    which GitHub finds in the rendered text, are broken by a zero-width space.
    """
    text = one_line(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_PUNCT.sub(r"\\\1", text)
    text = re.sub(r"([@#])(?=\w)", r"\1" + _ZWSP, text)
    text = text.replace("://", ":" + _ZWSP + "//")
    return re.sub(r"(?i)\bwww\.", "www" + _ZWSP + ".", text)


def md_code(text: str) -> str:
    """Untrusted text inside a Markdown code span (`...`) in a table cell."""
    return one_line(text).replace("`", "'").replace("|", "\\|")


def sarif(text: str) -> str:
    """A SARIF plain-text message: brackets escaped so nothing reads as an embedded link."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
