"""Run a sweep: plan, skip what is already stored, batch the rest, record as it finishes.

Batches are sized from a pilot of ``PILOT_RUNS`` runs (see :func:`task_sizes`): about
``TARGET_TASK_S`` each while there is plenty of work (Dask costs ~2 ms per task, and the
store writes a part file per task), shrinking towards the end so that no worker idles
long while another finishes a large task.

A task lost with its worker (killed, out of memory) is not the scenario's failure: its runs
run again, first as single runs in parallel, then one at a time; only a run that takes
its worker down even when it runs alone is recorded as failed.
"""

from __future__ import annotations

import itertools
import math
import platform
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from dcsim.config.loader import scenario_from_dict
from dcsim.config.schema import Scenario
from dcsim.errors import UserInputError
from dcsim.progress import progress_bar
from dcsim.runtime.executors import Executor, WorkerLost, map_retrying, open_executor
from dcsim.runtime.store import KEY, Store
from dcsim.runtime.worker import TIME_LIMIT_S, Outcome, Task, describe, run_batch
from dcsim.sweeps.criticality import criticality
from dcsim.sweeps.experiment import Experiment
from dcsim.sweeps.plan import Plan, make_plan
from dcsim.sweeps.summary import summarize
from dcsim.version import __version__

TARGET_TASK_S = 1.0
MIN_TASK_S = 0.05
#: How finely the end of a sweep is split: each of the last tasks takes at most
#: 1 / (TASKS_PER_WORKER x workers) of the runs left.
TASKS_PER_WORKER = 2
#: Runs run here before the pool gets any: the fastest sizes the tasks.
PILOT_RUNS = 2
DEPENDENCIES = (
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "pydantic",
    "simpy",
    "dask",
    "distributed",
    "SALib",
)


@dataclass(frozen=True)
class SweepResult:
    out: Path
    plan: Plan
    runs: pd.DataFrame
    summary: pd.DataFrame
    tasks: int = 0  # tasks this call ran (the pilot included), for overhead figures
    analyses: dict[str, Any] = field(default_factory=dict)  # file name -> what it holds

    @property
    def failed(self) -> int:
        return int((self.runs["status"] != "ok").sum())

    @property
    def ok(self) -> int:
        return len(self.runs) - self.failed


def run_sweep(
    experiment: Experiment,
    out: str | Path,
    *,
    origin: str = "<experiment>",
    executor: str = "local",
    workers: int | None = None,
    address: str | None = None,
    scheduler_file: str | None = None,
    timeseries: bool = False,
    force: bool = False,
    quiet: bool = True,
    time_limit: float = TIME_LIMIT_S,
    analyses: Mapping[str, Callable[[SweepResult], Any]] | None = None,
) -> SweepResult:
    """Everything that can be wrong with the input is found before the store is touched;
    the store stays locked against other sweeps until its last file is written, the JSON
    files of ``analyses`` (name -> what computes it from the finished sweep) included."""
    analyses = analyses or {}
    plan = make_plan(experiment, origin)
    counts = {"point": len(plan.points), "replication": experiment.replications}
    started = manifest(plan, executor, complete=False)
    Store(out).check(started, force)
    owner = owner_columns(plan)
    with (
        open_executor(executor, workers, address, scheduler_file) as pool,
        Store(out).opened(started, force) as store,
    ):
        done = store.finished(counts, owner)
        done_keys = set(zip(done["point"], done["replication"], strict=True))
        pending = [key for key in plan.runs if key not in done_keys]
        scenarios = ValidatedPoints(plan)
        tasks: list[Task] = []
        with progress_bar("sweep", len(plan.runs), len(done_keys), quiet) as advance:
            if pending:
                pilot = _task(plan, scenarios, pending[:PILOT_RUNS], timeseries, time_limit)
                outcome = run_batch(pilot)
                _record(store, outcome, owner)
                advance(len(pilot.runs))
                rest = pending[len(pilot.runs) :]
                sizes = task_sizes(len(rest), _seconds_per_run(outcome), pool.workers)
                starts = [0, *itertools.accumulate(sizes)]
                tasks = [
                    _task(plan, scenarios, rest[a:b], timeseries, time_limit)
                    for a, b in itertools.pairwise(starts)
                ]
                _execute(pool, tasks, store, advance, owner)
        runs = assemble(store.finished(counts, owner), plan)
        store.consolidate(runs)
        summary = summarize(runs, experiment.kpis, plan.parameters)
        store.write_frame("summary.parquet", summary)
        store.write_frame("criticality.parquet", criticality(runs, plan.parameters))
        result = SweepResult(Path(out), plan, runs, summary, len(tasks) + bool(pending))
        for name, analyse in analyses.items():
            result.analyses[name] = analyse(result)
            store.write_json(name, result.analyses[name])
        final = manifest(plan, executor, complete=True)
        final["counts"].update(
            ok=int((runs["status"] == "ok").sum()), failed=int((runs["status"] != "ok").sum())
        )
        store.write_json("manifest.json", final)
    return result


def _execute(
    pool: Executor, tasks: list[Task], store: Store, advance, owner: Mapping[str, Any]
) -> None:
    """Run ``tasks`` and record each outcome as it comes; a task lost with its worker runs
    again run by run (:func:`~dcsim.runtime.executors.map_retrying`)."""
    for task, result in map_retrying(pool, run_batch, tasks, _runs_alone, "runs"):
        if isinstance(result, WorkerLost):
            result = _failed(task, "its worker process died even running it alone")
        elif isinstance(result, BaseException):
            result = _failed(task, describe(result))
        _record(store, result, owner)
        advance(len(task.runs))


def _runs_alone(task: Task) -> list[Task]:
    return [replace(task, runs=[run]) for run in task.runs]


def owner_columns(plan: Plan) -> dict[str, Any]:
    """What every stored row of this sweep holds, so that a resume recognises rows of
    another seed, experiment or dcsim version (copied in, or left by a sweep whose manifest
    was removed) and quarantines them instead of reporting them as this sweep's."""
    return {
        "seed": plan.experiment.seed,
        "experiment_hash": plan.config_hash,
        "dcsim_version": __version__,
    }


def assemble(stored: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """The store's rows in (point, replication) order with the plan's parameter columns."""
    runs = stored.sort_values(KEY, kind="stable").reset_index(drop=True)
    points = runs["point"].astype(int)
    front = {
        "point": points,
        "replication": runs["replication"].astype(int),
        "seed": plan.experiment.seed,
    }
    for name in plan.parameters:
        front[name] = [plan.columns[name][p] for p in points]
    front["experiment_hash"] = plan.config_hash
    tail = ["status", "error", "wall_seconds"]
    kpis = [c for c in runs.columns if c not in front and c not in tail]
    return pd.concat([pd.DataFrame(front, index=runs.index), runs[kpis], runs[tail]], axis=1)


def manifest(plan: Plan, executor: str, complete: bool) -> dict[str, Any]:
    experiment = plan.experiment
    versions = {"python": platform.python_version()}
    for name in ("dcsim", *DEPENDENCIES):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return {
        "complete": complete,
        "written": datetime.now(UTC).isoformat(timespec="seconds"),
        "config_hash": plan.config_hash,
        "root_seed": experiment.seed,
        "experiment": experiment.model_dump(mode="json"),
        "design": {
            "type": experiment.design.type,
            "parameters": plan.parameters,
            "points": [p.overrides for p in plan.points],
        },
        "counts": {
            "points": len(plan.points),
            "replications": experiment.replications,
            "runs": len(plan.runs),
        },
        "executor": executor,
        "versions": versions,
    }


class ValidatedPoints:
    """Each point's scenario, validated once, on first use, in this process: workers get
    it ready to run (or the line saying why the point is invalid) instead of validating
    it again for every task."""

    def __init__(self, plan: Plan):
        self._plan = plan
        self._points: dict[int, Scenario | str] = {}

    def __getitem__(self, point: int) -> Scenario | str:
        if point not in self._points:
            try:
                raw = self._plan.scenarios[point]
                self._points[point] = scenario_from_dict(raw, f"point {point}")
            except UserInputError as error:
                self._points[point] = "; ".join(error.problems)
        return self._points[point]


def _task(
    plan: Plan,
    scenarios: ValidatedPoints,
    runs: list[tuple[int, int]],
    timeseries: bool,
    time_limit: float,
) -> Task:
    points = {p: scenarios[p] for p, _ in runs}
    return Task(runs, points, plan.experiment.seed, timeseries, time_limit)


def _seconds_per_run(pilot: Outcome) -> float:
    """The pilot's fastest finished run: its first run also pays for what the rest find
    ready (the network's layout and formula), and a failed run may take no time at all
    (if every pilot run failed, the slowest of them)."""
    ok = [row["wall_seconds"] for row in pilot.rows if row["status"] == "ok"]
    seconds = min(ok) if ok else max(row["wall_seconds"] for row in pilot.rows)
    return max(seconds, 1e-3)


def task_sizes(runs: int, seconds_per_run: float, workers: int) -> list[int]:
    """Runs per task, in the order tasks are handed out (guided self-scheduling).

    While there is plenty of work a task takes about ``TARGET_TASK_S``, long enough that
    what a task costs beyond its runs is small; from then on each takes
    1 / (``TASKS_PER_WORKER`` x workers) of what remains, down to tasks of ``MIN_TASK_S``,
    so that the last tasks are short and no worker idles long at the end waiting for
    another's."""
    longest = max(1, round(TARGET_TASK_S / seconds_per_run))
    shortest = min(longest, max(1, round(MIN_TASK_S / seconds_per_run)))
    sizes = []
    while runs > 0:
        share = math.ceil(runs / (TASKS_PER_WORKER * workers))
        size = min(runs, longest, max(shortest, share))
        sizes.append(size)
        runs -= size
    return sizes


def _failed(task: Task, reason: str) -> Outcome:
    """A task that failed as a whole, not run by run: every run in it is an error."""
    message = f"task failed: {reason}"
    return Outcome(
        [
            {
                "point": p,
                "replication": r,
                "status": "error",
                "error": message,
                "wall_seconds": math.nan,
            }
            for p, r in task.runs
        ]
    )


def _record(store: Store, outcome: Outcome, owner: Mapping[str, Any]) -> None:
    """Time series first, then the part file: a run listed in a part has its series. Every
    row carries its ``owner`` columns (:func:`owner_columns`)."""
    for (point, replication), frame in outcome.timeseries.items():
        store.add_timeseries(point, replication, frame)
    store.add_part([{**row, **owner} for row in outcome.rows])
