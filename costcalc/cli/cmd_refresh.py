"""`costcalc refresh`: regenerate the feed-derived sheets (exit 0 done, 1 stale, 2 bad input)."""

from pathlib import Path
from typing import Annotated

import typer

from costcalc.cli.common import EXIT_OK, EXIT_POLICY, app, err, handles_errors


@app.command("refresh")
@handles_errors
def refresh_command(
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Write nothing; exit 1 if a committed sheet differs from what would be generated.",
        ),
    ] = False,
    root: Annotated[
        Path,
        typer.Option(
            "--root",
            metavar="DIR",
            help="The costcalc source checkout (holds data/feeds/ and pricing/); default: here.",
        ),
    ] = Path("."),
) -> None:
    """Regenerate the feed-derived sheets (llm-stats scores, genai-prices host prices) from the
    vendored snapshots in data/feeds/ and data/feeds/genai-prices/overrides.yaml."""
    from costcalc.errors import InputError
    from costcalc.refresh import OVERRIDES, refresh

    if not (root / OVERRIDES).is_file():
        raise InputError(
            f"not a costcalc source checkout: no {OVERRIDES} (use --root)", file=str(root)
        )
    result = refresh(root, check=check)
    for warning in result.warnings:
        err(f"note: {warning}")
    for f in result.files:
        err(f"{f.state:9} {f.path}")
    if check and result.stale:
        err(
            f"{len(result.stale)} of {len(result.files)} generated sheets are not current:"
            " run `costcalc refresh` and review the change with `costcalc prices diff`"
        )
        raise typer.Exit(EXIT_POLICY)
    written = sum(f.state == "written" for f in result.files)
    err(
        f"{len(result.files)} sheets: {written} written, {len(result.files) - written} unchanged"
        if not check
        else f"{len(result.files)} sheets are current"
    )
    raise typer.Exit(EXIT_OK)
