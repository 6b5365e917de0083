"""`cost.periods_in_force` takes a short cut for an offer with one price period (the common
case): it must give what the general rule (`dated.latest_in_force_by`) gives, for any dates,
end instants and currencies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from costcalc.catalog import OfferEntry, Origin
from costcalc.cost import periods_in_force
from costcalc.dated import latest_in_force_by
from costcalc.records import ModelInfo, Offer, PricePeriod, Provider

DAYS = st.dates(min_value=dt.date(2024, 12, 25), max_value=dt.date(2025, 1, 10))
ENDS = st.one_of(
    st.none(),
    DAYS,
    st.datetimes(
        min_value=dt.datetime(2024, 12, 25),
        max_value=dt.datetime(2025, 1, 10),
        timezones=st.just(dt.timezone.utc),
    ),
)


def _entry(periods: list[PricePeriod]) -> OfferEntry:
    provider = Provider(
        id="p", name="P", country="US", currency="EUR", pricing_url="https://example.com"
    )
    model = ModelInfo(id="m", name="M", vendor="V", open_weights=False, license="proprietary")
    origins = tuple(Origin("p.yaml", 10 + i) for i in range(len(periods)))
    return OfferEntry(
        provider, model, Offer(model="m", prices=periods), Origin("p.yaml", 9), origins
    )


def _general(entry: OfferEntry, when: dt.date) -> dict[str, tuple[PricePeriod, Origin]]:
    default = entry.provider.currency
    return latest_in_force_by(
        zip(entry.offer.prices, entry.period_origins, strict=True),
        when,
        lambda po: (po[0].as_of, po[0].valid_until),
        lambda po: po[0].currency or default,
    )


@given(DAYS, ENDS, st.sampled_from([None, "USD", "EUR"]), DAYS)
def test_one_period_short_cut_is_the_general_rule(
    as_of: dt.date, end: dt.date | dt.datetime | None, currency: str | None, when: dt.date
) -> None:
    """One period, any start, end (a day, an instant, none) and currency (none: the
    provider's), any day asked: the same period in force per currency, the same origin."""
    period = PricePeriod(
        input=Decimal(1), output=Decimal(2), as_of=as_of, valid_until=end, currency=currency,
        source="s",
    )  # fmt: skip
    entry = _entry([period])
    found = periods_in_force(entry, when)
    assert found == _general(entry, when)
    for chosen, origin in found.values():
        assert chosen is period and origin is entry.period_origins[0]


def test_one_period_by_hand() -> None:
    """A period from 2025-01-01 to 2025-01-05 (exclusive), no currency (the provider's EUR):
    in force on the 1st and the 4th, not on 31 December nor on the 5th."""
    period = PricePeriod(
        input=Decimal(1), output=Decimal(2), as_of=dt.date(2025, 1, 1),
        valid_until=dt.date(2025, 1, 5), source="s",
    )  # fmt: skip
    entry = _entry([period])
    assert list(periods_in_force(entry, dt.date(2025, 1, 1))) == ["EUR"]
    assert list(periods_in_force(entry, dt.date(2025, 1, 4))) == ["EUR"]
    assert periods_in_force(entry, dt.date(2024, 12, 31)) == {}
    assert periods_in_force(entry, dt.date(2025, 1, 5)) == {}
