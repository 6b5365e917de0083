"""The cost engine, checked against figures worked out by hand.

Prices are per million tokens: a line costs tokens x price / 1,000,000.
The mini catalog (tests/fixtures/mini) mirrors DeepSeek-R1's April 2025 lists
for `alpha @ cnhost` (¥4 / ¥1 cached / ¥16; $0.55 / $0.14 / $2.19; off-peak
¥1 / ¥0.25 / ¥4) and a Gemini-2.5-Pro-like tiered offer for `beta @ ushost`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from costcalc.cost import Usage, choose_period, cost_of
from costcalc.errors import InputError, NoPriceError

APRIL = dt.date(2025, 4, 13)
TIER_USAGE = Usage(
    input_tokens=D(300_000),
    cached_tokens=D(100_000),
    output_tokens=D(1_000),
    reasoning_tokens=D(2_000),
    batch_share=D("0.5"),
)
"""A prompt above beta's 200,000-token tier, half of it through batch."""


def entry(catalog, model: str, provider: str):  # type: ignore[no-untyped-def]
    (found,) = catalog.offers_for(model, provider)
    return found


def test_million_in_and_out_in_cny(mini_catalog) -> None:  # type: ignore[no-untyped-def]
    """The field's own example: 1M in + 1M out on R1's CNY list is ¥4 + ¥16 = ¥20."""
    result = cost_of(
        entry(mini_catalog, "alpha", "cnhost"),
        Usage(input_tokens=D(1_000_000), output_tokens=D(1_000_000)),
        when=APRIL,
        currency="CNY",
        fx=mini_catalog.fx,
    )
    assert result.total == D(20)
    assert [(line.component, line.amount) for line in result.lines] == [
        ("input", D(4)),
        ("output", D(16)),
    ]
    assert result.choice.published is True
    assert result.choice.conversion is None


def test_published_usd_list_wins_over_conversion(mini_catalog) -> None:  # type: ignore[no-untyped-def]
    """In USD the provider's own USD list is used: $0.55 + $2.19 = $2.74, not ¥20 / 7.25."""
    result = cost_of(
        entry(mini_catalog, "alpha", "cnhost"),
        Usage(input_tokens=D(1_000_000), output_tokens=D(1_000_000)),
        when=APRIL,
        currency="USD",
        fx=mini_catalog.fx,
    )
    assert result.total == D("2.74")
    assert result.choice.published is True


def test_cached_tokens_are_part_of_input(mini_catalog) -> None:  # type: ignore[no-untyped-def]
    """10,000 prompt tokens of which 4,000 cached, 2,000 out, ¥ list:
    uncached 6,000 x ¥4/M = ¥0.024; cached 4,000 x ¥1/M = ¥0.004; output 2,000 x ¥16/M = ¥0.032;
    total ¥0.060."""
    result = cost_of(
        entry(mini_catalog, "alpha", "cnhost"),
        Usage(input_tokens=D(10_000), cached_tokens=D(4_000), output_tokens=D(2_000)),
        when=APRIL,
        currency="CNY",
        fx=mini_catalog.fx,
    )
    assert result.total == D("0.060")
    assert {line.component: line.amount for line in result.lines} == {
        "input": D("0.024"),
        "cached_input": D("0.004"),
        "output": D("0.032"),
    }


def test_conversion_uses_the_dated_rate(mini_catalog) -> None:  # type: ignore[no-untyped-def]
    """alpha @ ushost is priced in USD only: 1M in x $0.5 + 1M out x $1 = $1.50.
    In CNY on 2025-04-13 the 2025-02-01 rate 7.25 applies: 1.5 x 7.25 = ¥10.875;
    on 2026-02-01 the 2026-01-01 rate 8 applies: 1.5 x 8 = ¥12."""
    usage = Usage(input_tokens=D(1_000_000), output_tokens=D(1_000_000))
    offer = entry(mini_catalog, "alpha", "ushost")
    april = cost_of(offer, usage, when=APRIL, currency="CNY", fx=mini_catalog.fx)
    assert april.total == D("10.875")
    assert april.choice.published is False
    assert april.choice.conversion is not None
    assert april.choice.conversion.rate == D("7.25")
    later = cost_of(offer, usage, when=dt.date(2026, 2, 1), currency="CNY", fx=mini_catalog.fx)
    assert later.total == D(12)


def test_missing_rate_is_an_error(mini_catalog) -> None:  # type: ignore[no-untyped-def]
    """Before the first USD/CNY rate (2025-02-01) no conversion is possible: an error, not a guess."""
    usage = Usage(input_tokens=D(1), output_tokens=D(1))
    with pytest.raises(
        NoPriceError, match="no USD/CNY exchange rate dated on or before 2025-01-15"
    ):
        cost_of(
            entry(mini_catalog, "alpha", "ushost"),
            usage,
            when=dt.date(2025, 1, 15),
            currency="CNY",
            fx=mini_catalog.fx,
        )


def test_off_peak_share(mini_catalog) -> None:  # type: ignore[no-untyped-def]
    """1M in, 1M out, a quarter off-peak on 2025-04-13 (off-peak began 2025-02-26):
    standard 0.75 x (¥4 + ¥16) = ¥15; off-peak 0.25 x (¥1 + ¥4) = ¥1.25; total ¥16.25."""
    result = cost_of(
        entry(mini_catalog, "alpha", "cnhost"),
        Usage(input_tokens=D(1_000_000), output_tokens=D(1_000_000), off_peak_share=D("0.25")),
        when=APRIL,
        currency="CNY",
        fx=mini_catalog.fx,
    )
    assert result.total == D("16.25")
    assert {line.mode for line in result.lines} == {"standard", "off-peak"}


def test_off_peak_before_it_existed_bills_standard(mini_catalog) -> None:  # type: ignore[no-untyped-def]
    """On 2025-02-01 the off-peak prices were not yet in force: all at ¥4 + ¥16 = ¥20, with a note."""
    result = cost_of(
        entry(mini_catalog, "alpha", "cnhost"),
        Usage(input_tokens=D(1_000_000), output_tokens=D(1_000_000), off_peak_share=D("0.25")),
        when=dt.date(2025, 2, 1),
        currency="CNY",
        fx=mini_catalog.fx,
    )
    assert result.total == D(20)
    assert any("no off-peak price in force" in n for n in result.notes)


def test_dated_prices_follow_as_of(mini_catalog) -> None:  # type: ignore[no-untyped-def]
    """From 2025-09-05 16:00 UTC the first list ends; on 2025-09-06 the later ¥2/¥3 list holds:
    1M in x ¥2 + 1M out x ¥3 = ¥5. On 2025-09-05 itself (00:00 UTC) the old list still holds: ¥20."""
    usage = Usage(input_tokens=D(1_000_000), output_tokens=D(1_000_000))
    offer = entry(mini_catalog, "alpha", "cnhost")
    assert cost_of(
        offer, usage, when=dt.date(2025, 9, 6), currency="CNY", fx=mini_catalog.fx
    ).total == D(5)
    # On 2025-09-05 both the old list (until 16:00) and the new one (from that day) are in force;
    # the newest as_of wins.
    assert cost_of(
        offer, usage, when=dt.date(2025, 9, 5), currency="CNY", fx=mini_catalog.fx
    ).total == D(5)
    assert cost_of(
        offer, usage, when=dt.date(2025, 9, 4), currency="CNY", fx=mini_catalog.fx
    ).total == D(20)


def test_no_price_before_first_period(mini_catalog) -> None:  # type: ignore[no-untyped-def]
    usage = Usage(input_tokens=D(1), output_tokens=D(1))
    with pytest.raises(NoPriceError, match="no price in force on 2024-06-01"):
        cost_of(
            entry(mini_catalog, "alpha", "cnhost"),
            usage,
            when=dt.date(2024, 6, 1),
            currency="CNY",
            fx=mini_catalog.fx,
        )


def test_tier_reasoning_and_batch(mini_catalog) -> None:  # type: ignore[no-untyped-def]
    """beta @ ushost, prompt 300,000 > 200,000 so the tier prices apply to the whole request.
    100,000 cached, 1,000 out, 2,000 reasoning; half through batch.
    Standard half: uncached 200,000 x 0.5 = 100,000 x $2.50/M = $0.25
                   cached 100,000 x 0.5 = 50,000 x $0.25/M = $0.0125
                   output 500 x $15/M = $0.0075; reasoning 1,000 x $15/M (tier has no reasoning price,
                   billed as output) = $0.015
    Batch half (tier batch: $1.25 in, $7.50 out; no cached price -> input price):
                   uncached 100,000 x $1.25/M = $0.125; cached 50,000 x $1.25/M = $0.0625
                   output 500 x $7.50/M = $0.00375; reasoning 1,000 x $7.50/M = $0.0075
    Total = 0.25 + 0.0125 + 0.0075 + 0.015 + 0.125 + 0.0625 + 0.00375 + 0.0075 = $0.48375."""
    result = cost_of(
        entry(mini_catalog, "beta", "ushost"),
        TIER_USAGE,
        when=APRIL,
        currency="USD",
        fx=mini_catalog.fx,
    )
    assert result.total == D("0.48375")
    # The breakdown is made on first use (a ranking reads totals only), once, from the same
    # period, usage and day, and adds up to the total: 8 lines, the first 100,000 x $2.50/M.
    assert result.given_lines is None
    lines = result.lines
    assert result.lines is lines
    assert len(lines) == 8
    assert sum((line.amount for line in lines), D(0)) == result.total
    first = lines[0]
    assert (first.component, first.mode, first.tokens, first.rate, first.amount) == (
        "input",
        "standard",
        D(100_000),
        D("2.50"),
        D("0.25"),
    )
    assert all(line.tier == 200_000 for line in result.lines)
    reasoning = [line for line in result.lines if line.component == "reasoning"]
    assert {line.billed_as for line in reasoning} == {"output"}


def test_below_tier_uses_base_prices_and_reasoning_price(mini_catalog) -> None:  # type: ignore[no-untyped-def]
    """beta, prompt exactly 200,000 (not above the threshold): base prices.
    200,000 x $1.25/M = $0.25; 1,000 out x $10/M = $0.01; 1,000 reasoning x $12/M = $0.012;
    10,000 cache writes x $1.50/M = $0.015 (they are part of the 200,000 prompt, so uncached is
    190,000 x $1.25/M = $0.2375). Total 0.2375 + 0.015 + 0.01 + 0.012 = $0.2745."""
    result = cost_of(
        entry(mini_catalog, "beta", "ushost"),
        Usage(
            input_tokens=D(200_000),
            cache_write_tokens=D(10_000),
            output_tokens=D(1_000),
            reasoning_tokens=D(1_000),
        ),
        when=APRIL,
        currency="USD",
        fx=mini_catalog.fx,
    )
    assert result.total == D("0.2745")
    assert all(line.tier is None for line in result.lines)


def test_requests_multiply(mini_catalog) -> None:  # type: ignore[no-untyped-def]
    """30,000 requests of 1,000 in / 500 out on the ¥ list:
    per request 1,000 x ¥4/M + 500 x ¥16/M = ¥0.004 + ¥0.008 = ¥0.012; x 30,000 = ¥360."""
    result = cost_of(
        entry(mini_catalog, "alpha", "cnhost"),
        Usage(input_tokens=D(1_000), output_tokens=D(500), requests=D(30_000)),
        when=APRIL,
        currency="CNY",
        fx=mini_catalog.fx,
    )
    assert result.total == D(360)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"input_tokens": D(10), "output_tokens": D(1), "cached_tokens": D(11)}, "cannot exceed"),
        ({"input_tokens": D(-1), "output_tokens": D(1)}, "input-tokens must be"),
        ({"input_tokens": D(1), "output_tokens": D(1), "batch_share": D("1.5")}, "between 0 and 1"),
        (
            {
                "input_tokens": D(1),
                "output_tokens": D(1),
                "batch_share": D("0.6"),
                "off_peak_share": D("0.6"),
            },
            "together exceed 1",
        ),
        ({"input_tokens": D("NaN"), "output_tokens": D(1)}, "finite"),
    ],
)
def test_impossible_usage_is_refused(kwargs, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=message):
        Usage(**kwargs)


def test_choice_prefers_asked_currency_then_provider_currency(mini_catalog) -> None:  # type: ignore[no-untyped-def]
    offer = entry(mini_catalog, "alpha", "cnhost")
    assert choose_period(offer, APRIL, "USD", mini_catalog.fx).currency == "USD"
    assert choose_period(offer, APRIL, "CNY", mini_catalog.fx).currency == "CNY"
    # EUR is published by nobody and has no rate: the CNY list is chosen, and converting fails.
    with pytest.raises(NoPriceError, match="no CNY/EUR exchange rate"):
        choose_period(offer, APRIL, "EUR", mini_catalog.fx)


def test_a_converted_breakdown_adds_up_in_the_asked_currency(mini_catalog) -> None:  # type: ignore[no-untyped-def]
    """alpha @ ushost in CNY on 2025-04-13 (rate 7.25): the lines made later are converted
    one by one as the total was: 1M in x $0.5 x 7.25 = ¥3.625, 1M out x $1 x 7.25 = ¥7.25,
    ¥10.875 in all."""
    result = cost_of(
        entry(mini_catalog, "alpha", "ushost"),
        Usage(input_tokens=D(1_000_000), output_tokens=D(1_000_000)),
        when=APRIL,
        currency="CNY",
        fx=mini_catalog.fx,
    )
    amounts = {line.component: line.amount for line in result.lines}
    assert amounts == {"input": D("3.625"), "output": D("7.25")}
    assert {line.rate_currency for line in result.lines} == {"USD"}
    assert result.total == D("10.875")
