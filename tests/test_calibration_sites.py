"""A dataset site as a dcsim scenario, and its milestones simulated."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dcsim.calibration.dataset import load_sites
from dcsim.calibration.observations import durations
from dcsim.calibration.sites import gpu_count, simulate_site, site_scenario
from dcsim.config.catalog import builtin_catalog
from tests.conftest import fit_days, shipped_durations

TINY = Path(__file__).parent / "data" / "sites" / "tiny.csv"


@pytest.fixture(scope="module")
def sites():
    return {site.site_id: site for site in load_sites(TINY).sites}


def test_a_conversion_site_is_one_hall_of_pods_with_the_modes_durations(sites):
    scenario = site_scenario(sites["alpha-conversion"])
    (hall,) = scenario.halls
    assert (hall.stages.count, hall.stages.gpus, hall.stages.chip) == (4, 5000, "h100-sxm")
    assert hall.shell_time.mean() == 0 and scenario.build_mode == "conversion"
    assert str(scenario.start) == "2024-03-01" == str(hall.construction_start)
    assert scenario.chip_orders[0].count == 20000
    # dcsim's scaled defaults: 3 crews per 100,000 GPUs rounded up (0.6 -> 1), and one
    # monthly shipment per 40,000 GPUs (20,000 -> 1).
    assert scenario.installation.crews == 1 and scenario.chip_orders[0].batches == 1


def test_a_site_names_its_calibration_and_is_uncalibrated_without_one(sites):
    # The backtest's "defaults" baseline: the conversion fallback, triangular 2-3-4 months
    # of fit-out, not the shipped fit (lognormal, the file's conversion median) a scenario
    # that names no calibration gets.
    month = 365.25 / 12
    fallback = site_scenario(sites["alpha-conversion"]).halls[0].fitout_time
    assert (fallback.low, fallback.mode, fallback.high) == pytest.approx(
        (2 * month, 3 * month, 4 * month)
    )
    fitted = site_scenario(sites["alpha-conversion"], calibration="dcsim").halls[0]
    start = sites["alpha-conversion"].first("construction_start").date
    shipped = shipped_durations("conversion", start)["fitout_time"]
    assert fitted.fitout_time.median == pytest.approx(fit_days(shipped))


def test_sizes_come_from_count_or_planned_mw_and_unknown_chips_get_a_proxy(sites):
    # 50 MW of GB200 at 1,833.3 W x 1.10 per GPU.
    gb200 = builtin_catalog()["gb200"].it_kw
    assert gpu_count(sites["beta-standard"]) == round(50_000 / gb200)
    tents = site_scenario(sites["gamma-tents"])
    assert "ascend-910c" in tents.chips and tents.halls[0].stages.chip == "ascend-910c"
    assert tents.chips["ascend-910c"].system_power_per_gpu == pytest.approx(
        builtin_catalog()["h100-sxm"].system_power_per_gpu
    )


def test_after_construction_a_pod_takes_install_burn_in_and_commissioning(sites):
    # Once the hall is ready: 5,000 GPUs at 4 days per 1,000 with the campus's one crew
    # (20 days), burn-in 7 and commissioning 5 days = 32 days, unless the chips (8-12 weeks
    # after ordering, in one shipment) come later than the hall.
    site = sites["alpha-conversion"]
    wanted = durations(site)
    days, construction = simulate_site(site_scenario(site), wanted, 40, seed=1)
    after = days[:, 0] - construction
    assert np.all(after >= 32 - 1e-9)
    assert np.median(after) == pytest.approx(32)
    # 20,000 GPUs are four pods racked one after another by the one crew: the last is
    # energized 3 x 20 = 60 days after the first.
    assert np.allclose(days[:, 1] - days[:, 0], 60)
    # The same seed draws the same days.
    assert np.array_equal(simulate_site(site_scenario(site), wanted, 40, seed=1)[0], days)


def test_a_stated_grid_feeds_the_campus(sites):
    site = sites["alpha-conversion"]
    fed = type(site)(**{**site.__dict__, "grid_mw": 40.0, "onsite_generation_mw": 10.0})
    (interconnect,) = site_scenario(fed).grid.interconnects
    assert interconnect.schedule[0].capacity == pytest.approx(50 * 1.01)


def test_a_capacity_the_site_reached_is_carried_by_its_feed(sites):
    """Alpha reached 20,000 GPUs: a stated 5 MW grid is not all it had. The feed carries
    the reached IT load at the scenario's PUE (1.08), 1% headroom on top."""
    site = sites["alpha-conversion"]
    fed = type(site)(**{**site.__dict__, "grid_mw": 5.0})
    scenario = site_scenario(fed)
    (interconnect,) = scenario.grid.interconnects
    it_kw = builtin_catalog()["h100-sxm"].it_kw
    assert interconnect.schedule[0].capacity == pytest.approx(20_000 * it_kw / 1000 * 1.08 * 1.01)


def test_no_site_of_the_shipped_dataset_is_forecast_never_for_a_date_it_reached():
    """Every milestone the shipped dataset says was reached (exact, interval or 'reached
    by') is reached in simulation at the fallback durations: a 'never' there is a power
    path the site scenario lacks (Abilene's on-site gas plant was one)."""
    from dcsim.calibration.dataset import shipped_sites
    from dcsim.calibration.sites import HORIZON_YEARS

    never = HORIZON_YEARS * 365.25
    missed = []
    for site in load_sites(shipped_sites()).sites:
        wanted = [d for d in durations(site) if d.censored != "right"]
        if wanted:
            days, _ = simulate_site(site_scenario(site), wanted, 2, seed=0)
            missed += [
                (site.site_id, d.milestone, d.value)
                for i, d in enumerate(wanted)
                if (days[:, i] > never).any()
            ]
    assert missed == []
