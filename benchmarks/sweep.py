"""Sweep throughput: runs per second and per-task overhead of each executor.

A 200-run Monte Carlo of the default scenario (one point, 200 replications) through
``serial``, ``local`` and ``dask`` (a LocalCluster started for the purpose). The per-task
overhead is what a task costs beyond its runs: (wall seconds x workers - summed run
seconds) / tasks, start-up included, which is why runs are batched into ~0.5 s tasks.
``efficiency`` (when serial is measured too) is an executor's runs/s over workers x the
serial runs/s.

    .venv/bin/python benchmarks/sweep.py [--runs 200] [--workers N] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from dcsim.sweeps.experiment import Experiment
from dcsim.sweeps.runner import run_sweep

BASE = Path(__file__).resolve().parent.parent / "configs" / "meta-100k-h100.yaml"


def measure(executor: str, runs: int, workers: int) -> dict:
    experiment = Experiment(base=str(BASE), replications=runs)
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        result = run_sweep(experiment, out, executor=executor, workers=workers)
        wall = time.perf_counter() - started
    used = 1 if executor == "serial" else workers
    busy = float(result.runs["wall_seconds"].sum())
    tasks = result.tasks
    return {
        "executor": executor,
        "workers": used,
        "runs": runs,
        "failed": result.failed,
        "first_error": result.runs["error"].dropna().head(1).tolist(),
        "wall_seconds": round(wall, 3),
        "runs_per_second": round(runs / wall, 2),
        "seconds_per_run": round(busy / runs, 4),
        "tasks": tasks,
        "overhead_ms_per_task": round(1000 * max(0.0, wall * used - busy) / tasks, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--executors", nargs="+", default=["serial", "local", "dask"])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    results = [measure(name, args.runs, args.workers) for name in args.executors]
    serial = next((r for r in results if r["executor"] == "serial"), None)
    for row in results:  # parallel efficiency: runs/s against workers x serial runs/s
        if serial is not None:
            row["efficiency"] = round(
                row["runs_per_second"] / (row["workers"] * serial["runs_per_second"]), 3
            )
    if args.json:
        print(json.dumps({"cpus": os.cpu_count(), "results": results}))
        return 0
    for row in results:
        print(
            f"{row['executor']:>6} x{row['workers']}: {row['runs_per_second']:7.2f} runs/s "
            f"({row['wall_seconds']:.1f} s for {row['runs']} runs; {row['seconds_per_run']:.3f} "
            f"s/run; {row['tasks']} tasks, {row['overhead_ms_per_task']:.0f} ms "
            "overhead per task incl. start-up"
            + (f"; efficiency {row['efficiency']:.1%})" if "efficiency" in row else ")"),
            file=sys.stdout,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
