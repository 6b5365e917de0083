"""Quality scoring: normalisation, derived uncertainty, weighted means, coverage, file checks."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from costcalc.catalog import load_catalog
from costcalc.errors import InputError
from costcalc.loader import validate_data
from costcalc.quality import (
    DEFAULT_MIN_COVERAGE,
    model_quality,
    normalised,
    quality_index,
    weighting,
)
from costcalc.schema.quality import Benchmark, BenchmarkSheet, Score, ScoreSheet, Uncertainty
from helpers import FIXTURES

COMPARE = FIXTURES / "compare"
D = Decimal


def bench(**kw: object) -> Benchmark:
    base: dict[str, object] = {
        "id": "b",
        "name": "B",
        "category": "math",
        "scale": "percent",
        "source": "test",
    }
    base.update(kw)
    return Benchmark.model_validate(base)


def score(value: str, **kw: object) -> Score:
    base: dict[str, object] = {
        "model": "m",
        "benchmark": "b",
        "score": D(value),
        "metric": "pass@1",
        "source": "test",
    }
    base.update(kw)
    return Score.model_validate(base)


@pytest.fixture(scope="module")
def index():  # type: ignore[no-untyped-def]
    return quality_index(load_catalog([COMPARE], include_bundled=False))


def test_binomial_stderr_from_items() -> None:
    """A 30-item test at 80% has a standard error of 100 x sqrt(0.8 x 0.2 / 30) = 7.30 points."""
    value, se, how = normalised(bench(items=30), score("80"))
    assert value == D(80)
    # 0.16 / 30 = 0.0053333...; sqrt = 0.0730296...; x 100 = 7.30296...
    assert se.quantize(D("0.0001")) == D("7.3030")
    assert how == "items"


def test_large_test_is_far_less_noisy() -> None:
    """12,032 items at 84%: 100 x sqrt(0.84 x 0.16 / 12032) = 0.334 points, 20x less than AIME."""
    _, se, _ = normalised(bench(items=12032), score("84"))
    # 0.1344 / 12032 = 0.0000111702...; sqrt = 0.0033422...
    assert se.quantize(D("0.001")) == D("0.334")


def test_perfect_score_is_not_certain() -> None:
    """p is kept within [1/n, 1-1/n]: 100% on 25 items counts as p = 24/25, se = 100 x sqrt(.96 x .04 / 25)."""
    _, se, _ = normalised(bench(items=25), score("100"))
    # 0.96 x 0.04 = 0.0384; / 25 = 0.001536; sqrt = 0.0391918...; x 100 = 3.919
    assert se.quantize(D("0.001")) == D("3.919")


def test_published_stderr_and_interval_win() -> None:
    """A published stderr is used as is; a 95% interval [a, b] gives (b - a) / (2 x 1.96)."""
    assert normalised(bench(items=30), score("80", uncertainty={"stderr": D("2.5")}))[1:] == (
        D("2.5"),
        "published",
    )
    _, se, how = normalised(
        bench(items=30), score("80", uncertainty={"low": D("76.08"), "high": D("83.92")})
    )
    assert se == D(2)  # (83.92 - 76.08) / 3.92 = 7.84 / 3.92 = 2
    assert how == "published"


def test_rating_mapping_and_clipping() -> None:
    """A rating maps linearly: (1800 - 1000) / (2000 - 1000) x 100 = 80; se 20 -> 2 points; 2500 clips to 100."""
    b = bench(scale="rating", mapping={"zero": 1000, "hundred": 2000}, default_stderr=20)
    value, se, how = normalised(b, score("1800"))
    assert (value, se, how) == (D(80), D(2), "default")  # 20 / 1000 x 100 = 2
    assert normalised(b, score("2500"))[0] == D(100)
    assert normalised(b, score("900"))[0] == D(0)


def test_unknown_uncertainty_counts_as_zero() -> None:
    """Without items, a published error or a default, the error is unknown and counted as 0."""
    assert normalised(bench(), score("50"))[1:] == (D(0), "unknown")


def test_weighted_mean_and_propagated_error(index) -> None:  # type: ignore[no-untyped-def]
    """cheap: (78 + 82) / 2 = 80; se = sqrt(1^2 + 1^2) / 2 = 0.7071; band 80 +- 1.96 x 0.7071."""
    w = weighting(index, "balanced")
    q = model_quality(index, "cheap", w)
    assert q is not None
    assert q.value == D(80)
    assert q.stderr.quantize(D("0.0001")) == D("0.7071")
    # 1.96 x 0.70710678 = 1.38592929
    assert q.low.quantize(D("0.0001")) == D("78.6141")
    assert q.high.quantize(D("0.0001")) == D("81.3859")
    assert q.coverage == D(1)
    assert q.missing == ()


def test_user_weights(index) -> None:  # type: ignore[no-untyped-def]
    """Weights b1=3, b2=1 on mid (84, 86): (3 x 84 + 1 x 86) / 4 = 84.5; se = sqrt(9 + 1) / 4 = 0.7906."""
    w = weighting(index, "ignored", {"b1": D(3), "b2": D(1)})
    q = model_quality(index, "mid", w)
    assert q is not None
    assert q.value == D("84.5")
    assert q.stderr.quantize(D("0.0001")) == D("0.7906")  # sqrt(10) / 4 = 3.16228 / 4
    assert w.min_coverage == DEFAULT_MIN_COVERAGE


def test_weightings_in_turn_on_one_index(index) -> None:  # type: ignore[no-untyped-def]
    """The index keeps each weighting's sorted weights and total: a second weighting on the
    same index gets its own (mid: 84.5 with b1=3, b2=1; (1 x 84 + 3 x 86) / 4 = 85.5 with the
    weights swapped), and the first still gets its own afterwards."""
    first = weighting(index, "ignored", {"b1": D(3), "b2": D(1)})
    swapped = weighting(index, "ignored", {"b1": D(1), "b2": D(3)})
    for w, value in ((first, "84.5"), (swapped, "85.5"), (first, "84.5")):
        q = model_quality(index, "mid", w)
        assert q is not None
        assert q.value == D(value)


def test_quality_is_worked_out_at_28_digits(index) -> None:  # type: ignore[no-untyped-def]
    """Under a caller's 6-digit context the figures are the same as under the default 28
    digits (the quality sets its own precision), and the caller's context is left alone."""
    from decimal import localcontext

    w = weighting(index, "balanced")
    expected = model_quality(index, "cheap", w)
    with localcontext() as ctx:
        ctx.prec = 6
        got = model_quality(index, "cheap", w)
        assert ctx.prec == 6
    assert got is not None and expected is not None
    # sqrt(1 + 1) at 28 digits is 1.414213562373095048801688724; halved, not 0.707107:
    assert got.stderr == expected.stderr == D("0.707106781186547524400844362")


def test_missing_score_never_counts_as_zero(index) -> None:  # type: ignore[no-untyped-def]
    """partial has only b2 = 60: its quality is 60 (not (0 + 60) / 2 = 30) at 50% coverage."""
    q = model_quality(index, "partial", weighting(index, "balanced"))
    assert q is not None
    assert q.value == D(60)
    assert q.coverage == D("0.5")  # weight 1 of 2
    assert q.missing == ("b1",)


def test_no_score_at_all_is_none(index) -> None:  # type: ignore[no-untyped-def]
    """A model with no score on the profile's benchmarks has no quality."""
    assert model_quality(index, "noscore", weighting(index, "balanced")) is None


def test_rating_in_profile(index) -> None:  # type: ignore[no-untyped-def]
    """Profile `rated` (b1=1, elo=1): cheap = (78 + 80) / 2 = 79; elo se from [1780.4, 1819.6] = 10 -> 1 point."""
    w = weighting(index, "rated")
    q = model_quality(index, "cheap", w)
    assert q is not None
    # elo: (1800 - 1000) / 1000 x 100 = 80; se (1819.6 - 1780.4) / 3.92 = 10 rating -> 1 point
    assert q.value == D(79)
    assert q.stderr.quantize(D("0.0001")) == D("0.7071")  # sqrt(1 + 1) / 2
    assert w.min_coverage == D(1)


def test_unknown_profile_suggests(index) -> None:  # type: ignore[no-untyped-def]
    """An unknown profile names the close ones and lists all."""
    with pytest.raises(InputError, match=r"unknown profile 'balance'.*did you mean 'balanced'"):
        weighting(index, "balance")


def test_bad_user_weights(index) -> None:  # type: ignore[no-untyped-def]
    """Unknown benchmark, rating without mapping and a zero weight are all reported at once."""
    with pytest.raises(InputError) as exc:
        weighting(index, "balanced", {"b3": D(1), "raw-elo": D(1), "b1": D(0)})
    text = str(exc.value)
    assert "unknown benchmark 'b3'" in text
    assert "'raw-elo' is a rating with no `mapping`" in text
    assert "weight of 'b1' must be a number > 0" in text


def test_min_coverage_range(index) -> None:  # type: ignore[no-untyped-def]
    """min-coverage is a share."""
    with pytest.raises(InputError, match="between 0 and 1"):
        weighting(index, "balanced", min_coverage=D("1.5"))


def test_uncertainty_needs_one_form() -> None:
    """An uncertainty gives a stderr or an interval, never both or half an interval."""
    with pytest.raises(ValueError, match="not both or neither"):
        Uncertainty.model_validate({"stderr": 1, "low": 1, "high": 2})
    with pytest.raises(ValueError, match="both `low` and `high`"):
        Uncertainty.model_validate({"low": 1})


def test_duplicate_score_is_refused() -> None:
    """Two scores for one model and benchmark: keep one, the other goes to alternatives."""
    data = {
        "kind": "scores",
        "scores": [
            {"model": "m", "benchmark": "b", "score": D(1), "metric": "x", "source": "abc"},
            {"model": "m", "benchmark": "b", "score": D(2), "metric": "x", "source": "abc"},
        ],
    }
    with pytest.raises(InputError, match="two scores for m on b"):
        validate_data(data, ScoreSheet, "scores.yaml")


def test_percent_benchmark_with_mapping_is_refused() -> None:
    """A mapping only makes sense for a rating."""
    with pytest.raises(InputError, match="needs no `mapping`"):
        validate_data(
            {
                "kind": "benchmarks",
                "benchmarks": [
                    {
                        "id": "b",
                        "name": "B",
                        "category": "math",
                        "scale": "percent",
                        "source": "abc",
                        "mapping": {"zero": 0, "hundred": 1},
                    }
                ],
            },
            BenchmarkSheet,
            "b.yaml",
        )


def test_index_reports_dangling_references(tmp_path: Path) -> None:
    """A score naming an unknown benchmark or model is reported with file and line."""
    (tmp_path / "s.yaml").write_text(
        "kind: scores\nscores:\n"
        "  - {model: cheap, benchmark: nope, score: 1, metric: x, source: abc}\n"
        "  - {model: ghost, benchmark: b1, score: 1, metric: x, source: abc}\n",
        encoding="utf-8",
    )
    catalog = load_catalog([COMPARE, tmp_path], include_bundled=False)
    with pytest.raises(InputError) as exc:
        quality_index(catalog)
    text = str(exc.value)
    assert "s.yaml:3: scores[0].benchmark: unknown benchmark 'nope'" in text
    assert "s.yaml:4: scores[1].model: unknown model 'ghost'" in text


def test_profile_with_unusable_benchmark(tmp_path: Path) -> None:
    """A bundled or user profile weighting a rating without mapping is an input error."""
    (tmp_path / "p.yaml").write_text(
        "kind: profiles\nprofiles:\n  - {id: bad, name: Bad, weights: {raw-elo: 1}}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="rating with no `mapping`"):
        quality_index(load_catalog([COMPARE, tmp_path], include_bundled=False))


def test_later_layer_overrides_score(tmp_path: Path) -> None:
    """A user's score for the same model and benchmark replaces the earlier one."""
    (tmp_path / "s.yaml").write_text(
        "kind: scores\nscores:\n"
        "  - {model: cheap, benchmark: b1, score: 88, metric: x, source: abc,"
        " uncertainty: {stderr: 1}}\n",
        encoding="utf-8",
    )
    index = quality_index(load_catalog([COMPARE, tmp_path], include_bundled=False))
    q = model_quality(index, "cheap", weighting(index, "balanced"))
    assert q is not None
    assert q.value == D(85)  # (88 + 82) / 2


# ------------------------------------------------------------------ bundled sheets

BUNDLED = (
    ("benchmarks", "benchmarks"),
    ("scores", "scores"),
    ("scores-llm-stats", "scores"),
    ("profiles", "profiles"),
)


@pytest.mark.parametrize(("name", "kind"), BUNDLED)
def test_bundled_sheets_match_their_schema(name: str, kind: str) -> None:
    """pricing/NAME.yaml points at its JSON Schema and validates against it (dates as the
    editor sees them: YAML text, so a date is a string)."""
    import json

    import jsonschema
    import yaml

    from helpers import REPO

    path = REPO / "pricing" / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(f"# yaml-language-server: $schema=schemas/{kind}.schema.json\n")
    schema = json.loads((REPO / "pricing" / "schemas" / f"{kind}.schema.json").read_text("utf-8"))
    data = json.loads(json.dumps(yaml.safe_load(text), default=str))
    jsonschema.validate(data, schema)


def test_bundled_score_selection_rules() -> None:
    """One score per model and benchmark, chosen by the documented rules, the others kept aside."""
    index = quality_index(load_catalog([]))
    r1 = index.scores["deepseek-r1"]
    assert r1["aime-2024"].score.score == D("79.8")  # DeepSeek-R1 README table 4
    assert r1["livecodebench-2408-2501"].score.window == "2024-08 to 2025-01"
    assert r1["livecodebench-2408-2505"].score.score == D("63.5")  # a different window
    # pass@1 over cons@64
    distill = index.scores["deepseek-r1-distill-qwen-7b"]["aime-2024"].score
    assert (distill.score, distill.metric) == (D("55.5"), "pass@1")
    assert [(a.score, a.metric) for a in distill.alternatives] == [(D("83.3"), "cons@64")]
    # the authors' own figure over a third party's
    o1 = index.scores["o1"]["aime-2024"].score
    assert o1.score == D("74.3") and o1.reported_by is None and o1.via == "llm-stats"
    assert o1.alternatives[0].reported_by == "DeepSeek (o1-1217 column)"
    # a third party's figure is kept when it is the only one, with who measured it
    assert index.scores["deepseek-r1-distill-qwen-7b"]["aime-2025"].score.reported_by == "Skywork"
    # ratings have no mapping, so no bundled profile weights them
    assert index.benchmarks["lmarena-elo"].mapping is None
    for profile in index.profiles.values():
        assert all(index.benchmarks[b].scale == "percent" for b in profile.weights)
    assert set(index.profiles) == {"balanced", "math", "coding", "knowledge", "general"}
