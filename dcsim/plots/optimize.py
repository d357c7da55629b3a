"""The figure of an optimization: every trial's objective against its P90 date."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from dcsim.plots.style import finish, money_axis, new_axes


def plot_trials(trials: pd.DataFrame, ringed: list[int], ax: Axes | None = None) -> Axes:
    """Each finished trial (``trials.csv``) as a point: its objective against its P90 days
    to the full cluster, infeasible trials hollow, the trials in ``ringed`` circled."""
    ax = new_axes(ax)
    done = trials[trials["state"] == "complete"]
    days = pd.to_numeric(done["p90_days_to_full_cluster"], errors="coerce")
    value = pd.to_numeric(done["objective"], errors="coerce")
    largest = float(np.nanmax(np.abs(value))) if len(value) else 0.0
    label = f"objective ({money_axis(ax, largest)})" if largest else "objective"
    feasible = done["feasible"].astype(str).str.lower() == "true"
    ax.scatter(days[feasible], value[feasible], color="C0", label="trial")
    if (~feasible).any():  # no legend entry for what is not drawn
        ax.scatter(days[~feasible], value[~feasible], facecolors="none",
                   edgecolors="C1", label="trial (constraints not met)")  # fmt: skip
    ring = done["trial"].isin(ringed)
    if ring.any():
        ax.scatter(days[ring], value[ring], s=180, facecolors="none", edgecolors="C3",
                   linewidths=1.5, label="within the noise of the best")  # fmt: skip
    ax.legend(loc="best", fontsize="small")
    return finish(ax, "Trials: objective against P90 days to the full cluster", label,
                  xlabel="P90 days to the full cluster")  # fmt: skip
