"""`costcalc compare`: which offers clear the quality bar, and which of them is cheapest.

No `from __future__ import annotations` here: typer reads the command's signature
twice (inspect.signature(eval_str=True) and get_type_hints), and string annotations
are compiled and evaluated each time, re-running every typer.Option(...) in them.
"""

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from costcalc.cli.common import (
    AsOfOpt,
    CachedShareOpt,
    CurrencyOpt,
    FormatOpt,
    GoodEnoughOpt,
    InputTokensOpt,
    MinCoverageOpt,
    MinQualityOpt,
    ModelOpt,
    ModelsArg,
    NoBundledOpt,
    OpenWeightsOpt,
    OutputTokensOpt,
    PricingOpt,
    ProviderOpt,
    ReasoningModelOpt,
    ReasoningTokensOpt,
    WeightsOpt,
    app,
    as_of_day,
    cache_dir,
    cached_share_option,
    check_currency,
    decimal_option,
    emit,
    err,
    handles_errors,
    known_choice,
    load_catalog,
    one_shot_process,
    summarise_reasons,
    token_option,
    warn,
    write_output,
)
from costcalc.render.tables import Format

if TYPE_CHECKING:
    from decimal import Decimal

    from costcalc.catalog import Catalog
    from costcalc.compare import CompareResult
    from costcalc.quality import QualityIndex
    from costcalc.rank import Ranking


class QualityMethod(str, Enum):
    """How compare turns scores into one quality (see costcalc.quality)."""

    latent = "latent"
    mean = "mean"


def parse_weights(text: str) -> "dict[str, Decimal]":
    """`aime-2024=2,gpqa-diamond=1` -> {benchmark: weight}."""
    from costcalc.errors import InputError

    weights: dict[str, Decimal] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--weights: expected BENCHMARK=WEIGHT, got {part.strip()!r}")
        weight = decimal_option(value, "--weights")
        assert weight is not None
        key = name.strip().lower()
        if key in weights:
            raise InputError(f"--weights: {key!r} is given twice")
        weights[key] = weight
    if not weights:
        raise InputError("--weights: give at least one BENCHMARK=WEIGHT")
    return weights


def _profile_file(path: Path, catalog: "Catalog", index: "QualityIndex") -> str:
    """Load a user's profiles file into the index; the id of its (first) profile."""
    from costcalc.catalog import Origin
    from costcalc.errors import InputError
    from costcalc.loader import load_document
    from costcalc.quality import _unusable

    doc = load_document(path, ("profiles",))
    sheet = doc.model
    problems = []
    for i, prof in enumerate(sheet.profiles):
        index.profiles[prof.id] = prof
        index.profile_origins[prof.id] = Origin(doc.path, doc.line_of("profiles", i))
        for bid in prof.weights:
            problem = _unusable(bid, index.benchmarks)
            if problem:
                line = doc.line_of("profiles", i, "weights", bid)
                problems.append((problem, line, f"profiles[{i}].weights.{bid}"))
    if problems:
        from costcalc.errors import Problem

        raise InputError(problems=[Problem(m, doc.path, ln, f) for m, ln, f in problems])
    return str(sheet.profiles[0].id)


def require_ranked(
    catalog: "Catalog",
    asked: list[str] | None,
    ranking: "Ranking",
    currency: str,
    result: "CompareResult",
) -> None:
    """Errors instead of empty answers (the rule the README states).

    - Nothing ranked at all (no offer priced in the currency, none scored, none left by
      the filters): exit 2 with the reasons, e.g. the missing exchange rate.
    - Models asked for by name that are not in the ranking: a warning on stderr for each,
      naming it and why; exit 2 when none of them is ranked.
    - Offers that cannot be converted to the currency: a warning naming the missing rate.
    """
    from costcalc.errors import InputError, Problem

    ranked = {row.entry.model.id for row in ranking.rows}
    rate_gaps = [x.why for x in result.left_out if x.reason == "no-rate"]
    if not ranking.rows and not asked:
        reasons = []
        if ranking.not_priced:
            reasons.append(
                f"{len(ranking.not_priced)} offers not priced in {currency}: "
                + summarise_reasons(ranking.not_priced.values())
            )
        if ranking.unscored:
            reasons.append(
                f"{len(ranking.unscored)} models not scored on the profile: "
                + summarise_reasons(ranking.unscored.values())
            )
        if ranking.no_offer:
            reasons.append(f"no API offer: {', '.join(ranking.no_offer)}")
        raise InputError(
            "no offer can be ranked"
            + (": " + " | ".join(reasons) if reasons else ": no offer matches the filters")
        )
    if rate_gaps and ranking.rows:
        warn(f"{len(rate_gaps)} offers not priced in {currency}: " + summarise_reasons(rate_gaps))
    if not asked:
        return
    problems = []
    for name in asked:
        mid = catalog.model(name).id
        if mid in ranked:
            continue
        why = [
            f"{label}: {text}"
            for label, text in sorted(ranking.not_priced.items())
            if label.startswith(mid + " @ ")
        ]
        if mid in ranking.unscored:
            why.append(f"not scored: {ranking.unscored[mid]}")
        if mid in ranking.no_offer:
            why.append("no API offer (see `costcalc budget` for self-hosting)")
        if not why:
            why.append("no offer matches the filters (--provider, --license, weights)")
        problems.append(Problem(f"{name} is not in the ranking: {'; '.join(why)}"))
    if len(problems) == len(asked):
        raise InputError(
            problems=[*problems, Problem("none of the models asked for can be ranked")]
        )
    for problem in problems:
        warn(problem.message)


def _given(value: "Decimal | None", default: "Decimal") -> "Decimal":
    return default if value is None else value


def check_reasoning_override(tokens: str | None, models: list[str] | None) -> None:
    """--reasoning-tokens and --reasoning-model go together, in compare and budget alike."""
    from costcalc.errors import InputError

    if models and tokens is None:
        raise InputError("--reasoning-model needs --reasoning-tokens N")
    if tokens is not None and not models:
        raise InputError(
            "--reasoning-tokens applies to the models named with --reasoning-model"
            " (each other model bills its own sourced figure, or 0)"
        )


@app.command("compare")
@handles_errors
def compare_command(
    models: ModelsArg = None,
    model: ModelOpt = None,
    profile: Annotated[
        str,
        typer.Option(
            "--profile",
            metavar="PROFILE",
            help="Profile id (balanced, math, coding, knowledge, general, or your own),"
            " or a profiles YAML file (its first profile is used).",
        ),
    ] = "balanced",
    weights: WeightsOpt = None,
    min_quality: MinQualityOpt = None,
    good_enough: GoodEnoughOpt = None,
    min_coverage: MinCoverageOpt = None,
    input_tokens: InputTokensOpt = None,
    output_tokens: OutputTokensOpt = None,
    cached_share: CachedShareOpt = None,
    reasoning_tokens: ReasoningTokensOpt = None,
    reasoning_model: ReasoningModelOpt = None,
    provider: ProviderOpt = None,
    open_weights: OpenWeightsOpt = None,
    license_id: Annotated[
        list[str] | None,
        typer.Option(
            "--license", metavar="LICENSE", help="Only models under this license; repeatable."
        ),
    ] = None,
    max_multiple_per_point: Annotated[
        str | None,
        typer.Option(
            "--max-multiple-per-point",
            metavar="NUMBER",
            help="Not worth it: extra cost, in multiples of the recommended offer's cost, per extra"
            " point above this [default: 1; off when --max-cost-per-point is given alone].",
            show_default=False,
        ),
    ] = None,
    max_cost_per_point: Annotated[
        str | None,
        typer.Option(
            "--max-cost-per-point",
            metavar="AMOUNT",
            help="Not worth it: extra money per extra point per month above this (in --currency);"
            " needs --requests-per-month.",
            show_default=False,
        ),
    ] = None,
    requests_per_month: Annotated[
        int | None,
        typer.Option(
            "--requests-per-month",
            metavar="N",
            min=1,
            help="Requests per month, for --max-cost-per-point.",
        ),
    ] = None,
    band: Annotated[
        str,
        typer.Option(
            "--band",
            metavar="NUMBER",
            help="Half-width of the quality band in standard errors (1.96 = 95%).",
        ),
    ] = "1.96",
    quality_method: Annotated[
        QualityMethod,
        typer.Option(
            "--quality-method",
            help="latent: scores a model did not report are predicted from a capability scale"
            " fitted to every score (wider band); mean: the weighted mean of the reported scores"
            " only, models below the profile's coverage left out.",
        ),
    ] = QualityMethod.latent,
    volume: Annotated[
        str,
        typer.Option(
            "--volume",
            metavar="N",
            help="Requests per day at which self-hosted open-weight offers are priced (a month of"
            " GPUs shared by a month of requests). The default is the bundled `medium` preset's"
            " volume: an assumption, not a measurement.",
        ),
    ] = "5000",
    peak_factor: Annotated[
        str,
        typer.Option(
            "--peak-factor",
            metavar="NUMBER",
            help="Busiest minute / average minute, for the GPU replicas a self-hosted offer needs.",
        ),
    ] = "1",
    no_self_hosted: Annotated[
        bool,
        typer.Option("--no-self-hosted", help="Rank API offers only."),
    ] = False,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot", metavar="FILE", help="Also draw cost against quality to FILE.svg or FILE.png."
        ),
    ] = None,
    currency: CurrencyOpt = None,
    as_of: AsOfOpt = None,
    pricing: PricingOpt = None,
    no_bundled: NoBundledOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Rank offers by cost among those good enough for a profile, with the frontier and a verdict.

    Good enough: the top of a model's quality band reaches the bar (--min-quality, or
    --good-enough x the best quality). Cheapest good-enough offer first; see the README.
    """
    from decimal import Decimal

    from costcalc.compare import CompareOptions, compare_full
    from costcalc.quality import quality_index
    from costcalc.render.compare import csv_table, payload, table
    from costcalc.workload import (
        DEFAULT_CACHED_SHARE,
        DEFAULT_INPUT_TOKENS,
        DEFAULT_OUTPUT_TOKENS,
        request,
    )

    if one_shot_process():
        # Everything this command builds (the catalog, the rows) lives until the process
        # ends right after it, with next to no reference cycles; each collection walked the
        # whole young heap the catalog left behind (0.65 s of 4.5 at 10,000 offers).
        import gc

        gc.disable()
    catalog = load_catalog(pricing, no_bundled)
    if license_id:
        known = {m.license for m in catalog.models.values()}
        license_id = [known_choice(x, known, "--license", "license") for x in license_id]
    index = quality_index(catalog)
    if profile.endswith((".yaml", ".yml")) or Path(profile).is_file():
        profile = _profile_file(Path(profile), catalog, index)
    models = [*(models or ()), *(model or ())]
    check_reasoning_override(reasoning_tokens, reasoning_model)
    z = decimal_option(band, "--band")
    assert z is not None
    multiple = decimal_option(max_multiple_per_point, "--max-multiple-per-point")
    money = decimal_option(max_cost_per_point, "--max-cost-per-point")
    if multiple is None and money is None:
        multiple = Decimal(1)
    options = CompareOptions(
        usage=request(
            _given(token_option(input_tokens, "--input-tokens"), DEFAULT_INPUT_TOKENS),
            _given(token_option(output_tokens, "--output-tokens"), DEFAULT_OUTPUT_TOKENS),
            _given(cached_share_option(cached_share), DEFAULT_CACHED_SHARE),
        ),
        when=as_of_day(as_of),
        currency=check_currency(currency, "USD"),
        profile=profile,
        weights=parse_weights(weights) if weights is not None else None,
        min_quality=decimal_option(min_quality, "--min-quality"),
        good_enough=decimal_option(good_enough, "--good-enough"),
        min_coverage=decimal_option(min_coverage, "--min-coverage"),
        providers=provider or None,
        open_weights=open_weights,
        licenses=license_id or None,
        models=models or None,
        reasoning_tokens=token_option(reasoning_tokens, "--reasoning-tokens"),
        reasoning_models=tuple(reasoning_model or ()),
        max_multiple_per_point=multiple,
        max_cost_per_point=money,
        requests_per_month=Decimal(requests_per_month) if requests_per_month else None,
        z=z,
        quality_method=quality_method.value,
        volume=None if no_self_hosted else decimal_option(volume, "--volume"),
        peak_factor=decimal_option(peak_factor, "--peak-factor") or Decimal(1),
    )
    ranking, result = compare_full(catalog, options, index, cache_dir())
    require_ranked(catalog, models, ranking, options.currency, result)
    # What the renderers need is in the ranking; the rest of the catalog and the score
    # index (about 20 MiB at 100,000 offers) is freed for the table's cells to reuse.
    del catalog, index
    # The table is drawn only for the formats that print it (and the plot's title).
    data = table(ranking, options, result) if fmt in _DRAWN or plot is not None else None
    if plot is not None:
        assert data is not None
        from costcalc.render.plot import plot as draw

        image = draw(
            ranking,
            plot.suffix.lower().lstrip("."),
            title=data.title or "compare",
            currency=options.currency,
        )
        write_output(plot, image, "the plot")
        err(f"wrote {plot}")
    if fmt is Format.json:  # each offer's dict made as it is written
        _stream_json(payload(ranking, options, result, lazy=True))
        return
    if fmt is Format.csv or data is None:  # the CSV's rows are the payload's
        out = payload(ranking, options, result)
        emit([csv_table(out)], fmt, out)
        return
    emit([data], fmt, None)  # a drawn table needs no payload (a dict per offer)


_DRAWN = frozenset([Format.table, Format.markdown])


def _stream_json(out: object) -> None:
    """`emit` for JSON, written in parts of about 1 MB: the document of 100,000 offers is
    about 230 MB of text, which is never held whole (the same bytes as `emit`)."""
    import sys

    from costcalc.cli.common import printable
    from costcalc.render.tables import InParts, write_json

    def sink(text: str) -> None:
        # ASCII text (str.isascii() reads a flag) holds no lone surrogate: printable()'s
        # scan of every character (about 0.2 s over the 23 MB of 10,000 offers) is skipped.
        sys.stdout.write(text if text.isascii() else printable(text, json=True))

    parts = InParts(sink)
    write_json(out, parts)
    parts.flush()
    sys.stdout.flush()
