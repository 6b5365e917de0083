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


def test_spark_agrees_on_eras_of_the_bundled_catalog(tmp_path: Path) -> None:
    """The bundled catalog's off-peak windows and tiers hold in some periods only, so its
    grouping keys them by era (`Splits.tod_eras`, `tier_eras`): the transpiled CASEs over
    instants group as DuckDB's do, across 2025's window, its end mid-day, and 2026's."""
    log = tmp_path / "eras.csv"
    log.write_text(
        "timestamp,model,provider,input_tokens,cached_tokens,output_tokens,batch\n"
        "2025-06-15T17:00:00Z,deepseek-chat,deepseek,250000,1000,900,false\n"
        "2025-06-15T08:00:00Z,deepseek-chat,deepseek,2000,0,900,false\n"
        "2025-09-05T15:59:59Z,deepseek-reasoner,deepseek,3000,0,500,false\n"
        "2025-09-05T16:00:00Z,deepseek-reasoner,deepseek,3000,0,500,false\n"
        "2025-08-01T10:00:00Z,gemini-2.5-pro,google,250000,0,100,true\n"
        "2026-09-20T11:00:00Z,qwen3-max,alibaba-bailian,150000,0,100,false\n"
        "2026-09-20T00:30:00Z,gpt-5.4,openai,300000,5000,100,false\n",
        encoding="utf-8",
    )
    catalog = load_catalog([], include_bundled=True)
    duck = payload(replay([log], catalog=catalog))
    spark = payload(replay([log], catalog=catalog, engine=EngineName.spark, master="local[2]"))
    assert spark == duck
    assert duck["rows"] == 7
