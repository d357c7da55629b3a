"""Air permits: an on-site generator runs only what its air permit (or a temporary
exemption) allows.

A generator with a ``permit`` block is granted its permit a drawn time after filing; the
permit lets a capacity (or a number of its units) run. Before the grant it may not run at
all, unless a temporary exemption lets it run at nameplate from the exemption's start to
its expiry; at expiry it either stops (``stop``: only a granted permit's capacity runs) or
falls to the permitted capacity, granted or not (``cap``). What it may run is a cap on the
generator's output (:meth:`~dcsim.constraints.base.Wiring.cap_generators`): while a cap
holds a running generator below what it could run, the stages short of source capacity
that lifting the caps would have let through are charged to ``air_permit``; the grant is
a trace link, so a stage it lets in names the permit as its cause. Relaxed (``dcsim
explain``), every permit is granted on day 0: the permitted capacity still applies.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dcsim.constraints.base import NO_LINK, ConstraintClass, Wiring

if TYPE_CHECKING:
    from dcsim.config.schema import OnSiteGenerator, Scenario


@dataclass(frozen=True)
class CapChange:
    """From ``day`` on the generator runs at most ``mw`` (None: its nameplate); ``why``
    names the change on the trace when it lets more run ("" when it only takes away)."""

    day: float
    mw: float | None
    why: str


@dataclass(frozen=True)
class Exemption:
    """A temporary exemption in simulation days: nameplate runs from ``start`` until
    ``expiry``; then ``at_expiry`` says what runs before a grant (``stop``: nothing;
    ``cap``: the permitted capacity)."""

    start: float
    expiry: float
    at_expiry: str = "stop"


def permitted_mw(generator: OnSiteGenerator) -> float | None:
    """What the permit lets run once granted (None: the whole generator)."""
    permit = generator.permit
    assert permit is not None
    if permit.units is not None:
        return generator.capacity * permit.units / generator.units
    if permit.capacity is not None and permit.capacity < generator.capacity:
        return permit.capacity
    return None


def permit_caps(
    permitted: float | None, granted: float, exemption: Exemption | None = None
) -> list[CapChange]:
    """The changes of a generator's cap from day 0 (starting uncapped), given what the
    permit allows (``permitted``, None: all) and the day it is granted. At any day the cap
    is: none inside the exemption; ``permitted`` once granted, or after an expiry that
    caps; 0 otherwise."""

    def cap(day: float) -> float | None:
        if exemption is not None and exemption.start <= day < exemption.expiry:
            return None
        if day >= granted:
            return permitted
        expired = exemption is not None and day >= exemption.expiry
        return permitted if expired and exemption.at_expiry == "cap" else 0.0

    def why(day: float) -> str:
        if day >= granted:
            return "permit granted"
        return "exemption starts" if cap(day) is None else ""

    turns = (granted,) if exemption is None else (granted, exemption.start, exemption.expiry)
    changes, now = [], None
    for day in sorted({0.0, *(max(0.0, turn) for turn in turns)}):
        if (after := cap(day)) != now:
            lets_more = after is None or (now is not None and after > now)
            changes.append(CapChange(day, after, why(day) if lets_more else ""))
            now = after
    return changes


def _has_permits(scenario: Scenario) -> bool:
    return any(g.permit is not None for g in scenario.grid.generators)


def wire(run: Wiring) -> None:
    """Each permitted generator's cap: what holds on day 0 is set here, before the run
    starts (so no generator built on day 0 runs unpermitted for an instant); the later
    changes by a process each."""
    for generator in run.scenario.grid.generators:
        if generator.permit is not None:
            changes = _changes(run, generator)
            while changes and changes[0][0].day <= 0:
                _apply(run, generator, *changes.pop(0))
            if changes:
                run.env.process(_later(run, generator, changes))


def _changes(run: Wiring, generator: OnSiteGenerator) -> list[tuple[CapChange, tuple]]:
    """The generator's cap changes, each with its trace link's (what, start, end, draw).
    The time to permit is drawn from the generator's own stream, relaxed too, so that the
    draws stay paired."""
    permit = generator.permit
    assert permit is not None
    filed = run.day(permit.filed or run.scenario.start)
    days = permit.time_to_permit.sample(run.stream(generator.name))
    granted = 0.0 if run.relaxed else max(0.0, filed + days)
    exemption, spans = None, {}
    if (ex := permit.exemption) is not None:
        exemption = Exemption(run.day(ex.start), run.day(ex.expiry), ex.at_expiry)
        spans["exemption starts"] = ("temporary exemption", exemption.start, exemption.expiry)
    draw = "relaxed: granted on day 0" if run.relaxed else f"time to permit {days:.0f} days"
    spans["permit granted"] = ("air permit granted", min(filed, granted), granted, draw)
    caps = permit_caps(permitted_mw(generator), granted, exemption)
    return [(change, spans.get(change.why, ())) for change in caps]


def _apply(run: Wiring, generator: OnSiteGenerator, change: CapChange, span: tuple) -> None:
    link = run.link(generator.name, *span) if span else NO_LINK
    run.cap_generators(generator.name, [generator.name], change.mw, link)


def _later(run: Wiring, generator: OnSiteGenerator, changes: list) -> Generator:
    for change, span in changes:
        yield run.env.timeout(change.day - run.env.now)
        _apply(run, generator, change, span)


AIR_PERMIT = ConstraintClass(
    name="air_permit",
    meaning="An on-site generator runs only what its air permit, or a temporary exemption, allows.",
    relaxing="every air permit granted on day 0 (the permitted capacity still applies)",
    attribution="a stage's GPUs × the time it waited for power short of source capacity "
    "while a permit held a built generator below what it could run, if lifting the caps "
    "would have let it through",
    gates="a generator's output, from filing to grant and at an exemption's expiry "
    "(`sim/power_system.py` caps)",
    links="filing → permit granted (the time to permit is the draw); an exemption's span",
    relax_as="air_permit",
    trace_kind="air_permit",
    kpi_row="air_permit",
    present=_has_permits,
    wire=wire,
)
