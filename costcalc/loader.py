"""Read files into validated models: the only place YAML meets pydantic.

A document's `kind:` picks its pydantic model. Validation errors become
`InputError`s that name the file, the line and the dotted field, one problem
per pydantic error, so a user fixes a whole file in one pass.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from costcalc.errors import InputError, Problem
from costcalc.files import MAX_BYTES
from costcalc.located import LineDict, locate

M = TypeVar("M", bound=BaseModel)

KINDS: dict[str, str] = {
    "price-sheet": "costcalc.schema.pricing:PriceSheet",
    "models": "costcalc.schema.pricing:ModelRegistry",
    "fx-rates": "costcalc.schema.pricing:FxTable",
    "benchmarks": "costcalc.schema.quality:BenchmarkSheet",
    "scores": "costcalc.schema.quality:ScoreSheet",
    "profiles": "costcalc.schema.quality:ProfileSheet",
    "workloads": "costcalc.schema.workload:WorkloadFile",
    "selfhost": "costcalc.schema.selfhost:SelfHostSheet",
    "procurement": "costcalc.schema.procurement:ProcurementFile",
    "known-differences": "costcalc.schema.crosscheck:KnownDifferences",
}
"""Every file kind costcalc reads, as `kind:` value -> "module:Class" (imported on use)."""

YAML_SUFFIXES = (".yaml", ".yml")


def model_for_kind(kind: str) -> type[BaseModel]:
    """The pydantic model of a file kind (imported lazily: building models costs start-up time)."""
    module_name, _, class_name = KINDS[kind].partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    assert isinstance(cls, type) and issubclass(cls, BaseModel)
    return cls


@dataclass(frozen=True)
class Document:
    """A validated file, with its raw located data kept for line look-ups."""

    path: str
    kind: str
    model: Any
    raw: Any

    def line_of(self, *loc: int | str) -> int | None:
        """Line of a field of this document, e.g. line_of("offers", 2, "prices", 0)."""
        return locate(self.raw, loc)[0]


def validation_problems(exc: ValidationError, data: Any, source: str) -> list[Problem]:
    """One located problem per pydantic error, in file order."""
    problems = []
    for err in exc.errors(include_url=False, include_context=False):
        line, field = locate(data, tuple(err["loc"]))
        message = err["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        if err["type"] == "extra_forbidden":
            message = "unknown field (check the spelling; `costcalc schema` lists the fields)"
        elif err["type"] == "string_type" and isinstance(err.get("input"), bool):
            message = 'YAML read this as a yes/no value; put it in quotes (e.g. "NO")'
        elif err["type"] == "literal_error" and "input" in err:
            message = f"{message} (got {err['input']!r})"
        problems.append(Problem(message, source, line, field or None))
    problems.sort(key=lambda p: (p.line or 0, p.field or ""))
    return problems


def validate_data(data: Any, model: type[M], source: str) -> M:
    """Validate parsed data against a model, raising a located InputError."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems=validation_problems(exc, data, source)) from None


def load_document(
    path: Path,
    expected: tuple[str, ...] | None = None,
    max_bytes: int = MAX_BYTES,
    name: str | None = None,
) -> Document:
    """Load one YAML file and validate it against the model its `kind:` names.

    `name` is how messages and origins show the file (default: the path as given).
    """
    from costcalc.yamlio import load_yaml  # PyYAML is imported only when a file is parsed

    name = name or str(path)
    data = load_yaml(path, max_bytes, name)
    if not isinstance(data, dict):
        raise InputError(
            "expected a mapping with a `kind:` key at the top of the file", file=name, line=1
        )
    kind = data.get("kind")
    line = data.lines.get("kind", data.line) if isinstance(data, LineDict) else None
    allowed = expected or tuple(KINDS)
    if kind not in allowed:
        raise InputError(
            f"unknown kind {kind!r}; expected one of: {', '.join(allowed)}",
            file=name,
            line=line,
            field="kind",
        )
    model = validate_data(data, model_for_kind(str(kind)), name)
    return Document(name, str(kind), model, data)


def yaml_files(root: Path) -> list[Path]:
    """YAML files under a folder, in a stable order; a file is returned as itself."""
    if root.is_file():
        return [root]
    if not root.is_dir():
        raise InputError("no such file or folder", file=str(root))
    return sorted(
        p
        for p in root.rglob("*")
        if p.suffix in YAML_SUFFIXES and p.is_file() and not p.name.startswith(".")
    )


def load_folder(
    root: Path, expected: tuple[str, ...] | None = None, display: str | None = None
) -> list[Document]:
    """Load every YAML file of a folder, gathering all errors before raising.

    With `display`, files are named `display/<path inside root>` (the bundled sheets
    show as `pricing/...` wherever costcalc is installed).
    """
    documents: list[Document] = []
    problems: list[Problem] = []
    for path in yaml_files(root):
        name = f"{display}/{path.relative_to(root).as_posix()}" if display else None
        try:
            documents.append(load_document(path, expected, name=name))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems=problems)
    return documents
