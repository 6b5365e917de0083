"""Fast argument coercion gives exactly what typer's own (pydantic) coercion gives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from costcalc.cli import app, fastparams, load_all

SAMPLES: list[Any] = [
    None, "", "0", "7", "2000", "-1", "007", "1_000", "1e3", "x", " 5", "99999999999999999999",
    "2025-06-01", "2025-6-1", "2025-06-01T00:00", "json", "JSON", "table", "csv", "latent",
    "sarif", "nope", "some/path", ".", 3, 0, -4, True, False, 1.5,
    dt.datetime(2025, 6, 1), Path("x"), ["a", "b"], ("1", "2"), ["2025-06-01"], [], ["x", 3],
]  # fmt: skip


def parameters() -> list[tuple[str, Any]]:
    load_all()
    group = typer.main.get_group(app)
    found = []

    def walk(path: str, command: Any) -> None:
        for param in command.params:
            if getattr(param, "type_descriptor", None) is not None:
                found.append((f"{path} {param.name}".strip(), param))
        for name, sub in getattr(command, "commands", {}).items():
            walk(f"{path} {name}", sub)

    walk("", group)
    return found


def outcome(runtime: Any, value: Any, param: Any, ctx: Any) -> tuple[str, Any]:
    try:
        return ("ok", runtime.coerce(value, param=param, ctx=ctx))
    except Exception as exc:  # the error typer reports, with its message
        return (type(exc).__name__, str(getattr(exc, "message", exc)))


PARAMS = parameters()


@pytest.mark.parametrize(("name", "param"), PARAMS, ids=[n for n, _ in PARAMS])
def test_fast_coercion_matches_typer(name: str, param: Any) -> None:
    """Every value, valid or not, coerces to the same result or the same error both ways."""
    from typer._coercion import build_runtime_param

    descriptor = param.type_descriptor
    fast = fastparams.coercer(descriptor.annotation, descriptor.parameter_info)
    if fast is None or descriptor.file_annotation is not None:
        pytest.skip(f"{descriptor.annotation!r} is left to typer")
    slow = build_runtime_param(descriptor)
    quick = fastparams.FastParam(
        parameter_info=descriptor.parameter_info,
        annotation=descriptor.annotation,
        fast=fast,
        descriptor=descriptor,
    )
    ctx = typer.main.get_group(app).make_context("costcalc", [], resilient_parsing=True)
    for value in SAMPLES:
        assert outcome(quick, value, param, ctx) == outcome(slow, value, param, ctx), value


def test_compare_builds_no_type_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    """A compare run coerces its 25 parameters without building a pydantic TypeAdapter."""
    import typer._coercion
    import typer.core

    built: list[Any] = []
    real = typer._coercion.build_runtime_param

    def spy(descriptor: Any) -> Any:
        built.append(descriptor.annotation)
        return real(descriptor)

    monkeypatch.setattr(typer.core, "build_runtime_param", spy)
    monkeypatch.setattr(fastparams, "build_runtime_param", spy)
    result = CliRunner().invoke(
        app, ["compare", "--as-of", "2025-06-01", "-f", "json", "--no-self-hosted"]
    )
    assert result.exit_code == 0, result.output
    assert built == []


def test_an_invalid_value_keeps_typers_message() -> None:
    """A bad number is still typer's usage error (exit 2) with its wording (budget's
    --limit is an integer option with min=0; token options are costcalc's own decimals)."""
    result = CliRunner().invoke(app, ["budget", "--monthly", "--limit", "-1"])
    assert result.exit_code == 2
    assert "Invalid value for '--limit'" in result.output
    assert "greater than or equal to 0" in result.output
    tokens = CliRunner().invoke(app, ["compare", "--input-tokens", "-5"])
    assert tokens.exit_code == 2
    assert "--input-tokens must be a number >= 0, got -5" in tokens.output
