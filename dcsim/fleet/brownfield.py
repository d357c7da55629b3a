"""Brownfield capacity: a region's existing powered shells, drawn on first by its sites.

A region may hold powered shells (buildings with grid power on hand) of a given facility
MW. In file order, each site's halls take a shell while one is left for their whole
facility load (IT x PUE; a hall is never split): such a hall is a conversion of an
existing building (the ``conversion`` build mode's durations, or the region's own
``retrofit_time``) started on the day the shells are available, and is fed by the shell's
existing service of its facility MW, outside the region's queue (its own feeds stay, so the
site's topology is unchanged). The arithmetic is a plain function; the loader rewrites the
site's scenario.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator, Sequence
from typing import Any

import simpy

from dcsim.config.loader import apply_overrides
from dcsim.config.schema import Interconnect, Scenario
from dcsim.fleet.schema import Brownfield
from dcsim.sim.clock import until
from dcsim.sim.power_system import PowerSystem
from dcsim.sim.trace import Trace

#: Name of the existing service that feeds a hall placed in a powered shell.
PREFIX = "shell-"


def first_fit(available_mw: float, hall_mw: Sequence[float]) -> tuple[list[bool], float]:
    """Which halls, in order, take a shell (each while its whole MW is left), and the MW
    left afterwards."""
    taken = []
    for mw in hall_mw:
        take = mw <= available_mw
        available_mw -= mw if take else 0.0
        taken.append(take)
    return taken, available_mw


def in_shells(
    data: dict[str, Any],
    scenario: Scenario,
    taken: Sequence[bool],
    shells: Brownfield,
    start: dt.date,
) -> tuple[dict[str, Any], frozenset[str]]:
    """The site's scenario data with each taken hall retrofitted in a powered shell from
    the day the shells are available: a ``conversion`` whose shell and fit-out times are
    the mode's (its time fields cleared, so the scenario's build-mode rule fills them from
    its calibration file or the cited fallback), or no shell time and ``retrofit_time``
    when the region gives one; fed also by an existing service of its facility MW from that
    day. Returns the data and the names of those services."""
    begin = max(shells.available or start, start)
    services = [dict(ic) for ic in data.get("grid", {}).get("interconnects", [])]
    changes: dict[str, Any] = {}
    names = []
    for i, (hall, take) in enumerate(zip(scenario.halls, taken, strict=True)):
        if not take:
            continue
        name = f"{PREFIX}{hall.name}"[:64]
        names.append(name)
        capacity = f"{hall.facility_capacity_mw!r} MW"
        services.append({"name": name, "schedule": [{"date": begin, "capacity": capacity}]})
        retrofit = shells.retrofit_time
        changes |= {
            f"halls.{i}.fed_by": [name, *hall.fed_by],
            f"halls.{i}.build_mode": "conversion",
            f"halls.{i}.shell_time": None if retrofit is None else "0 days",
            f"halls.{i}.fitout_time": None
            if retrofit is None
            else retrofit.model_dump(mode="json"),
            f"halls.{i}.construction_start": begin,
        }
    changes["grid.interconnects"] = services
    return apply_overrides(data, changes), frozenset(names)


def existing_service(
    env: simpy.Environment,
    interconnect: Interconnect,
    day: float,
    power: PowerSystem,
    trace: Trace,
) -> Generator:
    """A powered shell's service: its capacity is there from ``day`` on, outside any queue."""
    step = interconnect.schedule[0]
    yield until(env, day)
    link = trace.add("grid", interconnect.name, "existing powered shell", day, day)
    power.interconnect_step(interconnect.name, step.capacity, link)
