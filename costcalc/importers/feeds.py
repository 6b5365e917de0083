"""The community price feeds as one table, and the import of one as two calls.

`FEEDS` names each feed costcalc reads (LiteLLM's price map, pydantic/genai-prices,
OpenRouter's model list): how its file is read and which converter turns it into
price sheets. `convert_feed(name, path, ...)` reads and converts (an
`ImportResult`, nothing written); `write_import(result, output, force=...)`
refuses an empty or oversized import, then replaces the output folder (one
`WritePlan`). `costcalc import litellm|genai-prices|openrouter` and
`costcalc.api.import_prices` both run these, reporting in between.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from costcalc.errors import InputError
from costcalc.gcpause import paused_gc

if TYPE_CHECKING:
    from costcalc.catalog import Catalog
    from costcalc.importers.common import ImportResult
    from costcalc.importers.output import WritePlan


@dataclass(frozen=True)
class Feed:
    """One price feed: its command name, its input and the module that converts it."""

    name: str
    """Sub-command of `costcalc import` and the `feed` of costcalc.api.import_prices."""
    summary: str
    """The command's help."""
    metavar: str
    input_help: str
    reader: str
    """Function of costcalc.importers.read that reads the input path."""
    module: str
    """Module of costcalc.importers whose `convert` turns the data into sheets."""
    source_keyword: str
    """Keyword under which `convert` takes the input's file name."""


FEEDS: dict[str, Feed] = {
    f.name: f
    for f in (
        Feed(
            "litellm",
            "Import LiteLLM's price map: one sheet per litellm_provider.",
            "FILE",
            "LiteLLM model_prices_and_context_window.json.",
            "read_json",
            "litellm",
            "source_file",
        ),
        Feed(
            "genai-prices",
            "Import pydantic/genai-prices: one sheet per provider.",
            "DIR",
            "genai-prices providers/ folder, one provider .yml, or data.json.",
            "read_genai_prices",
            "genai_prices",
            "source",
        ),
        Feed(
            "openrouter",
            "Import OpenRouter's model list (per-token prices as text; -1 = dynamic, skipped).",
            "FILE",
            "A saved https://openrouter.ai/api/v1/models response.",
            "read_json",
            "openrouter",
            "source_file",
        ),
    )
}


def feed(name: str) -> Feed:
    """The feed of that name, or InputError naming the known ones."""
    try:
        return FEEDS[name]
    except KeyError:
        raise InputError(f"unknown feed {name!r}; feeds: {', '.join(FEEDS)}") from None


def bundled_providers(bundled: Catalog | None = None) -> dict[str, dict[str, Any]]:
    """Provider facts of the bundled sheets: an imported sheet with the same id keeps them.

    Taken from `bundled` (the bundled catalog, already loaded) when given, else read from
    the bundled sheets; tests/test_import_litellm.py checks both give the same facts.
    """
    if bundled is not None:
        return {pid: p.model_dump(exclude_none=True) for pid, p in bundled.providers.items()}
    from costcalc.catalog import bundled_pricing_dir
    from costcalc.loader import load_folder

    found: dict[str, dict[str, Any]] = {}
    for doc in load_folder(bundled_pricing_dir() / "providers", ("price-sheet",)):
        provider = doc.model.provider
        found[provider.id] = provider.model_dump(exclude_none=True)
    return found


def convert_feed(name: str, path: Path, *, as_of: dt.date, bundled: Catalog | None) -> ImportResult:
    """Read a feed's file (or folder) and convert it to price sheets; nothing is written.

    With `bundled` (the bundled catalog), rows of known models are filed under the bundled
    ids and imported providers keep the bundled provider facts; with None the feed's own
    ids are kept. A malformed input is an InputError naming the file.
    """
    import importlib

    from costcalc.identity import Identity
    from costcalc.importers import read
    from costcalc.importers.common import BadValue

    spec = feed(name)
    convert: Callable[..., ImportResult] = importlib.import_module(
        f"costcalc.importers.{spec.module}"
    ).convert
    with paused_gc():
        data = getattr(read, spec.reader)(path)
        try:
            return convert(
                data,
                as_of=as_of,
                bundled_providers=bundled_providers(bundled) if bundled is not None else {},
                identity=Identity.from_catalog(bundled) if bundled is not None else None,
                **{spec.source_keyword: path.name},
            )
        except BadValue as exc:
            raise InputError(str(exc), file=path.name) from None


def output_folder(output: Path | str) -> Path:
    """The folder an import replaces; an empty name is refused before any work is done."""
    if not str(output).strip():
        raise InputError("--output must name a folder (it is replaced as a whole), got ''")
    return Path(output)


def write_import(result: ImportResult, output: Path | str, *, force: bool) -> WritePlan:
    """Write the sheets of an import into `output`, replacing the folder as a whole.

    Refused (InputError, nothing written): an empty output name, an import with no valid
    offer, a sheet over the size limit, a folder with sheets edited by hand (unless
    `force`). Returns what was written, replaced and removed.
    """
    from costcalc.importers.common import oversized
    from costcalc.importers.output import apply, plan, render_files

    folder = output_folder(output)
    if result.offers == 0:
        raise InputError(
            f"nothing valid to import: all {result.rows:,} row{'' if result.rows == 1 else 's'}"
            " skipped",
            file=result.source,
        )
    with paused_gc():
        files = render_files(result)
        too_big = oversized(files)
        if too_big:
            raise InputError(problems=too_big)
        write_plan = plan(folder, files, force=force)
        apply(write_plan)
    return write_plan
