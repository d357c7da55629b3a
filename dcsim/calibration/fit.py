"""Fitting each build mode's construction time to the real-site dataset, by likelihood.

What the data says is days from ground-breaking to a milestone (first power, an amount
energized, full build), most of them censored. What dcsim adds after construction
(installation, burn-in, commissioning, waiting for chips or power) is the simulator's, so
the fit works on construction time alone: each site is simulated at the prior durations
(the build modes' cited fallbacks; the same for every fit, so no site's data reaches
another's offset), the median days the simulator puts between the hall being ready and
each milestone is taken off that milestone's observed interval, and what remains bounds
the site's construction time ``C``. A site's milestones together bound one ``C``.

``C`` is lognormal per build mode, with its own median for a start on the trend's
reference date (``mu`` = log median days), moved by ``trend`` per year of later start
(the same for every mode: campuses begun in 2021-22 took about twice as long as those
begun in 2024-25), and a dispersion ``sigma`` shared by all modes (a mode with three sites
cannot pin a spread of its own). The likelihood of each site is the probability its
interval gets (interval, left and right censoring all take this one form); weakly
informative priors centre each median on the mode's cited fallback (a factor of about 2
either way at one standard deviation), the trend on none and ``sigma`` on 0.5. The
posterior mode and a Laplace approximation give the parameters and their uncertainty; a
forecast's lognormal spread is ``sqrt(sigma^2 + var(mu + trend x))`` at its start ``x``, so
a mode or an era the data hardly knows keeps wide bands
(:class:`~dcsim.config.build_modes.ConstructionLaw`).

A hall draws its shell and fit-out independently, so ``C`` is split into two lognormals
(the mode's shell share of its fallback, same spread) whose sum matches ``C``'s median and
spread by Fenton-Wilkinson moment matching.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from dcsim.calibration.dataset import Dataset, Site
from dcsim.calibration.observations import Duration, durations
from dcsim.calibration.scoring import Scored, score, summary
from dcsim.calibration.shocks import log_interval, log_likelihood, shock_entry
from dcsim.calibration.sites import HORIZON_YEARS, simulate_site, site_origin, site_scenario
from dcsim.config.build_modes import (
    BUILD_MODES,
    CALIBRATION_FORMAT,
    CALIBRATION_VERSION,
    FALLBACKS,
    TREND_REFERENCE,
    durations_of,
    years_from_reference,
)
from dcsim.units import DAYS_PER_YEAR

#: Replications per site when measuring the simulator's delays after construction.
OFFSET_REPLICATIONS = 64
PRIOR_SD_MU = 0.75
PRIOR_SIGMA = 0.5
PRIOR_SD_LOG_SIGMA = 0.5
#: The project-wide stop's priors (docs/calibration.md, "Priors"): its probability
#: Beta(2, 6) (mean 0.25); its median length 270 days (Meta's late-2022 redesign pause,
#: about nine months, recalled), a factor of 1.6 either way at one standard deviation;
#: its log-spread centred on 0.5.
PRIOR_STOP_A, PRIOR_STOP_B = 2.0, 6.0
PRIOR_STOP_MEDIAN_DAYS = 270.0
PRIOR_SD_STOP_MU = 0.5
PRIOR_STOP_SIGMA = 0.5
PRIOR_SD_STOP_SIGMA = 0.3
#: The trend's prior: no change per year of start, a factor of 1.35 either way at one
#: standard deviation (docs/calibration.md, "Priors").
PRIOR_SD_TREND = 0.3
#: The standard normal quantile of a 90% central interval.
Z90 = 1.645
#: A construction time the data bounds at or below zero is read as at most this (days).
MIN_DAYS = 1.0


@dataclass(frozen=True)
class SiteTask:
    """One site to simulate: picklable, so any executor can run it."""

    site: Site
    wanted: tuple[Duration, ...]
    durations: dict[str, Any] | None
    replications: int
    seed: int
    project_risk: tuple[dict[str, Any], ...] = ()


def run_task(task: SiteTask) -> tuple[np.ndarray, np.ndarray]:
    scenario = site_scenario(
        task.site, durations=task.durations, project_risk=list(task.project_risk)
    )
    return simulate_site(scenario, task.wanted, task.replications, task.seed)


@dataclass(frozen=True)
class Bound:
    """What one site says about its construction time: ``C`` in ``[low, high]`` days, for
    construction begun on ``start``."""

    site_id: str
    mode: str
    low: float
    high: float
    start: dt.date = TREND_REFERENCE


def construction_bound(
    site: Site, wanted: Sequence[Duration], days: np.ndarray, construction: np.ndarray
) -> Bound | None:
    """The interval of construction times consistent with all of the site's milestones,
    given the simulator's median delay from hall-ready to each; None if none says anything
    (every milestone beyond what the simulator reaches). Milestones that disagree under the
    model leave the first-power one (else the first) to speak for the site."""
    horizon = HORIZON_YEARS * DAYS_PER_YEAR
    usable = [
        (w, float(np.median(days[:, i] - construction)))
        for i, w in enumerate(wanted)
        if np.median(days[:, i]) <= horizon
    ]
    if not usable:
        return None
    lows = [max(0.0, w.lower - offset) for w, offset in usable]
    highs = [w.upper - offset for w, offset in usable]
    low, high = max(lows), min(highs)
    if low > high:
        first = next((i for i, (w, _) in enumerate(usable) if w.milestone == "first_power"), 0)
        low, high = lows[first], highs[first]
    high = max(high, low + MIN_DAYS, MIN_DAYS)
    return Bound(site.site_id, site.build_mode, low, high, site_origin(site))


def _log_probability(mu: float, sigma: float, low: float, high: float) -> float:
    """log P(low <= C <= high) for a lognormal C, accurate in both tails."""
    return float(log_interval(mu, sigma, np.array([low]), np.array([high]))[0])


@cache
def prior_median_days(mode: str) -> float:
    """The median of the mode's fallback construction time (shell + fit-out), by a fixed
    sample of 20,000 draws."""
    shell, fitout = fallback_parts(mode)
    rng = np.random.default_rng(0)
    return float(np.median([shell.sample(rng) + fitout.sample(rng) for _ in range(20_000)]))


def fallback_parts(mode: str) -> tuple[Any, Any]:
    from pydantic import TypeAdapter

    from dcsim.distributions import Duration as DurationType

    adapter = TypeAdapter(DurationType)
    entry = FALLBACKS[mode]
    return adapter.validate_python(entry["shell_time"]), adapter.validate_python(
        entry["fitout_time"]
    )


def shell_share(mode: str) -> float:
    """The shell's share of the fallback construction time (by means)."""
    shell, fitout = fallback_parts(mode)
    total = shell.mean() + fitout.mean()
    return shell.mean() / total if total > 0 else 0.0


@dataclass(frozen=True)
class Bounds:
    """The sites' construction bounds as arrays: each one's mode index, low and high, and
    years from the trend's reference date to its start."""

    mode: np.ndarray
    low: np.ndarray
    high: np.ndarray
    years: np.ndarray

    @classmethod
    def of(cls, bounds: Sequence[Bound]) -> Bounds:
        return cls(
            np.array([BUILD_MODES.index(b.mode) for b in bounds], dtype=int),
            np.array([b.low for b in bounds], dtype=float),
            np.array([b.high for b in bounds], dtype=float),
            np.array([years_from_reference(b.start) for b in bounds], dtype=float),
        )


#: Where each parameter sits in the fit's vector: each mode's log median at the trend's
#: reference date, log sigma, the stop's logit probability, its log median days and its log
#: sigma, and the change of every mode's log median per year of start.
N_MODES = len(BUILD_MODES)
LOG_SIGMA, LOGIT_P, MU_STOP, LOG_SIGMA_STOP, TREND = range(N_MODES, N_MODES + 5)


def prior_centre() -> np.ndarray:
    """The prior's centre, where the fit starts."""
    return np.array(
        [
            *np.log([prior_median_days(m) for m in BUILD_MODES]),
            math.log(PRIOR_SIGMA),
            _logit(PRIOR_STOP_A / (PRIOR_STOP_A + PRIOR_STOP_B)),
            math.log(PRIOR_STOP_MEDIAN_DAYS),
            math.log(PRIOR_STOP_SIGMA),
            0.0,
        ]
    )


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def negative_log_prior(theta: np.ndarray) -> float:
    """Normal priors on the log medians and log spreads; Beta(a, b) on the stop's
    probability, written on its logit (whose density is p^a (1 - p)^b)."""
    centre = prior_centre()
    mus = theta[:N_MODES]
    total = 0.5 * float(np.sum(((mus - centre[:N_MODES]) / PRIOR_SD_MU) ** 2))
    total += 0.5 * ((theta[LOG_SIGMA] - centre[LOG_SIGMA]) / PRIOR_SD_LOG_SIGMA) ** 2
    total += 0.5 * ((theta[MU_STOP] - centre[MU_STOP]) / PRIOR_SD_STOP_MU) ** 2
    total += 0.5 * ((theta[LOG_SIGMA_STOP] - centre[LOG_SIGMA_STOP]) / PRIOR_SD_STOP_SIGMA) ** 2
    total += 0.5 * (theta[TREND] / PRIOR_SD_TREND) ** 2
    logit = theta[LOGIT_P]
    log_p, log_q = -np.logaddexp(0.0, -logit), -np.logaddexp(0.0, logit)
    total -= PRIOR_STOP_A * log_p + PRIOR_STOP_B * log_q
    return float(total)


def negative_log_posterior(theta: np.ndarray, bounds: Bounds) -> float:
    p = 1.0 / (1.0 + math.exp(-theta[LOGIT_P]))
    likelihood = log_likelihood(
        theta[bounds.mode] + theta[TREND] * bounds.years,
        math.exp(theta[LOG_SIGMA]),
        p,
        theta[MU_STOP],
        math.exp(theta[LOG_SIGMA_STOP]),
        bounds.low,
        bounds.high,
    )
    return -float(np.sum(likelihood)) + negative_log_prior(theta)


def fit_bounds(bounds: Sequence[Bound]) -> dict[str, Any]:
    """Posterior mode and Laplace standard deviations of each mode's log-median (at the
    trend's reference date), of log sigma, of the project-wide stop's logit probability,
    log median and log spread, and of the trend per year of start; with each mode's
    covariance with the trend, which a forecast for another start needs."""
    from scipy.optimize import minimize

    data = Bounds.of(bounds)
    limits = [(0.0, math.log(3650.0))] * N_MODES + [
        (math.log(0.05), math.log(3.0)),
        (-8.0, 3.0),
        (math.log(14.0), math.log(2000.0)),
        (math.log(0.1), math.log(1.5)),
        (-2.0, 2.0),
    ]
    result = minimize(
        negative_log_posterior, prior_centre(), args=(data,), method="L-BFGS-B", bounds=limits
    )
    theta = result.x
    covariance = _laplace_covariance(theta, data)
    sd = np.sqrt(np.clip(np.diag(covariance), 0.0, None))
    counts = {mode: sum(b.mode == mode for b in bounds) for mode in BUILD_MODES}
    modes = {}
    for i, mode in enumerate(BUILD_MODES):
        mu, mu_sd = float(theta[i]), float(sd[i])
        modes[mode] = {
            "median_days": math.exp(mu),
            "log_median_sd": mu_sd,
            "median_days_p05": math.exp(mu - Z90 * mu_sd),
            "median_days_p95": math.exp(mu + Z90 * mu_sd),
            "prior_median_days": prior_median_days(mode),
            "n_sites": counts[mode],
            "trend_cov": float(covariance[i, TREND]),
        }
    sigma, log_sigma_sd = math.exp(theta[LOG_SIGMA]), float(sd[LOG_SIGMA])
    logit, logit_sd = float(theta[LOGIT_P]), float(sd[LOGIT_P])
    mu_stop, mu_stop_sd = float(theta[MU_STOP]), float(sd[MU_STOP])
    stop_sigma, stop_sigma_sd = math.exp(theta[LOG_SIGMA_STOP]), float(sd[LOG_SIGMA_STOP])
    trend, trend_sd = float(theta[TREND]), float(sd[TREND])
    starts = sorted(b.start for b in bounds) or [TREND_REFERENCE]
    return {
        "modes": modes,
        "sigma": sigma,
        "sigma_p05": math.exp(theta[LOG_SIGMA] - Z90 * log_sigma_sd),
        "sigma_p95": math.exp(theta[LOG_SIGMA] + Z90 * log_sigma_sd),
        "project_pause": {
            "probability": _expit(logit),
            "probability_p05": _expit(logit - Z90 * logit_sd),
            "probability_p95": _expit(logit + Z90 * logit_sd),
            "median_days": math.exp(mu_stop),
            "log_median_sd": mu_stop_sd,
            "median_days_p05": math.exp(mu_stop - Z90 * mu_stop_sd),
            "median_days_p95": math.exp(mu_stop + Z90 * mu_stop_sd),
            "sigma": stop_sigma,
            "sigma_p05": math.exp(theta[LOG_SIGMA_STOP] - Z90 * stop_sigma_sd),
            "sigma_p95": math.exp(theta[LOG_SIGMA_STOP] + Z90 * stop_sigma_sd),
        },
        "trend": {
            "per_year": trend,
            "per_year_sd": trend_sd,
            "per_year_p05": trend - Z90 * trend_sd,
            "per_year_p95": trend + Z90 * trend_sd,
            "reference": TREND_REFERENCE.isoformat(),
            "first_start": starts[0].isoformat(),
            "last_start": starts[-1].isoformat(),
        },
        "converged": bool(result.success),
    }


def _expit(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _laplace_covariance(theta: np.ndarray, bounds: Bounds) -> np.ndarray:
    """The inverse Hessian of the negative log posterior at its mode (central differences);
    the prior's own covariance where the Hessian is not positive definite."""
    n, h = len(theta), 1e-3
    f = lambda x: negative_log_posterior(x, bounds)  # noqa: E731
    hessian = np.empty((n, n))
    for i in range(n):
        for j in range(i, n):
            ei, ej = np.eye(n)[i] * h, np.eye(n)[j] * h
            value = (
                f(theta + ei + ej) - f(theta + ei - ej) - f(theta - ei + ej) + f(theta - ei - ej)
            ) / (4 * h * h)
            hessian[i, j] = hessian[j, i] = value
    try:
        np.linalg.cholesky(hessian)
        return np.linalg.inv(hessian)
    except np.linalg.LinAlgError:
        a, b = PRIOR_STOP_A, PRIOR_STOP_B
        prior = [PRIOR_SD_MU**2] * N_MODES + [
            PRIOR_SD_LOG_SIGMA**2,
            1 / a + 1 / b,  # the logit of a Beta(a, b), approximately
            PRIOR_SD_STOP_MU**2,
            PRIOR_SD_STOP_SIGMA**2,
            PRIOR_SD_TREND**2,
        ]
        return np.diag(prior)


def project_risk(fit: dict[str, Any]) -> list[dict[str, Any]]:
    """The fitted project-wide stop as a scenario's ``project_risk`` list; its length's
    spread carries the uncertainty of its median like a mode's does."""
    stop = fit["project_pause"]
    spread = math.sqrt(stop["sigma"] ** 2 + stop["log_median_sd"] ** 2)
    return [shock_entry(stop["probability"], stop["median_days"], spread)]


def construction_laws(fit: dict[str, Any]) -> dict[str, Any]:
    """The fit as a version-3 calibration file states it: each mode's construction law
    (``modes``) and what every mode shares (``construction``), read by
    :func:`dcsim.config.build_modes.durations_of`."""
    trend = fit["trend"]
    return {
        "modes": {
            mode: {
                "median_days": entry["median_days"],
                "log_median_var": entry["log_median_sd"] ** 2,
                "trend_cov": entry["trend_cov"],
                "shell_share": shell_share(mode),
            }
            for mode, entry in fit["modes"].items()
        },
        "construction": {
            "sigma": fit["sigma"],
            "trend": {
                "per_year": trend["per_year"],
                "per_year_var": trend["per_year_sd"] ** 2,
                "first_start": trend["first_start"],
                "last_start": trend["last_start"],
            },
        },
    }


@dataclass(frozen=True)
class Calibrated:
    """What a fit (or a calibration file) gives a forecast: each mode's shell and fit-out
    times for a start date, and the project-wide shocks every site may meet. ``laws`` is a
    calibration document's ``modes`` and ``construction`` (None in files before version 3,
    whose modes are fixed durations)."""

    laws: dict[str, Any]
    project_risk: tuple[dict[str, Any], ...] = ()

    @classmethod
    def of(cls, fit: dict[str, Any]) -> Calibrated:
        return cls(construction_laws(fit), tuple(project_risk(fit)))

    @classmethod
    def of_document(cls, document: dict[str, Any]) -> Calibrated:
        """A checked calibration file's (:func:`~dcsim.config.build_modes.calibration_document`)."""
        laws = {"modes": document["modes"], "construction": document["construction"]}
        return cls(laws, tuple(dict(s) for s in document.get("project_risk") or []))

    def durations(self, mode: str, start: dt.date) -> dict[str, Any] | None:
        """``mode``'s shell and fit-out times for a start (None: the file fits no such mode)."""
        if mode not in self.laws["modes"]:
            return None
        return durations_of(self.laws, mode, start)


def site_tasks(
    sites: Sequence[Site], replications: int, seed: int, chosen: Calibrated | None = None
) -> list[SiteTask]:
    """A task per site with milestones to predict, simulated with ``chosen``'s durations
    and shocks (None: the fallbacks, no shocks)."""
    tasks = []
    for site in sites:
        wanted = tuple(durations(site))
        if wanted:
            given = None if chosen is None else chosen.durations(site.build_mode, site_origin(site))
            risk = () if chosen is None else chosen.project_risk
            tasks.append(SiteTask(site, wanted, given, replications, seed, risk))
    return tasks


def run_all(tasks: Sequence[SiteTask], executor: Any) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each task's simulated days and construction times, keyed by site; any error is
    raised (a site scenario that does not run is a bug, not bad data). With a
    :class:`~dcsim.calibration.cache.CachedExecutor`, finished tasks are read back and new
    ones kept as they finish."""
    from dcsim.runtime.executors import map_retrying

    results = {}
    cache = executor if hasattr(executor, "load") else None
    missing = []
    for task in tasks:
        found = cache.load(task) if cache is not None else None
        if found is None:
            missing.append(task)
        else:
            results[task.site.site_id] = found
    for task, result in map_retrying(executor, run_task, missing, what="sites"):
        if isinstance(result, BaseException):
            raise result
        if cache is not None:
            cache.save(task, result)
        results[task.site.site_id] = result
    return results


def scored_forecasts(
    dataset: Dataset,
    chosen: dict[str, Calibrated | None],
    seed: int,
    executor: Any,
    replications: int,
) -> list[Scored]:
    """Each site in ``chosen`` simulated with the calibration it maps the site to (None:
    the fallbacks, no shocks), and every observed milestone scored."""
    tasks = []
    for site in dataset.sites:
        if site.site_id in chosen:
            tasks += site_tasks([site], replications, seed, chosen[site.site_id])
    results = run_all(tasks, executor)
    scored = []
    for task in tasks:
        days, _ = results[task.site.site_id]
        scored += [score(days[:, i], w) for i, w in enumerate(task.wanted)]
    return scored


def offsets(dataset: Dataset, seed: int, executor: Any) -> dict[str, Bound]:
    """Each site's construction bound, from the simulator at the prior durations."""
    tasks = site_tasks(dataset.sites, OFFSET_REPLICATIONS, seed)
    simulated = run_all(tasks, executor)
    found = {}
    for task in tasks:
        days, construction = simulated[task.site.site_id]
        bound = construction_bound(task.site, task.wanted, days, construction)
        if bound is not None:
            found[task.site.site_id] = bound
    return found


def calibrate(dataset: Dataset, seed: int, executor: Any) -> dict[str, Any]:
    """The calibration document of ``dataset``: the same data and seed give the same one."""
    from dcsim.version import __version__

    bounds = offsets(dataset, seed, executor)
    fit = fit_bounds(list(bounds.values()))
    fitted = Calibrated.of(fit)
    everywhere = {site.site_id: fitted for site in dataset.sites}
    in_sample = scored_forecasts(dataset, everywhere, seed, executor, OFFSET_REPLICATIONS)
    return {
        "format": CALIBRATION_FORMAT,
        "version": CALIBRATION_VERSION,
        "dcsim_version": __version__,
        "data_sha256": dataset.sha256,
        "seed": seed,
        "method": "censored likelihood of construction time: a lognormal per build mode "
        "whose log median moves linearly with the start date, plus, with a fitted "
        "probability, one project-wide stop of lognormal length; the "
        "simulator's delays after construction taken off each milestone; posterior mode "
        "and Laplace approximation (docs/calibration.md)",
        "priors": {
            "log_median_days": {
                mode: {"mean": math.log(prior_median_days(mode)), "sd": PRIOR_SD_MU}
                for mode in BUILD_MODES
            },
            "log_sigma": {"mean": math.log(PRIOR_SIGMA), "sd": PRIOR_SD_LOG_SIGMA},
            "trend_per_year": {"mean": 0.0, "sd": PRIOR_SD_TREND},
            "project_pause": {
                "probability_beta": {"a": PRIOR_STOP_A, "b": PRIOR_STOP_B},
                "log_median_days": {
                    "mean": math.log(PRIOR_STOP_MEDIAN_DAYS),
                    "sd": PRIOR_SD_STOP_MU,
                },
                "log_sigma": {"mean": math.log(PRIOR_STOP_SIGMA), "sd": PRIOR_SD_STOP_SIGMA},
            },
        },
        "offset_replications": OFFSET_REPLICATIONS,
        "n_sites": len(dataset.sites),
        "n_sites_used": len(bounds),
        "parameters": fit,
        "construction_bounds": {
            b.site_id: {
                "mode": b.mode,
                "low_days": b.low,
                "high_days": b.high,
                "start": b.start.isoformat(),
            }
            for b in bounds.values()
        },
        **fitted.laws,
        "project_risk": list(fitted.project_risk),
        "posterior_predictive": {
            **summary(in_sample),
            "replications": OFFSET_REPLICATIONS,
            "note": "in sample: every site forecast with the fitted durations; "
            "dcsim backtest gives the out-of-sample scores",
        },
    }
