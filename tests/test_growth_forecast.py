"""Forecast intervals, bootstrap bookkeeping, backtest and plot."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

from dcsim import growth
from dcsim.growth.models import MODELS
from tests.test_growth_fit import binomial_band

matplotlib.use("Agg")

N_SIMS = 200
LEVEL = 0.9


@pytest.mark.parametrize(
    ("name", "theta"), [("exponential", (21.4, 0.25)), ("quadexp", (21.4, 0.3, -0.01))]
)
def test_forecast_intervals_cover_new_observations(name: str, theta: tuple[float, ...]) -> None:
    """Simulate history plus three future years; the 90% band should catch ~90% of them."""
    model, n, horizon, sigma = MODELS[name], 12, 3, 0.1
    years = np.arange(2010, 2010 + n)
    t_all = np.arange(n + horizon, dtype=float)
    rng = np.random.default_rng(11)
    hits = np.zeros(horizon)
    for i in range(N_SIMS):
        logv = model.func(t_all, *theta) + rng.normal(0, sigma, n + horizon)
        forecast = growth.fit(years, np.exp(logv[:n]), [name]).forecast(
            horizon, level=LEVEL, seed=i, n_boot=300
        )
        truth = np.exp(logv[n:])
        hits += (forecast.lower <= truth) & (truth <= forecast.upper)
    lo, hi = binomial_band(N_SIMS, LEVEL)
    assert np.all((lo <= hits / N_SIMS) & (hits / N_SIMS <= hi)), hits / N_SIMS


def meta() -> growth.GrowthFit:
    series = growth.load_company("Meta")
    return growth.fit(series.years, series.values, name="Meta")


def test_forecast_is_seeded_and_brackets_the_median() -> None:
    result = meta()
    first = result.forecast(3, seed=42, n_boot=100, model="logistic")
    again = result.forecast(3, seed=42, n_boot=100, model="logistic")
    other = result.forecast(3, seed=43, n_boot=100, model="logistic")
    assert np.array_equal(first.lower, again.lower)
    assert not np.array_equal(first.lower, other.lower)
    assert np.all((first.lower < first.value) & (first.value < first.upper))
    assert first.years.tolist() == [2026, 2027, 2028]
    assert first.n_failed == 0
    assert [set(r) for r in first.records()] == [{"year", "value", "lower", "upper"}] * 3


def test_failed_refits_are_counted(monkeypatch) -> None:
    from dcsim.growth import forecast as forecast_module
    from dcsim.growth.fitting import FitError

    calls = {"n": 0}
    real = forecast_module.solve_quietly

    def flaky(*args):
        calls["n"] += 1
        if calls["n"] % 4 == 0:
            raise FitError("simulated failure")
        return real(*args)

    monkeypatch.setattr(forecast_module, "solve_quietly", flaky)
    fc = meta().forecast(2, seed=1, n_boot=40, model="gompertz")
    assert fc.n_failed == 10
    assert np.all(np.isfinite(fc.lower))


def test_backtest_reports_mape_and_coverage() -> None:
    series = growth.load_company("Microsoft")
    result = growth.backtest(series, ["exponential", "quadexp"], horizon=2, min_train=7, n_boot=50)
    summary = result.summary
    curves = {"exponential", "quadexp", "auto"}
    combinations = {"aicc_weighted", "equal_weight", "track_record"}
    baselines = {"random_walk", "random_walk_drift", "log_linear"}
    assert set(summary.index) == curves | combinations | baselines
    assert {summary.loc[m, "kind"] for m in baselines} == {"baseline"}
    assert summary.loc["auto", "n_origins"] == 3  # fits through 2022, 2023, 2024
    assert 0 <= summary.loc["auto", "coverage"] <= 1
    assert 0 <= summary.loc["auto", "bootstrap_coverage"] <= 1
    assert np.isnan(summary.loc["exponential", "bootstrap_coverage"])  # only for 'auto'
    rows = result.rows
    first = rows[(rows.origin == 2022) & (rows.model == "exponential") & (rows.year == 2023)]
    fit = growth.fit(series.years[:7], series.values[:7], ["exponential"])
    assert first["forecast"].iloc[0] == pytest.approx(fit.predict([2023])[0])
    assert first["ape"].iloc[0] == pytest.approx(abs(fit.predict([2023])[0] / 28.107e9 - 1))


def test_backtest_needs_enough_points() -> None:
    with pytest.raises(growth.UserInputError, match="min_train"):
        growth.backtest(growth.Series("s", np.arange(2015, 2020), np.arange(1.0, 6.0)), min_train=8)


def test_plot_fit_returns_axes() -> None:
    result = meta()
    forecast = result.forecast(3, seed=0, n_boot=50)
    ax = growth.plot_fit(result, forecast)
    assert len(ax.lines) == len(result.ranked) + 1  # each curve plus the data points
    assert ax.get_yscale() == "log"
    import matplotlib.pyplot as plt

    _, own = plt.subplots()
    assert growth.plot_fit(result, ax=own, log=False) is own
    plt.close("all")
