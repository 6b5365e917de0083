"""`costcalc import` writes only inside `--output`, deletes only what an import wrote, never
opens a FIFO or device there, and leaves the folder as the old or the new import whatever
happens (a write error, Ctrl-C, SIGTERM, kill -9)."""

from __future__ import annotations

import hashlib
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.importers import output
from helpers import REPO

OPENROUTER = "tests/fixtures/importers/openrouter/models.json"
GENAI = "tests/fixtures/importers/genai-prices/providers"
GENAI_DEEPSEEK = "tests/fixtures/importers/genai-prices/providers/deepseek.yml"
LITELLM = "tests/fixtures/importers/litellm/model_prices_and_context_window_backup.json"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stderr


def imp(feed: str, source: str, out: Path | str, *extra: str) -> tuple[int, str]:
    return invoke("import", feed, source, "-o", str(out), "--as-of", "2026-11-27", *extra)


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under a folder (links and FIFOs as what they are, never opened)."""
    found: dict[str, str] = {}
    for here, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(here) / name
            rel = str(path.relative_to(folder))
            st = os.lstat(path)
            if path.is_symlink():
                found[rel] = "link -> " + os.readlink(path)
            elif path.is_dir():
                found[rel] = "dir"
            elif path.is_fifo():
                found[rel] = "fifo"
            else:
                found[rel] = hashlib.sha256(path.read_bytes()).hexdigest() + f" {st.st_size}"
    return found


def test_symlinked_providers_folder_is_never_followed(tmp_path: Path) -> None:
    """OUT/providers -> elsewhere: exit 2; nothing written or deleted elsewhere."""
    elsewhere = tmp_path / "elsewhere"
    assert imp("genai-prices", GENAI_DEEPSEEK, elsewhere)[0] == 0  # an earlier import there
    before = snapshot(elsewhere)
    out = tmp_path / "out"
    out.mkdir()
    (out / "providers").symlink_to(elsewhere / "providers")
    code, err = imp("openrouter", OPENROUTER, out)
    assert code == 2
    assert f"{out / 'providers'}: is a symbolic link" in err
    assert snapshot(elsewhere) == before
    assert snapshot(out) == {"providers": f"link -> {elsewhere / 'providers'}"}


def test_empty_output_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, err = invoke("import", "openrouter", str(REPO / OPENROUTER), "--output", "")
    assert code == 2 and "--output must name a folder" in err
    assert list(tmp_path.iterdir()) == []


def test_files_the_import_did_not_write_are_kept(tmp_path: Path) -> None:
    """Foreign files, folders, links and FIFOs in the output folder survive an import that
    replaces the folder, untouched and unopened; a stale generated sheet is removed."""
    out = tmp_path / "out"
    assert imp("genai-prices", GENAI_DEEPSEEK, out)[0] == 0
    (out / "README.md").write_text("mine\n")
    (out / "notes").mkdir()
    (out / "notes" / "a.txt").write_text("mine too\n")
    (out / "providers" / "mine.yaml").write_text("kind: price-sheet\n# hand-written\n")
    (out / "zero").symlink_to("/dev/zero")
    os.mkfifo(out / "pipe")
    os.mkfifo(out / "providers" / "pipe.yaml")
    kept = {k: v for k, v in snapshot(out).items() if "deepseek" not in k and k != "models.yaml"}
    code, err = imp("openrouter", OPENROUTER, out)
    assert code == 0, err
    after = snapshot(out)
    assert {k: after[k] for k in kept} == kept
    assert "providers/deepseek.yaml" not in after  # stale, untouched, written by an import
    assert "providers/openrouter.yaml" in after


def test_fifo_and_dev_zero_where_a_sheet_goes_do_not_hang(tmp_path: Path) -> None:
    """A FIFO at providers/openrouter.yaml and a /dev/zero link at models.yaml: refused
    without --force (never opened), replaced by regular files with it. In a child process
    with a timeout: a regression hangs or grows a file, and fails here."""
    out = tmp_path / "out"
    (out / "providers").mkdir(parents=True)
    os.mkfifo(out / "providers" / "openrouter.yaml")
    (out / "models.yaml").symlink_to("/dev/zero")
    argv = [sys.executable, "-m", "costcalc", "import", "openrouter", OPENROUTER, "-o", str(out)]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=REPO)
    assert proc.returncode == 2, proc.stderr
    assert "models.yaml: exists and is not a regular file" in proc.stderr
    assert (out / "providers" / "openrouter.yaml").is_fifo()
    proc = subprocess.run([*argv, "--force"], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert not (out / "models.yaml").is_symlink() and (out / "models.yaml").is_file()
    assert (out / "providers" / "openrouter.yaml").is_file()
    assert os.path.getsize(out / "models.yaml") < 100_000


def test_a_write_error_leaves_the_old_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills after a few files: exit 2 naming the path, the old import intact,
    no temporary folder left beside it."""
    out = tmp_path / "out"
    assert imp("genai-prices", GENAI, out)[0] == 0
    before = snapshot(out)
    written: list[Path] = []
    real = output._write_new

    def failing(path: Path, data: bytes) -> None:
        if len(written) == 3:
            raise OSError(28, "No space left on device", str(path))
        written.append(path)
        real(path, data)

    monkeypatch.setattr(output, "_write_new", failing)
    code, err = imp("litellm", LITELLM, out, "--force")
    assert code == 2
    assert "No space left on device" in err and str(out) in err
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("stage", ["_write_new", "_sync", "_swap"])
def test_ctrl_c_leaves_the_old_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str
) -> None:
    out = tmp_path / "out"
    assert imp("genai-prices", GENAI, out)[0] == 0
    before = snapshot(out)

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(output, stage, interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_plan = output.plan(out, {"models.yaml": "x\n"}, force=True)
        output.apply(write_plan)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def _kill_during_import(tmp_path: Path, sig: int, delays: list[float]) -> None:
    """Import genai-prices, then repeatedly start a LiteLLM import over it and kill it
    after a delay: the folder is always exactly the old or exactly the new import."""
    out = tmp_path / "out"
    assert imp("genai-prices", GENAI, out)[0] == 0
    old = snapshot(out)
    new_dir = tmp_path / "reference"
    assert imp("litellm", LITELLM, new_dir, "--force")[0] == 0
    new = snapshot(new_dir)
    argv = [
        sys.executable, "-m", "costcalc", "import", "litellm", LITELLM, "-o", str(out),
        "--as-of", "2026-11-27", "--force",
    ]  # fmt: skip
    for delay in delays:
        proc = subprocess.Popen(
            argv, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(delay)
        proc.send_signal(sig)
        proc.wait(timeout=60)
        now = snapshot(out)
        assert now in (old, new), f"half-updated after {delay}s"
        if now == new:  # start again from the old import
            assert imp("genai-prices", GENAI, out, "--force")[0] == 0
            assert snapshot(out) == old
    # the next import clears any temporary folder a killed one left behind
    assert imp("openrouter", OPENROUTER, tmp_path / "other")[0] == 0
    assert imp("genai-prices", GENAI, out, "--force")[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other", "out", "reference"]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_killed_import_leaves_old_or_new(tmp_path: Path, sig: int) -> None:
    _kill_during_import(tmp_path, sig, [0.6, 1.2, 1.8])


@pytest.mark.parametrize("target", [".", "..", "sub/.."])
def test_current_folder_as_output_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    """The import replaces its output folder whole: the current folder (or one holding it)
    is refused rather than swapped from under the shell; nothing is written."""
    work = tmp_path / "work"
    (work / "sub").mkdir(parents=True)
    (work / "mine.txt").write_text("mine\n")
    monkeypatch.chdir(work)
    before = snapshot(tmp_path)
    code, err = invoke("import", "openrouter", str(REPO / OPENROUTER), "-o", target)
    assert code == 2, err
    assert "is the current folder or holds it" in err
    assert snapshot(tmp_path) == before


def test_relative_output_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, err = invoke("import", "openrouter", str(REPO / OPENROUTER), "-o", "my-prices/or")
    assert code == 0, err
    assert (tmp_path / "my-prices" / "or" / "providers" / "openrouter.yaml").is_file()
    assert sorted(p.name for p in (tmp_path / "my-prices").iterdir()) == ["or"]


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another user needs root")
def test_root_keeps_the_folders_owner(tmp_path: Path) -> None:
    """Run as root on a user's folder, the swapped-in folder (and its kept sub-folders)
    stay the user's, with their modes."""
    out = tmp_path / "out"
    assert imp("openrouter", OPENROUTER, out)[0] == 0
    (out / "notes").mkdir()
    for folder in (out, out / "notes", out / "providers"):
        os.chown(folder, 12345, 12345)
    os.chmod(out / "notes", 0o750)
    assert imp("openrouter", OPENROUTER, out)[0] == 0
    assert os.stat(out).st_uid == 12345
    assert os.stat(out / "notes").st_uid == 12345
    assert stat.S_IMODE(os.stat(out / "notes").st_mode) == 0o750
