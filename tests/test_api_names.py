"""An offer's `api_names`: other names the provider's API answered for its model, each in a
window [from, until). DeepSeek's deepseek-chat and deepseek-reasoner moved on together from
V3.1; the bundled sheet gives deepseek-chat to each V3.x offer (V3.1 from 2025-09-05 16:00 UTC)
and both legacy names to V4-Flash until 2026-07-24 15:59 UTC. Figures worked by hand from
pricing/providers/deepseek.yaml (USD lists, per million tokens)."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from costcalc.catalog import Catalog, load_catalog
from costcalc.cli import app
from costcalc.identity import Identity
from costcalc.replay import replay
from costcalc.replay.identity import Resolution, offer_at, resolve, switches

UTC = dt.timezone.utc
D = dt.date

HEADER = "timestamp,model,provider,input_tokens,cached_tokens,output_tokens\n"
# Every row at 12:00 UTC: outside the only off-peak window these offers have (V3-0324's
# 16:30-00:30, which ended 2025-08-21); V4-Flash's peak/off-peak list starts 2026-08-16 16:00.
# input_tokens includes the cached ones.
LOG = HEADER + (
    "2025-06-01T12:00:00Z,deepseek-chat,deepseek,1000000,200000,500000\n"
    "2025-08-25T12:00:00Z,deepseek-chat,deepseek,1000000,200000,500000\n"
    "2025-09-10T12:00:00Z,deepseek-chat,deepseek,1000000,200000,500000\n"
    "2025-10-05T12:00:00Z,deepseek-chat,deepseek,1000000,200000,500000\n"
    "2026-05-01T12:00:00Z,deepseek-chat,deepseek,1000000,200000,500000\n"
    "2026-08-01T12:00:00Z,deepseek-chat,deepseek,1000000,200000,500000\n"
    "2026-05-01T12:00:00Z,deepseek-reasoner,deepseek,2000000,1000000,1000000\n"
)

# deepseek-chat rows: 0.8M uncached in, 0.2M cached, 0.5M out.
# 2025-06-01 V3-0324, standard list 0.27 / 0.07 / 1.10:
#   0.8 x 0.27 = 0.216; 0.2 x 0.07 = 0.014; 0.5 x 1.10 = 0.55 -> 0.78
V3_0324 = Decimal("0.78")
# 2025-08-25: deepseek-chat served V3.1 at V3's old list, which no offer holds -> unpriced.
# 2025-09-10 V3.1, one list from 2025-09-05 16:00 UTC, 0.56 / 0.07 / 1.68:
#   0.8 x 0.56 = 0.448; 0.2 x 0.07 = 0.014; 0.5 x 1.68 = 0.84 -> 1.302
V3_1 = Decimal("1.302")
# 2025-10-05 V3.2-Exp, 0.28 / 0.028 / 0.42:
#   0.8 x 0.28 = 0.224; 0.2 x 0.028 = 0.0056; 0.5 x 0.42 = 0.21 -> 0.4396
V3_2_EXP = Decimal("0.4396")
# 2026-05-01 V4-Flash, 0.14 / 0.0028 / 0.28:
#   deepseek-chat: 0.8 x 0.14 = 0.112; 0.2 x 0.0028 = 0.00056; 0.5 x 0.28 = 0.14 -> 0.25256
#   deepseek-reasoner (1M uncached, 1M cached, 1M out): 0.14 + 0.0028 + 0.28 = 0.4228
V4_FLASH = Decimal("0.25256") + Decimal("0.4228")  # 0.67536
# 2026-08-01: both legacy names retired 2026-07-24 15:59 UTC -> unpriced.
TOTAL = V3_0324 + V3_1 + V3_2_EXP + V4_FLASH  # 3.19696


@pytest.fixture(scope="module")
def bundled() -> Catalog:
    return load_catalog([])


def test_replay_prices_deepseek_chat_through_each_model_it_named(
    bundled: Catalog, tmp_path: Path
) -> None:
    """Each deepseek-chat row is priced by the model the name served at its instant; the
    15 days at V3's old list and the traffic after retirement are counted as unpriced."""
    log = tmp_path / "log.csv"
    log.write_text(LOG, encoding="utf-8")
    result = replay([log], catalog=bundled)
    costs = {key: totals.cost for key, totals in result.by_model.items()}
    assert costs == {
        ("deepseek-v3-0324", "deepseek"): V3_0324,
        ("deepseek-v3.1", "deepseek"): V3_1,
        ("deepseek-v3.2-exp", "deepseek"): V3_2_EXP,
        ("deepseek-v4-flash", "deepseek"): V4_FLASH,
    }
    assert result.by_model[("deepseek-v4-flash", "deepseek")].requests == 2
    assert result.total == TOTAL == Decimal("3.19696")
    ((model, provider, requests),) = [(u.model, u.provider, u.requests) for u in result.unpriced]
    assert (model, provider, requests) == ("deepseek-chat", "deepseek", 2)


def test_handover_instants(bundled: Catalog, tmp_path: Path) -> None:
    """deepseek-chat names V3.1 from 2025-09-05 16:00:00 UTC exactly, and V4-Flash until
    2026-07-24 15:59:00 UTC exactly (1M uncached in, 1M out a row)."""
    log = tmp_path / "edges.csv"
    log.write_text(
        HEADER + "2025-09-05T15:59:59Z,deepseek-chat,deepseek,1000000,0,1000000\n"
        "2025-09-05T16:00:00Z,deepseek-chat,deepseek,1000000,0,1000000\n"
        "2026-07-24T15:58:59Z,deepseek-chat,deepseek,1000000,0,1000000\n"
        "2026-07-24T15:59:00Z,deepseek-reasoner,deepseek,1000000,0,1000000\n",
        encoding="utf-8",
    )
    result = replay([log], catalog=bundled)
    costs = {key[0]: totals.cost for key, totals in result.by_model.items()}
    # V3.1 at 16:00:00: 0.56 + 1.68 = 2.24; V4-Flash at 15:58:59: 0.14 + 0.28 = 0.42
    assert costs == {"deepseek-v3.1": Decimal("2.24"), "deepseek-v4-flash": Decimal("0.42")}
    assert sorted((u.model, u.requests) for u in result.unpriced) == [
        ("deepseek-chat", 1),
        ("deepseek-reasoner", 1),
    ]
    # Each unpriced line says which window it fell outside of.
    reasons = {u.model: u.reason for u in result.unpriced}
    assert reasons["deepseek-chat"].endswith(
        "; deepseek-chat names deepseek-v3.1 from 2025-09-05 16:00 UTC"
    )
    assert reasons["deepseek-reasoner"].endswith(
        "; deepseek-reasoner named deepseek-v4-flash until 2026-07-24 15:59 UTC"
    )


def test_cli_replay_json_and_exit_codes(tmp_path: Path) -> None:
    """`costcalc replay -f json` on the bundled catalog gives the hand-worked figures (exit 0);
    a --pricing layer whose api_names window is reversed is exit 2 naming file, line, field."""
    log = tmp_path / "log.csv"
    log.write_text(LOG, encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(app, ["replay", str(log), "-f", "json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert Decimal(doc["total"]) == TOTAL
    assert {(m["model"], Decimal(m["cost"])) for m in doc["by_model"]} == {
        ("deepseek-v3-0324", V3_0324),
        ("deepseek-v3.1", V3_1),
        ("deepseek-v3.2-exp", V3_2_EXP),
        ("deepseek-v4-flash", V4_FLASH),
    }
    assert [(u["model"], u["requests"]) for u in doc["unpriced"]] == [("deepseek-chat", 2)]
    layer = tmp_path / "layer"
    layer.mkdir()
    (layer / "deepseek-more.yaml").write_text(
        "kind: price-sheet\n"
        "provider: {id: deepseek, name: DeepSeek, country: CN, currency: CNY,"
        ' pricing_url: "https://api-docs.deepseek.com/quick_start/pricing"}\n'
        "offers:\n"
        "  - model: deepseek-v3.2\n"
        "    api_names:\n"
        "      - {name: deepseek-chat, from: 2026-01-01, until: 2025-12-01, source: test}\n"
        "    prices:\n"
        "      - {as_of: 2025-12-01, currency: USD, source: test, input: 1, output: 1}\n",
        encoding="utf-8",
    )
    bad = runner.invoke(app, ["replay", str(log), "--pricing", str(layer)])
    assert bad.exit_code == 2
    assert (
        "deepseek-more.yaml:6: offers[0].api_names[0]: until 2025-12-01 is not after from"
        " 2026-01-01"
    ) in bad.stderr
    assert "Traceback" not in bad.output


def test_importer_identity_picks_the_model_the_name_served_that_day(bundled: Catalog) -> None:
    """An importer's row for deepseek-chat on a day resolves to the model in force that day
    (a day's price holds at its 00:00 UTC): none while deepseek-chat billed V3's old list on
    V3.1, nor after the retirement."""
    ident = Identity.from_catalog(bundled)

    def chat(day: dt.date, name: str = "deepseek-chat") -> str | None:
        return ident.offer("deepseek", [name], day).model

    assert chat(D(2025, 6, 1)) == "deepseek-v3-0324"
    assert chat(D(2025, 8, 25)) is None
    assert chat(D(2025, 9, 5)) is None  # V3.1 named from 16:00 that day
    assert chat(D(2025, 9, 6)) == "deepseek-v3.1"
    assert chat(D(2025, 9, 25)) == "deepseek-v3.1-terminus"
    assert chat(D(2025, 10, 5)) == "deepseek-v3.2-exp"
    assert chat(D(2026, 1, 5)) == "deepseek-v3.2"
    assert chat(D(2026, 5, 1)) == "deepseek-v4-flash"
    assert chat(D(2026, 7, 24)) == "deepseek-v4-flash"  # retired at 15:59 that day
    assert chat(D(2026, 7, 25)) is None
    assert chat(D(2026, 5, 1), "deepseek-reasoner") == "deepseek-v4-flash"
    assert chat(D(2026, 5, 1), "deepseek-v4-flash") == "deepseek-v4-flash"


# Who each name served, by hand from the sheet's dates ([start, end), UTC); None: no offer.
CHAT = [
    (dt.datetime(2024, 12, 26, tzinfo=UTC), "deepseek-v3"),
    (dt.datetime(2025, 3, 25, tzinfo=UTC), "deepseek-v3-0324"),
    (dt.datetime(2025, 8, 21, tzinfo=UTC), None),  # V3.1 at V3's old list: no offer
    (dt.datetime(2025, 9, 5, 16, tzinfo=UTC), "deepseek-v3.1"),
    (dt.datetime(2025, 9, 22, tzinfo=UTC), "deepseek-v3.1-terminus"),
    (dt.datetime(2025, 9, 29, tzinfo=UTC), "deepseek-v3.2-exp"),
    (dt.datetime(2025, 12, 1, tzinfo=UTC), "deepseek-v3.2"),
    (dt.datetime(2026, 4, 24, tzinfo=UTC), "deepseek-v4-flash"),
    (dt.datetime(2026, 7, 24, 15, 59, tzinfo=UTC), None),  # retired
]
REASONER = [
    (dt.datetime(2025, 1, 20, tzinfo=UTC), "deepseek-r1"),
    (dt.datetime(2025, 5, 28, tzinfo=UTC), "deepseek-r1-0528"),
    (dt.datetime(2025, 8, 21, tzinfo=UTC), "deepseek-v3.1"),
    (dt.datetime(2025, 9, 22, tzinfo=UTC), "deepseek-v3.1-terminus"),
    (dt.datetime(2025, 9, 29, tzinfo=UTC), "deepseek-v3.2-exp"),
    (dt.datetime(2025, 12, 1, tzinfo=UTC), "deepseek-v3.2"),
    (dt.datetime(2026, 4, 24, tzinfo=UTC), "deepseek-v4-flash"),
    (dt.datetime(2026, 7, 24, 15, 59, tzinfo=UTC), None),
]
TIMELINES = {"deepseek-chat": CHAT, "deepseek-reasoner": REASONER}


def _expected(name: str, at: dt.datetime) -> str | None:
    timeline = TIMELINES[name]
    i = bisect.bisect_right([start for start, _ in timeline], at)
    return timeline[i - 1][1] if i else None


@functools.cache
def _resolved(name: str) -> tuple[Resolution, list[dt.datetime]]:
    """The name resolved on the bundled catalog, and its switches (once per test run)."""
    res = resolve(load_catalog([]), name, "deepseek")
    return res, switches(res.entries, res.windows)


instants = st.datetimes(
    min_value=dt.datetime(2024, 12, 1), max_value=dt.datetime(2026, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(TIMELINES)), at=instants)
def test_offer_at_follows_each_names_window(name: str, at: dt.datetime) -> None:
    """offer_at gives the model the name served at any instant (the hand-made timelines
    above), and the same one as at the start of its interval between two switches."""
    res, bounds = _resolved(name)
    chosen = offer_at(res.entries, at, res.windows)
    assert (chosen.model.id if chosen else None) == _expected(name, at)
    i = bisect.bisect_right(bounds, at)
    if i:
        first = offer_at(res.entries, bounds[i - 1], res.windows)
        assert first is chosen


def test_a_window_inside_an_open_offer_takes_the_name_for_its_time(tmp_path: Path) -> None:
    """Two open offers at one provider: `b` holds name `x` as its api_model, `a` names `x` in
    api_names for [2025-06-01 12:00, 2025-07-01): inside, `a` (started later) is chosen;
    outside, `b`. Without windows `a` would answer for `x` at any time."""
    (tmp_path / "s.yaml").write_text(
        "kind: models\nmodels:\n"
        "  - {id: a, name: A, vendor: V, open_weights: true, license: mit}\n"
        "  - {id: b, name: B, vendor: V, open_weights: true, license: mit}\n"
    )
    (tmp_path / "p.yaml").write_text(
        "kind: price-sheet\n"
        'provider: {id: p, name: P, country: US, currency: USD, pricing_url: "https://p.example"}\n'
        "offers:\n"
        "  - model: a\n    api_model: a-1\n    api_names:\n"
        '      - {name: x, from: "2025-06-01T12:00:00Z", until: 2025-07-01, source: src}\n'
        "    prices: [{as_of: 2025-01-01, source: src, input: 1, output: 1}]\n"
        "  - model: b\n    api_model: x\n"
        "    prices: [{as_of: 2025-01-01, source: src, input: 2, output: 2}]\n"
    )
    catalog = load_catalog([tmp_path], include_bundled=False)
    res = resolve(catalog, "x", "p")
    assert sorted(e.model.id for e in res.entries) == ["a", "b"]

    def at(*when: int) -> str | None:
        found = offer_at(res.entries, dt.datetime(*when, tzinfo=UTC), res.windows)
        return found.model.id if found else None

    assert at(2025, 6, 1, 11, 59) == "b"
    assert at(2025, 6, 1, 12) == "a"
    assert at(2025, 6, 30, 23, 59) == "a"
    assert at(2025, 7, 1) == "b"
    bounds = switches(res.entries, res.windows)
    assert dt.datetime(2025, 6, 1, 12, tzinfo=UTC) in bounds
    assert dt.datetime(2025, 7, 1, tzinfo=UTC) in bounds
    # Its own api_model names `a` at any time; a name it does not give names nothing.
    assert [e.model.id for e in resolve(catalog, "a-1", "p").entries] == ["a"]
    assert resolve(catalog, "a-1", "p").windows == ()


def test_an_imported_feed_leaves_the_offers_api_names_alone(
    bundled: Catalog, tmp_path: Path
) -> None:
    """genai-prices spells DeepSeek's V3.x models by their own ids (deepseek-v3.2), not by the
    API names the bundled offers hold (deepseek-reasoner, and deepseek-chat in windows). The
    import files those rows under the bundled offers without an `api_model`, so layering it
    keeps the offers' API names. Before, the layer replaced them, and a deepseek-reasoner row
    of 2026-01-15 was billed as R1-0528 (0.55 + 2.19 = 2.74) instead of V3.2 (1M uncached in,
    1M out: 0.28 + 0.42 = 0.70)."""
    from costcalc.identity import Identity

    feed = tmp_path / "feed"
    out = CliRunner().invoke(
        app,
        ["import", "genai-prices", "tests/fixtures/importers/genai-prices/providers/deepseek.yml",
         "-o", str(feed), "--as-of", "2026-11-27"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    sheet = (feed / "providers" / "deepseek.yaml").read_text(encoding="utf-8")
    offers = sheet.split("\n- model: ")[1:]
    api_models = {
        o.split("\n")[0].strip('"'): next(
            (line.split(": ")[1].strip('"') for line in o.split("\n") if "api_model:" in line),
            None,
        )
        for o in offers
    }
    # Kept where it is the offer's own API name (or names a model the bundle does not sell).
    assert api_models["deepseek-r1-0528"] == "deepseek-reasoner"
    assert api_models["deepseek-v3-0324"] == "deepseek-chat"
    assert api_models["deepseek-v4-flash"] == "deepseek-v4-flash"
    # Left out where the bundled offer is named otherwise.
    for model in ("deepseek-v3.1-terminus", "deepseek-v3.2-exp", "deepseek-v3.2"):
        assert api_models[model] is None, model
    log = tmp_path / "log.csv"
    log.write_text(HEADER + "2026-01-15T10:00:00Z,deepseek-reasoner,deepseek,1000000,0,1000000\n")
    layered = load_catalog([feed])
    result = replay([log], catalog=layered)
    assert {k[0]: t.cost for k, t in result.by_model.items()} == {"deepseek-v3.2": Decimal("0.70")}
    assert result.total == replay([log], catalog=bundled).total
    identity = Identity.from_catalog(bundled)
    assert identity.names_offer("deepseek", "deepseek-v3.2", "DeepSeek-Reasoner")
    assert not identity.names_offer("deepseek", "deepseek-v3.2", "deepseek-v3.2")
    assert identity.names_offer("deepseek", "no-such-model", "anything")
