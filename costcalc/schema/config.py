"""The configuration file (`.costcalc.yaml`, or `[tool.costcalc]` in pyproject.toml).

Keys are spelled as the command-line options are, without the leading `--`; see
costcalc.config for where the file is found and how it is applied.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    WithJsonSchema,
    field_validator,
)

from costcalc.numbers import check_number
from costcalc.schema.common import CURRENCIES, Share, Strict, _no_bool


def _scalar(value: Any) -> Any:
    if isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, Decimal)):
        return check_number(value)  # bounded as every number costcalc reads is
    raise ValueError("expected a word, a number or true/false")


def _option_value(value: Any) -> Any:
    return [_scalar(v) for v in value] if isinstance(value, list) else _scalar(value)


def _words(value: Any) -> Any:
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) for v in items):
        raise ValueError("expected a path, or a list of paths")
    return value


def _weights(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and all(isinstance(v, (int, str, Decimal)) for v in value.values()):
        return {str(k): _no_bool(v) for k, v in value.items()}
    raise ValueError("expected 'aime-2024=2,gpqa-diamond=1' or a mapping of benchmark to weight")


_SCALAR_SCHEMA: dict[str, Any] = {"type": ["boolean", "number", "string"]}

Value = Annotated[
    Any,
    BeforeValidator(_option_value),
    WithJsonSchema({"anyOf": [_SCALAR_SCHEMA, {"type": "array", "items": _SCALAR_SCHEMA}]}),
]
"""An option's value: a word, a number, a yes/no, or a list for a repeatable option."""

Paths = Annotated[
    Any,
    BeforeValidator(_words),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}),
]

Weights = Annotated[
    Any,
    BeforeValidator(_weights),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string"},
                {"type": "object", "additionalProperties": {"type": "number"}},
            ]
        }
    ),
]


class Shared(Strict):
    """The options many commands share, checked as the command line would check them."""

    pricing: Paths = None
    """Folders (or files) of sheets layered over the bundled ones; relative to this file and
    inside its folder."""
    no_bundled: StrictBool | None = Field(None, alias="no-bundled")
    """Leave out the bundled sheets (use only `pricing`)."""
    currency: StrictStr | None = None
    """Currency of the amounts shown, e.g. USD, CNY, EUR."""
    profile: StrictStr | None = None
    """Profile id (balanced, math, coding, ...), or a profiles YAML file."""
    weights: Weights = None
    """Your own benchmark weights: "aime-2024=2,gpqa-diamond=1", or a mapping."""
    min_quality: Annotated[Decimal, BeforeValidator(_no_bool), Field(ge=0, le=100)] | None = Field(
        None, alias="min-quality"
    )
    """Absolute quality bar, 0-100."""
    good_enough: Annotated[Decimal, BeforeValidator(_no_bool), Field(gt=0, le=1)] | None = Field(
        None, alias="good-enough"
    )
    """Bar as a fraction of the best quality among the candidates."""
    min_coverage: Share | None = Field(None, alias="min-coverage")
    """Share of the profile weight a model needs scores for."""
    format: StrictStr | None = None
    """Output format of every command that offers it (e.g. json, markdown)."""

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, code: str | None) -> str | None:
        if code is None:
            return None
        upper = code.strip().upper()
        if upper not in CURRENCIES:
            raise ValueError(f"unknown currency {code!r}; known: {', '.join(CURRENCIES)}")
        return upper


class CommandDefaults(Shared):
    """One command's own defaults: the shared options, and any other option of the command
    (spelled without the leading --; the command's own parser checks those)."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, Value] = Field(init=False)


Section = Annotated[CommandDefaults | None, Field(default=None)]


class ConfigFile(Shared):
    """costcalc's configuration: defaults for the command-line options."""

    compare: Section
    """`costcalc compare`'s own defaults: any of its options, spelled without the --."""
    budget: Section
    """`costcalc budget`'s own defaults."""
    cost: Section
    """`costcalc cost`'s own defaults."""
    models: Section
    """`costcalc models`' own defaults."""
    check: Section
    """`costcalc check`'s own defaults."""
    validate_: Section = Field(None, alias="validate")
    """`costcalc validate`'s own defaults."""
    replay: Section
    """`costcalc replay`'s own defaults."""
