"""Experiments: Monte Carlo, designs and sensitivity over a base scenario.

``dcsim.sweep(base, {"dotted.path": [values]}, replications=100)`` (this module's
:func:`sweep`, exported lazily by ``dcsim``) runs a grid and returns one row per run.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from dcsim.sweeps.experiment import Experiment

from dcsim.runtime.limits import TIME_LIMIT_S

__all__ = ["TIME_LIMIT_S", "sweep"]


def sweep(
    base: str | Path | Experiment,
    parameters: dict[str, list[Any]] | None = None,
    *,
    replications: int = 1,
    executor: str = "local",
    seed: int = 0,
    out: str | Path | None = None,
    workers: int | None = None,
    overrides: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Run every combination of ``parameters`` (dotted path -> list of values) on the base
    scenario, ``replications`` times each with common random numbers, and return the runs.

    ``base`` may also be an :class:`Experiment` (then ``parameters``, ``replications``,
    ``seed`` and ``overrides`` come from it). With ``out`` the results directory is kept
    (and resumed on a second call); without it the runs live in a temporary directory.
    """
    from dcsim.sweeps.experiment import Experiment, experiment_from_dict
    from dcsim.sweeps.runner import run_sweep

    if isinstance(base, Experiment):
        if parameters is not None or overrides is not None:
            raise TypeError("pass parameters and overrides inside the Experiment")
        experiment = base
    else:
        experiment = experiment_from_dict(
            {
                "base": str(Path(base).resolve()),
                "set": overrides or {},
                "design": {"type": "grid", "parameters": parameters or {}},
                "replications": replications,
                "seed": seed,
            },
            "dcsim.sweep()",
        )
    if out is not None:
        return run_sweep(experiment, out, executor=executor, workers=workers).runs
    with tempfile.TemporaryDirectory(prefix="dcsim-sweep-") as scratch:
        return run_sweep(experiment, scratch, executor=executor, workers=workers).runs
