"""`costcalc check` on hostile input: bounded parsing, no reading outside the checked folder."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costcalc.cli import app

ARGS = ["--no-bundled", "--pricing", "tests/fixtures/check/pricing", "--as-of", "2026-03-01"]
DECISION = (
    "kind: procurement\ndecisions:\n  - name: a\n    model: cheap\n    provider: ushost\n"
    "    workload: {file: WORKLOAD, name: w}\n    budget: {monthly: 150, currency: USD}\n"
)
WORKLOADS = (
    "kind: workloads\nworkloads:\n"
    "  - {name: w, requests_per_month: 100000, input_tokens: 1000, output_tokens: 500}\n"
)


def invoke(*paths: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["check", *paths, *ARGS, "--format", "json"])
    return result.exit_code, result.stdout, result.stderr


def test_alias_bomb_fails_fast_with_exit_2() -> None:
    """A billion-laughs file is refused before expansion, in well under a second."""
    start = time.perf_counter()
    code, out, err = invoke("tests/fixtures/check/hostile/bomb.yaml")
    elapsed = time.perf_counter() - start
    assert code == 2 and out == ""
    assert "alias bomb" in err
    assert elapsed < 1.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "kind: procurement\n" + "a: " + "[" * 100 + "]" * 100 + "\n",
            "nested more than 64 levels",
        ),
        ("kind: procurement\n!!python/object:os.system x: 1\n", "invalid YAML"),
        ("\x00binary", "binary data"),
    ],
)
def test_hostile_files_exit_2(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(text)
    code, out, err = invoke(str(path))
    assert code == 2 and out == ""
    assert message in err


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    """Procurement files are limited to 1 MiB."""
    path = tmp_path / "p.yaml"
    path.write_text("kind: procurement\n#" + "x" * (1024 * 1024) + "\n")
    code, _, err = invoke(str(path))
    assert code == 2
    assert "the limit is 1,048,576 bytes" in err


def test_workload_file_inside_the_folder_is_read(tmp_path: Path) -> None:
    """A `{file, name}` workload in the checked folder resolves: 100 x 0.5 + 50 x 1 = $100 a month."""
    (tmp_path / "w.yaml").write_text(WORKLOADS)
    (tmp_path / "p.yaml").write_text(DECISION.replace("WORKLOAD", "w.yaml"))
    code, out, err = invoke(str(tmp_path))
    assert code == 0, err
    assert '"monthly_cost": "100"' in out


@pytest.mark.parametrize("ref", ["../outside.yaml", "/etc/passwd", "sub/../../outside.yaml"])
def test_workload_file_outside_the_folder_is_refused(tmp_path: Path, ref: str) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "outside.yaml").write_text(WORKLOADS)
    (root / "p.yaml").write_text(DECISION.replace("WORKLOAD", ref))
    code, _, err = invoke(str(root))
    assert code == 2
    assert (
        f"{root / 'p.yaml'}:6: decisions[0].workload.file: {ref!r} is outside the checked folder"
        in err
    )


def test_symlinked_workload_escaping_the_folder_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "outside.yaml").write_text(WORKLOADS)
    os.symlink(tmp_path / "outside.yaml", root / "w.yaml")
    (root / "p.yaml").write_text(DECISION.replace("WORKLOAD", "w.yaml"))
    code, _, err = invoke(str(root / "p.yaml"))
    assert code == 2
    assert "outside the checked folder" in err


def test_symlinks_escaping_the_folder_are_refused(tmp_path: Path) -> None:
    """A symlinked file or folder leading outside the checked folder is an error, not followed."""
    root = tmp_path / "root"
    root.mkdir()
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "x.yaml").write_text("kind: procurement\n")
    os.symlink(outside, root / "linked-dir")
    os.symlink(outside / "x.yaml", root / "linked.yaml")
    code, _, err = invoke(str(root))
    assert code == 2
    assert f"error: {root / 'linked-dir'}: symbolic link leads outside the checked folder" in err
    assert f"error: {root / 'linked.yaml'}: symbolic link leads outside the checked folder" in err


def test_other_kinds_in_a_checked_folder_are_errors(tmp_path: Path) -> None:
    """A typo in `kind:` cannot make a decision skip the gate."""
    (tmp_path / "p.yaml").write_text("kind: procurment\ndecisions: []\n")
    code, _, err = invoke(str(tmp_path))
    assert code == 2
    assert "p.yaml:1: kind: kind is 'procurment'" in err


def test_every_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("kind: procurement\ndecisions: []\n")
    (tmp_path / "b.yaml").write_text("kind: procurement\ndecisions: [1]\n")
    code, _, err = invoke(str(tmp_path))
    assert code == 2
    assert "a.yaml:2" in err and "b.yaml:2" in err
