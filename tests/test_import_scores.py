"""`costcalc import scores llm-stats`: mapping, windows, dates, summary, refresh byte for byte."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costcalc.catalog import load_catalog
from costcalc.cli import app
from costcalc.identity import Identity
from costcalc.importers.scores import llm_stats
from costcalc.importers.scores.common import BenchmarkRule, FeedScore, build_sheet
from costcalc.quality import quality_index
from costcalc.schema.quality import parse_window
from costcalc.yamlio import load_yaml
from helpers import REPO

FIXTURE = "tests/fixtures/llm-stats"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _import(tmp_path: Path, *extra: str) -> tuple[int, str, Path]:
    out = tmp_path / "scores.yaml"
    code, _, err = invoke("import", "scores", "llm-stats", FIXTURE, "--output", str(out), *extra)
    return code, err, out


def _scores(path: Path) -> dict[tuple[str, str], dict[str, object]]:
    data = load_yaml(path)
    return {(s["model"], s["benchmark"]): s for s in data["scores"]}


def test_fixture_import_counts_and_summary(tmp_path: Path) -> None:
    """110 rows in the six-model fixture: 35 mapped (deepseek-r1-0528 10, qwen3-235b-a22b 7,
    gpt-4o 9, claude-3.7-sonnet 6, gemini-2.0-flash 3), 69 on benchmarks costcalc does not map,
    4 of jamba-1.5-mini (not in the catalog) on mapped benchmarks, 2 LiveCodeBench rows whose
    window is missing (Qwen3 'v5') or has no benchmark (Gemini 2.0 Flash, 2024-06 to 2024-10)."""
    code, err, out = _import(tmp_path)
    assert code == 0, err
    assert "imported 35 scores of 5 models on" in err
    assert "from 110 llm-stats rows" in err
    assert "69 rows left out, benchmark not mapped" in err
    assert "4 rows left out, model not in the catalog (1 distinct): jamba-1.5-mini" in err
    assert (
        "livecodebench: no problem window in the source text (1 distinct): qwen3-235b-a22b" in err
    )
    assert (
        "no costcalc benchmark for its window (1 distinct): gemini-2.0-flash 2024-06 to 2024-10"
        in err
    )
    assert len(err.splitlines()) <= 8  # a short summary, not a line per row
    assert len(_scores(out)) == 35


def test_scores_are_mapped_dated_and_attributed(tmp_path: Path) -> None:
    """deepseek-r1-0528 LiveCodeBench 0.733 -> 73.3 on livecodebench-2408-2505 (method text
    'Pass@1, 2408-2505'), dated 2025-05-28 (the model's announcement_date); gpt-4o-2024-08-06 is
    filed under the bundled alias owner gpt-4o with its snapshot as `version`; GPQA 0.701 -> 70.1
    on gpqa-diamond. The sheet carries the CC BY 4.0 attribution and role: feed."""
    code, err, out = _import(tmp_path)
    assert code == 0, err
    scores = _scores(out)
    lcb = scores[("deepseek-r1-0528", "livecodebench-2408-2505")]
    assert lcb["score"] == Decimal("73.3")
    assert lcb["window"] == "2024-08 to 2025-05"
    assert str(lcb["as_of"]) == "2025-05-28"
    assert "announcement_date" in str(lcb["as_of_basis"])
    assert lcb["self_reported"] is True
    assert lcb["source"] == "https://huggingface.co/deepseek-ai/DeepSeek-V3.1"
    assert lcb["via"] == "llm-stats"
    gpqa = scores[("gpt-4o", "gpqa-diamond")]
    assert gpqa["score"] == Decimal("70.1") and gpqa["version"] == "gpt-4o-2024-08-06"
    sheet = load_yaml(out)
    assert sheet["role"] == "feed"
    assert "CC BY 4.0" in sheet["attribution"]["license"]
    text = out.read_text()
    assert "# Data: LLM-Stats data" in text and "# Changes:" in text


def test_written_sheet_validates_and_curated_scores_win(tmp_path: Path) -> None:
    """The imported sheet passes `validate` layered over the bundled sheets."""
    code, err, _ = _import(tmp_path)
    assert code == 0, err
    code, _, err = invoke("validate", str(tmp_path))
    assert code == 0, err


def test_reimport_and_hand_edits(tmp_path: Path) -> None:
    """A re-import replaces its untouched sheet; a hand-edited one needs --force (exit 2)."""
    code, err, out = _import(tmp_path)
    assert code == 0, err
    assert _import(tmp_path)[0] == 0
    out.write_text(out.read_text().replace("score: 73.3", "score: 99"))
    code, err, _ = _import(tmp_path)
    assert code == 2 and "edited since it was generated; use --force" in err
    assert _import(tmp_path, "--force")[0] == 0
    assert "score: 73.3" in out.read_text()


def test_bad_input_is_exit_2(tmp_path: Path) -> None:
    """Not a data tree, a non-YAML output and broken JSON each end with exit 2 and a message."""
    code, _, err = invoke(
        "import", "scores", "llm-stats", str(tmp_path), "-o", str(tmp_path / "s.yaml")
    )
    assert code == 2 and "not an llm-stats data tree" in err
    code, _, err = invoke("import", "scores", "llm-stats", FIXTURE, "-o", str(tmp_path / "s.txt"))
    assert code == 2 and "--output must name a .yaml file" in err
    bad = tmp_path / "tree/data/organizations/x/models/y"
    bad.mkdir(parents=True)
    (bad / "model.json").write_text("{}")
    (bad / "benchmarks.json").write_text("[{")
    code, _, err = invoke(
        "import", "scores", "llm-stats", str(tmp_path / "tree"), "-o", str(tmp_path / "s.yaml")
    )
    assert code == 2 and "benchmarks.json" in err and "invalid JSON" in err


def test_symlinks_are_not_followed(tmp_path: Path) -> None:
    """A model folder that is a symbolic link (here to the fixture's DeepSeek folder) is not read."""
    tree = tmp_path / "tree/data/organizations/x/models"
    tree.mkdir(parents=True)
    target = REPO / FIXTURE / "data/organizations/deepseek/models/deepseek-r1-0528"
    os.symlink(target, tree / "linked")
    code, _, err = invoke(
        "import", "scores", "llm-stats", str(tmp_path / "tree"), "-o", str(tmp_path / "s.yaml")
    )
    assert code == 2 and "nothing to import" in err


def test_windows_are_read_the_usual_ways() -> None:
    """Month windows, day windows with an exclusive first-of-month end, US dates, YYMM-YYMM."""
    assert parse_window("2024-08-01 to 2025-02-01") == ((2024, 8), (2025, 1))
    assert parse_window("8/1/24–2/1/25") == ((2024, 8), (2025, 1))
    assert parse_window("Pass@1, 2408-2505") == ((2024, 8), (2025, 5))
    assert parse_window("v6 (Aug 24-May 25)") == ((2024, 8), (2025, 5))
    assert parse_window("LiveCodeBench v5 (2024.10-2025.02)") == ((2024, 10), (2025, 2))
    assert parse_window("v5") is None
    assert parse_window("2025-05 to 2024-08") is None  # backwards: not a window


def test_second_row_for_a_pair_becomes_an_alternative() -> None:
    """Two feed rows for one model and benchmark: the first is kept, the second is recorded."""
    catalog = load_catalog([])
    rows = [
        FeedScore(
            "a#0", "o3-2025-04-16", "x", Decimal("80"), "pass@1", "https://a", None, None, True
        ),
        FeedScore("a#1", "o3", "x", Decimal("81"), "pass@1", "https://b", None, None, True),
    ]
    result = build_sheet(
        rows,
        feed="test",
        rules={"x": BenchmarkRule("aime-2024")},
        identity=Identity.from_catalog(catalog),
        benchmarks=quality_index(catalog).benchmarks,
    )
    assert [s["score"] for s in result.scores] == [Decimal("80")]
    assert result.scores[0]["alternatives"][0]["score"] == Decimal("81")
    assert result.alternatives == 1


def test_bundled_feed_sheet_regenerates_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documented refresh command, run on the vendored snapshot, rewrites
    pricing/scores-llm-stats.yaml exactly (run from a copy of the layout, so the repository's
    file is not touched)."""
    (tmp_path / "pricing").mkdir()
    (tmp_path / "data").symlink_to(REPO / "data")
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke(
        "import",
        "scores",
        "llm-stats",
        "data/feeds/llm-stats",
        "--output",
        "pricing/scores-llm-stats.yaml",
    )
    assert code == 0, err
    fresh = (tmp_path / "pricing/scores-llm-stats.yaml").read_bytes()
    assert fresh == (REPO / "pricing/scores-llm-stats.yaml").read_bytes(), (
        "pricing/scores-llm-stats.yaml is out of date: run `costcalc import scores llm-stats"
        " data/feeds/llm-stats --output pricing/scores-llm-stats.yaml` and review the diff"
    )


def test_feed_attribution_is_shipped() -> None:
    """The vendored snapshot and the test fixture sit next to the CC BY 4.0 licence and say
    what was copied; pricing/SOURCES.md credits the feed."""
    for folder in ("data/feeds/llm-stats", FIXTURE):
        assert (REPO / folder / "LICENSE.md").is_file()
        assert "CC BY 4.0" in (REPO / folder / "SOURCES.md").read_text()
    assert "llm-stats" in (REPO / "pricing/SOURCES.md").read_text()
    assert llm_stats.ATTRIBUTION["license"].startswith("CC BY 4.0")
