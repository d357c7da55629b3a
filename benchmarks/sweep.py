"""Sweep throughput: runs per second and per-task overhead of each executor.

A Monte Carlo of the default scenario (one point, ``--runs`` replications) through
``serial``, ``local`` and ``dask`` (a LocalCluster started for the purpose). Each
measurement runs in a fresh process, as one ``dcsim sweep`` does: a process that has
already run a Dask cluster keeps Dask's threads, and a pool it starts then may not fork
(see ``dcsim.runtime.executors.Local``). The executors are measured in ``--rounds``
alternating rounds, so a busy or throttled machine slows them alike.

- ``runs_per_second``, ``wall_seconds``: the median over rounds;
- ``overhead_ms_per_task``: what a task costs beyond its runs, (wall seconds x workers -
  summed run seconds) / tasks, start-up included (why runs are batched into ~1 s tasks);
- ``efficiency`` (when serial is measured too): an executor's runs/s over workers x the
  serial runs/s of the same round, the median over rounds (``efficiency_rounds`` lists
  them all).

    .venv/bin/python benchmarks/sweep.py [--runs 200] [--rounds 1] [--workers N] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent / "configs" / "meta-100k-h100.yaml"


def measure(executor: str, runs: int, workers: int) -> dict:
    """One sweep in this process (``--one``): dcsim, and Dask for ``dask``, are imported
    before the clock starts, as serial's simulator is; starting the workers is timed."""
    from dcsim.sweeps.experiment import Experiment
    from dcsim.sweeps.runner import run_sweep

    if executor == "dask":
        import distributed  # noqa: F401

    experiment = Experiment(base=str(BASE), replications=runs)
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        result = run_sweep(experiment, out, executor=executor, workers=workers)
        wall = time.perf_counter() - started
    used = 1 if executor == "serial" else workers
    busy = float(result.runs["wall_seconds"].sum())
    return {
        "executor": executor,
        "workers": used,
        "runs": runs,
        "failed": result.failed,
        "first_error": result.runs["error"].dropna().head(1).tolist(),
        "wall_seconds": wall,
        "seconds_per_run": busy / runs,
        "tasks": result.tasks,
        "overhead_ms_per_task": 1000 * max(0.0, wall * used - busy) / result.tasks,
    }


def measure_fresh(executor: str, runs: int, workers: int) -> dict:
    """One sweep in a new interpreter."""
    command = [sys.executable, __file__, "--one", executor, "--runs", str(runs)]
    completed = subprocess.run(
        [*command, "--workers", str(workers)], capture_output=True, text=True, check=True
    )
    return json.loads(completed.stdout)


def combine(rounds: list[dict[str, dict]]) -> list[dict]:
    """Per executor: the median of each figure over rounds, and the per-round
    efficiencies against the same round's serial sweep."""
    rows = []
    for executor in rounds[0]:
        measured = [r[executor] for r in rounds]
        wall = statistics.median(m["wall_seconds"] for m in measured)
        row = {
            **measured[0],
            "wall_seconds": round(wall, 3),
            "runs_per_second": round(measured[0]["runs"] / wall, 2),
            "seconds_per_run": round(statistics.median(m["seconds_per_run"] for m in measured), 4),
            "overhead_ms_per_task": round(
                statistics.median(m["overhead_ms_per_task"] for m in measured), 1
            ),
            "failed": max(m["failed"] for m in measured),
        }
        if "serial" in rounds[0]:
            per_round = [
                r["serial"]["wall_seconds"] / (r[executor]["workers"] * r[executor]["wall_seconds"])
                for r in rounds
            ]
            row["efficiency"] = round(statistics.median(per_round), 3)
            row["efficiency_rounds"] = [round(e, 3) for e in per_round]
        rows.append(row)
    return rows


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text}: expected a whole number of at least 1")
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=positive, default=200)
    parser.add_argument("--rounds", type=positive, default=1)
    parser.add_argument("--workers", type=positive, default=os.cpu_count() or 1)
    parser.add_argument("--executors", nargs="+", default=["serial", "local", "dask"])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--one", metavar="EXECUTOR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.runs, args.workers)))
        return 0
    rounds = [
        {name: measure_fresh(name, args.runs, args.workers) for name in args.executors}
        for _ in range(args.rounds)
    ]
    results = combine(rounds)
    if args.json:
        print(json.dumps({"cpus": os.cpu_count(), "rounds": args.rounds, "results": results}))
        return 0
    for row in results:
        print(
            f"{row['executor']:>6} x{row['workers']}: {row['runs_per_second']:7.2f} runs/s "
            f"({row['wall_seconds']:.1f} s for {row['runs']} runs; {row['seconds_per_run']:.4f} "
            f"s/run; {row['tasks']} tasks, {row['overhead_ms_per_task']:.0f} ms "
            "overhead per task incl. start-up"
            + (
                f"; efficiency {row['efficiency']:.1%}, rounds "
                + " ".join(f"{e:.3f}" for e in row["efficiency_rounds"])
                + ")"
                if "efficiency" in row
                else ")"
            ),
            file=sys.stdout,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
