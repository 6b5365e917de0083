"""Folders of sheets (`--pricing`, `prices diff`): nothing is silently skipped, followed
out of the folder, or allowed to hang a command.

A FIFO named like a sheet, a symbolic link loop, a dangling link or a link that
leads out of the folder is a located exit-2 error naming the path, in every
command that reads a pricing folder. Each case runs in a child process with a
timeout, so a regression hangs no test run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from costcalc.errors import InputError
from costcalc.files import read_text
from costcalc.loader import yaml_files
from helpers import MINI, REPO

COMMANDS = {
    "compare": ["compare", "alpha", "--no-bundled", "--pricing", "{dir}"],
    "budget": [
        "budget", "--no-bundled", "--pricing", "{dir}", "--requests-per-day", "10",
        "--input-tokens", "100", "--output-tokens", "100", "--model", "alpha",
    ],
    "validate": ["validate", "--no-bundled", "--pricing", "{dir}"],
    "models": ["models", "--no-bundled", "--pricing", "{dir}"],
    "check": ["check", "examples/procurement", "--pricing", "{dir}"],
    "prices diff": ["prices", "diff", str(MINI), "{dir}"],
}  # fmt: skip


def _run(args: list[str], pricing: Path) -> subprocess.CompletedProcess[str]:
    argv = [a.replace("{dir}", str(pricing)) for a in args]
    env = {**os.environ, "COSTCALC_NO_CACHE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "costcalc", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env=env,
    )


def _fifo(folder: Path) -> Path:
    path = folder / "providers" / "extra.yaml"
    os.mkfifo(path)
    return path


def _loop(folder: Path) -> Path:
    path = folder / "providers" / "loop.yaml"
    os.symlink(folder / "providers" / "loop2.yaml", folder / "providers" / "loop.yaml")
    os.symlink(path, folder / "providers" / "loop2.yaml")
    return path


def _folder_loop(folder: Path) -> Path:
    path = folder / "more"
    os.symlink(path, path)
    return path


def _outside_file(folder: Path) -> Path:
    outside = folder.parent / "secret.yaml"
    outside.write_text("kind: models\nmodels: []\n")
    path = folder / "providers" / "planted.yaml"
    path.symlink_to(outside)
    return path


def _outside_folder(folder: Path) -> Path:
    outside = folder.parent / "elsewhere"
    outside.mkdir()
    (outside / "x.yaml").write_text("kind: models\nmodels: []\n")
    path = folder / "linked"
    path.symlink_to(outside)
    return path


def _dangling(folder: Path) -> Path:
    path = folder / "providers" / "gone.yaml"
    path.symlink_to(folder / "nowhere.yaml")
    return path


CASES: dict[str, Callable[[Path], Path]] = {
    "fifo": _fifo,
    "file link loop": _loop,
    "folder link loop": _folder_loop,
    "link to a file outside": _outside_file,
    "link to a folder outside": _outside_folder,
    "dangling link": _dangling,
}


@pytest.fixture
def sheets(tmp_path: Path) -> Path:
    target = tmp_path / "sheets"
    shutil.copytree(MINI, target)
    return target


@pytest.mark.parametrize("case", CASES)
def test_walk_refuses_with_the_path(sheets: Path, case: str) -> None:
    bad = CASES[case](sheets)
    with pytest.raises(InputError) as caught:
        yaml_files(sheets)
    named = [p.file for p in caught.value.problems]
    assert str(bad) in named  # (a two-link loop names both links)
    assert len(named) <= 2


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("case", ["fifo", "file link loop", "link to a folder outside"])
def test_every_command_exits_2_naming_the_path(sheets: Path, case: str, command: str) -> None:
    bad = CASES[case](sheets)
    proc = _run(COMMANDS[command], sheets)
    assert proc.returncode == 2, proc.stderr
    assert str(bad) in proc.stderr
    assert "Traceback" not in proc.stderr


def test_links_inside_the_folder_are_fine(sheets: Path) -> None:
    """A link to a sheet inside the folder is read; a link to a sub-folder inside it is
    not walked twice; hidden entries and non-YAML links are left alone."""
    (sheets / "alias-of-providers").symlink_to(sheets / "providers")
    (sheets / "README.md").symlink_to(sheets.parent / "missing.md")
    (sheets / ".hidden.yaml").symlink_to(sheets.parent / "missing.yaml")
    files = yaml_files(sheets)
    expected = sorted(
        p for p in sheets.rglob("*.yaml") if "alias" not in str(p) and not p.name.startswith(".")
    )
    assert files == expected and len(files) >= 3
    assert all("alias-of-providers" not in str(p) for p in files)


def test_a_fifo_given_as_the_file_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "sheet.yaml"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        yaml_files(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_text(fifo)  # opened without blocking, checked on the descriptor


def test_dev_zero_is_not_read_without_end(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a regular file"):
        read_text(Path("/dev/zero"))
