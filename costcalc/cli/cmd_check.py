"""`costcalc check`: the CI gate on procurement files (exit 0 passed, 1 failed, 2 bad input)."""

import functools
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from costcalc.cli.common import (
    EXIT_INPUT,
    EXIT_OK,
    EXIT_POLICY,
    AsOfOpt,
    CurrencyOpt,
    NoBundledOpt,
    PricingOpt,
    app,
    as_of_day,
    cache_dir,
    err,
    handles_errors,
    one_shot_process,
)
from costcalc.render.reports import MARKDOWN_LIMIT, ReportFormat

F = TypeVar("F", bound=Callable[..., Any])


def _decimal(value: str | None, option: str) -> Decimal | None:
    """A guardrail amount or percent (a trailing % is allowed), never negative."""
    from costcalc.cli.common import decimal_option
    from costcalc.errors import InputError

    number = decimal_option(value.strip().rstrip("%") if value else value, option)
    if number is not None and number < 0:
        raise InputError(f"{option} must be a number >= 0, got {value!r}")
    return number


def parse_reports(specs: list[str]) -> list[tuple[ReportFormat, Path]]:
    """`FORMAT=PATH` pairs of --report, checked before any work is done."""
    from costcalc.errors import InputError

    out = []
    for spec in specs:
        fmt, sep, path = spec.partition("=")
        choices = ", ".join(f.value for f in ReportFormat)
        if not sep or not path.strip():
            raise InputError(f"--report takes FORMAT=PATH (e.g. sarif=out.sarif), got {spec!r}")
        try:
            out.append((ReportFormat(fmt.strip().lower()), Path(path.strip())))
        except ValueError:
            raise InputError(f"--report: unknown format {fmt!r}; formats: {choices}") from None
    return out


def _no_crash_as_failure(func: F) -> F:
    """A crash must not read as "policy failed" (exit 1): report it and exit 2 (could not run)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from costcalc.errors import CostcalcError

        try:
            return func(*args, **kwargs)
        except (CostcalcError, RecursionError, typer.Exit):
            raise
        except Exception as exc:  # the gate could not run: never exit 1 for that
            err(f"error: costcalc check could not run: {type(exc).__name__}: {exc}")
            raise typer.Exit(EXIT_INPUT) from None

    return wrapper  # type: ignore[return-value]


@app.command("check")
@handles_errors
@_no_crash_as_failure
def check_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH...", help="Procurement files or folders to check.", show_default=False
        ),
    ],
    fmt: Annotated[
        ReportFormat,
        typer.Option("--format", "-f", help="Report written to stdout.", case_sensitive=False),
    ] = ReportFormat.text,
    report: Annotated[
        list[str] | None,
        typer.Option(
            "--report",
            metavar="FORMAT=PATH",
            help="Also write a report to a file, FORMAT=PATH (repeatable),"
            " e.g. sarif=costcalc.sarif.",
            show_default=False,
        ),
    ] = None,
    fail_on_warn: Annotated[
        bool, typer.Option("--fail-on-warn", help="Exit 1 on warnings too, not only on denials.")
    ] = False,
    base: Annotated[
        Path | None,
        typer.Option(
            "--base",
            metavar="DIR",
            help="The procurement folder or file before the change: report the cost diff.",
        ),
    ] = None,
    max_increase: Annotated[
        str | None,
        typer.Option(
            "--max-increase",
            metavar="AMOUNT",
            help="With --base: deny a monthly increase above this amount.",
        ),
    ] = None,
    max_increase_pct: Annotated[
        str | None,
        typer.Option(
            "--max-increase-pct",
            metavar="PERCENT",
            help="With --base: deny a monthly increase above this percent.",
        ),
    ] = None,
    currency: CurrencyOpt = None,
    summary_only: Annotated[
        bool, typer.Option("--summary-only", help="Markdown: only the verdict and counts.")
    ] = False,
    max_markdown_bytes: Annotated[
        int,
        typer.Option(
            "--max-markdown-bytes", metavar="N", min=1000, help="Markdown: cap on the report size."
        ),
    ] = MARKDOWN_LIMIT,
    pricing: PricingOpt = None,
    no_bundled: NoBundledOpt = False,
    as_of: AsOfOpt = None,
) -> None:
    """Gate procurement decisions: budget, quality bar, cheaper alternatives, licences, freshness.

    Exit codes, the same for every format: 0 passed (warnings allowed), 1 a rule
    denied (or a warning with --fail-on-warn), 2 invalid input or usage.
    """
    from costcalc.cli.common import check_currency, table_width
    from costcalc.errors import InputError
    from costcalc.gate import check, paused_gc
    from costcalc.render.reports import formatter_for

    outputs = parse_reports(list(report or []))
    limit = _decimal(max_increase, "--max-increase")
    limit_pct = _decimal(max_increase_pct, "--max-increase-pct")
    if base is None and (limit is not None or limit_pct is not None):
        raise InputError("--max-increase and --max-increase-pct need --base")
    code = check_currency(currency, "USD") if currency else None
    if no_bundled and not pricing:
        raise InputError("--no-bundled needs at least one --pricing folder")
    # One library call: untrusted files first (a hostile one fails before the catalog loads).
    result = check(
        list(paths),
        when=as_of_day(as_of),
        pricing=list(pricing or []),
        include_bundled=not no_bundled,
        cache_dir=cache_dir(),
        base=base,
        currency=code,
        max_increase=limit,
        max_increase_pct=limit_pct,
        fail_on_warn=fail_on_warn,
    )
    if one_shot_process():
        # What the check built lives until the process ends, so the collector's later
        # passes need not walk it again (about 0.25 s after 10,000 files).
        import gc

        gc.freeze()

    width = table_width()

    def render(choice: ReportFormat, to_file: bool = False) -> str:
        with paused_gc():  # a report of 10,000 decisions is built without GC passes
            return formatter_for(
                choice,
                max_bytes=max_markdown_bytes,
                summary_only=summary_only,
                width=100 if to_file else width,
            ).format(result)

    from costcalc.files import write_outputs

    # All reports or none: each is staged beside its target, then all are renamed.
    write_outputs(
        [
            (path, render(choice, to_file=True), f"the {choice.value} report")
            for choice, path in outputs
        ]
    )
    typer.echo(render(fmt), nl=False)
    if fmt is not ReportFormat.text:
        from costcalc.render.reports.formats import summary_line

        err(summary_line(result))
    raise typer.Exit(EXIT_POLICY if result.failed else EXIT_OK)
