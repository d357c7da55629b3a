"""The censored likelihood of a site's construction time with project-wide stops.

A site's time from ground-breaking to a ready hall is its build mode's construction time
``C`` (lognormal: ``mu``, ``sigma``) plus, with probability ``p``, one project-wide stop of
``D`` days (lognormal: ``mu_d``, ``sigma_d``), shared by the whole campus: a redesign, a
permit challenge, a financing pause, a labour shortage. Which of these it was the dates
cannot tell, so the fit has one stop of unstated cause (``project_pause``). A stop striking
while the hall is being built moves it by exactly its length whenever it strikes
(``dcsim.sim.construction.run_through``), so the additive form is the simulator's own.

What one site says is ``low <= T <= high`` (interval, left and right censoring in one
form); its likelihood is the mixture

    (1 - p) P(low <= C <= high) + p E_D[P(low - D <= C <= high - D)],

the expectation over ``D`` by Gauss-Hermite quadrature on ``log D``. Pure functions on
arrays: no simulator.
"""

from __future__ import annotations

import math

import numpy as np

#: Gauss-Hermite nodes for the expectation over the stop's length.
NODES = 24


def log_interval(mu: float, sigma: float, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """``log P(low <= C <= high)`` for a lognormal ``C``, elementwise, accurate in both tails
    (an interval entirely at or below 0 has probability 0)."""
    from scipy.special import log_ndtr

    low, high = np.broadcast_arrays(np.asarray(low, float), np.asarray(high, float))
    with np.errstate(divide="ignore", invalid="ignore"):
        za = np.where(low > 0, (np.log(np.where(low > 0, low, 1.0)) - mu) / sigma, -np.inf)
        zb = np.where(
            high > 0,
            np.where(np.isinf(high), np.inf, (np.log(np.where(high > 0, high, 1.0)) - mu) / sigma),
            -np.inf,
        )
        upper_tail = za > 0  # both in the upper tail: work with survival functions
        za, zb = np.where(upper_tail, -zb, za), np.where(upper_tail, -za, zb)
        upper, lower = log_ndtr(zb), log_ndtr(za)
        gap = np.clip(np.exp(lower - upper), 0.0, 1 - 1e-300)
        out = upper + np.log1p(-gap)
    return np.where(high > 0, out, -np.inf)


def log_likelihood(
    mu: np.ndarray,
    sigma: float,
    p: float,
    mu_d: float,
    sigma_d: float,
    low: np.ndarray,
    high: np.ndarray,
) -> np.ndarray:
    """Each site's log likelihood under the mixture; ``mu`` is each site's mode's log
    median construction time (an array like ``low`` and ``high``)."""
    from scipy.special import logsumexp

    plain = log_interval_rows(mu, sigma, low, high)
    if p <= 0:
        return plain
    x, w = np.polynomial.hermite.hermgauss(NODES)
    stops = np.exp(mu_d + math.sqrt(2.0) * sigma_d * x)  # the quadrature's stop lengths
    shifted = log_interval_rows(
        mu[:, None],
        sigma,
        np.maximum(low[:, None] - stops[None, :], 0.0),
        high[:, None] - stops[None, :],
    )
    struck = logsumexp(shifted + np.log(w / math.sqrt(math.pi))[None, :], axis=1)
    return np.logaddexp(math.log1p(-p) + plain, math.log(p) + struck) if p < 1 else struck


def log_interval_rows(
    mu: np.ndarray, sigma: float, low: np.ndarray, high: np.ndarray
) -> np.ndarray:
    """:func:`log_interval` with a median per row (``mu`` broadcast against the bounds)."""
    mu, low, high = np.broadcast_arrays(mu, low, high)
    return log_interval(0.0, sigma, low / np.exp(mu), high / np.exp(mu))


def shock_entry(probability: float, median_days: float, sigma: float) -> dict[str, object]:
    """The fitted stop as a scenario writes it under ``project_risk``: it strikes at the
    campus's first ground-breaking (``window`` 0), which moves a single hall by the same
    length as a stop at any other time of its build."""
    return {
        "kind": "project_pause",
        "probability": float(f"{probability:.6g}"),
        "duration": {
            "dist": "lognormal",
            "median": f"{median_days:.6g} days",
            "sigma": float(f"{sigma:.6g}"),
        },
        "window": "0 days",
    }
