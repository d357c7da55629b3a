"""The capex figure composes the growth fit with the backtest errors."""

from __future__ import annotations

from dcsim import growth
from dcsim.plots.capex import capex_figure, plot_backtest_errors, shown_methods


def test_backtest_errors_default_best_auto_and_baselines_and_the_fit_beside_them():
    series = growth.load_company("Meta")
    result = growth.fit(series.years, series.values, name=series.name)
    backtest = growth.backtest(series, intervals="none")
    shown = shown_methods(backtest)
    assert shown[0] == backtest.summary.index[0]  # the best first
    assert {"track_record", "auto", "random_walk", "random_walk_drift", "log_linear"} <= set(shown)
    ax = plot_backtest_errors(backtest)
    labels = [line.get_label() for line in ax.get_lines()]
    assert len(labels) == len(shown) and "track_record (default)" in labels
    assert "(%)" in ax.get_ylabel() and ax.get_xlabel() == "years ahead"
    assert ax.get_legend() is not None
    figure = capex_figure(result, backtest=backtest)
    fit_ax, error_ax = figure.axes
    assert fit_ax.get_ylabel() == "capex (USD)"
    assert len(error_ax.get_lines()) == len(shown)
