"""``dcsim app``: from a lever change to updated figures, and to the first partial answer.

The default campus, its base case already run (``--replications``, 200), a worker pool of
``--workers`` spawned processes as ``dcsim app`` starts it. Each round moves the 170 MW
grid step's delay to a new value (so no round reuses another's runs) and times, from the
change to:

- ``first_answer_s``: the first chunk's runs arrived and the page's figures computed from
  them (fan band, date and cost tables, criticality);
- ``full_answer_s``: every replication arrived and the figures recomputed.

Medians over ``--rounds``. The browser's own drawing is not included (Bokeh sends the new
band as one column update); the server side is what grows with replications.

    .venv/bin/python benchmarks/app.py [--replications 200] [--rounds 5] [--workers 2] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
from pathlib import Path

import pandas as pd

from dcsim.app.levers import levers_for, overrides
from dcsim.app.montecarlo import Tally, arrivals, chunks
from dcsim.app.page import band_data
from dcsim.app.server import make_pool
from dcsim.app.source import load_source
from dcsim.app.tables import cost_table, criticality_table, headline_table
from dcsim.config import scenario_from_dict
from dcsim.config.loader import apply_overrides

BASE = Path(__file__).resolve().parent.parent / "configs" / "meta-100k-h100.yaml"
LEVER = "g0s2delay"


def figures(base: Tally, edited: Tally, start: pd.Timestamp) -> None:
    """What the page computes on each redraw."""
    band_data(start, base)
    band_data(start, edited)
    headline_table(base, edited, start)
    cost_table(base, edited)
    criticality_table(base, edited)


async def one_change(pool, source, base: Tally, months: int, replications: int) -> dict:
    levers = levers_for(source.scenario)
    start = pd.Timestamp(source.scenario.start)
    clock = time.perf_counter()
    moved = overrides(levers, {LEVER: months})
    scenario = scenario_from_dict(apply_overrides(source.raw, moved), source.name)
    edited, first = Tally(), None
    work = [("edited", c) for c in chunks(scenario, 0, range(replications), set())]
    async for _, result in arrivals(pool, work):
        edited.add(result)
        if first is None:
            figures(base, edited, start)
            first = time.perf_counter() - clock
    figures(base, edited, start)
    return {"first_answer_s": first, "full_answer_s": time.perf_counter() - clock}


async def measure(replications: int, rounds: int, workers: int) -> dict:
    source = load_source(BASE)
    pool = make_pool(workers)
    try:
        base = Tally()
        async for _, result in arrivals(
            pool, [("base", c) for c in chunks(source.scenario, 0, range(replications), set())]
        ):
            base.add(result)
        results = [
            await one_change(pool, source, base, months, replications)
            for months in range(1, rounds + 1)
        ]
    finally:
        pool.shutdown()
    return {
        "load_average_1min": os.getloadavg()[0],  # a busy machine slows every figure
        "replications": replications,
        "workers": workers,
        "rounds": rounds,
        "first_answer_s": statistics.median(r["first_answer_s"] for r in results),
        "full_answer_s": statistics.median(r["full_answer_s"] for r in results),
        "first_answer_rounds": [r["first_answer_s"] for r in results],
        "full_answer_rounds": [r["full_answer_s"] for r in results],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args()
    figures_ = asyncio.run(measure(args.replications, args.rounds, args.workers))
    if args.json:
        print(json.dumps(figures_))
        return
    print(
        f"{figures_['replications']} replications on {figures_['workers']} workers, "
        f"median of {figures_['rounds']} lever changes: first answer "
        f"{figures_['first_answer_s']:.3f} s (target < 0.3 s), full answer "
        f"{figures_['full_answer_s']:.3f} s (target < 1 s); load average "
        f"{figures_['load_average_1min']:.1f}"
    )


if __name__ == "__main__":
    main()
