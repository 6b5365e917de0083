"""The project's configuration file: defaults for the command-line options.

costcalc reads one configuration file, the nearest of these, looking in the current
folder and then each parent folder up to the repository root (a folder holding
`.git`) or the home folder:

- `.costcalc.yaml` (YAML, read with costcalc's safe loader), or
- `pyproject.toml` with a `[tool.costcalc]` table (the way ruff and black are set up).

In one folder `.costcalc.yaml` wins over `pyproject.toml`. Keys are spelled as the
options are, without the leading `--`. The top-level keys (`SHARED_KEYS`) are the
default of every command that has the option; a command's own table
(`[tool.costcalc.compare]`, or `compare:` in YAML) sets any option of that command
and wins over the top level. Folders in `pricing` are relative to the configuration
file and must stay inside its folder (a path out of it, by `..` or through a symbolic
link, is refused, as a link out of a `--pricing` folder is).

Nothing here knows the command line: the CLI turns a `Config` into click's
`default_map`, so options given on the command line (and environment variables)
win over the file. Finding the file imports nothing heavy; pydantic, YAML and TOML
are imported only when a file is read.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from costcalc.errors import InputError, Problem

CONFIG_NAME = ".costcalc.yaml"
"""The YAML configuration file's name (a dot file, like `.pre-commit-config.yaml`)."""

PYPROJECT = "pyproject.toml"

SHARED_KEYS = (
    "pricing",
    "no-bundled",
    "currency",
    "profile",
    "weights",
    "min-quality",
    "good-enough",
    "min-coverage",
    "format",
)
"""Top-level keys: the default of every command that has the option (and accepts the value)."""

SECTIONS = ("compare", "budget", "cost", "models", "check", "validate", "replay")
"""Commands that may have a table of their own defaults."""

_TABLE = re.compile(r"^\s*\[\s*tool\s*\.\s*costcalc\s*[\].]", re.M)


@dataclass(frozen=True)
class Config:
    """A validated configuration file: option defaults, spelled as the options are."""

    path: Path
    shared: dict[str, Any] = field(default_factory=dict)
    """Top-level key -> value (pricing: absolute folder paths)."""
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Command -> key -> value."""
    lines: dict[tuple[str, ...], int] = field(default_factory=dict)
    """(key,) or (command, key) -> its line in the file, where known."""

    def line_of(self, *loc: str) -> int | None:
        return self.lines.get(loc)

    def resolve(self, paths: list[str], *loc: str) -> list[str]:
        """Paths written in the file, resolved against its folder, which they must stay in
        (by `..` or through a symbolic link, a path out of it is an error naming the key)."""
        base = Path(os.path.realpath(self.path.parent))
        resolved = []
        for entry in paths:
            target = Path(os.path.realpath(base / entry))
            if target != base and base not in target.parents:
                raise self.problem(
                    f"{entry!r} leads outside the configuration file's folder ({base}) to"
                    f" {target}; paths in it must stay inside",
                    *loc,
                )
            resolved.append(str(target))
        return resolved

    def problem(self, message: str, *loc: str) -> InputError:
        """An error about a key of this file, naming the file, its line and the key."""
        line = self.line_of(*loc)
        return InputError(message, file=str(self.path), line=line, field=".".join(loc))


def find_config(start: Path | None = None, home: Path | None = None) -> Path | None:
    """The nearest configuration file from `start` (default: the current folder) upward,
    stopping after a folder holding `.git`, the home folder, or the file-system root."""
    folder = Path(os.path.abspath(start or Path.cwd()))
    try:
        stop = Path(os.path.abspath(home or Path.home()))
    except RuntimeError:  # no HOME and no password entry: search up to the root
        stop = Path(folder.anchor)
    while True:
        candidate = folder / CONFIG_NAME
        if candidate.exists() or candidate.is_symlink():
            return _inside(candidate)
        project = folder / PYPROJECT
        if project.is_file() and _declares_table(project):
            return _inside(project)
        if folder == stop or (folder / ".git").exists() or folder.parent == folder:
            return None
        folder = folder.parent


def _inside(path: Path) -> Path:
    """A found file, refused when it is a symbolic link out of its folder (a file planted in
    a repository must not make costcalc read, and quote, a file elsewhere)."""
    if path.is_symlink():
        base = Path(os.path.realpath(path.parent))
        target = Path(os.path.realpath(path))
        if base not in target.parents:
            raise InputError(
                f"a symbolic link out of its folder (to {target}); use --config to name it",
                file=str(path),
            )
    return path


def _declares_table(path: Path) -> bool:
    """Whether a pyproject.toml has a `[tool.costcalc]` table (a cheap look, no TOML parser)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(1 << 20)
    except OSError:
        return False
    return _TABLE.search(head.decode("utf-8", "replace")) is not None


def load_config(path: Path) -> Config:
    """Read and validate a configuration file (`.yaml`/`.yml`, or a TOML file's
    `[tool.costcalc]` table); any problem is an InputError naming file, line and key."""
    from costcalc.files import read_text

    name = str(path)
    text = read_text(path, name=name)
    if path.suffix in (".yaml", ".yml"):
        from costcalc.located import locate
        from costcalc.yamlio import parse_yaml

        data = parse_yaml(text, name)
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise InputError("expected a mapping of option names to values", file=name, line=1)

        def line(loc: tuple[str, ...]) -> int | None:
            return locate(data, loc)[0]

    else:
        data, lines = _toml_table(text, name)

        def line(loc: tuple[str, ...]) -> int | None:
            return lines.get(loc) or lines.get(loc[:1])

    values = _validate(data, name, line)
    found: dict[tuple[str, ...], int] = {}
    for key, value in data.items():
        found[(key,)] = line((key,)) or 0
        if isinstance(value, dict):
            found.update({(key, k): line((key, k)) or 0 for k in value})
    config = Config(path, lines={k: v for k, v in found.items() if v})
    shared = {k: v for k, v in values.items() if k not in SECTIONS}
    config.shared.update(_as_options(config, shared, ()))
    for section in SECTIONS:
        own = values.get(section)
        if own is not None:
            config.sections[section] = _as_options(config, own, (section,))
    return config


def _as_options(config: Config, values: dict[str, Any], where: tuple[str, ...]) -> dict[str, Any]:
    """Values as the options take them: pricing folders resolved, weights as their text."""
    out = dict(values)
    if "pricing" in out:
        value = out["pricing"]
        listed = [value] if isinstance(value, str) else value
        out["pricing"] = config.resolve(listed, *where, "pricing")
    if isinstance(out.get("weights"), dict):
        out["weights"] = ",".join(f"{k}={v}" for k, v in out["weights"].items())
    return out


def _toml_table(text: str, name: str) -> tuple[dict[str, Any], dict[tuple[str, ...], int]]:
    """The `[tool.costcalc]` table of a TOML file, and the lines of its keys."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover  (Python 3.10)
        import tomli as tomllib

    try:
        doc = tomllib.loads(text, parse_float=Decimal)
    except RecursionError:
        raise InputError("invalid TOML: nested too deeply", file=name) from None
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"\(at line (\d+)", str(exc))
        raise InputError(
            f"invalid TOML: {str(exc).split(' (at line')[0]}",
            file=name,
            line=int(at.group(1)) if at else None,
        ) from None
    tool = doc.get("tool")
    table = tool.get("costcalc", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        raise InputError("tool.costcalc must be a table", file=name, field="tool.costcalc")
    return table, _toml_lines(text)


_HEADER = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_.\"' -]+?)\s*=")


def _toml_lines(text: str) -> dict[tuple[str, ...], int]:
    """Lines of the keys under `[tool.costcalc]` and its sub-tables (first one wins)."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        header = _HEADER.match(raw)
        if header:
            parts = tuple(p.strip().strip("\"'") for p in header.group(1).split("."))
            table = parts[2:] if parts[:2] == ("tool", "costcalc") else None
            if table:
                lines.setdefault(table, number)
            continue
        key = _KEY.match(raw)
        if key and table is not None:
            parts = tuple(p.strip().strip("\"'") for p in key.group(1).split("."))
            lines.setdefault((*table, *parts), number)
    return lines


def _validate(data: dict[str, Any], name: str, line: Any) -> dict[str, Any]:
    """The file's values by key (sections: dicts), validated against the schema."""
    from pydantic import ValidationError

    from costcalc.schema.config import ConfigFile

    try:
        model = ConfigFile.model_validate(data)
        return model.model_dump(by_alias=True, exclude_none=True)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False, include_context=False):
            loc = tuple(str(part) for part in error["loc"])
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = f"unknown key {loc[-1]!r}{_did_you_mean(loc[-1], _KNOWN)}"
            problems.append(Problem(message, name, line(loc[:2]), ".".join(loc)))
        problems.sort(key=lambda p: (p.line or 0, p.field or ""))
        raise InputError(problems=problems) from None


def _did_you_mean(key: str, known: tuple[str, ...]) -> str:
    import difflib

    close = difflib.get_close_matches(key.replace("_", "-"), known, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(known)}"


_KNOWN = (*SHARED_KEYS, *SECTIONS)


def config_schema() -> dict[str, Any]:
    """The configuration file's JSON Schema (for editors, and `costcalc schema config`)."""
    from costcalc.schema.config import ConfigFile
    from costcalc.schema.docs import json_schema

    return json_schema(ConfigFile)


__all__ = [
    "CONFIG_NAME",
    "SECTIONS",
    "SHARED_KEYS",
    "Config",
    "config_schema",
    "find_config",
    "load_config",
]
