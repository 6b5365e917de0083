"""Tables at 80 and 60 columns: every line fits, every row keeps its id and its cost.

The layout degrades instead of folding cells one character a line: a compact table, the
provider under its model, then the least important columns hidden (and named in a note).
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.money import fmt_money
from costcalc.render.budget import _m
from costcalc.render.compare import money3
from costcalc.render.tables import Column, Table, layout, to_rich

WIDTHS = (80, 60)


def run(runner: CliRunner, args: list[str], width: int | None = None) -> str:
    env = {"COLUMNS": str(width)} if width else {}
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def assert_fits(text: str, width: int) -> list[str]:
    lines = text.split("\n")
    wide = [line for line in lines if len(line) > width]
    assert not wide, f"{len(wide)} lines wider than {width}: {wide[:3]}"
    return lines


def has_row(lines: list[str], *cells: str, under: str | None = None) -> bool:
    """A line holding every cell, with `under` on it or on the line below (stacked)."""
    for i, line in enumerate(lines):
        below = lines[i + 1] if i + 1 < len(lines) else ""
        if all(c in line for c in cells) and (under is None or under in line or under in below):
            return True
    return False


@pytest.mark.parametrize("width", WIDTHS)
def test_compare_fits_and_shows_every_id_and_cost(runner: CliRunner, width: int) -> None:
    data = json.loads(run(runner, ["compare", "--format", "json"]))
    assert data["models"], "the bundled catalog ranks some offers"
    lines = assert_fits(run(runner, ["compare"], width), width)
    for m in data["models"]:
        cost = money3(Decimal(m["cost_per_request"]), data["currency"])
        assert has_row(lines, m["model"], cost, under=m["provider"]), (m["label"], cost)


@pytest.mark.parametrize("width", WIDTHS)
def test_budget_fits_and_shows_every_id_and_cost(runner: CliRunner, width: int) -> None:
    args = ["budget", "--monthly", "--preset", "medium"]
    data = json.loads(run(runner, [*args, "--format", "json"]))
    offers = data["workloads"][0]["offers"]
    assert offers
    lines = assert_fits(run(runner, args, width), width)
    for o in offers:
        cost = _m(Decimal(o["monthly_cost"]), data["currency"])
        assert has_row(lines, o["model"], cost, under=o["provider"]), (o["model"], cost)


@pytest.mark.parametrize("width", WIDTHS)
def test_models_fits_and_shows_every_id(runner: CliRunner, width: int) -> None:
    data = json.loads(run(runner, ["models", "--format", "json"]))
    lines = assert_fits(run(runner, ["models"], width), width)
    starts = {line.split()[0] for line in lines if line.strip()}
    for m in data["models"]:
        assert m["id"] in starts


@pytest.mark.parametrize("width", WIDTHS)
def test_cost_breakdown_fits_and_keeps_the_cost(runner: CliRunner, width: int) -> None:
    args = ["cost", "o3", "--input-tokens", "20000", "--cached-tokens", "5000"]
    args += ["--output-tokens", "2000", "--as-of", "2025-06-01"]
    lines = assert_fits(run(runner, args, width), width)
    # o3's launch list: $10/M x 15,000 + $2.50/M cached x 5,000 + $40/M x 2,000
    # = 0.15 + 0.0125 + 0.08 = $0.2425, shown as $0.24
    assert has_row(lines, "total", "$0.24")
    assert has_row(lines, "output", "$0.08")


def test_wide_terminal_keeps_the_bordered_table_with_every_column() -> None:
    table = Table([Column("id", essential=True), Column("cost", "right")], [["a", "$1"]])
    plan = layout(table, 200)
    assert not plan.compact and plan.columns == [0, 1] and not plan.hidden


def test_columns_hide_in_priority_order_and_are_named() -> None:
    cols = [
        Column("id", no_wrap=True, essential=True),
        Column("minor", priority=1),
        Column("major", priority=5),
        Column("cost", "right", essential=True),
    ]
    row = ["a-long-model-id", "x" * 20, "y" * 20, "$1.00"]
    table = Table(cols, [row])
    # Compact needs: 15 + 20 + 20 + 5 widths + 3 x 3 gaps = 69 > 60: hide "minor" (lowest)
    # 15 + 20 + 5 + 2 x 3 = 46 <= 60.
    plan = layout(table, 60)
    assert plan.compact and plan.hidden == ["minor"]
    assert [cols[i].name for i in plan.columns] == ["id", "major", "cost"]
    text = to_rich([table], 60)
    assert "hidden at 60 columns: minor" in text
    assert_fits(text, 60)


def test_essential_columns_are_never_hidden_even_when_nothing_fits() -> None:
    cols = [Column("id", no_wrap=True, essential=True), Column("cost", "right", essential=True)]
    table = Table(cols, [["m" * 50, "$1.00"]])
    plan = layout(table, 30)
    assert plan.columns == [0, 1]


def test_a_stacked_column_moves_under_its_partner() -> None:
    cols = [
        Column("model", no_wrap=True, essential=True),
        Column("provider", no_wrap=True, essential=True, stack_under="model"),
        Column("cost", "right", essential=True),
    ]
    table = Table(cols, [["deepseek-r1-distill-qwen-32b", "alibaba-model-studio", "$0.0021"]])
    # Side by side: 28 + 20 + 7 + 2 x 3 = 61 > 60; stacked: max(28, 20 + 2) + 7 + 3 = 38.
    plan = layout(table, 60)
    assert plan.stacked == {1: 0} and plan.columns == [0, 2]
    lines = to_rich([table], 60).split("\n")
    i = next(n for n, line in enumerate(lines) if "deepseek-r1-distill-qwen-32b" in line)
    assert "$0.0021" in lines[i] and lines[i + 1].strip() == "alibaba-model-studio"


def test_price_age_note_counts_old_prices_and_names_the_oldest() -> None:
    import datetime as dt

    from costcalc.render.notes import price_age_note

    when = dt.date(2026, 11, 30)
    rows = [
        ("a @ x", dt.date(2026, 6, 2)),  # 181 days before: old
        ("b @ y", dt.date(2026, 6, 3)),  # 180 days: not over the limit
        ("c @ z", dt.date(2025, 1, 1)),  # 698 days: the oldest
    ]
    note = price_age_note(rows, when)
    assert note is not None
    assert note.startswith("2 of 3 prices took effect over 180 days before 2026-11-30")
    assert "(oldest: c @ z, 2025-01-01)" in note
    assert price_age_note(rows[1:2], when) is None


def test_marked_rows_are_coloured_only_when_asked() -> None:
    table = Table([Column("id", essential=True)], [["best"], ["other"]], marks={0: "good"})
    plain = to_rich([table], 80)
    coloured = to_rich([table], 80, color=True)
    assert "\x1b[" not in plain
    assert "\x1b[" in coloured and "best" in coloured


def test_color_is_off_when_piped_and_under_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from costcalc.cli.common import use_color

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert use_color()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color()
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False, raising=False)
    assert not use_color()


def test_shell_completion_is_on(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    """`costcalc --show-completion bash` prints a script; completing 'comp' offers compare.

    `--show-completion` is a flag: typer finds the shell among the test process's parents
    (shellingham), which a full test run did not always do (exit 1, "Shell  not
    supported"); the shell is given here, as the user's own would be found."""
    import os
    import subprocess
    import sys

    import typer.completion

    monkeypatch.setattr(typer.completion, "_get_shell_name", lambda: "bash")
    result = runner.invoke(app, ["--show-completion", "bash"], prog_name="costcalc")
    assert result.exit_code == 0 and "_costcalc_completion" in result.stdout
    env = {**os.environ, "COMP_WORDS": "costcalc comp", "COMP_CWORD": "1"}
    env["_COSTCALC_COMPLETE"] = "complete_bash"
    code = "import sys; sys.argv = ['costcalc']; from costcalc.cli import main; main()"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert "compare" in out.stdout.split()


@pytest.mark.parametrize("width", WIDTHS)
def test_check_fits_and_shows_every_decision_and_cost(runner: CliRunner, width: int) -> None:
    args = ["check", "examples/procurement/good", "examples/procurement/bad"]
    args += ["--as-of", "2025-06-01"]
    result = runner.invoke(app, [*args, "--format", "json"])
    data = json.loads(result.stdout)
    result = runner.invoke(app, args, env={"COLUMNS": str(width)})
    assert result.exit_code == 1  # the bad examples fail the gate
    lines = assert_fits(result.stdout, width)
    assert data["decisions"]
    for d in data["decisions"]:
        # an unknown model has no cost: the table shows "-"
        cost = (
            "-"
            if d["monthly_cost"] is None
            else fmt_money(Decimal(d["monthly_cost"]), d["currency"])
        )
        assert has_row(lines, d["name"], cost), (d["name"], cost)
