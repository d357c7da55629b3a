"""Levers: the handful of scenario fields a planner moves in a meeting, found in a scenario.

Each lever names a dotted path (as ``--set`` does) and turns a widget's value into the
override for that path, or ``None`` while the widget sits at the scenario's own value, so
an untouched page runs exactly the scenario it was given. Durations with uncertainty are
moved by a whole number of months: the distribution keeps its shape and every location
parameter (low, mode, high, mean, or a fixed value) moves by the same amount.

A choice that only fills fields a file leaves out (a generator's ``technology``, a hall's
``build_mode``) rewrites its section without those fields, so the choice is what sets
them. A lever may edit several paths at once (:meth:`Lever.edits`): renting turbines adds
a generator and wires it where the grid comes in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from dcsim.config.build_modes import BUILD_MODES
from dcsim.config.generation import technology_table
from dcsim.config.schema import Scenario

#: pint's month (365.25 / 12 days), so "1 month" in a file and one step of a lever agree.
DAYS_PER_MONTH = 30.4375
#: Furthest a lever moves a duration later, in months.
MAX_SHIFT_MONTHS = 36
#: Location parameters of each distribution family in its JSON form, and their attribute.
LOCATIONS = {"value": "value", "low": "low", "mode": "mode", "high": "high", "mean": "mean_"}

Kind = Literal["date", "shift", "crews", "power", "share", "rate", "choice", "rent", "sites"]
#: What :meth:`Lever.override` returns for a widget left at the scenario's own value.
UNCHANGED = object()
#: A choice lever's value for "the file's own fields", when the file names no choice.
AS_WRITTEN = "as written"
#: Generator fields a technology supplies (dcsim/data/generation.csv via the schema).
TECHNOLOGY_FIELDS = ("lead_time", "install_time", "cost", "fuel_cost", "emissions")
#: Hall fields a build mode supplies.
BUILD_MODE_FIELDS = ("shell_time", "fitout_time")
#: The technology and name of the generator the "rent turbines" lever adds.
RENTAL = "rental_mobile"
RENTED_NAME = "rented-turbines"
#: Most MW the "rent turbines" lever offers.
MAX_RENTED_MW = 500.0


@dataclass(frozen=True)
class Lever:
    """One widget: ``key`` (short, URL-safe), a label, the dotted path it sets, its kind,
    the scenario's own value and the widget's bounds."""

    key: str
    label: str
    group: str
    path: str
    kind: Kind
    base: Any
    low: Any = None
    high: Any = None
    #: JSON form of what a lever rewrites whole: a shifted duration, a crews section, the
    #: sections a choice rewrites (``{"sections": [...]}``), a rental's wiring, a fleet's
    #: site entries and the durations their ``set:`` moves (``{"sites": [...]}``).
    distribution: Mapping[str, Any] | None = None
    #: The values a ``choice`` lever offers.
    options: tuple[str, ...] = ()

    def override(self, value: Any) -> Any:
        """The value to set at ``path`` for widget value ``value``, or :data:`UNCHANGED`."""
        if value == self.base:
            return UNCHANGED
        if self.kind == "date":
            return value.isoformat() if isinstance(value, dt.date) else str(value)
        if self.kind == "shift":
            return shifted(self.distribution, int(value) * DAYS_PER_MONTH)
        if self.kind == "crews":  # the whole section: a file may not have written it
            return {**self.distribution, "crews": None if int(value) == 0 else int(value)}
        if self.kind == "choice":
            return chosen(self.distribution, str(value))
        if self.kind in ("share", "rate"):
            return float(value)
        if self.kind == "sites":
            return int(value)
        return f"{float(value)!r} MW"

    def edits(self, value: Any) -> dict[str, Any]:
        """Dotted path -> value for widget value ``value`` (empty at the scenario's own)."""
        override = self.override(value)
        if override is UNCHANGED:
            return {}
        if self.kind == "sites":  # a fleet's sites: each entry's ``set:`` rewritten whole
            days = override * DAYS_PER_MONTH
            return {
                path: {**written, **{key: shifted(form, days) for key, form in steps}}
                for path, written, steps in self.distribution["sites"]
            }
        if self.kind != "rent":
            return {self.path: override}
        if float(value) <= 0:
            return {}
        generator = {"name": RENTED_NAME, "technology": RENTAL, "capacity": override}
        feeds = self.distribution["feeds"]
        return {self.path: [generator]} | {path: [*names, RENTED_NAME] for path, names in feeds}


def chosen(form: Mapping[str, Any], value: str) -> Any:
    """The sections of a choice lever rewritten for ``value``: the fields the choice
    supplies dropped, the choice named (one section, or a list of them)."""
    sections = [
        {k: v for k, v in section.items() if k not in form["supplied"]} | {form["field"]: value}
        for section in form["sections"]
    ]
    return sections if form["many"] else sections[0]


def shifted(distribution: Mapping[str, Any], days: float) -> dict[str, Any]:
    """``distribution`` (a duration's JSON form, canonical days) moved by ``days``."""
    out = dict(distribution)
    for key in LOCATIONS:
        if key in out:
            out[key] = f"{days_of(out[key]) + days!r} day"
    return out


def days_of(text: str) -> float:
    """A canonical duration as dumped (``"91.3125 day"``) back to its number of days."""
    number, unit = str(text).split()
    if unit != "day":
        raise ValueError(f"expected a duration in canonical days, got {text!r}")
    return float(number)


def shift_lever(key: str, label: str, group: str, path: str, duration: Any) -> Lever | None:
    """A months slider for a duration, bounded below so that no location goes negative
    (a lognormal has no location to move: no lever)."""
    form = duration.model_dump(mode="json", by_alias=True)
    if not any(key in form for key in LOCATIONS):
        return None
    smallest = min(days_of(form[name]) for name in LOCATIONS if name in form)
    earliest = -int(smallest // DAYS_PER_MONTH)
    return Lever(key, label, group, path, "shift", 0, earliest, MAX_SHIFT_MONTHS, form)


def crews_lever(key: str, label: str, path: str, section: Any) -> Lever:
    """Crews of a section (``installation``, ``construction``), set by rewriting the section
    as resolved, since a file may leave it out; 0 stands for unlimited (the schema's null)."""
    base = section.crews or 0
    form = section.model_dump(mode="json", by_alias=True)
    return Lever(key, label, "crews", path, "crews", base, 0, max(20, 3 * base), form)


def levers_for(scenario: Scenario) -> list[Lever]:
    """The levers a scenario has, in the order of the file: grid steps (date, delay),
    on-site generation (technology, MW, lead time; or MW of rented turbines when there is
    none), equipment lead times, crews, the halls' build mode, each project-risk shock
    (probability, duration), chip orders (date, lead time). A technology lever comes
    before its generator's MW, so a moved MW still sets the capacity (and the
    technology's capex per kW follows it)."""
    out: list[Lever | None] = []
    for i, link in enumerate(scenario.grid.interconnects):
        for j, step in enumerate(link.schedule):
            path = f"grid.interconnects.{i}.schedule.{j}"
            name = f"{link.name} step {j + 1} ({step.capacity:g} MW)"
            out.append(
                Lever(
                    f"g{i}s{j}date",
                    f"{name}: date",
                    "grid",
                    f"{path}.date",
                    "date",
                    step.date,
                    scenario.start,
                    scenario.start + horizon(scenario),
                )
            )
            out.append(
                shift_lever(
                    f"g{i}s{j}delay",
                    f"{name}: extra delay (months)",
                    "grid",
                    f"{path}.delay",
                    step.delay,
                )
            )
    for i, generator in enumerate(scenario.grid.generators):
        path = f"grid.generators.{i}"
        top = max(4 * generator.capacity, 500.0)
        out.append(technology_lever(i, generator))
        out.append(
            Lever(
                f"gen{i}mw",
                f"{generator.name}: capacity (MW)",
                "generation",
                f"{path}.capacity",
                "power",
                generator.capacity,
                1.0,
                top,
            )
        )
        out.append(
            shift_lever(
                f"gen{i}lead",
                f"{generator.name}: lead time change (months)",
                "generation",
                f"{path}.lead_time",
                generator.lead_time,
            )
        )
    if not scenario.grid.generators:
        out.append(rent_lever(scenario))
    for i, item in enumerate(scenario.equipment):
        out.append(
            shift_lever(
                f"eq{i}lead",
                f"{item.name}: lead time change (months)",
                "equipment",
                f"equipment.{i}.lead_time",
                item.lead_time,
            )
        )
    for key, path, section in (
        ("icrews", "installation", scenario.installation),
        ("ccrews", "construction", scenario.construction),
    ):
        out.append(crews_lever(key, f"{path} crews (0 = unlimited)", path, section))
    out.append(build_mode_lever(scenario))
    out.extend(project_risk_levers(scenario))
    for i, order in enumerate(scenario.chip_orders):
        name = f"{order.chip} order {i + 1} ({order.count:,} GPUs)"
        out.append(
            Lever(
                f"c{i}date",
                f"{name}: order date",
                "chips",
                f"chip_orders.{i}.order_date",
                "date",
                order.order_date,
                scenario.start - dt.timedelta(days=3 * 366),
                scenario.start + horizon(scenario),
            )
        )
        out.append(
            shift_lever(
                f"c{i}lead",
                f"{name}: lead time change (months)",
                "chips",
                f"chip_orders.{i}.lead_time",
                order.lead_time,
            )
        )
    return [lever for lever in out if lever is not None]


def technology_lever(i: int, generator: Any) -> Lever:
    """The kind of plant: its lead time, installation, cost, fuel and emissions then come
    from its row of dcsim/data/generation.csv instead of the file's own fields."""
    form = generator.model_dump(mode="json", by_alias=True)
    return Lever(
        f"gen{i}tech",
        f"{generator.name}: technology",
        "generation",
        f"grid.generators.{i}",
        "choice",
        generator.technology or AS_WRITTEN,
        options=option_list(generator.technology, technology_table()),
        distribution=choice_form([form], "technology", TECHNOLOGY_FIELDS, many=False),
    )


def rent_lever(scenario: Scenario) -> Lever:
    """MW of rented trailer-mounted turbines (``rental_mobile``, cited in
    dcsim/data/generation.csv: weeks to arrive, no capex as rental charges are not
    modelled), ordered at the start and joined where the first interconnect comes in:
    every equipment item or hall it feeds is fed by the turbines too."""
    grid = scenario.grid.interconnects[0].name if scenario.grid.interconnects else None
    feeds = [
        (f"{section}.{i}.fed_by", list(item.fed_by))
        for section, items in (("equipment", scenario.equipment), ("halls", scenario.halls))
        for i, item in enumerate(items)
        if grid in item.fed_by
    ]
    label = "rent turbines (MW, rental_mobile; 0 = none)"
    return Lever(
        "rentmw",
        label,
        "generation",
        "grid.generators",
        "rent",
        0.0,
        0.0,
        MAX_RENTED_MW,
        {"feeds": feeds},
    )


def build_mode_lever(scenario: Scenario) -> Lever:
    """How every hall is built: its shell and fit-out times then come from the build mode
    (the scenario's calibration file, else the cited fallbacks) instead of the file."""
    forms = [hall.model_dump(mode="json", by_alias=True) for hall in scenario.halls]
    return Lever(
        "buildmode",
        "build mode of every hall",
        "construction",
        "halls",
        "choice",
        AS_WRITTEN,
        options=(AS_WRITTEN, *BUILD_MODES),
        distribution=choice_form(forms, "build_mode", BUILD_MODE_FIELDS, many=True),
    )


def project_risk_levers(scenario: Scenario) -> list[Lever | None]:
    """Each ``project_risk:`` shock's chance of striking (0 to 1) and its duration moved
    by whole months: the stop fitted by the calibration when the scenario takes it, or
    the shocks it writes. A scenario with neither gets none: no public base rate of a
    named shock exists to offer as a default (docs/model.md, Project risk)."""
    out: list[Lever | None] = []
    for i, shock in enumerate(scenario.project_risk):
        name = f"{shock.kind.replace('_', ' ')} (shock {i + 1})"
        path = f"project_risk.{i}"
        out.append(
            Lever(
                f"pr{i}p",
                f"{name}: probability",
                "project risk",
                f"{path}.probability",
                "share",
                shock.probability,
                0.0,
                1.0,
            )
        )
        out.append(
            shift_lever(
                f"pr{i}dur",
                f"{name}: duration change (months)",
                "project risk",
                f"{path}.duration",
                shock.duration,
            )
        )
    return out


def option_list(current: str | None, known: Any) -> tuple[str, ...]:
    """A choice's options: "as written" first unless the file names one itself."""
    return tuple(known) if current is not None else (AS_WRITTEN, *known)


def choice_form(
    sections: list[dict[str, Any]], field: str, supplied: tuple[str, ...], many: bool
) -> dict[str, Any]:
    return {"sections": sections, "field": field, "supplied": supplied, "many": many}


def horizon(scenario: Scenario) -> dt.timedelta:
    return dt.timedelta(days=scenario.horizon)


def overrides(levers: list[Lever], values: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted path -> value for every lever moved away from the scenario's value."""
    out: dict[str, Any] = {}
    for lever in levers:
        if lever.key in values:
            out |= lever.edits(values[lever.key])
    return out
