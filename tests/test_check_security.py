"""`costcalc check` as a security gate (#13.3, #13.4): it cannot be skipped, read outside the
checked tree, or made to forge CI output.

Every case runs in every report format: the exit code (0 passed, 1 denied, 2 invalid input)
must not depend on the format, and no format may pass untrusted text through raw.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.render.reports import ReportFormat

ARGS = ["--no-bundled", "--pricing", "tests/fixtures/check/pricing", "--as-of", "2026-03-01"]
FORMATS = [f.value for f in ReportFormat]
# $100 a month (100 x 0.5 + 50 x 1) against a $90 budget: an over-budget denial (exit 1).
DENIED = (
    "decisions:\n"
    "  - name: a\n"
    "    model: cheap\n"
    "    provider: ushost\n"
    "    workload: {requests_per_month: 100000, input_tokens: 1000, output_tokens: 500}\n"
    "    budget: {monthly: 90, currency: USD}\n"
)
GITHUB_COMMAND = re.compile(r"^\s*::")


def invoke(*args: str, fmt: str = "text") -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["check", *args, *ARGS, "--format", fmt])
    return result.exit_code, result.stdout, result.stderr


# ------------------------------------------------------------- #13.3 the gate cannot be skipped


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("head", "said"),
    [
        ("kind: workloads\n", "kind is 'workloads'"),
        ("kind: price-sheet\n", "kind is 'price-sheet'"),
        ("", "no `kind:`"),
    ],
)
def test_decisions_under_another_kind_are_invalid_input(
    tmp_path: Path, fmt: str, head: str, said: str
) -> None:
    """A denied file whose `kind:` was edited away is exit 2 at the kind line, never exit 0."""
    folder = tmp_path / "procurement"
    folder.mkdir()
    (folder / "ok.yaml").write_text("kind: procurement\n" + DENIED.replace("90", "150"))
    (folder / "team.yaml").write_text(head + DENIED)
    code, out, err = invoke(str(folder), fmt=fmt)
    assert code == 2, (out, err)
    assert out == ""
    line = 1  # the kind line, or without one, the `decisions:` line (also the first)
    assert (
        f"error: {folder / 'team.yaml'}:{line}: kind: {said} but the file holds `decisions:`" in err
    )


def test_a_workloads_file_without_decisions_is_still_read_as_a_workload_file(
    tmp_path: Path,
) -> None:
    """The legitimate case stays legal: a `kind: workloads` file beside the decisions that use it."""
    (tmp_path / "w.yaml").write_text(
        "kind: workloads\nworkloads:\n"
        "  - {name: w, requests_per_month: 100000, input_tokens: 1000, output_tokens: 500}\n"
    )
    (tmp_path / "p.yaml").write_text(
        "kind: procurement\n"
        + DENIED.replace(
            "{requests_per_month: 100000, input_tokens: 1000, output_tokens: 500}",
            "{file: w.yaml, name: w}",
        )
    )
    code, _, err = invoke(str(tmp_path))
    assert code == 1, err  # read, checked, denied: $100 > $90


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_folder_without_procurement_files_fails(tmp_path: Path, fmt: str) -> None:
    """An empty or mistyped folder is exit 2, so a wrong path cannot turn the gate off."""
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("kind: procurement\n")
    code, out, err = invoke(str(empty), fmt=fmt)
    assert (code, out) == (2, "")
    assert f"error: {empty}: no procurement files found under this path" in err
    only_workloads = tmp_path / "w"
    only_workloads.mkdir()
    (only_workloads / "w.yaml").write_text("kind: workloads\nworkloads: []\n")
    assert invoke(str(only_workloads), fmt=fmt)[0] == 2
    assert invoke(str(tmp_path / "typo"), fmt=fmt)[0] == 2


def test_an_empty_base_is_allowed(tmp_path: Path) -> None:
    """The --base side may be empty (the first procurement file): every decision is added."""
    base = tmp_path / "base"
    base.mkdir()
    result = CliRunner().invoke(
        app,
        ["check", "tests/fixtures/check/diff/new", "--base", str(base), *ARGS, "-f", "json"],
    )
    assert result.exit_code == 0, result.stderr
    (row,) = json.loads(result.stdout)["diff"]["decisions"]
    assert (row["status"], row["after"]) == ("added", "200")  # 100 x 1 + 50 x 2


def _outside(tmp_path: Path) -> Path:
    """A folder outside the repository holding a 'procurement' file full of secrets."""
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "creds.yaml").write_text(
        "kind: procurement\ndecisions:\n  - name: SECRET-TOKEN-4242\n    password: hunter2\n"
    )
    return secret


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_symlinked_checked_folder_is_refused_without_reading_it(tmp_path: Path, fmt: str) -> None:
    """`procurement/` as a symlink out of the repository: exit 2 naming it, no value printed."""
    secret = _outside(tmp_path)
    repo = tmp_path / "repo"
    repo.mkdir()
    os.symlink(secret, repo / "procurement")
    code, out, err = invoke(str(repo / "procurement"), fmt=fmt)
    assert (code, out) == (2, "")
    assert f"{repo / 'procurement'} is a symbolic link; the gate does not follow it" in err
    assert "SECRET" not in err and "hunter2" not in err and "password" not in err


def test_a_symlinked_file_is_refused(tmp_path: Path) -> None:
    secret = _outside(tmp_path)
    os.symlink(secret / "creds.yaml", tmp_path / "p.yaml")
    code, _, err = invoke(str(tmp_path / "p.yaml"))
    assert code == 2
    assert "is a symbolic link" in err and "hunter2" not in err


def test_a_symlink_on_a_relative_path_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`config/procurement` where the pull request made `config` a symlink: refused too."""
    secret = _outside(tmp_path)
    repo = tmp_path / "repo"
    (repo / "real" / "procurement").mkdir(parents=True)
    os.symlink(secret.parent, repo / "config")
    monkeypatch.chdir(repo)
    code, _, err = invoke("config/secret")
    assert code == 2
    assert "config is a symbolic link" in err and "hunter2" not in err


def test_symlinks_inside_the_folder_to_outside_are_refused(tmp_path: Path) -> None:
    secret = _outside(tmp_path)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "ok.yaml").write_text("kind: procurement\n" + DENIED)
    os.symlink(secret / "creds.yaml", repo / "creds.yaml")
    code, _, err = invoke(str(repo))
    assert code == 2
    assert "symbolic link leads outside the checked folder" in err and "hunter2" not in err


# ------------------------------------------------------ #13.4 untrusted text reaches CI logs


FORGE = "ok\n::error file=x.yaml,line=1::forged\n::stop-commands::tok\n##[error]old form"


def _waived_file(folder: Path, owner: str = FORGE, reason: str = FORGE) -> Path:
    path = folder / "team.yaml"
    path.write_text(
        "kind: procurement\n"
        + DENIED
        + "    waivers:\n"
        + f"      - {{rule: over-budget, reason: {json.dumps(reason)},"
        f" owner: {json.dumps(owner)}, expires: 2026-12-31}}\n"
    )
    return path


def _no_forged_command(out: str, fmt: str) -> None:
    for line in out.splitlines():
        if fmt == "github" and line.startswith(("::error ", "::warning ", "::notice ")):
            continue  # our own annotations; their data is escaped (checked below)
        assert not GITHUB_COMMAND.match(line), (fmt, line)
        assert "##[" not in line, (fmt, line)


@pytest.mark.parametrize("fmt", FORMATS)
def test_newlines_in_waivers_cannot_forge_workflow_commands(tmp_path: Path, fmt: str) -> None:
    """A waiver's reason and owner with newlines and `::error`: no output line is a command."""
    path = _waived_file(tmp_path)
    code, out, _ = invoke(str(path), fmt=fmt)
    assert code == 0  # the denial is waived
    _no_forged_command(out, fmt)
    if fmt == "text":
        assert "waived by ok\\n:" in out  # shown, escaped, on its own line
    if fmt == "github":
        (notice,) = [line for line in out.splitlines() if line.startswith("::notice ")]
        assert "%0A::error" in notice


@pytest.mark.parametrize("fmt", FORMATS)
def test_control_characters_in_file_names(tmp_path: Path, fmt: str) -> None:
    """A file name with a newline and an escape character: same exit code, output still valid."""
    folder = tmp_path / "procurement"
    folder.mkdir()
    path = folder / "x\n::error::forged\x1b[31m\x01.yaml"
    path.write_text("kind: procurement\n" + DENIED)
    code, out, _ = invoke(str(folder), fmt=fmt)
    assert code == 1
    _no_forged_command(out, fmt)
    assert "\x1b" not in out and "\x01" not in out
    if fmt == "junit":
        ET.fromstring(out)  # valid XML 1.0
    if fmt in ("json", "sarif", "gitlab"):
        json.loads(out)


def test_junit_is_valid_xml_with_forbidden_characters(tmp_path: Path) -> None:
    """Characters XML 1.0 forbids (controls, U+FFFE) in a waiver's text never break the report."""
    path = _waived_file(tmp_path, owner="own\x0ber\ufffe", reason="why\x00\x08")
    result = CliRunner().invoke(
        app, ["check", str(path), *ARGS, "--format", "junit", "--fail-on-warn"]
    )
    root = ET.fromstring(result.stdout)
    assert root.find("testsuite") is not None
    # a forbidden character in a message (the model id is echoed by the unknown-model finding)
    text = "kind: procurement\n" + DENIED.replace("model: cheap", 'model: "che\\x0bap"')
    (tmp_path / "bad.yaml").write_text(text)
    code, out, _ = invoke(str(tmp_path / "bad.yaml"), fmt="junit")
    assert code == 1
    ET.fromstring(out)


@pytest.mark.parametrize("fmt", FORMATS)
def test_non_utf8_file_names_are_invalid_input_in_every_format(tmp_path: Path, fmt: str) -> None:
    """A file name that is not UTF-8 is exit 2 everywhere, shown with \\xNN escapes."""
    folder = tmp_path / "procurement"
    folder.mkdir()
    (folder / "ok.yaml").write_text("kind: procurement\n" + DENIED)
    name = os.fsdecode(b"caf\xe9.yaml")
    try:
        (folder / name).write_text("kind: procurement\n" + DENIED)
    except (OSError, UnicodeEncodeError):  # pragma: no cover - a file system that refuses it
        pytest.skip("the file system refuses non-UTF-8 names")
    code, out, err = invoke(str(folder), fmt=fmt)
    assert (code, out) == (2, "")
    assert "caf\\xe9.yaml: file name is not valid UTF-8; refused" in err


def test_markdown_neutralises_links_images_html_and_mentions(tmp_path: Path) -> None:
    """Untrusted text in a Markdown comment: no link, image, HTML tag or @mention survives."""
    name = "x](https://evil.example) ![i](https://evil.example/i.png) <img src=x> @octocat #1"
    path = tmp_path / "team.yaml"
    path.write_text("kind: procurement\n" + DENIED.replace("name: a", f"name: {json.dumps(name)}"))
    code, out, _ = invoke(str(path), fmt="markdown")
    assert code == 1
    assert "<img" not in out
    assert "](https://" not in out and "https://evil" not in out
    assert "@octocat" not in out and "@&#8203;octocat" in out
    assert "\\[i\\]" in out and "&lt;img src=x&gt;" in out
    assert "#&#8203;1" in out


def test_sarif_messages_escape_embedded_link_brackets(tmp_path: Path) -> None:
    """SARIF plain-text messages may not hold `[text](n)` links: brackets are escaped."""
    path = tmp_path / "team.yaml"
    path.write_text("kind: procurement\n" + DENIED.replace("name: a", 'name: "a [x](0)"'))
    code, out, _ = invoke(str(path), fmt="sarif")
    assert code == 1
    (result,) = json.loads(out)["runs"][0]["results"]
    assert result["message"]["text"].startswith("a \\[x\\](0): ")


def test_escape_helpers() -> None:
    """The escaping rules, one by one."""
    from costcalc.render.reports import escape as esc

    assert esc.one_line("a\nb\r\tc\x1b\x7f\x85\u2028") == "a\\nb\\r\\tc\\x1b\\x7f\\x85\\u2028"
    assert esc.no_commands("  ::error::x\nok ::y\n##[warning]z") == (
        "  :\u200b:error::x\nok ::y\n#\u200b#[warning]z"
    )
    assert esc.gh_data("50% a\nb\r") == "50%25 a%0Ab%0D"
    assert esc.gh_prop("a:b,c") == "a%3Ab%2Cc"
    assert esc.github("a\x1bb\nc") == "a\\x1bb%0Ac"
    assert esc.xml("a\x00b\x0bc\ufffed\ud800") == "a\\x00b\\x0bc\\ufffed\\ud800"
    assert esc.sarif("[a](1) \\") == "\\[a\\](1) \\\\"
    assert esc.md("a|b*c_d`e[f]") == "a\\|b\\*c\\_d\\`e\\[f\\]"


def test_a_file_name_cannot_forge_commands_in_error_messages(tmp_path: Path) -> None:
    """Invalid input in a file whose name holds a newline: the stderr error shows it escaped."""
    folder = tmp_path / "procurement"
    folder.mkdir()
    (folder / "x\n::error::forged.yaml").write_text("kind: procurement\ndecisions: []\n")
    code, _, err = invoke(str(folder))
    assert code == 2
    assert "x\\n::error::forged.yaml:2: decisions:" in err
    assert not any(GITHUB_COMMAND.match(line) for line in err.splitlines())


def test_files_parsed_in_worker_processes_give_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many files are parsed in worker processes: same findings, same order, same errors."""
    from costcalc.gate import load

    folder = tmp_path / "procurement"
    folder.mkdir()
    for i in range(12):
        budget = "90" if i % 3 else "150"  # $100 a month: every third passes
        (folder / f"f{i:02}.yaml").write_text("kind: procurement\n" + DENIED.replace("90", budget))
    serial = invoke(str(folder), fmt="json")
    monkeypatch.setattr(load, "PARALLEL_FROM", 2)
    monkeypatch.setattr(load, "WORKERS", 2)
    parallel = invoke(str(folder), fmt="json")
    assert parallel == serial
    assert serial[0] == 1 and json.loads(serial[1])["summary"]["deny"] == 8
    (folder / "f05.yaml").write_text("kind: procurement\ndecisions: []\n")
    (folder / "f07.yaml").write_text("kind: workloads\n" + DENIED)
    code, out, err = invoke(str(folder), fmt="json")
    assert (code, out) == (2, "")
    assert f"{folder / 'f05.yaml'}:2: decisions: List should have at least 1 item" in err
    assert f"{folder / 'f07.yaml'}:1: kind: kind is 'workloads'" in err
