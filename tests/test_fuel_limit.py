"""The fuel limit (dcsim/constraints/builtin/fuel_limit.py), worked out by hand.

The campus of tests/test_air_permit.py (grid 10 MW from day 10, 20 MW from day 60; a
10 MW turbine built on day 10; the 25 MW transformer in service on day 30; both 12.5 MW
stages asking for power on day 26), with fuel for 2 MW of the turbine's output until a
larger delivery, for its full 10 MW, on day 70 (2025-03-12):

- stage 1 needs 12.5 MW: grid 10 + 2 = 12 falls short until the grid's 20 MW on day 60
  (energized 61); stage 2 needs 25 MW: 20 + 2 = 22 falls short until the fuel's 10 MW on
  day 70 (energized 71): the fuel sets the date;
- while the limit holds the running turbine below its 10 MW, a stage short of sources is
  the fuel's only if the turbine's other 8 MW would have let it through: days 26-60,
  12 + 8 = 20 MW carries stage 1 but not both, so stage 1 is the fuel's and stage 2 the
  grid's (4,000 x 34 each); days 60-70, 22 - 12.5 + 8 = 17.5 MW carries stage 2: the
  fuel's (4,000 x 10). fuel_limit 176,000 GPU-days, grid 136,000;
- relaxed (fuel unlimited), the campus is the plain one (days 31 and 61).
"""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from dcsim.api import simulate
from dcsim.config.network import FUEL_NODE, power_graph
from dcsim.counterfactuals import explain
from dcsim.sim.generation import share_caps
from dcsim.topology import PowerNetwork
from tests.conftest import tiny, tiny_dict

TURBINE = {"name": "gt", "capacity": "10 MW", "lead_time": "10 days"}
CAMPUS = {
    "installation.crews": None,
    "grid.interconnects.0.schedule.1.capacity": "20 MW",
    "equipment.0.fed_by": ["grid", "gt"],
    "grid.generators": [TURBINE],
}
FUEL = {"capacity": "2 MW", "expansions": [{"date": "2025-03-12", "capacity": "10 MW"}]}


def test_the_fuel_limit_binds_and_sets_the_date():
    result = simulate(tiny(**CAMPUS, **{"grid.fuel_limit": FUEL}))
    events = result.events
    assert events[events.event == "energized"].day.tolist() == [61, 71]
    limited = events[events.event == "fuel_limited"]
    assert list(zip(limited.day, limited.mw, strict=True)) == [(0, 2.0), (70, 10.0)]
    waits = result.kpis["constraint_gpu_days"]
    assert waits["fuel_limit"] == 4_000 * (60 - 26) + 4_000 * (70 - 60)
    assert waits["grid"] == 4_000 * (60 - 26)
    assert result.kpis["date_set_by"] == "fuel_limit"
    chain = result.critical_path[result.critical_path.target == "full_cluster"]
    assert chain.kind.tolist() == ["fuel_limit", "commissioning"]


def test_a_permit_then_the_fuel_each_charged_what_lifting_it_would_let_through():
    """The turbine also waits for its air permit (granted on day 70); the grid steps to
    17.5 MW on day 60; 5 MW of fuel until 10 MW on day 90 (2025-04-01).

    - Days 26-60: the permit holds the turbine (the fuel withholds nothing from a turbine
      that runs nothing). Lifting the permit gives 10 + min(10, fuel 5) = 15 MW: stage 1
      (12.5) is the permit's, stage 2 (25) the grid's. Day 60: 17.5 MW carries stage 1
      (energized 61); 17.5 + 5 = 22.5 lifted still falls short of 25: stage 2 the grid's.
    - Day 70, the grant: the turbine could run 10 MW but burns 5, so the fuel now
      withholds 5: lifted, 17.5 + 10 = 27.5 >= 25 carries stage 2: the fuel's until day
      90, when 10 MW of fuel gives 27.5 MW (energized 91)."""
    turbine = TURBINE | {"permit": {"time_to_permit": "70 days"}}
    fuel = {"capacity": "5 MW", "expansions": [{"date": "2025-04-01", "capacity": "10 MW"}]}
    campus = CAMPUS | {
        "grid.generators": [turbine],
        "grid.interconnects.0.schedule.1.capacity": "17.5 MW",
        "grid.fuel_limit": fuel,
    }
    result = simulate(tiny(**campus))
    events = result.events
    assert events[events.event == "energized"].day.tolist() == [61, 91]
    waits = result.kpis["constraint_gpu_days"]
    assert waits["air_permit"] == 4_000 * (60 - 26)
    assert waits["grid"] == 4_000 * (70 - 26)
    assert waits["fuel_limit"] == 4_000 * (90 - 70)
    assert result.kpis["date_set_by"] == "fuel_limit"


def test_explain_makes_fuel_unlimited():
    row = explain(tiny(**CAMPUS, **{"grid.fuel_limit": FUEL}), classes=["fuel_limit"]).iloc[0]
    assert row["relaxed"] == "fuel_limit"
    assert row["50pct_gain_days_mean"] == 61 - 31
    assert row["full_cluster_gain_days_mean"] == 71 - 61


def test_a_limit_above_the_generators_changes_nothing():
    plain = simulate(tiny(**CAMPUS))
    ample = simulate(tiny(**CAMPUS, **{"grid.fuel_limit": {"capacity": "10 MW"}}))
    days = [run.events[run.events.event == "energized"].day.tolist() for run in (plain, ample)]
    assert days == [[31, 61], [31, 61]]
    assert ample.kpis["constraint_gpu_days"]["fuel_limit"] == 0


def test_batteries_burn_no_fuel():
    battery = TURBINE | {"technology": "battery", "install_time": "0 days"}
    campus = CAMPUS | {"grid.generators": [battery], "grid.fuel_limit": FUEL}
    result = simulate(tiny(**campus))
    assert result.events[result.events.event == "energized"].day.tolist() == [31, 61]


def _two_turbines(fuel_kw: int | None) -> PowerNetwork:
    """A cheap 10-MW turbine ``a`` behind a 2-MW transformer and a dear 10-MW turbine ``b``
    straight into the hall, both burning the site's fuel (a fuel node of ``fuel_kw``)."""
    graph = power_graph(
        [
            ("a", {"kind": "generator"}),
            ("b", {"kind": "generator"}),
            ("x", {"kind": "transformer", "capacity_mw": 2.0}),
            ("h", {"kind": "hall"}),
            (FUEL_NODE, {"kind": "fuel"}),
        ],
        [("a", "x"), ("x", "h"), ("b", "h"), (FUEL_NODE, "a"), (FUEL_NODE, "b")],
    )
    network = PowerNetwork(graph, {"h": 100_000})
    network.set_source("a", 10_000)
    network.set_source("b", 10_000)
    network.set_in_service("x", True)
    if fuel_kw is not None:
        network.set_fuel(FUEL_NODE, fuel_kw)
    return network


@pytest.mark.parametrize(
    ("fuel_kw", "delivered_kw"),
    [
        # Merit order would give all 10 MW of fuel to the cheap turbine, which passes only
        # 2 MW: 2 MW in all. As flow, 2 MW goes through a and 8 through b: 10 MW.
        (10_000, 10_000),
        # Fuel for 5 MW: 5 MW, whichever burns it.
        (5_000, 5_000),
        # Fuel for 30 MW: the turbines' own limit, 2 (a, behind x) + 10 (b) = 12 MW.
        (30_000, 12_000),
        # No limit set: unlimited, as relaxed.
        (None, 12_000),
    ],
)
def test_fuel_is_shared_by_max_flow_not_merit_order(fuel_kw, delivered_kw):
    network = _two_turbines(fuel_kw)
    demand = {"h": 100_000}
    assert network.formula is not None  # the series-parallel formula, checked by scipy
    assert network.max_flow_kw(demand) == network.scipy_max_flow_kw(demand) == delivered_kw
    assert network.supply_kw() == min(fuel_kw or 20_000, 20_000)


@pytest.mark.parametrize(
    ("caps", "running", "cut"),
    [
        # A 12-MW group cap (a plug-in's) on a cheap 10 MW and a dear 10 MW: the cheap one
        # runs in full.
        ([("fuel", ["a", "b"], 12_000)], {"a": 10_000, "b": 2_000}, {"b": "fuel"}),
        # A permit caps "a" to 4 MW first; the group's rest goes to "b".
        (
            [("permit", ["a"], 4_000), ("fuel", ["a", "b"], 12_000)],
            {"a": 4_000, "b": 8_000},
            {"a": "permit", "b": "fuel"},
        ),
        # Room for both: nothing cut.
        ([("fuel", ["a", "b"], 30_000)], {"a": 10_000, "b": 10_000}, {}),
    ],
)
def test_a_group_cap_is_shared_cheapest_fuel_first(caps, running, cut):
    assert share_caps({"a": 10_000, "b": 10_000}, caps) == (running, cut)


@pytest.mark.parametrize(
    ("fuel", "said"),
    [
        ({"capacity": "-1 MW"}, "grid.fuel_limit.capacity"),
        ({"capacity": "3 days"}, "expected a power"),
        ({"capacity": "1 MW", "pipeline": "yes"}, "grid.fuel_limit.pipeline: unknown field"),
        (
            {
                "capacity": "1 MW",
                "expansions": [
                    {"date": "2025-03-01", "capacity": "2 MW"},
                    {"date": "2025-02-01", "capacity": "3 MW"},
                ],
            },
            "ascending order",
        ),
    ],
)
def test_bad_fuel_limits_are_refused_in_one_line(cli, tmp_path, fuel, said):
    path = tmp_path / "bad.yaml"
    scenario = tiny_dict(**CAMPUS, **{"grid.fuel_limit": fuel})
    path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
    done = cli("validate", path)
    assert done.returncode == 2
    assert said in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


@given(
    wanted=st.lists(st.integers(0, 50_000), min_size=1, max_size=4),
    caps=st.lists(
        st.tuples(st.sets(st.integers(0, 3), min_size=1), st.integers(0, 100_000)), max_size=3
    ),
)
def test_shared_caps_are_kept_and_take_nothing_needlessly(wanted, caps):
    names = [f"g{i}" for i in range(len(wanted))]
    groups = [
        (f"c{n}", [names[i] for i in ids if i < len(names)], kw) for n, (ids, kw) in enumerate(caps)
    ]
    running, cut = share_caps(dict(zip(names, wanted, strict=True)), groups)
    for _, members, cap_kw in groups:
        assert sum(running[name] for name in members) <= cap_kw
    for name, want in zip(names, wanted, strict=True):
        assert 0 <= running[name] <= want
        assert (running[name] < want) == (name in cut)
