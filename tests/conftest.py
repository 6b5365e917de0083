"""Shared test fixtures: the mini catalog and a CLI runner."""

from __future__ import annotations

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from helpers import MINI, REPO

# Property tests judge results, not speed: a loaded CI machine must not fail them
# on hypothesis' per-example deadline.
settings.register_profile("costcalc", deadline=None)
settings.load_profile("costcalc")


@pytest.fixture(autouse=True, scope="session")
def _catalog_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every CLI run in the suite shares one fresh catalog cache (never the user's)."""
    import os

    os.environ["COSTCALC_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    os.environ.pop("COSTCALC_NO_CACHE", None)
    os.environ.pop("COLUMNS", None)  # golden tables are rendered at the non-terminal width
    # A developer's own config file or environment must not change what the suite sees.
    for name in ("COSTCALC_CONFIG", "COSTCALC_PRICING", "NO_COLOR", "FORCE_COLOR"):
        os.environ.pop(name, None)


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
