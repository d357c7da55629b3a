"""Shared figure plumbing: headless figures, calendar-date axes, legends beside the data.

Figures are built with :class:`matplotlib.figure.Figure` rather than ``pyplot`` so that
nothing depends on a GUI backend or on pyplot's global figure registry (a report renders
dozens of figures; pyplot would keep them all alive until closed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

#: Room left after the last change on a time axis, as a share of the span shown.
TIME_MARGIN = 0.06


def new_axes(ax: Axes | None, figsize: tuple[float, float] = (8.0, 5.0)) -> Axes:
    """``ax`` itself, or the single Axes of a new headless figure with constrained layout
    (which makes room for a legend placed outside the axes)."""
    if ax is not None:
        return ax
    return Figure(figsize=figsize, layout="constrained").subplots()


def date_axis(ax: Axes, axis: str = "x") -> None:
    """Calendar dates with concise labels (``2025``, ``Apr``, ``Jul``...) on ``axis``."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    target.set_major_locator(locator)
    target.set_major_formatter(mdates.ConciseDateFormatter(locator))


def legend_outside(ax: Axes, side: str = "below", **kwargs: Any) -> None:
    """Legend below (in columns) or to the right of the axes, so it never hides a curve."""
    if side == "below":
        kwargs = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.14), "ncols": 2, **kwargs}
    else:
        kwargs = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), **kwargs}
    ax.legend(**{"fontsize": "small", **kwargs})


def finish(ax: Axes, title: str, ylabel: str, xlabel: str = "date") -> Axes:
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    return ax


def step_on_grid(times: ArrayLike, values: ArrayLike, grid: ArrayLike) -> np.ndarray:
    """Values of a step function (each value holds until the next time) read on ``grid``;
    NaN before the first time, so runs that start later do not count as zero. Dates
    (Series, DatetimeIndex) or day numbers (arrays) alike."""
    index = np.searchsorted(np.asarray(times), np.asarray(grid), side="right") - 1
    out = np.asarray(values, dtype=float)[np.clip(index, 0, None)]
    out[index < 0] = np.nan
    return out


def last_change(ts: pd.DataFrame, columns: Sequence[str]) -> pd.Timestamp:
    """The date of the last row at which any of ``columns`` changes: the time series ends
    with a closing row at the horizon, which would leave the right of every chart flat."""
    present = [c for c in columns if c in ts]
    values = ts[present].to_numpy(dtype=float)
    changed = np.flatnonzero(np.any(values[1:] != values[:-1], axis=1))
    return ts["date"].iloc[changed[-1] + 1 if len(changed) else 0]


def time_limits(ax: Axes, start: object, end: object) -> None:
    """Show ``start`` to a little after ``end`` on the x axis."""
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    margin = max((end - start) * TIME_MARGIN, pd.Timedelta(days=14))
    ax.set_xlim(start - margin / 3, end + margin)


def money_axis(ax: Axes, largest: float, axis: str = "y") -> str:
    """Tick labels in B USD / M USD instead of an offset such as ``1e9``; returns the unit
    label to put in the axis title."""
    import matplotlib.ticker as mticker

    from dcsim.formatting import axis_scale

    divisor, unit = axis_scale(largest, "USD")
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v / divisor:,.4g}"))
    return unit


def to_dates(values: Sequence[object] | pd.Series) -> pd.Series:
    """ISO date strings (``None`` for never reached) as timestamps (``NaT``)."""
    return pd.to_datetime(pd.Series(values), errors="coerce")
