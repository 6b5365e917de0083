"""Read files into validated models: the only place YAML meets pydantic.

A document's `kind:` picks its pydantic model. Validation errors become
`InputError`s that name the file, the line and the dotted field, one problem
per pydantic error, so a user fixes a whole file in one pass.
"""

from __future__ import annotations

import errno
import importlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from costcalc.errors import InputError, Problem
from costcalc.files import MAX_BYTES
from costcalc.located import LineDict, locate

if TYPE_CHECKING:  # pydantic is imported when a file is validated, never on a warm run
    from collections.abc import Callable

    from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound="BaseModel")

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

SCHEMA_KINDS: dict[str, str] = {**KINDS, "config": "costcalc.schema.config:ConfigFile"}
"""Every JSON Schema costcalc publishes: the file kinds, and the configuration file
(`.costcalc.yaml` / `[tool.costcalc]`, which has no `kind:`)."""

YAML_SUFFIXES = (".yaml", ".yml")


def model_for_kind(kind: str) -> type[BaseModel]:
    """The pydantic model of a file kind (imported lazily: building models costs start-up time)."""
    from pydantic import BaseModel

    module_name, _, class_name = SCHEMA_KINDS[kind].partition(":")
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
    from pydantic import ValidationError

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
    """YAML files under a folder, in a stable order; a file is returned as itself.

    Nothing under the folder is silently left out or followed out of it: a YAML
    name that is not a regular file (a FIFO, a device), a symbolic link that
    cannot be resolved (a loop, a dangling link) or that leads outside the
    folder is a located error. Links to files inside the folder are read; links
    to folders inside it are not walked twice. Hidden files and folders (".*")
    are skipped.
    """
    try:
        st = os.stat(root)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError("symbolic link loop", file=str(root)) from None
        raise InputError("no such file or folder", file=str(root)) from None
    if stat.S_ISREG(st.st_mode):
        return [root]
    if not stat.S_ISDIR(st.st_mode):
        raise InputError("not a regular file or folder", file=str(root))
    real_root = os.path.realpath(root)
    found: list[Path] = []
    problems: list[Problem] = []
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(f"cannot read folder: {exc.strerror or exc}", str(folder)))
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            is_yaml = path.suffix in YAML_SUFFIXES
            try:
                if entry.is_symlink():
                    kind = _link_target(entry.path, real_root, is_yaml)
                    if kind == "file":
                        found.append(path)
                    continue
                mode = entry.stat(follow_symlinks=False).st_mode
            except _Refused as exc:
                problems.append(Problem(str(exc), str(path)))
                continue
            except OSError as exc:
                problems.append(Problem(f"cannot read: {exc.strerror or exc}", str(path)))
                continue
            if stat.S_ISDIR(mode):
                pending.append(path)
            elif is_yaml:
                if stat.S_ISREG(mode):
                    found.append(path)
                else:
                    problems.append(
                        Problem("not a regular file (a FIFO, socket or device?)", str(path))
                    )
    if problems:
        problems.sort(key=lambda p: p.file or "")
        raise InputError(problems=problems)
    return sorted(found)


class _Refused(Exception):
    """A folder entry that is neither read nor skipped: it is an error."""


def _link_target(link: str, real_root: str, is_yaml: bool) -> str:
    """'file' (a YAML file inside the folder, to read) or 'skip'; _Refused otherwise."""
    try:
        st = os.stat(link)
    except OSError as exc:
        if not is_yaml and Path(link).suffix:
            return "skip"  # a dangling README.md link is not a sheet
        if exc.errno == errno.ELOOP:
            raise _Refused("symbolic link loop") from None
        raise _Refused("symbolic link to nothing (dangling)") from None
    if not (stat.S_ISDIR(st.st_mode) or is_yaml):
        return "skip"
    target = os.path.realpath(link)
    if os.path.commonpath([real_root, target]) != real_root:
        raise _Refused(f"symbolic link leads outside the folder (to {target}); refused")
    if stat.S_ISDIR(st.st_mode):
        return "skip"  # inside the folder: walked under its real name
    if not stat.S_ISREG(st.st_mode):
        raise _Refused("symbolic link to something that is not a regular file")
    return "file"


def load_folder(
    root: Path,
    expected: tuple[str, ...] | None = None,
    display: str | None = None,
    each: Callable[[Document], Document] | None = None,
) -> list[Document]:
    """Load every YAML file of a folder, gathering all errors before raising.

    With `display`, files are named `display/<path inside root>` (the bundled sheets
    show as `pricing/...` wherever costcalc is installed). `each` maps every document
    as soon as it is loaded (the catalog copies a validated model into run-time records
    there, so one file's pydantic model is alive at a time, not the folder's).
    """
    documents: list[Document] = []
    problems: list[Problem] = []
    for path in yaml_files(root):
        name = f"{display}/{path.relative_to(root).as_posix()}" if display else None
        try:
            document = load_document(path, expected, name=name)
            documents.append(document if each is None else each(document))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems=problems)
    return documents
