"""Help text names only options the command has, and shows words, not Python types."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from costcalc.cli import app


def help_text(path: tuple[str, ...]) -> str:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.stdout


def subcommands(text: str) -> list[str]:
    if "\nCommands:\n" not in text:
        return []
    block = text.split("\nCommands:\n", 1)[1]
    return [
        line.split()[0] for line in block.splitlines() if line.startswith("  ") and line.strip()
    ]


def commands(path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    subs = subcommands(help_text(path))
    if not subs:
        return [path]
    return [c for sub in subs for c in commands((*path, sub))]


COMMANDS = commands()


def test_every_command_is_reached() -> None:
    names = {" ".join(c) for c in COMMANDS}
    assert {"compare", "budget", "check", "cost", "models", "replay", "import litellm"} <= names


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_help_names_only_its_own_options(path: tuple[str, ...]) -> None:
    text = help_text(path)
    options = [line for line in text.splitlines() if re.match(r"\s+-", line)]
    own = {m for line in options for m in re.findall(r"--[a-z][a-z-]*", line.split("  ")[1])}
    own |= {m for line in options for m in re.findall(r"^\s+(?:-\w, )?(--[a-z][a-z-]*)", line)}
    # an option wrapped at a hyphen is one name; `costcalc other ...` quotes another command
    prose = re.sub(r"-\n\s+", "-", text)
    prose = re.sub(r"`costcalc [^`]*`", "", prose, flags=re.S)
    mentioned = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", prose)) - {"--help"}
    assert mentioned <= own, f"{' '.join(path)} --help names {sorted(mentioned - own)}"
    # options show words (N, DIR, CODE, YYYY-MM-DD...), never Python types
    typed = [line for line in options if re.search(r"<(list\[|int|str|float|path|%)", line)]
    assert not typed, typed


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_arguments_show_words_not_types(path: tuple[str, ...]) -> None:
    """Positional arguments read `MODEL...`, `PATH...`, `FILE`: never `<list[str]>`, `<path>`,
    nor a lower-case Python name; the usage line says the same."""
    text = help_text(path)
    usage = text.splitlines()[0]
    block = (
        text.split("\nArguments:\n", 1)[1].split("\n\n", 1)[0] if "\nArguments:\n" in text else ""
    )
    names = [line.split("  ")[1] for line in block.splitlines() if re.match(r"  \S", line)]
    for shown in [usage, *names]:
        assert "list[" not in shown and not re.search(r"<[^>]*>", shown), shown
    assert all(re.fullmatch(r"[A-Z][A-Z_-]*(\.\.\.)?", name) for name in names), names
    assert "{" not in usage and "......" not in usage, usage


def test_lists_of_arguments_end_in_dots() -> None:
    """An argument that takes several values says so with `...`, once."""
    assert "compare [OPTIONS] [MODEL...]\n" in help_text(("compare",))
    assert "check [OPTIONS] PATH...\n" in help_text(("check",))
    assert "\n  MODEL  Model id or alias." in help_text(("cost",))
