"""Forecast scores worked out by hand on a ten-value ensemble (days 1..10).

numpy's linear quantiles of 1..10: P10 = 1.9, P25 = 3.25, P50 = 5.5, P75 = 7.75, P90 = 9.1.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from dcsim.calibration.observations import Duration
from dcsim.calibration.scoring import score, summary

SAMPLE = np.arange(1.0, 11.0)


def observed(lower: float, upper: float, censored: str) -> Duration:
    stated = upper if math.isfinite(upper) else lower
    return Duration(
        "s", "first_power", None, None, lower, upper, censored, stated, "construction_start"
    )


def test_an_exact_miss_above_the_band():
    s = score(SAMPLE, observed(9.5, 9.5, "exact"))
    assert (s.p10, s.p25, s.p50, s.p75, s.p90) == pytest.approx((1.9, 3.25, 5.5, 7.75, 9.1))
    assert not s.inside_p10_p90 and not s.inside_p25_p75
    # Interval score: width 7.2 + (2 / 0.2) x (9.5 - 9.1) = 11.2.
    assert s.interval_score == pytest.approx(11.2)
    # PIT: nine of ten values lie below 9.5.
    assert s.pit == pytest.approx(0.9)


def test_reached_by_is_never_a_miss_when_the_forecast_is_earlier():
    # Reached by day 20: the whole band is earlier, so it holds the observation.
    s = score(SAMPLE, observed(0.0, 20.0, "left"))
    assert s.inside_p10_p90 and s.inside_p25_p75
    # Scored at the value nearest the median (5.5): width only, and CRPS as for y = 5.5.
    assert s.interval_score == pytest.approx(7.2)
    # Reached by day 3: the band [1.9, 9.1] meets [0, 3]; [3.25, 7.75] does not.
    s = score(SAMPLE, observed(0.0, 3.0, "left"))
    assert s.inside_p10_p90 and not s.inside_p25_p75
    assert s.interval_score == pytest.approx(7.2)
    # PIT: F(0) = 0 and F(3) = (2 + 3) / 2 / 10 = 0.25 (mid-rank): middle 0.125.
    assert s.pit == pytest.approx(0.125)


def test_not_reached_as_of_a_later_day_is_a_miss_and_scored_at_that_day():
    s = score(SAMPLE, observed(12.0, math.inf, "right"))
    assert not s.inside_p10_p90
    # Interval score 7.2 + 10 x (12 - 9.1) = 36.2.
    assert s.interval_score == pytest.approx(36.2)
    # CRPS = E|X - 12| - E|X - X'| / 2 = 6.5 - 3.3 / 2 = 4.85 (sum of |i - j| over
    # 1..10 is 330, over 100 pairs).
    assert s.crps == pytest.approx(4.85)
    assert s.pit == 1.0


def test_crps_of_three_values_by_hand_and_the_summary():
    # {1, 2, 3} at y = 2: E|X - y| = 2/3, E|X - X'| = 8/9; CRPS = 2/3 - 4/9 = 2/9.
    assert score([1.0, 2.0, 3.0], observed(2.0, 2.0, "exact")).crps == pytest.approx(2 / 9)
    scored = [
        score(SAMPLE, observed(9.5, 9.5, "exact")),
        score(SAMPLE, observed(0.0, 3.0, "left")),
        score(SAMPLE, observed(12.0, math.inf, "right")),
    ]
    result = summary(scored)
    assert result["coverage_p10_p90"] == pytest.approx(1 / 3)
    assert result["coverage_p25_p75"] == 0.0
    assert result["interval_score_mean"] == pytest.approx((11.2 + 7.2 + 36.2) / 3)
    assert (result["n_sites"], result["n_observations"]) == (1, 3)
    assert summary([])["n_observations"] == 0


def test_bracketed_coverage_counts_exact_and_interval_dates_only():
    scored = [
        score(SAMPLE, observed(9.5, 9.5, "exact")),  # above both bands
        score(SAMPLE, observed(5.0, 6.0, "interval")),  # inside both
        score(SAMPLE, observed(0.0, 20.0, "left")),  # held by both, not bracketed
        score(SAMPLE, observed(0.5, math.inf, "right")),  # held by both, not bracketed
    ]
    result = summary(scored)
    # all four: 3 of 4 held by either band; bracketed (exact, interval): 1 of 2
    assert (result["coverage_p10_p90"], result["coverage_p25_p75"]) == (0.75, 0.75)
    assert result["coverage_p10_p90_bracketed"] == result["coverage_p25_p75_bracketed"] == 0.5
    assert result["n_bracketed"] == 2
    assert summary(scored[2:])["coverage_p10_p90_bracketed"] is None


def test_a_forecast_must_be_finite():
    with pytest.raises(ValueError, match="finite"):
        score([1.0, math.inf], observed(1.0, 1.0, "exact"))
