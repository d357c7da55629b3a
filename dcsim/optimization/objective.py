"""The objective's arithmetic: what a run costs, a statistic over runs, and its interval.

Plain functions on numbers and arrays, testable without SimPy. Total cost over the horizon::

    capex + electricity + bridging fuel
      + stranded_capex_usd_years x cost_of_capital          (carrying cost of dark hardware)
      + shortfall_gpu_days x 24 x value_per_gpu_hour          (compute not delivered)
      + crew_months x crew_usd_per_month                      (installation crews on site)

where ``shortfall_gpu_days`` is the integral, from the target date to the horizon, of the
GPUs planned but not energized: every GPU-day the full cluster was owed and did not run.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence

import numpy as np

from dcsim.units import DAYS_PER_YEAR, HOURS_PER_DAY

#: The parts of the total cost, in the order reports list them.
COST_PARTS = (
    "capex_usd",
    "electricity_cost_usd",
    "bridging_fuel_cost_usd",
    "carrying_cost_usd",
    "undelivered_compute_usd",
    "crew_cost_usd",
)
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
BOOTSTRAP_RESAMPLES = 2000


def shortfall_gpu_days(
    days: np.ndarray, energized: np.ndarray, planned: int, target_day: float
) -> float:
    """GPU-days short of the full cluster from ``target_day`` to the last row (the horizon).

    ``energized[i]`` holds from ``days[i]`` to ``days[i + 1]`` (a step function, as
    :func:`dcsim.results.levels` gives it). A target before day 0 counts from day 0: before
    the start the simulation knows nothing.
    """
    starts = np.maximum(days[:-1], target_day)
    ends = np.maximum(days[1:], target_day)
    missing = planned - energized[:-1]
    return float((missing * (ends - starts)).sum())


def crew_months(installations: Sequence[tuple[float, float]], crews: int | None) -> float:
    """Installation crew-months on site: a crew is hired for the campus, from the first
    installation's start to the last one's end (``installations``: start and end days),
    whether or not it is busy all that time. ``crews`` of None (unlimited) counts as many
    crews as were ever installing at once."""
    if not installations:
        return 0.0
    if crews is None:
        steps = sorted(
            [(start, 1) for start, _ in installations] + [(end, -1) for _, end in installations]
        )
        crews = max(itertools.accumulate(step for _, step in steps))
    window = max(end for _, end in installations) - min(start for start, _ in installations)
    return crews * window / DAYS_PER_MONTH


def costs(
    kpis: Mapping[str, float],
    shortfall: float,
    cost_of_capital: float,
    value_per_gpu_hour: float,
    crew_months: float = 0.0,
    crew_usd_per_month: float = 0.0,
) -> dict[str, float]:
    """The cost parts of one run (:data:`COST_PARTS`) and their sum, ``total_cost_usd``."""
    parts = {
        "capex_usd": float(kpis["capex_usd"]),
        "electricity_cost_usd": float(kpis["electricity_cost_usd"]),
        "bridging_fuel_cost_usd": float(kpis["bridging_fuel_cost_usd"]),
        "carrying_cost_usd": float(kpis["stranded_capex_usd_years"]) * cost_of_capital,
        "undelivered_compute_usd": shortfall * HOURS_PER_DAY * value_per_gpu_hour,
        "crew_cost_usd": crew_months * crew_usd_per_month,
    }
    return {**parts, "total_cost_usd": sum(parts.values()), "shortfall_gpu_days": shortfall}


def statistic(values: np.ndarray, name: str, high_is_bad: bool = True) -> float:
    """``mean``, ``Pnn`` (the nn-th percentile, no interpolation, so a date never reached
    stays infinite rather than becoming NaN) or ``CVaRnn`` (the mean of the worst
    (100 - nn)% of runs: the highest if ``high_is_bad``, else the lowest)."""
    values = np.asarray(values, dtype=float)
    if name == "mean":
        return float(values.mean())
    match = re.fullmatch(r"(P|CVaR)(\d+(?:\.\d+)?)", name)
    if not match:
        raise ValueError(f"unknown statistic {name!r}")
    level = float(match.group(2)) / 100
    if match.group(1) == "P":
        return float(np.quantile(values, level, method="inverted_cdf"))
    worst = np.sort(values)[::-1] if high_is_bad else np.sort(values)
    tail = max(1, math.ceil(len(values) * (1 - level) - 1e-9))
    return float(worst[:tail].mean())


def interval(
    values: np.ndarray,
    name: str,
    high_is_bad: bool = True,
    baseline: np.ndarray | None = None,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """(estimate, low, high) of ``statistic(values)``, or with ``baseline`` (the same
    replications of another decision) of the difference ``statistic(values) -
    statistic(baseline)``, paired run by run: with common random numbers the pairs share
    their draws, so the interval of the difference is much narrower than either's.

    The mean gets Student's t interval; quantiles and CVaR a percentile bootstrap that
    resamples replications (pairs stay together).
    """
    from scipy import stats

    values = np.asarray(values, dtype=float)
    base = np.zeros_like(values) if baseline is None else np.asarray(baseline, dtype=float)

    def estimate(index: np.ndarray) -> float:
        value = statistic(values[index], name, high_is_bad)
        return value - (statistic(base[index], name, high_is_bad) if baseline is not None else 0)

    everything = np.arange(len(values))
    point = estimate(everything)
    if len(values) < 2 or not np.isfinite(np.concatenate([values, base])).all():
        return point, math.nan, math.nan
    if name == "mean":
        diffs = values - base
        half = (
            stats.t.ppf(0.5 + level / 2, len(diffs) - 1) * diffs.std(ddof=1) / math.sqrt(len(diffs))
        )
        return point, point - half, point + half
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(values), size=(BOOTSTRAP_RESAMPLES, len(values)))
    resampled = np.array([estimate(index) for index in draws])
    tails = np.quantile(resampled, [0.5 - level / 2, 0.5 + level / 2])
    return point, float(tails[0]), float(tails[1])
