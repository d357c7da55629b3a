"""Scoring forecasts of durations against what the data allows, censoring included.

A forecast is a sample of days from start to a milestone (a Monte Carlo ensemble); an
observation is an interval ``[lower, upper]`` of durations (see
:mod:`dcsim.calibration.observations`). A forecast band "holds" an observation when the
two intervals meet: a milestone "reached by X" is never a miss when the band lies before
X, and one "not reached as of Y" never a miss when the band lies after Y.

CRPS and the interval score (``scoringrules``) need one value: for a censored observation
it is the point of ``[lower, upper]`` nearest the forecast's median. Both scores are convex
in the observed value with their minimum at (CRPS) or around (interval score) the median,
so this is the most lenient value the data allows: a forecast is charged only for what the
data rules out. PIT values of censored observations are the middle of the PIT range
``[F(lower), F(upper)]``.
"""

from __future__ import annotations

import math
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
    inside_p10_p90: bool
    inside_p25_p75: bool
    crps: float
    interval_score: float
    pit: float
    inside_levels: tuple[bool, ...]  # does each central interval of LEVELS hold it?

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
        }


def meets(low: float, high: float, observed: Duration) -> bool:
    """Whether the band ``[low, high]`` and the observed interval share a value."""
    return max(low, observed.lower) <= min(high, observed.upper)


def scoring_value(observed: Duration, median: float) -> float:
    """The value of ``[lower, upper]`` nearest ``median`` (the observation itself when exact)."""
    return float(min(max(median, observed.lower), observed.upper))


def pit(sample: np.ndarray, observed: Duration) -> float:
    """The forecast's CDF at the observation (mid-rank for ties; middle of the range for an
    interval)."""
    ordered = np.sort(sample)

    def cdf(y: float) -> float:
        if math.isinf(y):
            return 1.0 if y > 0 else 0.0
        below = np.searchsorted(ordered, y, side="left")
        upto = np.searchsorted(ordered, y, side="right")
        return float((below + upto) / 2 / len(ordered))

    return (cdf(observed.lower) + cdf(observed.upper)) / 2


def score(sample: Sequence[float] | np.ndarray, observed: Duration) -> Scored:
    """Score one forecast ensemble against one observation."""
    import scoringrules as sr

    values = np.asarray(sample, dtype=float)
    if values.size == 0 or not np.isfinite(values).all():
        raise ValueError("a forecast sample must be non-empty and finite")
    p10, p25, p50, p75, p90 = (float(q) for q in np.quantile(values, QUANTILES))
    y = scoring_value(observed, p50)
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
        inside_p10_p90=meets(p10, p90, observed),
        inside_p25_p75=meets(p25, p75, observed),
        crps=float(sr.crps_ensemble(y, values)),
        interval_score=float(sr.interval_score(y, p10, p90, ALPHA_P10_P90)),
        pit=pit(values, observed),
        inside_levels=tuple(
            meets(*np.quantile(values, [(1 - c) / 2, (1 + c) / 2]), observed) for c in LEVELS
        ),
    )


#: Observations whose date the data brackets on both sides (not "reached by" or "not
#: reached as of"): the only ones a band can miss on either side.
BRACKETED = ("exact", "interval")


def summary(scored: Sequence[Scored]) -> dict[str, float | int | None]:
    """The contract's headline scores over a set of scored observations, and the two
    coverages again over the bracketed observations alone (a censored outcome counts as
    held whenever the band is consistent with it, which lifts the headline coverages: a
    "not reached as of" day early in the band holds any band)."""
    bracketed = [s for s in scored if s.censored in BRACKETED]
    exact = {
        "coverage_p10_p90_bracketed": (
            float(np.mean([s.inside_p10_p90 for s in bracketed])) if bracketed else None
        ),
        "coverage_p25_p75_bracketed": (
            float(np.mean([s.inside_p25_p75 for s in bracketed])) if bracketed else None
        ),
        "n_bracketed": len(bracketed),
    }
    if not scored:
        return {
            "coverage_p10_p90": None,
            "coverage_p25_p75": None,
            "crps_mean": None,
            "interval_score_mean": None,
            "n_sites": 0,
            "n_observations": 0,
            **exact,
        }
    return {
        **exact,
        "coverage_p10_p90": float(np.mean([s.inside_p10_p90 for s in scored])),
        "coverage_p25_p75": float(np.mean([s.inside_p25_p75 for s in scored])),
        "crps_mean": float(np.mean([s.crps for s in scored])),
        "interval_score_mean": float(np.mean([s.interval_score for s in scored])),
        "n_sites": len({s.site for s in scored}),
        "n_observations": len(scored),
    }
