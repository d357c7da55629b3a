"""Admission on the incrementally kept max flow gives exactly the answers of a max flow
solved from scratch, whatever the sequence of arrivals, capacity changes and sheds.

The reference is the dispatcher as it was before the flow was kept: every question a fresh
scipy max flow over the whole network, every pass over every waiting stage. Both run side by
side on the same network and must admit, shed and attribute the same stages in the same
order; the incrementally kept flows must have the from-scratch value (checked with networkx)
after every step.
"""

from __future__ import annotations

from collections import Counter

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from dcsim.flow import IncrementalFlow
from dcsim.sim.admission import POLICIES, Dispatcher
from dcsim.sim.stage import Stage
from dcsim.topology import PowerNetwork
from tests.test_topology import _random_network

LOADS_KW = (5_000, 20_000, 40_000)


def _stage(index: int, hall: str, kw: int) -> Stage:
    return Stage(
        name=f"{hall}/{index}",
        index=index,
        hall=hall,
        priority=index % 3,
        chip="h100-sxm",
        gpus=1,
        facility_kw=kw,
        it_mw=0.0,
        bf16_tflops=0.0,
        price_usd=0.0,
        install_days=0.0,
        burn_in_days=0.0,
        commissioning_days=0.0,
        ready_day=float(index // 2),
    )


class FromScratch:
    """The dispatcher's rules with every question solved from scratch."""

    def __init__(self, network: PowerNetwork, policy: str, n_minus_1: bool):
        self.network, self.order, self.n_minus_1 = network, POLICIES[policy], n_minus_1
        self.committed: set[Stage] = set()
        self.waiting: set[Stage] = set()
        self.demand_kw = dict.fromkeys(network.halls, 0)
        self.reported: dict[Stage, str] = {}

    def flow(self, demand: dict[str, int], **kwargs) -> int:
        return self.network.scipy_max_flow_kw(demand, **kwargs)

    def carries(self, demand: dict[str, int], n_minus_1: bool = False) -> bool:
        total = sum(demand.values())
        return self.flow(demand) >= total and (
            not n_minus_1
            or all(
                self.flow(demand, without=(e,)) >= total for e in sorted(self.network.in_service)
            )
        )

    def _with(self, stage: Stage) -> dict[str, int]:
        return {**self.demand_kw, stage.hall: self.demand_kw[stage.hall] + stage.facility_kw}

    def shed(self) -> list[Stage]:
        shed = []
        for stage in sorted(self.committed, key=self.order, reverse=True):
            if self.carries(self.demand_kw):
                break
            self.committed.discard(stage)
            self.waiting.add(stage)
            self.demand_kw[stage.hall] -= stage.facility_kw
            shed.append(stage)
        return shed

    def admit(self) -> list[Stage]:
        admitted = []
        for stage in sorted(self.waiting, key=self.order):
            if self.carries(self._with(stage), self.n_minus_1):
                self.waiting.discard(stage)
                self.committed.add(stage)
                self.demand_kw[stage.hall] += stage.facility_kw
                self.reported.pop(stage, None)
                admitted.append(stage)
        return admitted

    def changed_holds(self) -> list[tuple[Stage, str]]:
        """Every waiting stage's hold, kept where it differs from the one last reported
        (what the model acts on: it ignores a hold that is already recorded)."""
        changed = []
        for stage in sorted(self.waiting, key=self.order):
            demand = self._with(stage)
            enough = self.flow(demand, every_equipment=True) >= sum(demand.values())
            hold = "equipment" if enough else "grid"
            if self.reported.get(stage) != hold:
                self.reported[stage] = hold
                changed.append((stage, hold))
        return changed


def _scratch_value(network: PowerNetwork, demand: dict[str, int], **kwargs) -> int:
    return nx.maximum_flow_value(network.flow_graph(demand, **kwargs), "s", "t")


def check_sequence(draw) -> Counter:
    """Draw a network and a sequence of events, run both dispatchers through it, assert they
    agree at every step; return which kinds of answer were seen."""
    network, _ = _random_network(draw)
    policy = draw(st.sampled_from(sorted(POLICIES)))
    n_minus_1 = draw(st.booleans())
    dispatcher = Dispatcher(network, policy, n_minus_1)
    reference = FromScratch(network, policy, n_minus_1)
    sources, equipment = sorted(network.source_kw), sorted(network.equipment_kw)
    seen = Counter(
        {"meshed" if network.formula is None else "series-parallel": 1, f"n-1={n_minus_1}": 1}
    )
    planned_kw = dict.fromkeys(network.halls, 0)
    for index in range(draw(st.integers(1, 14))):
        event = draw(st.sampled_from(["arrive", "arrive", "source", "service"]))
        hall, load_kw = draw(st.sampled_from(network.halls)), draw(st.sampled_from(LOADS_KW))
        if event == "arrive" and planned_kw[hall] + load_kw <= network.hall_capacity_kw[hall]:
            planned_kw[hall] += load_kw  # as in the model: a hall holds all its stages
            stage = _stage(index, hall, load_kw)
            dispatcher.waiting.add(stage)
            reference.waiting.add(stage)
        elif event == "source":
            network.set_source(draw(st.sampled_from(sources)), draw(st.integers(0, 300)) * 1000)
        else:
            network.set_in_service(draw(st.sampled_from(equipment)), draw(st.booleans()))
        shed, admitted = dispatcher.shed(), dispatcher.admit()
        holds = dispatcher.holds()
        assert shed == reference.shed()
        assert admitted == reference.admit()
        assert holds == reference.changed_holds()
        assert dispatcher.committed == reference.committed
        assert network.deliverable_kw() == _scratch_value(network, network.hall_capacity_kw)
        everything = _scratch_value(network, dispatcher.demand_kw, every_equipment=True)
        assert dispatcher._load_everything.flow.value() == everything
        assert dispatcher._load.flow.value() == _scratch_value(network, dispatcher.demand_kw)
        seen.update(
            [event]
            + ["shed"] * bool(shed)
            + ["admitted"] * bool(admitted)
            + ["refused"] * bool(dispatcher._refused_network)
            + ["refused for sources"] * bool(dispatcher._refused_sources)
            + [hold for _, hold in holds]
        )
    return seen


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_incremental_answers_equal_from_scratch_max_flow(data):
    check_sequence(data.draw)


def test_the_property_sees_every_kind_of_answer():
    """The comparison above is only worth its name if its sequences admit, refuse (on the
    flow and on the sources alone), shed and hold for both reasons, on both kinds of network,
    with and without N-1."""
    seen: Counter = Counter()

    @settings(max_examples=150, deadline=None, database=None, derandomize=True)
    @given(st.data())
    def collect(data):
        seen.update(check_sequence(data.draw))

    collect()
    kinds = {"meshed", "series-parallel", "n-1=True", "n-1=False", "admitted", "refused"}
    kinds |= {"refused for sources", "shed", "grid", "equipment", "source", "service"}
    assert kinds <= set(seen), kinds - set(seen)


def _flow_on_a_line(capacities: list[int]) -> IncrementalFlow:
    """0 -> 2 -> 3 -> 1: a chain from the source (0) to the sink (1)."""
    return IncrementalFlow(4, [0, 2, 3], [2, 3, 1], capacities, source=0, sink=1)


def test_a_raise_is_augmented_through_and_a_cut_below_the_flow_is_solved_again():
    flow = _flow_on_a_line([10, 5, 8])
    assert flow.value() == 5
    flow.set_capacity(1, 9)  # the bottleneck rises: one path through it
    assert flow.value() == 8
    flow.set_capacity(1, 3)  # below the flow it carries: solved from scratch
    assert flow.value() == 3
    assert flow.flow == [3, 3, 3]


def test_try_raise_changes_nothing_when_it_does_not_fit():
    flow = _flow_on_a_line([10, 5, 5])
    assert flow.value() == 5
    before = list(flow.flow), list(flow.cap)
    assert flow.try_raise(2, 1) is None  # the middle edge is full
    assert (flow.flow, flow.cap) == before
    flow.set_capacity(1, 7)
    pushed = flow.try_raise(2, 2)
    assert pushed is not None and flow.value() == 7
    flow.undo_raise(2, 2, pushed)
    assert flow.value() == 5
    assert flow.probe(2, 100) == 2  # the middle edge has 2 kW of room left
