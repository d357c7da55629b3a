"""Prediction intervals by a studentized residual bootstrap with refits.

Each replicate adds resampled log residuals to the fitted curve and refits the model from
the fitted parameters (same bounds). Its prediction error for a future year is the
refitted curve minus (fitted curve + one more resampled residual), divided by the
replicate's own residual standard deviation. The interval is the fitted curve minus the
observed residual SD times the quantiles of those studentized errors, so it carries
parameter uncertainty, year-to-year noise and the uncertainty in the noise level itself
(plain percentile intervals under-covered: about 85% for a nominal 90% on 12 points).
Residuals are centred and inflated by ``sqrt(n / (n - p))`` because fitted residuals
understate the noise. Randomness comes only from a :class:`numpy.random.Generator`
seeded by the caller.
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
    centre = fit.log_predict(t_future)
    y_star = fit.log_predict(t) + rng.choice(resid, size=(n_boot, len(t)))
    thetas = refit_replicates(fit, t, y_star, fit.model.bounds(t, y))
    good = np.all(np.isfinite(thetas), axis=1)
    z = _studentized_errors(fit, t, y_star[good], thetas[good], t_future, centre, resid, rng)
    sigma = np.sqrt(fit.rss / fit.dof)
    z_lo, z_hi = np.quantile(z, [0.5 - level / 2, 0.5 + level / 2], axis=0)
    return Forecast(
        model=fit.name,
        level=level,
        years=np.asarray(years, dtype=int),
        value=np.exp(centre),
        lower=np.exp(centre - sigma * z_hi),
        upper=np.exp(centre - sigma * z_lo),
        n_boot=n_boot,
        n_failed=int((~good).sum()),
    )


def _studentized_errors(fit, t, y_star, thetas, t_future, centre, resid, rng) -> np.ndarray:
    """(refitted future curve − (fitted curve + new residual)) / replicate residual SD."""
    if not len(thetas):  # every refit failed: no interval
        return np.full((1, len(t_future)), np.nan)
    grid = np.concatenate([t, t_future])
    curves = np.array([fit.model.func(grid, *theta) for theta in thetas])
    rss = np.sum((y_star - curves[:, : len(t)]) ** 2, axis=1)
    sigma_star = np.sqrt(np.maximum(rss, np.finfo(float).tiny) / fit.dof)
    new_noise = rng.choice(resid, size=(len(thetas), len(t_future)))
    return (curves[:, len(t) :] - centre - new_noise) / sigma_star[:, None]
