"""GPU failures against the Llama 3 record, and bridging generation worked by hand."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from dcsim.api import simulate
from tests.conftest import tiny

LLAMA3_GPUS, LLAMA3_DAYS, LLAMA3_GPU_FAILURES = 16_384, 54, 246


def llama3_cluster(**overrides):
    """16,384 GPUs energized on day 0 (everything was ready before the start)."""
    return tiny(
        **{
            "horizon": f"{LLAMA3_DAYS} days",
            "grid.interconnects.0.schedule": [{"date": "2025-01-01", "capacity": "50 MW"}],
            "equipment.0.capacity": "50 MW",
            "equipment.0.order_date": "2024-01-01",
            "halls.0.it_capacity": "41 MW",
            "halls.0.pue": 1.0,
            "halls.0.construction_start": "2024-01-01",
            "halls.0.stages": {"count": 1, "gpus": LLAMA3_GPUS, "chip": "test-gpu"},
            "chip_orders.0.count": LLAMA3_GPUS,
            "chip_orders.0.order_date": "2024-01-01",
            "chip_orders.0.batches": 1,
            "installation": {"time_per_1000_gpus": "0 days", "burn_in": "0 days"},
            "energization.commissioning_time": "0 days",
            "gpu_failures": {},
            **overrides,
        }
    )


def test_failure_count_matches_llama3():
    """Llama 3 saw 246 GPU-related interruptions in 54 days on 16,384 H100. At the default
    rate (21.23 M GPU-hours / 246) the count is Poisson with mean
    16,384 x 1,296 h / 86,300 h = 246.05 (slightly less while failed GPUs are out)."""
    expected = LLAMA3_GPUS * LLAMA3_DAYS * 24 / 86_300
    assert expected == pytest.approx(LLAMA3_GPU_FAILURES, abs=0.5)
    scenario = llama3_cluster()
    counts = np.array(
        [simulate(scenario, seed=7, replication=r).kpis["gpu_failures"] for r in range(40)]
    )
    # mean within 4 standard errors of the Poisson mean; dispersion like a Poisson's
    assert abs(counts.mean() - expected) < 4 * np.sqrt(expected / len(counts))
    ratio = counts.var(ddof=1) / counts.mean()
    low, high = stats.chi2.ppf([0.0005, 0.9995], len(counts) - 1) / (len(counts) - 1)
    assert low < ratio < high
    # the observed 246 is an ordinary draw from the simulated distribution
    assert stats.poisson.cdf(LLAMA3_GPU_FAILURES, counts.mean()) == pytest.approx(0.5, abs=0.2)


def test_failed_gpus_leave_energized_and_come_back():
    result = simulate(llama3_cluster(gpu_failures={"repair_time": "2 days"}), seed=1)
    ts = result.timeseries
    assert ts["gpus_failed"].max() > 0
    assert (ts["gpus_energized"] + ts["gpus_failed"] == LLAMA3_GPUS).iloc[1:].all()
    kpis = result.kpis
    assert 0.99 < kpis["gpu_availability"] < 1
    assert kpis["compute_gpu_days"] < LLAMA3_GPUS * LLAMA3_DAYS


def test_bridging_generation_carries_what_the_grid_cannot():
    """A 20 MW turbine set on its own feeder, online on day 40: the grid path carries
    10 MW until day 60, so from day 40 the two stages (25 MW) run on 10 MW grid + 15 MW
    turbines; from day 60 the grid carries all 25 MW and the turbines retire."""
    scenario = tiny(
        **{
            "grid.generators": [
                {
                    "name": "turbines",
                    "capacity": "20 MW",
                    "lead_time": "40 days",
                    "fuel_cost": "60 USD/MWh",
                    "emissions": "0.5 t/MWh",
                }
            ],
            "halls.0.fed_by": ["xfmr", "turbines"],
            "economics": {"grid_emissions": "0.4 t/MWh"},
        }
    )
    result = simulate(scenario)
    kpis = result.kpis
    assert kpis["first_power_date"] == "2025-02-11"  # granted day 40, energized day 41
    retired = result.events[result.events.event == "generator_retired"]
    assert list(retired.day) == [60]  # the grid alone carries the whole campus from day 60
    bridging = 15 * 24 * (60 - 41)
    assert kpis["bridging_mwh"] == pytest.approx(bridging)
    assert kpis["bridging_fuel_cost_usd"] == pytest.approx(bridging * 60)
    assert kpis["energy_mwh"] == pytest.approx(25 * 24 * (365 - 41))
    grid = kpis["energy_mwh"] - bridging
    assert kpis["grid_energy_mwh"] == pytest.approx(grid)
    assert kpis["electricity_cost_usd"] == pytest.approx(grid * 77.9)
    assert kpis["emissions_t_co2"] == pytest.approx(grid * 0.4 + bridging * 0.5)


def test_burn_in_failures_are_swapped_before_joining():
    """2% infant mortality on 16,384 GPUs: about 328 fail in burn-in (binomial), sit in
    gpus_failed for exactly the 2-day repair, and rejoin their stage."""
    scenario = llama3_cluster(
        **{
            "installation": {"time_per_1000_gpus": "0 days", "burn_in": "1 day"},
            "gpu_failures": {
                "mtbf_per_gpu": "1e12 hours",
                "repair_time": "2 days",
                "burn_in_failure_fraction": 0.02,
            },
        }
    )
    result = simulate(scenario, seed=5)
    events = result.events
    burnt = events[events.event == "burn_in_failures"]
    assert list(burnt.day) == [1]
    failed = int(burnt.amount.iloc[0])
    sd = np.sqrt(LLAMA3_GPUS * 0.02 * 0.98)
    assert abs(failed - LLAMA3_GPUS * 0.02) < 4 * sd
    ts = result.timeseries.set_index("day")
    assert ts.loc[1, "gpus_failed"] == failed
    assert ts.loc[3, "gpus_failed"] == 0  # all swapped by day 3
    assert ts["gpus_energized"].iloc[-1] == LLAMA3_GPUS
