"""A toy air permit, outside dcsim/: every on-site generator, once built, waits for its
air permit (granted on a fixed date) before it may run. It shows a plug-in holding a
source back and being charged, instead of ``grid``, for the stages short of power
meanwhile that the held generator would have let through. (The built-in class,
``air_permit``, is dcsim/constraints/builtin/air_permit.py; this toy takes another name so
that both can be registered.)"""

from __future__ import annotations

import datetime as dt

from dcsim.constraints import Wiring, plugin

#: Day 45 of a scenario that starts on 2025-01-01.
GRANTED = dt.date(2025, 2, 15)


def wire(run: Wiring) -> None:
    """Unless relaxed, hold every generator until its permit is granted."""
    if run.relaxed:
        return
    day = run.day(GRANTED)
    for generator in run.scenario.grid.generators:
        granted = run.env.event()
        run.env.process(_grant(run, generator.name, day, granted))
        run.hold_generator(generator.name, granted)


def _grant(run: Wiring, generator: str, day: float, granted):
    yield run.env.timeout(day)
    granted.succeed(run.link(generator, "air permit granted", 0.0, day, "a given date"))


AIR_PERMIT = plugin(
    "turbine_permit",
    "A built generator waits for its air permit before it may run.",
    relaxing="every air permit granted on day 0",
    attribution="a stage's GPUs × the time it waited for power short of source capacity "
    "while a built generator waited for its permit",
    gates="a generator's start, after installation",
    links="the permit: day 0 → granted",
    wire=wire,
)
