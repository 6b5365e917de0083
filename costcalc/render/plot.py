"""A ranking as a chart: cost per request (log scale) against quality, with bands.

matplotlib is an optional extra (`pip install 'costcalc[plot]'`); without it
`plot` raises an InputError that says how to install it. Amounts become floats
here, at the very end, only to place points on the page.
"""

from __future__ import annotations

from costcalc.rank import Ranking, RankRow
from costcalc.render.mpl import FORMATS, figure, log_scale, save, spread_labels

__all__ = ["FORMATS", "plot"]


def _labels(rows: list[RankRow]) -> list[tuple[RankRow, str]]:
    """One label per model, at its best-ranked offer; other providers of the same model are
    named in it ('llama-3.3-70b-instruct @ groq (+ together, cerebras)')."""
    by_model: dict[str, list[RankRow]] = {}
    for r in rows:  # rank order
        by_model.setdefault(r.model, []).append(r)
    out = []
    for group in by_model.values():
        first = group[0]
        text = first.label
        if len(group) > 1:
            text += " (+ " + ", ".join(r.provider for r in group[1:]) + ")"
        if first.recommended:
            text += " ★"
        out.append((first, text))
    return out


def plot(ranking: Ranking, fmt: str, *, title: str, currency: str) -> bytes:
    """The chart of a ranking as SVG or PNG bytes (deterministic for SVG)."""
    rows = [r for r in ranking.rows if r.cost.total > 0]
    with figure(fmt, (9, 6)) as (_plt, fig, ax):
        for group, color, marker in (
            ([r for r in rows if r.good_enough], "tab:green", "o"),
            ([r for r in rows if not r.good_enough], "tab:gray", "s"),
        ):
            if not group:
                continue
            xs = [float(r.cost.total) for r in group]
            ys = [float(r.quality.value) for r in group]
            err = [
                [float(r.quality.value - r.quality.low) for r in group],
                [float(r.quality.high - r.quality.value) for r in group],
            ]
            label = "good enough" if color == "tab:green" else "below the bar"
            ax.errorbar(xs, ys, yerr=err, fmt=marker, color=color, capsize=3, label=label)
        front = sorted((r for r in rows if r.pareto), key=lambda r: (r.cost.total, r.quality.value))
        if front:
            ax.step(
                [float(r.cost.total) for r in front],
                [float(r.quality.value) for r in front],
                where="post",
                color="tab:blue",
                linewidth=1,
                label="frontier",
            )
        ax.axhline(float(ranking.bar), color="tab:red", linestyle="--", linewidth=1, label="bar")
        if rows:
            ax.set_xscale("log")
            log_scale(ax.xaxis, lambda x: f"{x:g}")
        # Most important first: the recommendation, then the frontier and good-enough offers.
        labels = sorted(
            _labels(rows),
            key=lambda rt: (not rt[0].recommended, not rt[0].pareto, not rt[0].good_enough),
        )
        texts = [
            ax.text(float(r.cost.total), float(r.quality.value), text, fontsize=7)
            for r, text in labels
        ]
        ax.set_xlabel(f"cost per request ({currency}, log scale)")
        ax.set_ylabel("quality (0-100, 95% band)")
        ax.set_title(title, fontsize=9)
        ax.grid(True, which="both", linewidth=0.3)
        ax.legend(fontsize=8, loc="lower right")
        hidden = spread_labels(ax, texts)
        if hidden:
            ax.annotate(
                f"{hidden} label{'s' if hidden > 1 else ''} left out where"
                f" {'they' if hidden > 1 else 'it'} would overlap (see the table)",
                xy=(0, -0.15),
                xycoords="axes fraction",
                fontsize=7,
                color="0.4",
            )
        return save(fig, fmt)
