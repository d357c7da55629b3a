"""Forecast scores worked out by hand on a ten-value ensemble (days 1..10).

numpy's linear quantiles of 1..10: P10 = 1.9, P25 = 3.25, P50 = 5.5, P75 = 7.75, P90 = 9.1;
the quantile of level q is 1 + 9q, so day y sits at level (y - 1) / 9 and an observed
interval [lower, upper] allows the levels [(lower - 1) / 9, (upper - 1) / 9] (clipped to
[0, 1]). Expected coverage: the share of those levels inside the band's levels, P10-P90
[0.1, 0.9], P25-P75 [0.25, 0.75].
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from dcsim.calibration.observations import Duration
from dcsim.calibration.scoring import (
    band_credit,
    levels_within,
    pit_histogram,
    score,
    summary,
)

SAMPLE = np.arange(1.0, 11.0)


def observed(lower: float, upper: float, censored: str) -> Duration:
    stated = upper if math.isfinite(upper) else lower
    return Duration(
        "s", "first_power", None, None, lower, upper, censored, stated, "construction_start"
    )


def test_an_exact_miss_above_the_band():
    s = score(SAMPLE, observed(9.5, 9.5, "exact"))
    assert (s.p10, s.p25, s.p50, s.p75, s.p90) == pytest.approx((1.9, 3.25, 5.5, 7.75, 9.1))
    # Level (9.5 - 1) / 9 = 0.944, above both bands: 0, by either rule.
    assert (s.inside_p10_p90, s.inside_p25_p75) == (0.0, 0.0)
    assert not s.inside_p10_p90_consistent and not s.inside_p25_p75_consistent
    # Interval score: width 7.2 + (2 / 0.2) x (9.5 - 9.1) = 11.2.
    assert s.interval_score == pytest.approx(11.2)
    # PIT: the level of 9.5, (9.5 - 1) / 9.
    assert s.pit_range == pytest.approx((8.5 / 9, 8.5 / 9))
    assert s.pit == pytest.approx(8.5 / 9)


def test_reached_by_is_never_a_miss_when_the_forecast_is_earlier():
    # Reached by day 20: the whole forecast is earlier, every level [0, 1] is allowed, so
    # each band is credited its own level: what a calibrated forecast earns on average,
    # never a miss (the lenient rule called it a full hit).
    s = score(SAMPLE, observed(0.0, 20.0, "left"))
    assert (s.inside_p10_p90, s.inside_p25_p75) == pytest.approx((0.8, 0.5))
    assert s.inside_levels == pytest.approx((0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9))
    assert s.inside_p10_p90_consistent and s.inside_p25_p75_consistent
    # Reached by day 9.55, just after P90: levels [0, 0.95]; P10-P90 holds 0.8 of them.
    s = score(SAMPLE, observed(0.0, 9.55, "left"))
    assert s.inside_p10_p90 == pytest.approx(0.8 / 0.95)
    # Scored at the value nearest the median (5.5): width only, and CRPS as for y = 5.5.
    assert s.interval_score == pytest.approx(7.2)
    # Reached by day 3: levels [0, 2/9]; P10-P90 holds [0.1, 2/9] of them, 0.55;
    # P25-P75 none (the lenient rule: P10-P90 [1.9, 9.1] meets [0, 3], P25-P75 does not).
    s = score(SAMPLE, observed(0.0, 3.0, "left"))
    assert (s.inside_p10_p90, s.inside_p25_p75) == pytest.approx((0.55, 0.0))
    assert s.inside_p10_p90_consistent and not s.inside_p25_p75_consistent
    assert s.interval_score == pytest.approx(7.2)
    # PIT: the levels [0, 2/9], middle 1/9.
    assert s.pit_range == pytest.approx((0.0, 2 / 9))
    assert s.pit == pytest.approx(1 / 9)


def test_not_reached_as_of_a_later_day_is_a_miss_and_scored_at_that_day():
    s = score(SAMPLE, observed(12.0, math.inf, "right"))
    # The forecast gives day 12 or later no chance: a miss by either rule.
    assert s.inside_p10_p90 == 0.0 and not s.inside_p10_p90_consistent
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
    # Expected coverage: (0 + 0.55 + 0) / 3 and (0 + 0 + 0) / 3; lenient: 1 of 3 and 0.
    assert result["coverage_p10_p90"] == pytest.approx(0.55 / 3)
    assert result["coverage_p25_p75"] == 0.0
    assert result["coverage_p10_p90_consistent"] == pytest.approx(1 / 3)
    assert result["coverage_p25_p75_consistent"] == 0.0
    assert result["interval_score_mean"] == pytest.approx((11.2 + 7.2 + 36.2) / 3)
    assert (result["n_sites"], result["n_observations"]) == (1, 3)
    assert summary([])["n_observations"] == 0


def test_bracketed_coverage_counts_exact_and_interval_dates_only():
    scored = [
        score(SAMPLE, observed(9.5, 9.5, "exact")),  # above both bands: 0
        score(SAMPLE, observed(5.0, 6.0, "interval")),  # levels [4/9, 5/9], inside both: 1
        score(SAMPLE, observed(0.0, 20.0, "left")),  # every level allowed: 0.8 and 0.5
        score(SAMPLE, observed(0.5, math.inf, "right")),  # the same: 0.8 and 0.5
    ]
    result = summary(scored)
    # All four: (0 + 1 + 0.8 + 0.8) / 4 = 0.65 and (0 + 1 + 0.5 + 0.5) / 4 = 0.5; the
    # lenient rule holds 3 of 4 in either band. Bracketed (exact, interval): 1 of 2.
    assert (result["coverage_p10_p90"], result["coverage_p25_p75"]) == pytest.approx((0.65, 0.5))
    assert result["coverage_p10_p90_consistent"] == result["coverage_p25_p75_consistent"] == 0.75
    assert result["coverage_p10_p90_bracketed"] == result["coverage_p25_p75_bracketed"] == 0.5
    assert result["n_bracketed"] == 2
    assert summary(scored[2:])["coverage_p10_p90_bracketed"] is None


def test_a_forecast_must_be_finite():
    with pytest.raises(ValueError, match="finite"):
        score([1.0, math.inf], observed(1.0, 1.0, "exact"))


def test_an_interval_across_the_band_edge_counts_its_share():
    # Within the year, days 8 to 10: levels [7/9, 1]; P10-P90 holds [7/9, 0.9] of them,
    # (0.9 - 7/9) / (2/9) = 0.55; P25-P75 none.
    s = score(SAMPLE, observed(8.0, 10.0, "interval"))
    assert (s.inside_p10_p90, s.inside_p25_p75) == pytest.approx((0.55, 0.0))
    assert s.inside_p10_p90_consistent


def test_tied_draws_are_an_atom_spread_over_their_levels():
    # Draws 1, 2, 2, 2, 3: the quantile of level q is flat at 2 for q in [0.25, 0.75], so
    # an exact 2 allows exactly those levels; P10-P90 holds them all, the central 20% band
    # [0.4, 0.6] holds 0.2 / 0.5 of them.
    ordered = np.array([1.0, 2.0, 2.0, 2.0, 3.0])
    assert levels_within(ordered, 2.0, 2.0) == pytest.approx((0.25, 0.75))
    two = observed(2.0, 2.0, "exact")
    assert band_credit(ordered, two, 0.8) == 1.0
    assert band_credit(ordered, two, 0.2) == pytest.approx(0.4)
    # Outside the draws: no level at all, so outside every band.
    assert levels_within(ordered, 3.5, 4.0) is None
    assert band_credit(ordered, observed(0.0, 0.5, "left"), 0.8) == 0.0


def test_a_calibrated_forecast_scores_its_nominal_coverage_under_censoring():
    """Truths drawn from the forecast's own distribution, half of them seen only as censored
    ("reached by" a later check, or "not reached as of" an earlier one, the check drawn
    independently of the truth): the expected coverage stays at 80% and 50%, where the
    lenient rule reads far more."""
    rng = np.random.default_rng(20)
    ordered = np.sort(rng.lognormal(6.0, 0.5, 2000))
    truths = rng.lognormal(6.0, 0.5, 4000)
    checks = rng.lognormal(6.0, 0.5, 4000)
    kinds = rng.integers(0, 2, 4000)
    credits = {0.8: [], 0.5: []}
    lenient = []
    p10, p90 = np.quantile(ordered, [0.1, 0.9])
    for truth, check, kind in zip(truths, checks, kinds, strict=True):
        if kind == 0:
            seen = observed(truth, truth, "exact")
        elif truth <= check:
            seen = observed(0.0, check, "left")
        else:
            seen = observed(check, math.inf, "right")
        for level in credits:
            credits[level].append(band_credit(ordered, seen, level))
        lenient.append(max(p10, seen.lower) <= min(p90, seen.upper))
    assert np.mean(credits[0.8]) == pytest.approx(0.8, abs=0.02)
    assert np.mean(credits[0.5]) == pytest.approx(0.5, abs=0.02)
    assert np.mean(lenient) > 0.88


def test_the_pit_histogram_spreads_a_censored_outcome_over_its_range():
    # Four outcomes on ten bins: levels [0, 0.2] (0.5 to each of the first two bins), an
    # exact 0.55 (bin 5), an exact 1 (the last bin), and "reached by" after the whole
    # forecast, [0, 1] (0.1 to every bin). Density = count / 4 outcomes x 10 bins.
    counts = np.array([0.6, 0.6, 0.1, 0.1, 0.1, 1.1, 0.1, 0.1, 0.1, 1.1])
    histogram = pit_histogram([(0.0, 0.2), (0.55, 0.55), (1.0, 1.0), (0.0, 1.0)], bins=10)
    assert histogram == pytest.approx(counts / 4 * 10)
    assert histogram.mean() == pytest.approx(1.0)
    # Below every draw: PIT range (0, 0), the first bin.
    assert score(SAMPLE, observed(0.0, 0.5, "left")).pit_range == (0.0, 0.0)
