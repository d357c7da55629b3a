"""Capex growth figures: the growth module's fit plot beside how well each model has
forecast in the past, so a reader weighs a forecast by its track record."""

from __future__ import annotations

from typing import Any

import matplotlib.ticker as mticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from dcsim.growth import DEFAULT_METHOD, plot_fit
from dcsim.plots.style import finish, legend_outside, new_axes

SHOWN = ("auto", "random_walk", "random_walk_drift", "log_linear")
"""Beside the default and the best method, the AICc curve and the three baselines."""


def shown_methods(backtest: Any) -> list[str]:
    """The methods drawn, best MAPE first: the default, the best, ``auto``, the baselines."""

    summary = backtest.summary
    wanted = {DEFAULT_METHOD, summary.index[0], *SHOWN}
    return [m for m in summary.index if m in wanted]


def plot_backtest_errors(backtest: Any, ax: Axes | None = None) -> Axes:
    """Mean absolute percentage error by forecast horizon for the default method (bold),
    the best method, ``auto`` (the AICc curve at each origin) and the baselines (dashed).
    ``backtest`` is a :class:`dcsim.growth.Backtest`."""

    ax = new_axes(ax, figsize=(7.0, 4.2))
    errors = backtest.rows.groupby(["model", "horizon"])["ape"].mean().unstack("model") * 100
    kinds = backtest.summary["kind"]
    for model in shown_methods(backtest):  # best first, so the legend reads as a ranking
        style: dict[str, Any] = {}
        if model == DEFAULT_METHOD:
            style = {"lw": 2.6, "color": "black"}
        elif kinds[model] == "baseline":
            style = {"ls": "--"}
        label = f"{model} (default)" if model == DEFAULT_METHOD else model
        ax.plot(errors.index, errors[model], marker="o", label=label, **style)
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
