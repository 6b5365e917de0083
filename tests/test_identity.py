"""One model identity: feed names resolve to canonical ids; later layers join offers."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from costcalc.catalog import load_catalog
from costcalc.cli import app
from costcalc.identity import ApiName, Identity, matches
from costcalc.importers import litellm
from helpers import MINI

D = dt.date


def _identity() -> Identity:
    return Identity.build(
        {"deepseek-r1": [], "deepseek-v3.1": [], "gpt-4o": ["gpt-4o-2024-08-06"], "o3": []},
        [
            ApiName(
                "deepseek", "deepseek-reasoner", "deepseek-r1", (D(2025, 1, 20),), (D(2025, 8, 21),)
            ),
            ApiName("deepseek", "deepseek-reasoner", "deepseek-v3.1", (D(2025, 8, 21),), (None,)),
            ApiName("openai", "gpt-4o", "gpt-4o", (D(2024, 8, 6),), (None,)),
        ],
    )


def test_api_name_picks_the_model_in_force_on_the_day() -> None:
    """deepseek-reasoner named R1 before 2025-08-21 and V3.1 from then; on no day both."""
    ident = _identity()
    assert ident.offer("deepseek", ["deepseek-reasoner"], D(2025, 4, 13)).model == "deepseek-r1"
    assert ident.offer("deepseek", ["deepseek/deepseek-reasoner"], D(2025, 9, 1)).model == (
        "deepseek-v3.1"
    )
    assert ident.offer("deepseek", ["deepseek-reasoner"], D(2024, 1, 1)).model is None


def test_model_names_with_vendor_prefixes_and_aliases() -> None:
    """LiteLLM's `openai/gpt-4o`, a snapshot alias and OpenRouter's `openai/o3` all resolve;
    Azure's regional deployment `eu/gpt-4o` (priced differently) and a near miss do not."""
    ident = _identity()
    assert ident.offer("openai", ["openai/gpt-4o"], D(2026, 1, 1)).how == "api name"
    assert ident.offer("azure", ["gpt-4o-2024-08-06"], D(2026, 1, 1)).model == "gpt-4o"
    assert ident.offer("openrouter", ["openai/o3"], D(2026, 1, 1)).model == "o3"
    assert ident.offer("azure", ["azure/eu/gpt-4o"], D(2026, 1, 1)).model is None
    assert ident.offer("openai", ["gpt-4o-mini"], D(2026, 1, 1)).model is None
    assert ident.model("OpenRouter/OpenAI/GPT-4o") == "gpt-4o"


def test_genai_prices_match_clause() -> None:
    """equals/starts_with/or are understood; a regex from a feed is never run."""
    clause = {"or": [{"equals": "gpt-4o"}, {"starts_with": "gpt-4o-2024"}]}
    assert matches(clause, "gpt-4o-2024-08-06") and not matches(clause, "gpt-4o-mini")
    assert not matches({"regex": ".*"}, "anything")
    assert not matches({"and": []}, "x")
    deep: dict[str, object] = {"equals": "x"}
    for _ in range(50):
        deep = {"or": [deep]}
    assert not matches(deep, "x")  # nested past the limit: no match, no recursion error
    ident = _identity()
    found = ident.offer("openai", ["gpt-4o-latest"], D(2026, 1, 1), match={"starts_with": "gpt-4o"})
    assert found.model == "gpt-4o"


def test_litellm_rows_of_bundled_models_join_bundled_offers() -> None:
    """A LiteLLM row `openai/o3` at provider openai is filed as the bundled `o3` offer and writes
    no model facts; an unknown model keeps its own provider-qualified id and is reported."""
    ident = _identity()
    ident.api_names["openai"].append(ApiName("openai", "o3", "o3", (D(2025, 4, 16),), (None,)))
    feed = {
        "openai/o3": {
            "litellm_provider": "openai",
            "input_cost_per_token": Decimal("2e-6"),
            "output_cost_per_token": Decimal("8e-6"),
        },
        "new-model": {
            "litellm_provider": "openai",
            "input_cost_per_token": Decimal("1e-6"),
            "output_cost_per_token": Decimal("1e-6"),
        },
    }
    result = litellm.convert(feed, source_file="f.json", as_of=D(2026, 11, 27), identity=ident)
    assert result.matched == {"openai/o3": "o3"}
    assert [m["id"] for m in result.models] == ["openai/new-model"]
    assert [o["model"] for o in result.sheets["openai"]["offers"]] == ["o3", "openai/new-model"]
    assert [(u.key, u.reason) for u in result.unmatched] == [
        ("new-model", "no bundled model or API name")
    ]


def _later_layer(tmp_path: Path) -> Path:
    layer = tmp_path / "later"
    layer.mkdir()
    (layer / "us.yaml").write_text(
        "kind: price-sheet\n"
        'provider: {id: ushost, name: US Host, country: US, currency: USD, pricing_url: "https://example.com/p"}\n'
        "offers:\n"
        "  - model: alpha\n"
        "    prices:\n"
        '      - {as_of: 2025-06-01, source: "import", input: 0.25, output: 0.75}\n'
        "  - model: beta\n"
        "    prices:\n"
        '      - {as_of: 2025-01-01, source: "same day: replaces", input: 2, output: 20}\n'
    )
    return layer


def test_later_layer_periods_join_the_bundled_offer(tmp_path: Path) -> None:
    """alpha @ ushost keeps its 2025-01-01 period ($0.50/$1) and gains the later layer's
    2025-06-01 one ($0.25/$0.75); beta's period of the same day and currency is replaced;
    beta's rate limits, which the later layer does not list, are kept."""
    catalog = load_catalog([MINI, _later_layer(tmp_path)], include_bundled=False)
    alpha = next(o for o in catalog.offers if o.label == "alpha @ ushost")
    assert [(p.as_of, p.input, p.output) for p in alpha.offer.prices] == [
        (D(2025, 1, 1), Decimal("0.5"), Decimal("1")),
        (D(2025, 6, 1), Decimal("0.25"), Decimal("0.75")),
    ]
    assert alpha.period_origins[0].file.endswith("mini/providers/ushost.yaml")
    assert alpha.period_origins[1].file.endswith("later/us.yaml")
    beta = next(o for o in catalog.offers if o.label == "beta @ ushost")
    assert [(p.as_of, p.input) for p in beta.offer.prices] == [(D(2025, 1, 1), Decimal("2"))]
    assert [r.tier for r in beta.offer.rate_limits] == ["free"]


def test_joined_offer_costs_by_date(tmp_path: Path) -> None:
    """1M in + 1M out of alpha @ ushost: $0.50 + $1 = $1.50 on 2025-04-13 (bundled period),
    $0.25 + $0.75 = $1.00 on 2025-07-01 (the later layer's period)."""
    layer = _later_layer(tmp_path)

    def total(day: str) -> Decimal:
        result = CliRunner().invoke(
            app,
            [
                "cost",
                "alpha",
                "--no-bundled",
                "--pricing",
                str(MINI),
                "--pricing",
                str(layer),
                "--provider",
                "ushost",
                "--input-tokens",
                "1000000",
                "--output-tokens",
                "1000000",
                "--as-of",
                day,
                "--format",
                "json",
            ],
        )
        assert result.exit_code == 0, result.stderr
        return Decimal(json.loads(result.stdout)["total"])

    assert total("2025-04-13") == Decimal("1.5")
    assert total("2025-07-01") == Decimal("1.00")


def test_import_then_compare_refreshes_a_bundled_offer(tmp_path: Path) -> None:
    """`import litellm` of a row for bundled o3 at OpenAI, then `cost o3` on the import day,
    bills the imported price: 1M in x $1 + 1M out x $4 = $5 (test figures); on 2025-06-01 the
    bundled launch price is still used: $10 + $40 = $50 (the bundled history is kept)."""
    feed = tmp_path / "feed.json"
    feed.write_text(
        '{"o3": {"litellm_provider": "openai", "input_cost_per_token": 1e-6,'
        ' "output_cost_per_token": 4e-6}}'
    )
    out = tmp_path / "imported"
    runner = CliRunner()
    result = runner.invoke(
        app, ["import", "litellm", str(feed), "-o", str(out), "--as-of", "2026-11-27"]
    )
    assert result.exit_code == 0, result.stderr
    assert "matched 1 row to bundled models; 0 kept under their own ids" in result.stderr

    def cost(day: str) -> dict[str, object]:
        res = runner.invoke(
            app,
            [
                "cost",
                "o3",
                "--provider",
                "openai",
                "--pricing",
                str(out),
                "--as-of",
                day,
                "--input-tokens",
                "1000000",
                "--output-tokens",
                "1000000",
                "--format",
                "json",
            ],
        )
        assert res.exit_code == 0, res.stderr
        payload: dict[str, object] = json.loads(res.stdout)
        return payload

    assert Decimal(str(cost("2026-11-28")["total"])) == Decimal("5")
    assert Decimal(str(cost("2025-06-01")["total"])) == Decimal("50")


def test_compare_notes_name_a_dozen_models_at_most(tmp_path: Path) -> None:
    """A layer of 30 unscored models: the text note names 12 models and counts the rest; the
    JSON still lists all 30."""
    layer = tmp_path / "many"
    layer.mkdir()
    models = "".join(
        f"  - {{id: m{i:02d}, name: M{i}, vendor: V, open_weights: true, license: mit}}\n"
        for i in range(30)
    )
    offers = "".join(
        f'  - model: m{i:02d}\n    prices: [{{as_of: 2025-01-01, source: "test", input: 1, output: 1}}]\n'
        for i in range(30)
    )
    (layer / "models.yaml").write_text("kind: models\nmodels:\n" + models)
    (layer / "p.yaml").write_text(
        "kind: price-sheet\n"
        'provider: {id: p, name: P, country: US, currency: USD, pricing_url: "https://e.com"}\n'
        "offers:\n" + offers
    )
    runner = CliRunner()
    args = ["compare", "--pricing", str(layer), "--as-of", "2025-06-01"]
    text = runner.invoke(app, args)
    assert text.exit_code == 0, text.stderr
    note = text.stdout.replace("\n", " ")
    start = note.index("no score on the profile's benchmarks: ")
    listed = note[start:].split(": ", 1)[1].split(", ... and ")[0].split(", ")
    assert len(listed) == 12
    assert "more (--format json lists all)" in note[start : start + 2000]
    payload = json.loads(runner.invoke(app, [*args, "--format", "json"]).stdout)
    assert sum(1 for m in payload["not_scored"] if m.startswith("m")) >= 30


def test_catalog_lookup_understands_feed_names() -> None:
    """`costcalc cost openai/gpt-4o` finds gpt-4o; a snapshot alias and a provider namespace
    work too; a regional deployment name does not (it is priced differently)."""
    import pytest

    from costcalc.errors import InputError

    catalog = load_catalog([])
    assert catalog.model("openai/gpt-4o").id == "gpt-4o"
    assert catalog.model("gemini/gemini-2.5-pro").id == "gemini-2.5-pro"
    assert catalog.model("openrouter/openai/gpt-4o-2024-08-06").id == "gpt-4o"
    with pytest.raises(InputError, match="unknown model"):
        catalog.model("azure/eu/gpt-4o")
