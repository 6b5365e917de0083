"""File format of procurement decisions: which model a team buys, for what, under which policy.

`kind: procurement` files live in the team's repository and are checked by
`costcalc check` on every pull request. A file holds one or more decisions; a
`policy` and `rules` (severity overrides) written at the top apply to every
decision of the file, and a decision's own `policy` refines it field by field.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Discriminator,
    Field,
    GetJsonSchemaHandler,
    Tag,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from costcalc.schema.common import Currency, Day, Id, Rate, Strict, Text, _finite, _no_bool
from costcalc.schema.workload import Workload


def _known_rule(value: str) -> str:
    """A rule id of the gate's registry that a file may override or waive."""
    from costcalc.gate.registry import rule_ids

    known = rule_ids(configurable_only=True)
    if value not in known:
        import difflib

        close = difflib.get_close_matches(value, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"unknown rule {value!r}{hint} (rules: {', '.join(known)})")
    return value


class _RuleIdsInSchema:
    """Puts the registry's rule ids in the JSON Schema as an enum (editors complete them)."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        from costcalc.gate.registry import rule_ids

        schema = handler(core_schema)
        schema.pop("maxLength", None)
        schema.pop("minLength", None)
        schema["enum"] = list(rule_ids(configurable_only=True))
        return schema


RuleId = Annotated[
    str, Field(min_length=1, max_length=100), AfterValidator(_known_rule), _RuleIdsInSchema()
]
"""A rule id of the registry (every rule `costcalc check` applies, by its stable id)."""


def rule_ids() -> tuple[str, ...]:
    """Every rule a procurement file may override or waive (from the gate's registry)."""
    from costcalc.gate.registry import rule_ids as ids

    return ids(configurable_only=True)


Severity = Literal["deny", "warn", "off"]
"""deny fails the check (exit 1), warn is reported only, off skips the rule."""

Money = Annotated[
    Decimal, BeforeValidator(_no_bool), AfterValidator(_finite), Field(ge=0, le=Decimal(10) ** 12)
]
"""An exact, non-negative amount of money."""

Points = Annotated[Decimal, BeforeValidator(_no_bool), AfterValidator(_finite), Field(ge=0, le=100)]
"""A quality on the 0-100 scale."""

Days = Annotated[int, BeforeValidator(_no_bool), Field(ge=0, le=36500)]

Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f]+$")]
"""A decision name: one line of text."""

RelPath = Annotated[str, Field(min_length=1, max_length=500, pattern=r"^[^\x00-\x1f]+$")]


class InlineWorkload(Workload):
    """A workload written out in the decision: a `kind: workloads` entry, `name` optional."""

    name: Id = "inline"
    """Name of the workload (optional here)."""


class PresetWorkload(Strict):
    """A preset workload of the loaded sheets (bundled: small, medium, large)."""

    preset: Id
    """Preset name, as listed by `costcalc budget --help` (pricing/workloads.yaml)."""


class WorkloadRef(Strict):
    """A named workload in a workload file inside the checked folder."""

    file: RelPath
    """Workload file path, relative to this file; it must stay inside the checked folder."""
    name: Id
    """The workload's `name` in that `kind: workloads` file."""


def _workload_kind(value: Any) -> str:
    """Which workload form a mapping is: a preset, a file reference, or written out."""
    if isinstance(value, dict):
        if "preset" in value:
            return "preset-workload"
        if "file" in value:
            return "workload-file"
        return "inline-workload"
    if isinstance(value, PresetWorkload):
        return "preset-workload"
    return "workload-file" if isinstance(value, WorkloadRef) else "inline-workload"


# Tags contain a hyphen so located errors skip them and point at the real YAML line.
DecisionWorkload = Annotated[
    Annotated[InlineWorkload, Tag("inline-workload")]
    | Annotated[PresetWorkload, Tag("preset-workload")]
    | Annotated[WorkloadRef, Tag("workload-file")],
    Discriminator(_workload_kind),
]


class QualityBar(Strict):
    """How quality is measured and the minimum accepted."""

    profile: Id = "balanced"
    """Quality profile (benchmark weighting), as in the profiles sheet."""
    min: Points
    """The bar: the chosen model's quality (0-100) must reach it."""


class Budget(Strict):
    """The most the decision may cost per month."""

    monthly: Money
    """Monthly budget, in `currency`."""
    currency: Currency
    """Currency of the budget and of every amount reported for this decision."""


class Licenses(Strict):
    """Which model licences are acceptable."""

    allow: list[Id] | None = None
    """Only these licence ids are accepted (e.g. mit, apache-2.0); absent: any not denied."""
    deny: list[Id] = Field(default_factory=list)
    """Licence ids that are refused (e.g. llama-3.1-community for its 700M-user clause)."""


class Policy(Strict):
    """Constraints a decision must meet; every field is optional."""

    licenses: Licenses | None = None
    """Allowed and denied licences."""
    open_weights_required: bool | None = None
    """Only models with published weights."""
    provider_countries: list[Annotated[str, Field(pattern=r"^[A-Z]{2}$")]] | None = None
    """ISO 3166-1 alpha-2 codes of the countries a provider may be based in."""
    max_price_age_days: Days | None = None
    """Oldest acceptable price: days from the price's `as_of` to the check date (default 180)."""
    max_score_age_days: Days | None = None
    """Oldest acceptable benchmark score, in days (default 365; an undated score is stale)."""
    max_cost_multiple: Rate | None = None
    """Most the choice may cost as a multiple of the cheapest good-enough alternative."""
    max_cost_per_point: Money | None = None
    """Most the choice may cost per month per quality point over the cheapest good-enough offer."""
    rate_limit_headroom: Rate | None = None
    """Published rate limits must carry this multiple of the workload's load (default 1)."""
    rate_limit_tier: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    """Account tier whose limits apply (default: any published tier that carries the load)."""


class Waiver(Strict):
    """An accepted exception to one rule, until a day."""

    rule: RuleId
    """The rule id waived."""
    reason: Text
    """Why the exception is accepted."""
    owner: Annotated[str, Field(min_length=1, max_length=200)]
    """Who accepted it (a person or team)."""
    expires: Day
    """Last day the waiver holds; from the next day the rule applies again."""


class Decision(Strict):
    """One choice: a model at a provider, for a workload, under a budget and policy."""

    name: Name
    """Unique name of the decision in its file (e.g. support-chat)."""
    model: Annotated[str, Field(min_length=1, max_length=160)]
    """Chosen model id or alias."""
    provider: Annotated[str, Field(min_length=1, max_length=160)]
    """Provider id the model is bought from."""
    workload: DecisionWorkload
    """Inline workload, `{preset: small|medium|large}`, or `{file: ..., name: ...}`."""
    quality: QualityBar | None = None
    """Quality profile and bar; without it the quality rules are skipped."""
    budget: Budget
    """Monthly budget and its currency."""
    policy: Policy | None = None
    """This decision's policy, refining the file's policy field by field."""
    waivers: list[Waiver] = Field(default_factory=list)
    """Accepted exceptions to rules for this decision."""


class ProcurementFile(Strict):
    """A procurement file: one or more decisions checked by `costcalc check`."""

    kind: Literal["procurement"]
    policy: Policy | None = None
    """Policy applied to every decision of the file."""
    rules: dict[RuleId, Severity] = Field(default_factory=dict)
    """Severity overrides for this file: rule id -> deny, warn or off."""
    decisions: list[Decision] = Field(min_length=1, max_length=10000)
    """The decisions."""

    @model_validator(mode="after")
    def _unique_names(self) -> ProcurementFile:
        seen: set[str] = set()
        for d in self.decisions:
            if d.name in seen:
                raise ValueError(
                    f"two decisions are named {d.name!r}; names must be unique in a file"
                )
            seen.add(d.name)
        return self
