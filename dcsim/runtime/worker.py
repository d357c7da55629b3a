"""What runs on a worker: a batch of (point, replication) runs, each caught on its own.

Tasks carry each point's scenario validated once, in the process that plans the sweep (or
the one line saying why that point is invalid), so a worker only simulates. A run computes
its KPIs straight from the ledger's arrays, and builds the time-series table only when the
sweep asks for it; a caller that needs a few columns only (the app's fan chart reads ``day``
and ``gpus_energized``) names them in ``Task.series`` and gets those arrays, no table.
A run that raises, or outlasts the time limit, becomes an ``error`` row and the batch
goes on.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from dcsim import critical_path
from dcsim.config.catalog import h100_equivalents_of
from dcsim.config.schema import Scenario
from dcsim.results import kpis, levels, timeseries
from dcsim.runtime.limits import TIME_LIMIT_S
from dcsim.sim.clock import RunTimeout
from dcsim.sim.model import BuildOut


@dataclass(frozen=True)
class Task:
    runs: list[tuple[int, int]]
    scenarios: dict[int, Scenario | str]  # validated, or why the point is invalid
    seed: int
    timeseries: bool = False
    time_limit: float = TIME_LIMIT_S
    #: Level columns (:func:`dcsim.results.levels` names) to send back as bare arrays.
    series: tuple[str, ...] = ()


@dataclass
class Outcome:
    rows: list[dict[str, Any]]
    timeseries: dict[tuple[int, int], pd.DataFrame] = field(default_factory=dict)
    series: dict[tuple[int, int], dict[str, np.ndarray]] = field(default_factory=dict)


def run_batch(task: Task) -> Outcome:
    outcome = Outcome(rows=[])
    for point, replication in task.runs:
        started = time.perf_counter()
        row: dict[str, Any] = {"point": point, "replication": replication}
        scenario = task.scenarios[point]
        if isinstance(scenario, str):
            row.update(status="error", error=scenario)
        else:
            try:
                model = BuildOut(scenario, seed=task.seed, replication=replication)
                model.run(deadline=started + task.time_limit)
                columns = levels(model)
                figures = kpis(model, columns)
                full_day = figures["days_to_full_cluster"]
                row.update(flatten(figures), **criticality_columns(model, full_day))
                row["h100_equivalents_energized"] = h100_equivalents_energized(model)
            except RunTimeout:
                limit = f"run stopped at the time limit of {task.time_limit:g} s"
                row.update(status="error", error=limit)
            except Exception as error:
                row.update(status="error", error=describe(error))
            else:
                row.update(status="ok", error=None)
                if task.timeseries:
                    outcome.timeseries[point, replication] = timeseries(model, columns)
                if task.series:
                    outcome.series[point, replication] = {n: columns[n] for n in task.series}
        row["wall_seconds"] = time.perf_counter() - started
        outcome.rows.append(row)
    return outcome


def h100_equivalents_energized(model: BuildOut) -> float:
    """The GPUs energized at the end of the run as H100 SXMs of equal dense BF16 FLOP/s,
    so runs of a sweep over chips (H100 against GB200) compare in one unit."""
    return h100_equivalents_of(
        sum(stage.bf16_tflops for stage in model.stages if stage.status == "energized")
    )


def criticality_columns(model: BuildOut, full_cluster_day: float | None) -> dict[str, str]:
    """What lay on the run's full-cluster chain: its constraint kinds and entities, each a
    sorted ``;``-joined list (empty when the full cluster is not reached), for the
    criticality index of :func:`dcsim.sweeps.criticality.criticality`. The day is the
    KPIs' ``days_to_full_cluster``, so it is not looked for a second time."""
    chain = critical_path.chain_to(model, full_cluster_day)
    return {
        "critical_kinds": ";".join(sorted({link.kind for link in chain})),
        "critical_entities": ";".join(sorted(critical_path.constraint_entities(chain))),
    }


def describe(error: BaseException) -> str:
    """The message a user can act on; for an unexpected error, where it was raised too."""
    from dcsim.errors import UserInputError

    if isinstance(error, UserInputError):
        return "; ".join(error.problems)
    frame = traceback.extract_tb(error.__traceback__)[-1:] if error.__traceback__ else []
    where = f" (at {frame[0].filename}:{frame[0].lineno})" if frame else ""
    return f"{type(error).__name__}: {error}{where}"


def flatten(kpis: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested KPI mappings become dotted columns: ``constraint_gpu_days.grid``."""
    flat: dict[str, Any] = {}
    for key, value in kpis.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat
