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

from collections.abc import Callable

from dcsim.sim.stage import Stage
from dcsim.topology import PowerNetwork

POLICIES: dict[str, Callable[[Stage], tuple]] = {
    "fifo": lambda s: (s.ready_day, s.index),
    "largest-first": lambda s: (-s.facility_kw, s.ready_day, s.index),
    "hall-priority": lambda s: (-s.priority, s.ready_day, s.index),
}


class Dispatcher:
    def __init__(self, network: PowerNetwork, policy: str, n_minus_1: bool):
        self.network = network
        self.order = POLICIES[policy]
        self.n_minus_1 = n_minus_1
        self.committed: set[Stage] = set()
        self.waiting: set[Stage] = set()
        self.demand_kw: dict[str, int] = dict.fromkeys(network.halls, 0)

    def _with(self, stage: Stage) -> dict[str, int]:
        demand = dict(self.demand_kw)
        demand[stage.hall] += stage.facility_kw
        return demand

    def _commit(self, stage: Stage) -> None:
        self.waiting.discard(stage)
        self.committed.add(stage)
        self.demand_kw[stage.hall] += stage.facility_kw

    def _release(self, stage: Stage) -> None:
        self.committed.discard(stage)
        self.waiting.add(stage)
        self.demand_kw[stage.hall] -= stage.facility_kw

    def shed(self) -> list[Stage]:
        """Release committed stages, lowest priority first, until the rest is carried."""
        shed: list[Stage] = []
        if self.network.carries(self.demand_kw):
            return shed
        for stage in sorted(self.committed, key=self.order, reverse=True):
            self._release(stage)
            shed.append(stage)
            if self.network.carries(self.demand_kw):
                break
        return shed

    def admit(self) -> list[Stage]:
        """Commit every waiting stage that now fits, in policy order."""
        admitted = []
        refused_kw: dict[str, int] = {}  # per hall: the smallest load already refused
        for stage in sorted(self.waiting, key=self.order):
            if stage.facility_kw >= refused_kw.get(stage.hall, float("inf")):
                continue  # a larger load at the same hall cannot fit either
            if self.network.carries(self._with(stage), self.n_minus_1):
                self._commit(stage)
                admitted.append(stage)
            else:
                refused_kw[stage.hall] = stage.facility_kw
        return admitted

    def holds(self) -> list[tuple[Stage, str]]:
        """Every waiting stage in policy order, with what holds it back: ``equipment`` if
        the network would carry it with every piece of equipment in service, else
        ``grid`` (not enough source capacity). Stages of one size in one hall share the
        answer."""
        answers: dict[tuple[str, int], str] = {}
        held = []
        for stage in sorted(self.waiting, key=self.order):
            key = (stage.hall, stage.facility_kw)
            if key not in answers:
                demand = self._with(stage)
                carried = self.network.max_flow_kw(demand, every_equipment=True)
                answers[key] = "equipment" if carried >= sum(demand.values()) else "grid"
            held.append((stage, answers[key]))
        return held
