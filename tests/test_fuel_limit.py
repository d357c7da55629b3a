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
from dcsim.counterfactuals import explain
from dcsim.sim.generation import share_caps
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
    capped = events[events.event == "generator_capped"]
    assert list(zip(capped.day, capped.mw, strict=True)) == [(70, 10.0)]
    waits = result.kpis["constraint_gpu_days"]
    assert waits["fuel_limit"] == 4_000 * (60 - 26) + 4_000 * (70 - 60)
    assert waits["grid"] == 4_000 * (60 - 26)
    assert result.kpis["date_set_by"] == "fuel_limit"
    chain = result.critical_path[result.critical_path.target == "full_cluster"]
    assert chain.kind.tolist() == ["fuel_limit", "commissioning"]


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


@pytest.mark.parametrize(
    ("caps", "running", "cut"),
    [
        # 12 MW of fuel for a cheap 10 MW and a dear 10 MW: the cheap one runs in full.
        ([("fuel", ["a", "b"], 12_000)], {"a": 10_000, "b": 2_000}, {"b": "fuel"}),
        # A permit caps "a" to 4 MW first; the fuel left goes to "b".
        (
            [("permit", ["a"], 4_000), ("fuel", ["a", "b"], 12_000)],
            {"a": 4_000, "b": 8_000},
            {"a": "permit", "b": "fuel"},
        ),
        # Fuel for both: nothing cut.
        ([("fuel", ["a", "b"], 30_000)], {"a": 10_000, "b": 10_000}, {}),
    ],
)
def test_a_cap_is_shared_cheapest_fuel_first(caps, running, cut):
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
