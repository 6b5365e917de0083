"""A budget projection as a chart: cost per month over the horizon, one line per offer.

matplotlib is an optional extra (`pip install 'costcalc[plot]'`); without it
`plot_projection` raises an InputError that says how to install it. Amounts
become floats here, at the very end, only to place points on the page.
"""

from __future__ import annotations

import io

from costcalc.budget import BudgetResult, Row, SelfHostBudget
from costcalc.errors import InputError

FORMATS = ("svg", "png")
MAX_LINES = 8
"""Offers drawn: the first shown rows (self-host rows always), to keep the chart legible."""


def plot_projection(
    result: BudgetResult, fmt: str, show_all: bool = False, limit: int = 15
) -> bytes:
    """The projection of a budget as SVG or PNG bytes (deterministic for SVG)."""
    from costcalc.render.budget import describe_workload, shown_rows

    if fmt not in FORMATS:
        raise InputError(f"--plot needs a file ending in .svg or .png, got .{fmt}")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise InputError(
            "--plot needs matplotlib, an optional extra: pip install 'costcalc[plot]'"
        ) from None
    rows, _ = shown_rows(result, show_all, limit)
    hosted = [r for r in rows if isinstance(r, SelfHostBudget)]
    api: list[Row] = [r for r in rows if not isinstance(r, SelfHostBudget)]
    drawn = api[: max(0, MAX_LINES - len(hosted))] + hosted
    matplotlib.rcParams["svg.hashsalt"] = "costcalc"
    fig, ax = plt.subplots(figsize=(9, 6), dpi=100)
    try:
        months = list(range(1, result.workload.months + 1))
        for row in drawn:
            style = "--" if isinstance(row, SelfHostBudget) else "-"
            ax.plot(
                months,
                [float(m.cost) for m in row.months],
                style,
                marker="o",
                markersize=3,
                label=row.label,
            )
        if result.budget is not None:
            ax.axhline(
                float(result.budget), color="tab:red", linestyle=":", linewidth=1, label="budget"
            )
        ax.set_xlabel("month")
        ax.set_ylabel(f"cost a month ({result.currency})")
        ax.set_title(describe_workload(result), fontsize=8)
        ax.grid(True, linewidth=0.3)
        if drawn:
            ax.legend(fontsize=7, loc="upper left")
        out = io.BytesIO()
        metadata: dict[str, str | None] = {"Date": None} if fmt == "svg" else {}
        fig.savefig(out, format=fmt, metadata=metadata, bbox_inches="tight")
        return out.getvalue()
    finally:
        plt.close(fig)
