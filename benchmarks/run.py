"""Measure the simulator: seconds per replication and events/s against bare SimPy.

    python benchmarks/run.py [--json] [--config PATH] [--repeats N]

All figures are measured in this process, one after the other, so ratios are fair even on
a busy machine. ``replication_seconds`` is the median wall time of one full run (build the
model, simulate, compute time series and KPIs) after a warm-up; ``model_events_per_s`` is
SimPy events processed per second of ``env.run`` alone; ``simpy_timeout_events_per_s`` is a
bare SimPy loop of ``env.timeout`` events, the yardstick.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import simpy

from dcsim.config import load_scenario
from dcsim.results import summarize
from dcsim.sim.model import BuildOut

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "configs" / "meta-100k-h100.yaml"


def bare_simpy_events_per_s(events: int = 200_000) -> float:
    env = simpy.Environment()

    def ticker(env: simpy.Environment, count: int):
        for _ in range(count):
            yield env.timeout(1)

    env.process(ticker(env, events))
    began = time.perf_counter()
    env.run()
    return events / (time.perf_counter() - began)


def measure(config: Path, repeats: int) -> dict:
    scenario = load_scenario(config)
    summarize(BuildOut(scenario, seed=0).run())  # warm-up: imports, caches
    replication, simulate_only, events = [], [], []
    for seed in range(repeats):
        began = time.perf_counter()
        model = BuildOut(scenario, seed=seed)
        run_began = time.perf_counter()
        model.run()
        simulate_only.append(time.perf_counter() - run_began)
        summarize(model)
        replication.append(time.perf_counter() - began)
        events.append(model.env.processed)
    model_rate = sum(events) / sum(simulate_only)
    bare_rate = statistics.median(bare_simpy_events_per_s() for _ in range(3))
    return {
        "config": str(config),
        "repeats": repeats,
        "replication_seconds": statistics.median(replication),
        "simulate_seconds": statistics.median(simulate_only),
        "events_per_replication": statistics.median(events),
        "model_events_per_s": model_rate,
        "simpy_timeout_events_per_s": bare_rate,
        "model_to_bare_ratio": model_rate / bare_rate,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    figures = measure(args.config, args.repeats)
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>28}: {value:,.4g}" if isinstance(value, float) else
                  f"{key:>28}: {value}")


if __name__ == "__main__":
    main()
