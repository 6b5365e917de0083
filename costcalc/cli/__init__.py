"""The `costcalc` command: parse arguments, call the core, render, pick the exit code.

Command modules register themselves on `app` when imported. They are imported
lazily: `COMMANDS` names the module of each command, and `LazyGroup` imports a
module only when one of its commands is invoked, completed or listed in help, so
a `costcalc compare` run neither imports nor builds the other commands (typer
builds every parameter of every registered command when the app starts), and
its parameters are coerced without a pydantic adapter each where none is needed
(costcalc/cli/fastparams.py).
tests/test_cli_lazy.py checks that `COMMANDS` names every registered command.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import sys
from typing import TYPE_CHECKING

import typer.main
from typer.core import TyperGroup

from costcalc.cli import fastparams
from costcalc.cli.common import app

if TYPE_CHECKING:
    from typer import _click  # click as vendored by typer >= 0.26

COMMANDS: dict[str, str] = {
    # The order of `costcalc --help`: the everyday commands first.
    "models": "cmd_catalog",
    "cost": "cmd_catalog",
    "validate": "cmd_catalog",
    "schema": "cmd_catalog",
    "compare": "cmd_compare",
    "budget": "cmd_budget",
    "check": "cmd_check",
    "replay": "cmd_replay",
    "refresh": "cmd_refresh",
    "import": "cmd_import",
    "prices": "cmd_import",
}
"""Every top-level command -> the module of costcalc.cli that registers it."""


def load_all() -> None:
    """Import every command module (what the app was before it was lazy)."""
    for module in dict.fromkeys(COMMANDS.values()):
        importlib.import_module(f"costcalc.cli.{module}")


_built: dict[tuple[int, int], TyperGroup] = {}


def _registered() -> TyperGroup:
    """The click group of the commands registered so far (rebuilt when a module adds some)."""
    state = (len(app.registered_commands), len(app.registered_groups))
    group = _built.get(state)
    if group is None:
        _built.clear()
        group = _built[state] = typer.main.get_group(app)
    return group


class LazyGroup(TyperGroup):
    """The root group: a command's module is imported the first time the command is needed."""

    def parse_args(self, ctx: _click.Context, args: list[str]) -> list[str]:
        fastparams.install(self, ctx)  # the root options (--version, completion)
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: _click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: _click.Context, cmd_name: str) -> _click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is None:
            return None
        importlib.import_module(f"costcalc.cli.{module}")
        command = _registered().commands.get(cmd_name)
        if command is not None:
            fastparams.install(command, ctx)
        return command

    def resolve_command(
        self, ctx: _click.Context, args: list[str]
    ) -> tuple[str | None, _click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except Exception as exc:  # click's UsageError: "No such command"; add the suggestion
            message = getattr(exc, "message", None)
            if self.suggest_commands and args and isinstance(message, str):
                import difflib

                close = difflib.get_close_matches(args[0], list(COMMANDS))
                if close and "Did you mean" not in message:
                    names = ", ".join(repr(c) for c in close)
                    exc.message = f"{message.rstrip('.')}. Did you mean {names}?"  # type: ignore[attr-defined]
            raise


app.info.cls = LazyGroup


def main() -> None:
    """Run the command line (sys.argv); ends by raising SystemExit with the exit code."""
    # pydantic looks up plugins through package metadata on first import (~15 ms);
    # costcalc uses none, so skip the search unless the user asked otherwise.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # A run builds many objects that live until it ends (the catalog, the rows) and few
    # reference cycles; at the default threshold (700) the collector walked them again and
    # again (about a third of a compare over 2,000 offers: benchmarks/README.md).
    gc.set_threshold(100_000, 50, 100)
    app(prog_name="costcalc")


def run() -> None:
    """The `costcalc` program (console script and `python -m costcalc`): `main`, then the
    process ends as soon as nothing is left to clean up (see `finish`)."""
    from costcalc.cli.common import mark_one_shot_process

    mark_one_shot_process()
    try:
        main()
    except SystemExit as done:
        finish(done.code)
        raise


def finish(code: object) -> None:
    """End the process now, with `code`, when nothing is left to clean up; else return.

    A normal exit then tears the interpreter down: it clears every module and frees
    every object the run built (the catalog, the schema classes, typer's), which cost
    as much as a fifth of a warm `costcalc compare` (benchmarks/README.md, section a).
    None of that is needed once the answer is written. What is needed still happens:
    the atexit handlers run, then stdout and stderr are flushed, and only then does
    the process end (os._exit). Where more may be pending (another thread, a process
    pool, a stream that cannot be flushed, an exit code that is not a number), this
    returns and the exit is the usual one.
    """
    if code is None:
        code = 0
    if type(code) is not int:
        return
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() != 1:
        return
    if "multiprocessing" in sys.modules or "concurrent.futures" in sys.modules:
        return
    atexit._run_exitfuncs()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except Exception:  # a closed pipe, a replaced stream: let Python's own exit report it
        return
    os._exit(code)


__all__ = ["COMMANDS", "LazyGroup", "app", "finish", "load_all", "main", "run"]
