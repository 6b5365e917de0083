"""Project hygiene: packaging lists every subpackage, CI runs the README's test command,
committed JSON Schemas match the models (the import contract is tests/test_layering.py)."""

from __future__ import annotations

import json
import re
import sys

from helpers import REPO

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def test_every_subpackage_is_packaged() -> None:
    """A subpackage missing from pyproject's explicit list would be missing from the wheel."""
    listed = set(
        tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "costcalc").rglob("__init__.py")
    }
    assert found - listed == set()
    assert "costcalc.bundled" in listed


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", readme, flags=re.S)
    test_command = next(b.strip() for b in blocks if "pytest" in b and "[test]" in b)
    assert test_command in (REPO / ".ci" / "run").read_text()


def test_committed_schemas_match_models() -> None:
    """pricing/schemas/*.schema.json are regenerated with `costcalc schema --write pricing/schemas`."""
    from costcalc.loader import KINDS, model_for_kind
    from costcalc.schema.docs import json_schema

    folder = REPO / "pricing" / "schemas"
    for kind in KINDS:
        committed = json.loads((folder / f"{kind}.schema.json").read_text())
        assert committed == json_schema(model_for_kind(kind)), kind


def test_bundled_yaml_files_declare_their_schema() -> None:
    for path in sorted((REPO / "pricing").rglob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = first.split("$schema=", 1)[1].strip()
        assert (path.parent / target).resolve().is_file(), path


def test_help_does_not_import_heavy_modules() -> None:
    """`costcalc --help` must not build pydantic models or import rich tables (start-up time)."""
    import subprocess

    code = (
        "import sys; from costcalc.cli import app\n"
        "try:\n    app(['--help'], prog_name='costcalc')\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('pydantic', 'costcalc.schema.pricing', 'costcalc.catalog') if m in sys.modules]\n"
        "print('HEAVY:' + ','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "HEAVY:"


def test_schema_describes_documented_fields() -> None:
    """Attribute docstrings become descriptions (editors show them while completing)."""
    from costcalc.schema.docs import json_schema
    from costcalc.schema.pricing import PriceSheet

    schema = json_schema(PriceSheet)
    period = schema["$defs"]["PricePeriod"]["properties"]
    assert period["cached_input"]["description"].startswith(
        "Prompt tokens read from the provider's cache"
    )
    assert (
        schema["$defs"]["Tier"]["properties"]["input"]["description"]
        == "Uncached prompt tokens (cache miss)."
    )


def test_every_command_has_help_and_is_documented() -> None:
    """Each registered command (and sub-command) has help text and appears in the README."""
    import typer.main

    from costcalc.cli import app

    readme = (REPO / "README.md").read_text()
    group = typer.main.get_command(app)
    ctx = group.make_context("costcalc", ["--help"], resilient_parsing=True)
    names: list[tuple[str, object]] = []
    for name in group.list_commands(ctx):  # type: ignore[attr-defined]
        command = group.get_command(ctx, name)  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        if subcommands:
            names += [(f"{name} {sub}", cmd) for sub, cmd in subcommands.items()]
        else:
            names.append((name, command))
    assert len(names) >= 10
    for name, command in names:
        assert (getattr(command, "help", None) or "").strip(), name
        assert f"costcalc {name}" in readme, name
