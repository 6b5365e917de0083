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


def test_a_plain_compare_imports_no_rich() -> None:
    """A compare printed as an uncoloured table (a pipe, NO_COLOR) never imports rich (the
    table is drawn by costcalc.render.plaintable), nor _strptime for --as-of, nor typer's
    pydantic adapters for --pricing; the output is the same table rich draws
    (tests/test_render_plaintable.py)."""
    import os
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    code = (
        "import sys\n"
        "from costcalc.cli import main\n"
        "sys.argv = ['costcalc', 'compare', '--no-bundled', '--pricing', 'tests/fixtures/compare',"
        " '--as-of', '2025-06-01']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('LOADED:' + ','.join(sorted(m for m in sys.modules"
        " if m.split('.')[0] in ('rich', '_strptime') or m == 'typer._adapters')),"
        " file=sys.stderr)\n"
    )
    env = dict(os.environ, NO_COLOR="1")
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=repo, env=env, capture_output=True, text=True
    )
    assert "LOADED:" in out.stderr, out.stderr
    assert out.stderr.strip().splitlines()[-1] == "LOADED:", out.stderr
    assert "cheap @ lab" in out.stdout and "┏" in out.stdout  # the table, drawn
