"""Date KPIs as numbers for statistics over runs: a date never reached sorts last.

A run's date KPIs are ISO strings, ``None`` when the run never reached them. Quantiles of
such a column are taken on day numbers with ``None`` as ``inf`` and without interpolation,
so a quantile is always a date some run reached, or "not reached" when it falls on a run
that did not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_EPOCH = pd.Timestamp("1970-01-01")


def day_numbers(dates: pd.Series) -> np.ndarray:
    """ISO dates as days since 1970; a date never reached (``None``) is ``inf``."""
    parsed = pd.to_datetime(pd.Series(dates, dtype=object), errors="coerce")
    days = ((parsed - _EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype=float)
    return np.where(np.isnan(days), np.inf, days)


def quantile(values: np.ndarray, level: float) -> float:
    """The ``level`` quantile without interpolation (an observed value, possibly ``inf``)."""
    return float(np.quantile(values, level, method="inverted_cdf"))


def as_date(day: float) -> str | None:
    """Days since 1970 as an ISO date; ``None`` for a date never reached."""
    if not np.isfinite(day):
        return None
    return (_EPOCH + pd.Timedelta(days=day)).date().isoformat()


def day_number(date: object) -> float:
    """One date (``datetime.date`` or ISO text) as days since 1970."""
    return float((pd.Timestamp(date) - _EPOCH) / pd.Timedelta(days=1))
