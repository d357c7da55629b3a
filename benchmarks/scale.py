"""How a run's cost grows with the campus: whole runs of halls x stages, radial and meshed.

    python benchmarks/scale.py [--json] [--config PATH] [--rounds N] [--halls 200 800 2000]
                               [--stages 10]

A campus is built from the scenario's first hall, transformer, substation, interconnect and
chip order, repeated: ``halls`` halls of ``stages`` stages each (the template hall's GPUs
split evenly over them), one transformer per two halls (rated for both at full load plus a
quarter), one substation per ten transformers, and one interconnect whose capacity arrives
in eight equal steps up to the whole campus. Hall construction starts are spread over two
years, chips ship in one batch per two halls, installation crews are one per four halls.

- **radial**: each pair of halls hangs off its own transformer (a series-parallel network,
  whose max flow is a formula);
- **meshed**: each pair of halls is fed by its own transformer *and* the next one, round a
  ring (a mesh: max flow by a general algorithm).

For each topology and size, ``seconds`` is the median over ``--rounds`` of one whole run
(build the model, simulate, compute the time series and KPIs), and ``exponent`` is the slope
of the least-squares line through (log stages, log seconds): 1 means a run costs the same per
stage whatever the size of the campus.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import math
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from dcsim.config.loader import read_yaml, scenario_from_dict
from dcsim.config.schema import Scenario
from dcsim.results import summarize
from dcsim.sim.model import BuildOut

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "configs" / "meta-100k-h100.yaml"
TOPOLOGIES = ("radial", "meshed")
HALLS_PER_TRANSFORMER = 2
TRANSFORMERS_PER_SUBSTATION = 10
GRID_STEPS = 8
HEADROOM = 1.25  # equipment is rated for the full load of what it feeds, plus a quarter
BUILD_DAYS = 730  # hall construction starts are spread over this many days
GRID_LAG_DAYS = 365  # the grid steps start a year after the first hall breaks ground


def first_of(items: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    return next(item for item in items if item.get("kind") == kind)


def campus(base: dict[str, Any], halls: int, stages: int, topology: str) -> Scenario:
    """The base scenario's first hall, transformer, substation, interconnect and chip order,
    repeated into a campus of ``halls`` x ``stages`` (see the module docstring)."""
    data = copy.deepcopy(base)
    hall = data["halls"][0]
    gpus = hall["stages"]["count"] * hall["stages"]["gpus"] // stages
    transformers = math.ceil(halls / HALLS_PER_TRANSFORMER)
    substations = math.ceil(transformers / TRANSFORMERS_PER_SUBSTATION)
    hall_mw = scenario_from_dict(data).halls[0].it_capacity * hall.get("pue", 1.0)
    start = dt.date.fromisoformat(str(hall["construction_start"]))
    interconnect = data["grid"]["interconnects"][0]
    substation = first_of(data["equipment"], "substation")
    transformer = first_of(data["equipment"], "transformer")
    transformer_mw = hall_mw * HALLS_PER_TRANSFORMER * HEADROOM
    interconnect["schedule"] = [
        {
            **interconnect["schedule"][-1],
            "date": str(
                start + dt.timedelta(days=GRID_LAG_DAYS + BUILD_DAYS * (step + 1) // GRID_STEPS)
            ),
            "capacity": f"{halls * hall_mw * (step + 1) / GRID_STEPS:.3f} MW",
        }
        for step in range(GRID_STEPS)
    ]
    data["grid"] = {"interconnects": [interconnect]}
    data["equipment"] = [
        {
            **substation,
            "name": f"sub-{s}",
            "fed_by": [interconnect["name"]],
            "capacity": f"{transformer_mw * TRANSFORMERS_PER_SUBSTATION:.3f} MW",
        }
        for s in range(substations)
    ] + [
        {
            **transformer,
            "name": f"t-{t}",
            "fed_by": [f"sub-{t // TRANSFORMERS_PER_SUBSTATION}"],
            "capacity": f"{transformer_mw:.3f} MW",
        }
        for t in range(transformers)
    ]

    def feeders(h: int) -> list[str]:
        own = h // HALLS_PER_TRANSFORMER
        if topology == "radial" or transformers == 1:
            return [f"t-{own}"]
        return [f"t-{own}", f"t-{(own + 1) % transformers}"]

    data["halls"] = [
        {
            **hall,
            "name": f"hall-{h}",
            "fed_by": feeders(h),
            "construction_start": str(start + dt.timedelta(days=BUILD_DAYS * h // halls)),
            "stages": {**hall["stages"], "count": stages, "gpus": gpus},
        }
        for h in range(halls)
    ]
    order = data["chip_orders"][0]
    batches = max(1, halls // 2)
    data["chip_orders"] = [
        {
            **order,
            "count": halls * stages * gpus,
            "batches": batches,
            "batch_interval": f"{BUILD_DAYS / batches:.6f} days",
        }
    ]
    data["installation"] = {**data.get("installation", {}), "crews": max(1, halls // 4)}
    data["horizon"] = "6 years"
    return scenario_from_dict(data, f"campus {halls}x{stages} {topology}")


def run_seconds(scenario: Scenario) -> float:
    """Wall time of one whole run: build, simulate, results."""
    began = time.perf_counter()
    summarize(BuildOut(scenario, seed=0).run())
    return time.perf_counter() - began


def exponent(stages: list[int], seconds: list[float]) -> float:
    """Slope of the least-squares line through (log stages, log seconds)."""
    return float(np.polyfit(np.log(stages), np.log(seconds), 1)[0])


def measure(config: Path, rounds: int, halls: list[int], stages: int) -> dict:
    base = read_yaml(config)
    figures: dict[str, Any] = {"config": str(config), "rounds": rounds, "stages_per_hall": stages}
    for topology in TOPOLOGIES:
        scenarios = [campus(base, count, stages, topology) for count in halls]
        run_seconds(scenarios[0])  # warm-up: imports, caches
        seconds = [statistics.median(run_seconds(s) for _ in range(rounds)) for s in scenarios]
        sizes = [count * stages for count in halls]
        figures[topology] = {
            "stages": sizes,
            "seconds": seconds,
            "exponent": exponent(sizes, seconds) if len(sizes) > 1 else None,
        }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--rounds", type=int, default=3, help="timed runs per size (median)")
    parser.add_argument("--halls", type=int, nargs="+", default=[200, 500, 1000, 2000])
    parser.add_argument("--stages", type=int, default=10, help="stages per hall")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    figures = measure(args.config, args.rounds, args.halls, args.stages)
    if args.json:
        print(json.dumps(figures))
        return
    for topology in TOPOLOGIES:
        row = figures[topology]
        for size, seconds in zip(row["stages"], row["seconds"], strict=True):
            print(f"{topology:>6} {size:>7,} stages: {seconds:8.3f} s")
        if row["exponent"] is not None:
            print(f"{topology:>6} exponent: {row['exponent']:.2f}")


if __name__ == "__main__":
    main()
