"""Defaults sized to the campus: installation crews from the planned GPUs, chip deliveries
from the order's size, worked out by hand from the figures they are derived from."""

from __future__ import annotations

import pytest
from conftest import tiny_dict

from dcsim.api import simulate
from dcsim.config import scenario_from_dict
from dcsim.config.catalog import builtin_catalog
from dcsim.config.scaled_defaults import default_batches, default_installation_crews
from dcsim.errors import UserInputError


@pytest.mark.parametrize(
    ("gpus", "crews"),
    [(1, 1), (33_333, 1), (33_334, 2), (100_000, 3), (100_001, 4), (550_000, 17)],
)
def test_three_crews_per_100k_gpus_rounded_up(gpus, crews):
    # Colossus: 100,000 GPUs x 4 crew-days per 1,000 = 400 crew-days in 122 days = 3.3 -> 3.
    assert default_installation_crews(gpus) == crews


@pytest.mark.parametrize(
    ("count", "batches"), [(1, 1), (40_000, 1), (40_001, 2), (100_000, 3), (550_000, 14)]
)
def test_one_monthly_batch_per_40k_gpus(count, batches):
    # 485,000 Hoppers to the largest buyer in 2024 / 12 months = 40,417 -> 40,000 a month.
    assert default_batches(count) == batches


def without_crews(**fields: object) -> dict:
    data = tiny_dict(**fields)
    del data["installation"]["crews"]
    return data


def test_a_scenario_that_writes_no_crews_gets_them_from_its_planned_gpus():
    data = without_crews()
    data["halls"][0]["stages"] = {"count": 20, "gpus": 5000, "chip": "test-gpu"}
    data["halls"][0]["it_capacity"] = "250 MW"  # 100,000 x 2.5 kW
    assert scenario_from_dict(data).installation.crews == 3
    # Counts as a --set writes them (text) are read as the schema reads them.
    data["halls"][0]["stages"] = {"count": "20", "gpus": "5000", "chip": "test-gpu"}
    assert scenario_from_dict(data).installation.crews == 3


def test_written_crews_win_and_null_keeps_them_unlimited():
    assert scenario_from_dict(tiny_dict(**{"installation.crews": 7})).installation.crews == 7
    assert scenario_from_dict(tiny_dict(**{"installation.crews": None})).installation.crews is None
    # No installation section at all: the tiny campus's 8,000 GPUs -> 1 crew.
    data = tiny_dict()
    del data["installation"]
    assert scenario_from_dict(data).installation.crews == 1


def test_a_bad_stage_count_is_reported_by_its_field_not_by_the_crews_default():
    data = without_crews()
    data["halls"][0]["stages"]["count"] = "many"
    with pytest.raises(UserInputError) as caught:
        scenario_from_dict(data, "site.yaml")
    (line,) = caught.value.problems
    assert "halls.0.stages.count" in line and "crews" not in line


def test_an_order_that_writes_no_batches_ships_monthly_in_40k_lots():
    data = tiny_dict()
    order = data["chip_orders"][0]
    del order["batches"], order["batch_interval"]
    order["count"] = 550_000
    data["halls"][0]["stages"] = {"count": 1, "gpus": 8000, "chip": "test-gpu"}
    (parsed,) = scenario_from_dict(data).chip_orders
    assert parsed.batches == 14 and parsed.batch_interval.mean() == pytest.approx(30.4375)
    written = tiny_dict()["chip_orders"][0]
    assert scenario_from_dict(tiny_dict()).chip_orders[0].batches == written["batches"] == 2


def test_a_100k_campus_on_default_crews_is_racked_in_seven_rounds():
    """100,000 GPUs in 20 pods of 5,000, the hall ready and every chip on site on day 0
    (one delivery, no lead time), power to spare. Each pod takes one crew 5 x 4 = 20 days,
    then 7 days of burn-in and 5 of commissioning. Three crews rack pods 1-3 on days 0-20,
    4-6 on 20-40, ..., 19-20 on 120-140: the first pod is energized on day 32, the last
    on day 140 + 12 = 152, about five months from ready hall to full cluster."""
    data = {
        "name": "rack-100k",
        "start": "2025-01-01",
        "horizon": "365 days",
        "grid": {
            "interconnects": [
                {"name": "grid", "schedule": [{"date": "2025-01-01", "capacity": "200 MW"}]}
            ]
        },
        "halls": [
            {
                "name": "h",
                "it_capacity": "141 MW",
                "fed_by": ["grid"],
                "construction_start": "2025-01-01",
                "shell_time": "0 days",
                "fitout_time": "0 days",
                "stages": {"count": 20, "gpus": 5000, "chip": "h100-sxm"},
            }
        ],
        "chip_orders": [
            {"count": 100_000, "order_date": "2025-01-01", "lead_time": "0 days", "batches": 1}
        ],
    }
    scenario = scenario_from_dict(data)
    assert scenario.installation.crews == 3
    kpis = simulate(scenario).kpis
    assert kpis["first_power_date"] == "2025-02-02"  # day 32
    assert kpis["days_to_full_cluster"] == 152


def test_gb200_system_power_is_epochs_median_nvl72_rack():
    # Epoch AI, IT power by chip: GB200 NVL72 server 132 kW (median) for 72 GPUs.
    gb200 = builtin_catalog()["gb200"]
    assert gb200.system_power_per_gpu * 1e6 == pytest.approx(132_000 / 72, abs=0.05)
    assert gb200.it_kw == pytest.approx(132 / 72 * 1.10, abs=1e-4)


def test_a_file_without_crews_runs_with_one_crew_through_the_cli(cli, tmp_path):
    """The tiny campus (two 4,000-GPU stages, 8,000 GPUs -> 1 crew; 8,000 ordered -> one
    shipment, on site on day 5) is ready on day 20. Its one crew racks stage 1 in 4 days,
    so stage 2 waits 4 days for it: 4,000 x 4 = 16,000 GPU-days charged to crews. Written
    as unlimited (null), nobody waits."""
    import json

    import yaml

    default = without_crews()
    del default["chip_orders"][0]["batches"]
    unlimited = {**default, "installation": {**default["installation"], "crews": None}}
    waits = {}
    for label, data in (("default", default), ("unlimited", unlimited)):
        scenario_file = tmp_path / f"{label}.yaml"
        scenario_file.write_text(yaml.safe_dump(data), encoding="utf-8")
        done = cli("run", scenario_file, "--json")
        assert done.returncode == 0, done.stderr
        waits[label] = json.loads(done.stdout)["constraint_gpu_days"]["installation_crews"]
    assert waits == {"default": pytest.approx(16_000), "unlimited": 0}
