"""Monte Carlo of a fleet file: replications 0..N-1 of one fleet on any sweep executor.

Replication ``r`` draws from the named streams of ``(seed, r)`` (template variation, queue
traffic, every site's entities), so a replication is fully determined by the file, the
root seed and ``r``: the same rows come back from this process, a local pool or a Dask
cluster, in any order of completion, and two fleet files run with the same seed share
random numbers where they share sites and regions (common random numbers).

The file and its site scenarios are read and validated once, here; a task carries the
validated fleet and its site plans, so a worker on another machine needs neither file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from dcsim.errors import UserInputError
from dcsim.fleet.loader import SitePlan, load_fleet, site_plans
from dcsim.fleet.model import FleetRun
from dcsim.fleet.results import summarize_fleet
from dcsim.fleet.schema import Fleet
from dcsim.sweeps.experiment import MAX_RUNS
from dcsim.sweeps.summary import summarize
from dcsim.sweeps.worker import describe, flatten

#: Columns of a replication row that are not KPIs.
META = ("replication", "seed", "status", "error")
#: Queue statistics kept per region in a replication row (``queue.<region>.<stat>``).
QUEUE_STATS = ("completion_rate", "median_years_to_operation", "operating_gw", "withdrawn_gw")


@dataclass(frozen=True)
class Replication:
    """What a worker needs to run one replication: nothing is read from disk there."""

    fleet: Fleet
    plans: list[SitePlan] | str  # the replication's sites, or why they cannot be built
    seed: int
    replication: int


@dataclass
class MonteCarlo:
    runs: pd.DataFrame  # one row per replication, in replication order
    quantiles: pd.DataFrame  # one row per KPI: runs, n, mean, p10, p50, p90

    @property
    def failed(self) -> int:
        return int((self.runs["status"] != "ok").sum())


def run_replication(task: Replication) -> dict[str, Any]:
    """One replication's row: its fleet KPIs (nested ones as dotted columns) and the queue
    statistics of each region; a replication that raises is an ``error`` row."""
    row: dict[str, Any] = {"replication": task.replication, "seed": task.seed}
    if isinstance(task.plans, str):
        return {**row, "status": "error", "error": task.plans}
    try:
        result = summarize_fleet(
            FleetRun(task.fleet, task.plans, task.seed, task.replication).run()
        )
    except Exception as error:
        return {**row, "status": "error", "error": describe(error)}
    kpis = {k: v for k, v in result.kpis.items() if k not in ("fleet", "seed")}
    queues = {
        "queue": {
            region["region"]: {stat: region[stat] for stat in QUEUE_STATS}
            for region in result.regions.to_dict(orient="records")
        }
    }
    return {**row, "status": "ok", "error": None, **flatten(kpis), **flatten(queues)}


def plan_replications(path: str | Path, seed: int, replications: int) -> list[Replication]:
    """The tasks, validated here once. A replication whose drawn site variation makes a
    scenario invalid is an error row, not the end of the study."""
    if not 1 <= replications <= MAX_RUNS:
        raise UserInputError(f"--replications {replications}: expected 1 to {MAX_RUNS:,}")
    fleet = load_fleet(path)
    tasks = []
    for r in range(replications):
        try:
            plans: list[SitePlan] | str = site_plans(fleet, path, seed, r)
        except UserInputError as error:
            if r == 0:  # the file itself is wrong: say so as for a single run
                raise
            plans = "; ".join(error.problems)
        tasks.append(Replication(fleet, plans, seed, r))
    return tasks


def monte_carlo(
    path: str | Path,
    replications: int,
    seed: int = 0,
    executor: str = "serial",
    workers: int | None = None,
    address: str | None = None,
    scheduler_file: str | None = None,
) -> MonteCarlo:
    """Replications ``0..replications-1`` of the fleet file on ``executor`` (``serial``,
    ``local`` or ``dask``, as for sweeps); rows are sorted by replication, so the result
    does not depend on which worker finished first."""
    from dcsim.sweeps.executors import WorkerLost, map_retrying, open_executor

    tasks = plan_replications(path, seed, replications)
    rows: list[dict[str, Any]] = []
    with open_executor(executor, workers, address, scheduler_file) as pool:
        for task, outcome in map_retrying(pool, run_replication, tasks, what="replications"):
            if isinstance(outcome, BaseException):
                error = (
                    "its worker process died even running it alone"
                    if isinstance(outcome, WorkerLost)
                    else describe(outcome)
                )
                outcome = {"replication": task.replication, "seed": task.seed}
                outcome.update(status="error", error=error)
            rows.append(outcome)
    runs = pd.DataFrame(rows).sort_values("replication", kind="stable").reset_index(drop=True)
    return MonteCarlo(runs, quantiles(runs))


def quantiles(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean and P10/P50/P90 of every numeric KPI over the replications that finished (the
    sweep summary of a single design point)."""
    numeric = [c for c in runs.select_dtypes("number") if c not in META]
    table = summarize(runs.assign(point=0), numeric, [])
    return table.drop(columns="point")
