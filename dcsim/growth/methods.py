"""Forecasting methods the backtest compares: single curves, combinations, baselines.

Every method maps what is known at an origin (a company's series through year ``T`` and,
for pooled methods, the other companies' series through ``T``) to point forecasts of
``ln V`` for ``T+1 .. T+H``. Working in logs matches the fitter's multiplicative noise; a
combination averages log forecasts, so it is a weighted geometric mean of the curves.

Kinds (the backtest JSON's ``kind``):

- ``curve``: one growth curve from :mod:`dcsim.growth.models`, ``auto`` (the curve AICc
  picks at each origin) and ``pooled_exponential`` (one growth rate shared by every
  company, a level per company: a short series borrows its slope from the others);
- ``combination``: ``aicc_weighted`` (Akaike weights) and ``equal_weight`` averages of
  the curves that fitted;
- ``baseline``: ``random_walk`` (next year as last year), ``random_walk_drift`` (last year
  plus the average log growth so far) and ``log_linear`` (least-squares line through
  ``ln V``; the same point forecast as the ``exponential`` curve, kept under its
  textbook name so that every table has the three naive references).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from dcsim.errors import UserInputError
from dcsim.growth.data import Series
from dcsim.growth.models import get_models
from dcsim.growth.selection import GrowthFit, fit

KINDS = ("curve", "combination", "baseline")


@dataclass(frozen=True)
class Origin:
    """What is known at the end of ``own.years[-1]``: the company's own track, the
    other companies' tracks cut at the same year, and the candidate curves' names."""

    own: Series
    panel: tuple[Series, ...] = ()
    models: str | tuple[str, ...] | None = None

    @property
    def year(self) -> int:
        return int(self.own.years[-1])

    @cached_property
    def curves(self) -> GrowthFit | None:
        """The candidate curves fitted through the origin (None if none can be fitted)."""
        try:
            return fit(self.own.years, self.own.values, self.models, name=self.own.name)
        except UserInputError:
            return None


Forecaster = Callable[[Origin, int], np.ndarray]


@dataclass(frozen=True)
class Method:
    """A named forecasting procedure; ``forecast(origin, horizon)`` returns ``horizon``
    log forecasts (NaN where the method cannot forecast from so little data)."""

    name: str
    kind: str
    forecast: Forecaster
    description: str


def _future(origin: Origin, horizon: int) -> list[int]:
    return list(range(origin.year + 1, origin.year + 1 + horizon))


def _nan(horizon: int) -> np.ndarray:
    return np.full(horizon, np.nan)


# --- baselines -------------------------------------------------------------------------


def random_walk(logv: np.ndarray, horizon: int) -> np.ndarray:
    """``ln V_{T+h} = ln V_T``."""
    return np.full(horizon, float(logv[-1]))


def random_walk_drift(logv: np.ndarray, horizon: int) -> np.ndarray:
    """``ln V_{T+h} = ln V_T + h d``, ``d = (ln V_T − ln V_1) / (n − 1)``, the mean log growth."""
    if len(logv) < 2:
        return _nan(horizon)
    drift = (logv[-1] - logv[0]) / (len(logv) - 1)
    return logv[-1] + drift * np.arange(1, horizon + 1)


def log_linear(years: np.ndarray, logv: np.ndarray, horizon: int) -> np.ndarray:
    """Least-squares line through ``(year, ln V)``, extended ``horizon`` years."""
    if len(logv) < 3:
        return _nan(horizon)
    slope, intercept = np.polyfit(years - years[-1], logv, 1)
    return intercept + slope * np.arange(1, horizon + 1)


# --- combinations ----------------------------------------------------------------------


def akaike_weights(aiccs: Sequence[float]) -> np.ndarray:
    """``w_i = exp(−Δ_i / 2) / Σ exp(−Δ_j / 2)`` with ``Δ_i = AICc_i − min AICc``."""
    a = np.asarray(aiccs, dtype=float)
    w = np.exp(-(a - a.min()) / 2)
    return w / w.sum()


def combine(log_forecasts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted mean of log forecasts (rows: curves, columns: years)."""
    return np.asarray(weights, dtype=float) @ np.asarray(log_forecasts, dtype=float)


def _curve_forecasts(origin: Origin, horizon: int) -> tuple[np.ndarray, list[float]] | None:
    curves = origin.curves
    if curves is None:
        return None
    future = _future(origin, horizon)
    logs = np.array([np.log(curves.predict(future, f.name)) for f in curves.ranked])
    return logs, [f.aicc for f in curves.ranked]


def _aicc_weighted(origin: Origin, horizon: int) -> np.ndarray:
    got = _curve_forecasts(origin, horizon)
    return _nan(horizon) if got is None else combine(got[0], akaike_weights(got[1]))


def _equal_weight(origin: Origin, horizon: int) -> np.ndarray:
    got = _curve_forecasts(origin, horizon)
    return _nan(horizon) if got is None else got[0].mean(axis=0)


# --- curves ----------------------------------------------------------------------------


def _one_curve(name: str | None) -> Forecaster:
    """The named curve (``None``: the lowest AICc) fitted through the origin."""

    def forecast(origin: Origin, horizon: int) -> np.ndarray:
        curves = origin.curves
        if curves is None or (name and name not in {f.name for f in curves.ranked}):
            return _nan(horizon)
        return np.log(curves.predict(_future(origin, horizon), name))

    return forecast


def pooled_slope(tracks: Sequence[Series]) -> float:
    """Common slope of ``ln V`` on year with one intercept per company (fixed effects):
    ``r = Σ_c Σ_i (t_ci − t̄_c)(y_ci − ȳ_c) / Σ_c Σ_i (t_ci − t̄_c)²``."""
    num = den = 0.0
    for tr in tracks:
        if len(tr.years) < 2:
            continue
        dt = tr.years - tr.years.mean()
        num += float(dt @ (tr.logv - tr.logv.mean()))
        den += float(dt @ dt)
    return num / den if den > 0 else float("nan")


def _pooled_exponential(origin: Origin, horizon: int) -> np.ndarray:
    tracks = [origin.own, *origin.panel]
    r = pooled_slope(tracks)
    own = origin.own
    if len(own.years) < 2 or not np.isfinite(r):
        return _nan(horizon)
    level = own.logv.mean() + r * (origin.year - own.years.mean())  # the company's line at T
    return level + r * np.arange(1, horizon + 1)


def _baseline(func: Callable[..., np.ndarray], with_years: bool = False) -> Forecaster:
    def forecast(origin: Origin, horizon: int) -> np.ndarray:
        args = (origin.own.years, origin.own.logv) if with_years else (origin.own.logv,)
        return func(*args, horizon)

    return forecast


AUTO = "auto"


def methods(models: str | Sequence[str] | None = None) -> dict[str, Method]:
    """Every method the backtest scores, with the single curves of ``models``."""
    curves = {
        m.name: Method(m.name, "curve", _one_curve(m.name), f"the {m.name} curve alone")
        for m in get_models(models)
    }
    others = [
        Method(AUTO, "curve", _one_curve(None), "the curve with the lowest AICc at each origin"),
        Method(
            "pooled_exponential",
            "curve",
            _pooled_exponential,
            "log-linear trend with one slope shared by all companies, a level per company",
        ),
        Method("aicc_weighted", "combination", _aicc_weighted, "Akaike-weighted curves"),
        Method("equal_weight", "combination", _equal_weight, "equal-weight mean of the curves"),
        Method("random_walk", "baseline", _baseline(random_walk), "last year again"),
        Method(
            "random_walk_drift",
            "baseline",
            _baseline(random_walk_drift),
            "last year plus the mean log growth so far",
        ),
        Method("log_linear", "baseline", _baseline(log_linear, True), "least-squares line in ln V"),
    ]
    return {**curves, **{m.name: m for m in others}}
