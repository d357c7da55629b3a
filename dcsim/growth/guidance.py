"""Company capex guidance as data: what was promised, when, and how far it missed.

``dcsim/data/capex_guidance.csv`` holds, per company and fiscal year, the guidance in force
when the previous year's results came out (a range ``low..high``; a single figure has
``low == high``), with the date it was issued and its source. Guidance for year ``T+1``
is usable at origin ``T`` only if it was issued no later than ``ISSUED_WITHIN_DAYS`` after
fiscal year ``T`` ended, i.e. with the fourth-quarter results; a figure given half-way
through the year (Microsoft's FY2025) is not a forecast from the origin and is left out.

The guidance is treated as an observation of next year's capex with an error learned
from past guidance-vs-actual pairs: ``ln actual = ln midpoint + b + e``, ``b`` the mean
log miss and ``e`` of spread ``σ_g``, both from pairs resolved by the origin (pooled over
companies). It enters a forecast by precision weighting: with the method's own horizon-1
spread ``σ_m``,

    ln V = (x_m / σ_m² + (x_g + b) / σ_g²) / (1 / σ_m² + 1 / σ_g²),
    σ² = 1 / (1 / σ_m² + 1 / σ_g²).

With fewer than ``MIN_PAIRS`` resolved pairs the error is unknown and the guidance is not
used.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from importlib import resources

import numpy as np
from scipy.special import stdtrit

from dcsim.errors import UserInputError
from dcsim.growth.data import read_rows

GUIDANCE_FILE = "capex_guidance.csv"
ISSUED_WITHIN_DAYS = 45
"""Fourth-quarter results come within about five weeks of the fiscal year's end."""
MIN_PAIRS = 2
"""Resolved guidance-vs-actual pairs needed to estimate the guidance's error."""


@dataclass(frozen=True)
class Guidance:
    """One company's guidance for one fiscal year (USD)."""

    company: str
    year: int
    issued: dt.date
    fiscal_year_end: str  # MM-DD
    low: float
    high: float
    source: str
    verification: str

    @property
    def value(self) -> float:
        """The range's midpoint (the figure the company stands behind)."""
        return (self.low + self.high) / 2

    @property
    def at_origin(self) -> bool:
        """Issued by the end of the previous fiscal year plus ``ISSUED_WITHIN_DAYS``."""
        month, day = map(int, self.fiscal_year_end.split("-"))
        year_end = dt.date(self.year - 1, month, day)
        return self.issued <= year_end + dt.timedelta(days=ISSUED_WITHIN_DAYS)


def _parse(row: dict[str, str], line: int) -> Guidance:
    where = f"{GUIDANCE_FILE}, line {line}"
    try:
        g = Guidance(
            row["company"],
            int(row["fiscal_year"]),
            dt.date.fromisoformat(row["issued"]),
            row["fiscal_year_end"],
            float(row["low_usd"]),
            float(row["high_usd"]),
            row["source"],
            row["verification"],
        )
        g.at_origin  # noqa: B018 - checks fiscal_year_end parses
    except (KeyError, TypeError, ValueError) as error:
        raise UserInputError(f"{where}: {error}") from None
    if not (0 < g.low <= g.high and math.isfinite(g.high)):
        raise UserInputError(f"{where}: need 0 < low_usd <= high_usd, got {g.low}..{g.high}")
    return g


def load_guidance() -> list[Guidance]:
    """Every row of the shipped guidance file."""
    with resources.as_file(resources.files("dcsim") / "data" / GUIDANCE_FILE) as path:
        _, rows = read_rows(path, GUIDANCE_FILE)
    return [_parse(row, line) for line, row in enumerate(rows, start=2)]


def usable(guidance: list[Guidance]) -> dict[tuple[str, int], Guidance]:
    """``{(company, year): guidance}`` for guidance issued in time to forecast from the
    previous year's close."""
    return {(g.company, g.year): g for g in guidance if g.at_origin}


def pairs(guidance: list[Guidance], actuals: dict[tuple[str, int], float]):
    """Guidance-vs-actual pairs: one row per usable guidance whose year has an actual,
    with the log miss ``ln(actual / midpoint)``."""
    import pandas as pd

    rows = [
        {
            "company": company,
            "year": year,
            "guidance": g.value,
            "actual": actuals[company, year],
            "log_error": math.log(actuals[company, year] / g.value),
            "source": g.source,
            "verification": g.verification,
        }
        for (company, year), g in sorted(usable(guidance).items())
        if (company, year) in actuals
    ]
    columns = ["company", "year", "guidance", "actual", "log_error", "source", "verification"]
    return pd.DataFrame(rows, columns=columns)


def learned_error(pair_frame, origin: int) -> tuple[float, float, int]:
    """``(b, σ_g, n)`` from the pairs resolved by ``origin`` (NaN below ``MIN_PAIRS``)."""
    e = pair_frame.log_error[pair_frame.year <= origin].to_numpy()
    if len(e) < MIN_PAIRS:
        return float("nan"), float("nan"), len(e)
    bias = float(e.mean())
    return bias, float(np.sqrt(np.sum((e - bias) ** 2) / (len(e) - 1))), len(e)


def precision_weighted(
    x_model: float, s_model: float, x_guide: float, s_guide: float
) -> tuple[float, float]:
    """The two log forecasts weighted by their inverse variances, and the combined SD."""
    w_m, w_g = 1 / s_model**2, 1 / s_guide**2
    return (w_m * x_model + w_g * x_guide) / (w_m + w_g), math.sqrt(1 / (w_m + w_g))


def t_half_width(sd: float, dof: int, level: float) -> float:
    """``t_{dof}`` quantile times ``sd``: the half-width of a normal-theory interval."""
    return float(stdtrit(max(dof, 1), 0.5 + level / 2)) * sd
