"""Thin evidence under the latent method: wide bands, coverage exposed, and no best-quality anchor.

A synthetic catalog (test data, not facts) is written from known capabilities:
six benchmarks b0..b5 of 500 items with difficulties -1.5, -0.9, -0.3, 0.3, 0.9,
1.5 and discrimination 1; twelve filler models with theta -1.5 .. 1.25 and a
model `solid` (theta 1.5) report every benchmark, with a fixed harness shift of
-0.3, 0 or +0.3 on the logit (by (model + benchmark) mod 3) so the fit sees some
misfit; `thin` reports only the hardest benchmark, b5, at logistic(1.9 - 1.5) =
59.87% (solid has 50%). The scale therefore predicts thin above solid everywhere,
on one sixth of the evidence.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path

import pytest

from costcalc import latent
from costcalc.catalog import load_catalog
from costcalc.compare import CompareOptions, compare
from costcalc.cost import Usage
from costcalc.quality import Quality

D = Decimal
DIFFICULTY = (-1.5, -0.9, -0.3, 0.3, 0.9, 1.5)
FILLERS = tuple(-1.5 + 0.25 * i for i in range(12))


def _score(theta: float, j: int, shift: float) -> float:
    return round(100 / (1 + math.exp(-(theta - DIFFICULTY[j] + shift))), 2)


def _catalog(folder: Path) -> Path:
    models = [(f"f{i:02d}", t) for i, t in enumerate(FILLERS)] + [("solid", 1.5)]
    (folder / "benchmarks.yaml").write_text(
        "kind: benchmarks\nbenchmarks:\n"
        + "".join(
            f"  - {{id: b{j}, name: B{j}, category: math, scale: percent, items: 500,"
            f" source: synthetic}}\n"
            for j in range(6)
        ),
        encoding="utf-8",
    )
    (folder / "profiles.yaml").write_text(
        "kind: profiles\nprofiles:\n  - {id: even, name: Even, weights: {"
        + ", ".join(f"b{j}: 1" for j in range(6))
        + "}}\n",
        encoding="utf-8",
    )
    names = [m for m, _ in models] + ["thin"]
    (folder / "models.yaml").write_text(
        "kind: models\nmodels:\n"
        + "".join(
            f"  - {{id: {m}, name: {m}, vendor: Synthetic, open_weights: true, license: mit}}\n"
            for m in names
        ),
        encoding="utf-8",
    )
    rows = []
    for i, (m, t) in enumerate(models):
        for j in range(6):
            shift = (-0.3, 0.0, 0.3)[(i + j) % 3]
            rows.append(
                f"  - {{model: {m}, benchmark: b{j}, score: {_score(t, j, shift)},"
                " metric: pass@1, source: synthetic}\n"
            )
    rows.append(
        "  - {model: thin, benchmark: b5, score: 59.87, metric: pass@1, source: synthetic}\n"
    )
    (folder / "scores.yaml").write_text("kind: scores\nscores:\n" + "".join(rows), encoding="utf-8")
    prices = {m: 1 for m in names} | {"solid": 10, "thin": 5}
    (folder / "lab.yaml").write_text(
        "kind: price-sheet\n"
        "provider: {id: lab, name: Lab, country: US, currency: USD,"
        ' pricing_url: "https://example.com/lab"}\n'
        "offers:\n"
        + "".join(
            f"  - model: {m}\n    prices: [{{as_of: 2025-01-01, source: synthetic,"
            f" input: {p}, output: {p}}}]\n"
            for m, p in prices.items()
        ),
        encoding="utf-8",
    )
    return folder


@pytest.fixture(autouse=True)
def _fresh_memo() -> None:
    latent.clear_memo()


def _options(method: str) -> CompareOptions:
    return CompareOptions(
        usage=Usage(D(1_000_000), D(0)),
        when=dt.date(2025, 6, 1),
        currency="USD",
        profile="even",
        quality_method=method,
        min_coverage=D(0),
    )


def _by_model(ranking) -> dict[str, Quality]:  # type: ignore[no-untyped-def]
    return {r.model: r.quality for r in ranking.rows}


def test_thin_model_is_predicted_high_but_does_not_anchor_the_bar(tmp_path: Path) -> None:
    """thin's point quality is the highest (predicted from one score), but its band is wider
    than solid's and its coverage 1/6, so the best-quality anchor (the band's bottom) is solid:
    the bar is 90% of solid's quality, not of thin's."""
    catalog = load_catalog([_catalog(tmp_path)], include_bundled=False)
    ranking = compare(catalog, _options("latent"))
    q = _by_model(ranking)
    thin, solid = q["thin"], q["solid"]
    assert thin.value == max(x.value for x in q.values())  # a point ranking would pick thin
    assert thin.coverage == D(1) / D(6)
    assert solid.coverage == 1
    assert thin.band_width > 2 * solid.band_width
    assert [p.status for p in thin.parts].count("predicted") == 5
    assert thin.anchor == thin.low < solid.low == solid.anchor
    assert ranking.best is not None and ranking.best.model == "solid"
    assert ranking.best_quality == solid.value
    assert ranking.bar == solid.value * D("0.9")


def test_mean_method_anchor_is_the_point_value(tmp_path: Path) -> None:
    """Under the mean method (observed scores only) the anchor stays the point quality: thin's
    one observed score, 59.87, is below solid's mean, so solid is best on its value."""
    catalog = load_catalog([_catalog(tmp_path)], include_bundled=False)
    ranking = compare(catalog, _options("mean"))
    q = _by_model(ranking)
    assert q["thin"].value == D("59.87")
    assert q["solid"].anchor == q["solid"].value
    assert ranking.best is not None and ranking.best.model == "solid"


def test_band_widens_as_evidence_thins(tmp_path: Path) -> None:
    """The same model known by fewer scores gets a wider band: solid with all six scores,
    then with b0..b2 hidden (as `half`), then with only b5 (as thin is)."""
    folder = _catalog(tmp_path)
    extra = []
    for j in range(3, 6):
        shift = (-0.3, 0.0, 0.3)[(12 + j) % 3]
        extra.append(
            f"  - {{model: half, benchmark: b{j}, score: {_score(1.5, j, shift)},"
            " metric: pass@1, source: synthetic}\n"
        )
    with (folder / "scores.yaml").open("a", encoding="utf-8") as fh:
        fh.write("".join(extra))
    with (folder / "models.yaml").open("a", encoding="utf-8") as fh:
        fh.write(
            "  - {id: half, name: half, vendor: Synthetic, open_weights: true, license: mit}\n"
        )
    with (folder / "lab.yaml").open("a", encoding="utf-8") as fh:
        fh.write(
            "  - model: half\n    prices: [{as_of: 2025-01-01, source: synthetic,"
            " input: 2, output: 2}]\n"
        )
    q = _by_model(compare(load_catalog([folder], include_bundled=False), _options("latent")))
    assert q["solid"].coverage > q["half"].coverage > q["thin"].coverage
    assert q["solid"].band_width < q["half"].band_width < q["thin"].band_width
