"""The power topology as a graph, and deliverable power as a maximum flow through it.

Nodes are sources (interconnects, generators), equipment (substations, transformers,
switchgear) and halls; edges are feeders (``fed_by``). What a hall can draw is decided on the
graph: the maximum flow from a super-source, through every source at its present
capacity and every in-service piece of equipment at its rating (each split into an
in/out pair carrying the capacity), to a super-sink fed by each hall up to its demand.

Capacities are integer kW so that reservations never drift (float MW once left GPUs dark
forever through rounding). Series-parallel networks (radial feeds and matched redundant
pairs, which covers the usual campus) get their max flow from a formula derived once from
the topology (:mod:`dcsim.series_parallel`); any other network is solved with
``scipy.sparse.csgraph.maximum_flow`` (about 100x faster than networkx on such graphs).
:meth:`PowerNetwork.flow_graph` gives the same network as a networkx graph, and the tests
check that all three agree.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx
import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import maximum_flow

from dcsim.flow import IncrementalFlow
from dcsim.series_parallel import compile_formula, reduce_to_formula
from dcsim.units import to_kw

UNLIMITED_KW = 2**30  # feeders carry whatever their ends allow; int32 for scipy
#: kW to add to sources held back (a permit, a fuel cap), as (source, kW) pairs in order.
Lifted = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class _Layout:
    """What a network's graph fixes, built once per graph and shared by every run of a
    scenario: the vertex of each node side, the edge list (tail, head, what sets its
    capacity) and the compiled max-flow formula."""

    halls: list[str]
    sources: list[str]
    fuel_burners: dict[str, tuple[str, ...]]  # fuel node -> the generators it feeds
    equipment_kw: dict[str, int]
    vertex: dict[tuple[str, str], int]
    edges: list[tuple[int, int, tuple[str, str]]]
    edge_of: dict[tuple[str, str], int]
    tails: np.ndarray
    heads: np.ndarray
    formula: object
    formula_kw: object


_LAYOUTS: weakref.WeakKeyDictionary[nx.DiGraph, _Layout] = weakref.WeakKeyDictionary()


def _layout(graph: nx.DiGraph) -> _Layout:
    if graph not in _LAYOUTS:
        _LAYOUTS[graph] = _build_layout(graph)
    return _LAYOUTS[graph]


def _build_layout(graph: nx.DiGraph) -> _Layout:
    vertex: dict[tuple[str, str], int] = {}

    def add_vertex(name: str, side: str) -> int:
        vertex[(name, side)] = len(vertex) + 2
        return vertex[(name, side)]

    source, sink = PowerNetwork.SOURCE, PowerNetwork.SINK
    sources, halls, equipment_kw = [], [], {}
    fuel_burners: dict[str, tuple[str, ...]] = {}
    edges: list[tuple[int, int, tuple[str, str]]] = []
    for name, kind in graph.nodes(data="kind"):
        if kind == "fuel":
            fuel_burners[name] = tuple(sorted(graph.successors(name)))
            edges.append((source, add_vertex(name, "out"), ("fuel", name)))
        elif kind in ("interconnect", "generator"):
            sources.append(name)
            # a generator fed by a fuel node takes its flow from it, not the super-source
            tail = add_vertex(name, "in") if graph.in_degree(name) else source
            edges.append((tail, add_vertex(name, "out"), ("source", name)))
        elif kind == "hall":
            halls.append(name)
            add_vertex(name, "in")
            vertex[(name, "out")] = vertex[(name, "in")]
            edges.append((vertex[(name, "in")], sink, ("hall", name)))
        else:
            equipment_kw[name] = to_kw(graph.nodes[name]["capacity_mw"])
            inlet, outlet = add_vertex(name, "in"), add_vertex(name, "out")
            edges.append((inlet, outlet, ("equipment", name)))
    for up, down in graph.edges:
        edges.append((vertex[(up, "out")], vertex[(down, "in")], ("feeder", "")))
    halls.sort()
    entries = [name for name in sources if not graph.in_degree(name)] + list(fuel_burners)
    formula = reduce_to_formula(graph.edges, entries, halls)
    return _Layout(
        halls=halls,
        sources=sources,
        fuel_burners=fuel_burners,
        equipment_kw=equipment_kw,
        vertex=vertex,
        edges=edges,
        edge_of={what: edge for edge, (_, _, what) in enumerate(edges)},
        tails=np.array([e[0] for e in edges], dtype=np.int32),
        heads=np.array([e[1] for e in edges], dtype=np.int32),
        formula=formula,
        formula_kw=None if formula is None else compile_formula(formula),
    )


class PowerNetwork:
    """Mutable in-service state of the topology, answering max-flow questions in kW."""

    SOURCE, SINK = 0, 1

    def __init__(self, graph: nx.DiGraph, hall_capacity_kw: Mapping[str, int]):
        layout = _layout(graph)
        if set(hall_capacity_kw) != set(layout.halls):
            raise ValueError("hall capacities must name exactly the graph's halls")
        self.halls = layout.halls
        self.hall_capacity_kw = dict(hall_capacity_kw)
        self.source_kw: dict[str, int] = dict.fromkeys(layout.sources, 0)
        #: Fuel nodes: what each delivers (unlimited until a fuel limit says otherwise).
        self.fuel_kw: dict[str, int] = dict.fromkeys(layout.fuel_burners, UNLIMITED_KW)
        self.fuel_burners = layout.fuel_burners
        self.equipment_kw: dict[str, int] = dict(layout.equipment_kw)
        self.in_service: set[str] = set()
        self._edges = layout.edges
        self._vertex = layout.vertex
        self._n = len(layout.vertex) + 2
        self._edge_of = layout.edge_of
        #: Bumped on every raise of a capacity, and on every change of a source's.
        self.capacity_raises = 0
        self.source_changes = 0
        self._tracked: list[TrackedDemand] = []
        self._tails, self._heads = layout.tails, layout.heads
        self._cache: dict[tuple, int] = {}
        #: The max flow as a formula in node capacities, if the network is series-parallel.
        self.formula = layout.formula
        self._formula_kw = layout.formula_kw
        self._deliverable = self.tracked(self.hall_capacity_kw)

    # -- state changes ---------------------------------------------------------------------
    def set_source(self, name: str, kw: int) -> None:
        before = self.source_kw[name]
        if kw == before:
            return  # the grid state re-applies every capacity on every change
        self.source_kw[name] = kw
        self._changed(("source", name), kw, kw > before, every_equipment_too=True)
        self.source_changes += 1

    def set_fuel(self, name: str, kw: int) -> None:
        """What fuel node ``name`` delivers, in kW of electric output: a source change."""
        before = self.fuel_kw[name]
        if kw == before:
            return
        self.fuel_kw[name] = kw
        self._changed(("fuel", name), kw, kw > before, every_equipment_too=True)
        self.source_changes += 1

    def supply_kw(self) -> int:
        """What the sources can supply together: each source at its capacity, those fed by
        a fuel node at most what it delivers."""
        burning = {name for burners in self.fuel_burners.values() for name in burners}
        free = sum(kw for name, kw in self.source_kw.items() if name not in burning)
        fuelled = sum(
            min(self.fuel_kw[fuel], sum(self.source_kw[name] for name in burners))
            for fuel, burners in self.fuel_burners.items()
        )
        return free + fuelled

    def set_in_service(self, name: str, in_service: bool) -> None:
        if in_service == (name in self.in_service):
            return
        (self.in_service.add if in_service else self.in_service.discard)(name)
        kw = self.equipment_kw[name] if in_service else 0
        self._changed(("equipment", name), kw, in_service, every_equipment_too=False)

    def _changed(self, what: tuple[str, str], kw: int, raised: bool, every_equipment_too: bool):
        self._cache.clear()
        self.capacity_raises += raised
        edge = self._edge_of[what]
        for tracked in self._tracked:
            if every_equipment_too or not tracked.every_equipment:
                tracked.flow.set_capacity(edge, kw)

    def tracked(self, demand_kw: Mapping[str, int], every_equipment: bool = False) -> TrackedDemand:
        """A demand vector whose max flow follows this network's changes incrementally."""
        tracked = TrackedDemand(self, demand_kw, every_equipment)
        self._tracked.append(tracked)
        return tracked

    # -- questions ---------------------------------------------------------------------------
    def node_capacity(
        self,
        demand_kw: Mapping[str, int],
        without: tuple[str, ...] = (),
        every_equipment: bool = False,
        lifted: Lifted = (),
    ) -> dict[str, int]:
        """Every node's capacity for a demand vector, optionally with some nodes out of
        service: sources at their present capacity (plus the kW ``lifted`` adds to a source
        held back), equipment at its rating while in service, halls at their demand."""
        capacity = self.source_kw | self.fuel_kw
        for name, kw in lifted:
            capacity[name] += kw
        for name, kw in self.equipment_kw.items():
            capacity[name] = kw if every_equipment or name in self.in_service else 0
        for name in self.halls:
            capacity[name] = demand_kw.get(name, 0)
        for name in without:
            capacity[name] = 0
        return capacity

    def capacities(
        self,
        demand_kw: Mapping[str, int],
        without: tuple[str, ...] = (),
        every_equipment: bool = False,
        lifted: Lifted = (),
    ) -> list[int]:
        """Edge capacities of the split graph for :meth:`node_capacity`."""
        capacity = self.node_capacity(demand_kw, without, every_equipment, lifted)
        return [
            UNLIMITED_KW if role == "feeder" else capacity[name]
            for _, _, (role, name) in self._edges
        ]

    def max_flow_kw(
        self,
        demand_kw: Mapping[str, int],
        without: tuple[str, ...] = (),
        every_equipment: bool = False,
        lifted: Lifted = (),
    ) -> int:
        """The max flow for a demand vector: by the series-parallel formula if the network
        has one, else by scipy; cached until the network changes."""
        demand = tuple([demand_kw.get(h, 0) for h in self.halls])
        key = (demand, without, every_equipment, lifted)
        if key not in self._cache:
            if self._formula_kw is not None:
                capacity = self.node_capacity(demand_kw, without, every_equipment, lifted)
                self._cache[key] = self._formula_kw(capacity)
            else:
                self._cache[key] = self.scipy_max_flow_kw(
                    demand_kw, without, every_equipment, lifted
                )
        return self._cache[key]

    def scipy_max_flow_kw(
        self,
        demand_kw: Mapping[str, int],
        without: tuple[str, ...] = (),
        every_equipment: bool = False,
        lifted: Lifted = (),
    ) -> int:
        """The general solver, for networks that are not series-parallel."""
        capacities = self.capacities(demand_kw, without, every_equipment, lifted)
        caps = np.array(capacities, dtype=np.int32)
        matrix = csr_array((caps, (self._tails, self._heads)), shape=(self._n, self._n))
        return int(maximum_flow(matrix, self.SOURCE, self.SINK).flow_value)

    def carries(self, demand_kw: Mapping[str, int], n_minus_1: bool = False) -> bool:
        """Whether the in-service network meets every hall's demand (and, with N-1, still
        does after losing any single in-service piece of equipment)."""
        total = sum(demand_kw.values())
        # Without a formula each max flow is a scipy call; demands never exceed hall
        # capacities, so the cached deliverable power spares most refusals one.
        if self.formula is None and total > self.deliverable_kw():
            return False
        if self.max_flow_kw(demand_kw) < total:
            return False
        return not n_minus_1 or all(
            self.max_flow_kw(demand_kw, without=(name,)) >= total
            for name in sorted(self.in_service)
        )

    def deliverable_kw(self) -> int:
        """What the halls could draw now if each were loaded to its facility capacity."""
        return self._deliverable.flow.value()

    def flow_graph(
        self,
        demand_kw: Mapping[str, int],
        without: tuple[str, ...] = (),
        every_equipment: bool = False,
        lifted: Lifted = (),
    ) -> nx.DiGraph:
        """The same flow problem as a networkx graph ('s' to 't', edge attribute 'capacity')."""
        label = {v: f"{name}:{side}" for (name, side), v in self._vertex.items()}
        label |= {self.SOURCE: "s", self.SINK: "t"}
        flow = nx.DiGraph()
        flow.add_nodes_from(label.values())
        for (tail, head, _), cap in zip(
            self._edges, self.capacities(demand_kw, without, every_equipment, lifted), strict=True
        ):
            flow.add_edge(label[tail], label[head], capacity=cap)
        return flow


class TrackedDemand:
    """A demand per hall and the max flow that serves it, kept up to date as the network
    changes and as demand grows or shrinks at one hall at a time (see :mod:`dcsim.flow`).

    With ``every_equipment`` the flow runs through every piece of equipment at its rating,
    in service or not (sources at their present capacity), which is what "would it fit with
    all equipment in service" asks.
    """

    def __init__(self, network: PowerNetwork, demand_kw: Mapping[str, int], every_equipment: bool):
        self.every_equipment = every_equipment
        self.demand_kw = {hall: demand_kw.get(hall, 0) for hall in network.halls}
        self.total_kw = sum(self.demand_kw.values())
        self._sink_edge = {hall: network._edge_of[("hall", hall)] for hall in network.halls}
        self.flow = IncrementalFlow(
            network._n,
            network._tails.tolist(),
            network._heads.tolist(),
            network.capacities(self.demand_kw, every_equipment=every_equipment),
            network.SOURCE,
            network.SINK,
        )

    def carried(self) -> bool:
        """Whether the network meets every hall's demand."""
        return self.flow.value() == self.total_kw

    def try_grow(self, hall: str, kw: int) -> list[tuple[int, int]] | None:
        """Add ``kw`` of demand at ``hall`` if the network, which carries the present demand,
        still carries it all; return what to pass to :meth:`undo_grow`, or ``None`` (and
        nothing changed) if it does not fit."""
        if not self.carried():
            return None
        pushed = self.flow.try_raise(self._sink_edge[hall], kw)
        if pushed is None:
            return None
        self.demand_kw[hall] += kw
        self.total_kw += kw
        return pushed

    def room_kw(self, hall: str, upto: int) -> int:
        """A lower bound of the demand that could be added at ``hall`` (at most ``upto``),
        from a few augmenting paths; 0 if the present demand is not carried."""
        return self.flow.probe(self._sink_edge[hall], upto) if self.carried() else 0

    def undo_grow(self, hall: str, kw: int, pushed: list[tuple[int, int]]) -> None:
        """Take back a :meth:`try_grow` that was the last change."""
        self.flow.undo_raise(self._sink_edge[hall], kw, pushed)
        self.demand_kw[hall] -= kw
        self.total_kw -= kw

    def shrink(self, hall: str, kw: int) -> None:
        """Take ``kw`` of demand away at ``hall``."""
        self.demand_kw[hall] -= kw
        self.total_kw -= kw
        self.flow.set_capacity(self._sink_edge[hall], self.demand_kw[hall])
