"""Things that take power away for a while: equipment outages and grid curtailment."""

from __future__ import annotations

from collections.abc import Generator
from typing import NamedTuple

import numpy as np
import simpy

from dcsim.config.schema import Outages, RandomCurtailments
from dcsim.sim.clock import until
from dcsim.sim.power_system import PowerSystem
from dcsim.sim.trace import Trace, span
from dcsim.units import DAYS_PER_YEAR


def equipment_outages(
    env: simpy.Environment,
    name: str,
    spec: Outages,
    rng: np.random.Generator,
    in_service: simpy.Event,
    power: PowerSystem,
    trace: Trace,
) -> Generator:
    """Once in service, the equipment runs for an exponential up-time (its MTBF), is out
    for a repair time (MTTR), and starts over."""
    yield in_service
    while True:
        yield env.timeout(rng.exponential(spec.mtbf))
        yield from outage(env, name, spec.mttr.sample(rng), power, trace)


class Window(NamedTuple):
    """A dated window: it opens on ``start_day`` and lasts ``days``; one that opened
    before day 0 keeps only what is left of it."""

    start_day: float
    days: float

    def remaining(self, now: float) -> float:
        return self.days - max(0.0, now - self.start_day)


def forced_outage(
    env: simpy.Environment, name: str, window: Window, power: PowerSystem, trace: Trace
) -> Generator:
    """A dated outage (maintenance, a known fault)."""
    yield until(env, window.start_day)
    yield from outage(env, name, window.remaining(env.now), power, trace)


def outage(
    env: simpy.Environment, name: str, days: float, power: PowerSystem, trace: Trace
) -> Generator:
    power.outage_start(name, days)
    start = env.now
    yield env.timeout(max(0.0, days))
    link = trace.add("equipment", name, "outage", start, env.now, span(max(0.0, days)))
    power.outage_end(name, days, link)


def curtailment(
    env: simpy.Environment,
    interconnect: str,
    limit_mw: float,
    window: Window,
    power: PowerSystem,
    trace: Trace,
) -> Generator:
    """The utility caps the interconnect at ``limit_mw`` for a window."""
    yield until(env, window.start_day)
    power.curtailment_start(interconnect, limit_mw)
    began = env.now
    yield env.timeout(max(0.0, window.remaining(env.now)))
    what = f"curtailed to {limit_mw:g} MW"
    link = trace.add("grid", interconnect, what, began, env.now, span(env.now - began))
    power.curtailment_end(interconnect, limit_mw, link)


def random_curtailments(
    env: simpy.Environment,
    interconnect: str,
    spec: RandomCurtailments,
    rng: np.random.Generator,
    power: PowerSystem,
    trace: Trace,
) -> Generator:
    """Curtailment windows arriving as a Poisson process of ``per_year`` windows a year."""
    while True:
        yield env.timeout(rng.exponential(DAYS_PER_YEAR / spec.per_year))
        window = Window(env.now, spec.duration.sample(rng))
        env.process(curtailment(env, interconnect, spec.limit, window, power, trace))
