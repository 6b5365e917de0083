"""`costcalc import litellm|genai-prices|openrouter` and `costcalc prices diff`."""

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from costcalc.cli.common import (
    FormatOpt,
    PricingOpt,
    app,
    emit,
    err,
    handles_errors,
    today,
)
from costcalc.importers.feeds import FEEDS, Feed
from costcalc.render.tables import Format

import_app = typer.Typer(
    help="Turn a community price feed into costcalc price sheets.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
prices_app = typer.Typer(
    help="Review price sheets: what changed between two versions.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(import_app, name="import")
app.add_typer(prices_app, name="prices")

OutputOpt = Annotated[
    str,
    typer.Option(
        "--output",
        "-o",
        metavar="PATH",
        help="Folder to write models.yaml and providers/<id>.yaml into.",
    ),
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="Overwrite sheets edited (or written) by hand.")
]
VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="List every skipped row and unrepresented price.")
]
ImportDateOpt = Annotated[
    dt.datetime | None,
    typer.Option(
        "--as-of",
        metavar="YYYY-MM-DD",
        formats=["%Y-%m-%d"],
        help="Date recorded as as_of for undated figures (YYYY-MM-DD); default: today (UTC).",
        show_default=False,
    ),
]
SHOWN_REASONS = 12


ImportNoBundledOpt = Annotated[
    bool,
    typer.Option(
        "--no-bundled",
        help="Do not match feed rows to the bundled models and providers: keep the feed's ids.",
    ),
]


SHOWN_UNMATCHED = 5


def report_identity(matched: int, unmatched: list[Any], verbose: bool) -> None:
    """A short summary of the rows filed under bundled models and of those left unmatched."""
    if verbose:
        for u in unmatched:
            err(f"unmatched {u.key}: {u.reason}")
    if not matched and not unmatched:
        return
    err(
        f"matched {_count(matched, 'row')} to bundled models;"
        f" {len(unmatched):,} kept under their own ids (no bundled model)"
    )
    reasons: dict[str, list[str]] = {}
    for u in unmatched:
        reasons.setdefault(u.reason.split(" (", 1)[0], []).append(u.key)
    for reason, keys in sorted(reasons.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        shown = ", ".join(keys[:SHOWN_UNMATCHED])
        more = f", ... (+{len(keys) - SHOWN_UNMATCHED:,})" if len(keys) > SHOWN_UNMATCHED else ""
        err(f"  {len(keys):>6,}  {reason}: {shown}{more}")


def _import(
    name: str,
    path: Path,
    output_arg: str,
    force: bool,
    as_of: dt.datetime | None,
    verbose: bool,
    no_bundled: bool,
) -> None:
    """The body of every price-feed import: convert, report, refuse an empty import, write."""
    from costcalc.cli.common import load_catalog
    from costcalc.importers.feeds import convert_feed, output_folder, write_import

    result = convert_feed(
        name, path, as_of=_day(as_of), bundled=None if no_bundled else load_catalog(None)
    )
    output = output_folder(output_arg)
    if verbose:
        for s in result.skipped:
            err(f"skipped {s.key}: {s.reason}")
        for u in result.unrepresented:
            err(f"not representable {u.key}: {u.what}")
    if result.skipped:
        err(f"skipped {len(result.skipped):,} of {result.rows:,} rows:")
        for reason, count in result.skip_reasons():
            err(f"  {count:>6,}  {reason}")
    if result.unrepresented:
        counts = result.unrepresented_counts()
        err(
            f"not representable in a price sheet ({len(result.unrepresented):,} prices in"
            f" {len({u.key for u in result.unrepresented}):,} imported rows;"
            " the rest of each row is kept):"
        )
        for what, count in counts[:SHOWN_REASONS]:
            err(f"  {count:>6,}  {what}")
        if len(counts) > SHOWN_REASONS:
            err(f"  ... and {len(counts) - SHOWN_REASONS} more kinds (--verbose lists every one)")
    report_identity(len(result.matched), result.unmatched, verbose)
    write_plan = write_import(result, output, force=force)
    for replaced in write_plan.replaced_edits:
        err(f"overwrote (--force): {replaced}")
    for removed in write_plan.remove:
        err(f"removed (no longer in the feed): {removed}")
    err(
        f"imported {result.offers:,} offers of"
        f" {len(result.models) + len(set(result.matched.values())):,} models from"
        f" {_count(len(result.sheets), 'provider')}"
        f" ({result.feed} {result.source}, as of {result.as_of})"
        f" into {output}"
    )


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _day(value: dt.datetime | None) -> dt.date:
    return value.date() if value else today()


def _feed_command(feed: Feed) -> None:
    """Register `costcalc import NAME` for one row of the feed table."""

    def command(
        path: Path,
        output: OutputOpt,
        force: ForceOpt = False,
        as_of: ImportDateOpt = None,
        verbose: VerboseOpt = False,
        no_bundled: ImportNoBundledOpt = False,
    ) -> None:
        _import(feed.name, path, output, force, as_of, verbose, no_bundled)

    command.__doc__ = feed.summary
    command.__name__ = command.__qualname__ = "import_" + feed.name.replace("-", "_")
    # The input argument's words differ per feed: an evaluated annotation, not a string.
    command.__annotations__["path"] = Annotated[
        Path, typer.Argument(metavar=feed.metavar, help=feed.input_help)
    ]
    import_app.command(feed.name)(handles_errors(command))


for _feed in FEEDS.values():
    _feed_command(_feed)


@import_app.command("evals")
@handles_errors
def import_evals(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="lm-evaluation-harness results_*.json, Inspect AI .eval/.json logs,"
            " promptfoo results JSON."
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="Folder to write benchmarks.yaml, scores.yaml (models.yaml, items/) into.",
        ),
    ],
    model: Annotated[
        list[str] | None,
        typer.Option(
            "--model",
            metavar="NAME=ID",
            help="Map a model name of the eval to a catalog id (repeatable).",
        ),
    ] = None,
    category: Annotated[
        str, typer.Option("--category", metavar="NAME", help="Category of the imported benchmarks.")
    ] = "knowledge",
    force: ForceOpt = False,
    pricing: PricingOpt = None,
    no_bundled: ImportNoBundledOpt = False,
) -> None:
    """Import your own evals: each task a benchmark (with its item count), each model a score.

    Then rank with `costcalc compare --pricing OUTPUT --weights eval/TOOL/TASK=1`
    (TOOL: lm-eval, inspect or promptfoo).
    """
    from costcalc.cli.common import load_catalog
    from costcalc.errors import InputError
    from costcalc.evals.read import read_eval_file
    from costcalc.evals.sheet import build, render, write
    from costcalc.identity import Identity

    catalog = load_catalog(pricing, no_bundled)
    identity = Identity.from_catalog(catalog)

    def lookup(name: str) -> str | None:
        """The one model identity (ids, aliases, vendor snapshots, `vendor/` prefixes)."""
        return identity.model(name)

    mapping: dict[str, str] = {}
    for pair in model or []:
        name, sep, target = pair.partition("=")
        if not sep or not name.strip() or not target.strip():
            raise InputError(f"--model: expected NAME=ID, got {pair!r}")
        mapping[name.strip()] = catalog.model(target).id
    runs = [run for f in files for run in read_eval_file(f)]
    result = build(runs, lookup, mapping=mapping, category=category)
    write(output, render(result, [f.name for f in files]), force=force)
    for name, mid in sorted(result.matched.items()):
        if name != mid:
            err(f"model {name} -> {mid}")
    if result.unmatched:
        err(
            f"{_count(len(result.unmatched), 'model')} matched no catalog id and kept"
            f" their own names (no offer, so not ranked): {', '.join(result.unmatched)};"
            " map one with --model NAME=ID"
        )
    with_items = len(result.items)
    err(
        f"imported {_count(len(result.scores), 'score')} on"
        f" {_count(len(result.benchmarks), 'benchmark')}"
        f" ({', '.join(b['id'] for b in result.benchmarks)}) from {_count(len(files), 'file')}"
        f" into {output}; per-item results for {with_items}"
    )


# ------------------------------------------------------------------ score feeds

scores_app = typer.Typer(
    help="Turn a benchmark-score feed into a costcalc scores sheet (kind: scores, role: feed).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
import_app.add_typer(scores_app, name="scores")


@scores_app.command("llm-stats")
@handles_errors
def import_scores_llm_stats(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="DIR", help="llm-stats data tree: the repository, or its data/ folder."
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="PATH", help="Scores sheet to write (a .yaml file)."
        ),
    ],
    force: ForceOpt = False,
    verbose: VerboseOpt = False,
    pricing: PricingOpt = None,
) -> None:
    """Import llm-stats' vendor-reported scores (CC BY 4.0) for the models costcalc knows."""
    from costcalc.cli.common import load_catalog
    from costcalc.errors import InputError
    from costcalc.identity import Identity
    from costcalc.importers.output import generated_state
    from costcalc.importers.scores import llm_stats
    from costcalc.importers.scores.common import sheet_text
    from costcalc.quality import quality_index
    from costcalc.yamlio import write_atomic

    if output.suffix not in (".yaml", ".yml"):
        raise InputError("--output must name a .yaml file", file=str(output))
    catalog = load_catalog(pricing)
    released = {m.id: m.released for m in catalog.models.values() if m.released is not None}
    result = llm_stats.convert(
        path, Identity.from_catalog(catalog), quality_index(catalog).benchmarks, released
    )
    if verbose:
        for u in result.unmapped:
            err(f"left out {u.key}: {u.reason}")
    for line in result.summary():
        err(line)
    if not result.scores:
        raise InputError(
            "nothing to import: no score maps onto a known model and benchmark", file=str(path)
        )
    command = f"costcalc import scores llm-stats {path.as_posix()} --output {output.as_posix()}"
    text = sheet_text(result, llm_stats.ATTRIBUTION, command)
    if output.is_symlink():
        raise InputError("is a symbolic link; refusing to write through it", file=str(output))
    if output.exists() and not force:
        state = generated_state(output.read_text(encoding="utf-8"))
        if state != "untouched":
            what = (
                "was edited since it was generated"
                if state == "edited"
                else ("was not written by an import")
            )
            raise InputError(f"exists and {what}; use --force to overwrite", file=str(output))
    write_atomic(output, text)
    err(f"wrote {output}")


# ------------------------------------------------------------------ prices diff


@prices_app.command("diff")
@handles_errors
def prices_diff(
    old: Annotated[
        Path, typer.Argument(metavar="DIR", help="Folder or file of the old price sheets.")
    ],
    new: Annotated[
        Path, typer.Argument(metavar="DIR", help="Folder or file of the new price sheets.")
    ],
    fmt: FormatOpt = Format.table,
) -> None:
    """Offers added and removed, and prices changed (old, new, percent) between two sheet sets.

    Each offer is compared through its latest price period per currency.
    """
    from costcalc.pricediff import diff, load_sheets
    from costcalc.render.catalog import diff_payload, diff_table

    result = diff(load_sheets(old), load_sheets(new))
    emit([diff_table(result)], fmt, diff_payload(result, str(old), str(new)))


# ------------------------------------------------------------ validate --max-age


def check_staleness(catalog: Any, max_age: str | None, strict: bool, when: dt.date) -> None:
    """`validate --max-age`: warn about stale figures; with --strict exit 1 when there are any."""
    from costcalc.cli.common import EXIT_POLICY
    from costcalc.errors import InputError

    if max_age is None:
        if strict:
            raise InputError("--strict needs --max-age (e.g. --max-age 90d)")
        return
    from costcalc.staleness import find_stale, parse_max_age

    days = parse_max_age(max_age)
    report = find_stale(catalog, when, days)
    label = "error" if strict else "warning"
    for item in report.items:
        err(f"{label}: {item.message(days)}")
    undated = f"; {report.scores_undated} scores have no as_of" if report.scores_undated else ""
    err(
        f"{len(report.items)} stale of {report.prices_checked} prices in force and"
        f" {report.scores_checked} dated scores on {when} (limit {days} days){undated}"
    )
    if strict and report.items:
        raise typer.Exit(EXIT_POLICY)
