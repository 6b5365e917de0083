"""Shared test fixtures: the mini catalog and a CLI runner."""

from __future__ import annotations

import pytest
from helpers import MINI, REPO
from typer.testing import CliRunner


@pytest.fixture(autouse=True)
def _run_from_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative fixture paths (and so golden outputs) are the same on every checkout."""
    monkeypatch.chdir(REPO)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def mini_catalog():  # type: ignore[no-untyped-def]
    from costcalc.catalog import load_catalog

    return load_catalog([MINI], include_bundled=False)
