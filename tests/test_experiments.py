"""Every shipped experiment runs, and every parameter it sweeps moves at least one KPI.

A parameter that moves nothing is a broken experiment (a generator that feeds no hall once
made three sizes of bridging plant give identical results). The check compares pairs of
design points that differ in one parameter alone: a grid has them for every parameter, and
so does a Sobol (Saltelli) design, whose matrix AB_i differs from A in column i only.
Replications are cut to one; common random numbers make the pairs exact comparisons.
"""

from __future__ import annotations

from itertools import combinations

import pandas as pd
import pytest
import yaml

from dcsim.sweeps import sweep
from dcsim.sweeps.experiment import load_experiment
from tests.conftest import REPO

#: Sweep experiments; decision files (``decisions:``, for ``dcsim optimize``) live beside
#: them and are checked by tests/test_optimize.py.
EXPERIMENTS = sorted(
    path
    for path in (REPO / "experiments").glob("*.yaml")
    if "decisions" not in (yaml.safe_load(path.read_text(encoding="utf-8")) or {})
)
#: Run metadata and labels, which differ between points without being outcomes.
NOT_OUTCOMES = {"point", "replication", "seed", "wall_seconds"}


def moved_by(runs: pd.DataFrame, parameters: list[str]) -> dict[str, bool | None]:
    """For each parameter: whether some pair of points differing in it alone differs in a
    KPI (``None``: the design has no such pair, so nothing can be said)."""
    ok = runs[runs["status"] == "ok"]
    by_point = ok.groupby("point")
    settings = by_point[parameters].first()
    kpis = [c for c in ok.select_dtypes("number") if c not in NOT_OUTCOMES | set(parameters)]
    outcomes = by_point[kpis].mean()
    verdict: dict[str, bool | None] = dict.fromkeys(parameters)
    for a, b in combinations(settings.index, 2):
        differs = [p for p in parameters if settings.at[a, p] != settings.at[b, p]]
        if len(differs) == 1:
            moved = not outcomes.loc[a].equals(outcomes.loc[b])
            verdict[differs[0]] = bool(verdict[differs[0]]) or moved
    return verdict


@pytest.mark.parametrize("path", EXPERIMENTS, ids=lambda p: p.stem)
def test_shipped_experiment_moves_a_kpi_per_swept_parameter(path):
    experiment = load_experiment(path, replications=1)
    runs = sweep(experiment, executor="serial")
    assert (runs["status"] == "ok").all(), runs.loc[runs["status"] != "ok", "error"].tolist()
    parameters = list(experiment.design.parameters)
    verdict = moved_by(runs, parameters)
    assert None not in verdict.values(), f"no one-parameter pairs to compare: {verdict}"
    still = [name for name, moved in verdict.items() if not moved]
    assert not still, f"{path.name}: sweeping {still} changes no KPI"


def test_every_kind_of_shipped_experiment_is_covered():
    assert {p.stem for p in EXPERIMENTS} >= {
        "grid-delay-x-bridging",
        "sobol-time-to-power",
        "transformer-lead-time-mc",
    }


def test_moved_by_sees_a_parameter_that_changes_nothing():
    runs = pd.DataFrame(
        {
            "point": [0, 1, 2, 3],
            "status": "ok",
            "a": [1, 1, 2, 2],
            "b": [1, 2, 1, 2],
            "kpi": [1.0, 1.0, 5.0, 5.0],  # moves with a, not with b
        }
    )
    assert moved_by(runs, ["a", "b"]) == {"a": True, "b": False}
