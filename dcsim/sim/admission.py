"""Which stages get power: plain decision logic over the power network, no SimPy.

A stage may take power only if the in-service network still carries every committed
stage's facility load plus its own (and, under N-1, would after losing any single piece of
equipment). Stages are considered in policy order and any that fits is admitted, so a small
stage may pass a large one that does not fit. When the network shrinks, committed stages are
shed in reverse policy order until the rest is carried again. N-1 is a rule for admitting
load, not for shedding it: during an outage the remaining network only has to carry what is
committed, which is what riding through a single failure means.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet

from dcsim.sim.stage import Stage
from dcsim.topology import PowerNetwork

POLICIES: dict[str, Callable[[Stage], tuple]] = {
    "fifo": lambda s: (s.ready_day, s.index),
    "largest-first": lambda s: (-s.facility_kw, s.ready_day, s.index),
    "hall-priority": lambda s: (-s.priority, s.ready_day, s.index),
}


class _Queue(set):
    """The waiting stages: a set that tells its owner which stages join it (the model adds
    stages that ask for power straight to ``Dispatcher.waiting``)."""

    def __init__(self, on_join: Callable[[Stage], None]):
        super().__init__()
        self._on_join = on_join

    def add(self, stage: Stage) -> None:
        if stage not in self:
            super().add(stage)
            self._on_join(stage)

    def update(self, *others: Iterable[Stage]) -> None:
        for other in others:
            for stage in other:
                self.add(stage)

    def __ior__(self, other: AbstractSet[Stage]) -> _Queue:
        self.update(other)
        return self


class Dispatcher:
    """Admission, shedding and attribution, each asking only about what changed.

    The network keeps the max flow of the committed load up to date (one with the
    equipment in service, one with every piece of equipment), so a question about one
    stage is a search from its hall. Answers only change when something they depend on
    changes, and carrying a load is monotone (if a load is carried, so is any smaller one),
    so a stage refused once stays refused until capacity is raised or load is released; a
    pass looks only at stages that joined the queue since the last one, and at refused
    stages after a raise (those refused for want of source capacity only after a source
    changes). A run's admission cost then grows with its stages, not with stages x halls.
    """

    def __init__(self, network: PowerNetwork, policy: str, n_minus_1: bool):
        self.network = network
        self.order = POLICIES[policy]
        self.n_minus_1 = n_minus_1
        self.committed: set[Stage] = set()
        self.waiting: set[Stage] = _Queue(self._joined)
        self.demand_kw: dict[str, int] = dict.fromkeys(network.halls, 0)
        self._load = network.tracked(self.demand_kw)
        self._load_everything = network.tracked(self.demand_kw, every_equipment=True)
        # admission: stages to look at next, and refused stages by what could change that
        self._to_admit: set[Stage] = set()
        self._refused_sources: set[Stage] = set()  # committed + its load > all sources
        self._refused_network: set[Stage] = set()
        self._raises_seen = network.capacity_raises
        self._sources_seen = network.source_changes
        # attribution: the hold last reported per stage, and what may have changed it
        self._to_hold: set[Stage] = set()
        self._held: dict[Stage, str] = {}
        self._hold_sources_seen = network.source_changes
        self._released_since_holds = False
        # an `equipment` hold stays true while less than its slack has been committed since
        # (committing c kW lowers any hall's room by at most c): (expiry, index, stage)
        self._committed_kw_ever = 0
        self._equipment_expiry: list[tuple[int, int, Stage]] = []

    def _joined(self, stage: Stage) -> None:
        self._to_admit.add(stage)
        self._to_hold.add(stage)

    def _with(self, stage: Stage) -> dict[str, int]:
        demand = dict(self.demand_kw)
        demand[stage.hall] += stage.facility_kw
        return demand

    def source_room_kw(self) -> int:
        """What the sources could still supply beyond the committed load: no stage larger
        than this can fit, whatever the equipment."""
        return self.network.supply_kw() - self._load.total_kw

    def _commit(self, stage: Stage) -> None:
        self.waiting.discard(stage)
        self.committed.add(stage)
        self.demand_kw[stage.hall] += stage.facility_kw
        grown = self._load_everything.try_grow(stage.hall, stage.facility_kw)
        assert grown is not None, "every piece of equipment carries what the in-service ones do"
        self._held.pop(stage, None)
        self._committed_kw_ever += stage.facility_kw

    def _release(self, stage: Stage) -> None:
        self.committed.discard(stage)
        self.waiting.add(stage)
        self.demand_kw[stage.hall] -= stage.facility_kw
        self._load.shrink(stage.hall, stage.facility_kw)
        self._load_everything.shrink(stage.hall, stage.facility_kw)
        self._to_admit |= self._refused_sources | self._refused_network
        self._refused_sources.clear()
        self._refused_network.clear()
        self._released_since_holds = True

    def shed(self) -> list[Stage]:
        """Release committed stages, lowest priority first, until the rest is carried."""
        shed: list[Stage] = []
        if self._load.carried():
            return shed
        for stage in sorted(self.committed, key=self.order, reverse=True):
            self._release(stage)
            shed.append(stage)
            if self._load.carried():
                break
        return shed

    def _fits(self, stage: Stage) -> bool:
        """Admit the stage into the in-service flow if it fits there (and passes N-1)."""
        pushed = self._load.try_grow(stage.hall, stage.facility_kw)
        if pushed is None:
            return False
        if self.n_minus_1 and not self.network.carries(self._with(stage), n_minus_1=True):
            self._load.undo_grow(stage.hall, stage.facility_kw, pushed)
            return False
        return True

    def admit(self) -> list[Stage]:
        """Commit every waiting stage that now fits, in policy order."""
        network = self.network
        if network.source_changes != self._sources_seen:
            self._sources_seen = network.source_changes
            self._to_admit |= self._refused_sources
            self._refused_sources.clear()
        if network.capacity_raises != self._raises_seen:
            self._raises_seen = network.capacity_raises
            self._to_admit |= self._refused_network
            self._refused_network.clear()
        candidates, self._to_admit = self._to_admit & self.waiting, set()
        admitted = []
        room_kw = self.source_room_kw()
        refused_kw: dict[str, int] = {}  # per hall: the smallest load refused in this pass
        for stage in sorted(candidates, key=self.order):
            if stage.facility_kw > room_kw:
                self._refused_sources.add(stage)
            elif stage.facility_kw >= refused_kw.get(stage.hall, float("inf")):
                self._refused_network.add(stage)  # a larger load at that hall cannot fit
            elif self._fits(stage):
                self._commit(stage)
                admitted.append(stage)
                room_kw -= stage.facility_kw
            else:
                refused_kw[stage.hall] = stage.facility_kw
                self._refused_network.add(stage)
        return admitted

    def _hold(self, stage: Stage, room_kw: dict[str, int]) -> tuple[str, int]:
        """``equipment`` if the stage would fit with every piece of equipment in service,
        else ``grid``; with the slack of an ``equipment`` answer (load that may be committed
        elsewhere before it can change). ``room_kw`` caches each hall's room found so far."""
        load_kw, source_room_kw = stage.facility_kw, self.source_room_kw()
        if load_kw > source_room_kw:
            return "grid", 0
        everything = self._load_everything
        if stage.hall not in room_kw:
            room_kw[stage.hall] = everything.room_kw(stage.hall, source_room_kw)
        if load_kw <= room_kw[stage.hall]:
            return "equipment", room_kw[stage.hall] - load_kw
        pushed = everything.try_grow(stage.hall, load_kw)  # the room found may be short
        if pushed is None:
            return "grid", 0
        everything.undo_grow(stage.hall, load_kw, pushed)
        return "equipment", 0

    def held_for(self, stage: Stage) -> str | None:
        """What holds a waiting stage back, as last reported by :meth:`holds`."""
        return self._held.get(stage)

    def holds(self) -> list[tuple[Stage, str]]:
        """The waiting stages whose hold is new or changed since the last call, in policy
        order, with what holds each back: ``equipment`` if the network would carry it with
        every piece of equipment in service, else ``grid`` (not enough source capacity).

        A hold can change only when the sources change or load is released (any hold), or
        load is committed (an ``equipment`` hold may become ``grid``, once more than its
        slack has been committed); equipment entering or leaving service changes none."""
        expiry = self._equipment_expiry
        if self.network.source_changes != self._hold_sources_seen or self._released_since_holds:
            self._to_hold |= self.waiting
            expiry.clear()
        while expiry and expiry[0][0] < self._committed_kw_ever:
            self._to_hold.add(heapq.heappop(expiry)[2])
        self._hold_sources_seen = self.network.source_changes
        self._released_since_holds = False
        candidates, self._to_hold = self._to_hold & self.waiting, set()
        room_kw: dict[str, int] = {}
        changed = []
        for stage in sorted(candidates, key=self.order):
            hold, slack_kw = self._hold(stage, room_kw)
            if hold == "equipment":
                heapq.heappush(expiry, (self._committed_kw_ever + slack_kw, stage.index, stage))
            if self._held.get(stage) != hold:
                self._held[stage] = hold
                changed.append((stage, hold))
        return changed
