"""What runs on a worker: a batch of (point, replication) runs, each caught on its own.

Tasks carry raw scenario mappings, not validated objects, because the validated models use
classes built at run time that do not pickle; validation is cached per point within the
batch. A run that raises, or outlasts the time limit, becomes an ``error`` row and the
batch goes on.
"""

from __future__ import annotations

import ctypes
import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from dcsim.sweeps import TIME_LIMIT_S


class RunTimeout(Exception):
    """Raised inside a run that outlasted its time limit."""


@dataclass(frozen=True)
class Task:
    runs: list[tuple[int, int]]
    scenarios: dict[int, dict[str, Any]]
    seed: int
    timeseries: bool = False
    time_limit: float = TIME_LIMIT_S


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
            with time_limit(task.time_limit):
                result = simulate(validated[point], seed=task.seed, replication=replication)
        except RunTimeout:
            row.update(
                status="error", error=f"run stopped at the time limit of {task.time_limit:g} s"
            )
        except Exception as error:
            row.update(status="error", error=describe(error))
        else:
            row.update(flatten(result.kpis), status="ok", error=None)
            if task.timeseries:
                outcome.timeseries[point, replication] = result.timeseries
        row["wall_seconds"] = time.perf_counter() - started
        outcome.rows.append(row)
    return outcome


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`RunTimeout` in this thread once ``seconds`` have passed.

    A timer thread raises it asynchronously (``PyThreadState_SetAsyncExc``), which works in
    any thread (Dask runs tasks off the main thread, where signals cannot reach) and reaches
    the run at its next Python instruction. The lock makes "finished" and "timed out"
    exclusive, so the exception can never land after the block has ended.
    """
    thread = ctypes.c_ulong(threading.get_ident())
    lock = threading.Lock()
    state = {"done": False}

    def expire() -> None:
        with lock:
            if not state["done"]:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(thread, ctypes.py_object(RunTimeout))

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["done"] = True
            timer.cancel()


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
