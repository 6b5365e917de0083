"""Hostile feed values: refused cheaply, one row skipped with its key, never the whole import.

Issue #13.8. Each feed holds one good row (`ok`) and one hostile row (`bad`): the
import exits 0, writes the good row, and reports the bad row by its feed key.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.files import MAX_BYTES

GOOD_LITELLM = {"litellm_provider": "openai", "input_cost_per_token": 1e-06}
HUGE = "1e100000000"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def litellm_feed(bad: str) -> str:
    """A LiteLLM map with a good row and a bad one, whose fields are written as raw JSON."""
    return (
        '{"ok": {"litellm_provider": "openai", "input_cost_per_token": 1e-06,'
        ' "output_cost_per_token": 2e-06},\n'
        ' "bad": {"litellm_provider": "openai", "input_cost_per_token": 1e-06,'
        f' "output_cost_per_token": 2e-06, {bad}}}}}\n'
    )


def run_import(tmp_path: Path, feed: str, name: str, text: str) -> tuple[int, str, float]:
    source = tmp_path / name
    source.write_text(text)
    out = tmp_path / "out"
    start = time.perf_counter()
    code, _, err = invoke(
        "import", feed, str(source), "--output", str(out), "--as-of", "2026-01-01", "--verbose"
    )
    return code, err, time.perf_counter() - start


LITELLM_ROWS = {
    # (raw JSON of the bad row's extra fields, skip reason expected or None when kept)
    "huge max_input_tokens": (f'"max_input_tokens": {HUGE}', None),
    "5,000-digit max_input_tokens": ('"max_input_tokens": ' + "9" * 5000, None),
    "huge tier range start": (
        f'"tiered_pricing": [{{"range": [{HUGE}, 2], "input_cost_per_token": 1e-06}}]',
        "skipped bad: tiered_pricing range start: 1E+100000000 is out of range",
    ),
    "tier range start past the count bound": (
        '"tiered_pricing": [{"range": [1e20, 2], "input_cost_per_token": 1e-06}]',
        "skipped bad: tiered_pricing range start is not a whole token count: 1E+20",
    ),
    "price of 1e22 per token": (
        '"cache_read_input_token_cost": 1e22',
        "skipped bad: cache_read_input_token_cost is more than 10^9 per million tokens"
        " (10000000000000000000000000000)",
    ),
    "price 1e999999": (
        '"cache_read_input_token_cost": 1e999999',
        "skipped bad: cache_read_input_token_cost: 1E+999999 is out of range",
    ),
    "weekdays not a list": (
        '"off_peak_pricing": {"windows": [{"hours_utc": "16:30-00:30", "weekdays": 5}],'
        ' "input_cost_per_token": 1e-07, "output_cost_per_token": 1e-07}',
        "not representable bad: off_peak_pricing with weekday or several windows",
    ),
    "weekdays of the wrong type": (
        '"off_peak_pricing": {"windows": [{"hours_utc": "16:30-00:30", "weekdays": [[1]]}],'
        ' "input_cost_per_token": 1e-07, "output_cost_per_token": 1e-07}',
        "not representable bad: off_peak_pricing with weekday or several windows",
    ),
}


@pytest.mark.parametrize("case", sorted(LITELLM_ROWS))
def test_litellm_hostile_row(tmp_path: Path, case: str) -> None:
    """One hostile LiteLLM value: exit 0 in well under a second, the bad row named."""
    bad, expected = LITELLM_ROWS[case]
    code, err, elapsed = run_import(tmp_path, "litellm", "feed.json", litellm_feed(bad))
    assert code == 0, err
    assert "Traceback" not in err
    assert elapsed < 2
    if expected is None:  # an absurd count is left out of the model facts; the prices stay
        assert "imported 2 offers" in err
        models = (tmp_path / "out/models.yaml").read_text()
        assert "context_window" not in models
    else:
        assert expected in err
        # A skipped row leaves one offer; an unrepresentable part keeps the row.
        kept = 2 if expected.startswith("not representable") else 1
        assert f"imported {kept} offers" in err


OPENROUTER_ROWS = {
    "huge context_length": ({"context_length": "RAW"}, None),
    "huge prompt price": ({"pricing": {"prompt": HUGE, "completion": "0.000002"}}, "out of range"),
    "prompt 1e22 per token": (
        {"pricing": {"prompt": "1e22", "completion": "0.000002"}},
        "pricing.prompt is more than 10^9 per million tokens",
    ),
}


@pytest.mark.parametrize("case", sorted(OPENROUTER_ROWS))
def test_openrouter_hostile_row(tmp_path: Path, case: str) -> None:
    extra, expected = OPENROUTER_ROWS[case]
    bad = {"id": "a/bad", "pricing": {"prompt": "0.000001", "completion": "0.000002"}, **extra}
    good = {"id": "a/ok", "pricing": {"prompt": "0.000001", "completion": "0.000002"}}
    text = json.dumps({"data": [good, bad]})
    text = text.replace('"RAW"', HUGE)  # a JSON number, not a string
    code, err, elapsed = run_import(tmp_path, "openrouter", "models.json", text)
    assert code == 0, err
    assert elapsed < 2
    if expected is None:
        assert "imported 2 offers" in err
    else:
        assert "skipped a/bad: " in err and expected in err
        assert "imported 1 offers" in err


def test_openrouter_huge_top_provider_context(tmp_path: Path) -> None:
    """A string count (top_provider.context_length) with a huge exponent costs nothing."""
    rows = [
        {"id": "a/ok", "pricing": {"prompt": "0.000001", "completion": "0.000002"}},
        {
            "id": "a/bad",
            "top_provider": {"context_length": HUGE},
            "pricing": {"prompt": "0.000001", "completion": "0.000002"},
        },
    ]
    code, err, elapsed = run_import(tmp_path, "openrouter", "m.json", json.dumps({"data": rows}))
    assert code == 0 and elapsed < 2, err
    assert "imported 2 offers" in err


GENAI_HEAD = (
    "id: acme\nname: Acme\nmodels:\n  - id: ok\n    prices: {input_mtok: 1, output_mtok: 2}\n"
)


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (
            "  - id: bad\n    prices:\n      - prices: {input_mtok: 1, output_mtok: 2}\n"
            "      - constraint: {start_date: 0001-01-01}\n"
            "        prices: {input_mtok: 1, output_mtok: 2}\n",
            "skipped acme/bad: start_date 0001-01-01 leaves no day for the price before it",
        ),
        (
            "  - id: bad\n    prices:\n"
            "      input_mtok: {base: 1, tiers: [{start: 1e100000000, price: 2}]}\n"
            "      output_mtok: 2\n",
            "skipped acme/bad: input_mtok tier start is not a positive token count",
        ),
    ],
)
def test_genai_hostile_row(tmp_path: Path, bad: str, expected: str) -> None:
    folder = tmp_path / "providers"
    folder.mkdir()
    (folder / "acme.yml").write_text(GENAI_HEAD + bad)
    code, _, err = invoke(
        "import", "genai-prices", str(folder), "--output", str(tmp_path / "out"), "--verbose"
    )
    assert code == 0, err
    assert expected in err
    assert "imported 1 offers" in err


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        # YAML 1.1 reads 1.0e999999 (no exponent sign) as text: the importer refuses that row.
        ("1.0e999999", "skipped evil/x: input_mtok: 1.0E+999999 is out of range"),
        # 1.0e+999999 is a YAML float: the reader refuses the file, which is skipped by name.
        ("1.0e+999999", "skipped evil.yml: file not readable: "),
    ],
)
def test_genai_hostile_number(tmp_path: Path, number: str, expected: str) -> None:
    """A number past the bound skips its row (or file), never the import."""
    folder = tmp_path / "providers"
    folder.mkdir()
    (folder / "acme.yml").write_text(GENAI_HEAD)
    (folder / "evil.yml").write_text(
        f"id: evil\nname: Evil\nmodels:\n  - id: x\n    prices: {{input_mtok: {number}}}\n"
    )
    code, _, err = invoke(
        "import", "genai-prices", str(folder), "--output", str(tmp_path / "out"), "--verbose"
    )
    assert code == 0, err
    assert expected in err and "out of range" in err
    assert "imported 1 offers" in err


@pytest.mark.parametrize(
    ("feed", "text", "key", "line"),
    [
        ("litellm", '{"a": {"litellm_provider": "x"},\n "a": {"litellm_provider": "y"}}', "a", 2),
        (
            "litellm",
            '{"a": {"litellm_provider": "x",\n "input_cost_per_token": 1,\n'
            ' "input_cost_per_token": 2}, "b": {"input_cost_per_token": 3}}',
            "input_cost_per_token",
            None,  # the key occurs three times: no line is guessed
        ),
        ("openrouter", '{"data": [],\n\n "data": []}', "data", 3),
    ],
)
def test_duplicate_json_key_is_an_error(
    tmp_path: Path, feed: str, text: str, key: str, line: int | None
) -> None:
    """json.loads would keep the last value silently: a repeated key is exit 2 naming it."""
    code, err, _ = run_import(tmp_path, feed, "feed.json", text)
    assert code == 2
    where = f"feed.json:{line}: {key}: " if line else f"feed.json: {key}: "
    assert f"{where}invalid JSON: duplicate key '{key}'" in err
    assert not (tmp_path / "out").exists()


def test_import_never_writes_a_sheet_the_reader_refuses(tmp_path: Path) -> None:
    """1,400 rows with 3,900-character modes make a models.yaml over 5 MiB: exit 2, nothing written."""
    mode = "m" * 3900
    rows = {
        f"model-{i}": {
            "litellm_provider": "openai",
            "mode": mode,
            "input_cost_per_token": 1e-06,
            "output_cost_per_token": 2e-06,
        }
        for i in range(1400)
    }
    code, err, _ = run_import(tmp_path, "litellm", "feed.json", json.dumps(rows))
    assert code == 2
    assert "models.yaml: would be" in err
    assert f"sheets are read up to {MAX_BYTES:,} bytes" in err
    assert not (tmp_path / "out").exists()


def test_import_just_under_the_limit_validates(tmp_path: Path) -> None:
    """Fewer rows of the same kind stay under the limit, and the folder validates."""
    rows = {
        f"model-{i}": {
            "litellm_provider": "openai",
            "mode": "m" * 3900,
            "input_cost_per_token": 1e-06,
            "output_cost_per_token": 2e-06,
        }
        for i in range(300)
    }
    code, err, _ = run_import(tmp_path, "litellm", "feed.json", json.dumps(rows))
    assert code == 0, err
    code, _, err = invoke("validate", "--no-bundled", str(tmp_path / "out"))
    assert code == 0, err


def test_many_digit_price_is_moved_exactly() -> None:
    """A per-token price of 34 significant digits becomes the per-million price digit for digit.

    Decimal.scaleb in the default 28-digit context rounded it to 1.234567890123456789012345679.
    """
    from decimal import Decimal

    from costcalc.importers.common import per_million
    from costcalc.importers.openrouter import convert

    digits = "1.234567890123456789012345678901234"
    assert per_million(Decimal(digits + "e-6"), "input") == Decimal(digits)
    listing = {
        "data": [{"id": "a/x", "pricing": {"prompt": digits + "e-6", "completion": "0.000002"}}]
    }
    result = convert(listing, source_file="m.json", as_of=dt.date(2026, 1, 1))
    assert result.sheets["openrouter"]["offers"][0]["prices"][0]["input"] == Decimal(digits)


def test_deeply_nested_json_names_the_file(tmp_path: Path) -> None:
    """200,000 nested lists exhaust Python's recursion: exit 2 naming the feed file."""
    code, err, _ = run_import(tmp_path, "litellm", "deep.json", "[" * 200_000 + "]" * 200_000)
    assert code == 2
    assert "deep.json: invalid JSON: nested too deeply" in err


def test_genai_json_huge_context_window_is_cheap(tmp_path: Path) -> None:
    """genai-prices data.json: context_window 1e100000000 hung in pydantic's int(); now a skip."""
    data = (
        '[{"id": "acme", "name": "Acme", "models": ['
        '{"id": "ok", "prices": {"input_mtok": 1, "output_mtok": 2}},'
        ' {"id": "bad", "context_window": 1e100000000, "prices": {"input_mtok": 1}}]}]'
    )
    code, err, elapsed = run_import(tmp_path, "genai-prices", "data.json", data)
    assert code == 0 and elapsed < 2, err
    assert "skipped acme/bad: model not valid: context_window: 1E+100000000 is not a token" in err


def test_tier_threshold_in_a_key_stays_readable(tmp_path: Path) -> None:
    """A 200-digit threshold in a key name would write a sheet validate refuses: not a tier."""
    bad = '"input_cost_per_token_above_' + "9" * 200 + 'k_tokens": 1e-06'
    code, err, _ = run_import(tmp_path, "litellm", "feed.json", litellm_feed(bad))
    assert code == 0, err
    assert "not representable bad: input_cost_per_token_above_999" in err
    code, _, err = invoke("validate", "--no-bundled", str(tmp_path / "out"))
    assert code == 0, err
