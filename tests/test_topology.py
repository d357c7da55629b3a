"""The power graph: validation at load time and max flow (scipy agrees with networkx)."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dcsim.errors import UserInputError
from dcsim.topology import PowerNetwork, build_graph, to_kw
from tests.conftest import tiny


def test_to_kw_rounds_up_without_float_noise():
    assert to_kw(12.5) == 12500
    assert to_kw(0.1 + 0.2) == 300  # 0.30000000000000004 MW is 300 kW, not 301
    assert to_kw(7.5735001) == 7574


@pytest.mark.parametrize(("overrides", "message"), [
    ({"equipment.0.fed_by": ["h1"]}, "halls are sinks"),
    ({"equipment.0.fed_by": ["nowhere"]}, "is fed by 'nowhere'"),
    ({"equipment": [
        {"name": "a", "kind": "switchgear", "capacity": "30 MW", "fed_by": ["b"],
         "lead_time": "1 day"},
        {"name": "b", "kind": "switchgear", "capacity": "30 MW", "fed_by": ["a"],
         "lead_time": "1 day"},
        {"name": "xfmr", "kind": "transformer", "capacity": "25 MW", "fed_by": ["grid"],
         "lead_time": "1 day"}],
      "halls.0.fed_by": ["a"]}, "cycle"),
    ({"equipment.0.name": "h1", "halls.0.fed_by": ["grid"]}, "more than one node"),
])
def test_bad_topologies_fail_at_load(overrides, message):
    with pytest.raises(UserInputError, match=message):
        tiny(**overrides)


def test_unfed_hall_is_rejected():
    extra_hall = {**tiny().halls[0].model_dump(mode="json"), "name": "h2", "fed_by": ["island"]}
    island = {"name": "island", "kind": "switchgear", "capacity": "30 MW", "fed_by": ["sw"],
              "lead_time": "1 day"}
    sw = {"name": "sw", "kind": "switchgear", "capacity": "30 MW", "fed_by": ["island"],
          "lead_time": "1 day"}
    with pytest.raises(UserInputError, match=r"cycle|no path"):
        tiny(**{"halls": [tiny().halls[0].model_dump(mode="json"), extra_hall],
                "equipment": [tiny().equipment[0].model_dump(mode="json"), island, sw]})


def _network(overrides=None) -> PowerNetwork:
    scenario = tiny(**(overrides or {}))
    return PowerNetwork(build_graph(scenario), {"h1": 25_000})


def test_equipment_out_of_service_carries_nothing():
    network = _network()
    network.set_source("grid", 30_000)
    assert network.deliverable_kw() == 0
    network.set_in_service("xfmr", True)
    assert network.deliverable_kw() == 25_000
    assert network.carries({"h1": 25_000})
    assert not network.carries({"h1": 25_000}, n_minus_1=True)  # one transformer: no N-1


def _random_network(draw) -> tuple[PowerNetwork, dict[str, int]]:
    """A layered random topology: sources -> equipment layers -> halls."""
    n_sources = draw(st.integers(1, 3))
    layers = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    graph = nx.DiGraph()
    previous = [f"s{i}" for i in range(n_sources)]
    graph.add_nodes_from(previous, kind="interconnect")
    for depth, width in enumerate(layers):
        layer = [f"e{depth}.{i}" for i in range(width)]
        for name in layer:
            cap = draw(st.integers(1, 200))
            graph.add_node(name, kind="transformer", capacity_mw=cap)
            for up in draw(st.lists(st.sampled_from(previous), min_size=1, unique=True)):
                graph.add_edge(up, name)
        previous = layer
    halls = [f"h{i}" for i in range(draw(st.integers(1, 3)))]
    for hall in halls:
        graph.add_node(hall, kind="hall", capacity_mw=100)
        for up in draw(st.lists(st.sampled_from(previous), min_size=1, unique=True)):
            graph.add_edge(up, hall)
    network = PowerNetwork(graph, dict.fromkeys(halls, 100_000))
    for i in range(n_sources):
        network.set_source(f"s{i}", draw(st.integers(0, 300)) * 1000)
    for name in sorted(graph.nodes):
        if graph.nodes[name]["kind"] == "transformer" and draw(st.booleans()):
            network.set_in_service(name, True)
    demand = {hall: draw(st.integers(0, 150)) * 1000 for hall in halls}
    return network, demand


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_scipy_max_flow_agrees_with_networkx(data):
    network, demand = _random_network(data.draw)
    for kwargs in ({}, {"every_equipment": True}):
        expected = nx.maximum_flow_value(network.flow_graph(demand, **kwargs), "s", "t")
        assert network.max_flow_kw(demand, **kwargs) == expected


def test_hall_without_feeder_is_rejected():
    with pytest.raises(UserInputError, match=r"halls\.0\.fed_by"):
        tiny(**{"halls.0.fed_by": []})


def test_dumped_scenario_loads_again():
    scenario = tiny()
    again = tiny(**{key: value for key, value in scenario.model_dump(mode="json").items()})
    assert again == scenario
