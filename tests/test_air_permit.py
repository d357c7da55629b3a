"""The air permit (dcsim/constraints/builtin/air_permit.py), worked out by hand.

The tiny campus (tests/conftest.py) with unlimited crews, its grid's second step lowered
to 20 MW, and a 10 MW turbine (built on day 10) beside the grid behind the 25 MW
transformer (in service on day 30). Both 12.5 MW stages ask for power on day 26.

- Without a permit: stage 1 fits on day 30 (grid 10 + turbine 10 = 20 MW), stage 2 on
  day 60 (20 + 10 = 30 MW): energized on days 31 and 61.
- With a permit filed on day 0 and granted after 70 days, the turbine is built on day 10
  but may not run: the sources are the grid's alone, 10 MW then 20 MW from day 60. Stage 1
  fits on day 60 (energized 61), stage 2 on day 70, when the permit adds the turbine's
  10 MW (energized 71): the permit sets the date. Both stages are short of sources while
  the built turbine is held, but ``air_permit`` is charged only what lifting the cap would
  have let through. Days 26-60: the sources' 10 MW plus the turbine's 10 MW would carry
  stage 1 (12.5 MW) but not both (25 MW), so stage 1 is the permit's and stage 2 the
  grid's: 4,000 x 34 each. Days 60-70: 7.5 MW of room beyond stage 1 plus the turbine's 10
  would carry stage 2: the permit's, 4,000 x 10. ``air_permit`` 4,000 x (34 + 10) =
  176,000 GPU-days, ``grid`` 4,000 x 34 = 136,000.
- ``explain`` grants the permit on day 0: the plain timeline, 30 days sooner to half the
  GPUs (61 -> 31) and 10 sooner to all (71 -> 61).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from dcsim.api import simulate
from dcsim.config.loader import load_scenario
from dcsim.constraints.builtin.air_permit import CapChange, Exemption, permit_caps
from dcsim.counterfactuals import explain
from dcsim.sim.model import BuildOut
from tests.conftest import tiny, tiny_dict

TURBINE = {"name": "gt", "capacity": "10 MW", "lead_time": "10 days"}
CAMPUS = {
    "installation.crews": None,
    "grid.interconnects.0.schedule.1.capacity": "20 MW",
    "equipment.0.fed_by": ["grid", "gt"],
}


def _campus(turbine: dict) -> dict:
    return {**CAMPUS, "grid.generators": [turbine]}


def _energized(result) -> list[float]:
    events = result.events
    return events[events.event == "energized"].day.tolist()


def test_without_a_permit_block_the_turbine_runs_once_built():
    result = simulate(tiny(**_campus(TURBINE)))
    assert _energized(result) == [31, 61]
    assert result.kpis["constraint_gpu_days"]["air_permit"] == 0


def test_the_permit_sets_the_date_and_is_charged_the_held_turbine():
    result = simulate(tiny(**_campus(TURBINE | {"permit": {"time_to_permit": "70 days"}})))
    assert _energized(result) == [61, 71]
    waits = result.kpis["constraint_gpu_days"]
    assert waits["air_permit"] == 4_000 * (60 - 26) + 4_000 * (70 - 60)
    assert waits["grid"] == 4_000 * (60 - 26)
    assert result.kpis["date_set_by"] == "air_permit"
    chain = result.critical_path[result.critical_path.target == "full_cluster"]
    assert chain.kind.tolist() == ["air_permit", "commissioning"]
    assert chain.draw.iloc[0] == "time to permit 70 days"


def test_explain_grants_the_permit_on_day_0():
    scenario = tiny(**_campus(TURBINE | {"permit": {"time_to_permit": "70 days"}}))
    row = explain(scenario, classes=["air_permit"]).iloc[0]
    assert row["relaxed"] == "air_permit"
    assert row["50pct_gain_days_mean"] == 61 - 31
    assert row["full_cluster_gain_days_mean"] == 71 - 61


# The xAI-like case: the turbine of two units runs under a temporary exemption until day 35
# (2025-02-05); the permit (one unit: 5 MW) comes on day 100. Stage 1 fits on day 30 (20 MW)
# and is energized on day 31; stage 2 (25 MW) waits for the grid's day-30 shortfall (grid).
# The permit is charged only a stage that lifting the cap (the turbine back to 10 MW) would
# have let through, after the stages ahead of it.
# - "stop": the turbine falls to 0 at expiry; stage 1 is shed (10 MW < 12.5) and fits again
#   on the grid's 20 MW on day 60; stage 2 fits on day 100, when the permit's 5 MW comes
#   (20 + 5 = 25). Days 35-60: 10 + 10 MW would carry stage 1 but not both: stage 1 is the
#   permit's, stage 2 the grid's (4,000 x 25 each). Days 60-100: 20 - 12.5 + 10 = 17.5 MW
#   would carry stage 2: the permit's, 4,000 x 40. air_permit 4,000 x (25 + 40) = 260,000.
# - "cap": the turbine falls to its permitted 5 MW at expiry (15 MW carries stage 1);
#   stage 2 fits on day 60 (20 + 5). Days 35-60: the uncapped turbine would leave 10 + 10 -
#   12.5 = 7.5 MW for stage 2's 12.5: not enough, so the grid's (4,000 x 25); air_permit 0.
# Both: stage 2 is short from day 30 to 35 with the turbine running: grid 4,000 x 5, and
# 4,000 x 25 more from day 35 to 60.
@pytest.mark.parametrize(
    ("at_expiry", "capped", "energized", "permit_days"),
    [
        ("stop", [(35, 0.0), (100, 5.0)], [31, 60, 101], 4_000 * 25 + 4_000 * 40),
        ("cap", [(35, 5.0)], [31, 61], 0),
    ],
)
def test_an_exemption_runs_the_turbine_until_expiry(at_expiry, capped, energized, permit_days):
    exemption = {"expiry": "2025-02-05", "at_expiry": at_expiry}
    permit = {"time_to_permit": "100 days", "units": 1, "exemption": exemption}
    result = simulate(tiny(**_campus(TURBINE | {"units": 2, "permit": permit})))
    events = result.events
    caps = events[events.event == "generator_capped"]
    assert list(zip(caps.day, caps.mw, strict=True)) == capped
    assert _energized(result) == energized
    waits = result.kpis["constraint_gpu_days"]
    assert waits["air_permit"] == permit_days
    assert waits["grid"] == 4_000 * 5 + 4_000 * 25


def test_a_relaxed_permit_still_caps_to_the_permitted_units():
    permit = {"time_to_permit": "70 days", "units": 1}
    scenario = tiny(**_campus(TURBINE | {"units": 2, "permit": permit}))
    model = BuildOut(scenario, relaxed=frozenset({"air_permit"}))
    model.run()
    assert model.network.source_kw["gt"] == 5_000  # one unit of two, granted on day 0


@pytest.mark.parametrize(
    ("permitted", "granted", "exemption", "changes"),
    [
        # No exemption: nothing runs until the grant, then the permitted capacity.
        (5.0, 40.0, None, [CapChange(0, 0.0, ""), CapChange(40, 5.0, "permit granted")]),
        # The whole generator permitted: the cap is lifted on the grant.
        (None, 40.0, None, [CapChange(0, 0.0, ""), CapChange(40, None, "permit granted")]),
        # Granted inside the exemption: nameplate to expiry, then the permitted capacity.
        (5.0, 20.0, Exemption(0, 30, "stop"), [CapChange(30, 5.0, "")]),
        # Expiry before the grant, "stop": nothing between them.
        (
            5.0,
            50.0,
            Exemption(10, 30, "stop"),
            [
                CapChange(0, 0.0, ""),
                CapChange(10, None, "exemption starts"),
                CapChange(30, 0.0, ""),
                CapChange(50, 5.0, "permit granted"),
            ],
        ),
        # The same with "cap": the permitted capacity from expiry, the grant changes nothing.
        (5.0, 50.0, Exemption(-5, 30, "cap"), [CapChange(30, 5.0, "")]),
        # Granted on day 0 (relaxed), no exemption: the permitted capacity from the start.
        (5.0, 0.0, None, [CapChange(0, 5.0, "")]),
    ],
)
def test_the_cap_follows_the_permit_and_the_exemption(permitted, granted, exemption, changes):
    assert permit_caps(permitted, granted, exemption) == changes


@pytest.mark.parametrize(
    ("permit", "said"),
    [
        ({"time_to_permit": "400 days"}, "past the 365-day horizon"),
        ({"capacity": "-5 MW"}, "permit.capacity"),
        ({"capacity": float("nan")}, "permit.capacity"),
        ({"exemption": {"start": "2025-03-01", "expiry": "2025-02-01"}}, "not after the start"),
        ({"exemption": {"expiry": "2024-12-01"}}, "exemption.expiry"),
        ({"review_time": "3 days"}, "permit.review_time: unknown field"),
        ({"units": 3}, "more than the generator's 1 units"),
        ({"capacity": "3 MW", "units": 1}, "not both"),
    ],
)
def test_bad_permits_are_refused_in_one_line(cli, tmp_path, permit, said):
    scenario = tiny_dict(**_campus(TURBINE | {"permit": permit}))
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(scenario), encoding="utf-8")
    done = cli("validate", path)
    assert done.returncode == 2
    assert said in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


# The horizon is 365 days and the permit is filed on day 0. A lognormal of median 550 days
# and sigma 0.25 has no lower bound, but its P10 is 550 x exp(-1.2816 x 0.25) = 399.2 days:
# nine runs in ten would grant nothing within the horizon, so it is refused. Median 400,
# sigma 0.5: P10 = 400 x exp(-1.2816 x 0.5) = 210.8 days, accepted. A triangle from 300 to
# 500 days with its mode at 500: P10 = 300 + sqrt(0.1 x 200 x 200) = 363.2, accepted; with
# its low at 310: 310 + sqrt(0.1 x 190 x 190) = 370.1, refused.
@pytest.mark.parametrize(
    ("time_to_permit", "refused"),
    [
        ({"dist": "lognormal", "median": "550 days", "sigma": 0.25}, "granted 399 days"),
        ({"dist": "lognormal", "median": "400 days", "sigma": 0.5}, None),
        ({"dist": "triangular", "low": "300 days", "mode": "500 days", "high": "500 days"}, None),
        (
            {"dist": "triangular", "low": "310 days", "mode": "500 days", "high": "500 days"},
            "granted 370 days",
        ),
    ],
)
def test_a_permit_whose_p10_ends_past_the_horizon_is_refused(
    cli, tmp_path, time_to_permit, refused
):
    permit = {"time_to_permit": time_to_permit}
    path = tmp_path / "permit.yaml"
    path.write_text(yaml.safe_dump(tiny_dict(**_campus(TURBINE | {"permit": permit}))))
    done = cli("validate", path)
    if refused is None:
        assert done.returncode == 0, done.stderr
        return
    assert done.returncode == 2
    line = done.stderr.strip()
    assert len(line.splitlines()) == 1, line
    assert "grid.generators.0.permit.time_to_permit" in line
    assert refused in line and "(P10), past the 365-day horizon" in line


def test_the_command_line_reports_and_relaxes_the_permit(cli, tmp_path):
    permit = {"time_to_permit": "70 days"}
    path = tmp_path / "permit.yaml"
    path.write_text(yaml.safe_dump(tiny_dict(**_campus(TURBINE | {"permit": permit}))))
    done = cli("run", path, "--json")
    assert done.returncode == 0, done.stderr
    kpis = json.loads(done.stdout)
    assert kpis["constraint_gpu_days"]["air_permit"] == 176_000
    assert kpis["date_set_by"] == "air_permit"
    done = cli("explain", path, "--json")
    assert done.returncode == 0, done.stderr
    rows = {row["relaxed"]: row for row in json.loads(done.stdout)["relaxations"]}
    assert rows["air_permit"]["full_cluster_gain_days_mean"] == 71 - 61


def test_the_xai_like_permit_config_stops_the_turbines_at_expiry_until_the_grant():
    """configs/xai-memphis-permit.yaml: the 364-day exemption ends on 2025-06-30; unless
    the permit (filed 2025-01-15, 3-18 months) came before, the turbines stop then, and the
    grant lets all 100 MW run (247 MW permitted). The campus's 151.48 MW of facility load
    exceeds the grid's 150 MW, so its last stage needs the turbines: full power comes no
    sooner than the grant."""
    path = Path(__file__).resolve().parent.parent / "configs" / "xai-memphis-permit.yaml"
    scenario = load_scenario(path)
    turbines = scenario.grid.generators[0]
    permit = turbines.permit
    assert (permit.exemption.expiry - permit.exemption.start).days == 364
    assert permit.capacity >= turbines.capacity
    grid_mw = max(step.capacity for step in scenario.grid.interconnects[0].schedule)
    assert sum(h.facility_capacity_mw for h in scenario.halls) > grid_mw
    result = simulate(scenario, seed=0)
    capped = result.events[result.events.event == "generator_capped"]
    expiry, filed = scenario.day(permit.exemption.expiry), scenario.day(permit.filed)
    (stop_day, stop_mw), (grant_day, grant_mw) = zip(capped.day, capped.mw, strict=True)
    assert (stop_day, stop_mw) == (expiry, 0.0)  # seed 0 draws a grant after the expiry
    assert filed + 3 * 30.4375 <= grant_day <= filed + 18 * 30.4375 and grant_mw == 100.0
    full = dt.date.fromisoformat(str(result.kpis["full_cluster_date"]))
    assert scenario.day(full) > grant_day
    assert result.kpis["date_set_by"] == "air_permit"
