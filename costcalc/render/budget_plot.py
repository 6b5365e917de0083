"""A budget projection as a chart: cost per month over the horizon, one line per offer.

matplotlib is an optional extra (`pip install 'costcalc[plot]'`); without it
`plot_projection` raises an InputError that says how to install it. Amounts
become floats here, at the very end, only to place points on the page.
"""

from __future__ import annotations

import textwrap

from costcalc.budget import BudgetResult, SelfHostBudget
from costcalc.render.mpl import FORMATS, figure, log_scale, save

__all__ = ["FORMATS", "plot_projection"]

LOG_SPREAD = 20
"""A log cost axis when the dearest month is over this many times the cheapest: a $23k
self-host line would otherwise squeeze a $300 API line (and the budget) to the bottom."""


def plot_projection(
    result: BudgetResult, fmt: str, show_all: bool = False, limit: int = 15
) -> bytes:
    """The projection of a budget as SVG or PNG bytes (deterministic for SVG): one line per
    row of the table (the same rows: `shown_rows`), the legend beside the plot."""
    from costcalc.render.budget import describe_workload, shown_rows

    rows, _ = shown_rows(result, show_all, limit)
    with figure(fmt, (10, 6)) as (plt, fig, ax):
        months = list(range(1, result.workload.months + 1))
        colors = plt.get_cmap("tab20").colors
        costs = []
        for i, row in enumerate(rows):
            style = "--" if isinstance(row, SelfHostBudget) else "-"
            values = [float(m.cost) for m in row.months]
            costs += [v for v in values if v > 0]
            mark = " ★" if row is result.choice else ""
            ax.plot(
                months,
                values,
                style,
                marker="o",
                markersize=3,
                color=colors[i % len(colors)],
                label=row.label + mark,
            )
        if result.budget is not None:
            costs.append(float(result.budget))
            ax.axhline(
                float(result.budget), color="tab:red", linestyle=":", linewidth=1, label="budget"
            )
        log = bool(costs) and min(costs) > 0 and max(costs) / min(costs) > LOG_SPREAD
        if log:
            ax.set_yscale("log")
            log_scale(ax.yaxis, lambda y: f"{y:,.0f}")
        ax.set_xlabel("month")
        ax.set_ylabel(f"cost a month ({result.currency}{', log scale' if log else ''})")
        ax.set_title("\n".join(textwrap.wrap(describe_workload(result), 90)), fontsize=8)
        ax.grid(True, which="both", linewidth=0.3)
        if rows or result.budget is not None:
            ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
        return save(fig, fmt)
