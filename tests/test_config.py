"""The configuration file: where it is found, what it sets, and that the command line wins."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.config import CONFIG_NAME, config_schema, find_config, load_config
from costcalc.errors import InputError

MODELS = "kind: models\nmodels:\n  - {{id: {id}, name: M, vendor: V, open_weights: true, license: mit}}\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository (it has .git) as the current folder, with no COSTCALC_* settings."""
    (tmp_path / ".git").mkdir()
    for name in ("COSTCALC_CONFIG", "COSTCALC_PRICING"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    assert "Traceback" not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


def pyproject(folder: Path, body: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text('[project]\nname = "mine"\n\n' + body)
    return path


def models_folder(folder: Path, model_id: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "models.yaml").write_text(MODELS.format(id=model_id))
    return folder


def listed(out: str) -> list[str]:
    return [m["id"] for m in json.loads(out)["models"]]


# ---------------------------------------------------------------- finding the file


def test_nearest_file_wins_and_yaml_before_pyproject(project: Path) -> None:
    """The nearest folder's file is used; in one folder .costcalc.yaml beats pyproject.toml;
    a pyproject.toml without [tool.costcalc] is passed over."""
    sub = project / "a" / "b"
    sub.mkdir(parents=True)
    top = pyproject(project, "[tool.costcalc]\ncurrency = 'CNY'\n")
    pyproject(sub, "[tool.ruff]\nline-length = 100\n")
    assert find_config(sub) == top
    (project / CONFIG_NAME).write_text("currency: EUR\n")
    assert find_config(sub) == project / CONFIG_NAME
    (project / "a" / CONFIG_NAME).write_text("currency: USD\n")
    assert find_config(sub) == project / "a" / CONFIG_NAME


def test_search_stops_at_repository_root_and_home(tmp_path: Path) -> None:
    """A file above the repository root (the folder with .git), or above home, is not used."""
    (tmp_path / CONFIG_NAME).write_text("currency: EUR\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    assert find_config(repo, home=Path("/nonexistent")) is None
    home = tmp_path / "home"
    home.mkdir()
    assert find_config(home, home=home) is None
    assert find_config(tmp_path / "elsewhere", home=Path("/nonexistent")) == tmp_path / CONFIG_NAME


# ---------------------------------------------------------------- what it sets


def test_config_sets_compare_currency_and_the_option_wins(project: Path) -> None:
    """currency in [tool.costcalc] gives exactly the answer of --currency CNY; an option on
    the command line still wins, and --no-config ignores the file."""
    args = ("compare", "gpt-4o-mini", "o3", "--as-of", "2025-06-01", "-f", "json")
    code, by_option, err = run(*args, "--currency", "CNY")
    assert code == 0, err
    pyproject(project, "[tool.costcalc]\ncurrency = 'CNY'\n")
    code, by_config, err = run(*args)
    assert code == 0, err
    assert json.loads(by_config)["currency"] == "CNY"
    assert by_config == by_option
    code, out, err = run(*args, "--currency", "USD")
    assert code == 0, err
    assert json.loads(out)["currency"] == "USD"
    # gpt-4o-mini at $0.15 / $0.60 per million: 2000 x 0.15e-6 + 500 x 0.60e-6 = $0.0006
    row = next(r for r in json.loads(out)["models"] if r["label"] == "gpt-4o-mini @ openai")
    assert row["cost_per_request"] == "0.0006"
    code, out, err = run("--no-config", *args)
    assert json.loads(out)["currency"] == "USD"


def test_command_table_wins_over_top_level(project: Path) -> None:
    """[tool.costcalc.compare] overrides the top level for compare only; a value for a
    repeatable option may be one word; a mapping of weights is accepted."""
    pyproject(
        project,
        "[tool.costcalc]\ncurrency = 'USD'\nformat = 'json'\n"
        "[tool.costcalc.compare]\ncurrency = 'CNY'\ngood-enough = 0.8\nprovider = 'openai'\n"
        "weights = {gpqa-diamond = 1}\n",
    )
    code, out, err = run("compare", "--as-of", "2025-06-01")
    assert code == 0, err
    data = json.loads(out)
    assert data["currency"] == "CNY"
    assert data["bar"]["good_enough"] == "0.8"
    assert {row["provider"] for row in data["models"]} == {"openai"}
    assert data["profile"]["weights"] == {"gpqa-diamond": "1"}
    config = load_config(project / "pyproject.toml")
    assert config.shared == {"currency": "USD", "format": "json"}


def test_top_level_format_applies_where_the_command_accepts_it(project: Path) -> None:
    """format = 'csv' is compare's default; check, which has no csv, keeps its own."""
    pyproject(project, "[tool.costcalc]\nformat = 'csv'\n")
    code, out, err = run("compare", "gpt-4o-mini", "--as-of", "2025-06-01")
    assert code == 0, err
    assert out.startswith("rank,") or "," in out.splitlines()[0]
    assert "┃" not in out
    pyproject(project, "[tool.costcalc]\nformat = 'nope'\n")
    code, _, err = run("models")
    assert code == 2
    assert "pyproject.toml:5: format: no command takes 'nope' for --format" in err


def test_precedence_cli_then_env_then_config_then_builtin(project: Path) -> None:
    """--pricing beats COSTCALC_PRICING, which beats the file's pricing, which beats none."""
    models_folder(project / "cfg", "m-config")
    env_dir = models_folder(project / "env", "m-env")
    cli_dir = models_folder(project / "cli", "m-cli")
    pyproject(project, "[tool.costcalc]\npricing = ['cfg']\nno-bundled = true\n")
    args = ("models", "-f", "json")
    assert listed(run(*args)[1]) == ["m-config"]
    env = {"COSTCALC_PRICING": str(env_dir)}
    assert listed(run(*args, env=env)[1]) == ["m-env"]
    assert listed(run(*args, "--pricing", str(cli_dir), env=env)[1]) == ["m-cli"]
    assert len(listed(run("--no-config", *args)[1])) > 10  # the bundled catalog


def test_explicit_config_and_environment_variable(project: Path, tmp_path: Path) -> None:
    """--config FILE and COSTCALC_CONFIG name a file anywhere; a missing one is exit 2."""
    other = tmp_path / "elsewhere"
    models_folder(other / "p", "m-other")
    (other / "team.yaml").write_text("pricing: p\nno-bundled: true\n")
    assert listed(run("--config", str(other / "team.yaml"), "models", "-f", "json")[1]) == [
        "m-other"
    ]
    env = {"COSTCALC_CONFIG": str(other / "team.yaml")}
    assert listed(run("models", "-f", "json", env=env)[1]) == ["m-other"]
    code, _, err = run("--config", str(other / "missing.yaml"), "models")
    assert code == 2
    assert "missing.yaml: cannot read" in err


# ---------------------------------------------------------------- refused


@pytest.mark.parametrize(
    ("body", "where", "words"),
    [
        ("currancy = 'EUR'\n", "pyproject.toml:5: currancy:", "did you mean 'currency'?"),
        ("min_quality = 80\n", "pyproject.toml:5: min_quality:", "did you mean 'min-quality'?"),
        ("currency = 'EURO'\n", "pyproject.toml:5: currency:", "unknown currency 'EURO'"),
        ("good-enough = 2\n", "pyproject.toml:5: good-enough:", "less than or equal to 1"),
        (
            "[tool.costcalc.compare]\nmin_quality = 80\n",
            "pyproject.toml:5: compare.min_quality:",
            "has no option --min_quality; did you mean 'min-quality'?",
        ),
        (
            "[tool.costcalc.compare]\nquality-method = 'median'\n",
            "pyproject.toml:5: compare.quality-method:",
            "'median' is not one of 'latent', 'mean'",
        ),
        ("currency = \n", "pyproject.toml:5:", "invalid TOML"),
        (
            "currency = " + "[" * 100_000 + "]" * 100_000 + "\n",
            "pyproject.toml:",
            "nested too deeply",
        ),
        (
            "[tool.costcalc.compare]\nband = 1e99999999\n",
            "pyproject.toml:5: compare.band:",
            "out of range",
        ),
        ("pricing = 3\n", "pyproject.toml:5: pricing:", "expected a path, or a list of paths"),
    ],
)
def test_bad_key_or_value_is_exit_2_naming_file_line_and_key(
    project: Path, body: str, where: str, words: str
) -> None:
    """An unknown key (with a did-you-mean), a value the option refuses, or bad TOML: exit 2
    naming the file, the line and the key, whatever command is run."""
    pyproject(project, body if body.startswith("[") else "[tool.costcalc]\n" + body)
    code, out, err = run("models")
    assert code == 2, out
    assert where in err, err
    assert words in err, err


def test_hostile_yaml_config_is_exit_2(project: Path) -> None:
    """A .costcalc.yaml with an unsafe tag, or that is not a regular file: exit 2, named."""
    (project / CONFIG_NAME).write_text('pricing: !!python/object/apply:os.system ["echo hi"]\n')
    code, _, err = run("models")
    assert code == 2
    assert f"{CONFIG_NAME}:1: pricing: invalid YAML: the tag" in err
    (project / CONFIG_NAME).unlink()
    os.mkfifo(project / CONFIG_NAME)
    code, _, err = run("models")
    assert code == 2
    assert f"{CONFIG_NAME}: not a regular file" in err


def test_pricing_outside_the_config_folder_is_refused(project: Path, tmp_path: Path) -> None:
    """A pricing folder through a symbolic link out of the config's folder, or up with ..,
    is refused (exit 2) like a link out of a --pricing folder."""
    outside = models_folder(tmp_path.parent / f"{tmp_path.name}-out", "m-out")
    (project / "prices").symlink_to(outside)
    pyproject(project, "[tool.costcalc]\npricing = ['prices']\n")
    code, _, err = run("models")
    assert code == 2
    assert "pyproject.toml:5: pricing: 'prices' leads outside" in err
    pyproject(project, "[tool.costcalc.models]\npricing = '../x'\n")
    code, _, err = run("models")
    assert code == 2
    assert "pyproject.toml:5: models.pricing: '../x' leads outside" in err


def test_load_config_python_api(project: Path) -> None:
    """From Python: pricing resolved against the file's folder, weights as the option's text."""
    models_folder(project / "sheets", "m1")
    (project / CONFIG_NAME).write_text(
        "pricing: sheets\ncurrency: cny\nweights: {aime-2024: 2, gpqa-diamond: 1}\n"
        "compare:\n  min-quality: 70\n"
    )
    config = load_config(project / CONFIG_NAME)
    assert config.shared == {
        "pricing": [str((project / "sheets").resolve())],
        "currency": "CNY",
        "weights": "aime-2024=2,gpqa-diamond=1",
    }
    assert str(config.sections["compare"]["min-quality"]) == "70"
    assert config.line_of("compare", "min-quality") == 5
    with pytest.raises(InputError):
        (project / CONFIG_NAME).write_text("- a list\n")
        load_config(project / CONFIG_NAME)


def test_schema_lists_the_keys() -> None:
    """The JSON Schema names every top-level key and command table, with descriptions."""
    schema = config_schema()
    assert {"pricing", "currency", "min-quality", "format", "compare", "validate"} <= set(
        schema["properties"]
    )
    assert schema["additionalProperties"] is False
    assert "relative to this file" in schema["properties"]["pricing"]["description"]


def test_finding_the_file_imports_nothing_heavy() -> None:
    """Looking for a config file (every run) imports neither pydantic nor YAML nor TOML."""
    code = (
        "import sys, costcalc.config as c; c.find_config();"
        "print(sorted(m for m in ('pydantic', 'yaml', 'tomllib', 'tomli') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_schema_registry_has_the_config() -> None:
    """`costcalc schema config` can print it: the registry of published schemas names it
    (and only the file kinds are accepted in a sheet's `kind:`)."""
    from costcalc.loader import KINDS, SCHEMA_KINDS, model_for_kind
    from costcalc.schema.docs import json_schema

    assert "config" in SCHEMA_KINDS and "config" not in KINDS
    assert json_schema(model_for_kind("config")) == config_schema()


def test_found_file_linking_out_of_its_folder_is_refused(project: Path, tmp_path: Path) -> None:
    """A .costcalc.yaml found by the search that links out of its folder is exit 2; named
    explicitly with --config, the same file is read."""
    outside = tmp_path.parent / f"{tmp_path.name}-conf.yaml"
    outside.write_text("currency: CNY\n")
    (project / CONFIG_NAME).symlink_to(outside)
    code, _, err = run("models")
    assert code == 2
    assert f"{CONFIG_NAME}: a symbolic link out of its folder" in err
    code, _, err = run("--config", str(outside), "models", "-f", "json")
    assert code == 0, err


def test_file_options_are_relative_to_the_config(project: Path) -> None:
    """A file option in a command's table is read relative to the config file, wherever
    costcalc runs; one leading out of its folder is refused."""
    (project / "ops").mkdir()
    (project / "ops" / "w.yaml").write_text(
        "kind: workloads\nworkloads:\n  - name: w\n"
        "    input_tokens: 1000\n    requests_per_day: 10\n    output_tokens: 100\n"
    )
    pyproject(project, "[tool.costcalc.budget]\nworkload-file = 'ops/w.yaml'\n")
    sub = project / "deep" / "er"
    sub.mkdir(parents=True)
    os.chdir(sub)
    config = load_config(project / "pyproject.toml")
    assert config.sections["budget"]["workload-file"] == "ops/w.yaml"
    import typer

    from costcalc.cli.common import app as root
    from costcalc.cli.common import config_defaults

    command = typer.main.get_command(root)
    with command.make_context("costcalc", ["models"], resilient_parsing=True) as ctx:
        defaults = config_defaults(ctx, config)  # type: ignore[arg-type]  (a click Context)
    assert defaults["budget"]["workload_file"] == str((project / "ops" / "w.yaml").resolve())
    pyproject(project, "[tool.costcalc.budget]\nworkload-file = '../w.yaml'\n")
    code, _, err = run("models")
    assert code == 2
    assert "pyproject.toml:5: budget.workload-file: '../w.yaml' leads outside" in err
