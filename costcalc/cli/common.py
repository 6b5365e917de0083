"""Pieces every command shares: the app, common options, loading and error handling.

No `from __future__ import annotations` here (nor in the command modules): typer
reads each command's signature twice, and string annotations are compiled and
evaluated each time, re-running every typer.Option(...) in them.
"""

import datetime as dt
import functools
import os
import sys
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer.core import TyperArgument

from costcalc import __version__
from costcalc.render.tables import Format

if TYPE_CHECKING:
    from costcalc.catalog import Catalog
    from costcalc.config import Config
    from costcalc.render.tables import Table

app = typer.Typer(
    help="Cost-effectiveness calculator for LLMs:"
    " exact prices, good-enough rankings, budgets, CI gate.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_OK = 0
EXIT_POLICY = 1
EXIT_INPUT = 2


def _version(value: bool) -> None:
    if value:
        typer.echo(f"costcalc {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            metavar="FILE",
            envvar="COSTCALC_CONFIG",
            help="Configuration file (.costcalc.yaml, or a pyproject.toml with [tool.costcalc]);"
            " default: the nearest one from the current folder up to the repository root.",
            show_default=False,
        ),
    ] = None,
    no_config: Annotated[
        bool, typer.Option("--no-config", help="Read no configuration file.")
    ] = False,
) -> None:
    """costcalc: which model is good enough, and what it costs."""
    # Runs before the subcommand parses its arguments (and before its --help is printed).
    root: Any = ctx.command
    if ctx.invoked_subcommand:
        words_for_arguments(ctx, root.get_command(ctx, ctx.invoked_subcommand))
    if not no_config and not ctx.resilient_parsing:
        apply_config(ctx, config)


PricingOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--pricing",
        metavar="DIR",
        envvar="COSTCALC_PRICING",
        help="Extra folder (or file) of sheets, layered over the bundled ones; repeatable."
        " COSTCALC_PRICING holds such paths separated by ':'.",
        show_default=False,
    ),
]
NoBundledOpt = Annotated[
    bool,
    typer.Option("--no-bundled", help="Leave out the bundled sheets: use only --pricing ones."),
]
FormatOpt = Annotated[
    Format, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)
]
CurrencyOpt = Annotated[
    str | None,
    typer.Option(
        "--currency",
        metavar="CODE",
        help="Currency of the amounts shown (e.g. CNY, USD).",
        show_default=False,
    ),
]
AsOfOpt = Annotated[
    dt.datetime | None,
    typer.Option(
        "--as-of",
        metavar="YYYY-MM-DD",
        formats=["%Y-%m-%d"],
        help="Price as of this day (YYYY-MM-DD); default: today (UTC).",
        show_default=False,
    ),
]


WeightsOpt = Annotated[
    str | None,
    typer.Option(
        "--weights",
        metavar="WEIGHTS",
        help="Your own benchmark weights, e.g. aime-2024=2,gpqa-diamond=1 (replaces the profile).",
        show_default=False,
    ),
]
MinQualityOpt = Annotated[
    str | None,
    typer.Option(
        "--min-quality", metavar="NUMBER", help="Absolute quality bar, 0-100.", show_default=False
    ),
]
GoodEnoughOpt = Annotated[
    str | None,
    typer.Option(
        "--good-enough",
        metavar="NUMBER",
        help="Bar as a fraction of the best quality among the candidates [default: 0.9].",
        show_default=False,
    ),
]
MinCoverageOpt = Annotated[
    str | None,
    typer.Option(
        "--min-coverage",
        metavar="NUMBER",
        help="Share of the profile weight a model needs scores for"
        " [default: the profile's, else 0.5].",
        show_default=False,
    ),
]
OpenWeightsOpt = Annotated[
    bool | None,
    typer.Option("--open-weights/--closed-weights", help="Only open-weight (or closed) models."),
]
"""The quality-bar and filter options `compare` and `budget` share, spelled and explained once."""

ModelsArg = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="MODEL",
        help="Models to include (ids or aliases); every model when none is given.",
        show_default=False,
    ),
]
ModelOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--model",
        metavar="MODEL",
        help="Only this model (id or alias), as when named as an argument; repeatable.",
        show_default=False,
    ),
]
ProviderOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--provider",
        metavar="PROVIDER",
        help="Only this provider's offers; repeatable.",
        show_default=False,
    ),
]
InputTokensOpt = Annotated[
    str | None,
    typer.Option(
        "--input-tokens",
        metavar="NUMBER",
        help="Prompt tokens per request, cached ones included"
        " [default: compare 2000; budget the workload's].",
        show_default=False,
    ),
]
OutputTokensOpt = Annotated[
    str | None,
    typer.Option(
        "--output-tokens",
        metavar="NUMBER",
        help="Visible answer tokens per request [default: compare 500; budget the workload's].",
        show_default=False,
    ),
]
CachedShareOpt = Annotated[
    str | None,
    typer.Option(
        "--cached-share",
        metavar="SHARE",
        help="Share of the prompt read from the provider's cache, 0.2 or 20%"
        " [default: compare 0; budget the workload's].",
        show_default=False,
    ),
]
ReasoningTokensOpt = Annotated[
    str | None,
    typer.Option(
        "--reasoning-tokens",
        metavar="NUMBER",
        help="Hidden reasoning tokens per request for the --reasoning-model models, replacing"
        " their figure in the sheets [default: each model's sourced figure, else 0].",
        show_default=False,
    ),
]
ReasoningModelOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--reasoning-model",
        metavar="MODEL",
        help="A model --reasoning-tokens applies to; repeatable.",
        show_default=False,
    ),
]
"""The model choice and per-request token options `compare` and `budget` share: the same
names, meanings and parsing (`token_option`, `fraction_option`) in both commands."""


def cached_share_option(text: str | None) -> Decimal | None:
    """--cached-share as a fraction (0.2) or percentage (20%), in 0-1: one parsing and one
    message (costcalc.workload.check_cached_share) for compare and budget."""
    from costcalc.workload import check_cached_share

    share = fraction_option(text, "--cached-share")
    return None if share is None else check_cached_share(share, "--cached-share")


MAX_TOKEN_DIGITS = 4300
"""Longest whole token count read (Python's own int conversion limit, as before)."""


def token_option(text: str | None, option: str) -> Decimal | None:
    """A token count: a whole number of any size up to MAX_TOKEN_DIGITS digits (1,000 and
    1_000 read as 1000), or a bounded exact decimal (an average: 1500.5); >= 0; else exit 2."""
    from costcalc.errors import InputError

    if text is None:
        return None
    cleaned = text.strip().replace(",", "").replace("_", "")
    if cleaned.isdigit() and cleaned.isascii():
        if len(cleaned) > MAX_TOKEN_DIGITS:
            raise InputError(f"{option}: more than {MAX_TOKEN_DIGITS} digits")
        return Decimal(cleaned)
    value = decimal_option(text, option)
    assert value is not None
    if value < 0:
        raise InputError(f"{option} must be a number >= 0, got {text.strip()}")
    return value


def decimal_option(text: str | None, option: str) -> Decimal | None:
    """An option's exact number (1_000 and 1,000 read as 1000), or a usage error (exit 2)."""
    from costcalc.errors import InputError
    from costcalc.numbers import NumberError, parse_number

    if text is None:
        return None
    cleaned = text.strip().replace(",", "")
    if cleaned.lower().lstrip("+-") in ("inf", "infinity", "nan", "snan"):
        raise InputError(f"{option}: expected a finite number, got {text!r}")
    try:
        return parse_number(cleaned)
    except NumberError as exc:
        if "is not a number" in str(exc):
            raise InputError(f"{option}: expected a number, got {text!r}") from None
        raise InputError(f"{option}: {exc}") from None


def fraction_option(text: str | None, option: str) -> Decimal | None:
    """A share or rate given as a fraction (0.2) or a percentage ('20%'); a bare number over 1
    is refused with the two spellings that mean what the user probably meant (exit 2)."""
    from costcalc.errors import InputError

    if text is None:
        return None
    stripped = text.strip()
    if stripped.endswith("%"):
        value = decimal_option(stripped[:-1], option)
        assert value is not None
        return value / 100
    value = decimal_option(stripped, option)
    assert value is not None
    if abs(value) > 1:
        hint = f"; for {stripped}% write {option} {value / 100:f}" if abs(value) <= 100 else ""
        raise InputError(
            f"{option} {stripped}: expected a fraction such as 0.2 or a percentage such as 20%"
            + hint
        )
    return value


def today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def as_of_day(value: dt.datetime | None) -> dt.date:
    return value.date() if value else today()


def check_currency(value: str | None, default: str) -> str:
    """Upper-case a currency code and refuse ones costcalc does not know."""
    from costcalc.cost import currency_code

    return currency_code(value, default)


def known_choice(value: str, choices: Iterable[str], option: str, what: str) -> str:
    """The value as one of the choices (case-insensitive), or exit 2 with a did-you-mean.

    For options whose values are names in the loaded sheets (--tier, --license): a
    mistyped name would otherwise match nothing and quietly change the answer.
    """
    from costcalc.catalog import did_you_mean
    from costcalc.errors import InputError

    known = {c.lower(): c for c in choices}
    found = known.get(value.strip().lower())
    if found is None:
        listed = ", ".join(sorted(known.values())) or "none in the loaded sheets"
        raise InputError(
            f"unknown {what} {value!r}{did_you_mean(value.strip().lower(), known)}; {listed}",
            field=option,
        )
    return found


def warn(message: str) -> None:
    """A warning for people on stderr: something asked for is left out of the answer."""
    err(f"warning: {message}")


def summarise_reasons(reasons: Iterable[str], shown: int = 3) -> str:
    """Distinct reasons, most frequent first, with their counts: for one exit-2 message."""
    from collections import Counter

    counts = Counter(reasons).most_common()
    parts = [f"{why} ({n} offers)" if n > 1 else why for why, n in counts[:shown]]
    if len(counts) > shown:
        parts.append(f"... and {len(counts) - shown} more reasons")
    return "; ".join(parts)


def load_catalog(pricing: list[Path] | None, no_bundled: bool = False) -> "Catalog":
    from costcalc.catalog import load_catalog as load
    from costcalc.errors import InputError

    if no_bundled and not pricing:
        raise InputError("--no-bundled needs at least one --pricing folder")
    return load(list(pricing or []), include_bundled=not no_bundled, cache_dir=cache_dir())


def cache_dir() -> Path | None:
    """Where loaded catalogs are cached: COSTCALC_CACHE_DIR, else the user's cache folder.

    COSTCALC_NO_CACHE=1 turns the cache off.
    """
    if os.environ.get("COSTCALC_NO_CACHE", "") not in ("", "0"):
        return None
    explicit = os.environ.get("COSTCALC_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "costcalc"


def err(message: str) -> None:
    """Print a message for people to stderr (keeps stdout clean for pipes)."""
    typer.echo(message, err=True)


F = TypeVar("F", bound=Callable[..., Any])


def handles_errors(func: F) -> F:
    """Turn costcalc errors into a message on stderr and exit code 2 (never a traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from costcalc.errors import CostcalcError

        try:
            return func(*args, **kwargs)
        except CostcalcError as exc:
            for problem in exc.problems:
                err(f"error: {problem}")
            raise typer.Exit(EXIT_INPUT) from None
        except RecursionError:
            err("error: input nested too deeply")
            raise typer.Exit(EXIT_INPUT) from None
        except OSError as exc:
            # A path the user gave that cannot be used (a name over 255 bytes, a folder that
            # cannot be created, a device): bad input, exit 2, naming the path.
            where = f"{exc.filename}: " if exc.filename else ""
            err(f"error: {where}{exc.strerror or exc}")
            raise typer.Exit(EXIT_INPUT) from None

    return wrapper  # type: ignore[return-value]


def write_output(path: Path, data: str | bytes, what: str) -> None:
    """Write a file the user asked for (atomically, or directly into a special file such
    as /dev/stdout); a failure is exit 2 naming the file."""
    from costcalc.files import write_outputs

    write_outputs([(path, data, what)])


def table_width() -> int:
    """Width for rich tables: the terminal's; else $COLUMNS; else wide enough not to wrap
    (piped output is pasted into documents, where wrapped cells are hard to read)."""
    if sys.stdout.isatty():
        try:
            return os.get_terminal_size().columns
        except OSError:
            pass
    columns = os.environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 20 else 200


def use_color() -> bool:
    """Colour only on a terminal, and never under NO_COLOR (no-color.org) or TERM=dumb."""
    return (
        sys.stdout.isatty()
        and not os.environ.get("NO_COLOR")
        and os.environ.get("TERM", "") != "dumb"
    )


def emit(tables: "list[Table]", fmt: Format, payload: Any) -> None:
    """Write a result to stdout in the chosen format."""
    from costcalc.render.tables import render, write_tables

    width = table_width()
    if fmt is Format.table:  # written as it is drawn (see write_tables)
        write_tables(tables, width, use_color(), lambda text: sys.stdout.write(printable(text)))
    else:
        text = render(tables, fmt, payload, width, use_color())
        sys.stdout.write(printable(text, json=fmt is Format.json))
    sys.stdout.flush()


def printable(text: str, *, json: bool = False) -> str:
    """Text that can be written as UTF-8: a non-UTF-8 byte of a file name (which Python holds
    as a lone surrogate, U+DC80-U+DCFF) is shown as \\xNN instead of failing the write.
    Inside JSON strings (`json=True`) the backslash is itself escaped, so the document still
    parses and its string reads \\xNN."""
    import re  # loaded by click already; one C-speed scan (per character in Python: 1.9 s
    # on the 23 MB JSON of a 10,000-offer compare)

    if re.search("[\ud800-\udfff]", text) is None:
        return text
    slash = "\\\\" if json else "\\"
    return "".join(
        f"{slash}x{ord(ch) - 0xDC00:02x}" if "\udc80" <= ch <= "\udcff" else ch
        for ch in text
        if not ("\ud800" <= ch <= "\udc7f" or "\udd00" <= ch <= "\udfff")
    )


class WordArgument(TyperArgument):
    """A positional argument shown in help as a word (MODEL, PATH...), not a Python type.

    typer prints an argument's type next to its name (`MODEL <list[str]>`) even when a
    metavar is given, and builds every argument as a TyperArgument with no hook for
    another class; `words_for_arguments` gives the built arguments this behaviour.
    """

    def word(self) -> str:
        name = self.metavar or (self.name or "ARG").upper()
        return name if self.nargs == 1 or name.endswith("...") else f"{name}..."

    def display_type_rich(self, ctx: object) -> str | None:
        return None

    def _rich_display_name(self) -> str:
        return self.word()

    def _usage_display_name(self) -> str:
        return self.word() if self.required else f"[{self.word()}]"


def words_for_arguments(ctx: typer.Context, command: Any) -> None:
    """Show every positional argument of a command tree as a word (see WordArgument)."""
    for param in getattr(command, "params", ()):
        if type(param) is TyperArgument:
            param.__class__ = WordArgument
    for _, sub in _children(ctx, command):
        words_for_arguments(ctx, sub)


def _children(ctx: typer.Context, command: Any) -> list[tuple[str, Any]]:
    """A group's subcommands, through click's API (so a group that loads them lazily works)."""
    if not hasattr(command, "list_commands"):
        return []
    found = ((name, command.get_command(ctx, name)) for name in command.list_commands(ctx))
    return [(name, sub) for name, sub in found if sub is not None]


@handles_errors
def apply_config(ctx: typer.Context, explicit: Path | None) -> None:
    """Make the configuration file's values the defaults of the options (click's default_map):
    an option on the command line, or its environment variable, still wins."""
    from costcalc.config import find_config

    path = explicit or find_config()
    if path is None:
        return
    from costcalc.config import load_config

    ctx.default_map = config_defaults(ctx, load_config(path))


def config_defaults(ctx: typer.Context, config: "Config") -> dict[str, Any]:
    """The default_map of the command tree under ctx.command, from a configuration file.

    A top-level key is the default of every command that has the option and accepts the
    value (`format = "json"` applies to every command with --format; `format = "table"`
    only to those with a table); one no command accepts is an error. A command's own
    table may set any of its options, and each must be valid.
    """
    defaults: dict[str, Any] = {}
    used: set[str] = set()
    for path, command in _commands(ctx, ctx.command):
        options = _options(command)
        own: dict[str, Any] = {}
        for key, value in config.shared.items():
            if key in options and _accepts(ctx, options[key], value) is None:
                own[options[key][0].name or key] = _given(options[key], value)
                used.add(key)
        section = config.sections.get(" ".join(path), {}) if len(path) == 1 else {}
        for key, value in section.items():
            if key not in options:
                from costcalc.catalog import did_you_mean

                known = sorted(options)
                raise config.problem(
                    f"`costcalc {path[0]}` has no option --{key}"
                    + (
                        did_you_mean(key.replace("_", "-"), known)
                        or f" (`costcalc {path[0]} --help` lists them)"
                    ),
                    path[0],
                    key,
                )
            descriptor = getattr(options[key][0], "type_descriptor", None)
            if getattr(descriptor, "is_path", False) and key != "pricing":  # (pricing: done)
                if isinstance(value, list):
                    value = config.resolve([str(v) for v in value], path[0], key)
                else:
                    value = config.resolve([str(value)], path[0], key)[0]
            problem = _accepts(ctx, options[key], value)
            if problem is not None:
                raise config.problem(problem, path[0], key)
            own[options[key][0].name or key] = _given(options[key], value)
        node = defaults
        for part in path[:-1]:
            node = node.setdefault(part, {})
        if own:
            node[path[-1]] = own
    for key in config.shared:
        if key not in used:
            raise config.problem(f"no command takes {config.shared[key]!r} for --{key}", key)
    return defaults


def _commands(
    ctx: typer.Context, command: Any, path: tuple[str, ...] = ()
) -> Iterable[tuple[tuple[str, ...], Any]]:
    for name, sub in _children(ctx, command):
        if hasattr(sub, "list_commands"):
            yield from _commands(ctx, sub, (*path, name))
        else:
            yield (*path, name), sub


def _options(command: Any) -> dict[str, tuple[Any, bool]]:
    """A command's options by name without the leading --: (param, whether it is the
    negative spelling of a flag, such as --closed-weights)."""
    found: dict[str, tuple[Any, bool]] = {}
    for param in command.params:
        if param.param_type_name != "option" or "--help" in param.opts:
            continue
        for negative, names in ((False, param.opts), (True, param.secondary_opts)):
            for name in names:
                if name.startswith("--"):
                    found[name[2:]] = (param, negative)
    return found


def _given(option: tuple[Any, bool], value: Any) -> Any:
    """A file's value as the command line would give it to the option: exact numbers as
    text, one value of a repeatable option as a list, a negative flag's yes as no."""
    param, negative = option
    if negative and isinstance(value, bool):
        return not value
    if isinstance(value, list):
        return [str(v) if isinstance(v, Decimal) else v for v in value]
    value = str(value) if isinstance(value, Decimal) else value
    return [value] if param.multiple else value


def _accepts(ctx: typer.Context, option: tuple[Any, bool], value: Any) -> str | None:
    """Why the option cannot take the value (None: it can), by the option's own parser."""
    param, negative = option
    if negative and not isinstance(value, bool):
        return "expected true or false"
    if isinstance(value, list) and not param.multiple:
        return "expected one value, not a list"
    if getattr(param, "is_flag", False) and not isinstance(value, bool):
        return "expected true or false"
    try:
        param.process_value(ctx, _given(option, value))
    except (typer.BadParameter, ValueError, TypeError) as exc:
        text = exc.format_message() if isinstance(exc, typer.BadParameter) else str(exc)
        return text.replace("Value error, ", "")
    return None


_ONE_SHOT = False


def mark_one_shot_process() -> None:
    """Called by the `costcalc` program (not by CliRunner or a notebook): the process
    ends after this command, so process-wide settings such as gc.freeze() are safe."""
    global _ONE_SHOT
    _ONE_SHOT = True


def one_shot_process() -> bool:
    return _ONE_SHOT
