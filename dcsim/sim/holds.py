"""What a process waits on besides its own work, and which constraint class is charged.

A :class:`Hold` is one such wait: a stage waits out its hall and any plug-in's holds before
it takes its chips; a generator, once built, waits out any plug-in's holds (an air permit)
before it runs. :class:`SourceClaims` turns a held generator into attribution: while one
is held, a stage the network cannot carry for want of source capacity is waiting on the
class that holds it, not on the grid.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass

import simpy

from dcsim.sim.clock import Doorbell


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
    """Sources built but held back, each by a constraint class, in the order held."""

    def __init__(self, doorbell: Doorbell):
        self._held: dict[str, str] = {}
        self._doorbell = doorbell
        self._changed = False

    def hold(self, source: str, constraint: str) -> None:
        self._held[source] = constraint
        self._ring()

    def release(self, source: str) -> None:
        del self._held[source]
        self._ring()

    def charged(self, answer: str) -> str:
        """The class a stage held for ``answer`` (the admission logic's ``grid`` or
        ``equipment``) waits on: a source shortfall is the first holder's while any source
        is held back."""
        if answer == "grid" and self._held:
            return next(iter(self._held.values()))
        return answer

    def take_changed(self) -> bool:
        """Whether a source was held or released since the last call."""
        changed, self._changed = self._changed, False
        return changed

    def _ring(self) -> None:
        self._changed = True
        self._doorbell.ring()


def wait_out_source(
    env: simpy.Environment, source: str, holds: Sequence[Hold], claims: SourceClaims, link: int
) -> Generator:
    """A built source waits for each hold in turn, claimed while it does; returns the link
    it waited for last (``link``, its own installation, unless a hold outlasted it)."""
    for hold in holds:
        if hold.until.processed:
            continue
        asked = env.now
        claims.hold(source, hold.constraint)
        ended = yield hold.until
        claims.release(source)
        if env.now > asked:
            link = ended
    return link
