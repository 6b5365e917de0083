"""The import contract: the direction of imports is the architecture, checked on every run.

    cli  ->  api  ->  render  ->  core (everything else: catalog, cost, gate, importers, ...)

- the core never imports costcalc.cli, typer or rich, and not costcalc.render either
  (a result is turned into text above it), except the renderers that live beside their
  core in a package of their own (listed in CORE_MAY_RENDER, with the reason);
- costcalc.api (the public Python API) never imports costcalc.cli, typer or rich;
- costcalc.render never imports costcalc.cli or typer (rich only here and in the CLI);
- costcalc.importers never import costcalc.cli (they are core: the rules above hold).

Every import counts, at module level or inside a function (costcalc imports lazily for
start-up speed, and a lazy import is still a dependency), absolute or relative.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import REPO

PACKAGE = REPO / "costcalc"

CORE_MAY_RENDER = {
    "costcalc/replay/render.py": "replay's tables and chart, kept in the replay package",
}
"""Core files allowed to import costcalc.render, each with why."""


def layer(rel: str) -> str:
    """The layer of a file, by its path under the repository (costcalc/...)."""
    parts = rel.split("/")
    if parts[1] == "cli" or rel == "costcalc/__main__.py":
        return "cli"
    if rel == "costcalc/api.py":
        return "api"
    if parts[1] == "render":
        return "render"
    return "core"


FORBIDDEN = {
    "cli": (),
    "api": ("costcalc.cli", "typer", "rich"),
    "render": ("costcalc.cli", "typer"),
    "core": ("costcalc.cli", "typer", "rich", "costcalc.render"),
}


def imported(tree: ast.AST, module: str) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in a module's tree; `module` is the
    dotted name of the file, to resolve relative imports."""
    package = module.split(".")
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            yield node.lineno, name
            for alias in node.names:  # `from costcalc import cli` imports costcalc.cli
                yield node.lineno, f"{name}.{alias.name}"


def violations(path: Path, rel: str, source: str) -> list[str]:
    """Every import of `source` (the text of `rel`) that its layer forbids."""
    module = rel.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
    if rel.endswith("/__init__.py"):
        module += ".__init__"  # a package's relative imports start from the package itself
    banned = FORBIDDEN[layer(rel)]
    found = []
    for line, name in imported(ast.parse(source, str(path)), module):
        for prefix in banned:
            if name == prefix or name.startswith(prefix + "."):
                if prefix == "costcalc.render" and rel in CORE_MAY_RENDER:
                    continue
                found.append(f"{rel}:{line}: imports {name} ({layer(rel)} may not import {prefix})")
    return found


def all_violations() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        found += violations(path, rel, path.read_text(encoding="utf-8"))
    return found


def test_the_import_contract_holds() -> None:
    assert all_violations() == []


def test_every_exception_is_still_a_file() -> None:
    """An exception for a file that is gone would hide a new file of the same name later."""
    for rel in CORE_MAY_RENDER:
        assert (REPO / rel).is_file(), rel


@pytest.mark.parametrize(
    ("rel", "source", "expected"),
    [
        ("costcalc/cost.py", "import typer\n", "imports typer"),
        ("costcalc/cost.py", "def f():\n    from rich.table import Table\n", "imports rich.table"),
        ("costcalc/gate/checker.py", "from costcalc.cli.common import err\n", "costcalc.cli"),
        ("costcalc/gate/checker.py", "from ..cli import common\n", "costcalc.cli"),
        ("costcalc/importers/feeds.py", "from costcalc import cli\n", "costcalc.cli"),
        ("costcalc/listing.py", "from costcalc.render.catalog import models_payload\n", "render"),
        ("costcalc/render/catalog.py", "from costcalc.cli.common import emit\n", "costcalc.cli"),
        ("costcalc/render/catalog.py", "import typer.main\n", "imports typer.main"),
        ("costcalc/api.py", "from costcalc.cli import app\n", "costcalc.cli"),
    ],
)
def test_a_forbidden_import_is_caught(rel: str, source: str, expected: str) -> None:
    """The checker finds each kind of forbidden import (so the contract test can fail)."""
    found = violations(REPO / rel, rel, source)
    assert found and expected in found[0], found


@pytest.mark.parametrize(
    ("rel", "source"),
    [
        ("costcalc/cli/cmd_catalog.py", "import typer\nfrom costcalc.render.catalog import x\n"),
        ("costcalc/render/tables.py", "from rich.table import Table\n"),
        ("costcalc/api.py", "from costcalc.render.catalog import cost_payload\n"),
        ("costcalc/replay/render.py", "from costcalc.render.tables import Table\n"),
        ("costcalc/cost.py", "from costcalc.catalog import Catalog\nimport richness\n"),
    ],
)
def test_an_allowed_import_passes(rel: str, source: str) -> None:
    assert violations(REPO / rel, rel, source) == []
