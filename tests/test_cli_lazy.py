"""Commands are registered lazily: each module is imported only when its command is needed."""

from __future__ import annotations

import subprocess
import sys

import typer.main

from costcalc.cli import COMMANDS, app, load_all


def test_every_registered_command_is_listed() -> None:
    """COMMANDS names every command the modules register, in the order help shows them."""
    load_all()
    built = typer.main.get_group(app)
    assert set(built.commands) == set(COMMANDS)
    ctx = built.make_context("costcalc", ["--help"], resilient_parsing=True)
    assert built.list_commands(ctx) == list(COMMANDS)


def test_compare_imports_only_its_own_command_module() -> None:
    """A run of one command imports no other command's module (nor builds its parameters)."""
    code = (
        "import sys\n"
        "from costcalc.cli import app\n"
        "try:\n    app(['compare', '--help'], prog_name='costcalc')\n"
        "except SystemExit:\n    pass\n"
        "print('LOADED:' + ','.join(sorted(m for m in sys.modules"
        " if m.startswith('costcalc.cli.cmd_'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "LOADED:costcalc.cli.cmd_compare"


def test_unknown_command_suggests_the_nearest() -> None:
    """A mistyped command is a usage error (exit 2) naming the command it was probably meant to be."""
    from typer.testing import CliRunner

    result = CliRunner().invoke(app, ["comapre"])
    assert result.exit_code == 2
    assert "Did you mean 'compare'?" in result.output
