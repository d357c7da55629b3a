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

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from dcsim.errors import UserInputError
from dcsim.files import LOCK_NAME
from dcsim.fleet.loader import SitePlan, load_fleet, site_plans
from dcsim.fleet.model import FleetRun
from dcsim.fleet.results import SITE_DATES, summarize_fleet
from dcsim.fleet.risk import site_risk
from dcsim.fleet.schema import Fleet
from dcsim.sweeps.executors import Executor, WorkerLost, map_retrying, open_executor
from dcsim.sweeps.experiment import MAX_RUNS
from dcsim.sweeps.store import Layout, Store, runs_table
from dcsim.sweeps.summary import summarize
from dcsim.sweeps.worker import describe, flatten

#: Columns of a replication row that are not KPIs.
META = ("replication", "seed", "status", "error")
#: A study's ``--out``: the store's parts/ and quarantine/ besides these files.
STUDY = Layout(
    "replications.parquet",
    ("manifest.json", "replications.parquet", "quantiles.parquet", "site_risk.parquet", LOCK_NAME),
    "fleet study",
    "fleet study",
)
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
    site_risk: pd.DataFrame  # one row per site: date quantiles, P(reached by a date)

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
    sites = {
        "site": {
            site["site"]: {key: site[key] for key in (*SITE_DATES, "gpus_energized_final")}
            for site in result.sites.to_dict(orient="records")
        }
    }
    flat = {**flatten(kpis), **flatten(queues), **flatten(sites)}
    return {**row, "status": "ok", "error": None, **flat}


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
    out: str | Path | None = None,
    force: bool = False,
    by: list[dt.date] | None = None,
) -> MonteCarlo:
    """Replications ``0..replications-1`` of the fleet file on ``executor`` (``serial``,
    ``local`` or ``dask``, as for sweeps); rows are sorted by replication, so the result
    does not depend on which worker finished first.

    With ``out``, the study is kept as a sweep is (:class:`~dcsim.sweeps.store.Store`):
    each replication is written as it finishes, so a killed study resumes where it
    stopped, and ``out`` ends with ``replications.parquet``, ``quantiles.parquet`` and
    ``site_risk.parquet`` (:mod:`dcsim.fleet.risk`, by the dates ``by``, default the
    fleet's end date). A directory holding another study (another file, seed or count) is
    refused unless ``force``."""
    tasks = plan_replications(path, seed, replications)
    if out is None:
        with open_executor(executor, workers, address, scheduler_file) as pool:
            runs = runs_table(list(_rows(pool, tasks))).to_pandas()
        return _study(runs, by or [_end(tasks)])
    store = Store(out, STUDY)
    digest = _study_hash(tasks)
    started = _manifest(tasks, digest, executor, complete=False)
    store.check(started, force)
    counts = {"replication": replications}
    with (
        open_executor(executor, workers, address, scheduler_file) as pool,
        store.opened(started, force),
    ):
        done = set(store.finished(counts)["replication"])
        for row in _rows(pool, [task for task in tasks if task.replication not in done]):
            store.add_part([row])
        study = _study(store.finished(counts), by or [_end(tasks)])
        store.consolidate(study.runs)
        store.write_frame("quantiles.parquet", study.quantiles)
        store.write_frame("site_risk.parquet", study.site_risk)
        store.write_json("manifest.json", _manifest(tasks, digest, executor, complete=True))
    return study


def _rows(pool: Executor, tasks: list[Replication]) -> Iterator[dict[str, Any]]:
    """Each task's row as it finishes; a replication lost with its worker runs again
    (:func:`~dcsim.sweeps.executors.map_retrying`)."""
    for task, outcome in map_retrying(pool, run_replication, tasks, what="replications"):
        if isinstance(outcome, BaseException):
            error = (
                "its worker process died even running it alone"
                if isinstance(outcome, WorkerLost)
                else describe(outcome)
            )
            outcome = {"replication": task.replication, "seed": task.seed}
            outcome.update(status="error", error=error)
        yield outcome


def _study(runs: pd.DataFrame, by: list[dt.date]) -> MonteCarlo:
    runs = runs.sort_values("replication", kind="stable").reset_index(drop=True)
    return MonteCarlo(runs, quantiles(runs), site_risk(runs, by))


def _end(tasks: list[Replication]) -> dt.date:
    """The fleet's end date: its start plus its horizon."""
    fleet = tasks[0].fleet
    return fleet.start + dt.timedelta(days=fleet.horizon)


def _study_hash(tasks: list[Replication]) -> str:
    """What the study is: the validated fleet, the site scenarios of its first replication
    (the others are varied copies drawn from the same file), the root seed and the number
    of replications."""
    first = tasks[0]
    sites = (
        first.plans
        if isinstance(first.plans, str)
        else [
            {"name": plan.name, "scenario": plan.scenario.model_dump(mode="json")}
            for plan in first.plans
        ]
    )
    study = {
        "fleet": first.fleet.model_dump(mode="json"),
        "sites": sites,
        "seed": first.seed,
        "replications": len(tasks),
    }
    return hashlib.sha256(json.dumps(study, sort_keys=True, default=str).encode()).hexdigest()


def _manifest(
    tasks: list[Replication], digest: str, executor: str, complete: bool
) -> dict[str, Any]:
    first = tasks[0]
    return {
        "complete": complete,
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
        "config_hash": digest,
        "fleet": first.fleet.fleet,
        "root_seed": first.seed,
        "counts": {"replications": len(tasks)},
        "executor": executor,
    }


def quantiles(runs: pd.DataFrame) -> pd.DataFrame:
    """Mean and P10/P50/P90 of every numeric KPI over the replications that finished (the
    sweep summary of a single design point)."""
    numeric = [c for c in runs.select_dtypes("number") if c not in META]
    table = summarize(runs.assign(point=0), numeric, [])
    return table.drop(columns="point")
