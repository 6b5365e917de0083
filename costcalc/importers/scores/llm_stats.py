"""llm-stats (JonathanChavezTamales/llm-leaderboard, CC BY 4.0) -> a `kind: scores` sheet.

The data tree holds one folder per model,
`data/organizations/<org>/models/<model>/{model.json,benchmarks.json}`.
`benchmarks.json` lists the model's scores as fractions of `max_score` (1.0),
each with `analysis_method`, `is_self_reported` and `self_reported_source_link`;
`model.json` gives the model's `announcement_date` and `release_date`.

Dates: llm-stats gives no publication day per score. Its `created_at` is the day
a record was entered (2025-07-19, the database's migration, for 1,864 of the
2,224 scores of the 2025-10-16 snapshot), so a score's `as_of` is the model's
`announcement_date` (else `release_date`): the day the vendor published the
model and, usually, its scores; `as_of_basis` says which. A score taken from a
later document (a successor's model card comparing with it) was published
later than that; the source link names the document. Only when a model has
neither date is `created_at` used, and `as_of_basis` says so.

Scores are fractions: 0.733 becomes 73.3 exactly (a shift of the decimal point
of the decimal read from the JSON text).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from costcalc.errors import InputError
from costcalc.importers.scores.common import (
    BenchmarkRule,
    FeedScore,
    ScoreImport,
    Unmapped,
    build_sheet,
)

FEED = "llm-stats"
ATTRIBUTION = {
    "name": "LLM-Stats data (JonathanChavezTamales/llm-leaderboard, the data behind llm-stats.com)",
    "url": "https://github.com/JonathanChavezTamales/llm-leaderboard",
    "license": "CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)",
    "changes": (
        "Scores of models costcalc knows, on benchmarks it defines, selected and renamed to"
        " costcalc's model and benchmark ids; fractions written as percentages; LiveCodeBench"
        " scores filed by the problem window read from the method text, others left out;"
        " dated by the model's announcement date."
    ),
}
MAX_FILES = 20_000
"""Most files read from a data tree (the 2025-10 snapshot has 334 model files)."""
MAX_FILE_BYTES = 8 * 1024 * 1024

_LCB = BenchmarkRule(
    family="livecodebench-",
    note="llm-stats files every LiveCodeBench window under one id; the window is the one its"
    " method text states.",
)
_GPQA_NOTE = (
    "llm-stats files GPQA Diamond under `gpqa` (vendors' GPQA figures since 2024 are the"
    " 198-question Diamond set)."
)

RULES: dict[str, BenchmarkRule] = {
    "aime-2024": BenchmarkRule("aime-2024"),
    "aime-2025": BenchmarkRule("aime-2025"),
    "gpqa": BenchmarkRule("gpqa-diamond", note=_GPQA_NOTE),
    "math-500": BenchmarkRule("math-500"),
    "math": BenchmarkRule("math"),
    "mmlu-pro": BenchmarkRule("mmlu-pro"),
    "mmlu": BenchmarkRule("mmlu"),
    "swe-bench-verified": BenchmarkRule("swe-bench-verified"),
    "ifeval": BenchmarkRule("ifeval"),
    "humaneval": BenchmarkRule("humaneval"),
    "aider-polyglot": BenchmarkRule("aider-polyglot"),
    "arena-hard": BenchmarkRule("arena-hard"),
    "arena-hard-v2": BenchmarkRule("arena-hard-v2"),
    "hmmt-2025": BenchmarkRule("hmmt-2025"),
    "humanity's-last-exam": BenchmarkRule("humanitys-last-exam"),
    "simpleqa": BenchmarkRule("simpleqa"),
    "livecodebench": _LCB,
    "livecodebench-v5": _LCB,
    "livecodebench-v6": _LCB,
    "livecodebench-v5-24.12-25.2": _LCB,
    "livecodebench(01-09)": _LCB,
}
"""llm-stats benchmark id -> costcalc's. Others (aider-polyglot-edit: another metric; hmmt25:
both HMMT 2025 tournaments; codeforces: ratings on unstated contest sets) stay unmapped."""


def read(root: Path) -> list[tuple[str, Any, Any]]:
    """(folder, model.json, benchmarks.json) of every model of a data tree, in path order.

    `root` is the repository (holding `data/`) or its `data/` folder. Files are
    read with exact decimals and size limits; a symbolic link is never followed.
    """
    from costcalc.importers.read import read_json

    data = root / "data" if (root / "data" / "organizations").is_dir() else root
    orgs = data / "organizations"
    if not orgs.is_dir() or orgs.is_symlink():
        raise InputError(
            "not an llm-stats data tree: expected data/organizations/<org>/models/<model>/",
            file=str(root),
        )
    found: list[tuple[str, Any, Any]] = []
    for folder in _model_folders(orgs):
        files = [folder / "model.json", folder / "benchmarks.json"]
        if any(f.is_symlink() or not f.is_file() for f in files):
            continue
        if len(found) * 2 >= MAX_FILES:
            raise InputError(
                f"more than {MAX_FILES:,} files; is this an llm-stats tree?", file=str(root)
            )
        name = folder.relative_to(data).as_posix()
        found.append(
            (name, read_json(files[0], MAX_FILE_BYTES), read_json(files[1], MAX_FILE_BYTES))
        )
    return found


def _model_folders(orgs: Path) -> Iterator[Path]:
    for org in sorted(orgs.iterdir()):
        models = org / "models"
        if org.is_symlink() or models.is_symlink() or not models.is_dir():
            continue
        for model in sorted(models.iterdir()):
            if model.is_dir() and not model.is_symlink():
                yield model


def _day(value: Any) -> dt.date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def rows(tree: list[tuple[str, Any, Any]]) -> Iterator[FeedScore | Unmapped]:
    """Every score of a read tree as a FeedScore; a malformed record as Unmapped, with why."""
    for folder, model, scores in tree:
        if not isinstance(model, dict) or not isinstance(scores, list):
            continue
        announced = _day(model.get("announcement_date"))
        released = _day(model.get("release_date"))
        for i, raw in enumerate(scores):
            key = f"{folder}/benchmarks.json#{i}"
            row = _row(key, model, raw, announced, released)
            yield (
                row if row is not None else Unmapped(key, key, "malformed record or score not 0-1")
            )


def _row(
    key: str, model: dict[str, Any], raw: Any, announced: dt.date | None, released: dt.date | None
) -> FeedScore | None:
    if not isinstance(raw, dict):
        return None
    model_id, bench = (
        _text(raw.get("model_id") or model.get("model_id")),
        _text(raw.get("benchmark_id")),
    )
    value = raw.get("score")
    if (
        not model_id
        or not bench
        or isinstance(value, bool)
        or not isinstance(value, (int, Decimal))
    ):
        return None
    value = Decimal(value)
    if not value.is_finite() or not 0 <= value <= 1:
        return None
    as_of: dt.date | None
    if announced is not None:
        as_of, basis = announced, "llm-stats announcement_date of the model (no per-score date)"
    elif released is not None:
        as_of, basis = released, "llm-stats release_date of the model (no per-score date)"
    else:
        as_of = _day(raw.get("created_at"))
        basis = (
            "llm-stats created_at: the day the aggregator recorded the score, not its publication"
        )
    method = _text(raw.get("analysis_method"))
    notes = _text(raw.get("verification_notes"))
    source = _text(raw.get("self_reported_source_link")) or "llm-stats (no source link given)"
    self_reported = raw.get("is_self_reported")
    return FeedScore(
        key=key,
        model=model_id,
        benchmark=bench,
        score=_percent(value),
        metric=(method or "not stated by llm-stats")[:4000],
        source=source[:2000] if len(source) >= 3 else "llm-stats",
        as_of=as_of,
        as_of_basis=basis,
        self_reported=self_reported if isinstance(self_reported, bool) else None,
        text=f"{method} {notes} {bench}",
        note=f"llm-stats note: {notes}"[:4000] if notes else None,
    )


def _percent(fraction: Decimal) -> Decimal:
    value = fraction.scaleb(2).normalize()
    exponent = value.as_tuple().exponent
    return value.quantize(Decimal(1)) if isinstance(exponent, int) and exponent > 0 else value


def convert(root: Path, identity: Any, benchmarks: Any, released: Any = None) -> ScoreImport:
    """Read an llm-stats data tree and map it onto a catalog's models and benchmarks."""
    return build_sheet(
        rows(read(root)),
        feed=FEED,
        rules=RULES,
        identity=identity,
        benchmarks=benchmarks,
        released=released,
    )
