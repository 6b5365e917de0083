"""`costcalc import evals`: real lm-evaluation-harness, Inspect AI and promptfoo output (made by
the tools; see tests/fixtures/evals/README.md) becomes benchmarks and scores that rank."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from costcalc.cli import app

EVALS = Path(__file__).parent / "fixtures" / "evals"
LM_RESULTS = EVALS / "lm-eval" / "results_2026-11-30T14-27-34.085206.json"
INSPECT_EVAL = (
    EVALS / "inspect" / "2026-11-30T14-26-33-00-00_costcalc-tiny_kn8JSDmq34LyEBbvzTCppU.eval"
)
INSPECT_JSON = (
    EVALS / "inspect" / "2026-11-30T14-26-35-00-00_costcalc-tiny_BGTSF3bg2xJC7Cod5UxGdS.json"
)
PROMPTFOO = EVALS / "promptfoo" / "results.json"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def import_evals(out: Path, *args: str) -> tuple[int, str]:
    code, _, err = invoke("import", "evals", *args, "--output", str(out))
    return code, err


def ranked(out: Path, bench: str, *extra: str) -> dict[str, Any]:
    code, stdout, err = invoke(
        "compare",
        "--pricing",
        str(out),
        "--weights",
        f"{bench}=1",
        "--quality-method",
        "mean",
        "--format",
        "json",
        *extra,
    )
    assert code == 0, err
    data: dict[str, Any] = json.loads(stdout)
    return data


def by_model(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The first (cheapest) row of each model."""
    rows: dict[str, dict[str, Any]] = {}
    for row in data["models"]:
        rows.setdefault(row["model"], row)
    return rows


def test_lm_eval_imports_and_ranks(tmp_path: Path) -> None:
    """lm-eval's dummy model: acc 0.2 on 10 items; mapped to a catalog id it ranks with 20.0,
    standard error 100 x sqrt(0.2 x 0.8 / 10) = 100 x sqrt(0.016) = 12.65 points."""
    code, err = import_evals(tmp_path, str(LM_RESULTS), "--model", "dummy=gpt-4o")
    assert code == 0, err
    assert "eval/lm-eval/costcalc_tiny" in err
    scores = (tmp_path / "scores.yaml").read_text()
    assert 'model: "gpt-4o"' in scores and "score: 20" in scores and 'metric: "acc,none"' in scores
    assert "items: 10" in (tmp_path / "benchmarks.yaml").read_text()
    items = (tmp_path / "items" / "eval_lm-eval_costcalc_tiny.jsonl").read_text().splitlines()
    assert len(items) == 11  # header + 10 doc_ids, from samples_costcalc_tiny_*.jsonl
    # doc_ids 2 and 7 were answered right (acc 1.0 in the samples log): 2 of 10 = 0.2
    right = [json.loads(line)["item"] for line in items[1:] if json.loads(line)["scores"]["gpt-4o"]]
    assert right == ["2", "7"]
    row = by_model(ranked(tmp_path, "eval/lm-eval/costcalc_tiny"))["gpt-4o"]
    assert row["quality"] == 20.0
    assert row["quality_stderr"] == pytest.approx(12.65, abs=0.01)
    assert row["good_enough_test"] == "band"


def test_inspect_eval_and_json_logs_pair_up(tmp_path: Path) -> None:
    """The .eval (zstd zip) and the .json log of two mock models on the same 10 samples:
    0.7 and 0.5; the paired test against the best decides for the other.

    Items right only for model-b: 2 (samples 7, 10); only for model: 4 (3, 5, 8, 9).
    Bar = 90% of 70 = 63, margin 7 points: d0 = -0.07, n = 10, b = 2, c = 4
    B = -6 + 22 x (-0.07) = -7.54; C = -4 x (-0.07) x 1.07 = 0.2996
    q = (sqrt(56.8516 - 23.968) + 7.54) / 40 = (5.734422 + 7.54) / 40 = 0.331861
    z = (2 - 4 + 0.7) / sqrt(10 x (0.663721 - 0.0749)) = -1.3 / 2.426563 = -0.5357
    """
    code, err = import_evals(
        tmp_path,
        str(INSPECT_EVAL),
        str(INSPECT_JSON),
        "--model",
        "mockllm/model=deepseek-r1",
        "--model",
        "mockllm/model-b=gpt-4o-mini",
    )
    assert code == 0, err
    assert "mockllm/model -> deepseek-r1" in err
    data = ranked(tmp_path, "eval/inspect/costcalc_tiny")
    rows = by_model(data)
    assert rows["deepseek-r1"]["quality"] == 70.0
    assert rows["gpt-4o-mini"]["quality"] == 50.0
    assert rows["deepseek-r1"]["good_enough_test"] == "reference"
    mini = rows["gpt-4o-mini"]
    assert mini["good_enough_test"] == "paired"
    assert mini["good_enough"] is False  # its band (50 +- 31) reaches 63; the paired test does not
    test = mini["paired_test"]
    assert (test["items"], test["model_only_right"], test["reference_only_right"]) == (10, 2, 4)
    assert test["margin_points"] == pytest.approx(7.0)
    assert test["z"] == pytest.approx(-0.5357, abs=1e-4)
    assert test["reference"] == "deepseek-r1"


def test_promptfoo_imports_and_the_table_says_which_test_decided(tmp_path: Path) -> None:
    """echo 8/10, shout 7/10 on the same tests; --good-enough 0.5 puts the margin at 40 points.

    b = 2 (tests 5, 7: shout right, echo wrong), c = 3 (tests 0, 2, 9), d0 = -0.4
    B = -5 + 21 x (-0.4) = -13.4; C = -3 x (-0.4) x 1.4 = 1.68
    q = (sqrt(179.56 - 134.4) + 13.4) / 40 = (6.720119 + 13.4) / 40 = 0.503003
    z = (2 - 3 + 4) / sqrt(10 x (1.006006 - 0.56)) = 3 / 2.111884 = 1.4205 <= 1.96
    """
    code, err = import_evals(
        tmp_path, str(PROMPTFOO), "--model", "echo=gpt-4o", "--model", "shout=gemini-2.5-flash"
    )
    assert code == 0, err
    data = ranked(tmp_path, "eval/promptfoo/costcalc-tiny", "--good-enough", "0.5")
    rows = by_model(data)
    assert rows["gpt-4o"]["quality"] == 80.0 and rows["gemini-2.5-flash"]["quality"] == 70.0
    assert rows["gemini-2.5-flash"]["paired_test"]["z"] == pytest.approx(1.4205, abs=1e-4)
    assert rows["gemini-2.5-flash"]["good_enough"] is False
    code, table, _ = invoke(
        "compare",
        "--pricing",
        str(tmp_path),
        "--weights",
        "eval/promptfoo/costcalc-tiny=1",
        "--quality-method",
        "mean",
        "--good-enough",
        "0.5",
    )
    assert code == 0
    assert "paired non-inferiority test" in table
    assert "gemini-2.5-flash: 2 items right where gpt-4o was wrong, 3 the reverse" in table


def test_unmatched_models_are_kept_and_reported(tmp_path: Path) -> None:
    """Without a map, echo and shout match no catalog model: they keep their names, get a
    models.yaml entry (vendor unknown), and the folder still validates."""
    code, err = import_evals(tmp_path, str(PROMPTFOO))
    assert code == 0, err
    assert "2 models matched no catalog id" in err and "echo, shout" in err
    assert 'id: "echo"' in (tmp_path / "models.yaml").read_text()
    assert invoke("validate", "--pricing", str(tmp_path))[0] == 0
    code, _, err = invoke(
        "compare", "--pricing", str(tmp_path), "--weights", "eval/promptfoo/costcalc-tiny=1"
    )
    assert code == 0, err


def test_provider_prefixed_names_resolve() -> None:
    """openai/gpt-4o and openai:gpt-4o resolve by their model part; unknown names do not."""
    from costcalc.evals.sheet import resolve

    known = {"gpt-4o": "gpt-4o"}
    assert resolve("openai/gpt-4o", known.get, {}) == "gpt-4o"
    assert resolve("openai:gpt-4o", known.get, {}) == "gpt-4o"
    assert resolve("hf/org/gpt-4o", known.get, {}) == "gpt-4o"
    assert resolve("mockllm/model", known.get, {}) is None
    assert resolve("mockllm/model", known.get, {"mockllm/model": "x"}) == "x"


def test_reimport_replaces_and_hand_files_are_kept(tmp_path: Path) -> None:
    """A second import replaces its own files; a hand-written sheet needs --force."""
    assert import_evals(tmp_path, str(PROMPTFOO))[0] == 0
    assert import_evals(tmp_path, str(PROMPTFOO))[0] == 0
    (tmp_path / "scores.yaml").write_text("kind: scores\n")
    code, err = import_evals(tmp_path, str(PROMPTFOO))
    assert code == 2 and "scores.yaml" in err and "--force" in err
    assert import_evals(tmp_path, str(PROMPTFOO), "--force")[0] == 0


def test_same_model_twice_on_a_task_is_refused(tmp_path: Path) -> None:
    """Two files scoring the same model on the same task: exit 2 naming the other file."""
    code, err = import_evals(tmp_path / "out", str(PROMPTFOO), str(PROMPTFOO))
    assert code == 2
    assert "results.json" in err and "import one of them" in err


# ------------------------------------------------------------------ hostile input


def test_truncated_json_names_file_and_line(tmp_path: Path) -> None:
    """Half of a real promptfoo file: exit 2 with the file and the line of the error."""
    bad = tmp_path / "results.json"
    text = PROMPTFOO.read_text()
    bad.write_text(text[: len(text) // 2])
    code, err = import_evals(tmp_path / "out", str(bad))
    assert code == 2
    assert "results.json:" in err and "invalid JSON" in err  # file:line


@pytest.mark.parametrize(
    ("source", "edit", "field"),
    [
        (PROMPTFOO, lambda d: d["results"]["results"][3].update(success="yes"), "success"),
        (PROMPTFOO, lambda d: d["results"]["results"][0].update(testIdx=None), "testIdx"),
        (LM_RESULTS, lambda d: d["n-samples"]["costcalc_tiny"].update(effective="10"), "effective"),
        (LM_RESULTS, lambda d: d["results"]["costcalc_tiny"].update({"acc,none": 7}), "acc,none"),
        (INSPECT_JSON, lambda d: d["eval"].update(model=42), "eval.model"),
        (INSPECT_JSON, lambda d: d["results"].update(scores={}), "results.scores"),
    ],
)
def test_wrong_types_exit_2_naming_the_field(
    tmp_path: Path, source: Path, edit: Any, field: str
) -> None:
    """A real file with one field of the wrong type: exit 2 naming the file and the field."""
    data = json.loads(source.read_text())
    edit(data)
    bad = tmp_path / source.name
    bad.write_text(json.dumps(data))
    code, err = import_evals(tmp_path / "out", str(bad))
    assert code == 2, err
    assert source.name in err.replace("\n", "") and field in err


def _eval_with_header(path: Path, header: bytes) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("header.json", header)


def test_zip_bomb_member_stops_at_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inflating is counted while it happens: a member that passes the declared-size check but
    inflates past what is left of the total budget (patched to 1 MB for speed) is refused at
    the limit, exit 2 naming the member."""
    import costcalc.evals.read as read

    monkeypatch.setattr(read, "MAX_ZIP_TOTAL_BYTES", 1 << 20)
    bomb = tmp_path / "bomb.eval"
    _eval_with_header(bomb, b" " * (3 << 20))
    with zipfile.ZipFile(bomb) as zf:  # a few kB on disk for 3 MB inflated
        assert zf.infolist()[0].compress_size < 20_000
    code, err = import_evals(tmp_path / "out", str(bomb))
    assert code == 2
    flat = err.replace("\n", "")
    assert "bomb.eval:header.json" in flat and "expands past 1,048,576 bytes" in flat


def test_oversized_member_is_refused_before_reading(tmp_path: Path) -> None:
    """A member declaring more than 64 MB uncompressed: exit 2 without inflating it."""
    big = tmp_path / "big.eval"
    _eval_with_header(big, b"0" * (65 * 1024 * 1024))
    code, err = import_evals(tmp_path / "out", str(big))
    assert code == 2
    assert "big.eval:header.json" in err.replace("\n", "") and "limit" in err


def test_corrupt_zstd_member(tmp_path: Path) -> None:
    """The real .eval with a damaged zstd member: exit 2 naming the member, no traceback."""
    raw = bytearray(INSPECT_EVAL.read_bytes())
    with zipfile.ZipFile(INSPECT_EVAL) as zf:
        info = zf.getinfo("header.json")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 8
    for i in range(start, start + 64):
        raw[i] ^= 0x5A
    bad = tmp_path / "bad.eval"
    bad.write_bytes(bytes(raw))
    code, err = import_evals(tmp_path / "out", str(bad))
    assert code == 2
    assert "header.json" in err and "Traceback" not in err


def test_not_an_eval_file(tmp_path: Path) -> None:
    """JSON from none of the three tools: exit 2 saying what was expected."""
    other = tmp_path / "x.json"
    other.write_text('{"hello": 1}')
    code, err = import_evals(tmp_path / "out", str(other))
    assert code == 2 and "not a recognised eval output" in err


def test_bad_model_map(tmp_path: Path) -> None:
    """--model needs NAME=ID with a known catalog id."""
    assert import_evals(tmp_path, str(PROMPTFOO), "--model", "echo")[0] == 2
    code, err = import_evals(tmp_path, str(PROMPTFOO), "--model", "echo=no-such-model")
    assert code == 2 and "no-such-model" in err


def test_lm_eval_without_samples_has_no_items(tmp_path: Path) -> None:
    """The results file alone (no --log_samples output beside it): scores, no per-item file."""
    shutil.copy(LM_RESULTS, tmp_path / LM_RESULTS.name)
    code, err = import_evals(tmp_path / "out", str(tmp_path / LM_RESULTS.name))
    assert code == 0, err
    assert not (tmp_path / "out" / "items").exists()
    assert "per-item results for 0" in err


def test_items_folder_linked_out_is_refused(tmp_path: Path) -> None:
    """An items/ folder that is a symbolic link out of --output: exit 2, nothing written there."""
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "items").symlink_to(elsewhere)
    code, err = import_evals(out, str(PROMPTFOO))
    assert code == 2 and "symbolic link" in err
    assert list(elsewhere.iterdir()) == []
