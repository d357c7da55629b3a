"""Site simulations kept on disk as they finish, so a killed calibrate or backtest resumes.

Each finished site task is one ``.npz`` file named by the hash of everything that fixes
its result (the site's rows, the milestones asked for, the durations and shocks, replications, seed
and dcsim's version), written whole (:func:`dcsim.files.atomic`): a run killed with
``SIGKILL`` leaves finished files and no half-written one, and the next run simulates only
what is missing. The directory is held by one writer at a time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from dcsim.files import atomic, exclusive_lock


class CachedExecutor:
    """An executor (:mod:`dcsim.runtime.executors`) with a directory of finished tasks."""

    def __init__(self, executor: Any, directory: Path):
        self.executor = executor
        self.directory = directory
        self.workers = executor.workers

    def map_unordered(self, fn: Any, tasks: Any) -> Iterator[tuple[int, Any]]:
        return self.executor.map_unordered(fn, tasks)

    def path(self, task: Any) -> Path:
        from dcsim.version import __version__

        identity = json.dumps(
            [
                repr(task.site),
                repr(task.wanted),
                task.durations,
                task.replications,
                task.seed,
                list(task.project_risk),
            ],
            sort_keys=True,
            default=str,
        )
        digest = hashlib.sha256(f"{__version__}\n{identity}".encode()).hexdigest()[:32]
        return self.directory / f"{digest}.npz"

    def load(self, task: Any) -> tuple[np.ndarray, np.ndarray] | None:
        path = self.path(task)
        if not path.exists():
            return None
        with np.load(path) as stored:
            return stored["days"], stored["construction"]

    def save(self, task: Any, result: tuple[np.ndarray, np.ndarray]) -> None:
        days, construction = result

        def write(partial: Path) -> None:
            with partial.open("wb") as handle:
                np.savez(handle, days=days, construction=construction)

        atomic(self.path(task), write)


@contextmanager
def cached(executor: Any, directory: Path, holder: str) -> Iterator[CachedExecutor]:
    """``executor`` with finished tasks kept in ``directory`` (created, locked)."""
    directory.mkdir(parents=True, exist_ok=True)
    with exclusive_lock(directory, holder):
        yield CachedExecutor(executor, directory)
