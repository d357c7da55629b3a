"""Fit one model to one series in log space, with AICc, standard errors and diagnostics.

The noise model is multiplicative: ``ln V_i = f(t_i; theta) + e_i`` with ``e_i`` i.i.d.
normal. Least squares on ``ln V`` is then maximum likelihood, and the residual sum of
squares (RSS) of the logs gives AICc. scipy's warnings are caught here and turned into
the fit's own ``warnings`` list, so callers (and tests run with warnings as errors) see
a diagnosis instead of a stray ``OptimizeWarning``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import OptimizeWarning, curve_fit
from scipy.special import stdtrit

from dcsim.growth.models import Model

BOUND_TOLERANCE = 1e-4
"""A parameter within this fraction of its range from a bound counts as 'at the bound'."""
MAX_FEV = 2000


class FitError(Exception):
    """A model could not be fitted (solver failure, too few points)."""


@dataclass(frozen=True)
class ModelFit:
    """The outcome for one model: ``status`` is ``ok``, ``failed`` or ``skipped``.

    ``params`` and ``se`` are in the model's own parameterisation (see
    :mod:`dcsim.growth.models`); ``rmse`` is the root-mean-square log residual, roughly
    the typical relative error; ``aicc`` is ``inf`` unless the fit succeeded.
    """

    model: Model
    status: str
    reason: str = ""
    params: dict[str, float] = field(default_factory=dict)
    se: dict[str, float] = field(default_factory=dict)
    cov: np.ndarray | None = None
    rss: float = float("nan")
    n: int = 0
    aicc: float = float("inf")
    warnings: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def theta(self) -> np.ndarray:
        return np.array([self.params[p] for p in self.model.params])

    @property
    def rmse(self) -> float:
        return float(np.sqrt(self.rss / self.n)) if self.ok else float("nan")

    @property
    def dof(self) -> int:
        return self.n - self.model.n_params

    def log_predict(self, t: np.ndarray) -> np.ndarray:
        """``ln V`` at ``t`` (years since the origin) from the fitted parameters."""
        return self.model.func(np.asarray(t, dtype=float), *self.theta)

    def conf_int(self, level: float = 0.9) -> dict[str, tuple[float, float]]:
        """Wald intervals ``param ± t_{dof} * se`` from the covariance matrix."""
        q = stdtrit(self.dof, 0.5 + level / 2.0)
        return {p: (v - q * self.se[p], v + q * self.se[p]) for p, v in self.params.items()}


def min_points(model: Model) -> int:
    """Points needed for AICc: parameters + noise variance + at least 1 degree of freedom."""
    return model.n_params + 3


def aicc(rss: float, n: int, n_params: int) -> float:
    """Small-sample AIC from the log-space RSS, counting the noise variance as a parameter.

    ``k = n_params + 1``; ``AIC = n ln(RSS/n) + 2k``; ``AICc = AIC + 2k(k+1)/(n-k-1)``.
    Constants common to all models on the same data (including the log Jacobian
    ``-sum ln V``) are dropped, so only differences between models mean anything.
    """
    k = n_params + 1
    return n * np.log(rss / n) + 2 * k + 2 * k * (k + 1) / (n - k - 1)


def _solve(model: Model, t: np.ndarray, y: np.ndarray, p0, bounds) -> tuple[np.ndarray, np.ndarray]:
    """One bounded solve; linear models use least squares (clipped into their bounds)."""
    if model.design is not None:
        x = model.design(t)
        theta = np.linalg.lstsq(x, y, rcond=None)[0]
        if np.all((theta >= bounds[0]) & (theta <= bounds[1])):
            rss = float(np.sum((y - x @ theta) ** 2))
            dof = max(len(y) - len(theta), 1)
            return theta, np.linalg.pinv(x.T @ x) * rss / dof
    theta, cov = curve_fit(
        model.func, t, y, p0=np.clip(p0, *bounds), bounds=bounds, method="trf", max_nfev=MAX_FEV
    )
    return theta, cov


def solve_quietly(model: Model, t: np.ndarray, y: np.ndarray, p0, bounds):
    """:func:`_solve` with scipy's warnings captured; raises FitError on failure.

    Returns ``(theta, cov, caught)`` where ``caught`` lists warning messages.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            theta, cov = _solve(model, t, y, p0, bounds)
        except (RuntimeError, ValueError, np.linalg.LinAlgError) as error:
            raise FitError(str(error).splitlines()[0]) from None
    messages = [str(w.message) for w in caught if issubclass(w.category, OptimizeWarning)]
    other = [w for w in caught if not issubclass(w.category, (OptimizeWarning, RuntimeWarning))]
    for w in other:  # not ours to swallow
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if not np.all(np.isfinite(theta)):
        raise FitError("solver returned non-finite parameters")
    return theta, cov, messages


def _diagnose(model: Model, theta, se, bounds, caught: list[str], span: float) -> list[str]:
    """Plain-language warnings for fits the data do not pin down.

    Log-scale parameters are judged by absolute SE (> 1: uncertain by over a factor e),
    the midpoint against the span of the data, the rest relative to their own size.
    """
    notes = [f"solver: {m}" for m in caught]
    lo, hi = (np.asarray(b, dtype=float) for b in bounds)
    tol = BOUND_TOLERANCE * (hi - lo)
    for i, name in enumerate(model.params):
        side = (
            "lower" if theta[i] <= lo[i] + tol[i] else "upper" if theta[i] >= hi[i] - tol[i] else ""
        )
        if side:
            what = "ceiling not identified by the data" if name == "log_K" else "not identified"
            notes.append(f"{name} at its {side} bound ({what})")
        elif not np.isfinite(se[i]):
            notes.append(f"{name}: standard error not estimable")
        elif name in model.log_params and se[i] > 1.0:
            notes.append(f"{name}: SE {se[i]:.2g} (uncertain by more than a factor e)")
        elif name == "t_mid" and se[i] > span:
            notes.append(f"t_mid: SE {se[i]:.2g} years exceeds the {span:g}-year span of the data")
        elif name not in (*model.log_params, "t_mid") and se[i] > abs(theta[i]):
            notes.append(f"{name}: SE {se[i]:.2g} exceeds |{name}| = {abs(theta[i]):.2g}")
    return notes


def fit_model(model: Model, t: np.ndarray, y: np.ndarray) -> ModelFit:
    """Fit ``model`` to log values ``y`` at times ``t`` from each data-driven start.

    The start with the lowest RSS wins; a model with too few points is ``skipped`` and
    one whose every start fails is ``failed``, each with its reason.
    """
    n = len(y)
    if n < min_points(model):
        return ModelFit(
            model,
            "skipped",
            f"needs at least {min_points(model)} points ({model.n_params} parameters), got {n}",
            n=n,
        )
    bounds = model.bounds(t, y)
    best, errors = None, []
    for p0 in model.starts(t, y):
        try:
            theta, cov, caught = solve_quietly(model, t, y, p0, bounds)
        except FitError as error:
            errors.append(str(error))
            continue
        rss = float(np.sum((y - model.func(t, *theta)) ** 2))
        if best is None or rss < best[2]:
            best = (theta, cov, rss, caught)
    if best is None:
        return ModelFit(model, "failed", f"did not converge: {errors[0]}", n=n)
    theta, cov, rss, caught = best
    rss = max(rss, np.finfo(float).tiny)
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    return ModelFit(
        model,
        "ok",
        params=dict(zip(model.params, map(float, theta), strict=True)),
        se=dict(zip(model.params, map(float, se), strict=True)),
        cov=cov,
        rss=rss,
        n=n,
        aicc=float(aicc(rss, n, model.n_params)),
        warnings=tuple(_diagnose(model, theta, se, bounds, caught, float(np.ptp(t)))),
    )
