"""A request entered in the queue where it stands at the fleet start: in its upgrades with
an expected in-service date (and a drawn slip), or still in study keeping its filing date;
contradictory stages and dates are refused in one line."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import simpy
import yaml
from pydantic import TypeAdapter
from test_fleet_cli import FLEET

from dcsim.config.loader import apply_overrides
from dcsim.distributions import Duration
from dcsim.fleet import run_fleet
from dcsim.fleet.queue import Entered, RegionQueue
from dcsim.fleet.schema import Queue
from dcsim.units import DAYS_PER_YEAR

duration = TypeAdapter(Duration).validate_python


def test_entered_in_upgrades_operates_at_in_service_plus_slip_and_skips_the_study():
    spec = Queue.model_validate(
        {"ordering": "fcfs", "studies_per_year": DAYS_PER_YEAR / 10, "upgrade_time": "100 days"}
    )
    env = simpy.Environment()
    region = RegionQueue(env, "r", spec, np.random.default_rng(1), 1000)
    entered = region.submit("old", -400, 50, entered=Entered(-100.0, 50.0, duration("10 days")))
    no_date = region.submit("older", -500, 50, entered=Entered(-30.0, None, duration("0 days")))
    fresh = region.submit("new", 0, 50)
    region.start()
    env.run(until=1000)
    # In service on day 50 plus its 10-day slip; without a date, 100 days after its study.
    assert entered.value == 60.0 and no_date.value == 70.0
    assert list(region.study_end) == [-100.0, -30.0, 10.0]
    # The entered requests are not studied again: the new one is studied first, on day 10.
    assert fresh.value == 110.0


def fleet_with(state: dict | None, **site) -> dict:
    data = apply_overrides(FLEET, {"start": "2024-01-01", "regions.0.queue.background": None})
    data["sites"][0].update(site)
    if state is not None:
        data["sites"][0]["queue_state"] = state
    return data


def test_a_fleet_site_in_upgrades_gets_its_grid_power_on_its_in_service_date(tmp_path):
    state = {
        "stage": "upgrades",
        "filed": "2021-05-01",
        "study_complete": "2023-02-01",
        "in_service": "2025-06-01",
    }
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(fleet_with(state)))
    result = run_fleet(path)
    request = result.requests.set_index("site").loc["q"]
    start = dt.date(2024, 1, 1)
    assert request.request_day == (dt.date(2021, 5, 1) - start).days
    assert request.study_end_day == (dt.date(2023, 2, 1) - start).days
    assert request.operation_day == (dt.date(2025, 6, 1) - start).days
    first = result.sites.set_index("site").loc["q", "first_power_date"]
    assert first is None or first >= "2025-06-01"


@pytest.mark.parametrize(
    ("state", "site", "expected"),
    [
        (
            {"stage": "study", "filed": "2023-01-01", "study_complete": "2023-06-01"},
            {},
            "stage study contradicts study_complete",
        ),
        ({"stage": "upgrades", "filed": "2023-01-01"}, {}, "stage upgrades needs study_complete"),
        (
            {"stage": "upgrades", "filed": "2023-01-01", "study_complete": "2022-01-01"},
            {},
            "study_complete 2022-01-01 before filed 2023-01-01",
        ),
        (
            {
                "stage": "upgrades",
                "filed": "2022-01-01",
                "study_complete": "2023-01-01",
                "in_service": "2022-06-01",
            },
            {},
            "in_service 2022-06-01 before study_complete 2023-01-01",
        ),
        (
            {"stage": "upgrades", "filed": "2023-01-01", "study_complete": "2024-06-01"},
            {},
            "queue_state.study_complete: 2024-06-01 is after the fleet start",
        ),
        ({"stage": "study", "filed": "2025-01-01"}, {}, "queue_state.filed: 2025-01-01 is after"),
        ({"stage": "study", "filed": "2023-01-01"}, {"region": "west"}, "has no queue"),
        (
            {"stage": "study", "filed": "2023-01-01"},
            {"request_date": "2023-01-01"},
            "give request_date or queue_state.filed, not both",
        ),
        ({"stage": "built", "filed": "2023-01-01"}, {}, "queue_state.stage: Input should be"),
    ],
)
def test_contradictions_refused_in_one_line(cli, tmp_path, state, site, expected):
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(fleet_with(state, **site)))
    done = cli("validate", path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and expected in lines[0], lines
