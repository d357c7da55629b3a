"""The power graph: validation at load time and max flow (scipy agrees with networkx)."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dcsim.config.network import FUEL_NODE
from dcsim.errors import UserInputError
from dcsim.series_parallel import compile_formula, reduce_to_formula
from dcsim.topology import PowerNetwork
from dcsim.units import to_kw
from tests.conftest import tiny


def test_to_kw_rounds_up_without_float_noise():
    assert to_kw(12.5) == 12500
    assert to_kw(0.1 + 0.2) == 300  # 0.30000000000000004 MW is 300 kW, not 301
    assert to_kw(7.5735001) == 7574


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"equipment.0.fed_by": ["h1"]}, "halls are sinks"),
        ({"equipment.0.fed_by": ["nowhere"]}, "is fed by 'nowhere'"),
        (
            {
                "equipment": [
                    {
                        "name": "a",
                        "kind": "switchgear",
                        "capacity": "30 MW",
                        "fed_by": ["b"],
                        "lead_time": "1 day",
                    },
                    {
                        "name": "b",
                        "kind": "switchgear",
                        "capacity": "30 MW",
                        "fed_by": ["a"],
                        "lead_time": "1 day",
                    },
                    {
                        "name": "xfmr",
                        "kind": "transformer",
                        "capacity": "25 MW",
                        "fed_by": ["grid"],
                        "lead_time": "1 day",
                    },
                ],
                "halls.0.fed_by": ["a"],
            },
            "cycle",
        ),
        ({"equipment.0.name": "h1", "halls.0.fed_by": ["grid"]}, "more than one node"),
    ],
)
def test_bad_topologies_fail_at_load(overrides, message):
    with pytest.raises(UserInputError, match=message):
        tiny(**overrides)


def test_unfed_hall_is_rejected():
    extra_hall = {**tiny().halls[0].model_dump(mode="json"), "name": "h2", "fed_by": ["island"]}
    island = {
        "name": "island",
        "kind": "switchgear",
        "capacity": "30 MW",
        "fed_by": ["sw"],
        "lead_time": "1 day",
    }
    sw = {
        "name": "sw",
        "kind": "switchgear",
        "capacity": "30 MW",
        "fed_by": ["island"],
        "lead_time": "1 day",
    }
    with pytest.raises(UserInputError, match=r"cycle|no path"):
        tiny(
            **{
                "halls": [tiny().halls[0].model_dump(mode="json"), extra_hall],
                "equipment": [tiny().equipment[0].model_dump(mode="json"), island, sw],
            }
        )


def _network(overrides=None) -> PowerNetwork:
    scenario = tiny(**(overrides or {}))
    return PowerNetwork(scenario.power_graph(), {"h1": 25_000})


def test_equipment_out_of_service_carries_nothing():
    network = _network()
    network.set_source("grid", 30_000)
    assert network.deliverable_kw() == 0
    network.set_in_service("xfmr", True)
    assert network.deliverable_kw() == 25_000
    assert network.carries({"h1": 25_000})
    assert not network.carries({"h1": 25_000}, n_minus_1=True)  # one transformer: no N-1


def _random_network(draw) -> tuple[PowerNetwork, dict[str, int]]:
    """A layered random topology: sources -> equipment layers -> halls, each node fed from
    the layer above and, sometimes, from further up (a source straight to a hall, say)."""
    n_sources = draw(st.integers(1, 3))
    layers = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    graph = nx.DiGraph()
    previous = [f"s{i}" for i in range(n_sources)]
    above = list(previous)  # every node of every layer so far
    graph.add_nodes_from(previous, kind="interconnect")

    def feed(name: str) -> None:
        for up in draw(st.lists(st.sampled_from(previous), min_size=1, unique=True)):
            graph.add_edge(up, name)
        if draw(st.booleans()):
            graph.add_edge(draw(st.sampled_from(above)), name)

    for depth, width in enumerate(layers):
        layer = [f"e{depth}.{i}" for i in range(width)]
        for name in layer:
            graph.add_node(name, kind="transformer", capacity_mw=draw(st.integers(1, 200)))
            feed(name)
        previous = layer
        above += layer
    halls = [f"h{i}" for i in range(draw(st.integers(1, 3)))]
    for hall in halls:
        graph.add_node(hall, kind="hall", capacity_mw=100)
        feed(hall)
    burners = draw(st.lists(st.sampled_from([f"s{i}" for i in range(n_sources)]), unique=True))
    if burners:  # generators burning a limited fuel: a fuel node feeds them
        graph.add_node(FUEL_NODE, kind="fuel")
        for name in burners:
            graph.nodes[name]["kind"] = "generator"
            graph.add_edge(FUEL_NODE, name)
    network = PowerNetwork(graph, dict.fromkeys(halls, 100_000))
    for i in range(n_sources):
        network.set_source(f"s{i}", draw(st.integers(0, 300)) * 1000)
    if burners:
        network.set_fuel(FUEL_NODE, draw(st.integers(0, 300)) * 1000)
    for name in sorted(graph.nodes):
        if graph.nodes[name]["kind"] == "transformer" and draw(st.booleans()):
            network.set_in_service(name, True)
    demand = {hall: draw(st.integers(0, 150)) * 1000 for hall in halls}
    return network, demand


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_max_flow_agrees_with_networkx(data):
    """scipy, the series-parallel formula (where the network has one) and networkx agree."""
    network, demand = _random_network(data.draw)
    without = (data.draw(st.sampled_from(sorted(network.equipment_kw))),)
    held = data.draw(st.sampled_from(sorted(network.source_kw | network.fuel_kw)))
    lifted = ((held, data.draw(st.integers(0, 100)) * 1000),)
    for kwargs in ({}, {"every_equipment": True}, {"without": without}, {"lifted": lifted}):
        expected = nx.maximum_flow_value(network.flow_graph(demand, **kwargs), "s", "t")
        assert network.scipy_max_flow_kw(demand, **kwargs) == expected
        assert network.max_flow_kw(demand, **kwargs) == expected
        if network.formula is not None:
            formula_kw = compile_formula(network.formula)
            assert formula_kw(network.node_capacity(demand, **kwargs)) == expected


def test_random_networks_exercise_both_solvers():
    """The property test above is only worth its name if it sees both kinds of network."""
    kinds = set()
    strategy = st.data()

    @settings(max_examples=60, deadline=None, database=None, derandomize=True)
    @given(strategy)
    def collect(data):
        kinds.add(_random_network(data.draw)[0].formula is None)

    collect()
    assert kinds == {True, False}


def test_meshed_network_has_no_formula_and_uses_the_general_solver():
    """Two transformers feeding overlapping pairs of halls do not reduce."""
    graph = nx.DiGraph()
    graph.add_node("grid", kind="interconnect")
    for name in ("t1", "t2"):
        graph.add_node(name, kind="transformer", capacity_mw=10)
        graph.add_edge("grid", name)
    for hall, feeders in {"h1": ["t1"], "h2": ["t1", "t2"], "h3": ["t2"]}.items():
        graph.add_node(hall, kind="hall", capacity_mw=100)
        graph.add_edges_from((up, hall) for up in feeders)
    network = PowerNetwork(graph, dict.fromkeys(["h1", "h2", "h3"], 100_000))
    network.set_source("grid", 50_000)
    network.set_in_service("t1", True)
    network.set_in_service("t2", True)
    assert network.formula is None
    # h1 and h3 each draw 8 MW; h2 can take only the 2 + 2 MW the transformers have left.
    assert network.max_flow_kw({"h1": 8_000, "h2": 9_000, "h3": 8_000}) == 20_000
    assert network.max_flow_kw({"h1": 8_000, "h2": 4_000, "h3": 8_000}) == 20_000
    assert network.max_flow_kw({"h1": 0, "h2": 30_000, "h3": 0}) == 20_000


def test_series_parallel_formula_of_a_paired_campus():
    """Matched pairs reduce: sum the twins, take the minimum along each chain."""
    formula = reduce_to_formula(
        [
            ("grid", "sub"),
            ("sub", "t1"),
            ("sub", "t2"),
            ("t1", "h1"),
            ("t1", "h2"),
            ("t2", "h1"),
            ("t2", "h2"),
            ("sub", "spare"),
        ],
        sources=["grid"],
        sinks=["h1", "h2"],
    )
    assert formula == ("min", ("grid", "sub", ("sum", ("t1", "t2")), ("sum", ("h1", "h2"))))
    capacity = {"grid": 100, "sub": 80, "t1": 30, "t2": 0, "h1": 20, "h2": 20, "spare": 5}
    assert compile_formula(formula)(capacity) == 30
    assert compile_formula(reduce_to_formula([("grid", "sub")], ["grid"], ["h1"]))({}) == 0


def test_hall_without_feeder_is_rejected():
    with pytest.raises(UserInputError, match=r"halls\.0\.fed_by"):
        tiny(**{"halls.0.fed_by": []})


def test_dumped_scenario_loads_again():
    scenario = tiny()
    again = tiny(**{key: value for key, value in scenario.model_dump(mode="json").items()})
    assert again == scenario
