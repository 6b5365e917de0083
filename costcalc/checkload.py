"""Load procurement files for `costcalc check`: untrusted input, read safely.

Procurement files come from pull requests, so:
- YAML is read by `costcalc.yamlio` (safe loader, bounded size, depth and alias
  expansion) with a smaller size limit than price sheets;
- a folder is walked without following symbolic links out of it: a file or
  folder whose real path leaves the checked root is refused;
- a workload reference `{file, name}` must resolve, symlinks followed, to a file
  inside the checked root (a pull request cannot make CI read other files).

Files in a checked folder must be `kind: procurement` or `kind: workloads`
(workload files referenced by decisions); any other kind is an error, so a typo
in `kind:` cannot make a decision silently skip the gate.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from costcalc.errors import InputError, Problem
from costcalc.loader import YAML_SUFFIXES, Document, validate_data
from costcalc.policy import ProcurementDoc
from costcalc.schema.procurement import ProcurementFile, WorkloadRef
from costcalc.schema.workload import Workload, WorkloadFile
from costcalc.yamlio import LineDict, load_yaml

MAX_PROCUREMENT_BYTES = 1024 * 1024
"""Largest procurement or workload file read: real ones are a few KB."""

WORKLOAD_KINDS = ("workloads",)


@dataclass(frozen=True)
class Root:
    """A checked path: the folder (or file) given, its real path and how files are named."""

    given: Path
    real: Path

    def inside(self, path: Path) -> bool:
        real = path.resolve()
        base = self.real if self.real.is_dir() else self.real.parent
        return real == self.real or real.is_relative_to(base)


def procurement_files(root: Path) -> list[Path]:
    """YAML files to check under a folder (sorted), or the file itself; refuses escaping links."""
    r = Root(root, root.resolve())
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise InputError("no such file or folder", file=str(root))
    found: list[Path] = []
    problems: list[Problem] = []
    for here, dirs, files in os.walk(root, followlinks=False):
        base = Path(here)
        for d in list(dirs):
            p = base / d
            if d.startswith("."):
                dirs.remove(d)
            elif p.is_symlink():
                dirs.remove(d)
                if not r.inside(p):
                    problems.append(
                        Problem("symbolic link leads outside the checked folder; refused", str(p))
                    )
        for name in files:
            p = base / name
            if name.startswith(".") or p.suffix not in YAML_SUFFIXES:
                continue
            if p.is_symlink() and not r.inside(p):
                problems.append(
                    Problem("symbolic link leads outside the checked folder; refused", str(p))
                )
                continue
            found.append(p)
    if problems:
        raise InputError(problems=problems)
    return sorted(found)


def load_procurement(paths: list[Path]) -> list[ProcurementDoc]:
    """Load every procurement file under the given paths, gathering all errors before raising."""
    docs: list[ProcurementDoc] = []
    problems: list[Problem] = []
    for root in paths:
        try:
            files = procurement_files(root)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        r = Root(root, root.resolve())
        workload_cache: dict[Path, Any] = {}
        for path in files:
            try:
                doc = _load_one(path, explicit=path == root)
                if doc is not None:
                    docs.append(_resolve(doc, r, workload_cache))
            except InputError as exc:
                problems.extend(exc.problems)
    if problems:
        raise InputError(problems=problems)
    return docs


def _load_one(path: Path, explicit: bool) -> Document | None:
    name = str(path)
    data = load_yaml(path, MAX_PROCUREMENT_BYTES)
    if not isinstance(data, dict):
        raise InputError(
            "expected a mapping with `kind: procurement` at the top", file=name, line=1
        )
    kind = data.get("kind")
    line = data.lines.get("kind", data.line) if isinstance(data, LineDict) else None
    if kind in WORKLOAD_KINDS and not explicit:
        return None
    if kind != "procurement":
        raise InputError(
            f"kind is {kind!r}; `costcalc check` reads `kind: procurement` files"
            " (and the `kind: workloads` files they refer to)",
            file=name,
            line=line,
            field="kind",
        )
    model = validate_data(data, ProcurementFile, name)
    return Document(name, "procurement", model, data)


def _resolve(document: Document, root: Root, cache: dict[Path, Any]) -> ProcurementDoc:
    """Resolve every `{file, name}` workload reference inside the checked root."""
    model: ProcurementFile = document.model
    resolved: dict[int, Workload] = {}
    problems: list[Problem] = []
    for i, decision in enumerate(model.decisions):
        ref = decision.workload
        if not isinstance(ref, WorkloadRef):
            continue
        line = document.line_of("decisions", i, "workload", "file")
        field = f"decisions[{i}].workload.file"
        target = Path(document.path).parent / ref.file
        if Path(ref.file).is_absolute() or not root.inside(target):
            problems.append(
                Problem(
                    f"{ref.file!r} is outside the checked folder;"
                    " a workload file must be inside it",
                    document.path,
                    line,
                    field,
                )
            )
            continue
        try:
            resolved[i] = _named_workload(target, ref.name, cache)
        except InputError as exc:
            first = exc.problems[0]
            where = f"{first.file}:{first.line}: " if first.file and first.line else ""
            problems.append(
                Problem(
                    f"workload {ref.name!r}: {where}{first.message}", document.path, line, field
                )
            )
    if problems:
        raise InputError(problems=problems)
    return ProcurementDoc(document, resolved)


def _named_workload(path: Path, name: str, cache: dict[Path, Any]) -> Workload:
    real = path.resolve()
    if real not in cache:
        try:
            data = load_yaml(path, MAX_PROCUREMENT_BYTES)
            kind = data.get("kind") if isinstance(data, dict) else None
            if kind not in WORKLOAD_KINDS:
                raise InputError(
                    f"kind is {kind!r}; expected a `kind: workloads` file", file=str(path)
                )
            cache[real] = validate_data(data, WorkloadFile, str(path))
        except InputError as exc:
            cache[real] = exc
    found = cache[real]
    if isinstance(found, InputError):
        raise found
    assert isinstance(found, WorkloadFile)
    for workload in found.workloads:
        if workload.name == name:
            return workload
    names = ", ".join(w.name for w in found.workloads)
    raise InputError(f"no workload named {name!r} (names: {names})", file=str(path))


__all__ = ["load_procurement", "procurement_files"]
