"""Things that take power away for a while: equipment outages and grid curtailment."""

from __future__ import annotations

from collections.abc import Generator

import numpy as np

from dcsim.config.schema import Equipment, Interconnect
from dcsim.units import DAYS_PER_YEAR, to_kw


def equipment_outages(model, equipment: Equipment, rng: np.random.Generator) -> Generator:
    """Once in service, the equipment runs for an exponential up-time (its MTBF), is out
    for a repair time (MTTR), and starts over."""
    spec = equipment.outages
    yield model.equipment_ready[equipment.name]
    while True:
        yield model.env.timeout(rng.exponential(spec.mtbf))
        yield from outage(model, equipment.name, spec.mttr.sample(rng))


def forced_outage(model, name: str, start_day: float, days: float) -> Generator:
    """A dated outage (maintenance, a known fault)."""
    yield model.until(start_day)
    yield from outage(model, name, days - max(0.0, model.env.now - start_day))


def outage(model, name: str, days: float) -> Generator:
    model.grid_state.outages[name] += 1
    model.refresh_power("equipment_outage", name, days)
    yield model.env.timeout(max(0.0, days))
    model.grid_state.outages[name] -= 1
    model.refresh_power("equipment_restored", name, days)


def curtailment(
    model, interconnect: str, limit_mw: float, start_day: float, days: float
) -> Generator:
    """The utility caps the interconnect at ``limit_mw`` for a window."""
    limits = model.grid_state.curtail_limits_kw[interconnect]
    yield model.until(start_day)
    limits.append(to_kw(limit_mw))
    model.refresh_power("curtailment_start", interconnect, limit_mw)
    yield model.env.timeout(max(0.0, days - max(0.0, model.env.now - start_day)))
    limits.remove(to_kw(limit_mw))
    model.refresh_power("curtailment_end", interconnect, limit_mw)


def random_curtailments(model, interconnect: Interconnect, rng: np.random.Generator) -> Generator:
    """Curtailment windows arriving as a Poisson process of ``per_year`` windows a year."""
    spec = interconnect.random_curtailments
    while True:
        yield model.env.timeout(rng.exponential(DAYS_PER_YEAR / spec.per_year))
        model.env.process(
            curtailment(
                model, interconnect.name, spec.limit, model.env.now, spec.duration.sample(rng)
            )
        )
