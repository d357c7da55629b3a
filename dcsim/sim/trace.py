"""What each step of the build-out waited on, for the critical path.

Every activity that can hold a stage back (an interconnect step, a transformer's lead
time, a hall's shell, a chip batch in transit, a wait for a crew, a stage's installation)
is recorded once as a link: its kind, entity, a description, start and end day, the
random draw behind it, and its *cause*, the link that ended last among those it waited
for. Following causes back from the moment a target was reached gives the chain of
last-ending waits: the critical path. A run records a few links per stage and per entity,
never per GPU. The kinds of link are the trace kinds of the constraint classes
(:func:`dcsim.constraints.constraint_kinds`, :func:`dcsim.constraints.own_step_kinds`).
"""

from __future__ import annotations

from dataclasses import dataclass

from dcsim.constraints.base import NO_LINK

#: The cause of a link that waited for nothing (plug-ins know it as ``NO_LINK``).
NO_CAUSE = NO_LINK


@dataclass(frozen=True)
class Link:
    kind: str
    entity: str
    what: str
    start: float  # day
    end: float  # day
    draw: str  # the random draw (or given value) behind the duration, as text
    cause: int  # index of the link it waited for last, or NO_CAUSE


class Trace:
    def __init__(self) -> None:
        self.links: list[Link] = []

    def add(
        self,
        kind: str,
        entity: str,
        what: str,
        start: float,
        end: float,
        draw: str = "",
        cause: int = NO_CAUSE,
    ) -> int:
        """Record a link; returns its index, which later links name as their cause."""
        self.links.append(Link(kind, entity, what, start, end, draw, cause))
        return len(self.links) - 1

    def chain(self, last: int) -> list[Link]:
        """The links from the earliest cause to ``last``, in time order."""
        chain = []
        while last != NO_CAUSE:
            link = self.links[last]
            chain.append(link)
            last = link.cause
        return chain[::-1]


def span(days: float) -> str:
    """A duration as a person would say it: days, weeks or months."""
    if abs(days) < 28:
        return f"{days:.3g} days"
    if abs(days) < 120:
        return f"{days / 7:.3g} weeks"
    return f"{days / (365.25 / 12):.3g} months"
