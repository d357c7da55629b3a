"""Growth-curve fitting: parameter recovery, AICc, real series, diagnostics."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from dcsim import growth
from dcsim.growth.fitting import fit_model
from dcsim.growth.models import MODELS

N_SERIES = 200
LEVEL = 0.9

# true parameters, number of points, log-noise SD: each curve's bend lies inside the data
TRUTH = {
    "exponential": ((21.4, 0.25), 15, 0.1),
    "quadexp": ((21.4, 0.3, -0.01), 15, 0.1),
    "logistic": ((25.3, 0.5, 8.0), 16, 0.05),
    "gompertz": ((25.3, 0.3, 6.0), 16, 0.05),
    "richards": ((25.3, 0.5, 8.0, np.log(0.5)), 20, 0.03),
}


def binomial_band(n: int, p: float, tail: float = 1e-3) -> tuple[float, float]:
    """Rates a correct p-coverage procedure stays within with probability 1 - tail."""
    lo, hi = stats.binom.ppf([tail / 2, 1 - tail / 2], n, p)
    return lo / n, hi / n


@pytest.mark.parametrize("name", list(TRUTH))
def test_confidence_intervals_cover_true_parameters(name: str) -> None:
    theta, n, sigma = TRUTH[name]
    model = MODELS[name]
    t = np.arange(n, dtype=float)
    rng = np.random.default_rng(2024)
    hits = np.zeros(len(theta))
    for _ in range(N_SERIES):
        fit = fit_model(model, t, model.func(t, *theta) + rng.normal(0, sigma, n))
        assert fit.ok, fit.reason
        ci = fit.conf_int(LEVEL)
        hits += [ci[p][0] <= v <= ci[p][1] for p, v in zip(model.params, theta, strict=True)]
    lo, hi = binomial_band(N_SERIES, LEVEL)
    rates = dict(zip(model.params, hits / N_SERIES, strict=True))
    assert all(lo <= r <= hi for r in rates.values()), (rates, (lo, hi))


def test_aicc_matches_hand_computation() -> None:
    years = np.arange(2010, 2022)
    values = np.exp(21.0 + 0.3 * (years - 2010) + np.random.default_rng(5).normal(0, 0.1, 12))
    fit = growth.fit(years, values, ["exponential"])["exponential"]
    t, y = years - 2010, np.log(values)
    slope, intercept = np.polyfit(t, y, 1)
    rss = np.sum((y - intercept - slope * t) ** 2)
    n, k = 12, 3  # two curve parameters plus the noise variance
    by_hand = n * np.log(rss / n) + 2 * k + 2 * k * (k + 1) / (n - k - 1)
    assert fit.aicc == pytest.approx(by_hand, rel=1e-9)
    assert growth.aicc(rss, n, 2) == pytest.approx(by_hand, rel=1e-12)


def test_aicc_prefers_the_generating_model() -> None:
    years = np.arange(2000, 2020)
    logv = MODELS["logistic"].func(years - 2000.0, 25.0, 0.6, 10.0)
    values = np.exp(logv + np.random.default_rng(9).normal(0, 0.03, 20))
    assert growth.fit(years, values).best.name in ("logistic", "richards")


@pytest.mark.parametrize("company", ["Meta", "Alphabet", "Amazon", "Microsoft"])
def test_every_model_converges_on_real_series(company: str) -> None:
    series = growth.load_company(company)
    result = growth.fit(series.years, series.values, "all", name=company)
    assert [f.name for f in result.failed] == []
    assert {f.name for f in result.ranked} == set(MODELS)
    for f in result.ranked:
        assert np.isfinite(f.aicc) and 0 < f.rmse < 0.5


def test_alt_measure_and_guidance_load_and_fit() -> None:
    alt = growth.load_company("meta", measure="incl-finance-leases")
    assert alt.values[alt.years == 2025][0] == pytest.approx(72.22e9)
    result = growth.fit(alt.years, alt.values)  # 7 points: Richards (4 params) needs 7
    assert result.best.ok
    planned = growth.load_company("Meta", kind="all")
    assert planned.years[-1] == 2026  # guidance fills the year without an actual
    assert planned.values[planned.years == 2024][0] == pytest.approx(37.256e9)  # actual wins
    guidance = growth.load_company("Meta", kind="guidance")
    assert guidance.values[guidance.years == 2024][0] == pytest.approx(39e9)  # latest guidance


def test_unidentified_ceiling_is_flagged() -> None:
    years = np.arange(2010, 2024)
    values = np.exp(21 + 0.3 * (years - 2010) + np.random.default_rng(1).normal(0, 0.05, 14))
    logistic = growth.fit(years, values, ["logistic"])["logistic"]
    assert any("log_K" in w for w in logistic.warnings), logistic.warnings


def test_too_few_points_skips_models_with_reasons() -> None:
    result = growth.fit([2020, 2021, 2022, 2023, 2024], [1.0, 2.0, 3.5, 7.0, 12.0])
    assert result.best.name == "exponential"
    skipped = {f.name: f.reason for f in result.failed}
    assert set(skipped) == {"logistic", "gompertz", "richards"}
    assert all("needs at least" in r for r in skipped.values())


@pytest.mark.parametrize(
    ("years", "values", "message"),
    [
        ([2020, 2021], [1.0, 2.0], "no model could be fitted"),
        ([2020, 2020, 2021, 2022, 2023], [1, 2, 3, 4, 5], "duplicate years 2020"),
        ([2020, 2021, 2022, 2023, 2024], [1, 2, 0, 4, 5], "positive"),
        ([2020.5, 2021, 2022, 2023, 2024], [1, 2, 3, 4, 5], "whole numbers"),
        (["a", 2021, 2022, 2023, 2024], [1, 2, 3, 4, 5], "numeric"),
    ],
)
def test_bad_series_raise_user_input_error(years, values, message) -> None:
    with pytest.raises(growth.UserInputError, match=message):
        growth.fit(years, values)


def test_unknown_names_raise_user_input_error() -> None:
    with pytest.raises(growth.UserInputError, match="unknown model 'spline'"):
        growth.fit(range(2010, 2020), np.arange(1, 11.0), ["spline"])
    with pytest.raises(growth.UserInputError, match="unknown company 'Nokia'"):
        growth.load_company("Nokia")
    with pytest.raises(growth.UserInputError, match="unknown measure"):
        growth.load_company("Meta", measure="opex")


def test_load_csv_with_custom_columns(tmp_path) -> None:
    path = tmp_path / "series.csv"
    path.write_text("firm,fy,usd\nA,2020,1\nA,2021,2\nB,2020,5\nA,2022,4\n")
    series = growth.load_csv(path, year_col="fy", value_col="usd", company="a", company_col="firm")
    assert series.years.tolist() == [2020, 2021, 2022]
    assert series.values.tolist() == [1.0, 2.0, 4.0]
    with pytest.raises(growth.UserInputError, match="missing column"):
        growth.load_csv(path)
    with pytest.raises(growth.UserInputError, match="file not found"):
        growth.load_csv(tmp_path / "absent.csv")


def test_auto_leaves_out_quadexp_unless_asked() -> None:
    series = growth.load_company("Microsoft")
    assert "quadexp" not in {f.name for f in growth.fit(series.years, series.values).fits}
    assert growth.fit(series.years, series.values, "all").best.name == "quadexp"


def test_to_frame_ranks_by_aicc() -> None:
    series = growth.load_company("Amazon")
    frame = growth.fit(series.years, series.values).to_frame()
    assert frame["aicc"].is_monotonic_increasing
    assert frame["weight"].sum() == pytest.approx(1.0)
    assert frame["delta_aicc"].iloc[0] == 0.0
