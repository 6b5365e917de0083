"""`costcalc replay`: reprice usage logs exactly, and the same traffic on other offers."""

from pathlib import Path
from typing import Annotated

import typer

from costcalc.cli.common import (
    CurrencyOpt,
    FormatOpt,
    GoodEnoughOpt,
    MinCoverageOpt,
    MinQualityOpt,
    NoBundledOpt,
    OpenWeightsOpt,
    PricingOpt,
    WeightsOpt,
    app,
    cache_dir,
    check_currency,
    decimal_option,
    emit,
    err,
    handles_errors,
    load_catalog,
    write_output,
)
from costcalc.render.tables import Format


@app.command("replay")
@handles_errors
def replay_command(
    files: Annotated[
        list[Path],
        typer.Argument(help="Usage logs: generic CSV/JSON lines/Parquet, or a vendor export."),
    ],
    log_format: Annotated[
        str,
        typer.Option(
            "--log-format",
            metavar="FORMAT",
            help="auto, csv, jsonl, parquet, litellm, langfuse, openai-usage or otel.",
        ),
    ] = "auto",
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            metavar="duckdb|spark",
            help="duckdb (embedded) or spark (pip install 'costcalc[spark]').",
        ),
    ] = "duckdb",
    master: Annotated[
        str | None,
        typer.Option(
            "--master",
            metavar="URL",
            help="Spark master URL (e.g. spark://host:7077, yarn); default local[*],"
            " or Spark Connect when SPARK_REMOTE is set.",
            show_default=False,
        ),
    ] = None,
    profile: Annotated[
        str,
        typer.Option(
            "--profile",
            metavar="PROFILE",
            help="Quality profile for the alternatives (as compare).",
        ),
    ] = "balanced",
    weights: WeightsOpt = None,
    min_quality: MinQualityOpt = None,
    good_enough: GoodEnoughOpt = None,
    min_coverage: MinCoverageOpt = None,
    provider: Annotated[
        list[str] | None,
        typer.Option(
            "--provider",
            metavar="PROVIDER",
            help="Only alternatives from this provider; repeatable.",
        ),
    ] = None,
    open_weights: OpenWeightsOpt = None,
    license_id: Annotated[
        list[str] | None,
        typer.Option(
            "--license", metavar="LICENSE", help="Only alternatives under this license; repeatable."
        ),
    ] = None,
    spread: Annotated[
        str,
        typer.Option(
            "--spread",
            metavar="SHARE",
            help="± share of an alternative's cost for traffic moved to another model"
            " (tokenizer and answer length; an assumption, not a measurement).",
        ),
    ] = "0.25",
    alternatives_as_of: Annotated[
        str | None,
        typer.Option(
            "--alternatives-as-of",
            metavar="YYYY-MM-DD",
            help="Day whose prices rank the alternatives [default: the log's last day].",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", metavar="N", min=0, help="Alternatives shown (0: all).")
    ] = 15,
    row_differences: Annotated[
        int,
        typer.Option(
            "--row-differences",
            metavar="N",
            help="Also list the N rows whose logged cost differs most from list price"
            " (one more pass over the logs).",
        ),
    ] = 0,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot", metavar="FILE", help="Also draw spend per day to FILE.png or FILE.svg."
        ),
    ] = None,
    currency: CurrencyOpt = None,
    pricing: PricingOpt = None,
    no_bundled: NoBundledOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Reprice usage logs at list price, reconcile with logged costs, and show what the same
    traffic would cost on every good-enough offer.

    Rows are grouped inside DuckDB (or Spark) by everything that selects a price and each group
    is priced exactly with the cost engine; see the README.
    """
    import datetime as dt
    from decimal import Decimal

    from costcalc.errors import InputError
    from costcalc.replay.counterfactual import CounterfactualOptions
    from costcalc.replay.engines import EngineName
    from costcalc.replay.formats import LogFormat
    from costcalc.replay.render import csv_table, tables
    from costcalc.replay.result import payload
    from costcalc.replay.run import replay

    chosen_format = LogFormat.named(log_format)
    chosen_engine = EngineName.named(engine)
    if master and chosen_engine is not EngineName.spark:
        raise InputError("--master is for --engine spark")
    band = decimal_option(spread, "--spread")
    assert band is not None
    if not Decimal(0) <= band < 1:
        raise InputError(f"--spread must be in [0, 1), got {spread}")
    day = None
    if alternatives_as_of is not None:
        try:
            day = dt.date.fromisoformat(alternatives_as_of)
        except ValueError:
            raise InputError(
                f"--alternatives-as-of: expected YYYY-MM-DD, got {alternatives_as_of!r}"
            ) from None
    catalog = load_catalog(pricing, no_bundled)
    parsed_weights = None
    if weights is not None:
        from costcalc.cli.cmd_compare import parse_weights

        parsed_weights = parse_weights(weights)
    options = CounterfactualOptions(
        profile=profile,
        weights=parsed_weights,
        min_quality=decimal_option(min_quality, "--min-quality"),
        good_enough=decimal_option(good_enough, "--good-enough"),
        min_coverage=decimal_option(min_coverage, "--min-coverage"),
        providers=provider or None,
        open_weights=open_weights,
        licenses=license_id or None,
        spread=band,
        as_of=day,
        limit=limit or None,
        cache_dir=cache_dir(),
    )
    result = replay(
        files,
        catalog=catalog,
        currency=check_currency(currency, "USD"),
        log_format=chosen_format,
        engine=chosen_engine,
        master=master,
        alternatives=options,
        row_differences=row_differences,
    )
    if plot is not None:
        from costcalc.replay.render import plot as draw

        write_output(plot, draw(result, plot.suffix.lower().lstrip(".")), "the plot")
        err(f"wrote {plot}")
    if result.bad_rows:
        err(f"{result.bad_rows:,} bad rows counted and left out (see bad_rows)")
    emit([csv_table(result)] if fmt is Format.csv else tables(result), fmt, payload(result))
