"""A scenario's power topology as a networkx graph, checked when the scenario loads.

Sources (interconnects, generators), equipment and halls become nodes with their kind
(equipment also with its rating in MW); ``fed_by`` lists become edges. A topology that
cannot work (a name used twice, a feed from nothing or from a hall, a cycle, a hall with no
path from a source, a source or piece of equipment that feeds no hall) is refused here, so
the simulator only ever sees one that can.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

SOURCE_KINDS = ("interconnect", "generator")
#: The node of a site's fuel delivery (``grid.fuel_limit``), feeding its fuelled
#: generators; a name no config can give (``~`` is not allowed in names).
FUEL_NODE = "~fuel"


def power_graph(nodes: Iterable[tuple[str, dict]], feeds: Iterable[tuple[str, str]]) -> nx.DiGraph:
    """The topology with node kinds and ratings, nodes and edges inserted in sorted order
    (so nothing downstream depends on dict order); raises ``ValueError`` naming what is
    wrong."""
    nodes = list(nodes)
    graph = nx.DiGraph()
    seen: set[str] = set()
    for name, _ in nodes:
        if name in seen:
            raise ValueError(f"topology: the name {name!r} is used by more than one node")
        seen.add(name)
    graph.add_nodes_from(sorted(nodes))
    for up, down in sorted(feeds):
        if up not in graph:
            raise ValueError(
                f"topology: {down!r} is fed by {up!r}, which is not a source, equipment or hall"
            )
        if graph.nodes[up]["kind"] == "hall":
            raise ValueError(f"topology: {down!r} is fed by the hall {up!r}; halls are sinks")
        graph.add_edge(up, down)
    _check_workable(graph)
    return graph


def _check_workable(graph: nx.DiGraph) -> None:
    """Refuse cycles and halls that no source can reach."""
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        pass
    else:
        path = " -> ".join([edge[0] for edge in cycle] + [cycle[0][0]])
        raise ValueError(f"topology: cycle {path}")
    sources = {n for n, kind in graph.nodes(data="kind") if kind in SOURCE_KINDS}
    for hall in sorted(n for n, kind in graph.nodes(data="kind") if kind == "hall"):
        if not sources & nx.ancestors(graph, hall):
            raise ValueError(
                f"topology: hall {hall!r} has no path from any interconnect or generator"
            )
    dangling = dangling_nodes(graph)
    if dangling:
        kind, name = dangling[0]
        raise ValueError(
            f"topology: {kind} {name!r} feeds no hall (list it in a hall's or equipment's "
            "fed_by, or remove it)"
        )


def dangling_nodes(graph: nx.DiGraph) -> list[tuple[str, str]]:
    """(kind, name) of every source or piece of equipment with no path to a hall, in
    sorted order. Such a node changes nothing: a generator that feeds no hall leaves every
    KPI of a sweep over its size identical, silently."""
    halls = {n for n, kind in graph.nodes(data="kind") if kind == "hall"}
    return [
        (kind, name)
        for name, kind in graph.nodes(data="kind")
        if kind != "hall" and not halls & nx.descendants(graph, name)
    ]
