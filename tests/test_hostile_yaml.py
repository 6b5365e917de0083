"""YAML that PyYAML cannot construct safely, or numbers past costcalc's bound, in every command.

Each case is a value written under a field of an otherwise valid file; every
command that reads such a file must exit 2 with `file:line: field: message`,
never a traceback (issue #13.6).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.errors import InputError
from costcalc.numbers import MAX_DIGITS, NumberError, parse_number
from costcalc.yamlio import parse_yaml

LONG_INT = "9" * 5000  # past Python's 4,300-digit int() limit

# (value written in the file, words the message must contain)
VALUES = {
    "set": ("!!set {a, b}", "the tag !!set is not allowed"),
    "omap": ("!!omap [{a: 1}]", "the tag !!omap is not allowed"),
    "binary": ("!!binary aGVsbG8=", "the tag !!binary is not allowed"),
    "python object": ('!!python/object/apply:os.system ["echo hi"]', "is not allowed"),
    "python name": ("!!python/name:os.system ''", "is not allowed"),
    "custom tag": ("!money 12", "the tag !money is not allowed"),
    "int past 4300 digits": (LONG_INT, "a number of 5,000 characters"),
    "float 1e999999": ("1.0e999999", "out of range"),
    "plain 1e999999 (a YAML string)": ("1e999999", "out of range"),
    "quoted huge number": ('"1e100000000"', "out of range"),
    "too many digits": ("1." + "1" * 45, "significant digits"),
    "tagged int not an int": ("!!int abc", "'abc' is not an integer"),
    "tagged bool not a bool": ("!!bool maybe", "'maybe' is not a yes/no value"),
    "tagged null not null": ("!!null 1", "'1' is not null"),
    "tagged timestamp not a date": ("!!timestamp soon", "'soon' is not a date"),
}

MODELS = (
    "kind: models\nmodels:\n  - {id: m1, name: M1, vendor: V, open_weights: true, license: mit}\n"
)
HOSTILE = "@VALUE@"
"""Where a case's value goes in a file's text."""


def _sheet(price: str) -> str:
    return (
        "kind: price-sheet\n"
        "provider: {id: p1, name: P1, country: US, currency: USD,"
        ' pricing_url: "https://p1.example/"}\n'
        "offers:\n  - model: m1\n    prices:\n"
        f"      - {{as_of: 2025-01-01, source: src, output: 1, input: {price}}}\n"
    )


@dataclass(frozen=True)
class Reader:
    """A command that reads a YAML file, and the field of that file a hostile value is put in."""

    file: str
    text: str
    """The file's text, with HOSTILE where the value goes."""
    args: tuple[str, ...]
    """The command; "FILE" stands for the file, "DIR" for its folder."""
    location: str
    """How the message must point at the value: `file:line: field: `."""
    others: tuple[tuple[str, str], ...] = ()
    """Other files written next to it."""

    def run(self, folder: Path, value: str, *extra: str) -> tuple[int, str, str]:
        for name, text in ((self.file, self.text), *self.others):
            (folder / name).write_text(text.replace(HOSTILE, value))
        where = {"FILE": str(folder / self.file), "DIR": str(folder)}
        return invoke(*(where.get(a, a) for a in self.args), *extra)


READERS = {
    # validate: the price of a sheet (line 6) holds the hostile value
    "validate": Reader(
        "sheet.yaml",
        _sheet(HOSTILE),
        ("validate", "--no-bundled", "DIR"),
        "sheet.yaml:6: offers[0].prices[0].input: ",
        others=(("models.yaml", MODELS),),
    ),
    # check: the budget of a decision (line 7)
    "check": Reader(
        "p.yaml",
        "kind: procurement\ndecisions:\n  - name: a\n    model: cheap\n    provider: ushost\n"
        "    workload: {requests_per_month: 10, input_tokens: 1, output_tokens: 1}\n"
        f"    budget: {{monthly: {HOSTILE}, currency: USD}}\n",
        ("check", "FILE", "--no-bundled", "--pricing", "tests/fixtures/check/pricing"),
        "p.yaml:7: decisions[0].budget.monthly: ",
    ),
    # budget --workload-file: a workload's input tokens (line 4)
    "budget --workload-file": Reader(
        "w.yaml",
        "kind: workloads\nworkloads:\n  - name: w\n"
        f"    input_tokens: {HOSTILE}\n    requests_per_day: 10\n    output_tokens: 1\n",
        ("budget", "--workload-file", "FILE"),
        "w.yaml:4: workloads[0].input_tokens: ",
    ),
    # compare --profile FILE: a weight (line 5)
    "compare --profile": Reader(
        "prof.yaml",
        "kind: profiles\nprofiles:\n  - id: mine\n    weights:\n"
        f"      gpqa-diamond: {HOSTILE}\n    name: Mine\n",
        ("compare", "--profile", "FILE"),
        "prof.yaml:5: profiles[0].weights.gpqa-diamond: ",
    ),
}


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def check(code: int, out: str, err: str, location: str, words: str) -> None:
    assert code == 2, err
    assert "Traceback" not in out + err
    assert location in err, err
    assert words in err, err


@pytest.mark.parametrize("case", sorted(VALUES))
@pytest.mark.parametrize("reader", sorted(READERS))
def test_hostile_value_is_located(tmp_path: Path, reader: str, case: str) -> None:
    """Every command that reads a YAML file: exit 2 with `file:line: field: message`."""
    value, words = VALUES[case]
    target = READERS[reader]
    check(*target.run(tmp_path, value), target.location, words)


def test_field_path_is_the_full_path() -> None:
    """A value refused while reading names the dotted path of keys and indexes to it."""
    with pytest.raises(InputError) as caught:
        parse_yaml("a:\n  - x: 1\n  - y: [1, !!set {}]\n", "f.yaml")
    problem = caught.value.problems[0]
    assert (problem.file, problem.line, problem.field) == ("f.yaml", 3, "a[1].y[1]")


def test_plain_values_still_read() -> None:
    """The allowed types are unchanged: explicit tags on matching text are fine."""
    data = parse_yaml("a: !!int 5\nb: !!float 1.5\nc: !!str 7\nd: !!bool yes\ne: !!null ~\n")
    assert dict(data) == {"a": 5, "b": Decimal("1.5"), "c": "7", "d": True, "e": None}


def test_number_bound_edges() -> None:
    """40 significant digits and magnitudes in [1e-40, 1e40) are read; one more is refused."""
    assert parse_number("9" * MAX_DIGITS) == Decimal("9" * MAX_DIGITS)
    assert parse_number("1e-40") == Decimal("1e-40")
    for text in ("9" * (MAX_DIGITS + 1), "1e40", "1e-41", "0e-99"):
        with pytest.raises(NumberError):
            parse_number(text)


CHECK_FORMATS = ["text", "json", "markdown", "github", "sarif", "junit", "gitlab"]
LISTING_FORMATS = ["table", "json", "csv", "markdown"]


@pytest.mark.parametrize("fmt", CHECK_FORMATS)
@pytest.mark.parametrize("case", ["set", "int past 4300 digits", "plain 1e999999 (a YAML string)"])
def test_check_exit_2_in_every_format(tmp_path: Path, case: str, fmt: str) -> None:
    """check: the same exit code, and the same located message, whatever the format."""
    value, words = VALUES[case]
    target = READERS["check"]
    check(*target.run(tmp_path, value, "-f", fmt), target.location, words)


@pytest.mark.parametrize("fmt", LISTING_FORMATS)
def test_prices_diff_in_every_format(tmp_path: Path, fmt: str) -> None:
    """prices diff: a hostile sheet is exit 2 in every format; the largest change is exit 0.

    From 1e-40 to 1e9 per million is +(1e51 - 100) %: the 50-digit context overflowed.
    """
    old, new, bad = (tmp_path / n for n in ("old", "new", "bad"))
    for folder, price in ((old, "1e-40"), (new, "1000000000"), (bad, "!!set {a}")):
        folder.mkdir()
        (folder / "s.yaml").write_text(_sheet(price))
    code, out, err = invoke("prices", "diff", str(old), str(new), "--format", fmt)
    assert code == 0, err
    assert "9" * 49 + "00" in out.replace(",", "")
    code, out, err = invoke("prices", "diff", str(old), str(bad), "--format", fmt)
    check(code, out, err, "s.yaml:6: offers[0].prices[0].input: ", "the tag !!set is not allowed")
