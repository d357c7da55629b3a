"""Forecast with any backtested method and an interval from its own track record.

The method forecasts from the last year of the series (and, for pooled methods, the other
companies' series cut at that year); the interval at horizon ``h`` comes from the method's
out-of-sample errors at ``h`` over the whole history (:mod:`dcsim.growth.conformal`),
the company's own when it has enough, else pooled over the companies given. ``track_record``
(the default) first resolves to the method with the best record so far over a fixed window
of horizons (``RECORD_HORIZONS``), so year ``T + h`` gets the same forecast and interval
whether 1 or 10 years are asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dcsim.errors import UserInputError
from dcsim.growth.backtest import (
    TRACK_RECORD,
    forecast_frame,
    resolved_errors,
    track_record_choice,
    tracks_of,
)
from dcsim.growth.conformal import half_width
from dcsim.growth.data import Series
from dcsim.growth.forecast import Forecast
from dcsim.growth.methods import AUTO, Origin, methods


@dataclass(frozen=True)
class CalibratedForecast:
    """Point forecasts of ``method`` (resolved to ``used``) and its absolute log errors
    per horizon, from which :meth:`at` builds an interval at any level."""

    method: str
    used: str
    years: np.ndarray
    log_value: np.ndarray
    errors: tuple[np.ndarray, ...]  # per horizon 1..H

    def at(self, level: float) -> Forecast:
        """The forecast with its conformal interval at ``level`` (NaN bounds where fewer
        than two errors are known at that horizon)."""
        if not 0.0 < level < 1.0:
            raise UserInputError(f"level must be between 0 and 1, got {level}")
        half = np.array([half_width(e, level)[0] for e in self.errors])
        label = self.method if self.used == self.method else f"{self.method} ({self.used})"
        return Forecast(
            model=label,
            level=level,
            years=self.years,
            value=np.exp(self.log_value),
            lower=np.exp(self.log_value - half),
            upper=np.exp(self.log_value + half),
            n_boot=0,
            n_failed=0,
        )


def calibrated_forecast(
    target: Series,
    panel: Sequence[Series] = (),
    method: str = TRACK_RECORD,
    horizon: int = 5,
    models: str | Sequence[str] | None = None,
) -> CalibratedForecast:
    """Forecast ``target`` ``horizon`` years ahead with ``method``; ``panel`` holds the
    other companies (cut at the same year by the caller)."""
    tracks = tracks_of([target, *panel])
    own, others = tracks[0], tuple(tracks[1:])
    known = [TRACK_RECORD, *methods(models)]
    if method not in known:
        raise UserInputError(f"unknown method {method!r}; choose one of: {', '.join(known)}")
    if method == "pooled_exponential" and not others:
        raise UserInputError("pooled_exponential needs other companies (a shipped company)")
    frame, catalog = forecast_frame(tracks, models, max(horizon, 1))
    used = method
    if method == TRACK_RECORD:  # no record yet (a short series): the AICc curve, as before
        used = track_record_choice(frame, int(own.years[-1]), list(catalog)) or AUTO
    origin = Origin(own, others, models if isinstance(models, str | None) else tuple(models))
    log_value = catalog[used].forecast(origin, horizon) if horizon else np.array([])
    if horizon and not np.all(np.isfinite(log_value)):
        raise UserInputError(f"{target.name}: {used} cannot forecast from {len(own.years)} points")
    years = np.arange(int(own.years[-1]) + 1, int(own.years[-1]) + 1 + horizon)
    errors = tuple(resolved_errors(frame, own.name, method, h) for h in range(1, horizon + 1))
    return CalibratedForecast(method, used, years, log_value, errors)
