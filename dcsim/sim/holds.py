"""What a process waits on besides its own work, and which constraint class is charged.

A :class:`Hold` is one such wait: a stage waits out its hall and any plug-in's holds before
it takes its chips; a generator, once built, waits out any plug-in's holds (an air permit)
before it runs. :class:`SourceClaims` turns a held generator into attribution: while one
is held, a stage the network cannot carry for want of source capacity, and that lifting
the holds would have let through, is waiting on the class that holds it, not on the grid.
The graph decides, as it decides power: what the holds withhold from a demand is the max
flow with them lifted minus the max flow as is, so a held generator behind a smaller
transformer withholds only what the transformer passes.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass

import simpy

from dcsim.sim.clock import Doorbell
from dcsim.sim.stage import Stage
from dcsim.topology import Lifted, PowerNetwork


@dataclass(frozen=True)
class Hold:
    """``until`` fires with the trace link that ended the wait; ``constraint`` (a class of
    :mod:`dcsim.constraints`) is charged for what waits meanwhile."""

    constraint: str
    until: simpy.Event


@dataclass(frozen=True)
class Pause:
    """Construction of a hall stops from ``start`` to ``end`` (a project-wide shock of class
    ``constraint``, whose trace links are of kind ``kind``). The hall fires ``struck`` when
    the stop reaches its work and ``over`` when work resumes (both at once, when it finishes
    before the stop): its stages wait on them, so chips idle meanwhile are this class's."""

    constraint: str
    kind: str
    start: float
    end: float
    what: str
    draw: str
    struck: simpy.Event
    over: simpy.Event


class SourceClaims:
    """Sources built but held back, each by a constraint class and by how many kW it
    withholds (what it could run less what it runs), in the order held."""

    def __init__(self, doorbell: Doorbell):
        self._held: dict[str, tuple[str, int]] = {}
        self._doorbell = doorbell
        self._changed = False

    def hold(self, source: str, constraint: str, kw: int) -> None:
        if self._held.get(source) != (constraint, kw):
            self._held[source] = (constraint, kw)
            self._ring()

    def holds(self, source: str) -> bool:
        """Whether ``source`` is held now."""
        return source in self._held

    def release(self, source: str) -> None:
        del self._held[source]
        self._ring()

    def holder(self) -> str | None:
        """The class that held a source first, of those holding one now (None: none)."""
        return next(iter(self._held.values()))[0] if self._held else None

    def lifted(self) -> Lifted:
        """What each held source could add if every hold were lifted, by source name."""
        return tuple(sorted((source, kw) for source, (_, kw) in self._held.items()))

    def take_changed(self) -> bool:
        """Whether a source was held, re-held or released since the last call."""
        changed, self._changed = self._changed, False
        return changed

    def _ring(self) -> None:
        self._changed = True
        self._doorbell.ring()


def charge_shortfalls(
    answers: Sequence[tuple[Stage, str]],
    committed_kw: Mapping[str, int],
    network: PowerNetwork,
    claims: SourceClaims,
) -> list[tuple[Stage, str]]:
    """The class each waiting stage is charged to, from the admission logic's answers
    (``grid``, ``equipment``) in policy order. A stage short of sources (``grid``, judged
    with every piece of equipment in service) is the holder's only if the holds withhold
    its shortfall: with the committed load, the stages ahead of it charged to the holder
    and itself as demand D, if ``F_lifted(D) - F(D)`` (the max flow with every hold lifted
    minus the max flow as is) covers ``|D| - F(D)``, that is if ``F_lifted(D) >= |D|``;
    else it stays the grid's."""
    holder = claims.holder()
    if holder is None:
        return list(answers)
    lifted, demand = claims.lifted(), dict(committed_kw)
    charged = []
    for stage, answer in answers:
        if answer == "grid":
            demand[stage.hall] += stage.facility_kw
            carried = network.max_flow_kw(demand, every_equipment=True, lifted=lifted)
            if carried >= sum(demand.values()):
                answer = holder
            else:
                demand[stage.hall] -= stage.facility_kw
        charged.append((stage, answer))
    return charged


def wait_out_source(
    env: simpy.Environment,
    source: str,
    holds: Sequence[Hold],
    claims: SourceClaims,
    link: int,
    kw: int,
) -> Generator:
    """A built source that could run ``kw`` waits for each hold in turn, claimed while it
    does; returns the link it waited for last (``link``, its own installation, unless a
    hold outlasted it)."""
    for hold in holds:
        if hold.until.processed:
            continue
        asked = env.now
        claims.hold(source, hold.constraint, kw)
        ended = yield hold.until
        claims.release(source)
        if env.now > asked:
            link = ended
    return link
