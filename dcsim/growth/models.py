"""Growth-curve models for annual capex, written in log space.

Every model returns ``ln V(t)`` where ``t`` is years since the first fitted year (the
fit's ``origin``). Working in logs makes the noise model multiplicative (a 10% miss counts
the same at $2B as at $70B) and keeps every curve positive. Scale parameters are logs too
(``log_v0``, ``log_K``): their Wald intervals are far better behaved than a ceiling's in
dollars, and ``exp`` of the interval ends is the interval for the dollar figure.

Bounds and starting values come from the data (span of years, largest value, log-linear
slope) so that one recipe converges on every series without per-series tuning; a fit that
ends on a bound is flagged by the fitter rather than silently trusted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from dcsim.errors import UserInputError

Array = np.ndarray
Bounds = tuple[list[float], list[float]]

MAX_GROWTH_RATE = 3.0
"""Per-year rate bound: e^3 = 20x a year, far beyond any observed capex series."""
MAX_CEILING_FACTOR = np.log(100.0)
"""A saturating ceiling may sit at most 100x above the largest observation."""
MIN_CEILING_FACTOR = -1.0
"""...and at least e^-1 (37%) of it: noise can put points above the ceiling, not far."""
MIDPOINT_PAST = 10.0
MIDPOINT_FUTURE = 40.0
"""Midpoints may lie from 10 years before the data to 40 years after its last year."""


@dataclass(frozen=True)
class Model:
    """One growth curve: log-space function, parameter names, starts and bounds.

    ``log_params`` names the parameters on a log scale; their standard error is judged
    in absolute terms (SE > 1 means uncertain by more than a factor e), the others
    relative to their value. ``design``, when set, marks the model as linear in its
    parameters (``ln V = design(t) @ params``), which lets the fitter and the bootstrap use
    least squares instead of an iterative solver. ``in_auto`` says whether automatic
    selection considers the model.
    """

    name: str
    equation: str
    params: tuple[str, ...]
    func: Callable[..., Array]
    starts: Callable[[Array, Array], list[list[float]]]
    bounds: Callable[[Array, Array], Bounds]
    log_params: tuple[str, ...] = ()
    design: Callable[[Array], Array] | None = None
    in_auto: bool = True

    @property
    def n_params(self) -> int:
        return len(self.params)


def _slope(t: Array, y: Array) -> tuple[float, float]:
    """Least-squares line through (t, ln V): the data's average growth rate and level."""
    slope, intercept = np.polyfit(t, y, 1)
    return float(slope), float(intercept)


def _span(t: Array) -> float:
    return float(t.max() - t.min())


def _level_bounds(y: Array) -> tuple[float, float]:
    """Bounds for a log-level at the origin: generous, but finite."""
    return float(y.min() - 10.0), float(y.max() + 10.0)


# --- exponential: ln V = log_v0 + r t -------------------------------------------------


def _exponential(t: Array, log_v0: float, r: float) -> Array:
    return log_v0 + r * t


def _exponential_starts(t: Array, y: Array) -> list[list[float]]:
    slope, intercept = _slope(t, y)
    return [[intercept, slope]]


def _exponential_bounds(t: Array, y: Array) -> Bounds:
    lo, hi = _level_bounds(y)
    return [lo, -MAX_GROWTH_RATE], [hi, MAX_GROWTH_RATE]


# --- log-quadratic: ln V = log_v0 + r t + c t^2 ----------------------------------------


def _quadexp(t: Array, log_v0: float, r: float, c: float) -> Array:
    return log_v0 + r * t + c * t**2


def _quadexp_starts(t: Array, y: Array) -> list[list[float]]:
    c, r, a = np.polyfit(t, y, 2)
    return [[float(a), float(r), float(c)]]


def _quadexp_bounds(t: Array, y: Array) -> Bounds:
    lo, hi = _level_bounds(y)
    # |c| * span bounds the change in growth rate over the data to 2 * MAX_GROWTH_RATE.
    c_max = MAX_GROWTH_RATE / max(_span(t), 1.0)
    return [lo, -MAX_GROWTH_RATE, -c_max], [hi, MAX_GROWTH_RATE, c_max]


# --- saturating curves: log_K, r, t_mid (+ log_nu for Richards) -------------------------


def _logistic(t: Array, log_K: float, r: float, t_mid: float) -> Array:
    return log_K - np.logaddexp(0.0, -r * (t - t_mid))


def _gompertz(t: Array, log_K: float, r: float, t_mid: float) -> Array:
    # Clip the exponent so that a wild trial step overflows to a huge residual, not inf.
    return log_K - np.exp(np.minimum(-r * (t - t_mid), 50.0))


def _richards(t: Array, log_K: float, r: float, t_mid: float, log_nu: float) -> Array:
    # ln(1 + nu e^z) / nu, computed without overflow; nu = 1 is the logistic, nu -> 0 Gompertz.
    return log_K - np.logaddexp(0.0, log_nu - r * (t - t_mid)) / np.exp(log_nu)


def _saturating_starts(shift: float) -> Callable[[Array, Array], list[list[float]]]:
    """Starts with the ceiling ``shift`` (log) above the largest point, reached mid-data.

    The curve's value at ``t_mid`` is K/2 (logistic) or K/e (Gompertz), so placing
    ``t_mid`` at the last year with K = max * 2 or max * e starts on the data's scale. A
    second start, midpoint inside the data with a low ceiling, catches series that have
    already bent over.
    """

    def starts(t: Array, y: Array) -> list[list[float]]:
        rate = max(_slope(t, y)[0], 0.05)
        top, end = float(y.max()), float(t.max())
        return [
            [top + shift, 1.5 * rate, end],
            [top + 0.1, 3.0 * rate, float(t[np.argmax(y)]) / 2.0],
        ]

    return starts


def _saturating_bounds(t: Array, y: Array) -> Bounds:
    top, start, end = float(y.max()), float(t.min()), float(t.max())
    return (
        [top + MIN_CEILING_FACTOR, 0.01, start - MIDPOINT_PAST],
        [top + MAX_CEILING_FACTOR, MAX_GROWTH_RATE, end + MIDPOINT_FUTURE],
    )


def _richards_starts(t: Array, y: Array) -> list[list[float]]:
    return [[*start, 0.0] for start in _saturating_starts(np.log(2.0))(t, y)]


def _richards_bounds(t: Array, y: Array) -> Bounds:
    lo, hi = _saturating_bounds(t, y)
    # nu from 0.02 (practically Gompertz) to 20 (a sharp late bend).
    return [*lo, np.log(0.02)], [*hi, np.log(20.0)]


def _design(*powers: int) -> Callable[[Array], Array]:
    return lambda t: np.column_stack([t**p for p in powers])


EXPONENTIAL = Model(
    name="exponential",
    equation="V = exp(log_v0) * exp(r t)",
    params=("log_v0", "r"),
    func=_exponential,
    starts=_exponential_starts,
    bounds=_exponential_bounds,
    log_params=("log_v0",),
    design=_design(0, 1),
)
QUADEXP = Model(
    name="quadexp",
    equation="V = exp(log_v0 + r t + c t^2)",
    params=("log_v0", "r", "c"),
    func=_quadexp,
    starts=_quadexp_starts,
    bounds=_quadexp_bounds,
    log_params=("log_v0",),
    design=_design(0, 1, 2),
    # AICc often prefers its in-sample curvature, but extrapolated curvature gave the worst
    # backtest errors on Meta and Amazon (docs/capex.md): fit it only when asked for.
    in_auto=False,
)
LOGISTIC = Model(
    name="logistic",
    equation="V = K / (1 + exp(-r (t - t_mid)))",
    params=("log_K", "r", "t_mid"),
    func=_logistic,
    starts=_saturating_starts(np.log(2.0)),
    bounds=_saturating_bounds,
    log_params=("log_K",),
)
GOMPERTZ = Model(
    name="gompertz",
    equation="V = K * exp(-exp(-r (t - t_mid)))",
    params=("log_K", "r", "t_mid"),
    func=_gompertz,
    starts=_saturating_starts(1.0),
    bounds=_saturating_bounds,
    log_params=("log_K",),
)
RICHARDS = Model(
    name="richards",
    equation="V = K / (1 + nu exp(-r (t - t_mid)))^(1/nu)",
    params=("log_K", "r", "t_mid", "log_nu"),
    func=_richards,
    starts=_richards_starts,
    bounds=_richards_bounds,
    log_params=("log_K", "log_nu"),
)

MODELS: dict[str, Model] = {m.name: m for m in (EXPONENTIAL, QUADEXP, LOGISTIC, GOMPERTZ, RICHARDS)}


def get_models(names: str | list[str] | tuple[str, ...] | None = None) -> list[Model]:
    """Models by name; ``None``/``"auto"``: the automatic set, ``"all"``: every model."""
    if names is None or names == "auto":
        return [m for m in MODELS.values() if m.in_auto]
    if names == "all":
        return list(MODELS.values())
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in names if n.lower() not in MODELS]
    if unknown or not names:
        raise UserInputError(
            f"unknown model {', '.join(map(repr, unknown)) or '(none given)'}; "
            f"choose auto, all or any of: {', '.join(MODELS)}"
        )
    return [MODELS[n.lower()] for n in dict.fromkeys(names)]
