"""Rolling-origin backtest: fit through year T, forecast T+1..T+k, move T forward.

Each model's point forecast is scored by absolute percentage error; ``auto`` scores the
whole procedure (rank by AICc at each origin, forecast with the winner). Interval
coverage needs a bootstrap per origin, so by default only ``auto`` gets intervals;
``intervals="all"`` bootstraps every model too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from dcsim.errors import UserInputError
from dcsim.growth.data import validate
from dcsim.growth.models import Model
from dcsim.growth.selection import GrowthFit, fit

AUTO = "auto"


@dataclass(frozen=True)
class Backtest:
    """``rows``: one per (origin, model, year); ``summary``: MAPE and coverage per model."""

    name: str
    level: float
    rows: object  # pandas.DataFrame
    n_failed_boot: int

    @property
    def summary(self):
        """Per model: MAPE (%), interval coverage, forecasts scored and origins used."""
        grouped = self.rows.groupby("model", sort=False)
        out = grouped.agg(
            mape=("ape", "mean"),
            coverage=("covered", "mean"),
            n_forecasts=("ape", "size"),
            n_origins=("origin", "nunique"),
        )
        out["mape"] *= 100
        return out.sort_values("mape")


def _origin_rows(
    result: GrowthFit,
    truth: dict[int, float],
    horizon: int,
    level: float,
    seed: int | None,
    n_boot: int,
    intervals: str,
) -> tuple[list[dict], int]:
    """Scored forecasts of every model (and ``auto``) from one fitted origin."""
    origin = int(result.years[-1])
    future = [y for y in range(origin + 1, origin + 1 + horizon) if y in truth]
    no_band = (np.full(len(future), np.nan),) * 2
    rows, failed = [], 0
    for f in result.ranked:
        value = result.predict(future, f.name)
        band = no_band
        if intervals == "all" or f is result.best:
            fc = result.forecast(future, level=level, seed=seed, n_boot=n_boot, model=f.name)
            band, failed = (fc.lower, fc.upper), failed + fc.n_failed
        labelled = [(f.name, band if intervals == "all" else no_band)]
        if f is result.best:
            labelled.append((AUTO, band))
        for label, (lower, upper) in labelled:
            rows += [
                {
                    "origin": origin,
                    "model": label,
                    "year": year,
                    "horizon": year - origin,
                    "actual": truth[year],
                    "forecast": value[i],
                    "lower": lower[i],
                    "upper": upper[i],
                    "ape": abs(value[i] - truth[year]) / truth[year],
                    "covered": float(lower[i] <= truth[year] <= upper[i])
                    if np.isfinite(lower[i])
                    else np.nan,
                }
                for i, year in enumerate(future)
            ]
    return rows, failed


def backtest(
    years: Iterable[float],
    values: Iterable[float],
    models: str | Sequence[str] | Sequence[Model] | None = None,
    horizon: int = 3,
    min_train: int = 8,
    level: float = 0.9,
    seed: int | None = 0,
    n_boot: int = 200,
    intervals: str = "best",
    name: str = "series",
) -> Backtest:
    """Backtest on every origin that leaves ``min_train`` points to fit and one to score."""
    import pandas as pd

    if intervals not in ("best", "all"):
        raise UserInputError(f"intervals must be 'best' or 'all', got {intervals!r}")
    if horizon < 1:
        raise UserInputError(f"horizon must be at least 1, got {horizon}")
    y, v = validate(list(years), list(values), name)
    if len(y) < min_train + 1:
        raise UserInputError(
            f"{name}: {len(y)} points; a backtest needs min_train ({min_train}) + 1"
        )
    truth = dict(zip(y.tolist(), v.tolist(), strict=True))
    rng = np.random.default_rng(seed)
    rows, failed = [], 0
    for end in range(min_train, len(y)):
        result = fit(y[:end], v[:end], models, name=f"{name} through {y[end - 1]}")
        seed_i = int(rng.integers(2**32))
        origin_rows, origin_failed = _origin_rows(
            result, truth, horizon, level, seed_i, n_boot, intervals
        )
        rows += origin_rows
        failed += origin_failed
    return Backtest(name, level, pd.DataFrame(rows), failed)
