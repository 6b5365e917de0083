"""Eval runs -> a benchmarks sheet, a scores sheet, a models sheet and per-item files.

Each task becomes the benchmark `eval/<tool>/<task>` (tool: lm-eval, inspect or
promptfoo; the task in lower case, characters an id cannot hold become `-`) with
the number of items scored, so the binomial band follows (costcalc.quality);
each (task, model) becomes a score in percent. A model name resolves to a
catalog id by, in order: the user's `--model NAME=ID` map; the name itself as an
id or alias; the name without its `provider/` or `provider:` prefix; its last
`/` segment. An unmatched model keeps its own name (made an id) and is defined
in `models.yaml` with vendor and licence unknown, so the folder validates; it
has no offer, so compare lists it as such.

Per-item results go to `items/<benchmark>.jsonl`: a header line
(`schema_version`, `benchmark`, `items`, `models`), then one line per item,
`{"item": ID, "scores": {MODEL: 0|1|share, ...}}`, sorted by item id.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from costcalc.errors import InputError, Problem
from costcalc.evals.read import EvalRun

ITEMS_SCHEMA_VERSION = 1
ITEMS_FOLDER = "items"
BENCHMARK_PREFIX = "eval/"
CATEGORIES = ("math", "code", "science", "knowledge", "chat", "agents")
_BAD = re.compile(r"[^a-z0-9._/:+-]+")


def to_id(name: str) -> str:
    """A name as a costcalc id: lower case, runs of other characters as `-`."""
    out = _BAD.sub("-", name.strip().lower()).strip("-._/:+")
    return out[:150] or "unnamed"


TOOL_IDS = {"lm-evaluation-harness": "lm-eval", "inspect-ai": "inspect", "promptfoo": "promptfoo"}


def benchmark_id(tool: str, task: str) -> str:
    """`eval/<tool>/<task>`: the same task name under two tools is two benchmarks (their
    prompts, items and scorers differ)."""
    return f"{BENCHMARK_PREFIX}{TOOL_IDS.get(tool, to_id(tool))}/{to_id(task)}"


def items_file_name(bench_id: str) -> str:
    """The per-item file of a benchmark, relative to the output folder."""
    return f"{ITEMS_FOLDER}/{re.sub(r'[^a-z0-9._+-]', '_', bench_id)}.jsonl"


def resolve(
    name: str, lookup: Callable[[str], str | None], mapping: Mapping[str, str]
) -> str | None:
    """The catalog id of a model name, or None (see the module docstring for the order)."""
    if name in mapping:
        return mapping[name]
    tries = [name]
    for sep in ("/", ":"):
        if sep in name:
            tries.append(name.split(sep, 1)[1])
    if "/" in name:
        tries.append(name.rsplit("/", 1)[1])
    for t in tries:
        found = lookup(t)
        if found is not None:
            return found
    return None


@dataclass
class EvalImport:
    """What an import produces, and what it could not match."""

    benchmarks: list[dict[str, Any]]
    scores: list[dict[str, Any]]
    models: list[dict[str, Any]]
    items: dict[str, str]
    """Relative path -> text of each per-item file."""
    matched: dict[str, str] = field(default_factory=dict)
    """Tool model name -> catalog id."""
    unmatched: list[str] = field(default_factory=list)
    """Tool model names kept under their own names."""
    runs: int = 0


def build(
    runs: Sequence[EvalRun],
    lookup: Callable[[str], str | None],
    *,
    mapping: Mapping[str, str] | None = None,
    category: str = "knowledge",
) -> EvalImport:
    """Turn runs into sheet data; conflicting runs are reported all at once (InputError)."""
    if category not in CATEGORIES:
        raise InputError(f"category must be one of {', '.join(CATEGORIES)}, got {category!r}")
    mapping = dict(mapping or {})
    problems: list[Problem] = []
    result = EvalImport([], [], [], {}, runs=len(runs))
    bench: dict[str, EvalRun] = {}
    seen: dict[tuple[str, str], EvalRun] = {}
    per_item: dict[str, dict[str, dict[str, Decimal]]] = {}
    unmatched: dict[str, str] = {}
    for run in runs:
        bid = benchmark_id(run.tool, run.task)
        first = bench.setdefault(bid, run)
        if first.items != run.items:
            problems.append(
                Problem(
                    f"task {run.task!r} has {run.items} items here but {first.items} in"
                    f" {first.file}: different item sets cannot share a benchmark",
                    run.file,
                    field="items",
                )
            )
            continue
        found = resolve(run.model, lookup, mapping)
        if found is None:
            model_id = to_id(run.model)
            unmatched[model_id] = run.model
        else:
            model_id = found
            result.matched[run.model] = found
        key = (model_id, bid)
        if key in seen:
            problems.append(
                Problem(
                    f"{run.model} on {run.task!r} is also in {seen[key].file}: import one of them",
                    run.file,
                    field="model",
                )
            )
            continue
        seen[key] = run
        score: dict[str, Any] = {
            "model": model_id,
            "benchmark": bid,
            "score": _percent(run.share),
            "metric": run.metric,
            "source": f"{Path(run.file).name} ({run.tool}"
            + (f" {run.tool_version}" if run.tool_version else "")
            + f"; model as named there: {run.model})",
        }
        if run.day is not None:
            score["as_of"] = run.day
        score["reported_by"] = "you (costcalc import evals)"
        if run.notes:
            score["note"] = "; ".join(run.notes)
        result.scores.append(score)
        if run.per_item is not None:
            per_item.setdefault(bid, {})[model_id] = run.per_item
    if problems:
        raise InputError(problems=problems)
    for bid, run in sorted(bench.items()):
        result.benchmarks.append(
            {
                "id": bid,
                "name": f"{run.task} (your eval, {run.tool})",
                "category": category,
                "scale": "percent",
                "items": run.items,
                "source": f"{Path(run.file).name}: {run.items} items scored by {run.tool}",
                "note": "Imported by costcalc import evals; the item count is the number of"
                " items the tool scored.",
            }
        )
    for model_id, name in sorted(unmatched.items()):
        result.models.append(
            {
                "id": model_id,
                "name": name,
                "vendor": "unknown",
                "open_weights": None,
                "license": "unknown",
                "note": "A model of your own eval that matches no catalog id or alias"
                " (costcalc import evals); vendor and licence unknown.",
            }
        )
    result.unmatched = sorted(unmatched.values())
    result.scores.sort(key=lambda s: (s["benchmark"], s["model"]))
    for bid, models in sorted(per_item.items()):
        result.items[items_file_name(bid)] = items_text(bid, bench[bid].items, models)
    return result


def _percent(share: Decimal) -> Decimal:
    value = share * 100
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def items_text(bid: str, count: int, models: Mapping[str, Mapping[str, Decimal]]) -> str:
    """The JSON-lines text of one benchmark's per-item results."""
    ids = sorted({i for per in models.values() for i in per}, key=_item_order)
    lines = [
        json.dumps(
            {
                "schema_version": ITEMS_SCHEMA_VERSION,
                "benchmark": bid,
                "items": count,
                "models": sorted(models),
            },
            sort_keys=True,
        )
    ]
    for item in ids:
        scores = {m: _num(per[item]) for m, per in sorted(models.items()) if item in per}
        lines.append(json.dumps({"item": item, "scores": scores}, sort_keys=True))
    return "\n".join(lines) + "\n"


def _item_order(item: str) -> tuple[int, int, str]:
    return (0, int(item), "") if item.isdigit() else (1, 0, item)


def _num(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def render(result: EvalImport, sources: Sequence[str]) -> dict[str, str]:
    """Every file of an import, by path relative to the output folder."""
    import hashlib

    from costcalc.importers.output import MARK
    from costcalc.yamlio import dump_yaml

    def sheet(body: str) -> str:
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
        return (
            f"# Generated by `costcalc import evals` from {', '.join(sources)}.\n"
            "# Scores in percent of items; the binomial band follows from `items`.\n"
            f"{MARK} evals sha256={digest}\n" + body
        )

    files = {
        "benchmarks.yaml": sheet(
            dump_yaml({"kind": "benchmarks", "benchmarks": result.benchmarks}, quote_strings=True)
        ),
        "scores.yaml": sheet(
            dump_yaml({"kind": "scores", "scores": result.scores}, quote_strings=True)
        ),
    }
    if result.models:
        files["models.yaml"] = sheet(
            dump_yaml({"kind": "models", "models": result.models}, quote_strings=True)
        )
    files.update(result.items)
    return files


def write(output: Path, files: Mapping[str, str], *, force: bool = False) -> list[Path]:
    """Write the files atomically; refuse to replace a sheet not written (or edited since) by an
    import unless `force`. Returns the paths written."""
    from costcalc.files import write_atomic
    from costcalc.importers.output import generated_state

    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise InputError("--output must be a folder (not a link)", file=str(output))
    problems: list[Problem] = []
    for rel in files:
        path = output / rel
        linked = [output / Path(*Path(rel).parts[:i]) for i in range(1, len(Path(rel).parts) + 1)]
        link = next((p for p in linked if p.is_symlink()), None)
        if link is not None:
            problems.append(Problem("is a symbolic link; refusing to write through it", str(link)))
        elif path.exists() and rel.endswith(".yaml") and not force:
            state = generated_state(path.read_text(encoding="utf-8", errors="replace"))
            if state != "untouched":
                problems.append(
                    Problem(
                        f"exists and {'was edited' if state == 'edited' else 'was not written'}"
                        " by an import; use --force to overwrite it",
                        str(path),
                    )
                )
    if problems:
        raise InputError(problems=problems)
    written = []
    for rel, text in sorted(files.items()):
        path = output / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
        written.append(path)
    return written
