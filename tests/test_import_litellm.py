"""LiteLLM importer: exact per-million prices, tiers, batch, skips, and agreement with the whole map."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costcalc.catalog import Catalog, load_catalog
from costcalc.cost import Usage, cost_of
from costcalc.importers import litellm
from costcalc.importers.common import ImportResult, per_million
from costcalc.importers.output import apply, plan, render_files
from costcalc.importers.read import read_json
from helpers import FIXTURES, assert_golden

DAY = dt.date(2026, 11, 27)
LITELLM = FIXTURES / "importers/litellm/model_prices_and_context_window_backup.json"

SMALL = """{
  "sample_spec": {"litellm_provider": "one of https://docs.litellm.ai/docs/providers",
                  "input_cost_per_token": 0.0, "output_cost_per_token": 0.0},
  "gpt-x": {"litellm_provider": "openai", "mode": "chat", "source": "https://example.com/p",
            "input_cost_per_token": 2.5e-06, "output_cost_per_token": 1e-05,
            "cache_read_input_token_cost": 1.25e-06,
            "input_cost_per_token_batches": 1.25e-06, "output_cost_per_token_batches": 5e-06,
            "input_cost_per_token_priority": 5e-06, "output_cost_per_token_priority": 0,
            "input_cost_per_audio_token": 4e-05,
            "max_input_tokens": 128000, "max_output_tokens": 16384.0},
  "openai/gpt-x": {"litellm_provider": "openai", "input_cost_per_token": 3e-06,
                   "output_cost_per_token": 1e-05},
  "gemini/gem": {"litellm_provider": "gemini", "input_cost_per_token": 1.25e-06,
                 "output_cost_per_token": 1e-05, "cache_read_input_token_cost": 1.25e-07,
                 "input_cost_per_token_above_200k_tokens": 2.5e-06,
                 "output_cost_per_token_above_200k_tokens": 1.5e-05},
  "qwen-tiered": {"litellm_provider": "dashscope", "tiered_pricing": [
      {"input_cost_per_token": 5e-08, "output_cost_per_token": 4e-07, "range": [0, 256000.0]},
      {"input_cost_per_token": 2.5e-07, "output_cost_per_token": 2e-06, "range": [256000.0, 1000000.0]}]},
  "night": {"litellm_provider": "deepseek", "input_cost_per_token": 2.8e-07,
            "output_cost_per_token": 4.2e-07,
            "off_peak_pricing": {"input_cost_per_token": 1.4e-07, "output_cost_per_token": 2.1e-07,
                                 "windows": [{"hours_utc": "16:30-00:30"}]}},
  "weekday": {"litellm_provider": "deepseek", "input_cost_per_token": 1e-07,
              "output_cost_per_token": 2e-07,
              "off_peak_pricing": {"input_cost_per_token": 5e-08, "output_cost_per_token": 1e-07,
                                   "windows": [{"hours_utc": "00:00-08:00", "weekdays": [6, 7]}]}},
  "dall-e": {"litellm_provider": "openai", "mode": "image_generation", "output_cost_per_image": 0.04},
  "embed": {"litellm_provider": "openai", "mode": "embedding", "input_cost_per_token": 1e-07},
  "neg": {"litellm_provider": "acme", "input_cost_per_token": -1e-06, "output_cost_per_token": 1e-06},
  "text": {"litellm_provider": "acme", "input_cost_per_token": "cheap", "output_cost_per_token": 1e-06},
  "huge": {"litellm_provider": "acme", "input_cost_per_token": 2000, "output_cost_per_token": 1e-06},
  "orphan": {"input_cost_per_token": 1e-06, "output_cost_per_token": 1e-06},
  "odd/Name With Spaces@1": {"litellm_provider": "Acme Cloud", "input_cost_per_token": 1e-06,
                             "output_cost_per_token": 2e-06}
}"""


def small() -> ImportResult:
    return litellm.convert(
        json.loads(SMALL, parse_float=Decimal), source_file="small.json", as_of=DAY
    )


def offer(result: ImportResult, model: str) -> dict[str, Any]:
    for sheet in result.sheets.values():
        for o in sheet["offers"]:
            if o["model"] == model:
                found: dict[str, Any] = o
                return found
    raise AssertionError(f"{model} not imported")


def test_prices_become_exact_per_million_prices() -> None:
    """Per-token prices are moved six places: 2.5e-06 per token is 2.5 per million, exactly."""
    period = offer(small(), "openai/gpt-x")["prices"][0]
    assert period["input"] == Decimal("2.5")  # 0.0000025 x 1,000,000
    assert period["cached_input"] == Decimal("1.25")  # 0.00000125 x 1,000,000
    assert period["output"] == Decimal("10")  # 0.00001 x 1,000,000
    assert period["batch"] == {"input": Decimal("1.25"), "output": Decimal("5")}
    assert period["currency"] == "USD"
    assert period["as_of"] == DAY
    assert period["source"] == "litellm small.json#gpt-x"
    assert period["note"] == "LiteLLM cites https://example.com/p"


def test_tiers_keep_base_prices_they_do_not_list() -> None:
    """An above_200k tier lists input and output; its cached price is the base one (0.125)."""
    period = offer(small(), "google/gem")["prices"][0]
    assert period["tiers"] == [
        {
            "above_input_tokens": 200000,  # "_above_200k_tokens" = 200 x 1,000
            "input": Decimal("2.5"),  # 2.5e-06 x 10^6
            "cached_input": Decimal("0.125"),  # base 1.25e-07 x 10^6
            "output": Decimal("15"),  # 1.5e-05 x 10^6
        }
    ]


def test_tiered_pricing_ranges() -> None:
    """The range starting at 0 is the base; [256000, ...] is a tier above 256,000 tokens."""
    period = offer(small(), "dashscope/qwen-tiered")["prices"][0]
    assert (period["input"], period["output"]) == (
        Decimal("0.05"),
        Decimal("0.4"),
    )  # 5e-08, 4e-07 x 10^6
    assert period["tiers"] == [
        {"above_input_tokens": 256000, "input": Decimal("0.25"), "output": Decimal("2")}
    ]


def test_simple_off_peak_window_is_kept_and_weekday_windows_are_reported() -> None:
    """A daily UTC window becomes off_peak; a weekend-only window cannot be written and is reported."""
    result = small()
    period = offer(result, "deepseek/night")["prices"][0]
    assert period["off_peak"] == {
        "window": {"start": "16:30", "end": "00:30"},
        "input": Decimal("0.14"),  # 1.4e-07 x 10^6
        "output": Decimal("0.21"),  # 2.1e-07 x 10^6
    }
    assert "off_peak" not in offer(result, "deepseek/weekday")["prices"][0]
    assert ("weekday", "off_peak_pricing with weekday or several windows") in {
        (u.key, u.what) for u in result.unrepresented
    }


def test_ids_are_provider_qualified_and_known_providers_get_their_facts() -> None:
    """gemini/gem becomes google/gem at provider google; unknown providers get country ZZ."""
    result = small()
    assert set(result.sheets) == {"acme-cloud", "dashscope", "deepseek", "google", "openai"}
    assert result.sheets["google"]["provider"]["country"] == "US"
    acme = result.sheets["acme-cloud"]["provider"]
    assert acme["country"] == "ZZ"
    assert acme["pricing_url"] == litellm.DEFAULT_URL
    assert (
        offer(result, "acme-cloud/odd/name-with-spaces-1")["api_model"] == "odd/Name With Spaces@1"
    )
    model = next(m for m in result.models if m["id"] == "openai/gpt-x")
    assert model["context_window"] == 128000
    assert model["max_output"] == 16384  # 16384.0 is a whole number
    assert model["open_weights"] is None and model["license"] == "unknown"


def test_bad_rows_are_skipped_with_reasons() -> None:
    """Each bad row is skipped once, with a reason; the import goes on."""
    result = small()
    reasons = {s.key: s.reason for s in result.skipped}
    assert reasons == {
        "sample_spec": "documentation entry (sample_spec), not a model",
        "openai/gpt-x": "same model id as another row: openai/gpt-x (from gpt-x)",
        "dall-e": "no per-token input and output price: mode image_generation",
        "embed": "no per-token output price: mode embedding",
        "neg": "input_cost_per_token is negative (-1 per million tokens)",
        "text": "input_cost_per_token is not a number: 'cheap'",
        "huge": "input_cost_per_token is more than 10^9 per million tokens (2000000000)",
        "orphan": "entry not valid: litellm_provider: Field required",
    }
    assert result.rows == 14
    assert result.offers == 6  # 14 rows - 8 skipped


def test_unrepresentable_prices_are_reported_not_dropped() -> None:
    """Priority and audio prices of an imported row are reported; zero-valued ones are not."""
    found = {(u.key, u.what) for u in small().unrepresented}
    assert ("gpt-x", "priority service-tier prices") in found
    assert ("gpt-x", "input_cost_per_audio_token") in found
    assert not any(u[0] == "dall-e" for u in found)  # skipped rows are not reported twice


def test_not_a_map_is_refused() -> None:
    """A JSON list is not a LiteLLM map."""
    with pytest.raises(ValueError, match="JSON object"):
        litellm.convert([], source_file="x.json", as_of=DAY)


@given(
    st.decimals(min_value=0, max_value=1000, allow_nan=False, allow_infinity=False, places=20),
    st.integers(min_value=0, max_value=10**9),
)
def test_per_million_is_exact(per_token: Decimal, tokens: int) -> None:
    """tokens x (per-token x 10^6) / 10^6 == tokens x per-token, with no rounding anywhere."""
    price = per_million(per_token, "p")
    assert price.scaleb(-6) == per_token
    assert tokens * price / Decimal(1_000_000) == tokens * per_token


# --------------------------------------------------------------- whole map


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], ImportResult, Catalog]:
    data = read_json(LITELLM)
    result = litellm.convert(data, source_file=LITELLM.name, as_of=DAY)
    out = tmp_path_factory.mktemp("litellm")
    apply(plan(out, render_files(result), force=False))
    return data, result, load_catalog([out], include_bundled=False)


def plain(entry: Any) -> bool:
    """An entry with plain per-token input and output prices (numbers at the top level)."""
    return (
        isinstance(entry, dict)
        and isinstance(entry.get("input_cost_per_token"), (int, Decimal))
        and isinstance(entry.get("output_cost_per_token"), (int, Decimal))
    )


def test_agreement_with_the_whole_litellm_map(
    whole: tuple[dict[str, Any], ImportResult, Catalog],
) -> None:
    """For every plain-priced entry, costcalc's cost after import equals the map's own arithmetic.

    Usage: 3,001 input and 977 output tokens (below every tier threshold in the map, the lowest
    being 32k); expected = 3001 x input_cost_per_token + 977 x output_cost_per_token, in Decimal
    from the JSON text.
    """
    data, result, catalog = whole
    by_key = {o.offer.api_model: o for o in catalog.offers}
    usage = Usage(input_tokens=Decimal(3001), output_tokens=Decimal(977))
    skipped = {s.key: s.reason for s in result.skipped}
    checked = collisions = 0
    for key, entry in data.items():
        if key == "sample_spec" or not plain(entry):
            continue
        if key in skipped:
            # The same model twice in the map (gemini-flash-latest and gemini/gemini-flash-latest).
            assert skipped[key].startswith("same model id"), (key, skipped[key])
            collisions += 1
            continue
        cost = cost_of(by_key[key], usage, when=DAY, currency="USD", fx=catalog.fx)
        expected = 3001 * entry["input_cost_per_token"] + 977 * entry["output_cost_per_token"]
        assert cost.total == expected, key
        checked += 1
    # 3,883 plain-priced entries (sample_spec included) = 1 sample_spec + 18 duplicates + 3,864.
    assert (collisions, checked) == (18, 3864)


def test_whole_map_summary(whole: tuple[dict[str, Any], ImportResult, Catalog]) -> None:
    """4,878 entries: 3,913 imported, 965 skipped; each offer is written and loads back."""
    _, result, catalog = whole
    assert result.rows == 4878
    assert result.offers == 3913
    assert len(result.skipped) == 4878 - 3913
    assert len(catalog.offers) == 3913
    assert (
        min(
            t
            for o in catalog.offers
            for p in o.offer.prices
            for t in [x.above_input_tokens for x in p.tiers]
        )
        > 3001
    )


def test_json_reader_refuses_nan(tmp_path: Path) -> None:
    """NaN is not a price: the reader refuses it with the file named."""
    from costcalc.errors import InputError

    bad = tmp_path / "bad.json"
    bad.write_text('{"a": {"input_cost_per_token": NaN}}')
    with pytest.raises(InputError, match="NaN"):
        read_json(bad)
    broken = tmp_path / "broken.json"
    broken.write_text('{\n"a": \n}')
    with pytest.raises(InputError) as info:
        read_json(broken)
    assert info.value.problems[0].line == 3


def test_written_sheet_golden() -> None:
    """The layout of a written LiteLLM sheet (header, quoting, field order) is pinned."""
    files = render_files(small())
    assert_golden("importers/litellm-small.openai.yaml", files["providers/openai.yaml"])
    assert_golden("importers/litellm-small.google.yaml", files["providers/google.yaml"])
