"""Workloads and requests, defined once (core: no typer, rich, printing, clock or environment).

Every command that prices traffic (compare, budget, the CI gate, the public API)
turns a workload into requests here, so the rules below hold everywhere:

- `cached_tokens(input_tokens, share)`: the prompt tokens read from cache are
  input x cached share (a share outside 0-1 is refused with one message);
- `request(...)`, `workload_request(workload)`: one request (requests=1) before
  any model's hidden tokens;
- `hidden_tokens(model, output_tokens, override, override_models) -> HiddenTokens`:
  the hidden reasoning tokens one request bills on a model, and on what basis:
  the user's override for the models it names; else the model's sourced figure
  in the sheets (tokens per request, or a multiple of the visible output); else
  0, called unknown when the sheet marks the model `thinking: true`;
- `request_usage(workload, model)`: one request of a workload on a model, its
  hidden tokens included;
- `monthly_requests(workload, month)`: month 1 x (1 + growth)^(month-1), whole
  requests; a month is DAYS_PER_MONTH (30) days;
- `presets(catalog)`, `preset(catalog, name)`: the named workloads of the loaded
  `workloads` sheets (the bundled presets);
- `load_workloads(path, names=None)`: the workloads of a `kind: workloads` file;
- `workload_with(base, overrides, source)`: a workload with some fields replaced,
  validated with located errors.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import TYPE_CHECKING, Any, Literal

from costcalc.cost import Usage
from costcalc.errors import InputError
from costcalc.fx import PRECISION

if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path

    from costcalc.catalog import Catalog
    from costcalc.records import ModelInfo
    from costcalc.schema.workload import Workload

ZERO = Decimal(0)
ONE = Decimal(1)

DEFAULT_INPUT_TOKENS = Decimal(2000)
"""Prompt tokens of one request when none are given (compare's default)."""
DEFAULT_OUTPUT_TOKENS = Decimal(500)
"""Visible answer tokens of one request when none are given (compare's default)."""
DEFAULT_CACHED_SHARE = ZERO

HiddenBasis = Literal["sheet", "override", "unknown"]
"""Where a request's hidden reasoning tokens come from: the model's sourced figure in the
sheets, the user's --reasoning-tokens, or nowhere (a thinking model with no figure: billed 0)."""


def check_cached_share(share: Decimal, name: str = "cached_share") -> Decimal:
    """The share when it is a fraction in 0-1, else the one error for that mistake
    (`name`: the field or option that gave it)."""
    if not share.is_finite() or not ZERO <= share <= ONE:
        raise InputError(f"{name} must be between 0 and 1, got {share}")
    return share


def cached_tokens(input_tokens: Decimal, share: Decimal) -> Decimal:
    """Prompt tokens read from the provider's cache: input x share (share in 0-1)."""
    check_cached_share(share)
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return input_tokens * share


def request(
    input_tokens: Decimal = DEFAULT_INPUT_TOKENS,
    output_tokens: Decimal = DEFAULT_OUTPUT_TOKENS,
    cached_share: Decimal = DEFAULT_CACHED_SHARE,
    *,
    batch_share: Decimal = ZERO,
    off_peak_share: Decimal = ZERO,
) -> Usage:
    """One request (requests=1) before any model's hidden reasoning tokens."""
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cached_tokens=cached_tokens(input_tokens, cached_share),
        batch_share=batch_share,
        off_peak_share=off_peak_share,
    )


def workload_request(workload: Workload) -> Usage:
    """One request of a workload (requests=1) before any model's hidden reasoning tokens."""
    return request(
        workload.input_tokens,
        workload.output_tokens,
        workload.cached_share,
        batch_share=workload.batch_share,
        off_peak_share=workload.off_peak_share,
    )


@dataclass(frozen=True)
class HiddenTokens:
    """The hidden reasoning tokens one request bills on a model, and why that many."""

    model: str
    tokens: Decimal
    """Per request, billed on top of the visible output."""
    basis: HiddenBasis | None
    """None: the model has no figure and is not marked as thinking (0 billed, nothing to say)."""
    source: str | None = None
    """The sheet's source for a `sheet` figure."""
    as_of: dt.date | None = None
    output_multiple: Decimal | None = None
    """Set when the sheet gives the tokens as a multiple of the visible output."""

    @property
    def billed(self) -> bool:
        return self.tokens > 0


def _names_match(model: ModelInfo, names: Collection[str]) -> bool:
    wanted = {n.strip().lower() for n in names}
    return bool(wanted & {model.id, *model.aliases})


def hidden_tokens(
    model: ModelInfo,
    output_tokens: Decimal,
    override: Decimal | None = None,
    override_models: Collection[str] = (),
) -> HiddenTokens:
    """Hidden reasoning tokens per request on a model (the one rule compare, budget and the
    gate share): `override` for the models named in `override_models` (ids or aliases);
    otherwise the model's sourced figure (tokens per request, or a multiple of the visible
    output); otherwise 0, with basis `unknown` when the sheet says the model thinks."""
    if override is not None and _names_match(model, override_models):
        if not override.is_finite() or override < 0:
            raise InputError(f"reasoning tokens must be >= 0, got {override}")
        return HiddenTokens(model.id, override, "override")
    figure = model.reasoning
    if figure is not None:
        if figure.tokens_per_request is not None:
            tokens = Decimal(figure.tokens_per_request)
            multiple = None
        else:
            assert figure.output_multiple is not None
            multiple = figure.output_multiple
            with localcontext() as ctx:
                ctx.prec = PRECISION
                tokens = multiple * output_tokens
        return HiddenTokens(model.id, tokens, "sheet", figure.source, figure.as_of, multiple)
    if model.thinking:
        return HiddenTokens(model.id, ZERO, "unknown")
    return HiddenTokens(model.id, ZERO, None)


def with_hidden(usage: Usage, hidden: HiddenTokens) -> Usage:
    """A request with a model's hidden tokens added to the reasoning tokens it already has."""
    return replace(usage, reasoning_tokens=usage.reasoning_tokens + hidden.tokens)


def workload_hidden(workload: Workload, model: ModelInfo) -> HiddenTokens:
    """A workload's hidden tokens on a model (its reasoning_tokens for its reasoning_models)."""
    return hidden_tokens(
        model, workload.output_tokens, workload.reasoning_tokens, workload.reasoning_models
    )


def request_usage(workload: Workload, model: ModelInfo) -> Usage:
    """One request of the workload on a model (requests=1), its hidden tokens included."""
    return with_hidden(workload_request(workload), workload_hidden(workload, model))


def tokens_per_request(usage: Usage) -> Decimal:
    """Tokens one request moves: input + output + reasoning."""
    return usage.input_tokens + usage.output_tokens + usage.reasoning_tokens


def monthly_requests(workload: Workload, month: int = 1) -> Decimal:
    """Requests in a month of the horizon: month 1 x (1 + growth)^(month - 1), rounded half
    to even to a whole number of requests (a month bills whole requests, and its cost is then
    an exact product with no long tail of decimals). A month is DAYS_PER_MONTH (30) days."""
    from costcalc.schema.workload import DAYS_PER_MONTH  # loaded with the Workload itself

    with localcontext() as ctx:
        ctx.prec = PRECISION
        if workload.requests_per_month is not None:
            first = workload.requests_per_month
        else:
            assert workload.requests_per_day is not None
            first = workload.requests_per_day * DAYS_PER_MONTH
        return (first * (ONE + workload.growth) ** (month - 1)).quantize(ONE, ROUND_HALF_EVEN)


def presets(catalog: Catalog) -> dict[str, Workload]:
    """Named workloads of every `workloads` file in the catalog (a later layer wins)."""
    from costcalc.schema.workload import WorkloadFile

    found: dict[str, Workload] = {}
    for doc in catalog.documents_of("workloads"):
        assert isinstance(doc.model, WorkloadFile)
        for w in doc.model.workloads:
            found[w.name] = w
    return found


def preset(catalog: Catalog, name: str) -> Workload:
    """A preset by name, or an error listing the known ones."""
    from costcalc.catalog import did_you_mean

    known = presets(catalog)
    found = known.get(name.strip().lower())
    if found is None:
        raise InputError(
            f"unknown preset {name!r}{did_you_mean(name, known)};"
            f" presets: {', '.join(known) or 'none in the loaded sheets'}",
            field="--preset",
        )
    return found


def load_workloads(path: Path, names: Sequence[str] | None = None) -> list[Workload]:
    """The workloads of a `kind: workloads` file (all, or the named ones in that order);
    errors name the file, line and field."""
    from costcalc.catalog import did_you_mean
    from costcalc.loader import load_document
    from costcalc.schema.workload import WorkloadFile

    doc = load_document(path, ("workloads",))
    assert isinstance(doc.model, WorkloadFile)
    found = {w.name: w for w in doc.model.workloads}
    if not names:
        return list(found.values())
    missing = [n for n in names if n not in found]
    if missing:
        raise InputError(
            f"no workload named {missing[0]!r} in the file"
            f"{did_you_mean(missing[0], found)}; it has: {', '.join(found)}",
            file=str(path),
        )
    return [found[n] for n in names]


def workload_with(
    base: Workload | None, overrides: Mapping[str, Any], source: str = "command line"
) -> Workload:
    """`base` with the non-None `overrides` applied, validated (errors name `source` and the field).

    Giving requests_per_day drops the base's requests_per_month and the other way round.
    """
    from costcalc.loader import validate_data
    from costcalc.schema.workload import Workload

    data: dict[str, Any] = base.model_dump(exclude_defaults=True) if base else {"name": "custom"}
    given = {k: v for k, v in overrides.items() if v is not None}
    if "requests_per_day" in given:
        data.pop("requests_per_month", None)
    if "requests_per_month" in given:
        data.pop("requests_per_day", None)
    data.update(given)
    missing = [f for f in ("input_tokens", "output_tokens") if f not in data]
    if "requests_per_day" not in data and "requests_per_month" not in data:
        missing.insert(0, "requests_per_day or requests_per_month")
    if missing:
        raise InputError(
            "a workload needs "
            + ", ".join(missing).replace("_", "-")
            + ": give --preset, --workload-file or the flags"
        )
    return validate_data(data, Workload, source)


__all__ = [
    "DEFAULT_CACHED_SHARE",
    "DEFAULT_INPUT_TOKENS",
    "DEFAULT_OUTPUT_TOKENS",
    "HiddenBasis",
    "HiddenTokens",
    "cached_tokens",
    "check_cached_share",
    "hidden_tokens",
    "load_workloads",
    "monthly_requests",
    "preset",
    "presets",
    "request",
    "request_usage",
    "tokens_per_request",
    "with_hidden",
    "workload_hidden",
    "workload_request",
    "workload_with",
]
