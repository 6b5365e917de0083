"""Read eval tools' output files into `EvalRun`s (I/O and parsing; nothing executed or unpickled).

Formats, recognised by content (not by name):

- lm-evaluation-harness results JSON (`lm_eval ... --output_path`): `results` maps
  task -> {"METRIC,FILTER": value, ...}; `n-samples` gives each task's
  `effective` item count; `model_name` (or `config.model_args` / `config.model`)
  names the model. Per-sample logs `samples_<task>_<date>.jsonl` beside the
  results file (written with `--log_samples`) give per-item results (`doc_id`
  -> the metric's value).
- Inspect AI eval logs: a `.eval` zip (header.json, samples/*.json) or a `.json`
  log (`--log-format json`). The first scorer's first metric is the score; per
  sample, the same scorer's value (C = 1, I = 0, P = 0.5, numbers as they are).
- promptfoo results JSON (`promptfoo eval -o results.json`): `results.results`
  lists one row per test x provider with `success`; a provider's score is the
  share of its tests passed, per item (test index) 1 or 0.

Bounds: a JSON file is at most 64 MB; an Inspect zip at most 10,000 members,
each read at most 64 MB (read in chunks, so a member that lies about its size
stops at the limit), 256 MB in all. A field of the wrong type is an InputError
naming the file and the field.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from costcalc.errors import InputError
from costcalc.importers.read import read_json

MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_ZIP_TOTAL_BYTES = 256 * 1024 * 1024
MAX_ZIP_MEMBERS = 10_000
MAX_SAMPLE_LINES = 1_000_000


@dataclass
class EvalRun:
    """One model's result on one eval task, as read from a tool's file."""

    tool: str
    """lm-evaluation-harness, inspect-ai or promptfoo."""
    tool_version: str | None
    file: str
    task: str
    model: str
    """The model as the tool names it (resolved to a catalog id later)."""
    metric: str
    share: Decimal
    """Score as a share of 1 (0-1)."""
    items: int
    """Number of items scored."""
    day: dt.date | None = None
    per_item: dict[str, Decimal] | None = None
    """Item id -> that item's score (0-1), when the tool logged samples."""
    notes: list[str] = field(default_factory=list)


def _fail(file: str, fld: str, message: str) -> InputError:
    return InputError(message, file=file, field=fld)


def _obj(value: Any, file: str, fld: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(file, fld, f"expected an object, got {_kind(value)}")
    return value


def _list(value: Any, file: str, fld: str) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(file, fld, f"expected a list, got {_kind(value)}")
    return value


def _str(value: Any, file: str, fld: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(file, fld, f"expected a non-empty string, got {_kind(value)}")
    return value.strip()


def _count(value: Any, file: str, fld: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise _fail(file, fld, f"expected a whole number, got {_kind(value)}")
    if value != int(value) or value < 1 or value > 10**9:
        raise _fail(file, fld, f"expected a whole number of items >= 1, got {value}")
    return int(value)


def _share(value: Any, file: str, fld: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise _fail(file, fld, f"expected a number, got {_kind(value)}")
    number = Decimal(value)
    if not number.is_finite() or not 0 <= number <= 1:
        raise _fail(file, fld, f"expected a share between 0 and 1, got {value}")
    return number


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        str: "a string",
        list: "a list",
        dict: "an object",
        int: "a number",
        Decimal: "a number",
    }.get(type(value), type(value).__name__)


def _day(value: Any) -> dt.date | None:
    if isinstance(value, str) and len(value) >= 10:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    if isinstance(value, int | Decimal) and not isinstance(value, bool) and 0 < value < 10**11:
        return dt.datetime.fromtimestamp(float(value), tz=dt.timezone.utc).date()
    return None


def _loads(raw: bytes, file: str) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", file=file) from None
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_bad_constant)
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", file=file, line=exc.lineno) from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"invalid JSON: {exc}", file=file) from None


def _bad_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a score can have")


# ------------------------------------------------------------------ dispatch


def read_eval_file(path: Path) -> list[EvalRun]:
    """Every (task, model) result in one tool output file."""
    name = str(path)
    if path.is_symlink():
        raise InputError("a symbolic link; give the file it points to", file=name)
    if path.suffix == ".eval" or _is_zip(path):
        return _inspect_zip(path)
    data = read_json(path)
    if isinstance(data, dict):
        if (
            isinstance(data.get("results"), dict)
            and ("n-samples" in data or "model_name" in data or "config" in data)
            and "evalId" not in data
        ):
            return _lm_eval(data, path)
        if isinstance(data.get("eval"), dict) and "status" in data:
            return _inspect_log(data, name, data.get("samples"))
        if "evalId" in data or (
            isinstance(data.get("results"), dict) and "prompts" in data["results"]
        ):
            return _promptfoo(data, name)
    raise InputError(
        "not a recognised eval output: expected lm-evaluation-harness results JSON,"
        " an Inspect AI log (.eval or .json) or promptfoo results JSON",
        file=name,
    )


def _is_zip(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(4) == b"PK\x03\x04"
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None


# ------------------------------------------------------- lm-evaluation-harness


def _lm_eval(data: dict[str, Any], path: Path) -> list[EvalRun]:
    file = str(path)
    results = _obj(data["results"], file, "results")
    n_samples = _obj(data.get("n-samples", {}), file, "n-samples")
    higher = _obj(data.get("higher_is_better", {}), file, "higher_is_better")
    config = _obj(data.get("config", {}), file, "config")
    n_shot = _obj(data.get("n-shot", {}), file, "n-shot")
    model = _lm_model(data, config, file)
    version = data.get("lm_eval_version")
    runs: list[EvalRun] = []
    for task, metrics in sorted(results.items()):
        metrics = _obj(metrics, file, f"results.{task}")
        if task not in n_samples:
            # A group's aggregate row: its subtasks are imported one by one.
            continue
        ns = _obj(n_samples[task], file, f"n-samples.{task}")
        items = _count(ns.get("effective", ns.get("original")), file, f"n-samples.{task}.effective")
        task_higher = higher.get(task, {}) if isinstance(higher.get(task), dict) else {}
        metric_key = _lm_metric(metrics, task_higher)
        if metric_key is None:
            seen = ", ".join(
                f"{k} = {v}" for k, v in metrics.items() if k != "alias" and "_stderr" not in k
            )
            raise _fail(
                file, f"results.{task}", f"no metric with a score between 0 and 1 ({seen})"[:300]
            )
        share = _share(metrics[metric_key], file, f"results.{task}.{metric_key}")
        run = EvalRun(
            "lm-evaluation-harness",
            version if isinstance(version, str) else None,
            file,
            task,
            model,
            metric_key,
            share,
            items,
            _day(data.get("date")),
        )
        shots = n_shot.get(task)
        if isinstance(shots, int) and not isinstance(shots, bool):
            run.notes.append(f"n-shot {shots}")
        run.per_item = _lm_samples(path, task, metric_key.split(",")[0], items)
        run.notes.append(
            "per-item results from the samples log"
            if run.per_item is not None
            else "no samples log beside the results (run with --log_samples for per-item results)"
        )
        runs.append(run)
    if not runs:
        raise _fail(file, "results", "no task with an item count in n-samples")
    return runs


def _lm_model(data: dict[str, Any], config: dict[str, Any], file: str) -> str:
    """The model: `pretrained=`/`model=` of model_args, else config.model (the harness's model
    type, e.g. `dummy`, whose `model_name` is a random name), else model_name."""
    args = config.get("model_args")
    if isinstance(args, str):
        for part in args.split(","):
            key, _, value = part.partition("=")
            if key.strip() in ("pretrained", "model") and value.strip():
                return value.strip()
    elif isinstance(args, dict):
        for name in ("pretrained", "model"):
            found = args.get(name)
            if isinstance(found, str) and found.strip():
                return found.strip()
    kind = config.get("model")
    if isinstance(kind, str) and kind.strip():
        return kind.strip()
    return _str(data.get("model_name"), file, "model_name")


def _lm_metric(metrics: dict[str, Any], higher: dict[str, Any]) -> str | None:
    """The first metric (in the file's order) that is a 0-1 score where higher is better."""
    for key, value in metrics.items():
        base = key.split(",")[0]
        if key == "alias" or base.endswith("_stderr"):
            continue
        if higher.get(base) is False:
            continue
        if isinstance(value, int | Decimal) and not isinstance(value, bool) and 0 <= value <= 1:
            return key
    return None


def _lm_samples(path: Path, task: str, metric: str, items: int) -> dict[str, Decimal] | None:
    """Per-item results from samples_<task>_*.jsonl beside the results file (newest name)."""
    folder = path.parent
    stamp = path.stem.removeprefix("results_")
    candidates = sorted(
        p for p in folder.glob(f"samples_{task}_*.jsonl") if p.is_file() and not p.is_symlink()
    )
    if not candidates:
        return None
    exact = [p for p in candidates if p.stem == f"samples_{task}_{stamp}"]
    sample = exact[0] if exact else candidates[-1]
    name = str(sample)
    size = sample.stat().st_size
    if size > MAX_MEMBER_BYTES:
        raise InputError(f"file is {size:,} bytes; the limit is {MAX_MEMBER_BYTES:,}", file=name)
    per_item: dict[str, Decimal] = {}
    with sample.open("rb") as f:
        for n, raw in enumerate(f, 1):
            if n > MAX_SAMPLE_LINES:
                raise InputError(f"more than {MAX_SAMPLE_LINES:,} lines", file=name, line=n)
            if not raw.strip():
                continue
            row = _loads(raw, name)
            row = _obj(row, name, f"line {n}")
            doc_id = row.get("doc_id")
            if isinstance(doc_id, bool) or not isinstance(doc_id, int | str):
                raise InputError(
                    f"expected an item id, got {_kind(doc_id)}", file=name, line=n, field="doc_id"
                )
            if metric not in row:
                return None
            per_item[str(doc_id)] = _item_value(row[metric], name, n, metric)
    if len(per_item) != items:
        return None
    return per_item


def _item_value(value: Any, file: str, line: int | None, fld: str) -> Decimal:
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int | Decimal):
        number = Decimal(value)
        if number.is_finite() and 0 <= number <= 1:
            return number
    raise InputError(
        f"expected an item score between 0 and 1, got {value!r}"[:200],
        file=file,
        line=line,
        field=fld,
    )


# ------------------------------------------------------------------ Inspect AI

_INSPECT_VALUES = {"C": Decimal(1), "I": Decimal(0), "P": Decimal("0.5"), "N": Decimal(0)}
"""Inspect's CORRECT, INCORRECT, PARTIAL and NOANSWER (inspect_ai.scorer value_to_float)."""


def _inspect_zip(path: Path) -> list[EvalRun]:
    file = str(path)
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"not a readable .eval zip: {exc}", file=file) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise InputError(f"{len(infos):,} members; the limit is {MAX_ZIP_MEMBERS:,}", file=file)
        budget = [MAX_ZIP_TOTAL_BYTES]
        names = {i.filename: i for i in infos}
        if "header.json" not in names:
            raise _fail(file, "header.json", "missing: not an Inspect AI .eval log")
        header = _obj(_member(zf, names["header.json"], file, budget), file, "header.json")
        samples = [
            _member(zf, info, file, budget)
            for name, info in sorted(names.items())
            if name.startswith("samples/") and name.endswith(".json")
        ]
    return _inspect_log(header, file, samples if samples else None)


ZIP_ZSTANDARD = 93
"""Zip method 93: zstd, which Inspect AI writes; Python < 3.14's zipfile cannot read it."""


def _member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, file: str, budget: list[int]) -> Any:
    where = f"{file}:{info.filename}"
    if info.file_size > MAX_MEMBER_BYTES:
        raise InputError(
            f"member is {info.file_size:,} bytes uncompressed; the limit is {MAX_MEMBER_BYTES:,}",
            file=where,
        )
    limit = min(MAX_MEMBER_BYTES, budget[0])
    try:
        if info.compress_type == ZIP_ZSTANDARD and not _zip_reads_zstd():
            data = _zstd_member(zf, info, where, limit)
        else:
            with zf.open(info) as f:
                data = _bounded(f, where, limit)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError) as exc:
        raise InputError(f"cannot read member: {exc}", file=where) from None
    budget[0] -= len(data)
    return _loads(data, where)


def _bounded(stream: Any, where: str, limit: int) -> bytes:
    """Read a stream in 1 MB chunks, refusing to go past `limit` bytes (a zip bomb stops here)."""
    chunks: list[bytes] = []
    got = 0
    while True:
        chunk = stream.read(1 << 20)
        if not chunk:
            break
        got += len(chunk)
        if got > limit:
            raise InputError(f"member expands past {limit:,} bytes (a zip bomb?)", file=where)
        chunks.append(chunk)
    return b"".join(chunks)


def _zip_reads_zstd() -> bool:
    return getattr(zipfile, "ZIP_ZSTANDARD", None) == ZIP_ZSTANDARD


def _zstd_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, limit: int) -> bytes:
    """A zstd member: its raw bytes through zipfile (as if stored), decompressed by the
    `zstandard` package with the same bound, checked against the member's CRC-32."""
    import zlib

    import zstandard

    raw = copy.copy(info)
    raw.compress_type = zipfile.ZIP_STORED
    raw.file_size = info.compress_size
    raw.CRC = 0
    with zf.open(raw) as f:
        f._expected_crc = None  # type: ignore[attr-defined]  # the CRC is of the decompressed data
        compressed = _bounded(f, where, limit)
    try:
        reader = zstandard.ZstdDecompressor().stream_reader(compressed, read_across_frames=True)
        data = _bounded(reader, where, limit)
    except zstandard.ZstdError as exc:
        raise InputError(f"cannot decompress member (zstd): {exc}", file=where) from None
    if zlib.crc32(data) != info.CRC:
        raise InputError("member's CRC-32 does not match its contents", file=where)
    return data


def _inspect_log(log: dict[str, Any], file: str, samples: Any) -> list[EvalRun]:
    status = log.get("status")
    if status != "success":
        raise _fail(file, "status", f"the eval did not finish (status {status!r})")
    ev = _obj(log.get("eval"), file, "eval")
    task = _str(ev.get("task"), file, "eval.task")
    model = _str(ev.get("model"), file, "eval.model")
    results = _obj(log.get("results"), file, "results")
    scores = _list(results.get("scores"), file, "results.scores")
    if not scores:
        raise _fail(file, "results.scores", "no scorer results")
    first = _obj(scores[0], file, "results.scores[0]")
    scorer = _str(first.get("name"), file, "results.scores[0].name")
    metrics = _obj(first.get("metrics"), file, "results.scores[0].metrics")
    metric_name: str | None = None
    for key in ("accuracy", "mean"):
        if key in metrics:
            metric_name = key
            break
    if metric_name is None:
        if not metrics:
            raise _fail(file, "results.scores[0].metrics", "no metrics")
        metric_name = next(iter(metrics))
    metric = _obj(metrics[metric_name], file, f"results.scores[0].metrics.{metric_name}")
    share = _share(metric.get("value"), file, f"results.scores[0].metrics.{metric_name}.value")
    completed = _count(results.get("completed_samples"), file, "results.completed_samples")
    config: dict[str, Any] = ev["config"] if isinstance(ev.get("config"), dict) else {}
    epochs = config.get("epochs") if isinstance(config.get("epochs"), int) else 1
    items = completed // epochs if epochs and completed % epochs == 0 else completed
    packages: dict[str, Any] = ev["packages"] if isinstance(ev.get("packages"), dict) else {}
    version = packages.get("inspect_ai")
    run = EvalRun(
        "inspect-ai",
        version if isinstance(version, str) else None,
        file,
        task,
        model,
        f"{scorer}/{metric_name}",
        share,
        items,
        _day(ev.get("created")),
    )
    if samples is not None:
        run.per_item = _inspect_items(_list(samples, file, "samples"), scorer, file, items)
    return [run]


def _inspect_items(
    samples: list[Any], scorer: str, file: str, items: int
) -> dict[str, Decimal] | None:
    """Item id -> mean score over epochs for the scorer; None when a sample lacks it."""
    sums: dict[str, list[Decimal]] = {}
    for i, sample in enumerate(samples):
        where = f"samples[{i}]"
        sample = _obj(sample, file, where)
        sid = sample.get("id")
        if isinstance(sid, bool) or not isinstance(sid, int | str):
            raise _fail(file, f"{where}.id", f"expected an item id, got {_kind(sid)}")
        sample_scores = sample.get("scores")
        if not isinstance(sample_scores, dict) or scorer not in sample_scores:
            return None
        score = _obj(sample_scores[scorer], file, f"{where}.scores.{scorer}")
        value = score.get("value")
        if isinstance(value, str) and value in _INSPECT_VALUES:
            number = _INSPECT_VALUES[value]
        else:
            number = _item_value(value, file, None, f"{where}.scores.{scorer}.value")
        sums.setdefault(str(sid), []).append(number)
    if len(sums) != items:
        return None
    return {k: sum(v, Decimal(0)) / len(v) for k, v in sums.items()}


# ------------------------------------------------------------------- promptfoo


def _promptfoo(data: dict[str, Any], file: str) -> list[EvalRun]:
    outer = _obj(data.get("results"), file, "results")
    rows = _list(outer.get("results"), file, "results.results")
    config: dict[str, Any] = data["config"] if isinstance(data.get("config"), dict) else {}
    task = config.get("description") if isinstance(config.get("description"), str) else None
    task = task or Path(file).stem
    by_model: dict[str, dict[str, Decimal]] = {}
    prompts: set[str] = set()
    for i, row in enumerate(rows):
        where = f"results.results[{i}]"
        row = _obj(row, file, where)
        provider = row.get("provider")
        if isinstance(provider, dict):
            label = provider.get("label")
            pid = label if isinstance(label, str) and label.strip() else provider.get("id")
            name = _str(pid, file, f"{where}.provider.id")
        else:
            name = _str(provider, file, f"{where}.provider")
        prompt = row.get("promptIdx", 0)
        # promptIdx numbers prompt x provider columns; promptId names the prompt itself.
        test = row.get("testIdx")
        if isinstance(test, bool) or not isinstance(test, int):
            raise _fail(file, f"{where}.testIdx", f"expected a whole number, got {_kind(test)}")
        if isinstance(prompt, bool) or not isinstance(prompt, int):
            raise _fail(file, f"{where}.promptIdx", f"expected a whole number, got {_kind(prompt)}")
        success = row.get("success")
        if not isinstance(success, bool):
            raise _fail(file, f"{where}.success", f"expected true or false, got {_kind(success)}")
        prompt_id = row.get("promptId")
        if prompt_id is not None and not isinstance(prompt_id, str):
            raise _fail(file, f"{where}.promptId", f"expected a string, got {_kind(prompt_id)}")
        prompts.add(prompt_id if prompt_id else str(prompt))
        item = f"{prompt_id if prompt_id else prompt}:{test}"
        per = by_model.setdefault(name, {})
        if item in per:
            raise _fail(file, where, f"two results for {name} on test {test} of prompt {prompt}")
        per[item] = Decimal(int(success))
    if not by_model:
        raise _fail(file, "results.results", "no results")
    if len(prompts) == 1:
        # One prompt: the item is the test (its index), the same for every provider.
        by_model = {
            m: {k.rsplit(":", 1)[1]: v for k, v in per.items()} for m, per in by_model.items()
        }
    day = _day(outer.get("timestamp"))
    meta = data.get("metadata")
    tool_version = meta.get("promptfooVersion") if isinstance(meta, dict) else None
    runs = []
    for name, per in sorted(by_model.items()):
        share = sum(per.values(), Decimal(0)) / len(per)
        runs.append(
            EvalRun(
                "promptfoo",
                tool_version if isinstance(tool_version, str) else None,
                file,
                task,
                name,
                "pass rate",
                share,
                len(per),
                day,
                per,
            )
        )
    return runs
