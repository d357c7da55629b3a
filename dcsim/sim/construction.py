"""Hall construction: ground-breaking, shell, fit-out, optionally waiting for a crew."""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

from dcsim.config.schema import Hall
from dcsim.sim.clock import until
from dcsim.sim.events import EventName
from dcsim.sim.ledger import Ledger
from dcsim.sim.stranded import StrandedAccount
from dcsim.sim.trace import NO_CAUSE, Trace, span


def hall_construction(
    env: simpy.Environment,
    hall: Hall,
    *,
    planned_day: float,
    rng: np.random.Generator,
    crews: simpy.Resource,
    ledger: Ledger,
    stranded: StrandedAccount,
    ready: simpy.Event,
    trace: Trace,
    relaxed: bool = False,
) -> Generator:
    """A hall breaks ground on its date (or when a crew frees up), builds its shell, is
    fitted out, and is then ready for racks; ``ready`` fires with the trace link of the
    fit-out. Half its cost is booked at ground-breaking and half at the start of fit-out.
    Work begun before day 0 keeps its head start. Relaxed, the hall is ready on day 0."""
    if relaxed:
        shell_days = fitout_days = 0.0
        planned_day = min(planned_day, 0.0)
    else:
        shell_days, fitout_days = hall.shell_time.sample(rng), hall.fitout_time.sample(rng)
    cost = hall.cost_per_mw * hall.it_capacity
    yield until(env, planned_day)
    with crews.request() as crew:
        asked = env.now
        yield crew
        began = planned_day if env.now <= max(planned_day, 0.0) else env.now
        stranded.charge("construction_crews", hall.planned_gpus, env.now - max(planned_day, 0.0))
        link = NO_CAUSE
        if env.now > asked:
            what = "waited for a construction crew"
            link = trace.add("construction", "construction crews", what, asked, env.now)
        ledger.record(
            EventName.CONSTRUCTION_START, hall.name, cost / 2, add={"capex_facility_usd": cost / 2}
        )
        yield until(env, began + shell_days)
        ledger.record(
            EventName.FITOUT_START, hall.name, cost / 2, add={"capex_facility_usd": cost / 2}
        )
        yield until(env, began + shell_days + fitout_days)
    link = trace.add(
        "construction", hall.name, "shell", began, began + shell_days, span(shell_days), link
    )
    end = began + shell_days + fitout_days
    link = trace.add(
        "construction", hall.name, "fit-out", began + shell_days, end, span(fitout_days), link
    )
    ledger.record(EventName.HALL_READY, hall.name)
    ready.succeed(link)
