"""Shared test helpers: the mini catalog and a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def mini_catalog():  # type: ignore[no-untyped-def]
    from costcalc.catalog import load_catalog

    return load_catalog([MINI], include_bundled=False)
