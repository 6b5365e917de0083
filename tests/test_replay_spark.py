"""The Spark engine runs the same grouping as DuckDB and gives identical JSON (local[*])."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from costcalc.catalog import Catalog, load_catalog
from costcalc.replay import EngineName, payload, replay

HERE = Path(__file__).parent / "fixtures" / "replay"

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("pyspark") is None or shutil.which("java") is None,
    reason="pyspark (pip install 'costcalc[spark]') and a Java runtime are needed",
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog([HERE / "pricing"], include_bundled=False)


def test_spark_and_duckdb_give_identical_json(catalog: Catalog) -> None:
    """All fixture formats in one replay: the two engines' documents are equal."""
    files = [
        HERE / "generic.csv",
        HERE / "generic.jsonl",
        HERE / "generic.parquet",
        HERE / "litellm.csv",
        HERE / "langfuse.json",
        HERE / "openai-usage.json",
        HERE / "otel.jsonl",
    ]
    duck = payload(replay(files, catalog=catalog, engine=EngineName.duckdb))
    spark = payload(replay(files, catalog=catalog, engine=EngineName.spark, master="local[2]"))
    assert spark == duck
    assert duck["bad_rows"]["count"] == 2


def test_spark_agrees_on_odd_counts(catalog: Catalog, tmp_path: Path) -> None:
    """Counts one engine's cast would accept and the other not are bad rows in both."""
    from test_replay import ODD_COUNTS

    log = tmp_path / "odd.csv"
    log.write_text(ODD_COUNTS.replace("1,1,\n", "1,1\n"))
    duck = payload(replay([log], catalog=catalog))
    spark = payload(replay([log], catalog=catalog, engine=EngineName.spark, master="local[2]"))
    assert spark == duck
    assert duck["bad_rows"]["count"] == 8


def test_spark_row_differences_match(catalog: Catalog) -> None:
    """The per-row reconciliation pass gives the same rows on both engines."""
    files = [HERE / "generic.csv", HERE / "litellm.csv"]
    duck = payload(replay(files, catalog=catalog, row_differences=3))
    spark = payload(
        replay(
            files, catalog=catalog, engine=EngineName.spark, master="local[2]", row_differences=3
        )
    )
    assert spark["reconciliation"] == duck["reconciliation"]
    assert len(duck["reconciliation"]["rows"]) == 3
