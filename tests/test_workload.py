"""costcalc.workload: the one place a workload becomes requests (cached share, hidden tokens,
monthly volumes), checked against figures worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from costcalc.errors import InputError
from costcalc.schema.pricing import ModelInfo, Reasoning
from costcalc.workload import (
    cached_tokens,
    hidden_tokens,
    monthly_requests,
    request,
    request_usage,
    workload_with,
)

DAY = dt.date(2025, 1, 20)


def model(**kw: object) -> ModelInfo:
    base: dict[str, object] = {
        "id": "m",
        "name": "M",
        "vendor": "Test Lab",
        "open_weights": False,
        "license": "proprietary",
    }
    base.update(kw)
    return ModelInfo.model_validate(base)


def test_cached_tokens_is_input_times_share() -> None:
    """2,000 prompt tokens with a 0.25 cached share: 2,000 x 0.25 = 500 read from cache."""
    assert cached_tokens(D(2000), D("0.25")) == D(500)
    assert request(D(2000), D(500), D("0.25")).cached_tokens == D(500)


@pytest.mark.parametrize("share", ["-0.1", "1.5", "NaN"])
def test_cached_share_outside_0_1_is_one_error(share: str) -> None:
    """Every caller gets the same message for a share outside 0-1."""
    with pytest.raises(InputError, match="cached_share must be between 0 and 1"):
        cached_tokens(D(1000), D(share))


def test_hidden_tokens_per_request_from_the_sheet() -> None:
    """A sourced 23,000 tokens per request is billed whatever the visible output."""
    m = model(
        thinking=True,
        reasoning=Reasoning(tokens_per_request=23000, source="test card", as_of=DAY),
    )
    h = hidden_tokens(m, D(500))
    assert (h.tokens, h.basis, h.source, h.as_of) == (D(23000), "sheet", "test card", DAY)


def test_hidden_tokens_as_multiple_of_output() -> None:
    """A multiple of 1.5 on 500 visible output tokens: 1.5 x 500 = 750 hidden tokens."""
    m = model(reasoning=Reasoning(output_multiple=D("1.5"), source="test", as_of=DAY))
    h = hidden_tokens(m, D(500))
    assert h.tokens == D(750) and h.output_multiple == D("1.5") and h.basis == "sheet"


def test_override_wins_for_named_models_only() -> None:
    """--reasoning-tokens 5,000 for the model (named by alias) replaces its sheet figure; a
    model not named keeps its own."""
    m = model(
        aliases=["m-alias"],
        reasoning=Reasoning(tokens_per_request=23000, source="test", as_of=DAY),
    )
    assert hidden_tokens(m, D(500), D(5000), ["M-Alias"]).tokens == D(5000)
    assert hidden_tokens(m, D(500), D(5000), ["M-Alias"]).basis == "override"
    assert hidden_tokens(m, D(500), D(5000), ["other"]).tokens == D(23000)


def test_thinking_without_figure_is_unknown_and_billed_zero() -> None:
    h = hidden_tokens(model(thinking=True), D(500))
    assert (h.tokens, h.basis) == (D(0), "unknown")


def test_no_thinking_no_figure_bills_nothing() -> None:
    for thinking in (False, None):
        h = hidden_tokens(model(thinking=thinking), D(500))
        assert (h.tokens, h.basis) == (D(0), None)


def test_request_usage_adds_the_models_hidden_tokens() -> None:
    """1,000 in / 500 out, 20% cached, on a model billing 2 x output: 200 cached, 1,000 hidden."""
    w = workload_with(
        None,
        {
            "requests_per_day": D(10),
            "input_tokens": D(1000),
            "output_tokens": D(500),
            "cached_share": D("0.2"),
        },
    )
    m = model(reasoning=Reasoning(output_multiple=D(2), source="test", as_of=DAY))
    u = request_usage(w, m)
    assert (u.cached_tokens, u.reasoning_tokens, u.requests) == (D(200), D(1000), D(1))


def test_monthly_requests_compound_and_round_half_even() -> None:
    """100.5 a day x 30 = 3,015 in month 1; +10%: month 2 = 3,316.5 -> 3,316 (half to even),
    month 3 = 3,015 x 1.21 = 3,648.15 -> 3,648."""
    w = workload_with(
        None,
        {
            "requests_per_day": D("100.5"),
            "input_tokens": D(1),
            "output_tokens": D(1),
            "growth": D("0.1"),
            "months": 3,
        },
    )
    assert [monthly_requests(w, m) for m in (1, 2, 3)] == [D(3015), D(3316), D(3648)]


def test_load_workloads_all_or_named() -> None:
    """A workloads file gives all its workloads, or the named ones; a missing name is an error
    naming the file and what it has."""
    from pathlib import Path

    from costcalc.workload import load_workloads

    path = Path("tests/fixtures/budget/workloads.yaml")
    assert [w.name for w in load_workloads(path)] == ["chat", "spiky"]
    assert [w.name for w in load_workloads(path, ["spiky"])] == ["spiky"]
    with pytest.raises(InputError, match=r"no workload named .spiki..*it has: chat, spiky"):
        load_workloads(path, ["spiki"])
