"""Processes that change the power network: grid steps, generators, equipment."""

from __future__ import annotations

from collections.abc import Generator

import numpy as np

from dcsim.config.schema import Equipment, Interconnect
from dcsim.config.schema import Generator as GeneratorSpec
from dcsim.units import to_kw


def interconnect_schedule(model, interconnect: Interconnect, rng: np.random.Generator) -> Generator:
    """Firm capacity moves to each scheduled level on its date plus a slip; a step never
    comes before the one ahead of it in the schedule."""
    due = float("-inf")
    for step in interconnect.schedule:
        due = max(due, model.scenario.day(step.date) + step.delay.sample(rng))
        yield model.until(due)
        model.grid_state.scheduled_kw[interconnect.name] = to_kw(step.capacity)
        model.refresh_power("interconnect_step", interconnect.name, step.capacity)


def generator_lifecycle(model, generator: GeneratorSpec, rng: np.random.Generator) -> Generator:
    """On-site generation: ordered, delivered after its lead time, installed, then running."""
    delivered = model.scenario.day(generator.order_date) + generator.lead_time.sample(rng)
    yield model.until(delivered + generator.install_time.sample(rng))
    model.ledger.record(
        "capex", generator.name, generator.cost, add={"capex_generation_usd": generator.cost}
    )
    model.grid_state.generators_online.add(generator.name)
    model.refresh_power("generator_online", generator.name, generator.capacity)


def equipment_lifecycle(model, equipment: Equipment, rng: np.random.Generator) -> Generator:
    """A transformer (or substation, switchgear): ordered, delivered after its lead time,
    installed, then in service, which changes what the network can carry."""
    delivered = model.scenario.day(equipment.order_date) + equipment.lead_time.sample(rng)
    install_days = equipment.install_time.sample(rng)
    yield model.until(delivered)
    model.ledger.record(
        "equipment_delivered",
        equipment.name,
        equipment.cost,
        add={"capex_electrical_usd": equipment.cost},
    )
    yield model.until(delivered + install_days)
    model.grid_state.installed.add(equipment.name)
    model.refresh_power("equipment_in_service", equipment.name, equipment.capacity)
    model.equipment_ready[equipment.name].succeed()
