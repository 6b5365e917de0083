"""File format for self-hosting options: GPU rental prices and measured throughput.

A self-host option runs one open-weight model on one hardware block (a
*replica*, e.g. 8 x H200), rented at a dated price per GPU-hour, serving a
throughput measured for that very model on that very hardware. Every price and
throughput carries its source and date; a throughput measured on another model
of the same size (a proxy) must say so with `proxy: true`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from costcalc.schema.common import (
    Count,
    Currency,
    Day,
    Id,
    Instant,
    PositiveCount,
    Price,
    Rate,
    Share,
    Source,
    Strict,
    Text,
    as_instant,
)


class GpuPrice(Strict):
    """A dated rental price for one GPU for one hour."""

    id: Id
    """Name options refer to; several rows may share an id with different as_of dates."""
    gpu: Text
    """GPU model as the provider names it (e.g. "H200 SXM 141GB")."""
    provider: Text
    """Who rents it (a cloud, a GPU host)."""
    instance: Text | None = None
    """Instance type or plan, where named."""
    region: Text | None = None
    price_per_gpu_hour: Price
    """Price of one GPU for one hour, in `currency`."""
    currency: Currency
    pricing: Literal["on-demand", "spot", "reserved"]
    """How it is rented: spot capacity can be taken back; reserved needs a commitment."""
    derived: bool = False
    """True when the provider publishes only an instance price and this is that price / GPUs."""
    as_of: Day
    """First day the price is known to hold."""
    valid_until: Instant | None = None
    """First instant it no longer holds, where documented."""
    source: Source
    note: Text | None = None

    @model_validator(mode="after")
    def _dates(self) -> GpuPrice:
        if self.valid_until is not None and as_instant(self.valid_until) <= as_instant(self.as_of):
            raise ValueError(f"valid_until {self.valid_until} is not after as_of {self.as_of}")
        return self


class Hardware(Strict):
    """The hardware block one replica of the model runs on."""

    gpu: Text
    """GPU model; must be the `gpu` of the option's GPU price."""
    count: PositiveCount
    """GPUs in one replica."""


class Throughput(Strict):
    """A measured serving throughput, with the setup it was measured in."""

    output_tokens_per_s: Rate
    """Generated tokens per second, as published."""
    per: Literal["replica", "gpu"] = "replica"
    """For the whole hardware block, or per GPU (then multiplied by the GPU count)."""
    measured_model: Text
    """The model the source measured, as the source names it."""
    proxy: bool = False
    """True when measured on another model of the same architecture and size (say which in note)."""
    engine: Text
    """Serving engine, version and settings as the source states them."""
    precision: Text
    input_tokens: Count | None = None
    """Prompt tokens per request in the measurement, where fixed."""
    output_tokens: Count | None = None
    """Output tokens per request in the measurement, where fixed."""
    load: Text
    """How the load was applied (concurrency, all at once, offline maximum)."""
    as_of: Day
    """Run or publication date (first day of the month when only the month is known)."""
    source: Source
    note: Text | None = None

    @model_validator(mode="after")
    def _proxy_explained(self) -> Throughput:
        if self.proxy and not self.note:
            raise ValueError("a proxy measurement needs a note saying which model stands in")
        return self


class SelfHostOption(Strict):
    """Running one open-weight model on rented GPUs."""

    id: Id
    model: Id
    """Catalog id of the model served (it must have open weights)."""
    hardware: Hardware
    gpu_price: Id
    """Id of a GPU price (in any loaded selfhost file); the one in force on the day is used."""
    throughput: Throughput
    target_utilisation: Share = Field(gt=0)
    """Share of the measured throughput to plan on (1 = as measured); an assumption, not a fact."""
    note: Text | None = None


class SelfHostSheet(Strict):
    """Self-hosting options: `pricing/selfhost.yaml`."""

    kind: Literal["selfhost"]
    note: Text | None = None
    gpu_prices: list[GpuPrice] = Field(default_factory=list)
    options: list[SelfHostOption] = Field(default_factory=list)

    @model_validator(mode="after")
    def _distinct(self) -> SelfHostSheet:
        dated: set[tuple[str, dt.date]] = set()
        for price in self.gpu_prices:
            if (price.id, price.as_of) in dated:
                raise ValueError(f"two GPU prices {price.id!r} dated {price.as_of}")
            dated.add((price.id, price.as_of))
        ids: set[str] = set()
        for option in self.options:
            if option.id in ids:
                raise ValueError(f"two self-host options have the id {option.id!r}")
            ids.add(option.id)
        return self
