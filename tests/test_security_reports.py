"""`check --report FORMAT=PATH`: special files are written, never replaced; several reports
are all or nothing; a failed write is exit 2 naming the path.

Each case runs `costcalc check` in a child process (reports to /dev/stdout go to the
real standard output, which CliRunner does not capture).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from costcalc.errors import InputError
from costcalc.files import write_outputs
from helpers import REPO

GOOD = "examples/procurement/good"


def check(*args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "costcalc", "check", GOOD, "--as-of", "2025-06-01", *args]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=REPO)


def test_report_to_dev_stdout_is_written_not_replaced() -> None:
    """The report arrives on standard output; /dev/stdout is still the link it was."""
    before = os.readlink("/dev/stdout")
    proc = check("--report", "sarif=/dev/stdout", "-f", "json")
    assert proc.returncode == 0, proc.stderr
    sarif, _, rest = proc.stdout.partition("\n}\n")
    assert json.loads(sarif + "\n}")["version"] == "2.1.0"
    assert isinstance(json.loads(rest), dict)  # then the -f json report, whole
    assert os.path.islink("/dev/stdout") and os.readlink("/dev/stdout") == before


def test_report_to_dev_full_is_exit_2_naming_it() -> None:
    proc = check("--report", "json=/dev/full")
    assert proc.returncode == 2
    assert "/dev/full: cannot write the json report: No space left on device" in proc.stderr
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)  # still the device


def test_report_to_dev_null_keeps_the_device() -> None:
    proc = check("--report", "junit=/dev/null")
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_report_to_a_fifo_is_written_into_it(tmp_path: Path) -> None:
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    proc = check("--report", f"json={fifo}")
    reader.join(timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(received[0])
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_failed_report_leaves_the_others_unwritten(tmp_path: Path) -> None:
    """sarif to a new file, json to /dev/full: exit 2, and the SARIF file is not created."""
    sarif = tmp_path / "out.sarif"
    proc = check("--report", f"sarif={sarif}", "--report", "json=/dev/full")
    assert proc.returncode == 2
    assert "/dev/full" in proc.stderr
    assert not sarif.exists()
    assert sorted(tmp_path.iterdir()) == []


def test_unwritable_second_report_keeps_the_first_as_it_was(tmp_path: Path) -> None:
    """The second target's folder is a file: exit 2 naming it; the first report's old
    content is kept, not replaced by this run's."""
    first = tmp_path / "first.sarif"
    first.write_text("old report\n")
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder\n")
    proc = check("--report", f"sarif={first}", "--report", f"json={blocker / 'x.json'}")
    assert proc.returncode == 2
    assert str(blocker / "x.json") in proc.stderr
    assert first.read_text() == "old report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker", "first.sarif"]


def test_regular_reports_are_replaced_atomically(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.sarif"
    a.write_text("old\n")
    proc = check("--report", f"json={a}", "--report", f"sarif={b}")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(a.read_text()) and json.loads(b.read_text())["version"] == "2.1.0"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.sarif"]


def test_write_outputs_refuses_folders_and_replaces_links_not_targets(tmp_path: Path) -> None:
    """A folder is refused; a link to a regular file is replaced itself, its target kept."""
    with pytest.raises(InputError, match="it is a folder"):
        write_outputs([(tmp_path, "x", "the report")])
    target = tmp_path / "target.txt"
    target.write_text("precious\n")
    link = tmp_path / "report.txt"
    link.symlink_to(target)
    write_outputs([(link, "report\n", "the report")])
    assert target.read_text() == "precious\n"
    assert not link.is_symlink() and link.read_text() == "report\n"


def test_unwritable_schema_folder_is_exit_2(tmp_path: Path) -> None:
    """`schema --write` under a file: exit 2 naming the path (was a traceback, exit 1)."""
    from typer.testing import CliRunner

    from costcalc.cli import app

    blocker = tmp_path / "blocker"
    blocker.write_text("a file\n")
    result = CliRunner().invoke(app, ["schema", "--write", str(blocker / "schemas")])
    assert result.exit_code == 2
    assert f"{blocker / 'schemas'}" in result.stderr and "cannot write the schema" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]
