"""Bad and hostile sheets end with exit 2 and a message naming file, line and field.

Each case writes one file into an otherwise valid folder (a models file and a
price sheet) and runs `costcalc validate --no-bundled DIR`. The expected line is
counted by hand in the text of the case.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costcalc.cli import app

MODELS = """kind: models
models:
  - {id: m1, name: M1, vendor: V, open_weights: true, license: mit}
"""

SHEET_HEAD = """kind: price-sheet
provider: {id: p1, name: P1, country: US, currency: USD, pricing_url: "https://p1.example/pricing"}
offers:
  - model: m1
    prices:
"""
# Lines 1-5 above; a period written after them starts on line 6.


SHEET_API = """kind: price-sheet
provider: {{id: p1, name: P1, country: US, currency: USD, pricing_url: "https://p1.example/pricing"}}
offers:
  - model: m1
    api_names:
      - {}
    prices:
      - {{as_of: 2025-01-01, source: "src", input: 1, output: 1}}
"""
# `api_names:` is on line 5, its first entry on line 6.


def run(tmp_path: Path, files: dict[str, str | bytes]) -> tuple[int, str, str]:
    for name, body in {"models.yaml": MODELS, **files}.items():
        path = tmp_path / name
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(body, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", "--no-bundled", str(tmp_path)])
    return result.exit_code, result.stdout, result.stderr


CASES = {
    "wrong type": (
        SHEET_HEAD + '      - {as_of: 2025-01-01, source: "src", input: abc, output: 1}\n',
        "sheet.yaml:6: offers[0].prices[0].input: 'abc' is not a number",
    ),
    "missing field": (
        SHEET_HEAD + '      - {as_of: 2025-01-01, source: "src", input: 1}\n',
        "sheet.yaml:6: offers[0].prices[0].output: Field required",
    ),
    "negative price": (
        SHEET_HEAD + '      - {as_of: 2025-01-01, source: "src", input: -0.5, output: 1}\n',
        "sheet.yaml:6: offers[0].prices[0].input: Input should be greater than or equal to 0",
    ),
    "nan price": (
        SHEET_HEAD + '      - {as_of: 2025-01-01, source: "src", input: .nan, output: 1}\n',
        "sheet.yaml:6: offers[0].prices[0].input: Input should be a finite number",
    ),
    "infinite price": (
        SHEET_HEAD + '      - {as_of: 2025-01-01, source: "src", input: 1, output: .inf}\n',
        "sheet.yaml:6: offers[0].prices[0].output: Input should be a finite number",
    ),
    "unknown currency": (
        SHEET_HEAD
        + '      - {as_of: 2025-01-01, source: "src", currency: XYZ, input: 1, output: 1}\n',
        "sheet.yaml:6: offers[0].prices[0].currency: Input should be 'USD'",
    ),
    "unquoted time": (
        SHEET_HEAD
        + '      - as_of: 2025-01-01\n        source: "src"\n        input: 1\n        output: 1\n'
        + "        off_peak:\n          window: {start: 16:30, end: '00:30'}\n"
        + "          input: 1\n          output: 1\n",
        # line 6 as_of, 7 source, 8 input, 9 output, 10 off_peak, 11 window
        "sheet.yaml:11: offers[0].prices[0].off_peak.window.start: 16:30 is read by YAML as a base-60 number (990)",
    ),
    "octal number": (
        SHEET_HEAD + '      - {as_of: 2025-01-01, source: "src", input: 010, output: 1}\n',
        "sheet.yaml:6: offers[0].prices[0].input: 010 has a leading zero, which YAML reads as octal (8)",
    ),
    "duplicate key": (
        SHEET_HEAD
        + "      - as_of: 2025-01-01\n        source: src\n        input: 1\n        input: 2\n",
        "sheet.yaml:9: offers[0].prices[0].input: duplicate key 'input' (first at line 8)",
    ),
    "unknown field": (
        SHEET_HEAD + '      - {as_of: 2025-01-01, source: "src", input: 1, output: 1, ouput: 2}\n',
        "sheet.yaml:6: offers[0].prices[0].ouput: unknown field",
    ),
    "unknown model": (
        SHEET_HEAD.replace("model: m1", "model: m2")
        + '      - {as_of: 2025-01-01, source: "src", input: 1, output: 1}\n',
        "sheet.yaml:4: model: unknown model 'm2'",
    ),
    "valid_until before as_of": (
        SHEET_HEAD
        + '      - {as_of: 2025-01-01, valid_until: 2024-01-01, source: "src", input: 1, output: 1}\n',
        "sheet.yaml:6: offers[0].prices[0]: valid_until 2024-01-01 is not after as_of 2025-01-01",
    ),
    "yes-no as a string": (
        SHEET_HEAD.replace("country: US", "country: NO")
        + '      - {as_of: 2025-01-01, source: "src", input: 1, output: 1}\n',
        "sheet.yaml:2: provider.country: YAML read this as a yes/no value",
    ),
    "unknown kind": ("kind: price-shet\n", "sheet.yaml:1: kind: unknown kind 'price-shet'"),
    "not a mapping": ("- 1\n- 2\n", "sheet.yaml:1: expected a mapping with a `kind:` key"),
    "bad syntax": ("kind: models\nmodels: [\n", "sheet.yaml:3: invalid YAML"),
    "self-referencing alias": (
        "kind: models\nmodels: &a\n  - *a\n",
        "sheet.yaml:2: an alias refers to the node that contains it",
    ),
    "deep nesting": (
        "kind: models\nmodels: " + "[" * 100 + "]" * 100 + "\n",
        "nested more than 64",
    ),
    "duplicate model id": (
        "kind: models\nmodels:\n  - {id: m1, name: M1 again, vendor: V, open_weights: true, license: mit}\n",
        "sheet.yaml:3: models[0].id: duplicate model id 'm1'",
    ),
    "api name window reversed": (
        SHEET_API.format('{name: n1, from: 2025-02-01, until: 2025-01-01, source: "src"}'),
        "sheet.yaml:6: offers[0].api_names[0]: until 2025-01-01 is not after from 2025-02-01",
    ),
    "api name window empty": (
        SHEET_API.format(
            '{name: n1, from: "2025-01-01T16:00:00Z", until: 2025-01-01T16:00:00Z, source: src}'
        ),
        "sheet.yaml:6: offers[0].api_names[0]: until 2025-01-01 16:00:00+00:00 is not after",
    ),
    "api name unknown key": (
        SHEET_API.format('{name: n1, form: 2025-01-01, source: "src"}'),
        "sheet.yaml:6: offers[0].api_names[0].form: unknown field (check the spelling",
    ),
    "api name without source": (
        SHEET_API.format("{name: n1, from: 2025-01-01}"),
        "sheet.yaml:6: offers[0].api_names[0].source: Field required",
    ),
    "api name too long": (
        SHEET_API.format("{name: " + "n" * 201 + ", source: src}"),
        "sheet.yaml:6: offers[0].api_names[0].name: String should have at most 200 characters",
    ),
    "too many api names": (
        SHEET_API.format("{name: n1, source: src}\n      - " * 50 + "{name: n1, source: src}"),
        "sheet.yaml:5: offers[0].api_names: List should have at most 50 items",
    ),
    "duplicate offer": (
        SHEET_HEAD
        + '      - {as_of: 2025-01-01, source: "src", input: 1, output: 1}\n'
        + '  - model: m1\n    prices:\n      - {as_of: 2025-01-01, source: "src", input: 1, output: 1}\n',
        "sheet.yaml:7: offers[1].model: duplicate offer of 'm1'",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_sheet_exit_2_with_location(tmp_path: Path, case: str) -> None:
    """Every malformed case names file, line and field, exits 2 and shows no traceback."""
    body, expected = CASES[case]
    code, out, err = run(tmp_path, {"sheet.yaml": body})
    assert code == 2, err
    assert expected in err
    assert "Traceback" not in err + out
    assert out == ""


def test_alias_bomb(tmp_path: Path) -> None:
    """A billion-laughs document (9 levels of 9 aliases, ~387 million strings) is refused quickly."""
    lines = [
        "kind: models",
        'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
    ]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    code, _, err = run(tmp_path, {"sheet.yaml": "\n".join(lines) + "\n"})
    assert code == 2
    assert "has more than 200,000 values once aliases are expanded (an alias bomb?)" in err


def test_huge_file(tmp_path: Path) -> None:
    """A 50 MB file is refused from its size alone, before it is read."""
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    code, _, err = run(tmp_path, {})
    assert code == 2
    assert "big.yaml: file is 52,428,800 bytes; the limit is 5,242,880 bytes" in err


def test_binary_junk(tmp_path: Path) -> None:
    code, _, err = run(tmp_path, {"junk.yaml": os.urandom(64) + b"\x00" + os.urandom(64)})
    assert code == 2
    assert "junk.yaml" in err and "binary data" in err


def test_not_utf8(tmp_path: Path) -> None:
    """Latin-1 text: the bad byte is on line 3."""
    body = "kind: models\nmodels:\n  - {id: m9, name: Caf\xe9, vendor: V, open_weights: true, license: mit}\n"
    code, _, err = run(tmp_path, {"latin.yaml": body.encode("latin-1")})
    assert code == 2
    assert "latin.yaml:3: not UTF-8 text (byte 0xe9" in err


def test_valid_folder_passes(tmp_path: Path) -> None:
    body = SHEET_HEAD + '      - {as_of: 2025-01-01, source: "src", input: 1, output: 1}\n'
    code, _, err = run(tmp_path, {"sheet.yaml": body})
    assert code == 0, err
    assert "ok: 2 files, 1 models, 1 providers, 1 offers, 1 price periods" in err


def test_valid_api_names_pass(tmp_path: Path) -> None:
    """Dated and open-ended other API names, with a source and a note, are a valid sheet."""
    body = SHEET_API.format(
        '{name: n1, from: 2025-01-01, until: "2025-03-01T16:00:00Z", source: src, note: moved}'
        "\n      - {name: n2, source: src}"
    )
    code, _, err = run(tmp_path, {"sheet.yaml": body})
    assert code == 0, err
    assert "ok: 2 files, 1 models, 1 providers, 1 offers, 1 price periods" in err


def test_impossible_date(tmp_path: Path) -> None:
    """2025-13-45 looks like a YAML date but is none: a located error, not a traceback."""
    body = SHEET_HEAD + '      - {as_of: 2025-13-45, source: "src", input: 1, output: 1}\n'
    code, _, err = run(tmp_path, {"sheet.yaml": body})
    assert code == 2
    assert (
        "sheet.yaml:6: offers[0].prices[0].as_of: 2025-13-45 is not a valid date or time (month must be in 1..12)"
        in err
    )
