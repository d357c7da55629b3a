"""The capex figure composes the growth fit with the backtest errors."""

from __future__ import annotations

from dcsim import growth
from dcsim.plots.capex import capex_figure, plot_backtest_errors


def test_backtest_errors_one_line_per_model_and_the_fit_beside_them():
    series = growth.load_company("Meta")
    result = growth.fit(series.years, series.values, name=series.name)
    backtest = growth.backtest(series.years, series.values, n_boot=20, name=series.name)
    ax = plot_backtest_errors(backtest)
    assert len(ax.get_lines()) == len(backtest.summary)
    assert "(%)" in ax.get_ylabel() and ax.get_xlabel() == "years ahead"
    assert ax.get_legend() is not None
    figure = capex_figure(result, backtest=backtest)
    fit_ax, error_ax = figure.axes
    assert fit_ax.get_ylabel() == "capex (USD)"
    assert len(error_ax.get_lines()) == len(backtest.summary)
