"""`costcalc prices diff`: offers added and removed, prices changed with old, new and percent."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.importers import litellm
from costcalc.importers.output import apply, plan, render_files
from costcalc.importers.read import read_json
from costcalc.pricediff import PriceChange, diff, load_sheets
from helpers import FIXTURES, assert_golden

OLD = "tests/fixtures/importers/diff/old"
NEW = "tests/fixtures/importers/diff/new"
DAY = dt.date(2026, 11, 27)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_diff_of_hand_made_sheets() -> None:
    """delta added, gamma removed, alpha unchanged; beta's latest period and zeta changed."""
    result = diff(load_sheets(Path(OLD)), load_sheets(Path(NEW)))
    assert [o.model for o in result.added] == ["delta"]
    assert [o.model for o in result.removed] == ["gamma"]
    assert result.unchanged == 1  # alpha
    rows = [(c.model, c.price, c.old, c.new, c.percent) for c in result.changed]
    assert rows == [
        (
            "beta",
            "input",
            Decimal("1.25"),
            Decimal("1"),
            Decimal("-20.00"),
        ),  # (1 - 1.25) / 1.25 = -20%
        ("beta", "cached_input", Decimal("0.125"), None, None),  # no longer published
        (
            "beta",
            "batch.input",
            Decimal("0.625"),
            Decimal("0.5"),
            Decimal("-20.00"),
        ),  # -0.125 / 0.625
        ("beta", "tier>200000.output", Decimal("15"), Decimal("12"), Decimal("-20.00")),  # -3 / 15
        ("zeta", "input", Decimal("0"), Decimal("0.02"), None),  # from 0: no percent
    ]
    assert result.changed_offers == 2
    beta = result.changed[0]
    assert (beta.old_as_of, beta.new_as_of) == (dt.date(2025, 1, 1), dt.date(2025, 6, 1))


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "markdown"])
def test_diff_golden(fmt: str) -> None:
    """Every format of `prices diff` is pinned (exit 0: a diff is a report, not a check)."""
    code, out, err = invoke("prices", "diff", OLD, NEW, "--format", fmt)
    assert code == 0, err
    assert_golden(f"importers/diff.{fmt}", out)


def test_diff_json_is_exact() -> None:
    """JSON prices are exact decimal strings; percent is rounded to 0.01."""
    _, out, _ = invoke("prices", "diff", OLD, NEW, "--format", "json")
    payload = json.loads(out)
    assert payload["summary"] == {
        "added": 1,
        "removed": 1,
        "changed_offers": 2,
        "changed_prices": 5,
        "unchanged": 1,
    }
    first = payload["changed"][0]
    assert (first["old"], first["new"], first["percent"]) == ("1.25", "1", "-20")
    assert first["origin"] == f"{NEW}/acme.yaml:19"  # the 2025-06-01 period


def test_diff_of_files_and_bad_input() -> None:
    """Single files work; a missing path or a non-sheet file is exit 2."""
    code, out, _ = invoke(
        "prices", "diff", f"{OLD}/acme.yaml", f"{NEW}/acme.yaml", "--format", "json"
    )
    assert code == 0 and json.loads(out)["summary"]["changed_prices"] == 5
    assert invoke("prices", "diff", OLD, "nope/")[0] == 2
    assert invoke("prices", "diff", OLD, "tests/fixtures/mini/models.yaml")[0] == 2


def test_diff_between_two_versions_of_the_litellm_map(tmp_path: Path) -> None:
    """tokencost's older copy vs the current LiteLLM map: a known price cut and removals.

    deepseek-chat (LiteLLM key, provider deepseek): input 0.14 -> 0.28 per million
    (+100.00%), output 0.28 -> 0.42 (+50.00%); claude-3-7-sonnet-20250219 is gone from
    the newer map.
    """
    old_out, new_out = tmp_path / "old", tmp_path / "new"
    for feed, out in (
        (FIXTURES / "importers/tokencost/model_prices.json", old_out),
        (FIXTURES / "importers/litellm/model_prices_and_context_window_backup.json", new_out),
    ):
        result = litellm.convert(read_json(feed), source_file=feed.name, as_of=DAY)
        apply(plan(out, render_files(result), force=False))
    result = diff(load_sheets(old_out), load_sheets(new_out))
    changes = {(c.model, c.price): c for c in result.changed}
    chat_in = changes[("deepseek/deepseek-chat", "input")]
    assert (chat_in.old, chat_in.new, chat_in.percent) == (
        Decimal("0.14"),
        Decimal("0.28"),
        Decimal("100.00"),
    )
    chat_out = changes[("deepseek/deepseek-chat", "output")]
    # (0.42 - 0.28) / 0.28 = 0.5
    assert (chat_out.old, chat_out.new, chat_out.percent) == (
        Decimal("0.28"),
        Decimal("0.42"),
        Decimal("50.00"),
    )
    removed = {o.model for o in result.removed}
    assert "anthropic/claude-3-7-sonnet-20250219" in removed
    assert "google/gemini-2.0-flash" in removed
    assert len(result.added) > 1000  # the newer map is much larger


decimals = st.decimals(
    min_value=0, max_value=10**6, allow_nan=False, allow_infinity=False, places=6
)


@given(decimals, decimals)
def test_percent_sign_follows_the_change(old: Decimal, new: Decimal) -> None:
    """A rise has a positive percent, a cut a negative one; from 0 there is none."""
    change = PriceChange("p", "m", "USD", "input", old, new, DAY, DAY, "x")
    if old == 0:
        assert change.percent is None
    elif new > old:
        assert change.percent is not None and change.percent >= 0
    elif new < old:
        assert change.percent is not None and change.percent <= 0


def test_same_sheets_have_no_changes() -> None:
    """Diffing a folder with itself finds nothing added, removed or changed."""
    docs = load_sheets(Path(NEW))
    result = diff(docs, docs)
    assert (result.added, result.removed, result.changed, result.unchanged) == ([], [], [], 4)
