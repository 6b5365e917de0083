"""costcalc replay: exact repricing of usage logs, worked by hand on a test catalog."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal, localcontext
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costcalc.catalog import Catalog, load_catalog
from costcalc.cli import app
from costcalc.replay import CounterfactualOptions, payload, replay
from helpers import REPO, tiered_beta

HERE = Path(__file__).parent / "fixtures" / "replay"
PRICING = HERE / "pricing"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog([PRICING], include_bundled=False)


def cny_at(rate: str, cny_in: int, cny_out: int) -> Decimal:
    """CNY list prices converted the cost engine's way: each line x (1 / rate) at 50 digits."""
    with localcontext() as ctx:
        ctx.prec = 50
        factor = Decimal(1) / Decimal(rate)
        return Decimal(cny_in) * factor + Decimal(cny_out) * factor


def test_generic_csv_hand_worked(catalog: Catalog) -> None:
    """A price change mid-log, a cached share, a CNY price billed in USD, an unknown model."""
    result = replay([HERE / "generic.csv"], catalog=catalog)
    # alpha @ lab, $/M: 2 in, 0.5 cached, 8 out until 2025-06-10 12:00 UTC; then 1, 0.25, 4.
    # 11:59:59: 1M in, 0.5M out at the old price: 2 + 0.5 x 8 = 6
    # 12:00:00 (the exact instant of the change): 1M, 0.5M at the new price: 1 + 0.5 x 4 = 3
    # 13:00 (an alias): 2M in of which 1M cached: 1M x 1 + 1M x 0.25 = 1.25
    alpha = Decimal(6) + Decimal(3) + Decimal("1.25")
    # cnmodel @ cnhost bills CNY 4 in / 16 out: 1M + 1M = CNY 20 a request.
    # 2025-06-12: rate of 2025-06-01, 1 USD = 8 CNY -> 20 / 8 = 2.5
    # 2025-06-16: rate of 2025-06-15, 1 USD = 7.5 CNY -> 20 / 7.5 = 2.666...
    with localcontext() as ctx:
        ctx.prec = 50  # money is summed at the cost engine's 50 digits
        cn = Decimal("2.5") + cny_at("7.5", 4, 16)
        assert result.total == alpha + cn
    by_model = {k: v for k, v in result.by_model.items()}
    assert by_model[("alpha", "lab")].cost == alpha
    assert by_model[("alpha", "lab")].requests == 3
    assert by_model[("alpha", "lab")].cached_tokens == 1_000_000
    assert by_model[("cnmodel", "cnhost")].cost == cn
    assert [str(d) for d in sorted(result.by_day)] == ["2025-06-10", "2025-06-12", "2025-06-16"]
    assert result.by_month["2025-06"].cost == result.total
    # The unknown model is counted, not dropped.
    assert [(u.model, u.requests, u.reason) for u in result.unpriced] == [
        ("mystery-9000", 1, "unknown model")
    ]
    # 8 data rows: 6 good, 2 bad (line 8: a bad timestamp; line 9: negative tokens).
    assert result.rows == 8
    assert result.bad_rows == 2
    assert [(b.line, b.reason.split(":")[0]) for b in result.bad_examples] == [
        (8, "timestamp"),
        (9, "input_tokens"),
    ]


def test_reconciliation(catalog: Catalog) -> None:
    """Logged costs against list price: 6 + 3.10 logged on alpha vs 6 + 3 list = +0.10."""
    result = replay([HERE / "generic.csv"], catalog=catalog)
    assert result.logged_total == Decimal("9.11")  # 6 + 3.10 + 0.01 (the unknown model)
    rec = result.reconciliation
    assert rec is not None
    assert rec.logged_unpriced == Decimal("0.01")
    assert rec.list_total == Decimal(9)
    assert rec.difference == Decimal("0.10")
    assert rec.requests == 2
    assert (rec.top[0].model, str(rec.top[0].day), rec.top[0].difference) == (
        "alpha",
        "2025-06-10",
        Decimal("0.10"),
    )


def test_counterfactual_band(catalog: Catalog) -> None:
    """The priced traffic on each offer compare considers, with a ±25% band off its own model."""
    result = replay([HERE / "generic.csv"], catalog=catalog)
    alts = {a.label: a for a in result.alternatives}
    # Priced traffic: 6M input (1M cached), 3M output. beta @ lab: 0.5 in (no cached price:
    # cached billed as input), 1 out -> 6 x 0.5 + 3 x 1 = 6; none of it is on beta: 4.5 .. 7.5.
    beta = alts["beta @ lab"]
    assert (beta.cost, beta.cost_low, beta.cost_high) == (
        Decimal(6),
        Decimal("4.5"),
        Decimal("7.5"),
    )
    with localcontext() as ctx:
        ctx.prec = 50
        assert beta.saving == result.total - 6
    # Bar: 90% of top's 90 = 81. beta (80, 82) = 81, its band reaches 81: good enough.
    assert beta.good_enough
    # alpha @ lab keeps its own 10.25 (no band); cnmodel's 2 requests at alpha's new price
    # 1M x 1 + 1M x 4 = 5 each = 10, banded: 10.25 + 7.5 .. 10.25 + 12.5.
    alpha = alts["alpha @ lab"]
    assert (alpha.cost, alpha.cost_low, alpha.cost_high) == (
        Decimal("20.25"),
        Decimal("17.75"),
        Decimal("22.75"),
    )
    # cnmodel (70) is not good enough; the best good-enough alternative is the cheapest one.
    assert not alts["cnmodel @ cnhost"].good_enough
    assert result.best_alternative is not None
    assert result.best_alternative.label == "beta @ lab"
    assert result.alternatives[0].label == "beta @ lab"


def test_alternatives_bill_their_sourced_hidden_tokens(tmp_path: Path) -> None:
    """beta gets a sourced figure of 1,000 hidden tokens a request. The 5 priced requests
    moved onto it bill 5 x 1,000 = 5,000 reasoning tokens at its $1/M output price = $0.005
    on top of the $6 above: $6.005, banded 4.50375 .. 7.50625; the note names the figure."""
    import shutil

    folder = tmp_path / "pricing"
    shutil.copytree(PRICING, folder)
    models = folder / "models.yaml"
    old = "{id: beta, name: Beta, vendor: Test Lab, open_weights: true, license: mit}"
    new = (
        "{id: beta, name: Beta, vendor: Test Lab, open_weights: true, license: mit, thinking: true,"
        " reasoning: {tokens_per_request: 1000, source: test card, as_of: 2025-01-01}}"
    )
    models.write_text(models.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    result = replay([HERE / "generic.csv"], catalog=load_catalog([folder], include_bundled=False))
    beta = next(a for a in result.alternatives if a.label == "beta @ lab")
    assert (beta.cost, beta.cost_low, beta.cost_high) == (
        Decimal("6.005"),
        Decimal("4.50375"),
        Decimal("7.50625"),
    )
    assert any("beta 1,000 per request" in n for n in result.notes)


def test_spread_option(catalog: Catalog) -> None:
    """--spread 0 gives a point estimate."""
    result = replay(
        [HERE / "generic.csv"],
        catalog=catalog,
        alternatives=CounterfactualOptions(spread=Decimal(0)),
    )
    beta = next(a for a in result.alternatives if a.label == "beta @ lab")
    assert beta.cost_low == beta.cost == beta.cost_high == Decimal(6)


@pytest.mark.parametrize(
    ("name", "fmt", "logged"),
    [
        ("generic.jsonl", "jsonl", "9.1"),
        ("generic.parquet", "parquet", "9.1"),
        ("litellm.csv", "litellm", "10.35"),  # spend 6.0 + 3.1 + 1.25e0
        ("langfuse.json", "langfuse", "9.1"),  # costDetails.total 6.0 + 3.1; the SPAN is skipped
        ("otel.jsonl", "otel", None),
    ],
)
def test_each_format_reads_the_same_traffic(
    catalog: Catalog, name: str, fmt: str, logged: str | None
) -> None:
    """Every format's fixture holds the three alpha requests: 6 + 3 + 1.25 = 10.25."""
    result = replay([HERE / name], catalog=catalog)
    assert [f.format for f in result.files] == [fmt]
    assert result.total == Decimal("10.25")
    t = result.by_model[("alpha", "lab")]
    assert (t.requests, t.input_tokens, t.cached_tokens, t.output_tokens) == (
        3,
        4_000_000,
        1_000_000,
        1_000_000,
    )
    assert result.logged_total == (Decimal(logged) if logged else None)
    assert result.bad_rows == 0


def test_openai_usage_buckets_with_batch(catalog: Catalog) -> None:
    """Two results of one bucket: 2 requests at standard, 1 batch request with cached tokens."""
    result = replay([HERE / "openai-usage.json"], catalog=catalog)
    # beta @ openai: 0.5 in, 1 out; batch 0.25 in, 0.5 out; no cached price (billed as input).
    # standard: 2M x 0.5 + 1M x 1 = 2; batch: 2M x 0.25 = 0.5.
    assert result.total == Decimal("2.5")
    t = result.by_model[("beta", "openai")]
    assert (t.requests, t.cached_tokens) == (3, 1_000_000)


def test_deepseek_handover_on_bundled_prices() -> None:
    """deepseek-reasoner's price changed at 2025-09-05 16:00 UTC (bundled sheets).

    The sheet dates the new list from 2025-09-06 (a day's price is the one holding at its
    00:00 UTC) and ends the old one at 16:00 on the 5th: replay prices from that instant.
    """
    result = replay([HERE / "deepseek.csv"], catalog=load_catalog([]))
    assert set(result.by_model) == {("deepseek-v3.1", "deepseek")}
    # 15:59:59 at the USD list 0.55 in / 2.19 out: 1M + 1M = 2.74
    # 16:00:00 at the new list 0.56 / 1.68: 2.24; together 4.98
    assert result.total == Decimal("4.98")
    assert result.unpriced == []


runner = CliRunner()


def test_cli_json_contract() -> None:
    """The JSON document carries the contract's keys, decimal strings and integer counts."""
    out = runner.invoke(
        app,
        [
            "replay",
            str(HERE / "generic.csv"),
            "--pricing",
            str(PRICING),
            "--no-bundled",
            "-f",
            "json",
        ],
    )
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["schema_version"] == 1
    assert doc["currency"] == "USD"
    assert doc["rows"] == 8
    assert doc["total"].startswith("15.41666666")
    assert doc["by_model"][0] == {
        "model": "alpha",
        "provider": "lab",
        "requests": 3,
        "input_tokens": 4000000,
        "cached_tokens": 1000000,
        "cache_write_tokens": 0,
        "output_tokens": 1000000,
        "reasoning_tokens": 0,
        "cost": "10.25",
        "logged_cost": "9.1",
    }
    assert doc["unpriced"][0]["requests"] == 1
    assert doc["logged_total"] == "9.11"
    assert {"model", "provider", "cost_low", "cost", "cost_high", "saving", "good_enough"} <= set(
        doc["alternatives"][0]
    )


@pytest.mark.parametrize("fmt", ["table", "markdown", "csv"])
def test_cli_formats(fmt: str) -> None:
    """Every output format exits 0."""
    out = runner.invoke(
        app,
        ["replay", str(HERE / "generic.csv"), "--pricing", str(PRICING), "--no-bundled", "-f", fmt],
    )
    assert out.exit_code == 0, out.output
    assert "alpha" in out.stdout


def test_cli_currency_cny() -> None:
    """--currency CNY converts USD prices with the dated rate: 6 USD x 8 on 2025-06-10."""
    out = runner.invoke(
        app,
        [
            "replay",
            str(HERE / "generic.jsonl"),
            "--pricing",
            str(PRICING),
            "--no-bundled",
            "-f",
            "json",
            "--currency",
            "CNY",
        ],
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["total"] == "82"  # 10.25 USD x 8


def test_cli_exit_2_on_malformed_and_missing(tmp_path: Path) -> None:
    """A missing file, a file that is not a log, and a broken JSON line: exit 2 naming the file."""
    missing = runner.invoke(
        app, ["replay", str(tmp_path / "nope.csv"), "--pricing", str(PRICING), "--no-bundled"]
    )
    assert missing.exit_code == 2
    assert "nope.csv" in missing.output
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b\n1,2\n")
    out = runner.invoke(app, ["replay", str(wrong), "--pricing", str(PRICING), "--no-bundled"])
    assert out.exit_code == 2
    assert "wrong.csv" in out.output and "missing column" in out.output
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"timestamp": "2025-06-10T00:00:00Z", "model": "alpha"}\n{not json\n')
    out = runner.invoke(app, ["replay", str(broken), "--pricing", str(PRICING), "--no-bundled"])
    assert out.exit_code == 2
    assert "broken.jsonl" in out.output
    out = runner.invoke(app, ["replay", str(HERE / "generic.csv"), "--engine", "nope"])
    assert out.exit_code == 2


def test_cli_exit_2_when_the_csv_reader_cannot_read_the_file(tmp_path: Path) -> None:
    """Rows of unequal width past the header (DuckDB's sniffer gives up on the dialect)
    are exit 2 naming the file, not a traceback."""
    header = "timestamp,model,provider,input_tokens,output_tokens\n"
    good = "2025-06-10T00:00:00Z,alpha,lab,1,1\n"
    ragged = tmp_path / "ragged.csv"
    ragged.write_text(header + good * 150 + "2025-06-10T00:00:00Z,alpha,lab,1\n" * 300)
    out = runner.invoke(app, ["replay", str(ragged), "--pricing", str(PRICING), "--no-bundled"])
    assert out.exit_code == 2, out.output
    assert "ragged.csv" in out.output and "malformed" in out.output


def test_cli_plot(tmp_path: Path) -> None:
    """--plot writes a PNG of spend per day."""
    png = tmp_path / "spend.png"
    out = runner.invoke(
        app,
        [
            "replay",
            str(HERE / "generic.csv"),
            "--pricing",
            str(PRICING),
            "--no-bundled",
            "--plot",
            str(png),
        ],
    )
    assert out.exit_code == 0, out.output
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_payload_is_deterministic(catalog: Catalog) -> None:
    """Two runs give the same document."""
    a = payload(replay([HERE / "generic.csv"], catalog=catalog))
    b = payload(replay([HERE / "generic.csv"], catalog=catalog))
    assert a == b


ODD_COUNTS = """timestamp,model,provider,input_tokens,output_tokens
2025-06-10T00:00:00Z,beta,lab,12.0,1
2025-06-10T00:00:00Z,beta,lab,1e3,1
2025-06-10T00:00:00Z,beta,lab,0x1F,1
2025-06-10T00:00:00Z,beta,lab,+5,1
2025-06-10T00:00:00Z,beta,lab,007,1
2025-06-10T00:00:00Z,beta,lab,1_000,1
2025-06-10T00:00:00Z,beta,lab,10000000000000,1
2025-06-10T00:00:00Z,beta,lab,1000000,
2025-06-10T00:00:00Z,,lab,1,1
2025-06-10T00:00:00Z,beta,lab,1,1,
"""


def test_odd_counts_are_bad_rows(catalog: Catalog, tmp_path: Path) -> None:
    """Counts that some engine's cast would accept ('12.0', '1e3', '0x1F', '+5') are bad rows."""
    log = tmp_path / "odd.csv"
    log.write_text(ODD_COUNTS.replace("1,1,\n", "1,1\n"))
    result = replay([log], catalog=catalog)
    # 7 odd counts and an empty model: 8 bad rows at lines 2-8 and 10. Good: line 9 (an empty
    # output_tokens is 0), beta @ lab 1M in x 0.5/M = 0.5, and line 11, 1 in x 0.5/M + 1 out
    # x 1/M = 0.0000015: total 0.5000015.
    assert result.bad_rows == 8
    assert [b.line for b in result.bad_examples] == [2, 3, 4, 5, 6, 7, 8, 10]
    assert result.total == Decimal("0.5000015")


def test_names_resolve_through_the_catalog_identity(catalog: Catalog, tmp_path: Path) -> None:
    """Logged names go through costcalc.identity as the importers' do: a vendor namespace
    (`together_ai/`) is stripped before the API name matches; unknown names are counted."""
    log = tmp_path / "names.csv"
    log.write_text(
        "timestamp,model,provider,input_tokens,output_tokens\n"
        "2025-06-11T00:00:00Z,together_ai/alpha-chat,lab,1000000,0\n"
        "2025-06-11T00:00:00Z,openai/beta,openai,1000000,0\n"
        "2025-06-11T00:00:00Z,alpha-2025-06-01,,1000000,0\n"
        "2025-06-11T00:00:00Z,alpha-chat,openai,1000000,0\n"
        "2025-06-11T00:00:00Z,nobody-knows-me,,1000000,0\n"
    )
    result = replay([log], catalog=catalog)
    # alpha @ lab at its 2025-06-10 price, 1 per M input: two requests (API name, alias) = 2.
    # beta @ openai: 0.5 per M input = 0.5.
    assert result.by_model[("alpha", "lab")].requests == 2
    assert result.by_model[("alpha", "lab")].cost == Decimal(2)
    assert result.by_model[("beta", "openai")].cost == Decimal("0.5")
    assert result.total == Decimal("2.5")
    assert [(u.model, u.provider, u.requests, u.reason) for u in result.unpriced] == [
        ("alpha-chat", "openai", 1, "not offered by openai (offered by lab)"),
        ("nobody-knows-me", "", 1, "unknown model"),
    ]


def test_row_differences(catalog: Catalog, tmp_path: Path) -> None:
    """The rows whose logged cost differs most from list price, exactly, with their instants."""
    log = tmp_path / "rows.csv"
    log.write_text(
        "timestamp,model,provider,input_tokens,cached_tokens,output_tokens,batch,cost\n"
        # alpha @ lab until 2025-06-10 12:00 UTC: 2 in, 0.5 cached, 8 out ($/M).
        # 1M in (0.5M cached), 0.25M out: 0.5 x 2 + 0.5 x 0.5 + 0.25 x 8 = 3.25; logged 3.25.
        "2025-06-10T11:00:00Z,alpha,lab,1000000,500000,250000,,3.25\n"
        # same group, 2M in, 0 out: list 4; logged 4.5 -> +0.5
        "2025-06-10T11:30:00Z,alpha,lab,2000000,0,0,,4.5\n"
        # same group, 1 in + 1 out: list 0.00001; logged 0.1 -> +0.09999
        "2025-06-10T11:45:00.5Z,alpha,lab,1,0,1,,0.1\n"
        # after the change (1 in, 4 out): 1M in -> list 1; logged 0.2 -> -0.8
        "2025-06-10T12:00:00Z,alpha-chat,lab,1000000,0,0,,0.2\n"
        # no logged cost: not a candidate
        "2025-06-10T13:00:00Z,alpha,lab,5000000,0,0,,\n"
        # beta @ lab batch? (no batch price: billed at 0.5 in) 1M -> 0.5; logged 0.5 -> 0
        "2025-06-11T00:00:00Z,beta,lab,1000000,0,0,true,0.5\n"
    )
    result = replay([log], catalog=catalog, row_differences=3)
    rec = result.reconciliation
    assert rec is not None and rec.rows is not None
    got = [(r.timestamp, r.model, r.logged, r.list_price, r.difference) for r in rec.rows]
    assert got == [
        ("2025-06-10T12:00:00Z", "alpha-chat", Decimal("0.2"), Decimal(1), Decimal("-0.8")),
        ("2025-06-10T11:30:00Z", "alpha", Decimal("4.5"), Decimal(4), Decimal("0.5")),
        (
            "2025-06-10T11:45:00.500000Z",
            "alpha",
            Decimal("0.1"),
            Decimal("0.00001"),
            Decimal("0.09999"),
        ),
    ]
    assert rec.rows[0].file == str(log) and rec.rows[0].line is None
    # The per-row list prices add up to the groups' list price (cost is linear in tokens).
    everything = replay([log], catalog=catalog, row_differences=100)
    assert everything.reconciliation is not None and everything.reconciliation.rows is not None
    assert len(everything.reconciliation.rows) == 5
    assert sum(r.list_price for r in everything.reconciliation.rows) == (
        everything.reconciliation.list_total
    )
    # Not asked for: no second pass, and `rows` is null in JSON.
    plain = payload(replay([log], catalog=catalog))
    assert plain["reconciliation"]["rows"] is None


def test_row_differences_in_vendor_exports_carry_lines(catalog: Catalog) -> None:
    """A flattened vendor record keeps its line: LiteLLM's spend 3.1 against list 3 (line 3)."""
    result = replay([HERE / "litellm.csv"], catalog=catalog, row_differences=1)
    assert result.reconciliation is not None and result.reconciliation.rows is not None
    (row,) = result.reconciliation.rows
    assert (row.line, row.logged, row.list_price) == (3, Decimal("3.1"), Decimal(3))


def test_cli_row_differences_option(tmp_path: Path) -> None:
    """--row-differences N puts the rows in the JSON; a negative N is exit 2."""
    args = ["replay", str(HERE / "generic.csv"), "--pricing", str(PRICING), "--no-bundled"]
    out = runner.invoke(app, [*args, "-f", "json", "--row-differences", "2"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)["reconciliation"]["rows"]
    # alpha 12:00 logged 3.10 vs list 3 (+0.10); alpha 11:59:59 logged 6 vs 6 (0).
    assert [(r["timestamp"], r["difference"]) for r in rows] == [
        ("2025-06-10T12:00:00Z", "0.1"),
        ("2025-06-10T11:59:59Z", "0"),
    ]
    assert isinstance(rows[0]["input_tokens"], int)
    bad = runner.invoke(app, [*args, "--row-differences", "-1"])
    assert bad.exit_code == 2
    table = runner.invoke(app, [*args, "--row-differences", "2"])
    assert table.exit_code == 0, table.output


def test_typed_parquet_columns_match_the_text_path(catalog: Catalog, tmp_path: Path) -> None:
    """Parquet counts, a naive timestamp, a BOOLEAN batch and a DECIMAL cost are used typed,
    with the same checks as text: a negative count and one over 10^12 are bad rows."""
    import duckdb

    csv_log = tmp_path / "typed.csv"
    csv_log.write_text(
        "timestamp,model,provider,input_tokens,output_tokens,batch,cost\n"
        "2025-06-10 11:00:00,alpha,lab,1000000,250000,false,4.5\n"
        "2025-06-10 12:30:00,alpha,lab,1000000,0,true,1\n"
        "2025-06-10 13:00:00,alpha,lab,-1,0,false,1\n"
        "2025-06-10 13:00:00,alpha,lab,2000000000000,0,false,1\n"
    )
    parquet_log = tmp_path / "typed.parquet"
    con = duckdb.connect()
    con.execute(
        "COPY (SELECT CAST(timestamp AS TIMESTAMP) AS timestamp, model, provider,"
        " CAST(input_tokens AS BIGINT) AS input_tokens,"
        " CAST(output_tokens AS INTEGER) AS output_tokens, CAST(batch AS BOOLEAN) AS batch,"
        " CAST(cost AS DECIMAL(10, 4)) AS cost FROM read_csv(?, all_varchar = true))"
        f" TO '{parquet_log}' (FORMAT parquet)",
        [str(csv_log)],
    )
    con.close()
    typed = replay([parquet_log], catalog=catalog)
    text = replay([csv_log], catalog=catalog)
    # 11:00 at alpha's old price: 1 x 2 + 0.25 x 8 = 4; 12:30 at the new one, batch
    # (no batch price: billed as standard) 1 x 1 = 1; total 5. Two bad rows.
    assert typed.total == text.total == Decimal(5)
    assert typed.bad_by_reason == text.bad_by_reason
    assert typed.bad_rows == 2
    assert typed.logged_total == text.logged_total == Decimal("5.5")


def test_a_warm_replay_imports_no_pydantic(tmp_path: Path) -> None:
    """With the catalog cache warm, repricing a log and its alternatives imports neither
    pydantic nor a schema module (about 0.1 s of a replay's fixed cost)."""
    script = f"""
import sys
from pathlib import Path
from costcalc.api import load_catalog, replay
catalog = load_catalog(cache_dir=Path({str(tmp_path / "cache")!r}))
replay(["tests/fixtures/replay/deepseek.csv"], catalog=catalog)
print(sorted(m for m in sys.modules if m.startswith(("pydantic", "costcalc.schema"))))
"""
    run = [sys.executable, "-c", script]
    subprocess.run(run, check=True, capture_output=True, cwd=REPO)  # warms the cache
    out = subprocess.run(run, check=True, capture_output=True, text=True, cwd=REPO).stdout
    assert out.strip() == "[]"


def test_a_count_near_2_63_is_a_bad_row_under_context_tiers(tmp_path: Path) -> None:
    """With the bundled catalog's context tiers (thresholds x requests in the key), a row
    whose requests is 2^63 - 1 is a bad row (over 10^12), not an engine overflow (exit 2
    naming no file): a bad row's tier is never computed."""
    log = tmp_path / "huge.csv"
    log.write_text(
        "timestamp,model,provider,input_tokens,output_tokens,requests\n"
        "2025-06-10T00:00:00Z,gpt-4o,openai,1000,10,1\n"
        "2025-06-10T00:00:00Z,gpt-4o,openai,1000,10,9223372036854775807\n"
    )
    out = runner.invoke(app, ["replay", str(log), "--format", "json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    # Line 2 is good (1 request); line 3 is bad for its count, reported with its line.
    assert doc["rows"] == 2
    assert doc["bad_rows"]["count"] == 1
    assert [e["line"] for e in doc["bad_rows"]["examples"]] == [3]


def test_a_context_tier_above_9_2_million_tokens_does_not_overflow(tmp_path: Path) -> None:
    """A tier threshold t with t x 10^12 over 2^63 - 1 (here 10^7 tokens) times a good row's
    10^12 requests overflowed a BIGINT (exit 2 naming no file). Priced by hand, beta @ lab
    ($0.50 per 1M input tokens) given a tier of $2.50 above 10,000,000 prompt tokens:
    - line 2: 10^12 requests, 10^12 prompt tokens, 1 token each: base tier,
      10^12 x $0.50 / 10^6 = $500,000;
    - line 3: one request of 2 x 10^7 prompt tokens, above the threshold: tier price,
      2 x 10^7 x $2.50 / 10^6 = $50.
    Total $500,050."""
    layer = tiered_beta(tmp_path, 10_000_000)
    log = tmp_path / "big.csv"
    log.write_text(
        "timestamp,model,provider,input_tokens,output_tokens,requests\n"
        "2025-06-10T00:00:00Z,beta,lab,1000000000000,0,1000000000000\n"
        "2025-06-10T00:00:00Z,beta,lab,20000000,0,1\n",
        encoding="utf-8",
    )
    out = runner.invoke(
        app,
        ["replay", str(log), "--no-bundled", "--pricing", str(PRICING), "--pricing", str(layer),
         "--format", "json"],
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["rows"] == 2 and doc["bad_rows"]["count"] == 0
    assert Decimal(doc["total"]) == Decimal("500050")


def test_write_jsonl_writes_every_record_across_its_batches() -> None:
    """Lines are written 4,096 at a time: 0, 1, 4,096 and 8,193 records each give that
    many lines, in order, each one the record's compact JSON (non-ASCII kept as is)."""
    import io

    from costcalc.replay.formats import write_jsonl

    for n in (0, 1, 4096, 8193):
        out = io.StringIO()
        records = ({"model": f"m-é-{i}", "line": i} for i in range(n))
        assert write_jsonl(records, out) == n
        text = out.getvalue()
        assert text.count("\n") == n and (not text or text.endswith("\n"))
        lines = text.splitlines()
        assert [json.loads(x)["line"] for x in lines] == list(range(n))
        if n:
            assert lines[-1] == f'{{"model":"m-é-{n - 1}","line":{n - 1}}}'


def test_costs_the_engine_cannot_read_are_bad_rows_with_their_lines(
    catalog: Catalog, tmp_path: Path
) -> None:
    """NaN, Infinity and costs of 10^20 or more do not fit the engines' DECIMAL(38, 18):
    the rows are bad, and the Python locator names each with its line (before, it read
    them as numbers and the examples list came back empty). 10^19 and
    99999999999999999999.5 fit and are good (in two groups: the price of alpha changes at
    12:00; one group summing both would overflow, see the next test)."""
    log = tmp_path / "costs.csv"
    log.write_text(
        "timestamp,model,provider,input_tokens,output_tokens,cost\n"
        "2025-06-10T11:00:00Z,alpha,lab,1,1,NaN\n"
        "2025-06-10T11:00:00Z,alpha,lab,1,1,Infinity\n"
        "2025-06-10T11:00:00Z,alpha,lab,1,1,1e400\n"
        "2025-06-10T11:00:00Z,alpha,lab,1,1,1e20\n"
        "2025-06-10T11:00:00Z,alpha,lab,1,1,1e19\n"
        "2025-06-10T12:00:00Z,alpha,lab,1,1,99999999999999999999.5\n",
        encoding="utf-8",
    )
    result = replay([log], catalog=catalog)
    assert result.rows == 6 and result.bad_rows == 4
    assert [(b.line, b.reason) for b in result.bad_examples] == [
        (2, "cost: not a number: 'NaN'"),
        (3, "cost: not a number: 'Infinity'"),
        (4, "cost: '1e400' has more than 20 whole digits"),
        (5, "cost: '1e20' has more than 20 whole digits"),
    ]
    assert result.logged_total == Decimal("1e19") + Decimal("99999999999999999999.5")


def test_a_json_lines_log_with_a_line_that_is_not_an_object_is_exit_2_naming_it(
    tmp_path: Path,
) -> None:
    """The engine's error names the file (before: "reading the log failed: …")."""
    log = tmp_path / "mixed.jsonl"
    log.write_text(
        '{"timestamp": "2025-06-10T00:00:00Z", "model": "alpha", "input_tokens": 1,'
        ' "output_tokens": 1}\n[1, 2]\n',
        encoding="utf-8",
    )
    out = runner.invoke(
        app, ["replay", str(log), "--no-bundled", "--pricing", str(PRICING), "-f", "json"]
    )
    assert out.exit_code == 2
    assert f"error: {log}: malformed:" in out.stderr and "line 2" in out.stderr


def test_logged_costs_summing_past_decimal_38_18_are_a_clear_exit_2(tmp_path: Path) -> None:
    """Two costs of 6 x 10^19 each fit DECIMAL(38, 18) but their sum does not: exit 2
    naming the file and saying why (before: "malformed: Out of Range Error")."""
    log = tmp_path / "huge-costs.csv"
    log.write_text(
        "timestamp,model,provider,input_tokens,output_tokens,cost\n"
        "2025-06-10T11:00:00Z,alpha,lab,1,1,60000000000000000000\n"
        "2025-06-10T11:00:01Z,alpha,lab,1,1,60000000000000000000\n",
        encoding="utf-8",
    )
    out = runner.invoke(
        app, ["replay", str(log), "--no-bundled", "--pricing", str(PRICING), "-f", "json"]
    )
    assert out.exit_code == 2
    assert out.stderr.startswith(f"error: {log}: the logged costs of one group")
    assert "Traceback" not in out.output


@pytest.mark.parametrize("width", [60, 80])
def test_narrow_terminals_keep_the_costs(width: int) -> None:
    """At 60 and 80 columns the costs stay: a model's list price and logged cost (the
    provider goes under the model, token counts go first), and each alternative's cost
    (its band and saving go first); no line is wider than the terminal."""
    out = runner.invoke(
        app,
        ["replay", str(HERE / "generic.csv"), "--no-bundled", "--pricing", str(PRICING)],
        env={"COLUMNS": str(width), "NO_COLOR": "1"},
    )
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert max(len(line) for line in lines) <= width
    models = next(i for i, line in enumerate(lines) if line.startswith("model "))
    assert lines[models].split()[-2:] == ["cost", "logged"]
    assert lines[models + 2].split()[-2:] == ["$10.25", "$9.10"]  # alpha @ lab
    assert lines[models + 3].strip() == "lab"
    alts = next(i for i, line in enumerate(lines) if line.startswith("alternative "))
    assert "cost" in lines[alts].split()
    beta = next(line for line in lines[alts:] if line.startswith("beta @ lab "))
    assert "$6.00" in beta.split()


def test_a_gap_in_prices_is_one_line_per_name(catalog: Catalog, tmp_path: Path) -> None:
    """alpha @ lab has prices from 2025-06-01 only: its traffic of three slices on two days
    before that is one unpriced line, from the earliest instant, with the days counted
    (it was one line per slice of the day); a one-day gap names its instant alone."""
    log = tmp_path / "early.csv"
    log.write_text(
        "timestamp,model,provider,input_tokens,cached_tokens,output_tokens\n"
        "2025-05-30T08:00:00Z,alpha,lab,10,0,1\n"
        "2025-05-31T17:00:00Z,alpha,lab,10,0,1\n"
        "2025-05-30T03:15:00Z,alpha,lab,10,0,1\n"
        "2025-05-20T09:00:00Z,beta,nowhere-inc,10,0,1\n",
        encoding="utf-8",
    )
    result = replay([log], catalog=catalog)
    assert [(u.model, u.provider, u.requests, u.reason) for u in result.unpriced] == [
        (
            "alpha",
            "lab",
            3,
            "none of its offers has a price in force at 2025-05-30 00:00 UTC,"
            " nor on 1 more day of traffic up to 2025-05-31",
        ),
        ("beta", "nowhere-inc", 1, "unknown provider 'nowhere-inc'"),
    ]
    one_day = tmp_path / "one.csv"
    one_day.write_text(
        "timestamp,model,provider,input_tokens,cached_tokens,output_tokens\n"
        "2025-05-30T08:00:00Z,alpha,lab,10,0,1\n",
        encoding="utf-8",
    )
    (line,) = replay([one_day], catalog=catalog).unpriced
    assert line.reason == "none of its offers has a price in force at 2025-05-30 00:00 UTC"
