"""The shipped examples: examples/procurement/good passes, bad fails (exit 1) on the right lines.

Checked against the bundled sheets as of 2025-06-01 (prices of that day).
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.render.reports import ReportFormat

AS_OF = ["--as-of", "2025-06-01"]
BAD = {
    # (file, line, rule): the model line, the budget line, the model line, the quality bar line.
    ("examples/procurement/bad/over-budget-and-license.yaml", 7, "license-denied"),
    ("examples/procurement/bad/over-budget-and-license.yaml", 10, "over-budget"),
    ("examples/procurement/bad/unknown-model.yaml", 5, "unknown-model"),
    ("examples/procurement/bad/expired-waiver.yaml", 8, "below-quality-bar"),
    # max_cost_multiple: 2, breached: a denial under its own rule, on the model line.
    ("examples/procurement/bad/cost-multiple.yaml", 6, "cost-multiple"),
}


@pytest.mark.parametrize("fmt", [f.value for f in ReportFormat])
def test_good_examples_pass_in_every_format(fmt: str) -> None:
    result = CliRunner().invoke(app, ["check", "examples/procurement/good", *AS_OF, "-f", fmt])
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("fmt", [f.value for f in ReportFormat])
def test_bad_examples_fail_in_every_format_on_the_right_lines(fmt: str) -> None:
    result = CliRunner().invoke(app, ["check", "examples/procurement/bad", *AS_OF, "-f", fmt])
    assert result.exit_code == 1, result.stderr
    for file, line, rule in BAD:
        if fmt == "github":
            assert f"::error file={file},line={line},title=costcalc {rule} " in result.stdout
        elif fmt in ("text", "markdown"):
            assert f"{file}:{line}" in result.stdout and rule in result.stdout
        else:
            assert file in result.stdout and rule in result.stdout


def test_bad_examples_denials_json() -> None:
    result = CliRunner().invoke(app, ["check", "examples/procurement/bad", *AS_OF, "-f", "json"])
    denied = {
        (f["file"], f["line"], f["rule"])
        for f in json.loads(result.stdout)["findings"]
        if f["blocking"]
    }
    assert denied == BAD


def test_examples_readme_lists_every_file() -> None:
    from helpers import REPO

    readme = (REPO / "examples" / "procurement" / "README.md").read_text()
    for path in (REPO / "examples" / "procurement").rglob("*.yaml"):
        assert f"`{path.parent.name}/{path.name}`" in readme, path


def test_readme_procurement_example_passes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The YAML shown in the README's `costcalc check` section is valid and passes."""
    import re

    from helpers import REPO

    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("### CI gate on procurement files") :]
    block = re.findall(r"```yaml\n(.*?)```", section, flags=re.S)[0]
    (tmp_path / "p.yaml").write_text(block.replace('"…"', '"accepted"'))
    result = CliRunner().invoke(app, ["check", str(tmp_path), *AS_OF, "-f", "json"])
    assert result.exit_code == 0, result.stdout + result.stderr


def test_pre_commit_hook_runs_costcalc_check() -> None:
    import yaml

    from helpers import REPO

    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "costcalc-check"
    assert hook["entry"] == "costcalc check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
