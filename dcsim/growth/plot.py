"""Figure of a growth fit: history, every fitted curve, and the forecast band."""

from __future__ import annotations

import numpy as np

from dcsim.growth.forecast import Forecast
from dcsim.growth.selection import GrowthFit


def plot_fit(
    result: GrowthFit,
    forecast: Forecast | None = None,
    ax=None,
    log: bool = True,
    ylabel: str = "value",
):
    """Draw ``result`` (and ``forecast``, if given) on ``ax`` and return the Axes.

    Curves span the history and the forecast years; the model the forecast belongs to is
    drawn bold with its interval band (a combination or baseline, which has no curve, as a
    dashed line from the last point). A log axis (default) shows exponential growth as a
    straight line, which is how the models see the data.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.2))
    last = int(forecast.years[-1]) if forecast is not None else int(result.years[-1])
    grid = np.linspace(result.origin, last, 200)
    chosen = forecast.model if forecast is not None else result.best.name
    for fit in result.ranked:
        bold = fit.name == chosen
        ax.plot(
            grid,
            result.predict(grid, fit.name),
            lw=2.2 if bold else 1.0,
            alpha=1.0 if bold else 0.6,
            zorder=3 if bold else 2,
            label=f"{fit.name} (ΔAICc {fit.aicc - result.best.aicc:.1f})",
        )
    if forecast is not None and chosen not in {f.name for f in result.ranked}:
        # a combination or baseline: no curve of its own, so draw its forecast from the
        # last data point
        ax.plot(
            np.r_[result.years[-1], forecast.years],
            np.r_[result.values[-1], forecast.value],
            "k--",
            lw=2.2,
            zorder=3,
            label=f"{forecast.model} forecast",
        )
    if forecast is not None:
        ax.fill_between(
            forecast.years,
            forecast.lower,
            forecast.upper,
            alpha=0.25,
            color="grey",
            label=f"{forecast.model} {forecast.level:.0%} prediction interval",
        )
    ax.plot(result.years, result.values, "ko", ms=4, zorder=4, label="data")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("year")
    ax.set_ylabel(ylabel)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(result.name)
    ax.legend(fontsize="small", loc="upper left")
    ax.grid(True, which="both", alpha=0.3)
    return ax
