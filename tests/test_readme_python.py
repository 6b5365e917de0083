"""Every ```python block of the README's "Python API" section runs as written, in order and
in one namespace (a later block uses the catalog an earlier one loaded), from a folder laid
out like the repository's root, so files an example writes land in a temporary folder."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from helpers import REPO

README = (REPO / "README.md").read_text("utf-8")
SECTION = re.search(r"^### Python API\n(.*?)^##", README, flags=re.S | re.M)
"""Other sections' Python examples name files the reader has (their own logs)."""
BLOCKS = re.findall(r"```python\n(.*?)```", SECTION.group(1) if SECTION else "", flags=re.S)


COPIED = (
    "examples",
    "tests/fixtures/mini",
    "tests/fixtures/importers/diff",
    "tests/fixtures/importers/openrouter",
    "tests/fixtures/replay",
)
"""The files the examples read, relative to the repository's root."""


def test_the_readme_has_python_examples() -> None:
    """One example at least per call of costcalc.api."""
    text = "".join(BLOCKS)
    for call in (
        "load_catalog",
        "cost",
        "models",
        "prices_diff",
        "compare",
        "check",
        "replay",
        "import_prices",
    ):
        assert f"api.{call}(" in text, call


def test_readme_python_blocks_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in COPIED:  # copies: the gate and the readers refuse symbolic links
        shutil.copytree(REPO / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "readme"}
    for i, block in enumerate(BLOCKS):
        try:
            exec(compile(block, f"README.md python block {i + 1}", "exec"), namespace)
        except Exception as exc:  # name the block that failed
            raise AssertionError(f"README python block {i + 1} failed: {exc!r}\n{block}") from exc
    assert (tmp_path / "my-openrouter-prices" / "models.yaml").is_file()
