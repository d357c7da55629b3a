"""Fitting each build mode's construction time to the real-site dataset, by likelihood.

What the data says is days from ground-breaking to a milestone (first power, an amount
energized, full build), most of them censored. What dcsim adds after construction
(installation, burn-in, commissioning, waiting for chips or power) is the simulator's, so
the fit works on construction time alone: each site is simulated at the prior durations
(the build modes' cited fallbacks; the same for every fit, so no site's data reaches
another's offset), the median days the simulator puts between the hall being ready and
each milestone is taken off that milestone's observed interval, and what remains bounds
the site's construction time ``C``. A site's milestones together bound one ``C``.

``C`` is lognormal per build mode, with its own median (``mu`` = log median days) and a
dispersion ``sigma`` shared by all modes (a mode with three sites cannot pin a spread of
its own). The likelihood of each site is the probability its interval gets (interval,
left and right censoring all take this one form); weakly informative priors centre each
median on the mode's cited fallback (a factor of about 2 either way at one standard
deviation) and ``sigma`` on 0.5. The posterior mode and a Laplace approximation give the
parameters and their uncertainty; a forecast's lognormal spread is
``sqrt(sigma^2 + sd(mu)^2)``, so a mode the data hardly knows keeps wide bands.

A hall draws its shell and fit-out independently, so ``C`` is split into two lognormals
(the mode's shell share of its fallback, same spread) whose sum matches ``C``'s median and
spread by Fenton-Wilkinson moment matching.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from dcsim.calibration.dataset import Dataset, Site
from dcsim.calibration.observations import Duration, durations
from dcsim.calibration.scoring import Scored, score, summary
from dcsim.calibration.sites import HORIZON_YEARS, simulate_site, site_scenario
from dcsim.config.build_modes import (
    BUILD_MODES,
    CALIBRATION_FORMAT,
    CALIBRATION_VERSION,
    FALLBACKS,
)
from dcsim.units import DAYS_PER_YEAR

#: Replications per site when measuring the simulator's delays after construction.
OFFSET_REPLICATIONS = 64
PRIOR_SD_MU = 0.75
PRIOR_SIGMA = 0.5
PRIOR_SD_LOG_SIGMA = 0.5
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


def run_task(task: SiteTask) -> tuple[np.ndarray, np.ndarray]:
    scenario = site_scenario(task.site, durations=task.durations)
    return simulate_site(scenario, task.wanted, task.replications, task.seed)


@dataclass(frozen=True)
class Bound:
    """What one site says about its construction time: ``C`` in ``[low, high]`` days."""

    site_id: str
    mode: str
    low: float
    high: float


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
    return Bound(site.site_id, site.build_mode, low, high)


def _log_probability(mu: float, sigma: float, low: float, high: float) -> float:
    """log P(low <= C <= high) for a lognormal C, accurate in both tails."""
    from scipy.special import log_ndtr

    za = -math.inf if low <= 0 else (math.log(low) - mu) / sigma
    zb = math.inf if math.isinf(high) else (math.log(high) - mu) / sigma
    if za > 0:  # both in the upper tail: work with survival functions
        za, zb = -zb, -za
    upper, lower = log_ndtr(zb), log_ndtr(za)
    return float(upper + math.log1p(-min(math.exp(lower - upper), 1 - 1e-300)))


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


def negative_log_posterior(theta: np.ndarray, bounds: Sequence[Bound]) -> float:
    mus, sigma = theta[:-1], math.exp(theta[-1])
    total = 0.0
    for bound in bounds:
        total -= _log_probability(mus[BUILD_MODES.index(bound.mode)], sigma, bound.low, bound.high)
    prior_mu = np.log([prior_median_days(mode) for mode in BUILD_MODES])
    total += 0.5 * float(np.sum(((mus - prior_mu) / PRIOR_SD_MU) ** 2))
    total += 0.5 * ((theta[-1] - math.log(PRIOR_SIGMA)) / PRIOR_SD_LOG_SIGMA) ** 2
    return total


def fit_bounds(bounds: Sequence[Bound]) -> dict[str, Any]:
    """Posterior mode and Laplace standard deviations of each mode's log-median and of
    log sigma."""
    from scipy.optimize import minimize

    start = np.array([*np.log([prior_median_days(m) for m in BUILD_MODES]), math.log(PRIOR_SIGMA)])
    limits = [(0.0, math.log(3650.0))] * len(BUILD_MODES) + [(math.log(0.05), math.log(3.0))]
    result = minimize(
        negative_log_posterior, start, args=(list(bounds),), method="L-BFGS-B", bounds=limits
    )
    theta = result.x
    covariance = _laplace_covariance(theta, bounds)
    sd = np.sqrt(np.clip(np.diag(covariance), 0.0, None))
    counts = {mode: sum(b.mode == mode for b in bounds) for mode in BUILD_MODES}
    modes = {}
    for i, mode in enumerate(BUILD_MODES):
        mu, mu_sd = float(theta[i]), float(sd[i])
        modes[mode] = {
            "median_days": math.exp(mu),
            "log_median_sd": mu_sd,
            "median_days_p05": math.exp(mu - 1.645 * mu_sd),
            "median_days_p95": math.exp(mu + 1.645 * mu_sd),
            "prior_median_days": prior_median_days(mode),
            "n_sites": counts[mode],
        }
    sigma, log_sigma_sd = math.exp(theta[-1]), float(sd[-1])
    return {
        "modes": modes,
        "sigma": sigma,
        "sigma_p05": math.exp(theta[-1] - 1.645 * log_sigma_sd),
        "sigma_p95": math.exp(theta[-1] + 1.645 * log_sigma_sd),
        "converged": bool(result.success),
    }


def _laplace_covariance(theta: np.ndarray, bounds: Sequence[Bound]) -> np.ndarray:
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
        prior = [PRIOR_SD_MU**2] * len(BUILD_MODES) + [PRIOR_SD_LOG_SIGMA**2]
        return np.diag(prior)


def mode_durations(fit: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each mode's shell and fit-out distributions as a scenario writes them."""
    out = {}
    for mode, entry in fit["modes"].items():
        spread = math.sqrt(fit["sigma"] ** 2 + entry["log_median_sd"] ** 2)
        out[mode] = split_construction(entry["median_days"], spread, shell_share(mode))
    return out


def split_construction(median: float, sigma: float, share: float) -> dict[str, Any]:
    """Shell and fit-out lognormals (independent, same sigma) whose sum has about the
    given median and log-spread (Fenton-Wilkinson)."""

    def lognormal(days: float, spread: float) -> dict[str, Any] | str:
        if days <= 0:
            return "0 days"
        return {"dist": "lognormal", "median": f"{days:.6g} days", "sigma": float(f"{spread:.6g}")}

    weight = share**2 + (1 - share) ** 2
    part_sigma = math.sqrt(math.log1p(math.expm1(sigma**2) / weight))
    total = median * math.exp((sigma**2 - part_sigma**2) / 2)
    return {
        "shell_time": lognormal(share * total, part_sigma),
        "fitout_time": lognormal((1 - share) * total, part_sigma),
    }


def site_tasks(
    sites: Sequence[Site], replications: int, seed: int, chosen: dict | None = None
) -> list[SiteTask]:
    """A task per site with milestones to predict; ``chosen`` maps a mode to the
    durations to simulate (None: the fallbacks)."""
    tasks = []
    for site in sites:
        wanted = tuple(durations(site))
        if wanted:
            given = None if chosen is None else chosen.get(site.build_mode)
            tasks.append(SiteTask(site, wanted, given, replications, seed))
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
    chosen: dict[str, dict[str, dict[str, Any]] | None],
    seed: int,
    executor: Any,
    replications: int,
) -> list[Scored]:
    """Each site in ``chosen`` simulated with the durations it maps the site's mode to
    (None: the fallbacks), and every observed milestone scored."""
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
    modes = mode_durations(fit)
    everywhere = {site.site_id: modes for site in dataset.sites}
    in_sample = scored_forecasts(dataset, everywhere, seed, executor, OFFSET_REPLICATIONS)
    return {
        "format": CALIBRATION_FORMAT,
        "version": CALIBRATION_VERSION,
        "dcsim_version": __version__,
        "data_sha256": dataset.sha256,
        "seed": seed,
        "method": "censored lognormal likelihood of construction time per build mode, with "
        "the simulator's delays after construction taken off each milestone; posterior mode "
        "and Laplace approximation (docs/calibration.md)",
        "priors": {
            "log_median_days": {
                mode: {"mean": math.log(prior_median_days(mode)), "sd": PRIOR_SD_MU}
                for mode in BUILD_MODES
            },
            "log_sigma": {"mean": math.log(PRIOR_SIGMA), "sd": PRIOR_SD_LOG_SIGMA},
        },
        "offset_replications": OFFSET_REPLICATIONS,
        "n_sites": len(dataset.sites),
        "n_sites_used": len(bounds),
        "parameters": fit,
        "construction_bounds": {
            b.site_id: {"mode": b.mode, "low_days": b.low, "high_days": b.high}
            for b in bounds.values()
        },
        "modes": modes,
        "posterior_predictive": {
            **summary(in_sample),
            "replications": OFFSET_REPLICATIONS,
            "note": "in sample: every site forecast with the fitted durations; "
            "dcsim backtest gives the out-of-sample scores",
        },
    }
