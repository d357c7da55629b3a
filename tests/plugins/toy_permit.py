"""A toy constraint class, outside dcsim/: a building permit that holds every stage of a
scenario's last hall until a fixed date. It exists to show that a class registered from
outside the package gates stages, is charged its waits, shows on the critical path, can be
relaxed by ``explain`` and is reported in the KPIs, with no edit to dcsim itself.

The test suite loads it twice: by :func:`dcsim.constraints.register` in process, and as an
installed entry point (group ``dcsim.constraints``) for the real command line.
"""

from __future__ import annotations

import datetime as dt

from dcsim.constraints import Wiring, plugin

#: The day the permit is granted (day 100 of the tiny scenario, which starts 2025-01-01).
GRANTED = dt.date(2025, 4, 11)


def wire(run: Wiring) -> None:
    """Unless relaxed, hold the last hall's stages until the permit is granted."""
    if run.relaxed:
        return
    hall = run.scenario.halls[-1].name
    granted, day = run.env.event(), run.day(GRANTED)

    def permit():
        yield run.env.timeout(day)
        granted.succeed(run.link(hall, "building permit granted", 0.0, day, "a given date"))

    run.env.process(permit())
    for stage in run.stages(hall):
        run.hold_stage(stage, granted)


PERMIT = plugin(
    "permit",
    "A hall's stages wait for its building permit before they take their chips.",
    relaxing="the permit granted on day 0",
    attribution="GPU-days that chips sat in a warehouse while the first stage yet to take "
    "them waited for its permit",
    gates="a stage's start, after its hall",
    links="the permit: day 0 → granted",
    wire=wire,
)
