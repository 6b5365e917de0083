"""`costcalc import ...`: OpenRouter figures, written files, overwrite protection, exit codes."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costcalc.cli import app
from costcalc.importers.output import generated_state
from helpers import FIXTURES, assert_golden

OPENROUTER = "tests/fixtures/importers/openrouter/models.json"
GENAI_DEEPSEEK = "tests/fixtures/importers/genai-prices/providers/deepseek.yml"

LITELLM = "tests/fixtures/importers/litellm/model_prices_and_context_window_backup.json"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def import_deepseek(folder: Path) -> tuple[int, str, str]:
    """`costcalc import genai-prices` of the DeepSeek provider file into `folder`."""
    return invoke(
        "import", "genai-prices", GENAI_DEEPSEEK, "-o", str(folder), "--as-of", "2026-11-27",
        "--no-bundled",
    )  # fmt: skip


def import_openrouter(out: Path, *extra: str) -> tuple[int, str]:
    code, _, err = invoke(
        "import", "openrouter", OPENROUTER, "--output", str(out), "--as-of", "2026-11-27", *extra
    )
    return code, err.replace(str(out), "<out>")


def test_openrouter_import_golden(tmp_path: Path) -> None:
    """The summary (with --verbose) and the written sheet are pinned."""
    code, err = import_openrouter(tmp_path, "--verbose")
    assert code == 0, err
    assert_golden("importers/openrouter.stderr", err)
    assert_golden(
        "importers/openrouter.providers.yaml", (tmp_path / "providers/openrouter.yaml").read_text()
    )
    assert_golden("importers/openrouter.models.yaml", (tmp_path / "models.yaml").read_text())


def test_openrouter_costs(tmp_path: Path) -> None:
    """QwQ-32B at $0.15/$0.20 per million: 1M in + 1M out = $0.35; o3 reasoning at its own $8."""
    assert import_openrouter(tmp_path, "--no-bundled")[0] == 0
    code, out, err = invoke(
        "cost",
        "openrouter/qwen/qwq-32b",
        "--input-tokens",
        "1000000",
        "--output-tokens",
        "1000000",
        "--pricing",
        str(tmp_path),
        "--no-bundled",
        "--as-of",
        "2026-11-27",
        "--format",
        "json",
    )
    assert code == 0, err
    assert Decimal(json.loads(out)["total"]) == Decimal("0.35")  # 0.15 + 0.20
    code, out, err = invoke(
        "cost",
        "openrouter/openai/o3",
        "--input-tokens",
        "10000",
        "--output-tokens",
        "1000",
        "--reasoning-tokens",
        "5000",
        "--pricing",
        str(tmp_path),
        "--no-bundled",
        "--as-of",
        "2026-11-27",
        "--format",
        "json",
    )
    assert code == 0, err
    # 10,000 x $2/M + 1,000 x $8/M + 5,000 x $8/M = 0.02 + 0.008 + 0.04 = 0.068
    assert Decimal(json.loads(out)["total"]) == Decimal("0.068")


def test_models_facts_from_openrouter(tmp_path: Path) -> None:
    """hugging_face_id marks open weights; the vendor is the id's first part."""
    import_openrouter(tmp_path, "--no-bundled")
    code, out, _ = invoke(
        "models",
        "--no-bundled",
        "--pricing",
        str(tmp_path),
        "--provider",
        "openrouter",
        "--open-weights",
        "--format",
        "json",
    )
    assert code == 0
    ids = [m["id"] for m in json.loads(out)["models"] if m["id"].startswith("openrouter/")]
    assert ids == [
        "openrouter/deepseek/deepseek-r1",
        "openrouter/meta-llama/llama-3.3-70b-instruct:free",
        "openrouter/qwen/qwq-32b",
    ]


def test_written_sheets_validate_alone_and_over_the_bundled_ones(tmp_path: Path) -> None:
    """Every written file passes `costcalc validate`: over the bundled sheets (whose models the
    matched offers refer to), and alone when imported with --no-bundled (nothing is matched)."""
    assert import_openrouter(tmp_path / "over")[0] == 0
    assert invoke("validate", str(tmp_path / "over"))[0] == 0
    assert import_openrouter(tmp_path / "alone", "--no-bundled")[0] == 0
    assert invoke("validate", "--no-bundled", "--pricing", str(tmp_path / "alone"))[0] == 0


def test_reimport_replaces_untouched_files_but_not_edited_ones(tmp_path: Path) -> None:
    """A re-import overwrites its own untouched files; an edited one needs --force (exit 2 without)."""
    assert import_openrouter(tmp_path)[0] == 0
    sheet = tmp_path / "providers/openrouter.yaml"
    assert generated_state(sheet.read_text()) == "untouched"
    assert import_openrouter(tmp_path)[0] == 0  # untouched: replaced silently
    sheet.write_text(sheet.read_text().replace("input: 0.15", "input: 0.14"))
    assert generated_state(sheet.read_text()) == "edited"
    code, err = import_openrouter(tmp_path)
    assert code == 2
    assert (
        "<out>/providers/openrouter.yaml: exists and was edited since it was imported; use --force"
        in err
    )
    assert "input: 0.14" in sheet.read_text()  # nothing was written
    code, err = import_openrouter(tmp_path, "--force")
    assert code == 0
    assert "overwrote (--force): <out>/providers/openrouter.yaml" in err
    assert "input: 0.15" in sheet.read_text()


def test_hand_written_sheet_is_never_overwritten_without_force(tmp_path: Path) -> None:
    """A file without the import header (hand-written) at a target path stops the import."""
    (tmp_path / "models.yaml").write_text("kind: models\nmodels: []\n")
    code, err = import_openrouter(tmp_path)
    assert code == 2
    assert "<out>/models.yaml: exists and was not written by an import" in err
    assert generated_state((tmp_path / "models.yaml").read_text()) == "foreign"


def test_stale_generated_sheets_are_removed(tmp_path: Path) -> None:
    """Sheets of an earlier import that this one no longer produces are removed (when untouched)."""
    code, _, err = import_deepseek(tmp_path)
    assert code == 0, err
    assert (tmp_path / "providers/deepseek.yaml").exists()
    code, err = import_openrouter(tmp_path, "--no-bundled")
    assert code == 0
    assert "removed (no longer in the feed): <out>/providers/deepseek.yaml" in err
    assert not (tmp_path / "providers/deepseek.yaml").exists()
    assert invoke("validate", "--no-bundled", "--pricing", str(tmp_path))[0] == 0


def test_nothing_valid_is_exit_2(tmp_path: Path) -> None:
    """A feed whose every row is bad fails with exit 2 and writes nothing."""
    feed = tmp_path / "bad.json"
    feed.write_text(
        json.dumps({"data": [{"id": "a/b", "pricing": {"prompt": "-1", "completion": "-1"}}]})
    )
    code, _, err = invoke("import", "openrouter", str(feed), "-o", str(tmp_path / "out"))
    assert code == 2
    assert "nothing valid to import: all 1 row skipped" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("command", "content", "message"),
    [
        ("openrouter", "[1, 2]", "not an OpenRouter model listing"),
        ("litellm", "[1, 2]", "a LiteLLM map is a JSON object"),
        ("litellm", "{", "invalid JSON"),
    ],
)
def test_malformed_feed_is_exit_2(tmp_path: Path, command: str, content: str, message: str) -> None:
    """A file that is not the feed's shape fails with exit 2 and names the file."""
    feed = tmp_path / "feed.json"
    feed.write_text(content)
    code, _, err = invoke("import", command, str(feed), "-o", str(tmp_path / "out"))
    assert code == 2
    assert message in err and "feed.json" in err


def test_missing_file_is_exit_2(tmp_path: Path) -> None:
    """A missing feed file or folder is an input error."""
    assert invoke("import", "genai-prices", str(tmp_path / "nope"), "-o", str(tmp_path))[0] == 2
    assert invoke("import", "litellm", str(tmp_path / "nope.json"), "-o", str(tmp_path))[0] == 2


def test_genai_prices_import_of_one_file(tmp_path: Path) -> None:
    """One genai-prices provider file becomes a sheet whose DeepSeek R1 off-peak price is costed."""
    code, _, err = import_deepseek(tmp_path)
    assert code == 0, err
    code, out, err = invoke(
        "cost",
        "deepseek/deepseek-reasoner",
        "--input-tokens",
        "1000000",
        "--output-tokens",
        "1000000",
        "--off-peak-share",
        "1",
        "--no-bundled",
        "--pricing",
        str(tmp_path),
        "--as-of",
        "2026-11-27",
        "--currency",
        "USD",
        "--provider",
        "deepseek",
        "--format",
        "json",
    )
    assert code == 0, err
    assert Decimal(json.loads(out)["total"]) == Decimal("0.685")  # off-peak 0.135 + 0.550


def test_done_when_litellm_map_then_compare(tmp_path: Path) -> None:
    """The whole LiteLLM map imports, and `compare` runs over it layered on the bundled sheets.

    `compare` loads and checks every sheet as `validate` does; the costs of the imported
    offers are checked one by one in test_import_litellm.py.
    """
    code, _, err = invoke(
        "import", "litellm", LITELLM, "-o", str(tmp_path), "--as-of", "2026-11-27"
    )
    assert code == 0, err
    # With --no-bundled the map gives 3,913 offers of 3,913 models; layered on the bundled
    # catalog, rows of known models are filed under bundled ids (38 when identity landed, more
    # as the bundled catalog grows), and a row whose own id collided with another's may become
    # one more offer.
    found = re.search(r"imported ([\d,]+) offers of ([\d,]+) models from 122 providers", err)
    assert found, err
    offers, models = (int(g.replace(",", "")) for g in found.groups())
    matched = re.search(r"matched (\d+) rows to bundled models", err)
    assert matched and int(matched.group(1)) >= 38
    assert offers >= 3913 and models < 3913
    code, out, err = invoke(
        "compare", "--pricing", str(tmp_path), "--as-of", "2026-11-27", "--format", "json"
    )
    assert code == 0, err
    # The LiteLLM row gemini/gemini-2.5-pro refreshed the bundled offer gemini-2.5-pro @ google,
    # which is ranked at the imported price.
    rows = {m["label"]: m for m in json.loads(out)["models"]}
    assert "#gemini/gemini-2.5-pro" in rows["gemini-2.5-pro @ google"]["price_source"]
    code, out, err = invoke("compare", "--pricing", str(tmp_path), "--as-of", "2026-11-27")
    assert code == 0, err
    # Notes name a dozen models each, not the 3,876 imported ones (148 KB before): what is left
    # is one line per ranked offer (about 100 bundled and refreshed ones) and the notes.
    lines = out.splitlines()
    assert len(out) < 40_000 and max(len(line) for line in lines) < 1_000


def test_fixture_sources_are_attributed() -> None:
    """Every copied feed sits next to its LICENSE, and SOURCES.md names each file."""
    root = FIXTURES / "importers"
    sources = (root / "SOURCES.md").read_text()
    for folder in ("litellm", "genai-prices", "tokencost"):
        assert (root / folder / "LICENSE").is_file()
        assert f"`{folder}/" in sources
