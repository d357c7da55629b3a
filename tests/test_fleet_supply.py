"""Shared chip supply: allocation policies conserve chips (property-tested) and behave as
documented; in a fleet run, made = delivered + stock and every delivery reaches a site."""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dcsim.fleet.loader import load_fleet, site_plans
from dcsim.fleet.model import FleetRun
from dcsim.fleet.results import summarize_fleet
from dcsim.fleet.supply import allocate, proportional

CONFIGS = Path(__file__).resolve().parent.parent / "configs" / "fleet"
POLICIES = ("pro-rata", "priority", "fixed-shares")

buyers = st.lists(
    st.tuples(
        st.integers(0, 10**7),  # open orders
        st.integers(-3, 3),  # priority
        st.floats(0, 10, allow_nan=False),  # share
        st.floats(0, 1000, allow_nan=False),  # waiting since
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(available=st.integers(0, 10**8), rows=buyers, policy=st.sampled_from(POLICIES))
def test_allocation_conserves_chips(available, rows, policy):
    open_orders, priority, share, since = (list(c) for c in zip(*rows, strict=True))
    given_ = allocate(available, open_orders, policy, priority, share, since)
    assert all(0 <= g <= o for g, o in zip(given_, open_orders, strict=True))
    assert sum(given_) == min(available, sum(open_orders))  # nothing lost, none twice


def test_pro_rata_by_hand():
    assert allocate(10, [30, 10, 0], "pro-rata", [0] * 3, [1] * 3, [0] * 3) == [8, 2, 0]
    assert proportional(3, [1, 1, 1], [5, 5, 5]) == [1, 1, 1]
    assert proportional(2, [1, 1, 1], [5, 5, 5]) == [1, 1, 0]  # ties to the earlier


def test_priority_serves_higher_then_longest_waiting():
    given_ = allocate(15, [10, 10, 10], "priority", [0, 1, 0], [1] * 3, [5.0, 9.0, 2.0])
    assert given_ == [0, 10, 5]


def test_fixed_shares_pass_on_what_a_holder_cannot_use():
    # shares 3:1 of 40 -> 30 and 10, but the first wants only 12: 18 go to the second
    assert allocate(40, [12, 100], "fixed-shares", [0, 0], [3.0, 1.0], [0, 0]) == [12, 28]


def test_meta_fleet_conserves_chips_and_reports_the_target():
    path = CONFIGS / "meta-2024.yaml"
    fleet = load_fleet(path)
    run = FleetRun(fleet, site_plans(fleet, path)).run()
    supply = run.supplies["h100-sxm"]
    # 12 months x 12,500 + 12 months x 18,667 (the last month's output lands on day 730.5)
    assert supply.made == 12 * 12_500 + 12 * 18_667
    received = sum(
        amount
        for site in run.sites
        for _, event, _, amount in site.ledger.events
        if event == "chips_delivered"
    )
    assert received == supply.delivered == supply.made - supply.stock
    assert supply.delivered + sum(supply.open) == 349_152  # every order filled or open
    kpis = summarize_fleet(run).kpis
    assert kpis["gpus_planned"] == 349_152
    assert 0 < kpis["gpus_energized_by_chip"]["h100-sxm"] < 350_000
