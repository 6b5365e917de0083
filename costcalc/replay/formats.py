"""Log formats: detection from content, and the mapping of each format to one set of columns.

Every format ends as the same normalised columns (`COLUMNS`), read as text by the
engine and typed by the grouping SQL:

- the **generic** format (CSV, JSON lines, Parquet with the documented columns)
  is read by the engine directly, so large files stream;
- the vendors' exports (LiteLLM spend logs, Langfuse observations, the OpenAI
  usage API's completions buckets, OpenTelemetry OTLP/JSON spans) carry nested
  JSON (usage details, span attributes, buckets of results). They are flattened
  here, one record at a time with bounded memory, into a generic JSON-lines file
  in a private temporary folder that the engine then reads like any other; each
  flattened record keeps the line (or record number) it came from.

Token conventions (see the README): `input_tokens` counts every prompt token,
cached reads and cache writes included; `output_tokens` is the visible answer and
`reasoning_tokens` hidden reasoning billed on top of it (as the cost engine does).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any

from costcalc.errors import InputError

COLUMNS = (
    "timestamp",
    "model",
    "provider",
    "input_tokens",
    "cached_tokens",
    "cache_write_tokens",
    "output_tokens",
    "reasoning_tokens",
    "batch",
    "cost",
    "requests",
)
"""The generic format's columns, in order; the normalised relation every format becomes."""

REQUIRED = ("timestamp", "model", "input_tokens", "output_tokens")
TOKEN_COLUMNS = (
    "requests",
    "input_tokens",
    "cached_tokens",
    "cache_write_tokens",
    "output_tokens",
    "reasoning_tokens",
)
LINE = "line"
"""Extra column of flattened records: the source line (or record) number."""

MAX_RECORD_BYTES = 16 * 1024 * 1024
"""Largest single JSON document read whole (an OpenAI usage page, a Langfuse JSON array)."""
SNIFF_BYTES = 64 * 1024


class LogFormat(str, Enum):
    """`--log-format` choices."""

    auto = "auto"
    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"
    litellm = "litellm"
    langfuse = "langfuse"
    openai_usage = "openai-usage"
    otel = "otel"

    @classmethod
    def named(cls, text: str, field: str = "--log-format") -> LogFormat:
        """The format a user wrote (any case), or an error listing the choices."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise InputError(
                f"{field}: unknown {text!r}; one of " + ", ".join(f.value for f in cls)
            ) from None


class Container(str, Enum):
    """How a file is laid out on disk."""

    csv = "csv"
    jsonl = "jsonl"
    json = "json"
    parquet = "parquet"


@dataclass(frozen=True)
class LogFile:
    """One input file, its detected format and container, and (generic only) its columns."""

    path: Path
    name: str
    """As the user gave it, for messages."""
    format: LogFormat
    container: Container
    columns: tuple[str, ...] = ()
    """Generic CSV/Parquet: the normalised column -> the file's own column (same order)."""
    present: tuple[str, ...] = ()
    """Normalised columns the file has (the others are read as empty)."""
    types: tuple[str, ...] = ()
    """Parquet only: the engine's type of each of `columns` (same order)."""


# ---------------------------------------------------------------- detection


def _head(path: Path, name: str) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(SNIFF_BYTES)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=name) from None


def _container(path: Path, head: bytes) -> Container:
    if head.startswith(b"PAR1"):
        return Container.parquet
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"["):
        return Container.json
    if text.startswith(b"{"):
        # One document spread over lines (pretty-printed) or one per line?
        first = text.split(b"\n", 1)[0].strip()
        try:
            json.loads(first)
        except ValueError:
            return Container.json
        return Container.jsonl
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return Container.parquet
    return Container.csv


def _csv_header(head: bytes, name: str) -> list[str]:
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:
            raise InputError("not UTF-8 text", file=name, line=1) from None
        text = head[: exc.start].decode("utf-8-sig")
    if "\x00" in text:
        raise InputError("binary data (a NUL byte) where CSV text was expected", file=name)
    first = text.splitlines()[0] if text.strip() else ""
    if not first.strip():
        raise InputError("empty file: expected a CSV header line", file=name, line=1)
    return [c.strip() for c in next(csv.reader([first]))]


def _first_json(head: bytes) -> Any:
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    first = text.split(b"\n", 1)[0]
    try:
        return json.loads(first)
    except ValueError:
        return None


def _parquet_schema(path: Path, name: str) -> list[tuple[str, str]]:
    """(column, DuckDB type) of a Parquet file, from its footer."""
    import duckdb

    try:
        con = duckdb.connect()
        rows = con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
        con.close()
    except duckdb.Error as exc:
        raise InputError(f"not a readable Parquet file: {_first_line(exc)}", file=name) from None
    return [(str(r[0]), str(r[1])) for r in rows]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _vendor_of_keys(keys: set[str]) -> LogFormat | None:
    low = {k.lower() for k in keys}
    if "resourcespans" in low:
        return LogFormat.otel
    if {"spend", "starttime"} <= low or {"request_id", "spend"} <= low:
        return LogFormat.litellm
    if ("usagedetails" in low or "usage_details" in low) and (
        "starttime" in low or "start_time" in low
    ):
        return LogFormat.langfuse
    if low & {"object", "data"} and ("data" in low or keys == {"object"}):
        return LogFormat.openai_usage
    return None


def detect(path: Path, name: str, wanted: LogFormat = LogFormat.auto) -> LogFile:
    """Find a file's format from its content (or check the one asked for)."""
    if path.is_symlink() and not path.resolve().is_file():
        raise InputError("not a regular file", file=name)
    if not path.is_file():
        raise InputError("no such file" if not path.exists() else "not a regular file", file=name)
    head = _head(path, name)
    if not head.strip():
        raise InputError("empty file", file=name)
    container = _container(path, head)
    if wanted in (LogFormat.csv, LogFormat.jsonl, LogFormat.parquet):
        expected = {
            LogFormat.csv: Container.csv,
            LogFormat.jsonl: Container.jsonl,
            LogFormat.parquet: Container.parquet,
        }[wanted]
        if container is not expected:
            raise InputError(
                f"--log-format {wanted.value}: the file looks like {container.value}", file=name
            )
        return _generic(path, name, container)
    fmt: LogFormat | None = None if wanted is LogFormat.auto else wanted
    schema: list[tuple[str, str]] | None = None
    if fmt is None:
        if container is Container.csv:
            keys = set(_csv_header(head, name))
        elif container is Container.parquet:
            schema = _parquet_schema(path, name)  # read once: each read opens a database
            keys = {column for column, _ in schema}
        else:
            first = _first_json(head)
            if isinstance(first, list):
                first = first[0] if first and isinstance(first[0], dict) else {}
            if container is Container.json and not isinstance(first, dict):
                first = _sniff_json_keys(head)
            keys = set(first) if isinstance(first, dict) else set()
        fmt = _vendor_of_keys(keys)
        if fmt is None:
            return _generic(path, name, container, schema)
    return LogFile(path, name, fmt, container)


def _sniff_json_keys(head: bytes) -> dict[str, Any]:
    """Keys of a pretty-printed JSON document's first object, from its opening bytes."""
    found = re.findall(rb'"([A-Za-z_][A-Za-z0-9_.]*)"\s*:', head[:8192])
    return {k.decode(): None for k in found}


def _generic(
    path: Path, name: str, container: Container, schema: list[tuple[str, str]] | None = None
) -> LogFile:
    """The generic format's columns (`schema`: a Parquet file's, if already read)."""
    if container is Container.json:
        raise InputError(
            "a JSON array or document is not the generic format: write one JSON object per line"
            " (JSON lines), or name a vendor format with --log-format",
            file=name,
        )
    if container is Container.jsonl:
        return LogFile(path, name, LogFormat.jsonl, container, COLUMNS, COLUMNS)
    types_of: dict[str, str] = {}
    if container is Container.csv:
        header = _csv_header(_head(path, name), name)
    else:
        schema = schema if schema is not None else _parquet_schema(path, name)
        header = [c for c, _ in schema]
        types_of = dict(schema)
    by_lower: dict[str, str] = {}
    for col in header:
        by_lower.setdefault(col.strip().lower(), col)
    missing = [c for c in REQUIRED if c not in by_lower]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; the generic format needs"
            f" {', '.join(REQUIRED)} (optional: provider, cached_tokens, reasoning_tokens,"
            " cache_write_tokens, batch, cost, requests); its header has: "
            + ", ".join(header[:20]),
            file=name,
            line=1 if container is Container.csv else None,
        )
    present = tuple(c for c in COLUMNS if c in by_lower)
    mapping = tuple(by_lower[c] for c in present)
    fmt = LogFormat.csv if container is Container.csv else LogFormat.parquet
    types = tuple(types_of.get(c, "VARCHAR") for c in mapping) if types_of else ()
    return LogFile(path, name, fmt, container, mapping, present, types)


# ---------------------------------------------------------------- flattening

Record = dict[str, Any]


def _int_text(value: Any) -> str | None:
    """A token count as text (None when absent); anything else is passed on for SQL to judge."""
    if value is None or value == "":
        return None
    if type(value) is str:  # CSV exports: every value (SQL judges it)
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _money_text(value: Any) -> str | None:
    """A logged cost as an exact decimal string (floats by their shortest repr)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    text = repr(value) if isinstance(value, float) else str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    if not number.is_finite():
        return text
    return format(number, "f")


def _epoch_text(value: Any, unit: int) -> str | None:
    """Unix time (in units per second) as an ISO-8601 UTC instant; non-numbers pass through."""
    if value is None or value == "":
        return None
    try:
        number = int(str(value))
    except ValueError:
        return str(value)
    seconds, rest = divmod(number, unit)
    try:
        instant = dt.datetime.fromtimestamp(seconds, dt.timezone.utc)
    except (OverflowError, OSError, ValueError):
        return str(value)
    micros = rest * 1_000_000 // unit
    return (instant + dt.timedelta(microseconds=micros)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _obj(value: Any) -> Mapping[str, Any]:
    """A nested object that may arrive as a JSON string (CSV exports) or be absent."""
    if type(value) is dict:  # what json.loads makes; Mapping's ABC check costs more
        return value
    if value is None or value == "":
        return _EMPTY
    if isinstance(value, Mapping):
        return value
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, Mapping) else {}
    return {}


def _get(record: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if name in record and record[name] not in (None, ""):
            return record[name]
    return None


def _num(value: Any) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return 0


_RECORD_KEYS = (*COLUMNS, LINE)


def _row(**fields: Any) -> Record:
    get = fields.get
    return {c: get(c) for c in _RECORD_KEYS}


def litellm_record(rec: Mapping[str, Any], line: int) -> Record:
    """A LiteLLM `SpendLogs` row: prompt/completion tokens, spend (USD), startTime, provider.

    Cached reads come from `metadata.usage_object` (prompt_tokens_details.cached_tokens,
    or Anthropic's cache_read_input_tokens) when the proxy stored it.
    """
    meta = _obj(rec.get("metadata"))
    usage = _obj(meta.get("usage_object"))
    details = _obj(usage.get("prompt_tokens_details"))
    cached = _get(details, "cached_tokens") or _get(usage, "cache_read_input_tokens")
    written = _get(usage, "cache_creation_input_tokens")
    model = _get(rec, "model")
    provider = _get(rec, "custom_llm_provider")
    if provider is None and isinstance(model, str) and "/" in model:
        provider = model.split("/", 1)[0]
    return _row(
        timestamp=_get(rec, "startTime", "start_time"),
        model=model,
        provider=provider,
        input_tokens=_int_text(_get(rec, "prompt_tokens")),
        cached_tokens=_int_text(cached),
        cache_write_tokens=_int_text(written),
        output_tokens=_int_text(_get(rec, "completion_tokens")),
        # completion_tokens already include any reasoning: nothing is billed on top.
        reasoning_tokens=None,
        batch=None,
        cost=_money_text(_get(rec, "spend")),
        line=line,
    )


_LANGFUSE_CACHE_READ = ("input_cached_tokens", "input_cache_read", "cache_read_input_tokens")
_LANGFUSE_CACHE_WRITE = ("input_cache_creation", "cache_creation_input_tokens")


def langfuse_record(rec: Mapping[str, Any], line: int) -> Record | None:
    """A Langfuse observation (GENERATION): usageDetails, costDetails, startTime, model.

    Langfuse's SDKs split usage details off the base counts (`input` excludes the
    `input_*` details such as `input_cached_tokens`; `output` excludes
    `output_reasoning_tokens`), so the prompt is `input` + every `input_*` detail.
    Observations other than generations (spans, events) carry no usage and are skipped.
    """
    kind = _get(rec, "type")
    if kind is not None and str(kind).upper() not in ("GENERATION", "EMBEDDING"):
        return None
    details = _obj(_get(rec, "usageDetails", "usage_details"))
    if not details:
        usage = _obj(rec.get("usage"))
        details = {
            "input": _get(usage, "input", "promptTokens") or _get(rec, "promptTokens"),
            "output": _get(usage, "output", "completionTokens") or _get(rec, "completionTokens"),
        }
    base_in = details.get("input")
    prompt: Any = base_in
    if isinstance(base_in, int) and not isinstance(base_in, bool):
        prompt = base_in + sum(
            v
            for k, v in details.items()
            if k.startswith("input_") and isinstance(v, int) and not isinstance(v, bool)
        )
        prompt += sum(
            _num(details.get(k)) for k in ("cache_read_input_tokens", "cache_creation_input_tokens")
        )
    cached = sum(_num(details.get(k)) for k in _LANGFUSE_CACHE_READ)
    written = sum(_num(details.get(k)) for k in _LANGFUSE_CACHE_WRITE)
    reasoning = _get(details, "output_reasoning_tokens", "output_reasoning")
    costs = _obj(_get(rec, "costDetails", "cost_details"))
    cost = _get(costs, "total")
    if cost is None:
        cost = _get(rec, "calculatedTotalCost", "totalCost")
    return _row(
        timestamp=_get(rec, "startTime", "start_time"),
        model=_get(rec, "model", "providedModelName"),
        provider=None,
        input_tokens=_int_text(prompt),
        cached_tokens=_int_text(cached or None),
        cache_write_tokens=_int_text(written or None),
        output_tokens=_int_text(details.get("output")),
        reasoning_tokens=_int_text(reasoning),
        batch=None,
        cost=_money_text(cost),
        line=line,
    )


def openai_usage_records(page: Mapping[str, Any], line: int) -> Iterator[Record]:
    """The OpenAI usage API's completions buckets: one record per result, at the bucket start.

    A result groups `num_model_requests` requests (grouped by model and batch when asked);
    it becomes one record standing for them all, with `requests` set.
    """
    buckets = page.get("data")
    if not isinstance(buckets, list):
        raise ValueError("expected an object with a `data` list of buckets")
    for bucket in buckets:
        if not isinstance(bucket, Mapping):
            raise ValueError("a bucket is not an object")
        start = _epoch_text(bucket.get("start_time"), 1)
        results = bucket.get("results") or bucket.get("result") or []
        if not isinstance(results, list):
            raise ValueError("a bucket's `results` is not a list")
        for res in results:
            if not isinstance(res, Mapping):
                raise ValueError("a result is not an object")
            row = _row(
                timestamp=start,
                model=res.get("model"),
                provider="openai",
                input_tokens=_int_text(res.get("input_tokens")),
                cached_tokens=_int_text(res.get("input_cached_tokens")),
                output_tokens=_int_text(res.get("output_tokens")),
                batch=None if res.get("batch") is None else str(bool(res.get("batch"))).lower(),
                line=line,
            )
            row["requests"] = _int_text(res.get("num_model_requests"))
            yield row


def _otel_value(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return None
    for key in ("stringValue", "intValue", "doubleValue", "boolValue"):
        if key in value:
            return value[key]
    return None


def otel_records(doc: Mapping[str, Any], line: int) -> Iterator[Record]:
    """OTLP/JSON spans with GenAI semantic-convention attributes (one request per span).

    `gen_ai.usage.input_tokens` counts the whole prompt (the conventions say it should
    include cached tokens); cache reads come from `gen_ai.usage.cache_read.input_tokens`
    (or the older `gen_ai.usage.cache_read_input_tokens`). Spans without a model or
    usage (not GenAI calls) are skipped.
    """
    resource_spans = doc.get("resourceSpans")
    if not isinstance(resource_spans, list):
        raise ValueError("expected an object with a `resourceSpans` list")
    for rs in resource_spans:
        scope_spans = rs.get("scopeSpans", []) if isinstance(rs, Mapping) else []
        for ss in scope_spans if isinstance(scope_spans, list) else []:
            spans = ss.get("spans", []) if isinstance(ss, Mapping) else []
            for span in spans if isinstance(spans, list) else []:
                if not isinstance(span, Mapping):
                    continue
                attrs: dict[str, Any] = {}
                for a in span.get("attributes", []) or []:
                    if isinstance(a, Mapping) and isinstance(a.get("key"), str):
                        attrs[a["key"]] = _otel_value(a.get("value"))
                model = attrs.get("gen_ai.response.model") or attrs.get("gen_ai.request.model")
                if model is None and "gen_ai.usage.input_tokens" not in attrs:
                    continue
                yield _row(
                    timestamp=_epoch_text(span.get("startTimeUnixNano"), 1_000_000_000),
                    model=model,
                    provider=attrs.get("gen_ai.provider.name") or attrs.get("gen_ai.system"),
                    input_tokens=_int_text(attrs.get("gen_ai.usage.input_tokens")),
                    cached_tokens=_int_text(
                        attrs.get("gen_ai.usage.cache_read.input_tokens")
                        or attrs.get("gen_ai.usage.cache_read_input_tokens")
                    ),
                    cache_write_tokens=_int_text(
                        attrs.get("gen_ai.usage.cache_creation.input_tokens")
                        or attrs.get("gen_ai.usage.cache_creation_input_tokens")
                    ),
                    output_tokens=_int_text(attrs.get("gen_ai.usage.output_tokens")),
                    line=line,
                )


def _open_text(log: LogFile) -> IO[str]:
    try:
        return log.path.open("r", encoding="utf-8-sig", errors="strict", newline="")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=log.name) from None


def _json_lines(log: LogFile) -> Iterator[tuple[int, Any]]:
    with _open_text(log) as fh:
        number = 0
        while True:
            try:
                text = fh.readline(MAX_RECORD_BYTES + 1)
            except UnicodeDecodeError:
                raise InputError("not UTF-8 text", file=log.name, line=number + 1) from None
            if not text:
                return
            number += 1
            if len(text) > MAX_RECORD_BYTES:
                raise InputError(
                    f"a line longer than {MAX_RECORD_BYTES:,} bytes", file=log.name, line=number
                )
            if not text.strip():
                continue
            try:
                yield number, json.loads(text)
            except ValueError as exc:
                raise InputError(f"not JSON: {exc}", file=log.name, line=number) from None


def _json_document(log: LogFile) -> Any:
    try:
        size = log.path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=log.name) from None
    if size > MAX_RECORD_BYTES:
        raise InputError(
            f"a JSON document of {size:,} bytes; the limit is {MAX_RECORD_BYTES:,}:"
            " export JSON lines (one object per line) instead",
            file=log.name,
        )
    with _open_text(log) as fh:
        try:
            return json.loads(fh.read())
        except UnicodeDecodeError:
            raise InputError("not UTF-8 text", file=log.name) from None
        except ValueError as exc:
            raise InputError(f"not JSON: {exc}", file=log.name, line=exc.lineno) from None  # type: ignore[attr-defined]


def _objects(log: LogFile) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """(line or record number, object) of a vendor file, whatever its container."""
    if log.container is Container.csv:
        with _open_text(log) as fh:
            reader = csv.DictReader(fh)
            try:
                for rec in reader:
                    yield reader.line_num, rec
            except (csv.Error, UnicodeDecodeError) as exc:
                raise InputError(f"not CSV: {exc}", file=log.name, line=reader.line_num) from None
    elif log.container is Container.parquet:
        import duckdb

        try:
            con = duckdb.connect()
            cur = con.execute("SELECT * FROM read_parquet(?)", [str(log.path)])
            names = [d[0] for d in cur.description or []]
            number = 0
            while batch := cur.fetchmany(10_000):
                for values in batch:
                    number += 1
                    yield number, dict(zip(names, values, strict=True))
            con.close()
        except duckdb.Error as exc:
            raise InputError(f"not readable Parquet: {_first_line(exc)}", file=log.name) from None
    elif log.container is Container.jsonl:
        for number, value in _json_lines(log):
            if not isinstance(value, Mapping):
                raise InputError("expected a JSON object", file=log.name, line=number)
            yield number, value
    else:
        doc = _json_document(log)
        items: Any = doc
        if isinstance(doc, Mapping) and isinstance(doc.get("data"), list):
            items = doc["data"]
        if log.format in (LogFormat.openai_usage, LogFormat.otel):
            items = [doc]
        if not isinstance(items, list):
            raise InputError("expected a JSON array of objects", file=log.name)
        for number, value in enumerate(items, 1):
            if not isinstance(value, Mapping):
                raise InputError(f"record {number} is not a JSON object", file=log.name)
            yield number, value


def flatten(log: LogFile) -> Iterator[Record]:
    """The normalised records of a vendor file, streamed (a malformed file is an InputError)."""
    for number, obj in _objects(log):
        try:
            if log.format is LogFormat.litellm:
                yield litellm_record(obj, number)
            elif log.format is LogFormat.langfuse:
                rec = langfuse_record(obj, number)
                if rec is not None:
                    yield rec
            elif log.format is LogFormat.openai_usage:
                if obj.get("object") == "bucket":
                    obj = {"data": [obj]}
                yield from openai_usage_records(obj, number)
            elif log.format is LogFormat.otel:
                yield from otel_records(obj, number)
            else:  # pragma: no cover - generic formats are not flattened
                raise AssertionError(log.format)
        except (ValueError, TypeError, AttributeError) as exc:
            raise InputError(
                f"not a {log.format.value} record: {exc}", file=log.name, line=number
            ) from None


def write_jsonl(records: Iterator[Record], out: IO[str]) -> int:
    """Write normalised records as JSON lines; the number written."""
    encode = _JSONL.encode
    count = 0
    lines: list[str] = []
    for rec in records:
        lines.append(encode(rec))
        count += 1
        if len(lines) == 4096:
            lines.append("")
            out.write("\n".join(lines))
            lines.clear()
    if lines:
        lines.append("")
        out.write("\n".join(lines))
    return count


_JSONL = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
"""One encoder for every line (json.dumps with options builds a new one per call)."""


# ---------------------------------------------------------------- bad rows, in Python

WHOLE = re.compile(r"^-?[0-9]+$")
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$")


def row_problem(rec: Mapping[str, Any]) -> str | None:
    """Why the grouping SQL counts a record as bad (the same rules, for locating it)."""
    ts = rec.get("timestamp")
    if ts is None or not ISO_UTC.match(str(ts).strip()):
        return f"timestamp: unparseable {ts!r}"
    try:
        dt.datetime.fromisoformat(str(ts).strip().replace("Z", "+00:00"))
    except ValueError:
        return f"timestamp: unparseable {ts!r}"
    model = rec.get("model")
    if model is None or not str(model).strip():
        return "model: empty"
    values: dict[str, Decimal] = {}
    for col in TOKEN_COLUMNS:
        raw = rec.get(col)
        if raw is None or str(raw).strip() == "":
            values[col] = Decimal(1 if col == "requests" else 0)
            continue
        text = str(raw).strip()
        if not WHOLE.match(text) or str(int(text)) != text or abs(int(text)) > 10**12:
            return f"{col}: not a whole number (up to 10^12): {raw!r}"
        number = Decimal(int(text))
        if number < 0:
            return f"{col}: negative ({raw})"
        values[col] = number
    if values["cached_tokens"] + values["cache_write_tokens"] > values["input_tokens"]:
        return "cached_tokens: cached and cache-write tokens exceed input_tokens"
    cost = rec.get("cost")
    if cost is not None and str(cost).strip() != "":
        try:
            amount = Decimal(str(cost).strip())
        except InvalidOperation:
            return f"cost: not a number: {cost!r}"
        if not amount.is_finite():  # NaN, Infinity: the engines' DECIMAL cast refuses them
            return f"cost: not a number: {cost!r}"
        if abs(amount) >= COST_LIMIT:
            return f"cost: {cost!r} has more than 20 whole digits"
    return None


COST_LIMIT = Decimal("99999999999999999999.9999999999999999995")
"""The smallest cost the engines' DECIMAL(38, 18) cannot hold (rounded to 18 places it
is 10^20): such a logged cost is a bad row, as an unreadable one."""


def locate_bad_rows(log: LogFile, limit: int) -> list[tuple[int, str]]:
    """The first `limit` bad records of a file as (line, why), found by streaming it."""
    found: list[tuple[int, str]] = []
    if log.format in (LogFormat.csv, LogFormat.jsonl, LogFormat.parquet):
        rename = {c.strip().lower(): n for c, n in zip(log.columns, log.present, strict=True)}
        source = _generic_objects(log)
    else:
        rename = {}
        source = ((int(r[LINE]), r) for r in flatten(log))
    for number, obj in source:
        rec = {rename.get(k, k): v for k, v in obj.items()} if rename else obj
        why = row_problem(rec)
        if why is not None:
            found.append((number, why))
            if len(found) >= limit:
                break
    return found


def _generic_objects(log: LogFile) -> Iterator[tuple[int, Mapping[str, Any]]]:
    if log.container is Container.jsonl:
        yield from ((n, o) for n, o in _json_lines(log) if isinstance(o, Mapping))
        return
    if log.container is Container.csv:
        with _open_text(log) as fh:
            reader = csv.DictReader(fh)
            for rec in reader:
                yield reader.line_num, {k.strip().lower(): v for k, v in rec.items() if k}
        return
    yield from ((n, {k.lower(): v for k, v in o.items()}) for n, o in _objects(log))


__all__ = [
    "COLUMNS",
    "Container",
    "LogFile",
    "LogFormat",
    "detect",
    "flatten",
    "locate_bad_rows",
    "row_problem",
    "write_jsonl",
]
