"""What sets the date, drawn: the days each constraint class would gain if relaxed.

Takes the table of :func:`dcsim.counterfactuals.explain` (one row per relaxation) and draws the
mean full-cluster gain as a horizontal bar with its P10-P90 range, largest first, so the
class worth buying down stands at the top.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from dcsim.plots.style import new_axes

GAIN = "full_cluster_gain_days"


def plot_gains(frame: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Days gained on the full cluster per relaxed class (mean; whiskers P10 to P90)."""
    ax = new_axes(ax, figsize=(8.0, 0.45 * len(frame) + 1.6))
    rows = frame.sort_values(f"{GAIN}_mean")
    mean = rows[f"{GAIN}_mean"].to_numpy()
    low = mean - rows[f"{GAIN}_p10"].to_numpy()
    high = rows[f"{GAIN}_p90"].to_numpy() - mean
    positions = np.arange(len(rows))
    runs = int(frame["replications"].iloc[0]) if len(frame) else 0
    whiskers = np.vstack([np.clip(low, 0, None), np.clip(high, 0, None)]) if runs > 1 else None
    ax.barh(positions, mean, xerr=whiskers, color="#4C72B0", ecolor="#333333", capsize=3)
    ax.set_yticks(positions, rows["relaxed"])
    ax.axvline(0, color="#333333", linewidth=0.8)
    right = mean + (high if runs > 1 else 0)
    for y, value, end in zip(positions, mean, right, strict=True):
        ax.annotate(
            f"{round(value):,d} d",
            (max(value, end, 0), y),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize="small",
        )
    spread = "mean, whiskers P10 to P90, " if runs > 1 else ""
    ax.set_title("Full-cluster days gained with each constraint relaxed")
    ax.set_xlabel(f"days gained ({spread}{runs} paired run{'s' * (runs != 1)})")
    ax.margins(x=0.12)
    return ax
