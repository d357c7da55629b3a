"""Scoring forecasts of durations against what the data allows, censoring included.

A forecast is a sample of days from start to a milestone (a Monte Carlo ensemble); an
observation is an interval ``[lower, upper]`` of durations (see
:mod:`dcsim.calibration.observations`).

Coverage is **expected coverage**: an observation counts as the forecast's own probability
that the truth lies in the band, given that it lies in ``[lower, upper]``. An exact date
counts 1 inside the band and 0 outside; a "reached by X" whose X lies after the whole
forecast counts the band's nominal level (0.8 for P10-P90): the data neither confirms nor
refutes the band, so it is credited what a calibrated forecast earns on average, never
scored as a miss. When the forecast is calibrated and the censoring does not depend on the
outcome, the expected credit of every observation is the band's level, so the coverage is
unbiased where it matters (the censored outcomes of D-calibration, Haider et al. 2020,
are spread over the forecast's own conditional distribution the same way). The older
"consistent" rule (the band and the interval share a value) is kept as
``inside_*_consistent``: it counts every censored outcome the band does not rule out as a
full hit, which lifts coverage by construction.

CRPS and the interval score (``scoringrules``) need one value: for a censored observation
it is the point of ``[lower, upper]`` nearest the forecast's median. Both scores are convex
in the observed value with their minimum at (CRPS) or around (interval score) the median,
so this is the most lenient value the data allows: a forecast is charged only for what the
data rules out.

The PIT of an observation is the range of quantile levels it allows (one level for an exact
date); the PIT histogram spreads each observation's unit weight evenly over its range, as
D-calibration does, and ``Scored.pit`` is the range's middle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dcsim.calibration.observations import Duration

QUANTILES = (0.10, 0.25, 0.50, 0.75, 0.90)
#: Central-interval levels of the reliability plot.
LEVELS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
#: The interval score of the P10-P90 band: alpha = 0.2 (an 80% central interval).
ALPHA_P10_P90 = 0.2


@dataclass(frozen=True)
class Scored:
    """One observation's forecast and its scores (days)."""

    site: str
    milestone: str
    actual: float
    censored: str
    p10: float
    p25: float
    p50: float
    p75: float
    p90: float
    inside_p10_p90: float  # expected coverage: 1 inside, 0 outside, between if censored
    inside_p25_p75: float
    inside_p10_p90_consistent: bool  # the band does not rule the observation out
    inside_p25_p75_consistent: bool
    crps: float
    interval_score: float
    pit: float  # the middle of pit_range
    pit_range: tuple[float, float]  # the quantile levels the observation allows
    inside_levels: tuple[float, ...]  # each central interval of LEVELS, as inside_p10_p90

    def row(self) -> dict[str, object]:
        """The backtest's row, as ``dcsim backtest --json`` prints it."""
        return {
            "site": self.site,
            "milestone": self.milestone,
            "actual": self.actual,
            "censored": self.censored,
            "p10": self.p10,
            "p25": self.p25,
            "p50": self.p50,
            "p75": self.p75,
            "p90": self.p90,
            "inside_p10_p90": self.inside_p10_p90,
            "inside_p10_p90_consistent": self.inside_p10_p90_consistent,
        }


def meets(low: float, high: float, observed: Duration) -> bool:
    """Whether the band ``[low, high]`` and the observed interval share a value (the
    lenient "consistent" rule)."""
    return max(low, observed.lower) <= min(high, observed.upper)


def levels_within(ordered: np.ndarray, lower: float, upper: float) -> tuple[float, float] | None:
    """The quantile levels ``[a, b]`` whose quantiles lie in ``[lower, upper]``, or None.

    The quantile function is numpy's linear one (``np.quantile``'s default, which gives the
    bands): level ``q`` sits at position ``(n - 1) q`` of the sorted sample, interpolated.
    It never decreases, so the levels it maps into an interval form an interval: a run of
    tied draws is a flat stretch, an atom of probability.
    """
    n = len(ordered)
    if upper < ordered[0] or lower > ordered[-1]:
        return None
    if n == 1:
        return (0.0, 1.0)
    if lower <= ordered[0]:
        a = 0.0
    else:  # the first level whose quantile reaches lower: ordered[k - 1] < lower <= ordered[k]
        k = int(np.searchsorted(ordered, lower, side="left"))
        a = (k - 1 + (lower - ordered[k - 1]) / (ordered[k] - ordered[k - 1])) / (n - 1)
    if upper >= ordered[-1]:
        b = 1.0
    else:  # the last level whose quantile stays within upper: ordered[k] <= upper < ordered[k + 1]
        k = int(np.searchsorted(ordered, upper, side="right")) - 1
        b = (k + (upper - ordered[k]) / (ordered[k + 1] - ordered[k])) / (n - 1)
    return (a, b)


def pit_range(ordered: np.ndarray, observed: Duration) -> tuple[float, float]:
    """The PIT values the observation allows: the levels whose quantiles lie in its
    interval; ``(0, 0)`` when it lies below every draw, ``(1, 1)`` above."""
    allowed = levels_within(ordered, observed.lower, observed.upper)
    if allowed is not None:
        return allowed
    return (0.0, 0.0) if observed.upper < ordered[0] else (1.0, 1.0)


def pit_histogram(ranges: Sequence[tuple[float, float]], bins: int = 10) -> np.ndarray:
    """Density of PIT values on ``bins`` equal bins of [0, 1] (1 everywhere when calibrated),
    each observation's unit weight spread evenly over its PIT range."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    counts = np.zeros(bins)
    for a, b in ranges:
        if b > a:
            overlap = np.minimum(edges[1:], b) - np.maximum(edges[:-1], a)
            counts += np.clip(overlap, 0.0, None) / (b - a)
        else:  # one level: the bin holding it (the last bin holds 1)
            counts[min(int(a * bins), bins - 1)] += 1.0
    return counts / max(len(ranges), 1) * bins


def band_credit(ordered: np.ndarray, observed: Duration, level: float) -> float:
    """The forecast's probability that the truth lies in its central ``level`` band (P10-P90
    for 0.8), given that it lies in the observed interval: the share of the levels the
    observation allows that fall in ``[(1 - level) / 2, (1 + level) / 2]``."""
    allowed = levels_within(ordered, observed.lower, observed.upper)
    if allowed is None:  # the forecast gives the observation no chance: outside every band
        return 0.0
    a, b = allowed
    low, high = (1 - level) / 2, (1 + level) / 2
    if b == a:  # one level (an exact date where the sample has no tie)
        return 1.0 if low <= a <= high else 0.0
    return max(0.0, min(b, high) - max(a, low)) / (b - a)


def scoring_value(observed: Duration, median: float) -> float:
    """The value of ``[lower, upper]`` nearest ``median`` (the observation itself when exact)."""
    return float(min(max(median, observed.lower), observed.upper))


def score(sample: Sequence[float] | np.ndarray, observed: Duration) -> Scored:
    """Score one forecast ensemble against one observation."""
    import scoringrules as sr

    values = np.asarray(sample, dtype=float)
    if values.size == 0 or not np.isfinite(values).all():
        raise ValueError("a forecast sample must be non-empty and finite")
    ordered = np.sort(values)
    p10, p25, p50, p75, p90 = (float(q) for q in np.quantile(ordered, QUANTILES))
    y = scoring_value(observed, p50)
    levels = pit_range(ordered, observed)
    return Scored(
        site=observed.site_id,
        milestone=observed.label,
        actual=observed.stated,
        censored=observed.censored,
        p10=p10,
        p25=p25,
        p50=p50,
        p75=p75,
        p90=p90,
        inside_p10_p90=band_credit(ordered, observed, 0.8),
        inside_p25_p75=band_credit(ordered, observed, 0.5),
        inside_p10_p90_consistent=meets(p10, p90, observed),
        inside_p25_p75_consistent=meets(p25, p75, observed),
        crps=float(sr.crps_ensemble(y, values)),
        interval_score=float(sr.interval_score(y, p10, p90, ALPHA_P10_P90)),
        pit=(levels[0] + levels[1]) / 2,
        pit_range=levels,
        inside_levels=tuple(band_credit(ordered, observed, c) for c in LEVELS),
    )


#: Observations whose date the data brackets on both sides (not "reached by" or "not
#: reached as of"): the only ones a band can miss on either side.
BRACKETED = ("exact", "interval")


def summary(scored: Sequence[Scored]) -> dict[str, float | int | None]:
    """The contract's headline scores over a set of scored observations (expected
    coverage), the two coverages again over the bracketed observations alone, and under the
    lenient "consistent" rule (kept so the change of rule hides nothing)."""

    def mean(rows: Sequence[Scored], key: str) -> float | None:
        return float(np.mean([getattr(s, key) for s in rows])) if rows else None

    bracketed = [s for s in scored if s.censored in BRACKETED]
    return {
        "coverage_p10_p90": mean(scored, "inside_p10_p90"),
        "coverage_p25_p75": mean(scored, "inside_p25_p75"),
        "crps_mean": mean(scored, "crps"),
        "interval_score_mean": mean(scored, "interval_score"),
        "n_sites": len({s.site for s in scored}),
        "n_observations": len(scored),
        "coverage_p10_p90_bracketed": mean(bracketed, "inside_p10_p90"),
        "coverage_p25_p75_bracketed": mean(bracketed, "inside_p25_p75"),
        "n_bracketed": len(bracketed),
        "coverage_p10_p90_consistent": mean(scored, "inside_p10_p90_consistent"),
        "coverage_p25_p75_consistent": mean(scored, "inside_p25_p75_consistent"),
    }
