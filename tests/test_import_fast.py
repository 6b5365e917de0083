"""The fast paths of `costcalc import` change nothing: same rows, same reasons, same bytes.

An import certifies rows with a plain-data check before asking pydantic
(costcalc.importers.certain), reads a LiteLLM entry's fields without pydantic when
they are plain JSON, converts each price value once, takes the bundled provider
facts from the loaded catalog and writes YAML with its own writer. Each test here
runs the same input through the plain path (pydantic for every row, every price
converted, dump_yaml) and the fast one and compares everything, on the fixture
feeds and on hostile random maps; the certifier is also held to its rule (certain
implies valid) on its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costcalc.catalog import Catalog
from costcalc.identity import Identity
from costcalc.importers import common, feeds, genai_prices, litellm, openrouter, output
from costcalc.importers.certain import Certain
from costcalc.importers.common import ImportResult, SheetBuilder
from costcalc.importers.read import read_genai_prices, read_json
from costcalc.schema.pricing import ModelInfo, Offer, OffPeak, PricePeriod, Provider, Tier
from costcalc.yamlio import dump_yaml
from helpers import REPO

FIXTURES = REPO / "tests" / "fixtures" / "importers"
LITELLM = FIXTURES / "litellm" / "model_prices_and_context_window_backup.json"
GENAI = FIXTURES / "genai-prices" / "providers"
OPENROUTER = FIXTURES / "openrouter" / "models.json"
DAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def bundled() -> Catalog:
    from costcalc.catalog import load_catalog

    return load_catalog([])


@pytest.fixture(scope="module")
def litellm_map() -> Any:
    return read_json(LITELLM)


class Plain:
    """Within it, imports take the plain path: pydantic checks every entry, model and offer,
    every price is converted anew, and sheets are written by dump_yaml."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch

    def __enter__(self) -> None:
        mp = self.monkeypatch
        fast_entry = litellm._entry
        mp.setattr(litellm, "_entry", lambda raw, plain_keys: fast_entry(raw, False))
        mp.setattr(Certain, "offer", lambda self, data: False)
        mp.setattr(Certain, "model", lambda self, data: False)
        mp.setattr(Certain, "provider", lambda self, data: False)
        mp.setattr(
            SheetBuilder, "per_million", lambda self, value, what: common.per_million(value, what)
        )
        mp.setattr(
            output,
            "_Writer",
            type(
                "DumpYaml", (), {"text": staticmethod(lambda d: dump_yaml(d, quote_strings=True))}
            ),
        )

    def __exit__(self, *exc: object) -> None:
        self.monkeypatch.undo()


def summary(result: ImportResult) -> str:
    """Everything an import found, exactly (repr keeps Decimal spellings and key order)."""
    return repr(
        (
            result.models,
            result.sheets,
            result.rows,
            result.skipped,
            result.unrepresented,
            result.matched,
            result.unmatched,
        )
    )


def both(monkeypatch: pytest.MonkeyPatch, run: Any) -> tuple[Any, Any]:
    fast = run()
    with Plain(monkeypatch):
        plain = run()
    return fast, plain


def files_of(result: ImportResult) -> dict[str, str]:
    return output.render_files(result)


# ------------------------------------------------------------------ the fixture feeds


def test_litellm_map_fast_and_plain_agree(
    monkeypatch: pytest.MonkeyPatch, litellm_map: Any, bundled: Catalog
) -> None:
    """The whole LiteLLM map (4,878 entries, 99 of them refused by pydantic) gives the same
    result and the same file bytes by both paths, with and without the bundled catalog."""
    for catalog in (None, bundled):

        def run(catalog: Catalog | None = catalog) -> tuple[str, dict[str, str]]:
            result = litellm.convert(
                litellm_map,
                source_file=LITELLM.name,
                as_of=DAY,
                bundled_providers=feeds.bundled_providers() if catalog else None,
                identity=Identity.from_catalog(catalog) if catalog else None,
            )
            return summary(result), files_of(result)

        fast, plain = both(monkeypatch, run)
        assert fast[0] == plain[0]
        assert fast[1] == plain[1]
    assert "litellm_provider: Field required" in fast[0]  # the pydantic fallback was taken


def test_genai_prices_and_openrouter_fast_and_plain_agree(
    monkeypatch: pytest.MonkeyPatch, bundled: Catalog
) -> None:
    """The other two feeds go through the same builder: same results and bytes by both paths."""
    providers = read_genai_prices(GENAI)
    models = read_json(OPENROUTER)
    identity = Identity.from_catalog(bundled)

    def run() -> list[Any]:
        out = []
        for result in (
            genai_prices.convert(providers, source="providers", as_of=DAY, identity=identity),
            genai_prices.convert(providers, source="providers", as_of=DAY),
            openrouter.convert(models, source_file=OPENROUTER.name, as_of=DAY, identity=identity),
        ):
            out.append((summary(result), files_of(result)))
        return out

    fast, plain = both(monkeypatch, run)
    assert fast == plain


def test_bundled_provider_facts_from_the_catalog(bundled: Catalog) -> None:
    """The provider facts taken from the loaded catalog are those of the bundled sheets,
    key order included (an imported sheet writes them as they are)."""
    from_catalog = feeds.bundled_providers(bundled)
    from_sheets = feeds.bundled_providers()
    assert from_catalog == from_sheets
    assert list(from_catalog) == list(from_sheets)
    for pid, facts in from_sheets.items():
        assert list(from_catalog[pid]) == list(facts), pid


# ------------------------------------------------------------------ hostile maps

_HOSTILE: list[Any] = [
    True, None, "", " ", "1e-6", " 2e-6 ", "x\ud800", 0, -1, 10**50, 10**5000,
    Decimal("0"), Decimal("-0"), Decimal("0E-100"), Decimal("1e-50"), Decimal("1e-46"),
    Decimal("1e3"), Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-1e-6"),
    Decimal("1." + "0" * 60), Decimal("1." + "1" * 60), Decimal("1.50E-6"), 1.5e-6, [], {}, [1],
    "25:99-01:00", "10:00-10:00", dt.date(2020, 1, 1), "x" * 5000, "a" * 201, "\t\n",
]  # fmt: skip
_KEYS = [
    "input_cost_per_token", "output_cost_per_token", "cache_read_input_token_cost",
    "cache_creation_input_token_cost", "output_cost_per_reasoning_token",
    "input_cost_per_token_above_128k_tokens", "output_cost_per_token_above_128k_tokens",
    "input_cost_per_token_above_0k_tokens", "input_cost_per_token_batches",
    "output_cost_per_token_batches", "input_cost_per_token_above_200k_tokens_batches",
    "input_cost_per_token_priority", "input_cost_per_token_cache_hit", "mode", "source",
    "max_input_tokens", "max_output_tokens", "deprecation_date", "input_cost_per_image",
    "cost_multiplier", "x\ud800",
]  # fmt: skip
_GOOD_PRICES = st.sampled_from([Decimal("1e-6"), Decimal("3.5e-6"), Decimal("0"), 2])
_VALUE = st.one_of(st.sampled_from(_HOSTILE), _GOOD_PRICES)
_TIER_ROW = st.dictionaries(
    st.sampled_from(["range", "input_cost_per_token", "output_cost_per_token", "x"]),
    st.one_of(
        _VALUE,
        st.lists(st.sampled_from([0, 1000, 128000, Decimal("0.5"), -1, None]), max_size=3),
    ),
    max_size=4,
)
_OFF_PEAK = st.fixed_dictionaries(
    {
        "windows": st.lists(
            st.fixed_dictionaries(
                {"hours_utc": st.sampled_from(["16:30-00:30", "25:99-01:00", "10:00-10:00"])},
                optional={"weekdays": st.sampled_from([[1, 2, 3, 4, 5, 6, 7], [1, 2]])},
            ),
            min_size=1,
            max_size=2,
        )
    },
    optional={"input_cost_per_token": _VALUE, "output_cost_per_token": _VALUE},
)
_PROVIDER = st.sampled_from(["OpenAI ", "", " ", "x\ud800", "a/b", "gemini", "z" * 200, 5, None])
_ENTRY = st.one_of(
    st.dictionaries(
        st.sampled_from(_KEYS),
        _VALUE,
        max_size=6,
    ).flatmap(
        lambda extra: st.fixed_dictionaries(
            {
                "litellm_provider": st.one_of(st.just("openai"), _PROVIDER),
                "input_cost_per_token": _GOOD_PRICES,
                "output_cost_per_token": _GOOD_PRICES,
            },
            optional={
                "tiered_pricing": st.one_of(st.lists(_TIER_ROW, max_size=3), _VALUE),
                "off_peak_pricing": st.one_of(_OFF_PEAK, _VALUE),
            },
        ).map(lambda base: {**base, **extra})
    ),
    _VALUE,
)
_FEED_KEY = st.one_of(
    st.sampled_from(
        ["gpt-4o", "openai/o3", " openai/gpt-4o ", "sample_spec", "A" * 300, "x\ud800"]
    ),
    st.from_regex(r"[a-z0-9][a-z0-9./-]{0,20}", fullmatch=True),
)


def _agree(feed: dict[Any, Any]) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:

        def run() -> tuple[str, Any]:
            result = litellm.convert(feed, source_file="f.json", as_of=DAY)
            try:
                return summary(result), files_of(result)
            except (ValueError, TypeError) as exc:  # an unwritable value: the same error
                return summary(result), repr(exc)

        fast, plain = both(monkeypatch, run)
    assert fast == plain


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_FEED_KEY, _ENTRY, min_size=1, max_size=6))
def test_hostile_litellm_maps_fast_and_plain_agree(feed: dict[str, Any]) -> None:
    """Hostile values anywhere in a LiteLLM map (bad numbers, texts pydantic cannot read,
    odd tiers and windows...) are skipped or kept with the same reasons, and written with
    the same bytes, by the fast path and the plain one."""
    _agree(feed)


_OK: dict[Any, Any] = {"litellm_provider": "openai", "input_cost_per_token": Decimal("1e-6"),
       "output_cost_per_token": Decimal("2e-6")}  # fmt: skip


@pytest.mark.parametrize(
    "entry",
    [
        {**_OK, "mode": True},
        {**_OK, "mode": 5},
        {**_OK, "source": ["x"]},
        {**_OK, "source": "x\ud800"},
        {**_OK, "litellm_provider": "openai\ud800"},
        {**_OK, "tiered_pricing": {"range": [0, 1]}},
        {**_OK, "tiered_pricing": [["x"]]},
        {**_OK, "tiered_pricing": [{1: 2}]},
        {**_OK, "tiered_pricing": [{"x\ud800": 2, "range": [0, 10]}]},
        {**_OK, "off_peak_pricing": [1]},
        {**_OK, "off_peak_pricing": {2: 1}},
        {**_OK, 7: 1},
        {**_OK, "input_cost_per_token\ud800": Decimal("1e-6")},
        {**_OK, "output_cost_per_token_above_0k_tokens": Decimal("1e-6")},
        {**_OK, "input_cost_per_token_cache_hit": Decimal("5e-7")},
        {
            **_OK,
            "cache_read_input_token_cost": Decimal("4e-7"),
            "input_cost_per_token_cache_hit": Decimal("5e-7"),
        },
        {"alias_of": "gpt-4o"},
    ],
)
def test_hostile_entries_fast_and_plain_agree(entry: dict[Any, Any]) -> None:
    """Entries whose fields pydantic refuses or reads differently go to pydantic, and come
    out as the plain path has them (next to a good entry with the same keys)."""
    _agree({"good": dict(_OK), "bad": entry, "good-again": {**_OK, "mode": "chat"}})


# ------------------------------------------------------------------ the certifier itself


def _rows(result: ImportResult) -> Iterator[tuple[str, dict[str, Any]]]:
    for model in result.models:
        yield "model", model
    for sheet in result.sheets.values():
        for offer in sheet["offers"]:
            yield "offer", offer


def test_certified_rows_are_valid(litellm_map: Any) -> None:
    """Every row of the fixture feeds the certifier vouches for is one pydantic accepts
    (and it vouches for nearly all: the point of it)."""
    certain = Certain()
    results = [
        litellm.convert(litellm_map, source_file="f.json", as_of=DAY),
        genai_prices.convert(read_genai_prices(GENAI), source="providers", as_of=DAY),
        openrouter.convert(read_json(OPENROUTER), source_file="m.json", as_of=DAY),
    ]
    vouched = total = 0
    for result in results:
        for kind, row in _rows(result):
            total += 1
            if (certain.model if kind == "model" else certain.offer)(row):
                vouched += 1
                (ModelInfo if kind == "model" else Offer).model_validate(row)
    assert vouched > 0.95 * total


def test_certified_providers_are_valid(bundled: Catalog) -> None:
    """Every provider sheet head the certifier vouches for (bundled facts, the importers'
    table of known providers, the fixture feeds' own providers) is one pydantic accepts, and
    it vouches for all of them: an import of the fixture feeds never asks pydantic."""
    facts = list(feeds.bundled_providers(bundled).values())
    facts += [
        {"id": k.id, "name": k.name, "country": k.country, "currency": "USD",
         "pricing_url": k.pricing_url}
        for k in common.KNOWN_PROVIDERS.values()
    ]  # fmt: skip
    for result in (
        litellm.convert(read_json(LITELLM), source_file="f.json", as_of=DAY),
        genai_prices.convert(read_genai_prices(GENAI), source="providers", as_of=DAY),
        openrouter.convert(read_json(OPENROUTER), source_file="m.json", as_of=DAY),
    ):
        facts += [sheet["provider"] for sheet in result.sheets.values()]
    certain = Certain()
    assert len(facts) > 150
    for provider in facts:
        assert certain.provider(provider), provider
        Provider.model_validate(provider)


_GOOD_PROVIDER = {"id": "acme", "name": "Acme", "country": "US", "currency": "USD",
                  "pricing_url": "https://acme.example/pricing"}  # fmt: skip


@pytest.mark.parametrize(
    "change",
    [
        {"id": "Acme"},
        {"id": " acme"},
        {"name": " "},
        {"name": "x" * 4001},
        {"name": "x\ud800"},
        {"country": "us"},
        {"country": "USA"},
        {"country": " US"},
        {"country": "US\n"},
        {"country": "ÜS"},
        {"country": None},
        {"currency": "XXX"},
        {"currency": " USD"},
        {"currency": None},
        {"pricing_url": "ftp://acme.example"},
        {"pricing_url": " https://acme.example"},
        {"pricing_url": "https://" + "a" * 493},
        {"pricing_url": "https://acme.example/\ud800"},
        {"pricing_url": b"https://acme.example"},
        {"note": " "},
        {"note": 5},
        {"extra": "x"},
    ],
)
def test_certifier_leaves_doubtful_providers_to_pydantic(change: dict[str, Any]) -> None:
    """Each of these provider heads is invalid, or valid only after pydantic's own stripping:
    the certifier does not vouch for it, so pydantic decides (and words any refusal)."""
    assert Certain().provider(_GOOD_PROVIDER)
    assert not Certain().provider({**_GOOD_PROVIDER, **change})


def test_certifier_needs_every_provider_field() -> None:
    """A provider head without one of its required fields is left to pydantic."""
    for name in ("id", "name", "country", "currency", "pricing_url"):
        assert not Certain().provider({k: v for k, v in _GOOD_PROVIDER.items() if k != name})
    assert Certain().provider({**_GOOD_PROVIDER, "note": "Imported from x.", "id": "a.b/c"})


_PROVIDER_VALUES = st.one_of(
    st.sampled_from(
        ["acme", "Acme", "US", "us", "ZZ", "USD", "EUR", "XXX", "https://a.example", "http://a",
         "ftp://a", " ", "", "x\ud800", "ab", "a" * 501, "https://" + "a" * 492, None, 5, True]
    ),
    st.text(max_size=12),
)  # fmt: skip


@settings(max_examples=300)
@given(
    st.dictionaries(
        st.sampled_from(["id", "name", "country", "currency", "pricing_url", "note", "x"]),
        _PROVIDER_VALUES,
    )
)
def test_a_certified_provider_is_valid(provider: dict[str, Any]) -> None:
    """Certain implies valid, on random provider heads (mostly invalid ones)."""
    if Certain().provider(provider):
        Provider.model_validate(provider)


_ALIAS_VALUE = st.one_of(st.sampled_from(_HOSTILE), st.text(max_size=5), st.none())


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.one_of(
            st.sampled_from(
                ["alias_of", "rules", "mode", "source", "tiered_pricing", "off_peak_pricing",
                 "max_input_tokens", "input_cost_per_token"]
            ),
            st.text(max_size=8),
        ),
        _ALIAS_VALUE,
        max_size=5,
    )
)  # fmt: skip
def test_an_entry_without_provider_is_refused_as_pydantic_words_it(entry: dict[str, Any]) -> None:
    """An entry without `litellm_provider` (LiteLLM's alias entries: 99 of the fixture map)
    is refused without asking pydantic, with the message pydantic gives for it, whatever
    else the entry holds (its first field is the one missing)."""
    from pydantic import ValidationError

    entry.pop("litellm_provider", None)
    plain_keys, _ = litellm._Repeats().shape(entry)
    if not plain_keys:  # a key pydantic cannot read: left to pydantic
        return
    with pytest.raises(common.BadValue) as fast:
        litellm._entry(entry, plain_keys)
    with pytest.raises(ValidationError) as slow:
        litellm.entry_model().model_validate(entry)
    assert str(fast.value) == f"entry not valid: {common.first_error(slow.value)}"


def test_a_warm_litellm_import_imports_no_pydantic_nor_pyyaml(tmp_path: Path) -> None:
    """`costcalc import litellm` of the fixture map, on a warm catalog cache, never imports
    pydantic nor the schema classes (the certifier vouches for every row and provider and
    the alias entries' refusal is worded without it), nor PyYAML (the sheets are written by
    costcalc.yamltext); the files are the same (tests/test_import_litellm.py)."""
    import os
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from costcalc.cli import main\n"
        f"sys.argv = ['costcalc', 'import', 'litellm', {str(LITELLM)!r}, '--output',"
        " sys.argv[1], '--as-of', '2026-11-27']\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print('LOADED:' + ','.join(sorted(m for m in sys.modules"
        " if m.split('.')[0] in ('pydantic', 'yaml') or m.startswith('costcalc.schema'))))\n"
    )
    env = dict(os.environ, COSTCALC_CACHE_DIR=str(tmp_path / "cache"))
    outs = []
    for run in ("warm-up", "timed"):  # the first run fills the catalog cache
        argv = [sys.executable, "-c", code, str(tmp_path / run)]
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True, cwd=REPO)
        outs.append(done.stdout)
    assert outs[-1].strip().splitlines()[-1] == "LOADED:", outs[-1]
    assert (tmp_path / "timed" / "providers" / "openai.yaml").is_file()


def _period(**extra: Any) -> dict[str, Any]:
    return {
        "as_of": DAY,
        "source": "litellm f.json#k",
        "input": Decimal(1),
        "output": Decimal(2),
    } | extra


@pytest.mark.parametrize(
    "offer",
    [
        {"model": "a/b", "prices": []},  # no period
        {"model": "A", "prices": [_period()]},  # not an id
        {"model": " a", "prices": [_period()]},  # an id pydantic would strip: left to it
        {"model": "a" * 161, "prices": [_period()]},
        {"model": "a", "api_model": "x" * 201, "prices": [_period()]},
        {"model": "a", "api_model": "x\ud800", "prices": [_period()]},
        {"model": "a", "prices": [_period(input=None)]},
        {"model": "a", "prices": [_period(input=Decimal("-1"))]},
        {"model": "a", "prices": [_period(input=Decimal("1e9") + 1)]},
        {"model": "a", "prices": [_period(input=Decimal("1e-41"))]},
        {"model": "a", "prices": [_period(input=Decimal("0E-81"))]},
        {"model": "a", "prices": [_period(input=Decimal("1." + "1" * 40))]},
        {"model": "a", "prices": [_period(input=Decimal("NaN"))]},
        {"model": "a", "prices": [_period(input=1)]},  # an int: left to pydantic
        {"model": "a", "prices": [_period(input=True)]},
        {"model": "a", "prices": [_period(as_of=dt.datetime(2026, 1, 1))]},
        {"model": "a", "prices": [_period(source="ab ")]},
        {"model": "a", "prices": [_period(note=" ")]},
        {"model": "a", "prices": [_period(currency="XXX")]},
        {"model": "a", "prices": [_period(valid_until=dt.date(2027, 1, 1))]},
        {"model": "a", "prices": [_period(extra=1)]},
        {"model": "a", "prices": [_period(), _period()]},  # two periods on one day
        {"model": "a", "prices": [_period(tiers=[{"above_input_tokens": 0, "input": 1}])]},
        {
            "model": "a",
            "prices": [
                _period(
                    tiers=[
                        {"above_input_tokens": 5, "input": Decimal(1), "output": Decimal(1)},
                        {"above_input_tokens": 5, "input": Decimal(1), "output": Decimal(1)},
                    ]
                )
            ],
        },
        {
            "model": "a",
            "prices": [
                _period(
                    off_peak={
                        "window": {"start": "25:00", "end": "01:00"},
                        "input": Decimal(1),
                        "output": Decimal(1),
                    }
                )
            ],
        },
        {
            "model": "a",
            "prices": [
                _period(
                    batch={
                        "as_of": DAY - dt.timedelta(1),
                        "input": Decimal(1),
                        "output": Decimal(1),
                    }
                )
            ],
        },
        {"model": "a", "prices": [_period()], "rate_limits": []},
    ],
)
def test_certifier_leaves_doubtful_offers_to_pydantic(offer: dict[str, Any]) -> None:
    """Each of these offers is invalid, or valid only after pydantic's own coercion: the
    certifier does not vouch for it, so pydantic decides (and words any refusal)."""
    assert not Certain().offer(offer)


def test_certifier_vouches_for_the_shapes_importers_write() -> None:
    """A full period (tiers, batch, off-peak, note) and plain model facts are certified,
    and pydantic agrees."""
    offer = {
        "model": "openai/gpt-x",
        "api_model": "gpt-x",
        "prices": [
            _period(
                currency="USD",
                cached_input=Decimal("0.5"),
                note="LiteLLM cites https://example.com",
                tiers=[
                    {"above_input_tokens": 200000, "input": Decimal(2), "output": Decimal(4),
                     "batch": {"input": Decimal(1), "output": Decimal(2)}},
                ],
                batch={"input": Decimal("0.5"), "output": Decimal(1)},
                off_peak={
                    "window": {"start": "16:30", "end": "00:30"},
                    "input": Decimal("0.25"),
                    "output": Decimal("0.5"),
                },
            )
        ],
    }  # fmt: skip
    model = {
        "id": "openai/gpt-x",
        "name": "gpt-x",
        "vendor": "unknown",
        "open_weights": None,
        "license": "unknown",
        "context_window": 128000,
        "note": "Imported from LiteLLM; unknown: open weights, license, vendor.",
    }
    certain = Certain()
    assert certain.offer(offer) and certain.model(model)
    Offer.model_validate(offer)
    ModelInfo.model_validate(model)
    assert not certain.model({**model, "open_weights": 1})
    assert not certain.model({k: v for k, v in model.items() if k != "open_weights"})


_NAME = {"name": "deepseek-chat", "source": "https://example.com/news"}


@pytest.mark.parametrize(
    "names",
    [
        [{**_NAME, "from": DAY, "until": DAY}],  # empty window: refused
        [{**_NAME, "from": DAY + dt.timedelta(1), "until": DAY}],  # reversed: refused
        [{**_NAME, "from_": DAY}],  # the attribute name, not the key: refused
        [{**_NAME, "from": dt.datetime(2025, 9, 5, 16, tzinfo=dt.timezone.utc)}],  # a time
        [{**_NAME, "name": " deepseek-chat"}],  # stripped by pydantic first
        [{**_NAME, "name": ""}],
        [{**_NAME, "name": "x" * 201}],
        [{"name": "deepseek-chat"}],  # no source: refused
        [_NAME] * 51,  # too many: refused
        {"name": "deepseek-chat"},
    ],
)
def test_certifier_leaves_doubtful_api_names_to_pydantic(names: Any) -> None:
    """An `api_names` list that is invalid, or valid only after pydantic's coercion, is
    not vouched for."""
    assert not Certain().offer({"model": "a", "prices": [_period()], "api_names": names})


def test_certifier_vouches_for_dated_api_names() -> None:
    """Date-bounded names with a source are certified, and pydantic agrees."""
    offer = {
        "model": "a",
        "api_model": "a-1",
        "api_names": [
            {**_NAME, "from": DAY, "until": DAY + dt.timedelta(1), "note": "moved"},
            {"name": "a-latest", "source": "https://example.com"},
        ],
        "prices": [_period()],
    }
    assert Certain().offer(offer)
    assert len(Offer.model_validate(offer).api_names) == 2


_api_name_entries = st.fixed_dictionaries(
    {"name": st.text(max_size=3), "source": st.sampled_from(["abc", "  ab", "x"])},
    optional={
        "from": st.sampled_from([DAY, DAY + dt.timedelta(1), None]),
        "until": st.sampled_from([DAY, DAY + dt.timedelta(1), None]),
        "note": st.sampled_from(["n", " ", None]),
    },
)


@given(st.lists(_api_name_entries, max_size=3))
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_certified_api_names_are_valid(names: list[dict[str, Any]]) -> None:
    """Whatever the certifier vouches for, pydantic accepts."""
    offer = {"model": "a", "prices": [_period()], "api_names": names}
    if Certain().offer(offer):
        Offer.model_validate(offer)


def _fingerprint(*classes: type[Any]) -> str:
    """The schema classes' JSON schema and validator names, hashed."""
    parts = []
    for cls in classes:
        decorators = cls.__pydantic_decorators__
        parts.append(
            json.dumps(cls.model_json_schema(), sort_keys=True)
            + repr(sorted(decorators.field_validators))
            + repr(sorted(decorators.model_validators))
        )
    return hashlib.sha256("".join(parts).encode()).hexdigest()[:16]


def test_schema_fingerprint() -> None:
    """The certifier mirrors ModelInfo, Offer and the classes they hold. When this fails the
    schema changed: check costcalc/importers/certain.py still vouches only for data the
    new schema accepts, then update the fingerprint."""
    found = _fingerprint(ModelInfo, Offer, PricePeriod, Tier, OffPeak, Provider)
    assert found == "a5c4ffad6ba160f9", found


# ------------------------------------------------------------------ smaller pieces


def test_a_remembered_price_still_names_its_own_field() -> None:
    """A price converted once is reused for equal values however spelled (1.5E-6 and
    0.0000015), and a refused value is refused with the field that holds it each time."""
    builder = SheetBuilder("litellm", "f.json", DAY, default_url="https://example.com")
    a = builder.per_million(Decimal("1.5E-6"), "input_cost_per_token")
    b = builder.per_million(Decimal("0.0000015"), "output_cost_per_token")
    assert a == b == Decimal("1.5") and str(a) == "1.5"  # 1.5e-6 * 10^6 = 1.5
    for what in ("input_cost_per_token", "output_cost_per_token"):
        with pytest.raises(common.BadValue, match=f"^{what} is negative"):
            builder.per_million(Decimal("-1E-6"), what)
    assert builder.per_million(Decimal("0E-10"), "x") == 0


def test_repeated_numbers_are_read_as_one_decimal(tmp_path: Path) -> None:
    """Each number text of a feed file is read as one shared Decimal (looked up cheaply
    afterwards), with its exact value and spelling; different spellings stay apart."""
    path = tmp_path / "f.json"
    path.write_text('{"a": [1.5e-6, 1.5e-6, 0.0000015, -0.0, 2], "b": {"c": 1.5e-6}}\n')
    data = read_json(path)
    first, again, other, zero, two = data["a"]
    assert first is again is data["b"]["c"]
    assert str(first) == "0.0000015" and first.as_tuple() == Decimal("1.5e-6").as_tuple()
    assert other == first and other is not first and str(other) == "0.0000015"
    assert str(zero) == "-0.0" and two == 2 and type(two) is int


@settings(max_examples=300)
@given(
    st.text(st.sampled_from(" \t\n\r\x0b\x0c\x1c\x85\xa0\u2000\u2028\u3000\ufeffa.é"), max_size=6)
)
def test_text_is_empty_once_stripped_exactly_when_it_is_space(text: str) -> None:
    """The certifier asks `isspace()` where it asked whether the stripped text is empty:
    the same answer for every text (both use Python's one definition of white space)."""
    from costcalc.importers import certain

    assert certain._text(text) == (bool(text.strip()) and len(text) <= 4000)


def test_duplicate_json_keys_are_still_found(tmp_path: Path) -> None:
    """The reader names the first key given twice in an object (checked once per object)."""
    from costcalc.errors import InputError

    path = tmp_path / "f.json"
    path.write_text('{"a": {"x": 1, "y": 2, "x": 3}, "b": 1, "b": 2}\n')
    with pytest.raises(InputError) as err:
        read_json(path)
    assert "duplicate key 'x'" in str(err.value.problems[0])
