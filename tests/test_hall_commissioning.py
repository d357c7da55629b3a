"""A hall may commission its stages in its own time; the others take the scenario's."""

from __future__ import annotations

from dcsim.api import simulate
from dcsim.config import scenario_from_dict


def two_halls(b_commissioning: str | None) -> dict:
    """Two ready halls of one 5,000-GPU H100 stage each, chips on site on day 0, unlimited
    crews and power to spare: each stage is installed in 5 x 4 = 20 days, burned in for 7
    and commissioned for the scenario's 5 days unless its hall says otherwise."""
    hall = {
        "it_capacity": "8 MW",
        "fed_by": ["grid"],
        "construction_start": "2025-01-01",
        "shell_time": "0 days",
        "fitout_time": "0 days",
        "stages": {"count": 1, "gpus": 5000, "chip": "h100-sxm"},
    }
    b = {**hall, "name": "b"}
    if b_commissioning is not None:
        b["commissioning_time"] = b_commissioning
    return {
        "name": "two-halls",
        "start": "2025-01-01",
        "horizon": "365 days",
        "grid": {
            "interconnects": [
                {"name": "grid", "schedule": [{"date": "2025-01-01", "capacity": "50 MW"}]}
            ]
        },
        "halls": [{**hall, "name": "a"}, b],
        "chip_orders": [
            {"count": 10_000, "order_date": "2025-01-01", "lead_time": "0 days", "batches": 1}
        ],
        "installation": {"crews": None},
    }


def energized_days(data: dict) -> dict[str, float]:
    """Each stage's day of energization, from the run's event log."""
    events = simulate(scenario_from_dict(data)).events
    energized = events[events["event"] == "energized"]
    return dict(zip(energized["entity"], energized["day"], strict=True))


def test_a_hall_with_its_own_commissioning_time_takes_it():
    # a: 20 + 7 + 5 = day 32; b: 20 + 7 + 20 = day 47.
    assert energized_days(two_halls("20 days")) == {"a/1": 32, "b/1": 47}


def test_a_hall_without_one_takes_the_scenarios():
    assert energized_days(two_halls(None)) == {"a/1": 32, "b/1": 32}
    assert scenario_from_dict(two_halls(None)).halls[1].commissioning_time is None
