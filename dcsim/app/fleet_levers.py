"""Levers of a fleet file, per region: what a planner moves for a region in a meeting.

Generated from the fleet as the campus levers are from a scenario, and set the same way
(dotted paths into the fleet file, so the edited fleet downloads as YAML and ``dcsim
fleet`` reruns it): a queue region's cluster-study and upgrade times and its background
traffic; a large-load region's study and upgrade times, headroom, the dates its regional
upgrades add headroom, its first tranche and traffic; powered shells and their retrofit
time; and, in a region without a queue, a delay on every utility step of every site there
(each site entry's ``set:`` moves the step's delay distribution).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dcsim.app.levers import MAX_SHIFT_MONTHS, Lever, shift_lever
from dcsim.config import scenario_from_dict
from dcsim.fleet.loader import site_data
from dcsim.fleet.schema import Fleet, Region

#: Most requests a year a traffic lever offers, at least (four times the file's otherwise).
MIN_TRAFFIC_TOP = 100.0
#: Most MW a headroom or shells lever offers, at least (four times the file's otherwise).
MIN_POWER_TOP = 1000.0


def fleet_levers(fleet: Fleet, path: str | Path) -> list[Lever]:
    """The levers of every region, in the order of the file."""
    out: list[Lever | None] = []
    texts: dict[Path, dict[str, Any]] = {}
    for i, region in enumerate(fleet.regions):
        group = f"region {region.name}"
        out += queue_levers(i, region, group, fleet)
        if region.brownfield is not None:
            shells = region.brownfield
            out.append(
                power_lever(
                    f"r{i}shells",
                    "powered shells (MW)",
                    group,
                    f"regions.{i}.brownfield.mw",
                    shells.mw,
                )
            )
            if shells.retrofit_time is not None:
                # Unwritten, a shell's halls take the conversion mode's calibrated fit-out:
                # a campus-page build-mode question, not a region's lever.
                out.append(
                    shift_lever(
                        f"r{i}retrofit",
                        "shell retrofit time change (months)",
                        group,
                        f"regions.{i}.brownfield.retrofit_time",
                        shells.retrofit_time,
                    )
                )
        if region.queue is None and region.large_load is None:
            out.append(grid_delay_lever(i, region, group, fleet, path, texts))
    return [lever for lever in out if lever is not None]


def queue_levers(i: int, region: Region, group: str, fleet: Fleet) -> list[Lever | None]:
    """Study and upgrade times, headroom and its growth, first tranche and traffic of a
    region's queue or large-load process (whichever it has)."""
    section, name = (
        (region.queue, "queue") if region.queue is not None else (region.large_load, "large_load")
    )
    if section is None:
        return []
    base = f"regions.{i}.{name}"
    out: list[Lever | None] = []
    if name == "large_load" or section.ordering == "cluster":  # fcfs studies at a rate
        out.append(
            shift_lever(
                f"r{i}study",
                "study time change (months)",
                group,
                f"{base}.study_time",
                section.study_time,
            )
        )
    out.append(
        shift_lever(
            f"r{i}upgrade",
            "upgrade time change (months)",
            group,
            f"{base}.upgrade_time",
            section.upgrade_time,
        )
    )
    if name == "large_load":
        out.append(
            power_lever(
                f"r{i}headroom",
                "headroom at the start (MW)",
                group,
                f"{base}.headroom",
                section.headroom,
            )
        )
        for j, step in enumerate(section.headroom_growth):
            out.append(
                Lever(
                    f"r{i}h{j}date",
                    f"regional upgrade {j + 1} (+{step.added:,.0f} MW): date",
                    group,
                    f"{base}.headroom_growth.{j}.date",
                    "date",
                    step.date,
                    fleet.start,
                    fleet.end,
                )
            )
        out.append(
            Lever(
                f"r{i}tranche",
                "first tranche (share of a request energized once studied)",
                group,
                f"{base}.first_tranche",
                "share",
                section.first_tranche,
                0.0,
                1.0,
            )
        )
    if section.background is not None:
        per_year = section.background.per_year
        out.append(
            Lever(
                f"r{i}traffic",
                "background requests a year",
                group,
                f"{base}.background.per_year",
                "rate",
                per_year,
                0.0,
                max(4 * per_year, MIN_TRAFFIC_TOP),
            )
        )
    return out


def power_lever(key: str, label: str, group: str, path: str, mw: float) -> Lever:
    return Lever(key, label, group, path, "power", mw, 0.0, max(4 * mw, MIN_POWER_TOP))


def grid_delay_lever(
    i: int, region: Region, group: str, fleet: Fleet, path: str | Path, texts: dict
) -> Lever | None:
    """Every utility step of every site in the region moved later (or earlier) by whole
    months: each site entry's ``set:`` gets the step's delay distribution, moved as the
    campus page's delay lever moves it. Bounded below where some step's delay would go
    negative; no lever when no site of the region has a step with a delay to move."""
    sites, lowest = [], None
    for number, site in enumerate(fleet.sites):
        if site.region != region.name:
            continue
        scenario = scenario_from_dict(site_data(fleet, path, number, texts), site.scenario)
        steps = []
        for a, link in enumerate(scenario.grid.interconnects):
            for b, step in enumerate(link.schedule):
                key = f"grid.interconnects.{a}.schedule.{b}.delay"
                lever = shift_lever(key, key, group, key, step.delay)
                if lever is not None:
                    steps.append((key, lever.distribution))
                    lowest = lever.low if lowest is None else max(lowest, lever.low)
        if steps:
            sites.append((f"sites.{number}.set", dict(site.set), steps))
    if not sites:
        return None
    label = "utility steps of its sites: extra delay (months)"
    return Lever(
        f"r{i}griddelay",
        label,
        group,
        f"regions.{i}",
        "sites",
        0,
        lowest,
        MAX_SHIFT_MONTHS,
        {"sites": sites},
    )
