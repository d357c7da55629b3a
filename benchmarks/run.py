"""Measure the simulator: seconds per replication and events/s against bare SimPy.

    python benchmarks/run.py [--json] [--config PATH] [--rounds N] [--per-round N]
                             [--fleet-sites N]

All figures are measured in this process. The model and the bare-SimPy yardstick are timed
in alternating rounds, so a busy or throttled machine slows both alike; each figure is the
median over rounds, and ``model_to_bare_ratio`` is the median of the per-round ratios.

- ``replication_seconds``: median wall time of one replication as a sweep runs it (build
  the model, simulate, KPIs and critical path from the ledger's arrays), after a warm-up;
- ``simulate_seconds``: the ``env.run`` part of it; ``replication_to_simulate`` is the
  median of the per-replication ratios, what a replication costs beyond its simulation;
- ``replication_with_tables_seconds``: a replication as ``dcsim run`` makes it, with the
  time-series, event, stage and critical-path DataFrames;
- ``model_events_per_s``: SimPy events processed per second of ``env.run`` alone; events are
  counted in a separate, untimed run of the same seed, so counting costs the timed run
  nothing;
- ``simpy_timeout_events_per_s``: one SimPy process yielding ``env.timeout`` events;
- ``max_flow_formula_us`` / ``max_flow_scipy_us``: one deliverable-power computation on the
  scenario's topology with everything in service, by the compiled series-parallel formula
  (null if the topology has none) and by ``scipy.sparse.csgraph.maximum_flow``.

Then ``fleet_1000_seconds`` and ``fleet_1000_peak_rss_mb`` (and the fleet's size) from
``benchmarks/fleet.py``: a fleet of 1,000 campuses, about 12-15 s, three times the rest of
the run. ``--fleet-sites N`` times N campuses instead; ``--fleet-sites 0`` leaves it out.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import simpy

from dcsim.config import load_scenario
from dcsim.config.schema import Scenario
from dcsim.results import kpis, levels, summarize
from dcsim.runtime.worker import criticality_columns
from dcsim.series_parallel import compile_formula
from dcsim.sim.model import BuildOut

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "configs" / "meta-100k-h100.yaml"


def bare_simpy_events_per_s(events: int = 100_000) -> float:
    env = simpy.Environment()

    def ticker(env: simpy.Environment, count: int):
        for _ in range(count):
            yield env.timeout(1)

    env.process(ticker(env, events))
    began = time.perf_counter()
    env.run()
    return events / (time.perf_counter() - began)


def events_in_run(scenario: Scenario, seed: int) -> int:
    """How many events a replication processes (deterministic for a seed)."""
    model = BuildOut(scenario, seed=seed)
    step, count = model.env.step, [0]

    def counting_step() -> None:
        count[0] += 1
        step()

    model.env.step = counting_step  # Environment.run calls self.step() once per event
    model.run()
    return count[0]


def max_flow_microseconds(scenario: Scenario, calls: int = 2_000) -> dict[str, float | None]:
    network = BuildOut(scenario).network
    for name in network.source_kw:
        network.set_source(name, 10**6)
    for name in network.equipment_kw:
        network.set_in_service(name, True)
    demand = network.hall_capacity_kw

    def per_call(solve) -> float:
        began = time.perf_counter()
        for _ in range(calls):
            solve()
        return (time.perf_counter() - began) / calls * 1e6

    figures: dict[str, float | None] = {"max_flow_formula_us": None}
    if network.formula is not None:
        formula_kw = compile_formula(network.formula)
        figures["max_flow_formula_us"] = per_call(lambda: formula_kw(network.node_capacity(demand)))
    figures["max_flow_scipy_us"] = per_call(lambda: network.scipy_max_flow_kw(demand))
    return figures


def measure(config: Path, rounds: int, per_round: int) -> dict:
    scenario = load_scenario(config)
    summarize(BuildOut(scenario, seed=0).run())  # warm-up: imports, caches
    replication, simulate, events, model_rate, bare_rate = [], [], [], [], []
    with_tables: list[float] = []
    for round_number in range(rounds):
        seeds = range(round_number * per_round, (round_number + 1) * per_round)
        round_events, round_seconds = 0, 0.0
        for seed in seeds:
            began = time.perf_counter()
            model = BuildOut(scenario, seed=seed)
            run_began = time.perf_counter()
            model.run()
            run_seconds = time.perf_counter() - run_began
            columns = levels(model)  # then as dcsim.runtime.worker.run_batch does
            figures = kpis(model, columns)
            criticality_columns(model, figures["days_to_full_cluster"])
            replication.append(time.perf_counter() - began)
            simulate.append(run_seconds)
            began = time.perf_counter()
            summarize(BuildOut(scenario, seed=seed).run())
            with_tables.append(time.perf_counter() - began)
            events.append(events_in_run(scenario, seed))
            round_events, round_seconds = round_events + events[-1], round_seconds + run_seconds
        model_rate.append(round_events / round_seconds)
        bare_rate.append(bare_simpy_events_per_s())
    return {
        "config": str(config),
        "replications": rounds * per_round,
        "replication_seconds": statistics.median(replication),
        "simulate_seconds": statistics.median(simulate),
        "replication_to_simulate": statistics.median(
            whole / run for whole, run in zip(replication, simulate, strict=True)
        ),
        "replication_with_tables_seconds": statistics.median(with_tables),
        "events_per_replication": statistics.median(events),
        "model_events_per_s": statistics.median(model_rate),
        "simpy_timeout_events_per_s": statistics.median(bare_rate),
        "model_to_bare_ratio": statistics.median(
            model / bare for model, bare in zip(model_rate, bare_rate, strict=True)
        ),
        **max_flow_microseconds(scenario),
    }


def command_line(
    description: str, measure, per_round: int, per_round_help: str, fleet: bool = False
) -> None:
    """The shared command line of the benchmark scripts: measure one config, print the
    figures as a table or as one JSON object; with ``fleet``, ``--fleet-sites N`` adds the
    fleet benchmark's figures."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--per-round", type=int, default=per_round, help=per_round_help)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    if fleet:
        parser.add_argument(
            "--fleet-sites",
            type=int,
            default=1000,
            help="also time a fleet of N campuses (default 1000; 0: no fleet)",
        )
    args = parser.parse_args()
    figures = measure(args.config, args.rounds, args.per_round)
    if fleet and args.fleet_sites:
        from fleet import measure as measure_fleet  # benchmarks/fleet.py

        figures.update(measure_fleet(args.fleet_sites))
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>28}: {value:,.4g}" if isinstance(value, float) else f"{key:>28}: {value}")


if __name__ == "__main__":
    command_line(__doc__.splitlines()[0], measure, 5, "replications per round", fleet=True)
