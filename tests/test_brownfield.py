"""Brownfield capacity: a region's powered shells, taken a whole hall at a time in file
order, retrofitted in place of a new build and powered outside the region's queue."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import TypeAdapter

from dcsim.config.build_modes import mode_durations
from dcsim.distributions import Duration
from dcsim.fleet import run_fleet
from dcsim.fleet.brownfield import first_fit
from dcsim.fleet.loader import load_fleet, site_plans
from tests.conftest import fit_days, shipped_durations

REPO = Path(__file__).resolve().parent.parent
CLUSTER = REPO / "configs" / "fleet" / "sites" / "meta-24k-cluster.yaml"
#: The cluster's one hall: 35 MW IT x PUE 1.08.
HALL_MW = 35 * 1.08


def test_first_fit_by_hand():
    assert first_fit(100, [40, 70, 30, 40]) == ([True, False, True, False], 30)
    assert first_fit(0, [1]) == ([False], 0)
    assert first_fit(50, []) == ([], 50)


def fleet(shells: str | None) -> dict:
    """Two copies of the 24k cluster in a region whose queue connects nothing within the
    two-year horizon (a year of study, then ten years of upgrades)."""
    region = {
        "name": "r",
        "queue": {"ordering": "cluster", "upgrade_time": "10 years"},
    }
    if shells is not None:
        region["brownfield"] = {"mw": shells, "retrofit_time": "100 days"}
    return {
        "fleet": "shells",
        "start": "2023-01-01",
        "horizon": "2 years",
        "regions": [region],
        "sites": [{"name": "c", "region": "r", "scenario": str(CLUSTER), "count": 2}],
    }


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_shells_go_whole_halls_first_come_and_skip_the_queue(tmp_path):
    # 40 MW of shells hold one 37.8-MW hall: the first copy takes it, the second cannot.
    path = write(tmp_path, fleet("40 MW"))
    plans = site_plans(load_fleet(path), path)
    first, second = (plan.scenario.halls[0] for plan in plans)
    assert plans[0].shells == {"shell-hall"} and not plans[1].shells
    assert first.shell_time.value == 0 and first.fitout_time.value == 100
    assert first.fed_by == ["shell-hall", "utility"] and second.fed_by == ["utility"]
    service = plans[0].scenario.grid.interconnects[-1]
    assert service.schedule[0].capacity == pytest.approx(HALL_MW)
    sites = run_fleet(path).sites.set_index("site")
    # The first copy is energized from its shell; the second waits for the queue in vain.
    assert sites.loc["c-1", "gpus_energized_final"] == 24_576
    assert sites.loc["c-2", "gpus_energized_final"] == 0


#: The cluster as a new standard hall that writes its own times, so that a hall taken into
#: a shell visibly changes mode and times and the one left out visibly keeps them.
OWN_TIMES = {
    "halls.0.build_mode": "standard",
    "halls.0.shell_time": "3 months",
    "halls.0.fitout_time": {
        "dist": "triangular",
        "low": "4 months",
        "mode": "6 months",
        "high": "8 months",
    },
}


@pytest.mark.parametrize("calibration", [None, "dcsim"])
def test_a_hall_in_a_shell_is_a_conversion_with_the_modes_durations(tmp_path, calibration):
    """Without a region retrofit_time, a hall taken into a shell becomes a ``conversion``:
    no shell time and the mode's fit-out, from the site's calibration file (``dcsim``: the
    shipped fit, lognormal with the file's conversion median) or, with ``calibration: null``, the
    mode's cited fallback (triangular 2-3-4 months); the hall that found no shell keeps its
    own times."""
    data = fleet("40 MW")
    del data["regions"][0]["brownfield"]["retrofit_time"]
    data["sites"][0]["set"] = {**OWN_TIMES, "calibration": calibration}
    path = write(tmp_path, data)
    first, second = (plan.scenario.halls[0] for plan in site_plans(load_fleet(path), path))
    expected = mode_durations("conversion", calibration, first.construction_start)
    assert first.build_mode == "conversion" and first.shell_time.value == 0
    assert first.fitout_time == TypeAdapter(Duration).validate_python(expected["fitout_time"])
    if calibration == "dcsim":
        shipped = shipped_durations("conversion", first.construction_start)["fitout_time"]
        assert first.fitout_time.frozen().median() == pytest.approx(fit_days(shipped))
    else:
        assert (first.fitout_time.low, first.fitout_time.high) == (2 * 30.4375, 4 * 30.4375)
    assert second.build_mode == "standard" and second.shell_time.value == 3 * 30.4375
    assert second.fitout_time.high == 8 * 30.4375


def test_without_shells_nothing_is_energized(tmp_path):
    sites = run_fleet(write(tmp_path, fleet(None))).sites
    assert (sites.gpus_energized_final == 0).all()


@pytest.mark.parametrize(
    ("brownfield", "expected"),
    [
        ({"mw": "-5 MW"}, "regions.0.brownfield.mw: Input should be greater than or equal"),
        ({"mw": "10 MW", "retrofit_time": "-1 day"}, "brownfield.retrofit_time: Input"),
        ({"mw": "10 MW", "area": 5}, "brownfield.area: unknown field"),
    ],
)
def test_bad_brownfield_refused_in_one_line(cli, tmp_path, brownfield, expected):
    data = fleet(None)
    data["regions"][0]["brownfield"] = brownfield
    done = cli("validate", write(tmp_path, data))
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], lines


def test_meta_fleet_before_and_after_its_powered_shells(tmp_path):
    """configs/fleet/meta-2024.yaml: 300 MW of shells hold seven of the campuses' 38.88-MW
    halls (first fit, in file order: four of the first campus, three of the second), and
    the fleet energizes more of the 350,000-H100 target than without them."""
    path = REPO / "configs" / "fleet" / "meta-2024.yaml"
    after = load_fleet(path)
    shells = next(r.brownfield for r in after.regions if r.brownfield)
    plans = site_plans(after, path)
    in_shells = [len(plan.shells) for plan in plans]
    hall_mw = plans[2].scenario.halls[0].facility_capacity_mw
    assert hall_mw == pytest.approx(36 * 1.08)
    assert sum(in_shells) == int(shells.mw // hall_mw) == 7 and in_shells[2:] == [4, 3, 0]
    data = yaml.safe_load(path.read_text())
    for region in data["regions"]:
        region.pop("brownfield", None)
    for site in data["sites"]:
        site["scenario"] = str((path.parent / site["scenario"]).resolve())
    before = run_fleet(write(tmp_path, data)).kpis["gpus_energized_final"]
    energized = run_fleet(path).kpis["gpus_energized_final"]
    assert before < 350_000 / 3 < 350_000 / 2 < energized < 350_000


def test_meta_fleet_campuses_enter_the_large_load_process_in_their_upgrades(tmp_path):
    """configs/fleet/meta-2024.yaml: the campuses' 170-MW requests enter studied, expected
    in service on the fleet's last day or later, so within the horizon each has only its
    first tranche, half its MW from the headroom on day 0 (3 x 85 = 255 MW, all of it). The
    third campus holds no shell: its halls run on that tranche alone, and without headroom
    it energizes nothing. Seed 5: with seeds 0-2 the third campus's halls (the calibrated
    standard build) are not ready by the end of 2024, so the grid could not show."""
    path = REPO / "configs" / "fleet" / "meta-2024.yaml"
    fleet = load_fleet(path)
    process = next(r.large_load for r in fleet.regions if r.large_load)
    state = next(s.queue_state for s in fleet.sites if s.queue_state)
    assert state.stage == "upgrades" and state.in_service >= fleet.end
    request_mw = 170.0  # the campus file's largest utility step
    tranche = min(process.first_tranche * request_mw, process.headroom / 3)
    result = run_fleet(path, seed=5)
    requests = result.requests
    assert list(requests["energized_mw"]) == pytest.approx([tranche] * 3)
    assert list(requests["first_power_day"]) == [0.0] * 3
    third = result.sites.set_index("site").loc["campus-100k-3", "gpus_energized_final"]
    data = yaml.safe_load(path.read_text())
    next(r for r in data["regions"] if "large_load" in r)["large_load"]["headroom"] = "0 MW"
    for site in data["sites"]:
        site["scenario"] = str((path.parent / site["scenario"]).resolve())
    starved = run_fleet(write(tmp_path, data), seed=5).sites.set_index("site")
    assert third > 0 and starved.loc["campus-100k-3", "gpus_energized_final"] == 0
