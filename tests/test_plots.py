"""Charts people can read: every row of the table is drawn, labels do not overlap, a long
title wraps, a wide cost range gets a log axis (looked at as PNG while building them)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from costcalc.cli import app

pytest.importorskip("matplotlib")


def run(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def capture(monkeypatch: pytest.MonkeyPatch, module: str) -> list[Any]:
    """Keep the figure a chart module saves, to inspect what it drew."""
    import importlib

    mod = importlib.import_module(module)
    figures: list[Any] = []

    def save(fig: Any, fmt: str) -> bytes:
        fig.canvas.draw()
        figures.append(fig)
        return b"chart"

    monkeypatch.setattr(mod, "save", save)
    from costcalc.render.mpl import pyplot

    monkeypatch.setattr(pyplot("png"), "close", lambda fig: None)
    return figures


def test_compare_labels_do_not_overlap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    figures = capture(monkeypatch, "costcalc.render.plot")
    run("compare", "--plot", str(tmp_path / "c.png"))
    (fig,) = figures
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    shown = [t for t in ax.texts if t.get_visible()]
    boxes = [t.get_window_extent(renderer) for t in shown]
    assert len(boxes) >= 5
    overlapping = [
        (a.get_text(), b.get_text())
        for (a, ba), (b, bb) in itertools.combinations(zip(shown, boxes, strict=True), 2)
        if ba.overlaps(bb)
    ]
    assert not overlapping
    assert any(t.get_text().endswith(" ★") for t in shown)  # the recommendation is labelled


def test_compare_names_every_offer_of_a_model_once(tmp_path: Path) -> None:
    out = tmp_path / "c.svg"
    ranking = json.loads(run("compare", "-f", "json").stdout)
    run("compare", "--plot", str(out))
    svg = out.read_text(encoding="utf-8")
    providers: dict[str, list[str]] = {}
    for m in ranking["models"]:
        if float(m["cost_per_request"]) > 0:
            providers.setdefault(m["model"], []).append(m["provider"])
    many = {k: v for k, v in providers.items() if len(v) > 1}
    assert many, "the bundled catalog has a model on several hosts"
    shown = 0
    for model, names in many.items():
        if f"{model} @ {names[0]} (+ {', '.join(names[1:])})" in svg:
            shown += 1
            continue
        # A label that would overlap is left out (and the chart says so); the model's other
        # hosts must then not be labelled on their own either.
        assert "left out where" in svg, model
        assert not any(f"{model} @ {name}" in svg for name in names), model
    assert shown, "no model on several hosts is labelled with its other hosts"


def test_budget_plot_draws_every_row_of_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    figures = capture(monkeypatch, "costcalc.render.budget_plot")
    args = ["budget", "--preset", "medium", "--budget", "1000", "--all", "--limit", "12"]
    offers = json.loads(run(*args, "-f", "json").stdout)["workloads"][0]["offers"]
    run(*args, "--plot", str(tmp_path / "b.png"))
    (fig,) = figures
    ax = fig.axes[0]
    legend = [t.get_text().removesuffix(" ★") for t in ax.get_legend().get_texts()]
    drawn = set(legend)
    assert len(offers) > 8  # more than the old 8-line cap
    for o in offers:
        label = (
            f"{o['model']} @ {o['provider']}"
            if o["kind"] == "api"
            else next(x for x in drawn if x.startswith(f"{o['model']} self-hosted"))
        )
        assert label in drawn
    assert "budget" in drawn
    # $1,000 budget against a self-host line over $20,000: a log axis keeps both readable.
    assert ax.get_yscale() == "log"
    # the long workload title wraps instead of running off the figure
    assert "\n" in ax.get_title()
    # the legend sits beside the plot, not over its lines
    box = ax.get_legend().get_window_extent(fig.canvas.get_renderer())
    assert box.x0 >= ax.get_window_extent(fig.canvas.get_renderer()).x1
