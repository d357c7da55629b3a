"""Prediction intervals calibrated on a method's own out-of-sample errors.

At an origin ``T`` a method has already forecast years up to ``T`` from earlier origins;
the absolute log errors ``|ln actual − ln forecast|`` of those forecasts at horizon ``h``
are its track record. Split conformal prediction turns them into an interval that holds
with probability at least ``level`` when errors are exchangeable: with ``n`` errors, the
half-width is the ``⌈(n + 1) level⌉``-th smallest, and the interval is ``forecast ×
exp(± half-width)``. With fewer than ``level / (1 − level)`` errors (9 at 90%) that rank
does not exist; the half-width then falls back to the normal-theory one from the same
errors, ``t_{n−1} · sqrt(mean e²) · sqrt(1 + 1/n)``, which needs two errors.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import stdtrit


def conformal_rank(n: int, level: float) -> int:
    """The rank ``⌈(n + 1) level⌉`` of the error that bounds the interval."""
    return math.ceil((n + 1) * level - 1e-9)


def half_width(abs_errors: np.ndarray, level: float) -> tuple[float, str]:
    """Half-width of the log interval and how it was found (``conformal``, ``normal`` or
    ``none`` when fewer than two errors are known)."""
    e = np.sort(np.abs(np.asarray(abs_errors, dtype=float)))
    n = len(e)
    k = conformal_rank(n, level)
    if n and k <= n:
        return float(e[k - 1]), "conformal"
    if n >= 2:
        spread = math.sqrt(float(np.mean(e**2)) * (1 + 1 / n))
        return float(stdtrit(n - 1, 0.5 + level / 2)) * spread, "normal"
    return float("nan"), "none"


def interval_score(log_lower, log_upper, log_actual, level: float) -> np.ndarray:
    """Gneiting and Raftery's interval score on the log scale (lower is better):
    width plus ``2 / α`` times how far the outcome falls outside, ``α = 1 − level``."""
    lo, hi, y = (np.asarray(a, dtype=float) for a in (log_lower, log_upper, log_actual))
    alpha = 1 - level
    return (hi - lo) + (2 / alpha) * (np.maximum(lo - y, 0) + np.maximum(y - hi, 0))
