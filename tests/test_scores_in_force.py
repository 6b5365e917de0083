"""One merge rule for the loaded score sheets, shared by the quality index and `--max-age`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from costcalc.catalog import load_catalog
from costcalc.errors import InputError
from costcalc.quality import quality_index
from costcalc.scores_in_force import scores_in_force
from costcalc.staleness import find_stale
from helpers import MINI

BENCH = (
    "kind: benchmarks\nbenchmarks:\n"
    "  - {id: b1, name: B1, category: code, scale: percent, items: 100, source: test}\n"
    "  - {id: b2, name: B2, category: math, scale: percent, items: 30, source: test}\n"
)


def _sheet(*rows: str, role: str = "curated", rejected: str = "") -> str:
    head = f"kind: scores\nrole: {role}\n" + (f"rejected:\n  - {rejected}\n" if rejected else "")
    return head + "scores:\n" + "".join(f"  - {r}\n" for r in rows)


def _row(model: str, bench: str, score: int, as_of: str) -> str:
    return f"{{model: {model}, benchmark: {bench}, score: {score}, metric: x, source: src, as_of: {as_of}}}"


def _folder(root: Path, name: str, **files: str) -> Path:
    folder = root / name
    folder.mkdir()
    for file, text in files.items():
        (folder / f"{file}.yaml").write_text(text)
    return folder


def test_layers_curated_feed_and_rejected(tmp_path: Path) -> None:
    """Base layer: feed alpha/b1 (70) and beta/b1 (20, rejected), curated alpha/b1 (60) and
    alpha/b2 (30); a later layer's curated alpha/b2 (35) replaces the base one."""
    base = _folder(
        tmp_path,
        "base",
        bench=BENCH,
        feed=_sheet(
            _row("alpha", "b1", 70, "2024-01-01"),
            _row("beta", "b1", 20, "2024-01-01"),
            role="feed",
        ),
        curated=_sheet(
            _row("alpha", "b1", 60, "2025-05-01"),
            _row("alpha", "b2", 30, "2024-01-01"),
            rejected="{model: beta, benchmark: b1, reason: best-of-n, source: src}",
        ),
    )
    later = _folder(tmp_path, "later", scores=_sheet(_row("alpha", "b2", 35, "2025-05-01")))
    catalog = load_catalog([MINI, base, later], include_bundled=False)
    merged = scores_in_force(catalog)
    assert merged.problems == ()
    got = {(e.score.model, e.score.benchmark): e.score.score for e in merged.entries()}
    assert got == {("alpha", "b1"): Decimal(60), ("alpha", "b2"): Decimal(35)}
    # The quality index uses the same scores.
    index = quality_index(catalog)
    assert {(m, b): e for m, bs in index.scores.items() for b, e in bs.items()} == {
        (e.score.model, e.score.benchmark): e for e in merged.entries()
    }
    # So does --max-age: the 2024 scores (feed alpha/b1, rejected beta/b1, replaced
    # alpha/b2) are none in force; both scores in force are 31 days old on 2025-06-01.
    report = find_stale(catalog, dt.date(2025, 6, 1), 30)
    assert [(i.label, i.age_days) for i in report.items if i.kind == "score"] == [
        ("alpha on b1", 31),
        ("alpha on b2", 31),
    ]
    assert report.scores_checked == 2


def test_scores_on_undefined_benchmarks_are_kept(tmp_path: Path) -> None:
    """The merge does not judge the benchmark: a score on an undefined one is in force
    (the quality index refuses it; its age can still be measured)."""
    layer = _folder(tmp_path, "l", scores=_sheet(_row("alpha", "nope", 50, "2025-01-01")))
    catalog = load_catalog([MINI, layer], include_bundled=False)
    assert [str(e.origin) for e in scores_in_force(catalog).entries()] == [f"{layer}/scores.yaml:4"]
    with pytest.raises(InputError, match="unknown benchmark 'nope'"):
        quality_index(catalog)


def test_two_curated_scores_in_a_layer_are_a_problem_for_both_users(tmp_path: Path) -> None:
    """Which of two curated scores for one pair in one layer is in force is unknown:
    a problem naming both places, raised by the quality index and by find_stale alike."""
    one = _sheet(_row("alpha", "b1", 50, "2025-01-01"))
    layer = _folder(tmp_path, "l", bench=BENCH, a=one, b=one)
    catalog = load_catalog([MINI, layer], include_bundled=False)
    (problem,) = scores_in_force(catalog).problems
    assert (problem.file, problem.line, problem.field) == (f"{layer}/b.yaml", 4, "scores[0]")
    assert f"the other is at {layer}/a.yaml:4" in problem.message
    for call in (
        lambda: quality_index(catalog),
        lambda: find_stale(catalog, dt.date(2025, 6, 1), 9),
    ):
        with pytest.raises(InputError, match="a second curated score for alpha on b1"):
            call()
