"""The matplotlib set-up both charts share: one import path, one error, one way to save.

matplotlib (with adjustText for label placement) is the optional extra
`pip install 'costcalc[plot]'`; without it every chart raises the same InputError,
which says how to install it. Amounts become floats only in the chart modules, at the
very end, to place points on the page.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from costcalc.errors import InputError

FORMATS = ("svg", "png")


def pyplot(fmt: str) -> Any:
    """matplotlib.pyplot on the headless Agg backend, with deterministic SVG ids."""
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
    matplotlib.rcParams["svg.hashsalt"] = "costcalc"
    return plt


@contextmanager
def figure(fmt: str, size: tuple[float, float]) -> Iterator[tuple[Any, Any, Any]]:
    """(pyplot, figure, axes) of one chart at 100 dpi; the figure is closed on the way out
    (pyplot keeps every open figure otherwise)."""
    plt = pyplot(fmt)
    fig, ax = plt.subplots(figsize=size, dpi=100)
    try:
        yield plt, fig, ax
    finally:
        plt.close(fig)


def log_scale(axis: Any, label: Callable[[float], str]) -> None:
    """A log-10 money axis ticked at 1, 2 and 5 of each decade, labelled by `label`, with
    no minor labels (matplotlib's default 10^n labels read badly for money)."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(lambda value, _: label(value)))
    axis.set_minor_formatter(NullFormatter())


def save(fig: Any, fmt: str) -> bytes:
    """The figure as bytes; SVG carries no date, so the same chart gives the same bytes."""
    out = io.BytesIO()
    metadata: dict[str, str | None] = {"Date": None} if fmt == "svg" else {}
    fig.savefig(out, format=fmt, metadata=metadata, bbox_inches="tight")
    return out.getvalue()


def spread_labels(ax: Any, texts: list[Any]) -> int:
    """Move labels apart (adjustText, seeded, so deterministic), then hide any label that
    still overlaps one placed before it: `texts` come most important first, so the
    recommended offer's label always shows. Returns how many labels were hidden."""
    if len(texts) > 1:
        try:
            from adjustText import adjust_text  # type: ignore[import-untyped]
        except ImportError:
            pass
        else:
            adjust_text(
                texts,
                ax=ax,
                expand=(1.1, 1.4),
                force_text=(0.3, 0.6),
                iter_lim=2000,
                arrowprops={"arrowstyle": "-", "color": "0.6", "lw": 0.5},
            )
    renderer = ax.figure.canvas.get_renderer()
    kept: list[Any] = []
    hidden = 0
    for text in texts:
        box = text.get_window_extent(renderer)
        if any(box.overlaps(other) for other in kept):
            text.set_visible(False)
            hidden += 1
        else:
            kept.append(box)
    return hidden
