"""Data rules of `costcalc validate`, and the precedence of several scores files in one layer."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from costcalc.catalog import load_catalog
from costcalc.cli import app
from costcalc.quality import quality_index

MODELS = """kind: models
models:
  - {id: m1, name: M1, vendor: V, open_weights: true, license: mit, released: 2025-03-16}
"""
SHEET = """kind: price-sheet
provider: {id: p, name: P, country: US, currency: USD, pricing_url: "https://example.com"}
offers:
  - model: m1
    prices:
      - {as_of: %s, valid_until: %s, source: "test", input: 1, output: 2}
      - {as_of: 2025-06-01, source: "test", input: 1, output: 1}
"""
BENCH = """kind: benchmarks
benchmarks:
  - {id: aime, name: AIME, category: math, scale: percent, items: 30, source: test}
  - id: lcb-a
    name: LCB window A
    category: code
    scale: percent
    items: 279
    window: "2024-08 to 2025-01"
    same_windows: ["2024-08 to 2025-02"]
    source: test
"""


def _layer(tmp_path: Path, sheet: str, *extra: tuple[str, str]) -> Path:
    layer = tmp_path / "layer"
    layer.mkdir(exist_ok=True)
    (layer / "models.yaml").write_text(MODELS)
    (layer / "p.yaml").write_text(sheet)
    (layer / "benchmarks.yaml").write_text(BENCH)
    for name, text in extra:
        (layer / name).write_text(text)
    return layer


def validate(layer: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["validate", "--no-bundled", "--pricing", str(layer)])
    return result.exit_code, result.stderr.replace(str(layer), "<l>")


def test_clean_layer_passes(tmp_path: Path) -> None:
    """Periods back to back (the first ends the day the second starts) after the release."""
    code, err = validate(_layer(tmp_path, SHEET % ("2025-03-16", "2025-06-01")))
    assert code == 0, err


def test_overlapping_periods_are_an_error(tmp_path: Path) -> None:
    """A period running until 2025-07-01 while the next starts 2025-06-01 overlaps by 30 days."""
    code, err = validate(_layer(tmp_path, SHEET % ("2025-03-16", "2025-07-01")))
    assert code == 2
    assert "<l>/p.yaml:7: as_of: price periods of m1 @ p (USD) overlap" in err
    assert "runs until 2025-07-01, after this one starts (2025-06-01)" in err


def test_change_during_the_day_is_no_overlap(tmp_path: Path) -> None:
    """valid_until 2025-06-01T16:00Z and a next period dated 2025-06-01: a same-day change."""
    code, err = validate(_layer(tmp_path, SHEET % ("2025-03-16", "2025-06-01T16:00:00Z")))
    assert code == 0, err


def test_price_before_release_is_an_error(tmp_path: Path) -> None:
    """m1 was released 2025-03-16; a price dated 2025-03-01 names file, line and field."""
    code, err = validate(_layer(tmp_path, SHEET % ("2025-03-01", "2025-06-01")))
    assert code == 2
    assert (
        "<l>/p.yaml:6: as_of: price of m1 @ p starts 2025-03-01, before the model was released (2025-03-16"
        in err
    )


def _scores(*rows: str, role: str = "curated") -> str:
    return f"kind: scores\nrole: {role}\nscores:\n" + "".join(f"  - {r}\n" for r in rows)


def test_window_mismatch_and_two_problem_sets(tmp_path: Path) -> None:
    """A score whose window is another set than its benchmark's is an error; the benchmark's
    `same_windows` ('2024-08 to 2025-02' on release_v5) is accepted."""
    scores = _scores(
        "{model: m1, benchmark: lcb-a, score: 50, metric: pass@1, source: src, as_of: 2025-04-01,"
        ' window: "2024.10-2025.02"}',
    )
    code, err = validate(_layer(tmp_path, SHEET % ("2025-03-16", "2025-06-01"), ("s.yaml", scores)))
    assert code == 2
    assert "<l>/s.yaml:4: window: window mismatch: m1's score covers 2024-10 to 2025-02" in err
    ok = _scores(
        "{model: m1, benchmark: lcb-a, score: 50, metric: pass@1, source: src, as_of: 2025-04-01,"
        ' window: "2408-2502"}',
    )
    code, err = validate(_layer(tmp_path, SHEET % ("2025-03-16", "2025-06-01"), ("s.yaml", ok)))
    assert code == 0, err


def test_one_problem_set_under_two_ids(tmp_path: Path) -> None:
    """Two benchmark ids over the same window and item count are an error at the second."""
    dup = (
        "kind: benchmarks\nbenchmarks:\n  - {id: lcb-b, name: B, category: code, scale: percent,"
        ' items: 279, window: "2024-08 to 2025-01", source: test}\n'
    )
    code, err = validate(_layer(tmp_path, SHEET % ("2025-03-16", "2025-06-01"), ("zz.yaml", dup)))
    assert code == 2
    assert "<l>/zz.yaml:3: window: lcb-b is the same problem set as lcb-a" in err


def test_undated_score_is_a_warning(tmp_path: Path) -> None:
    """A score with no as_of passes with a located warning."""
    scores = _scores("{model: m1, benchmark: aime, score: 50, metric: pass@1, source: src}")
    code, err = validate(_layer(tmp_path, SHEET % ("2025-03-16", "2025-06-01"), ("s.yaml", scores)))
    assert code == 0
    assert "warning: <l>/s.yaml:4: as_of: score of m1 on aime has no date" in err


def test_curated_beats_feed_and_rejects_feed_figures(tmp_path: Path) -> None:
    """In one layer: the curated 60 beats the feed's 70 on aime; the feed's lcb-a figure is
    used unless the curated sheet rejects it."""
    feed = _scores(
        "{model: m1, benchmark: aime, score: 70, metric: x, source: feed, as_of: 2025-04-01}",
        "{model: m1, benchmark: lcb-a, score: 40, metric: x, source: feed, as_of: 2025-04-01}",
        role="feed",
    )
    curated = _scores(
        "{model: m1, benchmark: aime, score: 60, metric: x, source: src, as_of: 2025-04-01}"
    )
    layer = _layer(
        tmp_path, SHEET % ("2025-03-16", "2025-06-01"), ("a-feed.yaml", feed), ("z.yaml", curated)
    )
    index = quality_index(load_catalog([layer], include_bundled=False))
    assert index.scores["m1"]["aime"].score.score == Decimal(60)
    assert index.scores["m1"]["lcb-a"].score.score == Decimal(40)
    (layer / "z.yaml").write_text(
        curated.replace(
            "scores:\n",
            "rejected:\n  - {model: m1, benchmark: lcb-a, score: 40, reason: best-of-n, source: src}\nscores:\n",
        )
    )
    index = quality_index(load_catalog([layer], include_bundled=False))
    assert "lcb-a" not in index.scores["m1"]


def test_two_curated_scores_for_one_pair_in_a_layer_are_an_error(tmp_path: Path) -> None:
    """Two curated files giving m1 on aime in one layer: exit 2 naming both places."""
    one = _scores(
        "{model: m1, benchmark: aime, score: 60, metric: x, source: src, as_of: 2025-04-01}"
    )
    layer = _layer(tmp_path, SHEET % ("2025-03-16", "2025-06-01"), ("a.yaml", one), ("b.yaml", one))
    code, err = validate(layer)
    assert code == 2
    assert "<l>/b.yaml:4: scores[0]: a second curated score for m1 on aime in this layer" in err
    assert "<l>/a.yaml:4" in err


def test_a_feed_sheet_cannot_reject(tmp_path: Path) -> None:
    """`rejected` belongs to curated sheets only (schema error, exit 2)."""
    feed = _scores(
        "{model: m1, benchmark: aime, score: 70, metric: x, source: feed, as_of: 2025-04-01}",
        role="feed",
    ).replace(
        "scores:\n", "rejected: [{model: m1, benchmark: aime, reason: r, source: src}]\nscores:\n"
    )
    code, err = validate(_layer(tmp_path, SHEET % ("2025-03-16", "2025-06-01"), ("f.yaml", feed)))
    assert code == 2 and "only a curated sheet may list `rejected`" in err


def test_bundled_sheets_pass_the_data_rules_without_warnings() -> None:
    """`costcalc validate` on the bundle: exit 0, and every bundled score is dated."""
    result = CliRunner().invoke(app, ["validate"])
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr


def test_default_profile_scores_current_models_on_most_of_their_weight() -> None:
    """Balanced: GPQA Diamond, AIME 2025 and SWE-bench Verified are (2+2+2)/10 = 60% of the
    weight, so a model reported on those three alone is scored on 60%; the bundled current
    models o3, o4-mini, Gemini 2.5 Pro and DeepSeek-V3.1 are scored on at least 60%."""
    from costcalc.quality import model_quality, weighting

    index = quality_index(load_catalog([]))
    balanced = weighting(index, "balanced")
    total = sum(balanced.weights.values())
    core = sum(balanced.weights[b] for b in ("gpqa-diamond", "aime-2025", "swe-bench-verified"))
    assert total == Decimal(10) and core / total == Decimal("0.6")
    for model in ("o3", "o4-mini", "gemini-2.5-pro", "deepseek-v3.1"):
        quality = model_quality(index, model, balanced)
        assert quality is not None and quality.coverage >= Decimal("0.6"), model
