"""Who is charged a stage short of sources while a source is held back
(dcsim/sim/holds.py ``charge_shortfalls``), worked out by hand."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import simpy

from dcsim.sim.clock import Doorbell
from dcsim.sim.holds import SourceClaims, charge_shortfalls


def _claims(*held: tuple[str, str, int]) -> SourceClaims:
    claims = SourceClaims(Doorbell(simpy.Environment()))
    for source, constraint, kw in held:
        claims.hold(source, constraint, kw)
    return claims


def _stages(*kw: int) -> list[SimpleNamespace]:
    return [SimpleNamespace(name=f"s{i}", facility_kw=k) for i, k in enumerate(kw)]


@pytest.mark.parametrize(
    ("room_kw", "held", "loads", "charged"),
    [
        # Nothing held: the answers stand.
        (0, [], [5_000], ["grid"]),
        # 10 MW of room + 10 MW withheld carry the first 12.5 MW stage, not the second.
        (10_000, [("gt", "air_permit", 10_000)], [12_500, 12_500], ["air_permit", "grid"]),
        # 7.5 MW of room + 5 MW withheld = 12.5 MW: exactly one stage.
        (7_500, [("gt", "air_permit", 5_000)], [12_500], ["air_permit"]),
        # 7.5 + 4.999 MW falls short by 1 kW: the grid's.
        (7_500, [("gt", "air_permit", 4_999)], [12_500], ["grid"]),
        # A large stage that lifting cannot carry does not spend the budget of a smaller one
        # behind it (which a smaller stage may pass, as admission lets it).
        (0, [("gt", "fuel_limit", 6_000)], [12_500, 5_000], ["grid", "fuel_limit"]),
        # Two holders: the withheld kW add up; the first to hold is charged.
        (0, [("a", "air_permit", 3_000), ("b", "fuel_limit", 3_000)], [6_000], ["air_permit"]),
    ],
)
def test_a_shortfall_is_the_holders_only_if_lifting_the_holds_lets_it_through(
    room_kw, held, loads, charged
):
    stages = _stages(*loads)
    answers = [(stage, "grid") for stage in stages]
    result = charge_shortfalls(answers, room_kw, _claims(*held))
    assert [constraint for _, constraint in result] == charged


def test_an_equipment_hold_stays_and_spends_no_budget():
    stages = _stages(5_000, 5_000)
    answers = [(stages[0], "equipment"), (stages[1], "grid")]
    result = charge_shortfalls(answers, 0, _claims(("gt", "air_permit", 5_000)))
    assert [constraint for _, constraint in result] == ["equipment", "air_permit"]


def test_a_re_hold_with_other_kw_rings_and_a_release_forgets():
    claims = _claims(("gt", "air_permit", 5_000))
    assert claims.take_changed()
    claims.hold("gt", "air_permit", 5_000)
    assert not claims.take_changed()  # nothing new
    claims.hold("gt", "air_permit", 8_000)
    assert claims.take_changed() and claims.withheld_kw() == 8_000
    claims.release("gt")
    assert claims.holder() is None and claims.withheld_kw() == 0
