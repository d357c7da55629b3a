"""What runs on a worker: a batch of (point, replication) runs, each caught on its own.

Tasks carry raw scenario mappings, not validated objects, because the validated models use
classes built at run time that do not pickle; validation is cached per point within the
batch. A run that raises becomes an ``error`` row and the batch goes on.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Task:
    runs: list[tuple[int, int]]
    scenarios: dict[int, dict[str, Any]]
    seed: int
    timeseries: bool = False


@dataclass
class Outcome:
    rows: list[dict[str, Any]]
    timeseries: dict[tuple[int, int], pd.DataFrame] = field(default_factory=dict)


def run_batch(task: Task) -> Outcome:
    from dcsim.api import simulate
    from dcsim.config.loader import scenario_from_dict

    validated: dict[int, Any] = {}
    outcome = Outcome(rows=[])
    for point, replication in task.runs:
        started = time.perf_counter()
        row: dict[str, Any] = {"point": point, "replication": replication}
        try:
            if point not in validated:
                validated[point] = scenario_from_dict(task.scenarios[point], f"point {point}")
            result = simulate(validated[point], seed=task.seed, replication=replication)
        except Exception as error:
            row.update(status="error", error=describe(error))
        else:
            row.update(flatten(result.kpis), status="ok", error=None)
            if task.timeseries:
                outcome.timeseries[point, replication] = result.timeseries
        row["wall_seconds"] = time.perf_counter() - started
        outcome.rows.append(row)
    return outcome


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
