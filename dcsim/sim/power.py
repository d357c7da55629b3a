"""Processes that change the power network: grid steps, generators, equipment."""

from __future__ import annotations

from collections.abc import Generator, Sequence

import numpy as np
import simpy

from dcsim.config.schema import Equipment, Interconnect, OnSiteGenerator
from dcsim.sim.clock import until
from dcsim.sim.events import EventName
from dcsim.sim.holds import Hold, SourceClaims, wait_out_source
from dcsim.sim.ledger import Ledger
from dcsim.sim.power_system import PowerSystem, running_kw
from dcsim.sim.trace import NO_CAUSE, Trace, span


def interconnect_schedule(
    env: simpy.Environment,
    interconnect: Interconnect,
    *,
    planned_days: list[float],
    rng: np.random.Generator,
    power: PowerSystem,
    trace: Trace,
    relaxed: bool = False,
) -> Generator:
    """Firm capacity moves to each scheduled level on its date plus a slip; a step never
    comes before the one ahead of it in the schedule. Relaxed, the largest scheduled level
    is there on day 0."""
    name = interconnect.name
    if relaxed:
        capacity = max(step.capacity for step in interconnect.schedule)
        link = trace.add("grid", name, f"{capacity:g} MW on day 0 (relaxed)", 0.0, 0.0)
        power.interconnect_step(name, capacity, link)
        return
    due, link = float("-inf"), NO_CAUSE
    for number, (step, planned) in enumerate(zip(interconnect.schedule, planned_days, strict=True)):
        delay = step.delay.sample(rng)
        held_back = due > planned + delay  # by the step ahead of it
        due = max(due, planned + delay)
        link = trace.add(
            "grid",
            name,
            f"step {number + 1} to {step.capacity:g} MW",
            planned,
            due,
            f"delay {span(delay)}" if delay else "no delay",
            link if held_back else NO_CAUSE,
        )
        yield until(env, due)
        power.interconnect_step(name, step.capacity, link)


def generator_lifecycle(
    env: simpy.Environment,
    generator: OnSiteGenerator,
    *,
    order_day: float,
    rng: np.random.Generator,
    ledger: Ledger,
    power: PowerSystem,
    trace: Trace,
    relaxed: bool = False,
    holds: Sequence[Hold] = (),
    claims: SourceClaims | None = None,
) -> Generator:
    """On-site generation: ordered, delivered after its lead time, installed, then running
    (relaxed: running on day 0) once it has waited out its ``holds`` (a plug-in's permit),
    claimed in ``claims`` meanwhile. ``holds`` is read when the generator is built, so a
    plug-in may add to it after the process is created."""
    lead, install = (0.0, 0.0) if relaxed else _lead_and_install(generator, rng)
    order_day = min(order_day, 0.0) if relaxed else order_day
    link = _delivery_links(trace, "generation", generator.name, order_day, lead, install)
    yield until(env, order_day + lead + install)
    ledger.record(
        EventName.GENERATION_CAPEX,
        generator.name,
        generator.cost,
        add={"capex_generation_usd": generator.cost},
    )
    if holds:
        assert claims is not None, "a held generator needs its claims"
        kw = running_kw(generator)
        link = yield from wait_out_source(env, generator.name, holds, claims, link, kw)
    power.generator_online(generator, link)


def _lead_and_install(spec: OnSiteGenerator | Equipment, rng: np.random.Generator):
    """Lead time, then installation time, drawn in that order from the entity's stream."""
    lead = spec.lead_time.sample(rng)
    return lead, spec.install_time.sample(rng)


def _delivery_links(
    trace: Trace, kind: str, name: str, order_day: float, lead: float, install: float
) -> int:
    """Order to delivery, then installation, as two links; returns the last."""
    delivered = order_day + lead
    link = trace.add(
        kind, name, "order to delivery", order_day, delivered, f"lead time {span(lead)}"
    )
    return trace.add(
        kind, name, "installation", delivered, delivered + install, span(install), link
    )


def equipment_lifecycle(
    env: simpy.Environment,
    equipment: Equipment,
    *,
    order_day: float,
    rng: np.random.Generator,
    ledger: Ledger,
    power: PowerSystem,
    in_service: simpy.Event,
    trace: Trace,
    relaxed: bool = False,
) -> Generator:
    """A transformer (or substation, switchgear): ordered, delivered after its lead time,
    installed, then in service, which changes what the network can carry (relaxed: in
    service on day 0)."""
    lead, install_days = (0.0, 0.0) if relaxed else _lead_and_install(equipment, rng)
    order_day = min(order_day, 0.0) if relaxed else order_day
    delivered = order_day + lead
    link = _delivery_links(trace, "equipment", equipment.name, order_day, lead, install_days)
    yield until(env, delivered)
    ledger.record(
        EventName.EQUIPMENT_DELIVERED,
        equipment.name,
        equipment.cost,
        add={"capex_electrical_usd": equipment.cost},
    )
    yield until(env, delivered + install_days)
    power.equipment_in_service(equipment, link)
    in_service.succeed()
