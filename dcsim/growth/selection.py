"""Fit every candidate model to a series and rank them by AICc."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from dcsim.errors import UserInputError
from dcsim.growth.data import validate
from dcsim.growth.fitting import ModelFit, fit_model
from dcsim.growth.forecast import Forecast, bootstrap_forecast
from dcsim.growth.models import Model, get_models


@dataclass(frozen=True)
class GrowthFit:
    """All model fits for one series; ``fits`` lists successful fits by AICc, then the rest.

    Times inside the models are years since ``origin`` (the first year of the series).
    """

    name: str
    years: np.ndarray
    values: np.ndarray
    fits: tuple[ModelFit, ...]

    @property
    def origin(self) -> int:
        return int(self.years[0])

    @property
    def ranked(self) -> list[ModelFit]:
        return [f for f in self.fits if f.ok]

    @property
    def failed(self) -> list[ModelFit]:
        return [f for f in self.fits if not f.ok]

    @property
    def best(self) -> ModelFit:
        """The successful fit with the lowest AICc."""
        return self.ranked[0]

    def __getitem__(self, name: str) -> ModelFit:
        for f in self.ranked:
            if f.name == name:
                return f
        raise UserInputError(f"model {name!r} has no successful fit for {self.name}")

    def weights(self) -> dict[str, float]:
        """Akaike weights: exp(-ΔAICc/2), normalised over the successful fits."""
        delta = np.array([f.aicc for f in self.ranked]) - self.best.aicc
        w = np.exp(-delta / 2)
        return dict(zip((f.name for f in self.ranked), map(float, w / w.sum()), strict=True))

    def _t(self, years: Iterable[int]) -> np.ndarray:
        return np.asarray(list(years), dtype=float) - self.origin

    def predict(self, years: Iterable[int], model: str | None = None) -> np.ndarray:
        """Fitted (median) values at ``years`` for ``model`` (default: the best)."""
        fit = self[model] if model else self.best
        return np.exp(fit.log_predict(self._t(years)))

    def forecast(
        self,
        years: int | Sequence[int] = 5,
        level: float = 0.9,
        seed: int | None = None,
        n_boot: int = 500,
        model: str | None = None,
    ) -> Forecast:
        """Forecast with a bootstrap interval; an int means that many years after the data."""
        if isinstance(years, int | np.integer):
            years = range(int(self.years[-1]) + 1, int(self.years[-1]) + 1 + int(years))
        future = np.asarray(list(years), dtype=int)
        fit = self[model] if model else self.best
        t, y = self._t(self.years), np.log(self.values)
        return bootstrap_forecast(fit, t, y, self._t(future), future, level, seed, n_boot)

    def to_frame(self):
        """One row per model: status, AICc, ΔAICc, weight, RMSE, parameters and SEs."""
        import pandas as pd

        weights = self.weights()
        rows = []
        for f in self.fits:
            row = {
                "model": f.name,
                "status": f.status,
                "aicc": f.aicc if f.ok else np.nan,
                "delta_aicc": f.aicc - self.best.aicc if f.ok else np.nan,
                "weight": weights.get(f.name, 0.0),
                "rmse": f.rmse,
                "n_warnings": len(f.warnings),
                "reason": f.reason,
            }
            row.update(f.params)
            row.update({f"se_{k}": v for k, v in f.se.items()})
            rows.append(row)
        return pd.DataFrame(rows).set_index("model")

    def to_dict(self, level: float = 0.9) -> dict:
        """JSON-ready summary: successful fits in ``models``, the rest in ``failed``."""
        weights = self.weights()
        return {
            "company": self.name,
            "n_points": len(self.years),
            "first_year": int(self.years[0]),
            "last_year": int(self.years[-1]),
            "origin": self.origin,
            "best": self.best.name,
            "models": [
                {
                    "name": f.name,
                    "equation": f.model.equation,
                    "params": f.params,
                    "se": f.se,
                    "ci": {k: list(v) for k, v in f.conf_int(level).items()},
                    "aicc": f.aicc,
                    "delta_aicc": f.aicc - self.best.aicc,
                    "weight": weights[f.name],
                    "rmse": f.rmse,
                    "warnings": list(f.warnings),
                }
                for f in self.ranked
            ],
            "failed": [
                {"name": f.name, "status": f.status, "reason": f.reason} for f in self.failed
            ],
        }


def fit(
    years: Iterable[float],
    values: Iterable[float],
    models: str | Sequence[str] | Sequence[Model] | None = None,
    name: str = "series",
) -> GrowthFit:
    """Fit candidate ``models`` (default: all) to an annual series and rank them by AICc.

    Raises :class:`~dcsim.errors.UserInputError` for bad input or if no model can be fitted.
    """
    y, v = validate(list(years), list(values), name)
    candidates = (
        list(models)
        if models and not isinstance(models, str) and isinstance(next(iter(models)), Model)
        else get_models(models)
    )
    t, logv = (y - y[0]).astype(float), np.log(v)
    fits = [fit_model(m, t, logv) for m in candidates]
    ranked = sorted((f for f in fits if f.ok), key=lambda f: f.aicc)
    if not ranked:
        raise UserInputError(
            [f"{name}: no model could be fitted"] + [f"{f.name}: {f.reason}" for f in fits]
        )
    return GrowthFit(name, y, v, tuple(ranked + [f for f in fits if not f.ok]))
