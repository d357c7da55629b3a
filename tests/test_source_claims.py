"""Who is charged a stage short of sources while a source is held back
(dcsim/sim/holds.py ``charge_shortfalls``), worked out by hand."""

from __future__ import annotations

from types import SimpleNamespace

import networkx as nx
import pytest
import simpy

from dcsim.sim.clock import Doorbell
from dcsim.sim.holds import SourceClaims, charge_shortfalls
from dcsim.topology import PowerNetwork


def _claims(*held: tuple[str, str, int]) -> SourceClaims:
    claims = SourceClaims(Doorbell(simpy.Environment()))
    for source, constraint, kw in held:
        claims.hold(source, constraint, kw)
    return claims


def _stages(*kw: int, hall: str = "h") -> list[SimpleNamespace]:
    return [SimpleNamespace(name=f"s{i}", hall=hall, facility_kw=k) for i, k in enumerate(kw)]


def _network(grid_kw: int, generators: dict[str, int | None]) -> PowerNetwork:
    """A grid feed of ``grid_kw`` and generators (each straight into hall ``h``, or through
    a transformer of the given kW) that run nothing now: they are held."""
    graph = nx.DiGraph()
    graph.add_node("grid", kind="interconnect")
    graph.add_node("h", kind="hall")
    graph.add_edge("grid", "h")
    for name, transformer_kw in generators.items():
        graph.add_node(name, kind="generator")
        if transformer_kw is None:
            graph.add_edge(name, "h")
        else:
            graph.add_node(f"x-{name}", kind="transformer", capacity_mw=transformer_kw / 1000)
            graph.add_edge(name, f"x-{name}")
            graph.add_edge(f"x-{name}", "h")
    network = PowerNetwork(graph, {"h": 10**6})
    network.set_source("grid", grid_kw)
    return network


@pytest.mark.parametrize(
    ("grid_kw", "held", "loads", "charged"),
    [
        # Nothing held: the answers stand.
        (0, [], [5_000], ["grid"]),
        # 10 MW of grid + 10 MW withheld carry the first 12.5 MW stage, not the second.
        (10_000, [("gt", "air_permit", 10_000)], [12_500, 12_500], ["air_permit", "grid"]),
        # 7.5 MW of grid + 5 MW withheld = 12.5 MW: exactly one stage.
        (7_500, [("gt", "air_permit", 5_000)], [12_500], ["air_permit"]),
        # 7.5 + 4.999 MW falls short by 1 kW: the grid's.
        (7_500, [("gt", "air_permit", 4_999)], [12_500], ["grid"]),
        # A large stage that lifting cannot carry does not take the room of a smaller one
        # behind it (which a smaller stage may pass, as admission lets it).
        (0, [("gt", "fuel_limit", 6_000)], [12_500, 5_000], ["grid", "fuel_limit"]),
        # Two holders: what they withhold adds up; the first to hold is charged.
        (0, [("a", "air_permit", 3_000), ("b", "fuel_limit", 3_000)], [6_000], ["air_permit"]),
    ],
)
def test_a_shortfall_is_the_holders_only_if_lifting_the_holds_lets_it_through(
    grid_kw, held, loads, charged
):
    network = _network(grid_kw, {source: None for source, _, _ in held})
    answers = [(stage, "grid") for stage in _stages(*loads)]
    result = charge_shortfalls(answers, {"h": 0}, network, _claims(*held))
    assert [constraint for _, constraint in result] == charged


def test_a_held_generator_behind_a_smaller_transformer_withholds_what_it_passes():
    """A 100-MW generator held by its permit feeds the hall through a 20-MW transformer;
    two 15-MW stages wait with no grid. By source capacity the holds withhold 100 MW and
    both stages would be the permit's; on the graph, lifting the hold raises the max flow
    from 0 to min(100, 20) = 20 MW: the first stage (15 <= 20) is the permit's, the second
    (30 > 20) would still not fit and stays the grid's."""
    network = _network(0, {"gt": 20_000})
    claims = _claims(("gt", "air_permit", 100_000))
    answers = [(stage, "grid") for stage in _stages(15_000, 15_000)]
    assert network.max_flow_kw({"h": 30_000}, every_equipment=True) == 0
    assert network.max_flow_kw({"h": 30_000}, every_equipment=True, lifted=claims.lifted()) == (
        20_000
    )
    result = charge_shortfalls(answers, {"h": 0}, network, claims)
    assert [constraint for _, constraint in result] == ["air_permit", "grid"]
    # With 10 MW of grid already committed to the hall, lifting gives 10 + 20 = 30 MW:
    # room for one 15-MW stage beyond the committed 10 MW, not two.
    network.set_source("grid", 10_000)
    result = charge_shortfalls(answers, {"h": 10_000}, network, claims)
    assert [constraint for _, constraint in result] == ["air_permit", "grid"]


def test_an_equipment_hold_stays_and_takes_no_room():
    stages = _stages(5_000, 5_000)
    answers = [(stages[0], "equipment"), (stages[1], "grid")]
    network = _network(0, {"gt": None})
    result = charge_shortfalls(answers, {"h": 0}, network, _claims(("gt", "air_permit", 5_000)))
    assert [constraint for _, constraint in result] == ["equipment", "air_permit"]


def test_a_re_hold_with_other_kw_rings_and_a_release_forgets():
    claims = _claims(("gt", "air_permit", 5_000))
    assert claims.take_changed()
    claims.hold("gt", "air_permit", 5_000)
    assert not claims.take_changed()  # nothing new
    claims.hold("gt", "air_permit", 8_000)
    assert claims.take_changed() and claims.lifted() == (("gt", 8_000),)
    claims.release("gt")
    assert claims.holder() is None and claims.lifted() == ()
