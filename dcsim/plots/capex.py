"""Capex growth figures: the growth module's fit plot beside how well each model has
forecast in the past, so a reader weighs a forecast by its track record."""

from __future__ import annotations

from typing import Any

import matplotlib.ticker as mticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from dcsim.growth import plot_fit
from dcsim.plots.style import finish, legend_outside, new_axes


def plot_backtest_errors(backtest: Any, ax: Axes | None = None) -> Axes:
    """Mean absolute percentage error by forecast horizon, one line per model (``auto`` is
    the whole procedure: rank by AICc at each origin, forecast with the winner).
    ``backtest`` is a :class:`dcsim.growth.Backtest`."""
    ax = new_axes(ax, figsize=(7.0, 4.2))
    errors = backtest.rows.groupby(["model", "horizon"])["ape"].mean().unstack("model") * 100
    for model in backtest.summary.index:  # best first, so the legend reads as a ranking
        style = {"lw": 2.4, "color": "black"} if model == "auto" else {}
        ax.plot(errors.index, errors[model], marker="o", label=model, **style)
    ax.xaxis.set_major_locator(mticker.MaxNLocator(integer=True))
    ax.set_ylim(bottom=0)
    legend_outside(ax, side="right")
    return finish(
        ax,
        f"{backtest.name}: backtest error by horizon",
        "mean absolute percentage error (%)",
        xlabel="years ahead",
    )


def capex_figure(result: Any, forecast: Any = None, backtest: Any = None) -> Figure:
    """The fit (and forecast) on the left, the backtest errors on the right if given."""
    panels = 2 if backtest is not None else 1
    figure = Figure(figsize=(7.0 * panels, 4.4), layout="constrained")
    axes = figure.subplots(1, panels, squeeze=False)[0]
    plot_fit(result, forecast, ax=axes[0])
    axes[0].set_ylabel("capex (USD)")
    if backtest is not None:
        plot_backtest_errors(backtest, ax=axes[1])
    return figure
