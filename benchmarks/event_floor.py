"""The events/s ceiling of the model's event mix: the same SimPy events, no decisions.

    python benchmarks/event_floor.py [--json] [--config PATH]

A skeleton built from the scenario's counts (grid steps, equipment, halls and their
construction crews, chip batches, stages, installation crews) makes the same kinds of
SimPy events as the model (process starts and ends, timeouts, crew requests and
releases, warehouse puts and gets, hall-ready and controller wake-up events) with empty
bodies: no power-network questions, no ledger, no draws. Its events/s, against the bare
``env.timeout`` loop of ``benchmarks/run.py``, is the ratio that no model with this event
mix can beat, however cheap its decisions; ``benchmarks/run.py`` shows how close dcsim is.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import simpy
from run import bare_simpy_events_per_s, command_line  # benchmarks/run.py

from dcsim.config import load_scenario
from dcsim.config.schema import Scenario

HORIZON = 10_000.0


def skeleton(scenario: Scenario) -> simpy.Environment:
    """The model's processes with their waits and nothing else."""
    env = simpy.Environment()
    stages = [
        (h, hall.stages.gpus)
        for h, hall in enumerate(scenario.halls)
        for _ in range(hall.stages.count)
    ]
    install_crews = simpy.Resource(env, scenario.installation.crews or len(stages))
    hall_crews = simpy.Resource(env, scenario.construction.crews or len(scenario.halls))
    warehouse = simpy.Container(env)
    hall_ready = [env.event() for _ in scenario.halls]
    changed = [env.event()]

    def wake() -> None:
        if not changed[0].triggered:
            changed[0].succeed()

    def controller():
        while True:
            yield changed[0]
            changed[0] = env.event()

    def grid_steps(steps: int):
        for _ in range(steps):
            yield env.timeout(100)
            wake()

    def equipment():
        yield env.timeout(400)
        yield env.timeout(50)
        wake()

    def hall(number: int):
        yield env.timeout(30 * number)
        with hall_crews.request() as crew:
            yield crew
            yield env.timeout(300)
            yield env.timeout(150)
        hall_ready[number].succeed()

    def batch(count: int, arrival: float):
        yield env.timeout(arrival)
        warehouse.put(count)

    def order(count: int, batches: int):
        yield env.timeout(100)
        for number in range(batches):
            env.process(batch(count // batches + 1, 100 + 20 * number))

    def commissioning():
        yield env.timeout(5)
        wake()

    def stage(hall_number: int, gpus: int):
        yield hall_ready[hall_number]
        yield warehouse.get(gpus)
        with install_crews.request() as crew:
            yield crew
            yield env.timeout(20)
        yield env.timeout(7)
        wake()
        env.process(commissioning())

    env.process(controller())
    for interconnect in scenario.grid.interconnects:
        env.process(grid_steps(len(interconnect.schedule)))
    for _ in scenario.equipment:
        env.process(equipment())
    for number in range(len(scenario.halls)):
        env.process(hall(number))
    for chip_order in scenario.chip_orders:
        env.process(order(chip_order.count, chip_order.batches))
    for hall_number, gpus in stages:
        env.process(stage(hall_number, gpus))
    return env


def count_events(scenario: Scenario) -> int:
    env = skeleton(scenario)
    step, count = env.step, [0]

    def counting_step() -> None:
        count[0] += 1
        step()

    env.step = counting_step
    env.run(until=HORIZON)
    return count[0]


def measure(config: Path, rounds: int, per_round: int) -> dict:
    scenario = load_scenario(config)
    events = count_events(scenario)
    ratios, rates = [], []
    for _ in range(rounds):
        envs = [skeleton(scenario) for _ in range(per_round)]
        began = time.perf_counter()
        for env in envs:
            env.run(until=HORIZON)
        rates.append(events * per_round / (time.perf_counter() - began))
        ratios.append(rates[-1] / bare_simpy_events_per_s())
    return {
        "config": str(config),
        "skeleton_events": events,
        "skeleton_events_per_s": statistics.median(rates),
        "skeleton_to_bare_ratio": statistics.median(ratios),
    }


if __name__ == "__main__":
    command_line(__doc__.splitlines()[0], measure, 50, "skeleton runs per round")
