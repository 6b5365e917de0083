"""The engines that run the grouping: DuckDB (embedded, default) and Apache Spark (pyspark).

Both read each log into a view `src_N` of text columns and run the same query
(costcalc.replay.grouping, transpiled for Spark). Time is UTC in both sessions.
An engine failure reading a file (a malformed CSV row, a bad JSON line, a file
that is not Parquet) is an InputError naming the file.
"""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Any, Protocol

from costcalc.errors import InputError
from costcalc.replay.formats import COLUMNS, LINE, Container


class EngineName(str, Enum):
    duckdb = "duckdb"
    spark = "spark"

    @classmethod
    def named(cls, text: str, field: str = "--engine") -> EngineName:
        """The engine a user wrote (any case), or an error listing the choices."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise InputError(f"{field}: unknown {text!r}; one of duckdb, spark") from None


class Source(Protocol):
    """What an engine needs to read one file."""

    @property
    def path(self) -> Path: ...
    @property
    def name(self) -> str: ...
    @property
    def container(self) -> Container: ...


DUCKDB_MEMORY_LIMIT = "768MB"
"""DuckDB spills to disk above this, so a replay stays within 1 GiB of memory."""


def _first_line(exc: BaseException) -> str:
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    return lines[0][:400] if lines else type(exc).__name__


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


JSON_COLUMNS = (*COLUMNS, LINE)


class DuckDBEngine:
    """DuckDB in this process: streams CSV, JSON lines and Parquet, spills past its memory limit."""

    dialect = "duckdb"

    def __init__(self, temp_dir: Path | None = None, threads: int | None = None) -> None:
        import duckdb

        self._duckdb = duckdb
        self.con = duckdb.connect(config={"memory_limit": DUCKDB_MEMORY_LIMIT})
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute("SET enable_progress_bar = false")
        if temp_dir is not None:
            self.con.execute(f"SET temp_directory = {_sql_text(str(temp_dir))}")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        self.names: dict[int, str] = {}
        self.paths: dict[int, str] = {}

    def register(self, index: int, source: Source) -> None:
        path = _sql_text(str(source.path))
        if source.container is Container.csv:
            reader = self._csv_reader(path)
        elif source.container is Container.jsonl:
            cols = ", ".join(f"{_sql_text(c)}: 'VARCHAR'" for c in JSON_COLUMNS)
            reader = f"read_json({path}, format = 'newline_delimited', columns = {{{cols}}})"
        else:
            reader = f"read_parquet({path})"
        try:
            self.con.execute(f"CREATE OR REPLACE VIEW src_{index} AS SELECT * FROM {reader}")
        except self._duckdb.Error as exc:  # e.g. rows of unequal width: the sniffer gives up
            raise InputError(f"malformed: {_first_line(exc)}", file=source.name) from None
        self.names[index] = source.name
        self.paths[index] = str(source.path)

    def _csv_reader(self, path: str) -> str:
        return (
            f"read_csv({path}, header = true, all_varchar = true, delim = ',', quote = '\"',"
            " escape = '\"', sample_size = 1)"
        )

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        try:
            return self.con.execute(sql).fetchall()
        except self._duckdb.Error as exc:
            if "Overflow in SUM of DECIMAL" in str(exc):
                raise InputError(
                    (self._only() or "the logs") + ": the logged costs of one group (a model on a"
                    " day) add up to 10^20 or more, past the DECIMAL(38, 18) they are summed in"
                    " exactly; is the cost column in units of the currency?"
                ) from None
            raise InputError(self._blame(exc)) from None

    def _only(self) -> str | None:
        return next(iter(self.names.values())) if len(self.names) == 1 else None

    def _blame(self, exc: BaseException) -> str:
        """Name the file a read failure is about: the only one, the one the message names,
        or the first whose rows cannot be counted."""
        message = _first_line(exc)
        only = self._only()
        if only is not None:
            return f"{only}: malformed: {message}"
        for index, name in self.names.items():
            if f'"{self.paths[index]}"' in message:
                return f"{name}: malformed: {message}"
        for index, name in self.names.items():
            try:
                self.con.execute(f"SELECT COUNT(*) FROM src_{index}").fetchall()
            except self._duckdb.Error as inner:
                return f"{name}: malformed: {_first_line(inner)}"
        return f"reading the log failed: {message}"

    def close(self) -> None:
        self.con.close()


class SparkEngine:
    """Apache Spark through pyspark: `local[*]` by default, a cluster through --master or
    SPARK_REMOTE (Spark Connect)."""

    dialect = "spark"

    def __init__(self, master: str | None = None) -> None:
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise InputError(
                "--engine spark needs pyspark: pip install 'costcalc[spark]'"
            ) from None
        builder: Any = SparkSession.builder.appName("costcalc-replay")
        remote = os.environ.get("SPARK_REMOTE")
        if master:
            builder = builder.master(master)
        elif not remote:
            builder = builder.master("local[*]")
        builder = (
            builder.config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "8")
        )
        try:
            self.spark = builder.getOrCreate()
        except Exception as exc:  # Java missing, cluster unreachable: not a traceback
            raise InputError(f"cannot start Spark: {_first_line(exc)}") from None
        self.spark.conf.set("spark.sql.session.timeZone", "UTC")
        self.names: dict[int, str] = {}

    def register(self, index: int, source: Source) -> None:
        from pyspark.sql.types import StringType, StructField, StructType

        path = str(source.path)
        reader = self.spark.read.option("mode", "FAILFAST")
        try:
            if source.container is Container.csv:
                df = reader.option("header", True).option("escape", '"').csv(path)
            elif source.container is Container.jsonl:
                schema = StructType([StructField(c, StringType()) for c in JSON_COLUMNS])
                df = reader.schema(schema).json(path)
            else:
                df = reader.parquet(path)
        except Exception as exc:
            raise InputError(f"malformed: {_first_line(exc)}", file=source.name) from None
        df.createOrReplaceTempView(f"src_{index}")
        self.names[index] = source.name

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        try:
            return [tuple(row) for row in self.spark.sql(sql).collect()]
        except Exception as exc:
            raise InputError(self._blame(exc)) from None

    def _blame(self, exc: BaseException) -> str:
        message = _first_line(exc)
        for index, name in self.names.items():
            try:
                self.spark.sql(f"SELECT COUNT(*) FROM src_{index}").collect()
            except Exception as inner:
                return f"{name}: malformed: {_first_line(inner)}"
        return f"reading the log failed: {message}"

    def close(self) -> None:
        for index in self.names:
            self.spark.catalog.dropTempView(f"src_{index}")


def open_engine(
    name: EngineName, *, master: str | None = None, temp_dir: Path | None = None
) -> DuckDBEngine | SparkEngine:
    if name is EngineName.spark:
        return SparkEngine(master)
    return DuckDBEngine(temp_dir)
