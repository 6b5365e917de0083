"""Argument coercion without a pydantic TypeAdapter per parameter, for the values that need none.

typer (0.26 and later) coerces every parameter of the invoked command through a
pydantic TypeAdapter built on first use: about 8 ms each, 25 parameters for
`compare`, before any work is done. Most values need no such machinery: a string
given as a string, an integer written in plain digits within its bounds, a member
of a choice, a day in the option's format, a path. `install(command)` gives each
parameter a coercer that returns those values directly and hands anything else
(an invalid value, a type it does not know) to typer's own adapter, so every
error message and every unusual value behaves exactly as typer makes it.
tests/test_cli_fastparams.py checks both give the same result on every
parameter of every command.

typer's coercion classes are private; with a typer that lacks them this module
installs nothing and typer works as it always does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

try:
    from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
    from typer._param_types import (
        coerce_cli_choice,
        coerce_cli_path,
        routes_to_path,
    )
except ImportError:  # another typer: keep its own coercion
    RuntimeParam = None  # type: ignore[assignment,misc]

_MISS = object()
"""Returned by a fast coercer for a value it leaves to typer."""

_DIGITS = re.compile(r"0|[1-9][0-9]{0,17}")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

Coercer = Callable[[Any, Any, Any], Any]
"""(value, ctx, param) -> the coerced value, or _MISS."""


def _leaf(annotation: Any, info: Any) -> Coercer | None:
    if getattr(info, "parser", None) is not None:
        return None
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        choices = list(annotation)
        case_sensitive = info.case_sensitive

        def choice(value: Any, ctx: Any, param: Any) -> Any:
            try:
                return coerce_cli_choice(
                    value, choices=choices, case_sensitive=case_sensitive, ctx=ctx
                )
            except ValueError:
                return _MISS

        return choice
    if annotation is dt.datetime:
        formats = getattr(info, "formats", None)
        if not formats:
            return None

        iso_only = list(formats) == ["%Y-%m-%d"]

        def day(value: Any, ctx: Any, param: Any) -> Any:
            if type(value) is dt.datetime:
                return value
            if type(value) is str:
                if iso_only and _ISO_DAY.fullmatch(value):
                    # What strptime(value, "%Y-%m-%d") gives for YYYY-MM-DD, without
                    # importing _strptime and its locale machinery (~3 ms at start).
                    with contextlib.suppress(ValueError):  # 2025-02-30: strptime words it
                        return dt.datetime(int(value[:4]), int(value[5:7]), int(value[8:]))
                for fmt in formats:
                    try:
                        return dt.datetime.strptime(value, fmt)
                    except ValueError:
                        continue
            return _MISS

        return day
    if annotation is int and not info.clamp:
        low, high = info.min, info.max

        def integer(value: Any, ctx: Any, param: Any) -> Any:
            if type(value) is int:
                number = value
            elif type(value) is str and _DIGITS.fullmatch(value):
                number = int(value)
            else:
                return _MISS
            if (low is not None and number < low) or (high is not None and number > high):
                return _MISS  # out of range: typer words the error
            return number

        return integer
    if annotation is bool:
        return lambda value, ctx, param: value if type(value) is bool else _MISS
    if annotation is str:
        return lambda value, ctx, param: value if type(value) is str else _MISS
    if routes_to_path(annotation, info):
        path_type = info.path_type
        if path_type is None and isinstance(annotation, type) and issubclass(annotation, Path):
            path_type = annotation

        to_path = isinstance(path_type, type) and issubclass(path_type, Path)

        def path(value: Any, ctx: Any, param: Any) -> Any:
            if type(value) is not str and not isinstance(value, Path):
                return _MISS
            if to_path and type(value) is str:
                # typer turns a str into a Path through a pydantic TypeAdapter (importing
                # pydantic, building a schema); for a str that is path_type(value) (the
                # test compares both). Its checks (exists, file or folder...) still run.
                value = path_type(value)
            try:
                return coerce_cli_path(value, info, path_type=path_type, param=param, ctx=ctx)
            except Exception:  # a path that does not pass its checks: typer words the error
                return _MISS

        return path
    return None


def coercer(annotation: Any, info: Any) -> Coercer | None:
    """A fast coercer for a parameter's annotation, or None to leave it to typer."""
    if RuntimeParam is None:
        return None
    if get_origin(annotation) is list:
        args = get_args(annotation)
        item = _leaf(args[0], info) if len(args) == 1 else None
        if item is None:
            return None
        each: Coercer = item

        def many(value: Any, ctx: Any, param: Any) -> Any:
            if type(value) not in (list, tuple):
                return _MISS
            out = []
            for v in value:
                got = each(v, ctx, param)
                if got is _MISS:
                    return _MISS
                out.append(got)
            return out

        return many
    return _leaf(annotation, info)


if RuntimeParam is not None:

    class FastParam(RuntimeParam):
        """A value the fast coercer knows is returned at once; any other goes to typer.

        RuntimeParam is a frozen dataclass; this subclass sets its two extra fields itself
        instead of being a dataclass too (building one costs several exec()s at start).
        """

        fast: Coercer
        descriptor: TypeDescriptor

        def __init__(
            self, parameter_info: Any, annotation: Any, fast: Coercer, descriptor: TypeDescriptor
        ) -> None:
            setattr_ = object.__setattr__  # frozen: the dataclass's own __init__ does the same
            setattr_(self, "parameter_info", parameter_info)
            setattr_(self, "annotation", annotation)
            setattr_(self, "fast", fast)
            setattr_(self, "descriptor", descriptor)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            got = self.fast(value, ctx, param)
            if got is not _MISS:
                return got
            slow = build_runtime_param(self.descriptor)
            return slow._coerce_value(value, param=param, ctx=ctx)


def install(command: Any, ctx: Any) -> None:
    """Give the parameters of a click command (and its subcommands) fast coercers.

    `ctx` is the context the command runs under (or its parent's): the help option,
    which click makes per command on first use, is made here to get one too.
    """
    if RuntimeParam is None:
        return
    params = list(getattr(command, "params", ()))
    with contextlib.suppress(Exception):  # no help option, or a click that makes it otherwise
        params.append(command.get_help_option(ctx))
    for param in params:
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or getattr(param, "_runtime_param", _MISS) is not None:
            continue
        if descriptor.file_annotation is not None:
            continue
        fast = coercer(descriptor.annotation, descriptor.parameter_info)
        if fast is not None:
            param._runtime_param = FastParam(
                parameter_info=descriptor.parameter_info,
                annotation=descriptor.annotation,
                fast=fast,
                descriptor=descriptor,
            )
    for sub in getattr(command, "commands", {}).values():
        install(sub, ctx)
