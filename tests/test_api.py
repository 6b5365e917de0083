"""costcalc.api, the Python API: every call from Python, checked against figures worked out by
hand and against the JSON the same command prints with `--format json`."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costcalc import api
from costcalc.catalog import Catalog
from costcalc.cli import app
from costcalc.errors import InputError
from helpers import MINI, MINI_REL, million_each

MINI_ARGS = ["--no-bundled", "--pricing", MINI_REL]
DIFF_OLD = "tests/fixtures/importers/diff/old"
DIFF_NEW = "tests/fixtures/importers/diff/new"
REPLAY = Path("tests/fixtures/replay")
JULY = dt.date(2025, 7, 1)


def cli_json(*args: str) -> dict[str, object]:
    """The document a command prints with --format json (exit 0 or 1)."""
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    doc: dict[str, object] = json.loads(result.stdout)
    return doc


def cli_text(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code in (0, 1), result.output
    return result.stdout


@pytest.fixture(scope="module")
def mini() -> Catalog:
    return api.load_catalog(MINI_REL, bundled=False)


def test_importing_the_api_stays_light() -> None:
    """`import costcalc` names no call, and `from costcalc import api` imports no pydantic,
    rich or typer (a notebook pays for what it calls)."""
    code = (
        "import sys, costcalc\n"
        "assert not hasattr(costcalc, 'compare') and not hasattr(costcalc, 'cost')\n"
        "from costcalc import api\n"
        "print(','.join(m for m in ('pydantic', 'rich', 'typer', 'costcalc.catalog')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_load_catalog(mini: Catalog) -> None:
    """The mini sheets alone: 3 models, 2 providers; no sheets at all is refused."""
    catalog = api.load_catalog([MINI], bundled=False)
    assert sorted(catalog.models) == ["alpha", "beta", "gamma"]
    assert sorted(catalog.providers) == ["cnhost", "ushost"]
    with pytest.raises(InputError, match="needs at least one pricing folder"):
        api.load_catalog(bundled=False)


def test_cost_by_hand_and_as_the_cli(mini: Catalog) -> None:
    """alpha on 2025-04-13 in CNY, 1M prompt and 1M answer tokens:
    ushost $0.5 + $1 = $1.5, converted at 7.25 CNY/USD = ¥10.875 (the cheapest);
    cnhost publishes CNY: 1M x ¥4 + 1M x ¥16 = ¥20."""
    report = api.cost(
        "alpha",
        input_tokens=1_000_000,
        output_tokens=1_000_000,
        currency="CNY",
        when=dt.date(2025, 4, 13),
        catalog=mini,
    )
    assert report.total == Decimal("10.875")
    assert report.best.provider == "ushost"
    assert [(r.provider, r.total) for r in report.offers.others] == [("cnhost", Decimal("20"))]
    assert report.currency == "CNY"
    assert report.payload()["total"] == "10.875"
    cli = cli_json(
        "cost",
        "alpha",
        *MINI_ARGS,
        *million_each("CNY", "2025-04-13"),
    )
    assert json.loads(report.to_json()) == cli
    assert report.to_json() == cli_text(
        "cost",
        "alpha",
        *MINI_ARGS,
        *million_each("CNY", "2025-04-13"),
        "--format",
        "json",
    )


def test_cost_of_one_provider_with_cache_and_batch(mini: Catalog) -> None:
    """beta @ ushost, 2 requests of 100,000 prompt tokens (20,000 cached, 10,000 written to
    cache), 50,000 answer and 10,000 reasoning tokens, half of them through the batch API:
    standard half (1 request): uncached input 100,000 - 20,000 - 10,000 = 70,000 x 1.25 / 1e6
      = 0.0875; 20,000 x 0.125 = 0.0025; 10,000 x 1.5 = 0.015; 50,000 x 10 = 0.5;
      10,000 x 12 = 0.12                                                  -> 0.725
    batch half (1 request): the batch block has input 0.625 and output 5 only, so cache
      reads and writes are billed as batch input and reasoning as batch output:
      70,000 x 0.625 = 0.04375; 20,000 x 0.625 = 0.0125; 10,000 x 0.625 = 0.00625;
      50,000 x 5 = 0.25; 10,000 x 5 = 0.05                                -> 0.3625
    total = 0.725 + 0.3625 = 1.0875 (USD, the provider's currency: one offer)."""
    report = api.cost(
        "beta",
        input_tokens=100_000,
        cached_tokens=20_000,
        cache_write_tokens=10_000,
        output_tokens=50_000,
        reasoning_tokens=10_000,
        requests=2,
        batch_share="0.5",
        provider="ushost",
        when=dt.date(2025, 6, 1),
        catalog=mini,
    )
    assert report.total == Decimal("1.0875")
    assert report.currency == "USD"
    cli = cli_json(
        "cost",
        "beta",
        *MINI_ARGS,
        "--provider",
        "ushost",
        "--input-tokens",
        "100000",
        "--cached-tokens",
        "20000",
        "--cache-write-tokens",
        "10000",
        "--output-tokens",
        "50000",
        "--reasoning-tokens",
        "10000",
        "--requests",
        "2",
        "--batch-share",
        "0.5",
        "--as-of",
        "2025-06-01",
    )
    assert report.payload() == {k: v for k, v in cli.items() if k != "schema_version"}


def test_cost_errors_are_input_errors(mini: Catalog) -> None:
    with pytest.raises(InputError, match="did you mean 'alpha'"):
        api.cost("alhpa", input_tokens=1, output_tokens=1, catalog=mini)
    with pytest.raises(InputError, match="unknown currency 'XYZ'"):
        api.cost("alpha", input_tokens=1, output_tokens=1, currency="XYZ", catalog=mini)
    with pytest.raises(InputError, match="no provider sheet offers it"):
        api.cost("gamma", input_tokens=1, output_tokens=1, catalog=mini)
    with pytest.raises(InputError, match="either catalog= or pricing="):
        api.cost("alpha", input_tokens=1, output_tokens=1, catalog=mini, pricing=MINI)


def test_models(mini: Catalog) -> None:
    """Open weights: alpha and gamma; ushost's proprietary models: beta; as the CLI prints."""
    assert api.models(open_weights=True, catalog=mini).ids == ["alpha", "gamma"]
    report = api.models(provider="ushost", license_id="PROPRIETARY", catalog=mini)
    assert report.ids == ["beta"]
    assert report.rows[0].providers == ("ushost",)
    assert report.to_json() == cli_text(
        "models", *MINI_ARGS, "--provider", "ushost", "--license", "proprietary", "-f", "json"
    )
    whole = api.models(pricing=MINI_REL, bundled=False)
    assert json.loads(whole.to_json()) == cli_json("models", *MINI_ARGS)
    # alpha: parameters {total_b: 7}, no active count
    assert whole.payload()["models"][0]["parameters_total_b"] == "7"
    with pytest.raises(InputError, match="unknown license 'mti'; did you mean 'mit'"):
        api.models(license_id="mti", catalog=mini)


def test_prices_diff() -> None:
    """beta's input went from 1.25 to 1: (1 - 1.25) / 1.25 = -20.00%; delta added, gamma
    removed, alpha unchanged; beta and zeta changed (2 offers, 5 prices)."""
    report = api.prices_diff(DIFF_OLD, DIFF_NEW)
    assert [o.model for o in report.diff.added] == ["delta"]
    assert [o.model for o in report.diff.removed] == ["gamma"]
    first = report.diff.changed[0]
    assert (first.model, first.price, first.percent) == ("beta", "input", Decimal("-20.00"))
    summary = report.payload()["summary"]
    assert summary == {
        "added": 1,
        "removed": 1,
        "changed_offers": 2,
        "changed_prices": 5,
        "unchanged": 1,
    }
    assert report.to_json() == cli_text("prices", "diff", DIFF_OLD, DIFF_NEW, "-f", "json")


def test_compare_by_hand_and_as_the_cli() -> None:
    """On 2025-07-01 with the default request (2,000 prompt, 500 answer tokens), gpt-4.1-nano
    at OpenAI ($0.10 in, $0.40 out per million) costs 2,000 x 0.10 / 1e6 + 500 x 0.40 / 1e6
    = 0.0002 + 0.0002 = $0.0004 a request; the document is the CLI's."""
    report = api.compare(when=JULY)
    rows = {r.label: r for r in report.ranking.rows}
    assert rows["gpt-4.1-nano @ openai"].cost.total == Decimal("0.0004")
    assert report.to_json() == cli_text("compare", "--as-of", "2025-07-01", "-f", "json")
    with pytest.raises(InputError, match=r"compare: .*unexpected keyword"):
        api.compare(when=JULY, min_qualty=Decimal(50))


def test_check_by_hand_and_as_the_cli() -> None:
    """nightly-summaries: 2,000 requests a day of 3,000 prompt and 400 answer tokens on
    gemini-2.5-flash (from 2025-06-17: $0.30 in, $2.50 out; no batch price yet, so the batch
    share is billed at standard prices): 3,000 x 0.30 / 1e6 + 400 x 2.50 / 1e6 = 0.0019 a
    request; x 2,000 x 30 days = $114 a month, over the $100 budget: denied (exit 1)."""
    path = "examples/procurement/good/batch-summaries.yaml"
    report = api.check(path, when=JULY)
    assert report.failed and report.exit_code == 1
    assert report.result.decisions[0].monthly_cost == Decimal("114")
    assert [f.rule for f in report.result.findings] == ["over-budget"]
    out = CliRunner().invoke(app, ["check", path, "--as-of", "2025-07-01", "-f", "json"])
    assert out.exit_code == report.exit_code == 1
    assert report.to_json() == out.stdout
    assert report.report("sarif").startswith("{")
    with pytest.raises(InputError, match="unknown report format"):
        report.report("pdf")


def test_replay_by_hand_and_as_the_cli() -> None:
    """alpha @ lab: 11:59:59 1M in + 0.5M out at $2 / $8 = 2 + 4 = 6; at 12:00 the new price
    $1 / $4: 1 + 2 = 3; 13:00 2M in of which 1M cached: 1M x 1 + 1M x 0.25 = 1.25.
    Total on alpha: 6 + 3 + 1.25 = $10.25 (test prices of tests/fixtures/replay)."""
    report = api.replay(REPLAY / "generic.csv", pricing=REPLAY / "pricing", bundled=False)
    assert report.result.by_model[("alpha", "lab")].cost == Decimal("10.25")
    assert report.result.bad_rows == 2
    cli = cli_text(
        "replay",
        str(REPLAY / "generic.csv"),
        "--pricing",
        str(REPLAY / "pricing"),
        "--no-bundled",
        "-f",
        "json",
    )
    assert report.to_json() == cli
    with pytest.raises(InputError, match="engine: unknown 'sqlite'"):
        api.replay(REPLAY / "generic.csv", engine="sqlite")
    # The row that differs most: alpha-chat at 12:00 logged $3.10 against the list $1 x 1M
    # + $4 x 0.5M = $3 (alpha at 11:59:59 logged $6 = list $6: no difference).
    rows = api.replay(
        REPLAY / "generic.csv", pricing=REPLAY / "pricing", bundled=False, row_differences=1
    )
    (top,) = rows.payload()["reconciliation"]["rows"]
    assert (top["model"], top["logged"], top["list"], top["difference"]) == (
        "alpha-chat",
        "3.1",
        "3",
        "0.1",
    )
    assert rows.to_json() == cli_text(
        "replay",
        str(REPLAY / "generic.csv"),
        "--pricing",
        str(REPLAY / "pricing"),
        "--no-bundled",
        "--row-differences",
        "1",
        "-f",
        "json",
    )


def test_import_prices_as_the_cli(tmp_path: Path) -> None:
    """A two-row LiteLLM map (test data): acme-chat at $1.5e-06 / $6e-06 a token is
    $1.5 / $6 per million, so 1M in + 1M out = $7.5; the image row is skipped. The API
    writes the same files as `costcalc import litellm`."""
    feed = tmp_path / "map.json"
    feed.write_text(
        json.dumps(
            {
                "acme-chat": {
                    "litellm_provider": "acme",
                    "mode": "chat",
                    "input_cost_per_token": 1.5e-06,
                    "output_cost_per_token": 6e-06,
                },
                "acme-draw": {
                    "litellm_provider": "acme",
                    "mode": "image_generation",
                    "output_cost_per_image": 0.04,
                },
            }
        )
    )
    day = dt.date(2026, 11, 27)
    report = api.import_prices("litellm", feed, tmp_path / "api", as_of=day, bundled=False)
    assert report.offers == 1
    assert report.providers == ["acme"]
    assert len(report.result.skipped) == 1
    code = (
        CliRunner()
        .invoke(
            app,
            [
                "import",
                "litellm",
                str(feed),
                "-o",
                str(tmp_path / "cli"),
                "--as-of",
                "2026-11-27",
                "--no-bundled",
            ],
        )
        .exit_code
    )
    assert code == 0
    written = sorted(p.relative_to(tmp_path / "api") for p in (tmp_path / "api").rglob("*.yaml"))
    assert written == sorted(
        p.relative_to(tmp_path / "cli") for p in (tmp_path / "cli").rglob("*.yaml")
    )
    for rel in written:
        assert (tmp_path / "api" / rel).read_text() == (tmp_path / "cli" / rel).read_text()
    priced = api.cost(
        "acme/acme-chat",
        input_tokens=1_000_000,
        output_tokens=1_000_000,
        when=day,
        pricing=tmp_path / "api",
        bundled=False,
    )
    assert priced.total == Decimal("7.5")
    with pytest.raises(InputError, match="unknown feed 'litelm'"):
        api.import_prices("litelm", feed, tmp_path / "x")
    with pytest.raises(InputError, match="--output must name a folder"):
        api.import_prices("litellm", feed, " ")


def test_cost_lists_the_offers_without_a_price(mini: Catalog) -> None:
    """alpha on 2025-01-10: ushost's price holds from 2025-01-01 ($0.5 + $1 = $1.5 for 1M
    in and 1M out), cnhost's only from 2025-01-20, so it is listed as not priced, as the
    CLI's JSON and its warning on stderr say. Two offers asked: priced in USD."""
    report = api.cost(
        "alpha",
        input_tokens=1_000_000,
        output_tokens=1_000_000,
        when=dt.date(2025, 1, 10),
        catalog=mini,
    )
    assert (report.best.provider, report.total, report.currency) == (
        "ushost",
        Decimal("1.5"),
        "USD",
    )
    assert report.offers.others == ()
    assert [p.message.split(":")[0] for p in report.offers.not_priced] == ["alpha @ cnhost"]
    payload = report.payload()
    assert payload["other_offers"] == []
    assert len(payload["not_priced"]) == 1  # type: ignore[arg-type]
    result = CliRunner().invoke(
        app,
        [
            "cost",
            "alpha",
            *MINI_ARGS,
            "--input-tokens",
            "1000000",
            "--output-tokens",
            "1000000",
            "--as-of",
            "2025-01-10",
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 0
    assert result.stdout == report.to_json()
    assert result.stderr.startswith("warning: not priced: ")
    with pytest.raises(InputError, match="no price in force on 2025-01-10"):
        api.cost(
            "alpha",
            input_tokens=1,
            output_tokens=1,
            provider="cnhost",
            when=dt.date(2025, 1, 10),
            catalog=mini,
        )


def test_budget_by_hand_and_as_the_cli() -> None:
    """The bundled `large` preset: 1,000,000 requests a month of 5,000 prompt and 400
    answer tokens, 80% through batch. gpt-4.1-nano at OpenAI on 2025-07-01 is $0.10 /
    $0.40 per million, batch $0.05 / $0.20. Online: 200,000 x (5,000 x 0.10 + 400 x 0.40)
    / 1e6 = 200,000 x 0.00066 = $132; batch: 800,000 x 0.00033 = $264; a month $396."""
    report = api.budget("large", when=JULY, models=["gpt-4.1-nano"], selfhost=False)
    (result,) = report.plan.results
    assert [(r.label, r.monthly_cost) for r in result.rows] == [
        ("gpt-4.1-nano @ openai", Decimal("396"))
    ]
    args = ["budget", "--monthly", "--preset", "large", "--as-of", "2025-07-01"]
    args += ["gpt-4.1-nano", "--no-selfhost"]
    assert report.to_json() == cli_text(*args, "-f", "json")
    with pytest.raises(InputError, match="unknown preset"):
        api.budget("huge", when=JULY)
    with pytest.raises(InputError, match=r"budget: .*unexpected keyword"):
        api.budget("large", when=JULY, budgt=Decimal(5))
