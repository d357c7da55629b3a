"""Processes that change the power network: grid steps, generators, equipment."""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

from dcsim.config.schema import Equipment, Interconnect
from dcsim.config.schema import Generator as GeneratorSpec
from dcsim.sim.clock import until
from dcsim.sim.ledger import Ledger
from dcsim.sim.power_system import PowerSystem


def interconnect_schedule(
    env: simpy.Environment,
    interconnect: Interconnect,
    planned_days: list[float],
    rng: np.random.Generator,
    power: PowerSystem,
) -> Generator:
    """Firm capacity moves to each scheduled level on its date plus a slip; a step never
    comes before the one ahead of it in the schedule."""
    due = float("-inf")
    for step, planned in zip(interconnect.schedule, planned_days, strict=True):
        due = max(due, planned + step.delay.sample(rng))
        yield until(env, due)
        power.interconnect_step(interconnect.name, step.capacity)


def generator_lifecycle(
    env: simpy.Environment,
    generator: GeneratorSpec,
    order_day: float,
    rng: np.random.Generator,
    ledger: Ledger,
    power: PowerSystem,
) -> Generator:
    """On-site generation: ordered, delivered after its lead time, installed, then running."""
    delivered = order_day + generator.lead_time.sample(rng)
    yield until(env, delivered + generator.install_time.sample(rng))
    ledger.record(
        "capex", generator.name, generator.cost, add={"capex_generation_usd": generator.cost}
    )
    power.generator_online(generator)


def equipment_lifecycle(
    env: simpy.Environment,
    equipment: Equipment,
    order_day: float,
    rng: np.random.Generator,
    ledger: Ledger,
    power: PowerSystem,
    in_service: simpy.Event,
) -> Generator:
    """A transformer (or substation, switchgear): ordered, delivered after its lead time,
    installed, then in service, which changes what the network can carry."""
    delivered = order_day + equipment.lead_time.sample(rng)
    install_days = equipment.install_time.sample(rng)
    yield until(env, delivered)
    ledger.record(
        "equipment_delivered",
        equipment.name,
        equipment.cost,
        add={"capex_electrical_usd": equipment.cost},
    )
    yield until(env, delivered + install_days)
    power.equipment_in_service(equipment)
    in_service.succeed()
