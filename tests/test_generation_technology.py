"""On-site generation by technology: defaults from dcsim/data/generation.csv, and what they
mean for a 100k-H100 conversion that bridges with on-site power.

The campus: 100,000 H100 SXM (1,402.5 W IT each, x PUE 1.08 = 151.5 MW; a 10,000-GPU stage
is 15.15 MW) in a converted building (no shell, a fixed 75-day fit-out), chips on site on
day 45, unlimited crews installing a stage in 5 days (10 x 0.5 day), a 5-day burn-in and a
5-day commissioning. The utility gives 50 MW from day 0; 110 MW of on-site generation makes
up the rest once it runs (order on day 0, then its technology's lead and install times).
"""

from __future__ import annotations

import math
import typing

import pytest
import yaml

from dcsim.api import simulate
from dcsim.config import scenario_from_dict
from dcsim.config.catalog import builtin_catalog
from dcsim.config.generation import (
    CO2_T_PER_MMBTU,
    GAS_USD_PER_MMBTU,
    Technology,
    technology_table,
)
from dcsim.config.schema import OnSiteGenerator

FITOUT, CHIPS, INSTALL, BURN_IN, COMMISSION = 75, 45, 10 * 0.5, 5, 5
GRID_MW, GEN_MW, PUE, STAGE_GPUS = 50, 110, 1.08, 10_000


def conversion(technology: str) -> dict:
    return {
        "name": "conversion",
        "start": "2025-01-01",
        "horizon": "365 days",
        "grid": {
            "interconnects": [
                {"name": "utility", "schedule": [{"date": "2025-01-01", "capacity": "50 MW"}]}
            ],
            "generators": [{"name": "gen", "technology": technology, "capacity": "110 MW"}],
        },
        "halls": [
            {
                "name": "h",
                "it_capacity": "141 MW",
                "pue": PUE,
                "fed_by": ["utility", "gen"],
                "construction_start": "2025-01-01",
                "shell_time": "0 days",
                "fitout_time": f"{FITOUT} days",
                "stages": {"count": 10, "gpus": STAGE_GPUS, "chip": "h100-sxm"},
            }
        ],
        # One delivery and unlimited crews, written: dcsim's defaults would ship the order in
        # three monthly batches and rack it with three crews.
        "chip_orders": [
            {"count": 100_000, "order_date": "2025-01-01", "lead_time": "45 days", "batches": 1}
        ],
        "installation": {
            "crews": None,
            "time_per_1000_gpus": "0.5 days",
            "burn_in": f"{BURN_IN} days",
        },
        "energization": {"commissioning_time": f"{COMMISSION} days"},
    }


def latest_online_day(technology: str) -> float:
    """Order on day 0, the longest lead plus the longest installation of the table."""
    row = technology_table()[technology]
    return 7 * (float(row["lead_high_weeks"]) + float(row["install_high_weeks"]))


def test_rented_mobile_turbines_energize_a_conversion_within_four_months():
    # Racks can run once the fit-out, installation and burn-in are done (chips came first);
    # the turbines are running by then at the latest, so the last stage is energized one
    # commissioning later.
    hall_ready = max(FITOUT, CHIPS) + INSTALL + BURN_IN
    assert latest_online_day("rental_mobile") <= hall_ready
    expected = hall_ready + COMMISSION
    kpis = simulate(scenario_from_dict(conversion("rental_mobile"), "test")).kpis
    assert kpis["days_to_full_cluster"] == expected
    assert expected <= 4 * 30.4375


def test_new_frame_turbines_cannot():
    # The frame's shortest lead time (3 years) is past the horizon, so only the utility's
    # 50 MW is there: as many whole stages as fit.
    row = technology_table()["frame"]
    assert 7 * float(row["lead_low_weeks"]) > 365
    stage_mw = STAGE_GPUS * builtin_catalog()["h100-sxm"].it_kw / 1000 * PUE
    kpis = simulate(scenario_from_dict(conversion("frame"), "test")).kpis
    assert kpis["full_cluster_date"] is None
    assert kpis["gpus_energized_final"] == math.floor(GRID_MW / stage_mw) * STAGE_GPUS


def test_every_technology_has_a_row_and_every_row_a_technology():
    assert set(technology_table()) == set(typing.get_args(Technology))


@pytest.mark.parametrize("technology", typing.get_args(Technology))
def test_technology_defaults_follow_the_table(technology):
    row = technology_table()[technology]
    gen = OnSiteGenerator(name="g", technology=technology, capacity="2 GW")
    mmbtu_per_mwh = float(row["heat_rate_btu_per_kwh"]) / 1000
    assert gen.cost == pytest.approx(float(row["cost_usd_per_kw"]) * 2e6)
    assert gen.fuel_cost == pytest.approx(mmbtu_per_mwh * GAS_USD_PER_MMBTU)
    assert gen.emissions == pytest.approx(mmbtu_per_mwh * CO2_T_PER_MMBTU)
    assert gen.lead_time.high == 7 * float(row["lead_high_weeks"])
    assert gen.install_time.low == 7 * float(row["install_low_weeks"])
    assert row["source"]


def test_fields_given_win_over_the_technology():
    gen = OnSiteGenerator(
        name="g", technology="frame", capacity="500 MW", lead_time="2 years", cost="1 MUSD"
    )
    assert (gen.lead_time.value, gen.cost) == (730.5, 1e6)
    assert gen.install_time.low == 7 * float(technology_table()["frame"]["install_low_weeks"])
    assert OnSiteGenerator.model_validate(gen.model_dump(mode="json")) == gen


def test_without_a_technology_nothing_changes():
    gen = OnSiteGenerator(name="g", capacity="10 MW", lead_time="30 weeks")
    assert (gen.technology, gen.cost, gen.fuel_cost, gen.emissions) == (None, 0, 0, 0)
    assert gen.install_time.value == 0
    with pytest.raises(ValueError, match="lead_time"):
        OnSiteGenerator(name="g", capacity="10 MW")


@pytest.mark.parametrize(
    ("generator", "expected"),
    [
        ({"technology": "steam"}, "grid.generators.0.technology: Input should be"),
        ({"technology": "frame", "capacity": "-5 MW"}, "grid.generators.0.capacity: Input"),
        ({"technology": None}, "grid.generators.0.lead_time: required field is missing"),
    ],
)
def test_bad_generators_refused_in_one_line(cli, tmp_path, generator, expected):
    data = conversion("frame")
    data["grid"]["generators"][0].update(generator)
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data))
    done = cli("validate", path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and expected in lines[0] and str(path) in lines[0], lines


def test_gigawatt_prime_power_runs_the_whole_campus_on_its_fuel():
    """1.2 GW of reciprocating engines as prime power (no grid, never retired) for ~700k
    H100: every stage runs on them, so the campus's emissions are its energy times the
    engines' heat rate times the CO2 content of gas."""
    data = conversion("reciprocating")
    data["grid"] = {
        "generators": [
            {
                "name": "gen",
                "technology": "reciprocating",
                "capacity": "1.2 GW",
                "retire_when_grid_ready": False,
            }
        ]
    }
    data["horizon"] = "3 years"
    data["halls"][0].update(
        {"it_capacity": "1000 MW", "fed_by": ["gen"], "stages": {"count": 10, "gpus": 70_000}}
    )
    data["chip_orders"][0]["count"] = 700_000
    kpis = simulate(scenario_from_dict(data, "test")).kpis
    assert kpis["gpus_energized_final"] == 700_000
    assert kpis["days_to_full_cluster"] <= latest_online_day("reciprocating") + COMMISSION
    row = technology_table()["reciprocating"]
    per_mwh = float(row["heat_rate_btu_per_kwh"]) / 1000 * CO2_T_PER_MMBTU
    assert kpis["emissions_t_co2"] == pytest.approx(kpis["energy_mwh"] * per_mwh, rel=1e-6)
