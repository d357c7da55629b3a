"""Backtests: does an 80% band hold about 80% of real outcomes on sites the fit did not see?

Three forecasts of every observed milestone, each scored the same way
(:mod:`dcsim.calibration.scoring`):

- **calibrated**, leave-one-site-out: the build-mode durations refitted without the site
  (an exact refit: the likelihood fit takes milliseconds once the simulator's delays are
  known, and those come from the prior durations, the same for every fit), then the site
  simulated with them;
- **defaults**: the site simulated with the cited fallback durations, uncalibrated;
- **reference class**: no simulator at all (Flyvbjerg's reference-class forecasting): the
  other sites' observed days to the same milestone, scaled to this site's size by a
  log-log regression on planned GPUs, the regression's residuals giving the spread;
- **reference class by start**: the same with the start date as a second regressor, so
  the calibrated fit's trend with the era is not what alone beats the naive forecast.

A time split fits on sites whose work began before a cut-off and predicts the rest.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from dcsim.calibration.dataset import Dataset, Site
from dcsim.calibration.fit import Bound, Calibrated, fit_bounds, offsets, scored_forecasts
from dcsim.calibration.observations import Duration, durations
from dcsim.calibration.scoring import Scored, score, summary
from dcsim.calibration.sites import gpu_count, site_origin
from dcsim.config.build_modes import years_from_reference

#: Monte Carlo replications per site forecast.
REPLICATIONS = 200
#: Fewest other observations of a milestone the reference class uses (else first power's).
MIN_REFERENCE = 3


@dataclass(frozen=True)
class Forecasts:
    """The scored observations of one forecast method."""

    name: str
    scored: list[Scored]

    def summary(self) -> dict[str, Any]:
        return summary(self.scored)


def reference_class(
    dataset: Dataset, only: Sequence[str] | None = None, by_start: bool = False
) -> list[Scored]:
    """The naive forecast of each site's milestones from the other sites' outcomes, scaled
    to its size (and, ``by_start``, to its start date: the era the calibrated fit knows)."""
    points = {
        site.site_id: [
            (d, _covariates(site, by_start))
            for d in durations(site)
            if d.censored in ("exact", "interval") and d.stated > 0
        ]
        for site in dataset.sites
    }
    scored = []
    for site in dataset.sites:
        if only is not None and site.site_id not in only:
            continue
        for d in durations(site):
            sample = _reference_sample(site, d, points, _covariates(site, by_start))
            if sample is not None:
                scored.append(score(sample, d))
    return scored


def _covariates(site: Site, by_start: bool) -> tuple[float, ...]:
    """The reference class's regressors: log planned GPUs, and years from 2024 to the start."""
    size = math.log(gpu_count(site))
    return (size, years_from_reference(site_origin(site))) if by_start else (size,)


def _reference_sample(
    site: Site,
    d: Duration,
    points: dict[str, list[tuple[Duration, tuple[float, ...]]]],
    covariates: tuple[float, ...],
) -> np.ndarray | None:
    """The other sites' log days to the milestone, regressed (least squares) on the
    covariates and moved to this site's, each residual one draw."""

    def pool(milestone: str) -> list[tuple[tuple[float, ...], float]]:
        return [
            (x, math.log(other.stated))
            for site_id, rows in points.items()
            if site_id != site.site_id
            for other, x in rows
            if other.milestone == milestone
        ]

    found = pool(d.milestone)
    if len(found) < MIN_REFERENCE:
        found = pool("first_power")
    if len(found) < MIN_REFERENCE:
        return None
    design = np.array([(1.0, *x) for x, _ in found])
    y = np.array([value for _, value in found])
    coefficients = np.linalg.lstsq(design, y, rcond=None)[0]
    residuals = y - design @ coefficients
    return np.exp(np.array((1.0, *covariates)) @ coefficients + residuals)


def leave_one_out(
    dataset: Dataset, bounds: dict[str, Bound], seed: int, executor: Any, replications: int
) -> list[Scored]:
    """Each site forecast with durations fitted on every other site."""
    chosen = {}
    for site in dataset.sites:
        others = [b for site_id, b in bounds.items() if site_id != site.site_id]
        chosen[site.site_id] = Calibrated.of(fit_bounds(others))
    return scored_forecasts(dataset, chosen, seed, executor, replications)


def split_date(dataset: Dataset) -> dt.date:
    """The first of a year such that about two thirds of the sites began before it."""
    starts = sorted(site_origin(site) for site in dataset.sites)
    years = sorted({d.year for d in starts})
    target = 2 / 3 * len(starts)
    best = min(
        years[1:] or years,
        key=lambda y: abs(sum(d < dt.date(y, 1, 1) for d in starts) - target),
    )
    return dt.date(best, 1, 1)


def time_split(
    dataset: Dataset,
    bounds: dict[str, Bound],
    cut: dt.date,
    seed: int,
    executor: Any,
    replications: int,
) -> list[Scored]:
    """Fit on sites begun before ``cut``; forecast those begun on or after it."""
    early = {s.site_id for s in dataset.sites if site_origin(s) < cut}
    fitted = Calibrated.of(fit_bounds([b for k, b in bounds.items() if k in early]))
    chosen = {s.site_id: fitted for s in dataset.sites if s.site_id not in early}
    return scored_forecasts(dataset, chosen, seed, executor, replications)


def backtest(
    dataset: Dataset,
    seed: int,
    executor: Any,
    fixed: Calibrated | None = None,
    cut: dt.date | None = None,
    replications: int = REPLICATIONS,
) -> tuple[dict[str, Any], dict[str, list[Scored]]]:
    """The backtest's result, keyed as ``dcsim backtest --json`` prints it, and the scored
    observations of each forecast (for the report's plots). ``fixed`` scores one
    calibration's durations and shocks on every site instead of refitting (in sample when that
    calibration was fitted on the same data)."""
    bounds = offsets(dataset, seed, executor)
    if fixed is None:
        main = leave_one_out(dataset, bounds, seed, executor, replications)
    else:
        everywhere = {s.site_id: fixed for s in dataset.sites}
        main = scored_forecasts(dataset, everywhere, seed, executor, replications)
    fallbacks = {s.site_id: None for s in dataset.sites}
    defaults = scored_forecasts(dataset, fallbacks, seed, executor, replications)
    reference = reference_class(dataset)
    by_start = reference_class(dataset, by_start=True)
    cut = cut or split_date(dataset)
    later = time_split(dataset, bounds, cut, seed, executor, replications)
    result = {
        **summary(main),
        "method": "leave-one-site-out refits" if fixed is None else "fixed calibration file",
        "seed": seed,
        "replications": replications,
        "data_sha256": dataset.sha256,
        "baselines": {
            "defaults": summary(defaults),
            "reference_class": summary(reference),
            "reference_class_by_start": summary(by_start),
        },
        "time_split": {**summary(later), "fit_before": cut.isoformat()},
        "rows": [s.row() for s in main],
    }
    return result, {"calibrated": main, "defaults": defaults, "reference_class": reference}
