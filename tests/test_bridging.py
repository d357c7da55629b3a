"""What bridging generation buys: the tiny campus with and without a turbine set."""

from __future__ import annotations

import json

import pytest

from dcsim.bridging import compare, without_generators
from tests.conftest import REPO, tiny


def turbine_campus():
    return tiny(
        **{
            "grid.generators": [
                {
                    "name": "turbines",
                    "capacity": "20 MW",
                    "lead_time": "40 days",
                    "fuel_cost": "60 USD/MWh",
                    "cost": "1 MUSD",
                }
            ],
            "equipment": [
                tiny().equipment[0].model_dump(mode="json"),
                {
                    "name": "gen-bus",
                    "kind": "switchgear",
                    "capacity": "20 MW",
                    "fed_by": ["turbines"],
                    "lead_time": "0 days",
                },
            ],
            "halls.0.fed_by": ["xfmr", "gen-bus"],
        }
    )


def test_without_generators_drops_what_only_they_fed():
    bare = without_generators(turbine_campus())
    assert bare.grid.generators == []
    assert [e.name for e in bare.equipment] == ["xfmr"]
    assert bare.halls[0].fed_by == ["xfmr"]


def test_compare_worked_by_hand():
    """With turbines both stages run from day 41 (10 MW grid + 15 MW turbines until day
    60); without, from day 61. 8,000 GPUs x 20 days are gained."""
    row = compare(turbine_campus(), replications=[0]).iloc[0]
    assert row["gpu_days_gained"] == pytest.approx(8000 * 20)
    fuel = 15 * 24 * 19 * 60
    grid_with = 25 * 24 * (365 - 41) - 15 * 24 * 19
    grid_without = 25 * 24 * (365 - 61)
    assert row["bridging_cost_usd"] == pytest.approx(fuel + 1e6 + 77.9 * (grid_with - grid_without))
    assert row["cost_per_gpu_day_gained_usd"] == pytest.approx(
        row["bridging_cost_usd"] / (8000 * 20)
    )


def test_verdict_weighs_cost_against_value():
    from dcsim.bridging import verdict

    assert verdict(10.0, 60.0).startswith("bridging pays")
    assert verdict(80.0, 60.0).startswith("bridging does not pay")
    assert "no GPU-days" in verdict(None, 60.0)


def test_cli(cli):
    done = cli(
        "bridging", REPO / "configs" / "xai-memphis-bridging.yaml", "--replications", "2", "--json"
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert len(result["runs"]) == 2 and result["median"]["gpu_days_gained"] > 0
    assert result["gpu_day_value_usd"] == pytest.approx(2.49 * 24)
    assert result["verdict"].startswith("bridging pays")
    table = cli("bridging", REPO / "configs" / "xai-memphis-bridging.yaml", "--replications", "1")
    assert "nan" not in table.stdout and "not reached" in table.stdout
    assert "Verdict: bridging pays" in table.stdout
    dear = cli(
        "bridging",
        REPO / "configs" / "xai-memphis-bridging.yaml",
        "--replications",
        "1",
        "--gpu-day-value",
        "0.5",
    )
    assert "Verdict: bridging does not pay" in dear.stdout
    refused = cli("bridging", REPO / "configs" / "meta-100k-h100.yaml")
    assert refused.returncode == 2 and "no generators" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_a_gpu_day_is_worth_what_the_scenario_says():
    from dcsim.bridging import gpu_day_value
    from tests.conftest import tiny

    value, source = gpu_day_value(tiny(economics={"value_per_gpu_hour": 4}))
    assert value == 4 * 24
    assert "economics.value_per_gpu_hour 4 USD" in source
