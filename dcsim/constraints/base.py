"""What a constraint class is: one declaration that every list, table and doc reads.

A constraint class is something a stage can wait on (the grid, a transformer, a hall, a
permit). Its :class:`ConstraintClass` says, once, what it means, what relaxing it means in
``dcsim explain``, which waits are charged to it in ``constraint_gpu_days``, which processes
it gates, the kind of its links on the critical path and its rows in the docs. The lists
the rest of dcsim used to keep by hand (what ``explain`` may relax, the stranded-GPU
account's rows, the trace's constraint kinds, the sweep KPI columns) are derived from the
registered declarations (:mod:`dcsim.constraints.registry`).

A class the model already wires (the built-in ones) only declares itself. A plug-in class
also gives ``wire``: a function the model calls once per run with a :class:`Wiring`, through
which it starts its own processes, holds stages back and charges its waits, without any
edit to the model, the admission logic or the warehouse.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import datetime as dt

    import numpy as np
    import simpy

    from dcsim.config.schema import Scenario

#: A class name: lower-case words joined by underscores (it becomes a KPI column's suffix).
NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")

#: The trace link index meaning "waited for nothing" (see :mod:`dcsim.sim.trace`).
NO_LINK = -1


class Wiring(Protocol):
    """What a plug-in class is handed at model build: the run it takes part in, narrowed to
    what a constraint needs. The model's own implementation is
    :class:`dcsim.sim.plugins.PluginWiring`."""

    #: The run's SimPy environment: a plug-in's processes are started on it.
    env: simpy.Environment
    #: The validated scenario (a plug-in reads its own facts from it).
    scenario: Scenario
    #: True when ``dcsim explain`` (or ``relaxed=``) takes this class away in this run.
    relaxed: bool

    def day(self, date: dt.date) -> float:
        """A calendar date as a simulation day (days since the scenario's start)."""
        ...

    def stages(self, hall: str | None = None) -> Sequence[str]:
        """The names of the run's stages (of one hall), in plan order."""
        ...

    def hold_stage(self, stage: str, until: simpy.Event) -> None:
        """Hold ``stage`` before it takes its chips until ``until`` fires. The event's value
        is the trace link that ended the hold (from :meth:`link`, or ``NO_LINK``). While it
        waits, delivered chips that no stage asks for are charged to this class."""
        ...

    def hold_generator(self, generator: str, until: simpy.Event) -> None:
        """Keep an on-site generator, once built, from running until ``until`` fires (its
        value: the trace link that ended the hold). While it is held, a stage the network
        cannot carry for want of source capacity is charged to this class, not ``grid``, if
        lifting the holds would have let it through (:func:`dcsim.sim.holds.charge_shortfalls`)."""
        ...

    def cap_generators(
        self, group: str, generators: Sequence[str], mw: float | None, link: int = NO_LINK
    ) -> None:
        """From now on the on-site ``generators`` together run at most ``mw`` (None: lift
        this class's cap named ``group``); the cheapest fuel runs first. ``link`` is the
        trace link a stage admitted by a raised cap names as its cause. While the cap holds
        a running generator below what it could run, a stage the network cannot carry for
        want of source capacity is charged to this class, not ``grid``, if lifting the caps
        would have let it through (:func:`dcsim.sim.holds.charge_shortfalls`)."""
        ...

    def limit_fuel(self, mw: float | None, link: int = NO_LINK) -> None:
        """From now on the site's fuel delivery (the fuel node of ``grid.fuel_limit``,
        feeding every fuelled generator) carries at most ``mw`` of electric output (None:
        unlimited); max flow decides which generators burn it. ``link`` is the trace link
        a stage admitted by a raised limit names as its cause. While the limit is below
        what its generators could run, a stage short of source capacity is charged to this
        class if lifting the limit would have let it through."""
        ...

    def pause_construction(
        self, hall: str, start: float, end: float, what: str, draw: str = ""
    ) -> None:
        """Stop ``hall``'s construction from day ``start`` to ``end`` if its work is under way
        or due then (work not yet done moves by the part of the stop it meets; a hall ready
        before ``start`` is untouched). The stop is a link of this class's kind on the hall's
        chain, and chips idle while its stages wait through it are charged to this class.
        Call it from ``wire``, before the run starts (the hall reads its stops when it
        breaks ground)."""
        ...

    def link(
        self, entity: str, what: str, start: float, end: float, draw: str = "", cause: int = -1
    ) -> int:
        """Record a link of this class's kind on the trace (for the critical path)."""
        ...

    def charge(self, gpus: float, days: float) -> None:
        """Charge ``gpus`` x ``days`` of waiting to this class's ``constraint_gpu_days``."""
        ...

    def stream(self, entity: str) -> np.random.Generator:
        """The named random stream of one entity of this class (common random numbers)."""
        ...


def _everywhere(scenario: Scenario) -> bool:
    return True


@dataclass(frozen=True)
class ConstraintClass:
    """One constraint class, declared once.

    ``name`` is the class's one meaning (``installation_crews``). The three contract names
    default to it and differ only where scripts already rely on an older word:
    ``relax_as`` (the name ``explain`` and ``relaxed=`` use; None: cannot be relaxed on its
    own), ``trace_kind`` (the kind of its links, what ``date_set_by`` reports; None: it
    records none) and ``kpi_row`` (the ``constraint_gpu_days`` row its waits are charged
    to and ranked under for ``binding_constraint``; None: never charged). A class whose
    ``kpi_row`` is not its name is also reported on a row of its own name, so a row shared
    by two classes (``crews``) keeps its old total and each part is still visible.
    """

    name: str
    meaning: str  # one sentence: what waiting on it means
    relaxing: str  # what it becomes when relaxed ("" when it cannot be)
    attribution: str  # which waits are charged to it, in GPU-days ("" when none)
    gates: str  # the processes it holds back
    links: str  # the links of its kind on the trace ("" when none)
    relax_as: str | None = None
    trace_kind: str | None = None
    kpi_row: str | None = None
    own_step: bool = False  # a stage's own step (installation), not a wait on something else
    #: Whether a scenario has anything of this class (``explain`` skips a class it has not).
    present: Callable[[Scenario], bool] = _everywhere
    #: A plug-in's wiring, called once per run after the built-in processes are created.
    wire: Callable[[Wiring], None] | None = None

    def __post_init__(self) -> None:
        for field, value in (
            ("name", self.name),
            ("relax_as", self.relax_as),
            ("trace_kind", self.trace_kind),
            ("kpi_row", self.kpi_row),
        ):
            if value is not None and not NAME.fullmatch(value):
                raise ValueError(f"constraint class {field} {value!r}: expected {NAME.pattern}")
        if self.relax_as is not None and not self.relaxing:
            raise ValueError(f"constraint class {self.name}: say what relaxing it means")
        if self.kpi_row is not None and not self.attribution:
            raise ValueError(f"constraint class {self.name}: say which waits it is charged")

    @property
    def kpi_rows(self) -> tuple[str, ...]:
        """Every ``constraint_gpu_days`` row one of its waits is added to."""
        if self.kpi_row is None:
            return ()
        return (self.kpi_row,) if self.kpi_row == self.name else (self.kpi_row, self.name)


def plugin(
    name: str,
    meaning: str,
    *,
    relaxing: str,
    attribution: str,
    gates: str,
    links: str,
    wire: Callable[[Wiring], None],
    present: Callable[[Scenario], bool] = _everywhere,
    **more: Any,
) -> ConstraintClass:
    """A plug-in class: relaxable under its name, charged on its own row, its links of its
    own kind (the usual case; pass ``relax_as``/``trace_kind``/``kpi_row`` to differ)."""
    names = {"relax_as": name, "trace_kind": name, "kpi_row": name} | more
    return ConstraintClass(
        name, meaning, relaxing, attribution, gates, links, present=present, wire=wire, **names
    )
