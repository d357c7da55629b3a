"""Forecast methods, conformal intervals and the nested default, worked out by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from dcsim import growth
from dcsim.growth.backtest import (
    RECORD_HORIZONS,
    TRACK_RECORD,
    backtest,
    track_record_choice,
)
from dcsim.growth.calibrated import calibrated_forecast
from dcsim.growth.conformal import conformal_rank, half_width, interval_score
from dcsim.growth.data import Series, other_companies
from dcsim.growth.methods import (
    Origin,
    akaike_weights,
    combine,
    log_linear,
    methods,
    pooled_slope,
    random_walk,
    random_walk_drift,
)
from tests.test_growth_fit import binomial_band

LN2 = math.log(2)


def test_baselines_on_a_tiny_series_by_hand() -> None:
    logv = np.log([2.0, 4.0, 8.0])
    assert random_walk(logv, 2) == pytest.approx([math.log(8)] * 2)
    # drift (ln 8 - ln 2) / 2 = ln 2 a year: 16 then 32
    assert np.exp(random_walk_drift(logv, 2)) == pytest.approx([16.0, 32.0])
    # line through (−2, 0), (−1, 1), (0, 3): slope 1.5, value 17/6 at the last year
    line = log_linear(np.array([2020, 2021, 2022]), np.array([0.0, 1.0, 3.0]), 2)
    assert line == pytest.approx([17 / 6 + 1.5, 17 / 6 + 3.0])
    assert np.isnan(random_walk_drift(logv[:1], 1)).all()


def test_akaike_weights_and_combination_by_hand() -> None:
    w = akaike_weights([10.0, 12.0])  # ΔAICc 0 and 2: weights 1 and e^-1, normalised
    assert w == pytest.approx([1 / (1 + math.exp(-1)), math.exp(-1) / (1 + math.exp(-1))])
    logs = np.array([[1.0, 2.0], [3.0, 5.0]])
    assert combine(logs, w) == pytest.approx([1 * w[0] + 3 * w[1], 2 * w[0] + 5 * w[1]])


def test_combination_of_two_fits_matches_the_fits_done_by_hand() -> None:
    """Exponential and log-quadratic are least-squares polynomials in ln V: fit both with
    numpy, compute AICc from the formula, and weight their forecasts by hand."""
    years = np.arange(2015, 2022)
    values = np.array([1.0, 1.5, 2.1, 3.4, 4.4, 7.0, 9.5])
    t, y = years - 2015.0, np.log(values)
    by_hand = {}
    for name, degree in (("exponential", 1), ("quadexp", 2)):
        coef = np.polyfit(t, y, degree)
        rss = float(np.sum((y - np.polyval(coef, t)) ** 2))
        n, k = len(y), degree + 2  # curve parameters + the noise variance
        aicc = n * math.log(rss / n) + 2 * k + 2 * k * (k + 1) / (n - k - 1)
        by_hand[name] = (aicc, np.polyval(coef, [7.0, 8.0]))
    (a1, f1), (a2, f2) = by_hand.values()
    w1 = 1 / (1 + math.exp(-(a2 - a1) / 2))
    expected = w1 * f1 + (1 - w1) * f2
    origin = Origin(Series("x", years, values), models=("exponential", "quadexp"))
    catalog = methods(["exponential", "quadexp"])
    assert catalog["aicc_weighted"].forecast(origin, 2) == pytest.approx(expected, rel=1e-6)
    assert catalog["equal_weight"].forecast(origin, 2) == pytest.approx((f1 + f2) / 2, rel=1e-6)


def test_pooled_slope_is_the_fixed_effects_slope() -> None:
    # a grows 1 a year, b 3 a year, each over three years (Σ (t − t̄)² = 2): the pooled
    # slope is the Σ(t − t̄)²-weighted mean of the two, (2·1 + 2·3) / (2 + 2) = 2

    a = Series("a", np.array([2020, 2021, 2022]), np.exp([0.0, 1.0, 2.0]))
    b = Series("b", np.array([2021, 2022, 2023]), np.exp([10.0, 13.0, 16.0]))
    assert pooled_slope([a, b]) == pytest.approx(2.0)
    origin = Origin(a, (b.until(2022),))
    # b through 2022 has two points (slope 3, Σ(t − t̄)² = 0.5): r = (2·1 + 0.5·3) / 2.5;
    # a's line with that slope passes its mean (2021, 1), so 2023 is 1 + 2r
    r = (2 * 1 + 0.5 * 3) / 2.5
    got = methods()["pooled_exponential"].forecast(origin, 1)
    assert got == pytest.approx([1.0 + 2 * r])


def test_conformal_rank_and_half_width() -> None:
    assert conformal_rank(9, 0.9) == 9 and conformal_rank(19, 0.9) == 18
    errors = np.arange(1, 20) / 100  # 0.01 .. 0.19: the 18th smallest bounds a 90% interval
    assert half_width(errors, 0.9) == (pytest.approx(0.18), "conformal")
    width, how = half_width([0.1, -0.2], 0.9)  # too few for the rank: t_1 quantile
    assert how == "normal" and width == pytest.approx(6.3138 * math.sqrt(0.025 * 1.5), rel=1e-4)
    assert half_width([0.1], 0.9)[1] == "none"


def test_interval_score_by_hand() -> None:
    # inside: the width; below by 0.5 at 90%: width + 20 · 0.5
    assert interval_score([0.0, 0.0], [1.0, 1.0], [0.5, -0.5], 0.9) == pytest.approx([1.0, 11.0])


def test_conformal_intervals_cover_a_series_with_known_noise() -> None:
    """Four log-linear series with N(0, 0.1) log noise: the 90% conformal intervals of
    the baselines, built only from errors already resolved, hold about 90% of outcomes."""
    rng = np.random.default_rng(7)
    years = np.arange(1980, 2025)
    series = [
        Series(f"s{i}", years, np.exp(20 + 0.15 * (years - 1980) + rng.normal(0, 0.1, years.size)))
        for i in range(4)
    ]
    bt = backtest(
        series, ["exponential"], horizon=1, min_train=15, intervals="none", name="synthetic"
    )
    summary = bt.summary
    n = int(summary.loc["log_linear", "n_forecasts"])
    lo, hi = binomial_band(n, 0.9)
    for name in ("log_linear", "random_walk_drift", "exponential"):
        assert lo <= summary.loc[name, "coverage"] <= hi, (name, summary.loc[name, "coverage"])


def test_track_record_only_uses_resolved_forecasts_in_its_window() -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "model": ["a", "b", "a", "b", "a", "b"],
            "year": [2020, 2020, 2022, 2022, 2020, 2020],
            "horizon": [1, 1, 1, 1, RECORD_HORIZONS + 1, RECORD_HORIZONS + 1],
            "log_actual": [1.0] * 6,
            # a is better by 2020, b after 2022; beyond the window, b is far better (ignored)
            "log_forecast": [1.1, 1.3, 5.0, 1.0, 9.0, 1.0],
        }
    )
    assert track_record_choice(frame, 2021, ["a", "b"]) == "a"
    assert track_record_choice(frame, 2022, ["a", "b"]) == "b"
    assert track_record_choice(frame, 2019, ["a", "b"]) is None


def test_default_forecast_of_a_year_does_not_depend_on_the_years_asked() -> None:
    """Issue 23: year T + h gets the same method, value and interval whether 1, 3 or 5
    years are forecast (Meta's 2026 was random_walk_drift, 95 B USD, with 1 year and
    equal_weight, 69 B USD, with 3)."""
    meta = growth.load_company("Meta")
    panel = other_companies("Meta")
    runs = {n: calibrated_forecast(meta, panel, TRACK_RECORD, n) for n in (1, 3, 5)}
    longest = runs[5].at(0.9)
    for n, run in runs.items():
        fc = run.at(0.9)
        assert run.used == runs[5].used
        for got, want in zip(
            (fc.value, fc.lower, fc.upper),
            (longest.value, longest.lower, longest.upper),
            strict=True,
        ):
            np.testing.assert_array_equal(got, want[:n])


def test_default_beats_the_baselines_on_the_shipped_companies() -> None:
    """The claim of docs/capex.md: pooled over the four companies at horizons 1–3, the
    nested default has a lower MAPE than random_walk_drift and auto, and its 90%
    intervals hold 80–95% of outcomes."""
    series = [growth.load_company(c) for c in growth.companies()]
    summary = backtest(series, intervals="none").summary
    default = summary.loc[TRACK_RECORD]
    assert default.kind == "combination"
    assert default.mape < summary.loc["random_walk_drift", "mape"]
    assert default.mape < summary.loc["auto", "mape"]
    assert 0.80 <= default.coverage <= 0.95
    kinds = summary.kind.to_dict()
    assert {kinds[b] for b in ("random_walk", "random_walk_drift", "log_linear")} == {"baseline"}
    # docs/capex.md shows the same table (docs/make_capex_tables.py --write regenerates it)
    page = (Path(__file__).parents[1] / "docs" / "capex.md").read_text(encoding="utf-8")
    block = page.split("<!-- capex-backtest:start -->")[1].split("<!-- capex-backtest:end -->")[0]
    for model, row in summary.iterrows():
        shown = f"**{model}**" if model == TRACK_RECORD else f"`{model}`"
        line = f"| {shown} | {row.kind} | {row.mape:.1f} | {row.coverage:.2f} ({row.n_intervals}) |"
        assert line in block, line
