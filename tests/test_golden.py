"""Golden runs of the tiny scenario: every date and MW below is worked out by hand.

Timeline (days from 2025-01-01): the transformer arrives on day 20 and is in service on
day 30; the grid gives 10 MW from day 10 and 30 MW from day 60. The hall is ready on day 20.
Batches of 4,000 GPUs land on days 5 and 15. With one crew, stage 1 installs on days 20-24
and stage 2 on 24-28; after 2 days of burn-in they ask for power on days 26 and 30. Each
stage needs 12.5 MW; the network carries min(grid, 25 MW transformer) = 10 MW until day 60,
then 25 MW: both are granted on day 60 and energized after 1 day of commissioning, day 61.
"""

from __future__ import annotations

import pytest

from dcsim.api import simulate
from tests.conftest import tiny


@pytest.fixture(scope="module")
def golden():
    return simulate(tiny(), seed=0)


def test_dates(golden):
    kpis = golden.kpis
    assert kpis["first_power_date"] == "2025-03-03"  # day 61
    assert kpis["full_cluster_date"] == "2025-03-03"
    assert kpis["days_to_full_cluster"] == pytest.approx(61)


def test_power(golden):
    kpis = golden.kpis
    assert kpis["peak_facility_mw"] == pytest.approx(25.0)
    assert kpis["peak_it_mw"] == pytest.approx(20.0)
    ts = golden.timeseries.set_index("day")
    # deliverable: nothing before the transformer, then min(10, 25), then min(30, 25, hall 25)
    assert ts.loc[20, "deliverable_mw"] == 0
    assert ts.loc[30, "deliverable_mw"] == pytest.approx(10)
    assert ts.loc[60, "deliverable_mw"] == pytest.approx(25)
    assert ts.loc[60, "interconnect_mw"] == pytest.approx(30)


def test_money_energy_and_waiting(golden):
    kpis = golden.kpis
    # 8,000 GPUs x 10 kUSD + 20 MW x 1 MUSD/MW + 2 MUSD transformer
    assert kpis["capex_usd"] == pytest.approx(80e6 + 20e6 + 2e6)
    # 25 MW from day 61 to day 365
    assert kpis["energy_mwh"] == pytest.approx(25 * 24 * 304)
    assert kpis["electricity_cost_usd"] == pytest.approx(25 * 24 * 304 * 77.9)
    assert kpis["compute_gpu_days"] == pytest.approx(8000 * 304)
    assert kpis["compute_flop"] == pytest.approx(8000 * 1000e12 * 304 * 86400)
    # delivered on days 5 and 15, dark until day 61
    assert kpis["stranded_gpu_days"] == pytest.approx(4000 * 56 + 4000 * 46)
    assert kpis["stranded_capex_usd_years"] == pytest.approx(
        (4000 * 56 + 4000 * 46) * 10e3 / 365.25
    )
    waits = kpis["constraint_gpu_days"]
    assert waits["grid"] == pytest.approx(4000 * (60 - 26) + 4000 * (60 - 30))
    assert waits["crews"] == pytest.approx(4000 * 4)
    assert waits["construction"] == pytest.approx(4000 * 10 + 8000 * 5)  # idle until day 20
    assert waits["chips"] == 0
    assert kpis["binding_constraint"] == "grid"


def test_gpu_pipeline(golden):
    ts = golden.timeseries.set_index("day")
    assert ts.loc[5, "gpus_warehouse"] == 4000
    assert ts.loc[15, "gpus_warehouse"] == 8000
    assert ts.loc[24, "gpus_installed"] == 8000  # both stages taken by day 24
    assert ts.loc[61, "gpus_energized"] == 8000


def test_shed_and_restore_window():
    """The grid drops to 15 MW on day 100 and recovers on day 150: under FIFO the later
    stage (ready on day 30) is shed on day 100 and re-energized on day 150 without a new
    commissioning."""
    scenario = tiny(
        **{
            "grid.interconnects.0.schedule": [
                {"date": "2025-01-11", "capacity": "10 MW"},
                {"date": "2025-03-02", "capacity": "30 MW"},
                {"date": "2025-04-11", "capacity": "15 MW"},  # day 100
                {"date": "2025-05-31", "capacity": "30 MW"},  # day 150
            ]
        }
    )
    result = simulate(scenario)
    events = result.events
    shed = events[(events.event == "shed")]
    assert list(zip(shed.day, shed.entity, strict=True)) == [(100.0, "h1/2")]
    energized = events[events.event == "energized"]
    assert list(zip(energized.day, energized.entity, strict=True)) == [
        (61.0, "h1/1"),
        (61.0, "h1/2"),
        (150.0, "h1/2"),
    ]
    ts = result.timeseries.set_index("day")
    assert ts.loc[100, "facility_mw"] == pytest.approx(12.5)
    assert ts.loc[150, "facility_mw"] == pytest.approx(25)
    # energy: 25 MW on days 61-100 and 150-365, 12.5 MW on days 100-150
    assert result.kpis["energy_mwh"] == pytest.approx(24 * (25 * 39 + 12.5 * 50 + 25 * 215))


@pytest.mark.parametrize(
    ("horizon", "statuses"),
    [
        ("22 days", ["installing", "planned"]),  # stage 2 waits for the one crew
        ("25 days", ["burn-in", "installing"]),
        ("29 days", ["waiting-power", "burn-in"]),
        ("45 days", ["waiting-power", "waiting-power"]),  # 10 MW cannot carry 12.5 MW
        ("60.5 days", ["commissioning", "commissioning"]),
        ("365 days", ["energized", "energized"]),
    ],
)
def test_stage_status_where_the_horizon_cuts_the_timeline(horizon, statuses):
    stages = simulate(tiny(horizon=horizon), seed=0).stages
    assert list(stages["status"]) == statuses
