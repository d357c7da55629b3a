"""A Monte Carlo in chunks, and its running tally.

Each chunk is a range of replications of one scenario, run by the sweep's own worker
(:func:`dcsim.runtime.worker.run_batch`) with the experiment's seed, so replication ``r``
here draws exactly what replication ``r`` of ``dcsim sweep`` draws: the base case and an
edited case run on common random numbers, and the page's quantiles are the sweep's
(:func:`dcsim.sweeps.summary.summarize`, :func:`dcsim.sweeps.criticality.criticality`).
A chunk sends back its KPI rows and each run's GPUs energized read on a daily grid, not
whole time series, so results cross a process boundary cheaply.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from dcsim.config.schema import Scenario
from dcsim.plots.style import step_on_grid
from dcsim.runtime.worker import Task, run_batch
from dcsim.sweeps.criticality import criticality
from dcsim.sweeps.summary import summarize

#: KPIs the page shows, in the sweep's column names.
KPIS = (
    "days_to_full_cluster",
    "first_power_date",
    "full_cluster_date",
    "stranded_gpu_days",
    "stranded_capex_usd_years",
    "capex_usd",
    "electricity_cost_usd",
    "bridging_fuel_cost_usd",
)
#: The first chunk is small, so a first answer comes at once; the rest come in these.
FIRST_CHUNK = 24
CHUNK = 25


@dataclass(frozen=True)
class Chunk:
    scenario: Scenario
    seed: int
    replications: range


@dataclass(frozen=True)
class ChunkResult:
    replications: range
    rows: list[dict[str, Any]]
    #: One row per replication: GPUs energized at each day 0..horizon (None: a fleet's
    #: chunk, which sends back its rows only).
    curves: np.ndarray | None = None


def run_chunk(chunk: Chunk) -> ChunkResult:
    """Run one chunk (in a worker process): KPI rows and daily GPUs-energized curves."""
    task = Task(
        runs=[(0, r) for r in chunk.replications],
        scenarios={0: chunk.scenario},
        seed=chunk.seed,
        series=("day", "gpus_energized"),
    )
    outcome = run_batch(task)
    days = day_grid(chunk.scenario)
    curves = np.full((len(chunk.replications), len(days)), np.nan)
    for i, r in enumerate(chunk.replications):
        series = outcome.series.get((0, r))
        if series is not None:
            curves[i] = step_on_grid(series["day"], series["gpus_energized"], days)
    return ChunkResult(chunk.replications, outcome.rows, curves)


def day_grid(scenario: Scenario) -> np.ndarray:
    """Day 0, 1, ... up to the horizon: one value per calendar day of the run."""
    return np.arange(0.0, np.floor(scenario.horizon) + 1.0)


def chunks(scenario: Scenario, seed: int, wanted: range, done: set[int]) -> list[Chunk]:
    """The replications of ``wanted`` not yet ``done``, a small first chunk then the rest."""
    return [Chunk(scenario, seed, part) for part in chunk_ranges(wanted, done, FIRST_CHUNK, CHUNK)]


def chunk_ranges(wanted: range, done: set[int], first: int, size: int) -> list[range]:
    """The replications of ``wanted`` not yet ``done`` as ranges: two of ``first // 2``
    (the pool's two workers answer the first question together), then ranges of ``size``."""
    todo = [r for r in wanted if r not in done]
    sizes = [max(1, first // 2)] * 2
    out, start = [], 0
    while start < len(todo):
        step = sizes.pop(0) if sizes else size
        part = todo[start : start + step]
        out.append(range(part[0], part[-1] + 1))
        start += step
    return out


async def arrivals(
    pool: Executor, work: list[tuple[str, Any]], run: Callable[[Any], ChunkResult] = run_chunk
) -> AsyncIterator[tuple[str, ChunkResult]]:
    """Submit ``run(chunk)`` for every ``(case, chunk)`` to ``pool`` and yield each result
    as it arrives. Closing the generator early (a newer change) cancels the chunks not yet
    started."""
    submitted = [(case, pool.submit(run, chunk)) for case, chunk in work]
    try:
        for arrival in asyncio.as_completed([_tagged(c, f) for c, f in submitted]):
            yield await arrival
    finally:
        for _, future in submitted:
            future.cancel()


async def _tagged(case: str, future: Future) -> tuple[str, ChunkResult]:
    return case, await asyncio.wrap_future(future)


def interleave(first: list, second: list) -> list:
    """a0, b0, a1, b1, ...: the base and the edited case advance together (paired runs)."""
    out = []
    for i in range(max(len(first), len(second))):
        out.extend(part[i] for part in (first, second) if i < len(part))
    return out


@dataclass
class Tally:
    """The runs of one scenario so far, by replication; quantiles on demand."""

    rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    curves: dict[int, np.ndarray] = field(default_factory=dict)
    #: Tables computed since the last :meth:`add`: a redraw asks for some several times,
    #: and the base case's stay put while an edited case arrives chunk by chunk.
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def add(self, result: ChunkResult) -> None:
        for i, (r, row) in enumerate(zip(result.replications, result.rows, strict=True)):
            self.rows[r] = row
            if result.curves is not None:
                self.curves[r] = result.curves[i]
        self._cache.clear()

    def _cached(self, name: str, compute: Any) -> Any:
        if name not in self._cache:
            self._cache[name] = compute()
        return self._cache[name]

    def __len__(self) -> int:
        return len(self.rows)

    def runs(self) -> pd.DataFrame:
        """One row per run in replication order, as ``runs.parquet`` of a sweep holds."""
        return self._cached("runs", lambda: pd.DataFrame([self.rows[r] for r in sorted(self.rows)]))

    def summary(self) -> pd.DataFrame:
        """P10/P50/P90 of :data:`KPIS` (dates as day numbers), indexed by KPI."""
        kpis = [k for k in KPIS if not k.endswith("_date")]
        return self._cached("summary", lambda: summarize(self.runs(), kpis, []).set_index("kpi"))

    def date_quantiles(self, kpi: str) -> dict[str, Any]:
        """P10/P50/P90 of a date KPI, as dates, over the runs that reached it."""
        return self._cached(f"dates {kpi}", lambda: self._date_quantiles(kpi))

    def _date_quantiles(self, kpi: str) -> dict[str, Any]:
        runs = self.runs()
        dates = pd.to_datetime(runs.get(kpi, pd.Series(dtype=object)), errors="coerce").dropna()
        n = len(runs)
        if dates.empty:
            return {"p10": None, "p50": None, "p90": None, "n": 0, "runs": n}
        out = {name: dates.quantile(q) for name, q in (("p10", 0.1), ("p50", 0.5), ("p90", 0.9))}
        return {**out, "n": len(dates), "runs": n}

    def band(self) -> np.ndarray:
        """P10, P50, P90 of GPUs energized on each day (3 x days)."""
        return self._cached("band", self._band)

    def _band(self) -> np.ndarray:
        stacked = np.vstack([self.curves[r] for r in sorted(self.curves)])
        finished = stacked[~np.isnan(stacked).any(axis=1)]  # a failed run has no curve
        if not len(finished):
            return np.full((3, stacked.shape[1]), np.nan)
        return np.quantile(finished, [0.1, 0.5, 0.9], axis=0)

    def criticality(self) -> pd.DataFrame:
        """Share of runs in which each constraint kind set the full-cluster date."""
        return self._cached("criticality", self._criticality)

    def _criticality(self) -> pd.DataFrame:
        table = criticality(self.runs(), [])
        return table[table["measure"] == "date_set_by"][["name", "share", "runs"]]
