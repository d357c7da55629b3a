"""Read a fleet file and turn its sites into campus scenarios on the fleet's clock.

Problems are one line each, ``FILE: field.path: what``, as for scenario files; a problem in
a site's scenario names the fleet file, the site entry and the scenario file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dcsim.config.loader import apply_overrides, read_yaml, scenario_from_dict
from dcsim.config.messages import format_validation_error
from dcsim.config.schema import Scenario
from dcsim.errors import UserInputError
from dcsim.fleet.brownfield import first_fit, in_shells
from dcsim.fleet.budget import fleet_cents, site_budget, split_cents, weights
from dcsim.fleet.queue import Entered
from dcsim.fleet.schema import Fleet, Region, Site
from dcsim.rng import RandomStreams

_NUMBER_AND_UNIT = re.compile(r"\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?)\s*(.*)")


@dataclass(frozen=True)
class SitePlan:
    """One campus of the fleet: a copy of a site entry, ready to run."""

    name: str
    region: str
    scenario: Scenario
    request_day: float  # when its interconnection request is filed (fleet days)
    priority: int
    share: float
    budget_cents: Mapping[int, int] | None = None  # its part of the fleet budget per year
    committed: bool = True  # stays in its queue (False: withdraws as background requests do)
    entered: Entered | None = None  # entered in its upgrades (queue_state)
    shells: frozenset[str] = frozenset()  # services of halls in powered shells
    owner: str | None = None  # shares the fleet's shared_risk shocks of this owner


def load_fleet(path: str | Path) -> Fleet:
    try:
        return Fleet.model_validate(read_yaml(Path(path)))
    except ValidationError as error:
        raise UserInputError(format_validation_error(error, str(path))) from None


def site_plans(fleet: Fleet, path: str | Path, seed: int = 0, replication: int = 0):
    """Every copy of every site as a :class:`SitePlan`, in file order. Copies of a template
    draw their shifts and scale from the stream ``("fleet-site", copy name)``, so a copy
    keeps its draws when other sites are added."""
    streams = RandomStreams(seed, replication)
    texts: dict[Path, dict[str, Any]] = {}
    plans, sources = [], []
    shells_left = {r.name: r.brownfield.mw for r in fleet.regions if r.brownfield}
    for number, site in enumerate(fleet.sites):
        file = Path(path).parent / site.scenario
        where = f"{path}: sites.{number}"
        base = site_data(fleet, path, number, texts)
        fixed = None if site.shift or site.scale else scenario_from_dict(base, f"{where} ({file})")
        for copy, name in enumerate(site.copy_names(), start=1):
            origin = f"{where} copy {copy} ({file})" if site.count > 1 else f"{where} ({file})"
            data = (
                _varied(base, site, streams.stream("fleet-site", name), where)
                if not fixed
                else base
            )
            scenario = fixed or scenario_from_dict(data, origin)
            shells: frozenset[str] = frozenset()
            if shells_left.get(site.region):
                hall_mw = [hall.facility_capacity_mw for hall in scenario.halls]
                taken, shells_left[site.region] = first_fit(shells_left[site.region], hall_mw)
                if any(taken):
                    brownfield = _region(fleet, site.region).brownfield
                    data, shells = in_shells(data, scenario, taken, brownfield, fleet.start)
                    scenario = scenario_from_dict(data, f"{origin} in powered shells")
            request, entered = _request(fleet, site)
            plans.append(
                SitePlan(
                    name,
                    site.region,
                    scenario,
                    request,
                    site.priority,
                    site.share,
                    committed=site.committed,
                    entered=entered,
                    shells=shells,
                    owner=site.owner,
                )
            )
            sources.append((data, origin))
    funded = plans if fleet.budget is None else _funded(fleet, path, plans, sources)
    _check_vendor_chips(fleet, path, funded)
    return funded


def site_data(
    fleet: Fleet, path: str | Path, number: int, texts: dict[Path, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Site entry ``number``'s scenario as data: its file on the fleet's clock (start and
    horizon) with the entry's ``set:`` applied, before any copy's drawn variation.
    ``texts`` keeps files already read, by path."""
    texts = {} if texts is None else texts
    site = fleet.sites[number]
    file = Path(path).parent / site.scenario
    if file not in texts:
        texts[file] = read_yaml(file)
    clock = {"start": fleet.start, "horizon": f"{fleet.horizon!r} days"}
    return apply_overrides(
        apply_overrides(texts[file], clock), site.set, f"{path}: sites.{number}.set."
    )


def _check_vendor_chips(fleet: Fleet, path: str | Path, plans: list[SitePlan]) -> None:
    """A vendor of a chip no site orders would share nothing: the supply would be silently
    off, so it is refused."""
    ordered = sorted({order.chip for plan in plans for order in plan.scenario.chip_orders})
    for number, vendor in enumerate(fleet.vendors):
        if vendor.chip not in ordered:
            raise UserInputError(
                f"{path}: vendors.{number}.chip: no site orders {vendor.chip!r} "
                f"(the sites order {', '.join(ordered) or 'no chips'})"
            )


def _funded(fleet: Fleet, path: str | Path, plans: list[SitePlan], sources) -> list[SitePlan]:
    """The plans with the fleet budget split across them: each site of positive weight is
    rebuilt with its part as its own ``budget:`` (its chip orders replaced by the
    budget's monthly orders)."""
    budget = fleet.budget
    cents = fleet_cents(budget, str(path))
    chip = budget.chip
    chips = sorted({h.stages.chip for plan in plans for h in plan.scenario.halls})
    if chip not in chips:
        raise UserInputError(
            f"{path}: budget.chip: no site's halls hold {chip!r} (they hold {', '.join(chips)})"
        )
    gpus = [
        sum(h.planned_gpus for h in plan.scenario.halls if h.stages.chip == chip) for plan in plans
    ]
    weight = weights(budget, gpus, [plan.share for plan in plans], str(path))
    parts = split_cents(cents, weight)
    raw = read_yaml(Path(path))["budget"]
    funded = []
    for plan, (data, origin), w, part in zip(plans, sources, weight, parts, strict=True):
        if not w:
            funded.append(plan)
            continue
        if not all(part.values()):
            raise UserInputError(f"{path}: budget: too little money to split across the sites")
        site_data = {**data, "chip_orders": [], "budget": site_budget(raw, part)}
        scenario = scenario_from_dict(site_data, f"{origin} with the fleet budget")
        funded.append(replace(plan, scenario=scenario, budget_cents=part))
    return funded


def _region(fleet: Fleet, name: str) -> Region:
    return next(region for region in fleet.regions if region.name == name)


def _request(fleet: Fleet, site: Site) -> tuple[float, Entered | None]:
    """The day a site's request was filed, and its upgrades if it enters the queue there."""
    state = site.queue_state
    if state is None:
        return (0.0 if site.request_date is None else fleet_day(fleet, site.request_date)), None
    if state.stage == "study":
        return fleet_day(fleet, state.filed), None
    in_service = None if state.in_service is None else fleet_day(fleet, state.in_service)
    entered = Entered(fleet_day(fleet, state.study_complete), in_service, state.slip)
    return fleet_day(fleet, state.filed), entered


def fleet_day(fleet: Fleet, date: dt.date) -> float:
    return float((date - fleet.start).days)


def _varied(base: dict[str, Any], site: Site, rng, where: str) -> dict[str, Any]:
    """The copy's data: each ``shift`` path moved by a drawn duration (whole days), then each
    ``scale`` path multiplied by one drawn factor (whole numbers stay whole, at least 1).
    The shifts are drawn in the order of their paths, not of the file: a YAML mapping has
    no order, and a file rewritten with its keys sorted must give the same copies."""
    changes: dict[str, Any] = {}
    for path, duration in sorted(site.shift.items()):
        value = _at(base, path, f"{where}.shift.{path}")
        try:
            date = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
        except ValueError:
            raise UserInputError(f"{where}.shift.{path}: {value!r} is not a date") from None
        days = round(duration.sample(rng))
        try:
            changes[path] = date + dt.timedelta(days=days)
        except OverflowError:
            raise UserInputError(
                f"{where}.shift.{path}: {date} moved by {days:,} days is past any calendar date"
            ) from None
    if site.scale is not None:
        factor = rng.uniform(site.scale.low, site.scale.high)
        for path in site.scale.paths:
            value = _at(base, path, f"{where}.scale.paths")
            changes[path] = _scaled(value, factor, f"{where}.scale.paths: {path}")
    return apply_overrides(base, changes)


def _at(data: Any, path: str, where: str) -> Any:
    for key in path.split("."):
        if isinstance(data, list) and key.isdigit() and int(key) < len(data):
            data = data[int(key)]
        elif isinstance(data, dict) and key in data:
            data = data[key]
        else:
            raise UserInputError(f"{where}: no field {path!r} in the site's scenario")
    return data


def _scaled(value: Any, factor: float, where: str) -> Any:
    if isinstance(value, bool):
        raise UserInputError(f"{where}: cannot scale {value!r}")
    if isinstance(value, int):
        return max(1, round(value * factor))
    if isinstance(value, float):
        return value * factor
    match = _NUMBER_AND_UNIT.fullmatch(value) if isinstance(value, str) else None
    if not match:
        raise UserInputError(f"{where}: cannot scale {value!r} (a number or '36 MW' text)")
    return f"{float(match[1]) * factor!r} {match[2]}".strip()
