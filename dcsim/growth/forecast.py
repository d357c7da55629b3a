"""Prediction intervals by residual bootstrap with refits.

Each replicate adds resampled log residuals to the fitted curve, refits the model from
the fitted parameters (same bounds), and adds one more resampled residual to each future
point. The spread of the replicates thus carries both parameter uncertainty and
year-to-year noise. Residuals are centred and inflated by ``sqrt(n / (n - p))`` because
fitted residuals understate the noise. Randomness comes only from a
:class:`numpy.random.Generator` seeded by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dcsim.growth.fitting import FitError, ModelFit, solve_quietly


@dataclass(frozen=True)
class Forecast:
    """Median forecast and a central ``level`` interval for each year.

    ``value`` is the fitted curve (the median under log-symmetric noise); ``n_failed`` of
    the ``n_boot`` refits did not converge and were left out of the interval.
    """

    model: str
    level: float
    years: np.ndarray
    value: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    n_boot: int
    n_failed: int

    def records(self) -> list[dict[str, float]]:
        """One ``{year, value, lower, upper}`` dict per year (the CLI's JSON contract)."""
        return [
            {"year": int(y), "value": float(v), "lower": float(lo), "upper": float(hi)}
            for y, v, lo, hi in zip(self.years, self.value, self.lower, self.upper, strict=True)
        ]


def _scaled_residuals(fit: ModelFit, t: np.ndarray, y: np.ndarray) -> np.ndarray:
    resid = y - fit.log_predict(t)
    return (resid - resid.mean()) * np.sqrt(fit.n / max(fit.dof, 1))


def refit_replicates(fit: ModelFit, t: np.ndarray, y_star: np.ndarray, bounds) -> np.ndarray:
    """Parameters refitted to each row of ``y_star``; rows that fail to converge are NaN.

    Linear models solve every replicate in one least-squares call and only fall back to
    the bounded solver for replicates that land outside the bounds.
    """
    model = fit.model
    thetas = np.full((len(y_star), model.n_params), np.nan)
    if model.design is not None:
        thetas = np.linalg.lstsq(model.design(t), y_star.T, rcond=None)[0].T
        lo, hi = np.asarray(bounds[0]), np.asarray(bounds[1])
        redo = ~np.all((thetas >= lo) & (thetas <= hi), axis=1)
    else:
        redo = np.ones(len(y_star), dtype=bool)
    for b in np.flatnonzero(redo):
        try:
            thetas[b] = solve_quietly(model, t, y_star[b], fit.theta, bounds)[0]
        except FitError:
            thetas[b] = np.nan
    return thetas


def bootstrap_forecast(
    fit: ModelFit,
    t: np.ndarray,
    y: np.ndarray,
    t_future: np.ndarray,
    years: np.ndarray,
    level: float = 0.9,
    seed: int | None = None,
    n_boot: int = 500,
) -> Forecast:
    """Residual-bootstrap forecast of ``fit`` at ``t_future`` (labelled ``years``)."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    rng = np.random.default_rng(seed)
    resid = _scaled_residuals(fit, t, y)
    y_star = fit.log_predict(t) + rng.choice(resid, size=(n_boot, len(t)))
    thetas = refit_replicates(fit, t, y_star, fit.model.bounds(t, y))
    good = np.all(np.isfinite(thetas), axis=1)
    noise = rng.choice(resid, size=(n_boot, len(t_future)))
    paths = np.array([fit.model.func(t_future, *theta) for theta in thetas[good]]) + noise[good]
    lower, upper = np.quantile(np.exp(paths), [0.5 - level / 2, 0.5 + level / 2], axis=0)
    return Forecast(
        model=fit.name,
        level=level,
        years=np.asarray(years, dtype=int),
        value=np.exp(fit.log_predict(t_future)),
        lower=lower,
        upper=upper,
        n_boot=n_boot,
        n_failed=int((~good).sum()),
    )
