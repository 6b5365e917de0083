"""Staleness: `validate --max-age` names prices (in force on the day) and scores older than a limit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from costcalc.catalog import Catalog, load_catalog
from costcalc.cli import app
from costcalc.errors import InputError
from costcalc.staleness import find_stale, parse_max_age
from helpers import MINI, MINI_REL, assert_golden

MINI_ARGS = ["--no-bundled", "--pricing", MINI_REL]


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_prices_in_force_older_than_the_limit(mini_catalog: Catalog) -> None:
    """On 2025-06-01 with 90 days: cnhost alpha (CNY and USD, 132 days) and ushost (151 days)."""
    report = find_stale(mini_catalog, dt.date(2025, 6, 1), 90)
    found = [(i.label, i.as_of, i.age_days) for i in report.items]
    assert found == [
        # 2025-01-20 -> 2025-06-01: 11 + 28 + 31 + 30 + 31 + 1 = 132 days
        ("alpha @ cnhost (CNY)", dt.date(2025, 1, 20), 132),
        ("alpha @ cnhost (USD)", dt.date(2025, 1, 20), 132),
        # 2025-01-01 -> 2025-06-01: 31 + 28 + 31 + 30 + 31 = 151 days
        ("alpha @ ushost", dt.date(2025, 1, 1), 151),
        ("beta @ ushost", dt.date(2025, 1, 1), 151),
    ]
    assert report.prices_checked == 4
    assert report.items[0].origin == f"{MINI}/providers/cnhost.yaml:6"


def test_the_limit_is_exclusive_and_measured_from_the_period_in_force(
    mini_catalog: Catalog,
) -> None:
    """132 days old is not stale at 132 days; on 2025-10-01 cnhost's 2025-09-05 list (26 days) is in force."""
    assert [i.label for i in find_stale(mini_catalog, dt.date(2025, 6, 1), 132).items] == [
        "alpha @ ushost",
        "beta @ ushost",
    ]
    late = find_stale(mini_catalog, dt.date(2025, 10, 1), 90)
    # cnhost CNY: 2025-09-05 -> 2025-10-01 = 26 days, fresh; its USD list ended on 2025-09-05,
    # but a price is in force (CNY), so the offer is not reported.
    assert [i.label for i in late.items] == ["alpha @ ushost", "beta @ ushost"]


def test_future_prices_are_not_checked(mini_catalog: Catalog) -> None:
    """Before any price starts (2024-12-01) nothing is in force and nothing is stale."""
    report = find_stale(mini_catalog, dt.date(2024, 12, 1), 1)
    assert (report.items, report.prices_checked) == ([], 0)


def test_an_offer_whose_prices_all_ended_is_reported(tmp_path: Path) -> None:
    """An offer with only ended periods has no price in force: it is named with its last period."""
    (tmp_path / "old.yaml").write_text(
        "kind: price-sheet\n"
        "provider: {id: oldhost, name: Old, country: US, currency: USD, pricing_url: 'https://x.example'}\n"
        "offers:\n"
        "  - model: alpha\n"
        "    prices:\n"
        "      - {as_of: 2025-01-01, valid_until: 2025-03-01, source: test, input: 1, output: 2}\n"
    )
    catalog = load_catalog([MINI, tmp_path], include_bundled=False)
    items = [i for i in find_stale(catalog, dt.date(2025, 4, 1), 365).items if "oldhost" in i.label]
    assert len(items) == 1
    assert items[0].detail == "no price in force on 2025-04-01 (the latest ended 2025-03-01)"
    assert items[0].age_days == 90  # 2025-01-01 -> 2025-04-01: 31 + 28 + 31


def test_dated_scores_are_checked_and_undated_ones_counted(tmp_path: Path) -> None:
    """A score dated 2025-01-01 is 151 days old on 2025-06-01; an undated one is only counted."""
    (tmp_path / "scores.yaml").write_text(
        "kind: scores\n"
        "scores:\n"
        "  - {model: alpha, benchmark: b1, score: 50, metric: pass@1, source: test, as_of: 2025-01-01}\n"
        "  - {model: beta, benchmark: b1, score: 60, metric: pass@1, source: test}\n"
    )
    catalog = load_catalog([MINI, tmp_path], include_bundled=False)
    report = find_stale(catalog, dt.date(2025, 6, 1), 140)
    scores = [i for i in report.items if i.kind == "score"]
    assert [(i.label, i.age_days, i.origin) for i in scores] == [
        ("alpha on b1", 151, f"{tmp_path}/scores.yaml:3")
    ]
    assert (report.scores_checked, report.scores_undated) == (1, 1)


@pytest.mark.parametrize(("text", "days"), [("90d", 90), ("12w", 84), ("30", 30), (" 7D ", 7)])
def test_parse_max_age(text: str, days: int) -> None:
    """Days or weeks (12w = 12 x 7 = 84 days)."""
    assert parse_max_age(text) == days


@pytest.mark.parametrize("text", ["3 months", "0d", "-5d", "d", ""])
def test_parse_max_age_refuses(text: str) -> None:
    """Anything else is an input error."""
    with pytest.raises(InputError):
        parse_max_age(text)


@given(st.integers(min_value=1, max_value=36_500 // 7))
def test_weeks_are_seven_days(n: int) -> None:
    """Nw is always 7 x Nd."""
    assert parse_max_age(f"{n}w") == 7 * parse_max_age(f"{n}d")


def test_validate_max_age_warns_with_exit_0() -> None:
    """Without --strict stale figures are warnings (file:line) and the exit code stays 0."""
    code, _, err = invoke("validate", *MINI_ARGS, "--max-age", "90d", "--as-of", "2025-06-01")
    assert code == 0
    assert_golden("importers/stale.stderr", err)


def test_validate_strict_fails_with_exit_1() -> None:
    """With --strict, stale figures fail the check (exit 1); fresh ones pass (exit 0)."""
    code, _, err = invoke(
        "validate", *MINI_ARGS, "--max-age", "90d", "--strict", "--as-of", "2025-06-01"
    )
    assert code == 1
    assert err.count("error: ") == 4
    code, _, _ = invoke(
        "validate", *MINI_ARGS, "--max-age", "365d", "--strict", "--as-of", "2025-06-01"
    )
    assert code == 0


def test_validate_staleness_usage_errors() -> None:
    """--strict alone, or a bad --max-age, is a usage error (exit 2)."""
    assert invoke("validate", *MINI_ARGS, "--strict")[0] == 2
    assert invoke("validate", *MINI_ARGS, "--max-age", "soon")[0] == 2


OLD_SCORES = """kind: scores
scores:
  - {model: alpha, benchmark: b1, score: 50, metric: pass@1, source: test, as_of: 2024-01-01}
  - {model: beta, benchmark: b1, score: 40, metric: pass@1, source: test, as_of: 2024-01-01}
"""
NEW_SCORES = """kind: scores
scores:
  - {model: alpha, benchmark: b1, score: 55, metric: pass@1, source: test, as_of: 2025-05-01}
"""


def _score_layers(tmp_path: Path) -> tuple[Path, Path]:
    """A bundled-like layer (benchmark b1, two scores of 2024-01-01) and a later layer
    replacing alpha's score with one of 2025-05-01."""
    base = tmp_path / "base"
    base.mkdir()
    (base / "benchmarks.yaml").write_text(
        "kind: benchmarks\nbenchmarks:\n"
        "  - {id: b1, name: B1, category: code, scale: percent, items: 100, source: test}\n"
    )
    (base / "scores.yaml").write_text(OLD_SCORES)
    later = tmp_path / "later"
    later.mkdir()
    (later / "scores.yaml").write_text(NEW_SCORES)
    return base, later


def test_a_score_replaced_by_a_later_layer_is_aged_by_the_replacement(tmp_path: Path) -> None:
    """Only the scores in force are aged: alpha's 2024 score is replaced by a later layer's.

    On 2025-06-01 with 180 days: beta's 2024-01-01 score is 366 + 151 = 517 days old
    (2024 is a leap year; 2025-01-01 -> 2025-06-01 is 151 days), stale; alpha's score in
    force is 2025-05-01, 31 days old, fresh; the replaced 2024 one is not reported.
    """
    base, later = _score_layers(tmp_path)
    catalog = load_catalog([MINI, base, later], include_bundled=False)
    report = find_stale(catalog, dt.date(2025, 6, 1), 180)
    scores = [(i.label, i.age_days, i.origin) for i in report.items if i.kind == "score"]
    assert scores == [("beta on b1", 517, f"{base}/scores.yaml:4")]
    assert (report.scores_checked, report.scores_undated) == (2, 0)


def test_validate_max_age_ignores_a_replaced_score(tmp_path: Path) -> None:
    """CLI: a later --pricing layer's fresh score replaces the stale one: exit 0 with --strict;
    without the replacement the old score fails the check (exit 1)."""
    base, later = _score_layers(tmp_path)
    (base / "scores.yaml").write_text(OLD_SCORES.replace("  - {model: beta", "  # - {model: beta"))
    # Prices: ushost 2025-01-01 (151 days) and cnhost 2025-01-20 (132 days), fresh under 180.
    args = ["--max-age", "180d", "--strict", "--as-of", "2025-06-01"]
    code, _, err = invoke(
        "validate", *MINI_ARGS, "--pricing", str(base), "--pricing", str(later), *args
    )
    assert code == 0, err
    assert "0 stale of 4 prices in force and 1 dated scores" in err
    code, _, err = invoke("validate", *MINI_ARGS, "--pricing", str(base), *args)
    assert code == 1, err
    # 2024-01-01 -> 2025-06-01: 366 + 151 = 517 days
    assert "error: " in err and "score of alpha on b1 is 517 days old" in err
