"""The configuration file (`.costcalc.yaml`, or `[tool.costcalc]` in pyproject.toml).

Keys are spelled as the command-line options are, without the leading `--`; see
costcalc.config for where the file is found and how it is applied.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    field_validator,
)

from costcalc.schema.common import CURRENCIES, Share, Strict, _no_bool

Value = StrictBool | StrictInt | Decimal | StrictStr | list[StrictInt | Decimal | StrictStr]
"""An option's value: a word, a number, a yes/no, or a list for a repeatable option."""


class Shared(Strict):
    """The options many commands share, checked as the command line would check them."""

    pricing: StrictStr | list[StrictStr] | None = None
    """Folders (or files) of sheets layered over the bundled ones; relative to this file and
    inside its folder."""
    no_bundled: StrictBool | None = Field(None, alias="no-bundled")
    """Leave out the bundled sheets (use only `pricing`)."""
    currency: StrictStr | None = None
    """Currency of the amounts shown, e.g. USD, CNY, EUR."""
    profile: StrictStr | None = None
    """Profile id (balanced, math, coding, ...), or a profiles YAML file."""
    weights: StrictStr | dict[str, Decimal] | None = None
    """Your own benchmark weights: "aime-2024=2,gpqa-diamond=1", or a mapping."""
    min_quality: (
        Annotated[Decimal, BeforeValidator(_no_bool), Field(ge=0, le=100)] | None
    ) = Field(None, alias="min-quality")
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
