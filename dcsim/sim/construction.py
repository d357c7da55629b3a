"""Hall construction: ground-breaking, shell, fit-out, optionally waiting for a crew."""

from __future__ import annotations

from collections.abc import Generator

import numpy as np

from dcsim.config.schema import Hall


def hall_construction(model, hall: Hall, rng: np.random.Generator) -> Generator:
    """A hall breaks ground on its date (or when a crew frees up), builds its shell, is
    fitted out, and is then ready for racks. Half its cost is booked at ground-breaking and
    half at the start of fit-out. Work begun before day 0 keeps its head start."""
    shell_days, fitout_days = hall.shell_time.sample(rng), hall.fitout_time.sample(rng)
    planned = model.scenario.day(hall.construction_start)
    cost = hall.cost_per_mw * hall.it_capacity
    yield model.until(planned)
    with model.construction_crews.request() as crew:
        yield crew
        began = planned if model.env.now <= max(planned, 0.0) else model.env.now
        model.blame("crews", model.hall_gpus[hall.name], model.env.now - max(planned, 0.0))
        model.ledger.record(
            "construction_start", hall.name, cost / 2, add={"capex_facility_usd": cost / 2}
        )
        yield model.until(began + shell_days)
        model.ledger.record(
            "fitout_start", hall.name, cost / 2, add={"capex_facility_usd": cost / 2}
        )
        yield model.until(began + shell_days + fitout_days)
    model.ledger.record("hall_ready", hall.name)
    model.hall_ready[hall.name].succeed()
