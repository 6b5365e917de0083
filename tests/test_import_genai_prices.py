"""genai-prices importer: exact prices, tiers, dated and time-of-day prices, agreement with the data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from costcalc.catalog import Catalog, load_catalog
from costcalc.cost import Usage, cost_of
from costcalc.importers import genai_prices
from costcalc.importers.common import ImportResult
from costcalc.importers.output import apply, plan, render_files
from costcalc.importers.read import read_genai_prices
from costcalc.yamlio import parse_yaml
from helpers import FIXTURES

DAY = dt.date(2026, 11, 27)
PROVIDERS = FIXTURES / "importers/genai-prices/providers"
DATA_JSON = FIXTURES / "importers/genai-prices/v2/data.json"

SMALL = """
id: acme
name: Acme AI
pricing_urls: [https://acme.example/pricing]
api_pattern: 'x'
models:
  - id: Acme-Large
    name: Acme Large
    match: {equals: Acme-Large}
    context_window: 128000
    prices_checked: 2026-06-01
    prices:
      input_mtok: {base: 1.25, tiers: [{start: 200000, price: 2.5}]}
      output_mtok: 10
      cache_read_mtok: 0.125
      input_audio_mtok: 40
  - id: acme-embed
    match: {equals: acme-embed}
    prices: {input_mtok: 0.02}
  - id: acme-free
    match: {equals: acme-free}
    prices: {}
  - id: acme-search
    match: {equals: acme-search}
    prices: {requests_kcount: 5}
  - id: acme-gone
    match: {equals: acme-gone}
    removed: true
    prices: {input_mtok: 1, output_mtok: 1}
  - id: acme-neg
    match: {equals: acme-neg}
    prices: {input_mtok: -1, output_mtok: 1}
  - id: acme-dated
    match: {equals: acme-dated}
    prices_checked: 2026-07-29
    prices:
      - prices: {input_mtok: 2, output_mtok: 8}
      - constraint: {start_date: 2026-03-13}
        prices: {input_mtok: 1, output_mtok: 4}
  - match: {equals: nameless}
    prices: {input_mtok: 1}
"""


def small() -> ImportResult:
    return genai_prices.convert(
        [("acme.yml", parse_yaml(SMALL, "acme.yml"))], source="acme.yml", as_of=DAY
    )


def offer(result: ImportResult, model: str) -> dict[str, Any]:
    for sheet in result.sheets.values():
        for o in sheet["offers"]:
            if o["model"] == model:
                found: dict[str, Any] = o
                return found
    raise AssertionError(model)


def test_prices_are_copied_exactly_with_tiers() -> None:
    """Per-million prices stay as written; a {base, tiers} price becomes a tier above its start."""
    result = small()
    period = offer(result, "acme/acme-large")["prices"][0]
    assert period["as_of"] == dt.date(2026, 6, 1)  # prices_checked
    assert (period["input"], period["cached_input"], period["output"]) == (
        Decimal("1.25"),
        Decimal("0.125"),
        Decimal("10"),
    )
    # The tier replaces input; output and cached input keep the base prices.
    assert period["tiers"] == [
        {
            "above_input_tokens": 200000,
            "input": Decimal("2.5"),
            "cached_input": Decimal("0.125"),
            "output": Decimal("10"),
        }
    ]
    assert period["source"] == "genai-prices acme.yml#Acme-Large"
    sheet = result.sheets["acme"]["provider"]
    assert (sheet["country"], sheet["pricing_url"]) == ("ZZ", "https://acme.example/pricing")
    assert ("acme/Acme-Large", "input_audio_mtok") in {
        (u.key, u.what) for u in result.unrepresented
    }


def test_missing_prices_are_zero_as_genai_prices_bills_them() -> None:
    """Only input_mtok: output is 0 (with a note); prices: {} is a free model (0 and 0)."""
    result = small()
    embed = offer(result, "acme/acme-embed")["prices"][0]
    assert (embed["input"], embed["output"]) == (Decimal("0.02"), Decimal(0))
    assert "No output price upstream" in embed["note"]
    free = offer(result, "acme/acme-free")["prices"][0]
    assert (free["input"], free["output"]) == (Decimal(0), Decimal(0))
    assert embed["as_of"] == DAY  # no prices_checked: the import date


def test_dated_prices_become_periods() -> None:
    """An undated price then one from 2026-03-13: the first ends the day the second starts."""
    periods = offer(small(), "acme/acme-dated")["prices"]
    assert [(p["as_of"], p.get("valid_until"), p["input"], p["output"]) for p in periods] == [
        # min(prices_checked 2026-07-29, 2026-03-13 - 1 day) = 2026-03-12
        (dt.date(2026, 3, 12), dt.date(2026, 3, 13), Decimal(2), Decimal(8)),
        (dt.date(2026, 3, 13), None, Decimal(1), Decimal(4)),
    ]


def test_bad_models_are_skipped_with_reasons() -> None:
    """Removed, negative, fee-only and malformed models are skipped; 4 of 8 are imported."""
    result = small()
    assert {s.key: s.reason for s in result.skipped} == {
        "acme/acme-search": "no token prices: only requests_kcount",
        "acme/acme-gone": "removed upstream",
        "acme/acme-neg": "input_mtok is negative (-1 per million tokens)",
        "acme/None": "model not valid: id: Field required",
    }
    assert (result.rows, result.offers) == (8, 4)


def test_deepseek_time_of_day_prices_become_off_peak() -> None:
    """DeepSeek R1: 0.55/0.14/2.19 inside 00:30-16:30 UTC, 0.135/0.035/0.55 off-peak 16:30-00:30."""
    result = genai_prices.convert(
        read_genai_prices(PROVIDERS / "deepseek.yml"), source="deepseek.yml", as_of=DAY
    )
    period = offer(result, "deepseek/deepseek-reasoner")["prices"][0]
    assert (period["input"], period["cached_input"], period["output"]) == (
        Decimal("0.55"),
        Decimal("0.14"),
        Decimal("2.19"),
    )
    assert period["off_peak"] == {
        "window": {"start": "16:30", "end": "00:30"},
        "input": Decimal("0.135"),
        "cached_input": Decimal("0.035"),
        "output": Decimal("0.550"),
    }
    assert period["as_of"] == dt.date(2025, 7, 12)  # prices_checked


def test_claude_opus_long_context_surcharge_ends_on_2026_03_13() -> None:
    """Opus 4.6 had a 200k tier (input 10, output 37.5) until 2026-03-13, then flat 5/25."""
    result = genai_prices.convert(
        read_genai_prices(PROVIDERS / "anthropic.yml"), source="anthropic.yml", as_of=DAY
    )
    first, second = offer(result, "anthropic/claude-opus-4-6")["prices"]
    assert first["valid_until"] == second["as_of"] == dt.date(2026, 3, 13)
    assert first["tiers"][0]["above_input_tokens"] == 200000
    assert (first["tiers"][0]["input"], first["tiers"][0]["output"]) == (
        Decimal(10),
        Decimal("37.50"),
    )
    assert (second["input"], second["output"], "tiers" in second) == (
        Decimal(5),
        Decimal(25),
        False,
    )


# --------------------------------------------------------------- whole data


@pytest.fixture(scope="module")
def whole(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[list[tuple[str, Any]], ImportResult, Catalog]:
    providers = read_genai_prices(PROVIDERS)
    result = genai_prices.convert(providers, source="providers", as_of=DAY)
    out = tmp_path_factory.mktemp("genai")
    apply(plan(out, render_files(result), force=False))
    return providers, result, load_catalog([out], include_bundled=False)


def base_price(value: Any) -> Decimal | None:
    if isinstance(value, dict):
        value = value.get("base")
    return value if isinstance(value, (int, Decimal)) and not isinstance(value, bool) else None


def test_agreement_with_genai_prices_base_prices(
    whole: tuple[list[tuple[str, Any]], ImportResult, Catalog],
) -> None:
    """For every model with base input and output prices, cost = (in x input_mtok + out x output_mtok) / 10^6.

    Usage 3,001 in / 977 out is below every tier start, so base prices apply.
    """
    providers, _, catalog = whole
    by_key = {(o.provider.id, o.offer.api_model): o for o in catalog.offers}
    from costcalc.importers.common import provider_id

    usage = Usage(input_tokens=Decimal(3001), output_tokens=Decimal(977))
    checked = 0
    for _, provider in providers:
        for model in provider["models"]:
            prices = model["prices"]
            if not isinstance(prices, dict) or model.get("removed"):
                continue
            pin, pout = base_price(prices.get("input_mtok")), base_price(prices.get("output_mtok"))
            if pin is None or pout is None:
                continue
            entry = by_key[(provider_id(provider["id"]), model["id"])]
            cost = cost_of(entry, usage, when=DAY, currency="USD", fx=catalog.fx)
            assert cost.total == Decimal(3001 * pin + 977 * pout).scaleb(-6), model[
                "id"
            ]  # exact / 10^6
            checked += 1
    assert checked == 1255  # every such model of the 36 provider files (counted when added)


def test_whole_snapshot_imports(whole: tuple[list[tuple[str, Any]], ImportResult, Catalog]) -> None:
    """1,468 models: 2 removed upstream are skipped, 1,466 imported and loaded back."""
    _, result, catalog = whole
    assert (result.rows, result.offers, len(catalog.offers)) == (1468, 1466, 1466)
    assert [s.reason for s in result.skipped] == ["removed upstream", "removed upstream"]


def test_data_json_gives_the_same_prices_as_the_yaml_files(
    whole: tuple[list[tuple[str, Any]], ImportResult, Catalog],
) -> None:
    """The published data.json (same commit) converts to the same prices as providers/*.yml.

    Dates may differ: data.json drops `prices_checked`, so its figures are dated by the import.
    """
    _, from_yaml, _ = whole
    from_json = genai_prices.convert(read_genai_prices(DATA_JSON), source="data.json", as_of=DAY)

    def prices(result: ImportResult) -> dict[str, Any]:
        out = {}
        for sheet in result.sheets.values():
            for o in sheet["offers"]:
                out[o["model"]] = [
                    {k: v for k, v in p.items() if k not in ("source", "note", "as_of")}
                    for p in o["prices"]
                ]
        return out

    yaml_prices, json_prices = prices(from_yaml), prices(from_json)
    common = yaml_prices.keys() & json_prices.keys()
    assert len(common) > 1400
    assert all(yaml_prices[k] == json_prices[k] for k in common)


def test_an_unreadable_provider_file_is_a_skipped_row(tmp_path: Path) -> None:
    """A file with a repeated key is skipped with its reason; the other files are imported."""
    (tmp_path / "good.yml").write_text(SMALL)
    (tmp_path / "bad.yml").write_text("id: x\nid: y\n")
    result = genai_prices.convert(read_genai_prices(tmp_path), source="dir", as_of=DAY)
    bad = [s for s in result.skipped if s.key == "bad.yml"]
    assert len(bad) == 1 and bad[0].reason.startswith("file not readable: ")
    assert "duplicate key 'id'" in bad[0].reason
    assert result.offers == 4  # the 4 valid models of good.yml
