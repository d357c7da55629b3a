"""Fuzzing with hostile input: every outcome is a clean refusal or a sound result.

Valid scenarios and experiment files are mutated one place at a time (types, units, signs,
NaN and infinity, dates, structure, encodings; see ``tests/hostile.py``) and given to the
real command line, in a subprocess held to a memory and CPU limit and a timeout, and to the
Python API. Each outcome is exit 0 (exit 1 for a sweep with failed runs) with finite
results that keep the model's invariants, or exit 2 with one ``error:`` line per problem;
never a traceback, never a run past the limits. Fixed, derandomized and database-free, so
CI sees the same examples every time, and small enough to run in well under a minute.
"""

from __future__ import annotations

import copy
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import yaml
from conftest import TINY
from hostile import (
    ENCODINGS,
    STRUCTURE,
    VALUES,
    check_kpis,
    check_refusal,
    dumps,
    encode,
    leaf_paths,
    mutate,
    written,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dcsim.api import simulate
from dcsim.config import load_scenario
from dcsim.errors import UserInputError

MEMORY_BYTES = 2 * 2**30
CPU_SECONDS = 60
TIMEOUT_S = 90


def fuzz(examples: int) -> settings:
    """Reproducible settings: derandomized, no example database, no deadline."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )


SCENARIO = {**copy.deepcopy(TINY), "horizon": "120 days"}
EXPERIMENT = {
    "base": "scenario.yaml",
    "set": {"horizon": "100 days"},
    "design": {
        "type": "lhs",
        "samples": 2,
        "parameters": {"halls.0.shell_time": {"low": 10, "high": 20, "unit": "days"}},
    },
    "replications": 2,
    "seed": 1,
    "kpis": ["days_to_full_cluster", "energy_mwh"],
}


def hostile(document: dict) -> st.SearchStrategy[tuple[dict, str]]:
    """(mutated mapping, encoding): one change at one path, in one of the encodings."""
    paths = leaf_paths(document)
    return st.tuples(
        st.sampled_from(paths), st.sampled_from(VALUES + STRUCTURE), st.sampled_from(ENCODINGS)
    ).map(lambda t: (mutate(document, t[0], t[1]), t[2]))


def limited() -> None:
    """In the child: the memory and CPU it may use, so a blow-up fails instead of hanging."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def dcsim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "dcsim", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        preexec_fn=limited,
    )


@fuzz(8)
@given(hostile(SCENARIO))
def test_hostile_scenarios_through_the_command_line(case):
    data, encoding = case
    with tempfile.TemporaryDirectory() as scratch:
        path = written(data, encoding, scratch)
        done = dcsim("run", str(path), "--json", cwd=Path(scratch))
    assert done.returncode in (0, 2), (done.returncode, done.stderr, dumps(data))
    if done.returncode == 0:
        check_kpis(json.loads(done.stdout))
    else:
        check_refusal(done.stderr, str(path))


@fuzz(4)
@given(hostile(EXPERIMENT))
def test_hostile_experiments_through_the_command_line(case):
    data, encoding = case
    with tempfile.TemporaryDirectory() as scratch:
        where = Path(scratch)
        (where / "scenario.yaml").write_text(yaml.safe_dump(SCENARIO))
        path = where / "experiment.yaml"
        path.write_bytes(encode(data, encoding))
        out = where / "out"
        args = ("sweep", str(path), "--executor", "serial", "--quiet", "--json", "--out", str(out))
        done = dcsim(*args, cwd=where)
        assert done.returncode in (0, 1, 2), (done.returncode, done.stderr, dumps(data))
        if done.returncode == 2:
            check_refusal(done.stderr, str(path))
            assert not (out / "runs.parquet").exists()
            return
        check_runs(pd.read_parquet(out / "runs.parquet"))


def check_runs(runs: pd.DataFrame) -> None:
    """A sweep's runs: each ok with finite KPIs, or failed for a reason of the input (a
    user-facing message, never an exception with its source location)."""
    assert not runs.duplicated(["point", "replication"]).any()
    assert runs["status"].isin(["ok", "error"]).all()
    failed = runs.loc[runs["status"] == "error", "error"]
    assert not failed.str.contains(r"\(at .*\.py:\d+\)").any(), failed.tolist()
    ok = runs[runs["status"] == "ok"].select_dtypes("number").drop(columns="wall_seconds")
    assert not ok.isin([float("inf"), -float("inf")]).any().any()


@fuzz(100)
@given(hostile(SCENARIO))
def test_hostile_scenarios_through_the_api(case):
    data, encoding = case
    with tempfile.TemporaryDirectory() as scratch:
        path = written(data, encoding, scratch)
        try:
            result = simulate(load_scenario(path), seed=0)
        except UserInputError as error:
            assert error.problems and all(str(path) in p for p in error.problems), error
            return
    check_kpis(result.kpis)
