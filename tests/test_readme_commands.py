"""Every `costcalc` command in the README's shell blocks runs as written (exit 0 or 1: a
policy verdict is fine, a usage error is not), except the ones that name a file the reader
makes first (their own procurement folder, an import's output, a fetched feed), which the
README says how to get."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costcalc.cli import app
from helpers import REPO

NEEDS_READERS_FILES = (
    "procurement/",
    "my-prices/",
    "models.json",
    "genai-prices/",
    "base/",
    "/tmp/pricing-before",
)
"""Paths the README tells the reader to create or fetch first."""


def readme_commands() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if not line.startswith("costcalc ") or "|" in line or ">" in line:
                continue
            if any(p in line and f"examples/{p}" not in line for p in NEEDS_READERS_FILES):
                continue
            commands.append(line)
    return commands


COMMANDS = readme_commands()


def test_the_readme_has_commands_to_check() -> None:
    assert len(COMMANDS) >= 15


_WRITES = ("--output", "-o", "--write")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the whole README: a later command may use what an earlier one wrote
    (an import, then compare over it)."""
    return tmp_path_factory.mktemp("readme")


def _outputs(command: str) -> set[str]:
    """What a README command writes (the values of --output, -o and --write)."""
    args = shlex.split(command)
    return {args[i + 1] for i, a in enumerate(args[:-1]) if a in _WRITES}


def _feeds(outputs: set[str], words: set[str]) -> bool:
    """Whether a command reads what was written: the same path, or a file in a folder it
    reads (`--output my-scores/llm-stats.yaml`, then `--pricing my-scores`)."""
    return any(
        out == word or out.startswith(word.rstrip("/") + "/") for out in outputs for word in words
    )


_RAN: set[tuple[Path, str]] = set()
"""The commands already run in a work folder."""


def _run(command: str, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    tmp_path = workdir
    args = shlex.split(command)[1:]
    # files a command writes (plots, reports, schemas) land in a temporary folder
    args = [
        str(tmp_path / a) if re.fullmatch(r"[\w.-]+\.(svg|png|json|sarif|md)", a) else a
        for a in args
    ]
    monkeypatch.chdir(tmp_path)  # outputs (my-scores/...) land here; inputs are read from the repo
    # inputs are read from the repository; outputs (after --output/-o/--write) never go there
    args = [
        a if (i and args[i - 1] in _WRITES) or not (REPO / a).exists() else str(REPO / a)
        for i, a in enumerate(args)
    ]
    if args[:1] == ["refresh"]:
        # refresh rewrites the repository's own sheets: here it only checks them
        args = ["refresh", "--check", "--root", str(REPO)]
    monkeypatch.setenv("COLUMNS", "100")
    result = CliRunner().invoke(app, args)
    _RAN.add((workdir, command))
    return result.exit_code, result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_readme_command_runs(command: str, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # What an earlier command writes and this one reads is made first when that command did
    # not run here yet (a test selected alone with -k, or in another order).
    words = set(shlex.split(command))
    for earlier in COMMANDS[: COMMANDS.index(command)]:
        if _feeds(_outputs(earlier), words) and (workdir, earlier) not in _RAN:
            code, output = _run(earlier, workdir, monkeypatch)
            assert code in (0, 1), f"{earlier} (run first for {command})\n{output}"
    code, output = _run(command, workdir, monkeypatch)
    assert code in (0, 1), f"{command}\n{output}"
