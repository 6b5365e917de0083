"""Arithmetic at the limits: exact totals, no decimal tracebacks, the same exit code in every format.

Issue #13.9 and #13.10. The bound (costcalc/numbers.py): a number read from a
file or option has at most 40 significant digits and lies in [1e-40, 1e40);
products and sums are computed with the precision they need, so nothing rounds.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from costcalc.catalog import FxEntry, OfferEntry, Origin
from costcalc.cli import app
from costcalc.cost import Usage, cost_of
from costcalc.money import fmt_money, round_money
from costcalc.numbers import exact_product, exact_shift, exact_sum
from costcalc.pricediff import PriceChange
from costcalc.schema.pricing import FxRate, ModelInfo, Offer, PricePeriod, Provider

DAY = dt.date(2025, 6, 1)
FORMATS = ["table", "json", "csv", "markdown"]


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def bounded(max_value: int | str, places: int) -> st.SearchStrategy[Decimal]:
    """Decimals with up to 40 significant digits (the bound every input passes)."""
    return st.decimals(
        min_value=0, max_value=max_value, places=places, allow_nan=False, allow_infinity=False
    ).filter(lambda d: len(d.as_tuple().digits) <= 40)


def entry(rates: dict[str, Decimal], currency: str = "USD") -> OfferEntry:
    period = PricePeriod.model_validate(
        {"as_of": "2025-01-01", "source": "generated", **rates, "batch": rates}
    )
    provider = Provider(
        id="p", name="P", country="US", currency=currency, pricing_url="https://p.example"
    )
    model = ModelInfo(id="m", name="M", vendor="V", open_weights=True, license="mit")
    return OfferEntry(
        provider, model, Offer(model="m", prices=[period]), Origin("g", 1), (Origin("g", 2),)
    )


def fx_table(rate: Decimal) -> list[FxEntry]:
    return [
        FxEntry(
            FxRate(base="USD", quote="EUR", rate=rate, as_of=dt.date(2025, 1, 1), source="gen"),
            Origin("fx", 1),
        )
    ]


@settings(max_examples=200)
@given(
    price_in=bounded(10**9, 30),
    price_out=bounded(10**9, 30),
    tokens_in=st.integers(min_value=0, max_value=10**15),
    tokens_out=st.integers(min_value=0, max_value=10**15),
    cached=st.integers(min_value=0, max_value=10**15),
    requests=bounded(3 * 10**11, 12),
    batch=bounded(1, 20),
    rate=st.decimals(min_value="1e-4", max_value="1e4", places=36).filter(lambda d: d > 0),
    currency=st.sampled_from(["USD", "EUR"]),
)
def test_total_is_exactly_the_sum_of_lines(
    price_in: Decimal,
    price_out: Decimal,
    tokens_in: int,
    tokens_out: int,
    cached: int,
    requests: Decimal,
    batch: Decimal,
    rate: Decimal,
    currency: str,
) -> None:
    """For large, many-digit inputs (and converted currencies) no line or total is rounded.

    The 50-digit context this replaces rounded a total of 1e20 + 1e-30, for example.
    """
    offer = entry({"input": price_in, "output": price_out})
    usage = Usage(
        input_tokens=Decimal(tokens_in + cached),
        cached_tokens=Decimal(cached),
        output_tokens=Decimal(tokens_out),
        requests=requests,
        batch_share=batch,
    )
    result = cost_of(offer, usage, when=DAY, currency=currency, fx=fx_table(rate))
    assert result.total == exact_sum(line.amount for line in result.lines)
    for line in result.lines:
        # Each line is tokens x rate / 10^6 (x the conversion factor), with no digit lost.
        native = exact_shift(exact_product(line.tokens, line.rate), -6)
        factor = result.choice.conversion.factor if result.choice.conversion else Decimal(1)
        assert line.amount == exact_product(native, factor)


def test_fifty_digit_rounding_is_gone() -> None:
    """A line of 10^20 and a line of 10^-30 add up to a 51-digit total, exactly.

    1e20 input tokens... is outside any workload; instead: 10^14 tokens at 10^9 per
    million is 10^17, and 1 token at 10^-38 per million is 10^-44: total 10^17 + 10^-44.
    """
    offer = entry({"input": Decimal(10) ** 9, "output": Decimal("1e-38")})
    usage = Usage(input_tokens=Decimal(10**14), output_tokens=Decimal(1))
    result = cost_of(offer, usage, when=DAY, currency="USD", fx=[])
    assert result.total == Decimal(
        "100000000000000000.00000000000000000000000000000000000000000001"
    )
    # Python's sum() in the default 28-digit context loses the last line entirely.
    assert sum(line.amount for line in result.lines) == Decimal(10) ** 17


def test_round_money_of_huge_values() -> None:
    """Display rounding works at any size (the 28-digit default context raised InvalidOperation)."""
    value = Decimal("837413637344496999929398448000000000000000000000.005")
    assert round_money(value) == Decimal("837413637344496999929398448000000000000000000000.00")
    assert fmt_money(Decimal("1e39"), "USD").startswith("$1,000,000,000,000,000,000")


def test_price_diff_percent_does_not_overflow() -> None:
    """From 1e-40 to 1e9 per million is +1e51 % (2 decimals): no InvalidOperation."""
    change = PriceChange("p", "m", "USD", "input", Decimal("1e-40"), Decimal("1e9"), DAY, DAY, "o")
    # (1e9 - 1e-40) / 1e-40 x 100 = 1e51 - 100, exactly representable at 0.01
    assert change.percent == Decimal("9" * 49 + "00")


EXTREME_BUDGET = [
    "budget",
    "--requests-per-day",
    "10000000000",
    "--input-tokens",
    "10000000",
    "--output-tokens",
    "1000000",
    "--growth",
    "1",
    "--months",
    "120",
    "--peak-factor",
    "1000",
    "--as-of",
    "2025-06-01",
]
"""The schema's largest workload: 10^10 requests a day, 10^7 in / 10^6 out, doubling for 120
months at peak x1000. Before the fix: a traceback in table/json/markdown, exit 0 in csv."""


@pytest.mark.parametrize("fmt", FORMATS)
def test_budget_at_the_schema_limits(fmt: str) -> None:
    code, out, err = invoke(*EXTREME_BUDGET, "--format", fmt)
    assert code == 0, err
    assert "Traceback" not in err
    if fmt == "json":
        data = json.loads(out)
        offer = data["workloads"][0]["offers"][0]
        months = [Decimal(m["cost"]) for m in offer["projection"]]
        assert len(months) == 120
        assert Decimal(offer["total"]) == exact_sum(months)  # the total is the sum of its months


LONG = "a" * 300
HOSTILE_COMMANDS = {
    "budget over the number bound": ["budget", "--preset", "small", "--budget", "1e999999"],
    "budget with too many digits": ["budget", "--preset", "small", "--budget", "1." + "1" * 45],
    "band over the bound": ["compare", "--band", "1e999999"],
    "multiple per point over the bound": ["compare", "--max-multiple-per-point", "1e99999999"],
    "cost per point over the bound": ["compare", "--max-cost-per-point", "-1e999999"],
    "cached share with 50 digits": ["compare", "--cached-share", "0." + "1" * 50],
    "utilisation tiny past the bound": ["budget", "--preset", "small", "--utilisation", "1e-64"],
    "pricing path over 255 bytes": ["compare", "--pricing", LONG],
    "workload file over 255 bytes": ["budget", "--workload-file", LONG],
    "profile file over 255 bytes": ["compare", "--profile", LONG + ".yaml"],
}


@pytest.mark.parametrize("case", sorted(HOSTILE_COMMANDS))
@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_options_exit_2_in_every_format(case: str, fmt: str) -> None:
    """Options past the bound, or unusable paths, are exit 2 in every format, never a traceback."""
    code, out, err = invoke(*HOSTILE_COMMANDS[case], "--format", fmt)
    assert code == 2, (out, err)
    assert "Traceback" not in out + err
    assert err.startswith("error: ")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "args",
    [
        ["compare", "--input-tokens", "9" * 4000, "--as-of", "2025-06-01"],
        ["compare", "--band", "1e39", "--as-of", "2025-06-01"],
        ["compare", "--max-multiple-per-point", "1e-39", "--as-of", "2025-06-01"],
        ["compare", "--weights", "gpqa-diamond=1e39,aime-2024=1e-39", "--as-of", "2025-06-01"],
        ["cost", "deepseek-r1-0528", "--input-tokens", "9" * 4000, "--output-tokens", "1",
         "--as-of", "2025-06-01"],
        ["budget", "--preset", "small", "--budget", "1e39", "--as-of", "2025-06-01"],
        ["budget", "--preset", "small", "--utilisation", "1e-39", "--as-of", "2025-06-01"],
    ],
    ids=["huge tokens", "band", "tiny multiple", "weights", "cost huge tokens", "budget",
         "utilisation"],
)  # fmt: skip
def test_extreme_but_accepted_values_exit_0_in_every_format(args: list[str], fmt: str) -> None:
    """Values inside the bound compute (exactly) in every format: exit 0."""
    code, out, err = invoke(*args, "--format", fmt)
    assert code == 0, err
    assert "Traceback" not in out + err


@pytest.mark.parametrize("rate", ["1e39", "1e-39", "1.234567890123456789012345678901234567891"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_extreme_fx_rates(tmp_path: Path, rate: str, fmt: str) -> None:
    """FX rates at the edge of the bound convert without a traceback, in every format."""
    folder = tmp_path / "p"
    folder.mkdir()
    for name in ("models.yaml",):
        (folder / name).write_text(Path("tests/fixtures/mini", name).read_text())
    (folder / "us.yaml").write_text(Path("tests/fixtures/mini/providers/ushost.yaml").read_text())
    (folder / "fx.yaml").write_text(
        "kind: fx-rates\nrates:\n"
        f"  - {{base: USD, quote: EUR, rate: {rate}, as_of: 2025-02-01, source: test}}\n"
    )
    base = ["--no-bundled", "--pricing", str(folder), "--currency", "EUR", "--as-of", "2025-06-01"]
    for args in (
        ["cost", "beta", "--input-tokens", "1000000", "--output-tokens", "1"],
        [*EXTREME_BUDGET[:-2], "--budget", "100"],
    ):
        code, _, err = invoke(*args, *base, "--format", fmt)
        assert code == 0, err


def test_fx_rate_past_the_bound_is_located(tmp_path: Path) -> None:
    """An FX rate of 1e-64 is refused where it is written (file, line, field): exit 2."""
    (tmp_path / "fx.yaml").write_text(
        "kind: fx-rates\nrates:\n"
        '  - {base: USD, quote: EUR, rate: "1e-64", as_of: 2025-02-01, source: test}\n'
    )
    code, _, err = invoke("validate", "--no-bundled", str(tmp_path))
    assert code == 2
    assert "fx.yaml:3: rates[0].rate: 1e-64 is out of range" in err


@pytest.mark.parametrize("text", ["99999999999d", "36501", "5215w", "9" * 5000 + "d"])
def test_max_age_past_100_years_is_exit_2(text: str) -> None:
    """validate --max-age 99999999999d raised OverflowError: now exit 2 with the limit."""
    code, _, err = invoke("validate", "--max-age", text)
    assert code == 2
    assert "Traceback" not in err and "error: --max-age" in err


def test_schema_write_to_unwritable_place_is_exit_2() -> None:
    """schema --write into /proc (cannot create) exits 2 naming the file (it was a traceback, 1)."""
    code, _, err = invoke("schema", "--write", "/proc/costcalc-schemas")
    assert code == 2
    assert "error: /proc/costcalc-schemas" in err


@pytest.mark.parametrize("args", [["prices", "diff", LONG, LONG], ["validate", LONG]])
def test_long_path_is_exit_2(args: list[str]) -> None:
    code, out, err = invoke(*args)
    assert code == 2 and "Traceback" not in out + err
    assert LONG in err


def test_non_utf8_sheet_name(tmp_path: Path) -> None:
    """A sheet whose file name is not UTF-8 is read (the cache key hashed it with .encode())."""
    folder = Path(os.fsdecode(bytes(tmp_path) + b"/p"))
    folder.mkdir()
    (folder / "models.yaml").write_text(Path("tests/fixtures/mini/models.yaml").read_text())
    name = os.fsdecode(b"bad\xff.yaml")
    (folder / name).write_text(Path("tests/fixtures/mini/providers/ushost.yaml").read_text())
    args = ["--no-bundled", "--pricing", str(folder), "--as-of", "2025-06-01"]
    code, _, err = invoke("cost", "beta", "--input-tokens", "1000", "--output-tokens", "1", *args)
    assert code == 0, err
    code, _, err = invoke("validate", "--no-bundled", str(folder))
    assert code == 0, err
