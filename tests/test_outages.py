"""Equipment outages, N-1 ride-through, curtailment windows and generator retirement,
on the tiny scenario (two 12.5 MW stages energized on day 61; see test_golden.py)."""

from __future__ import annotations

import pytest

from dcsim.api import simulate
from tests.conftest import tiny

OUTAGE = [{"date": "2025-04-11", "duration": "20 days"}]  # days 100-120


def _events(result, kind: str) -> list[tuple[float, str]]:
    events = result.events
    rows = events[events.event == kind]
    return list(zip(rows.day, rows.entity, strict=True))


def test_single_transformer_outage_sheds_and_restores_the_exact_window():
    result = simulate(tiny(**{"equipment.0.forced_outages": OUTAGE}))
    assert _events(result, "equipment_outage") == [(100, "xfmr")]
    assert _events(result, "equipment_restored") == [(120, "xfmr")]
    assert _events(result, "shed") == [(100, "h1/2"), (100, "h1/1")]  # reverse FIFO
    assert _events(result, "energized") == [
        (61, "h1/1"),
        (61, "h1/2"),
        (120, "h1/1"),
        (120, "h1/2"),
    ]
    kpis = result.kpis
    assert kpis["stage_hours_shed"] == pytest.approx(2 * 20 * 24)
    assert kpis["shed_mwh"] == pytest.approx(25 * 20 * 24)
    assert kpis["curtailed_mwh"] == 0
    assert kpis["energy_mwh"] == pytest.approx(25 * 24 * (365 - 61 - 20))


def test_n_minus_1_design_rides_through_the_same_outage():
    spare = {
        "name": "xfmr-2",
        "kind": "transformer",
        "capacity": "25 MW",
        "fed_by": ["grid"],
        "lead_time": "20 days",
        "install_time": "10 days",
    }
    scenario = tiny(
        **{
            "equipment": [
                {**tiny().equipment[0].model_dump(mode="json"), "forced_outages": OUTAGE},
                spare,
            ],
            "halls.0.fed_by": ["xfmr", "xfmr-2"],
            "energization.n_minus_1": True,
        }
    )
    result = simulate(scenario)
    assert _events(result, "equipment_outage") == [(100, "xfmr")]
    assert _events(result, "shed") == []
    assert result.kpis["stage_hours_shed"] == 0
    assert result.kpis["energy_mwh"] == pytest.approx(25 * 24 * (365 - 61))


def test_n_minus_1_holds_back_load_a_single_loss_would_drop():
    """Two 15 MW transformers: 25 MW fits on both, but losing either leaves 15 MW, so under
    N-1 only one 12.5 MW stage may be energized."""
    spare = {
        "name": "xfmr-2",
        "kind": "transformer",
        "capacity": "15 MW",
        "fed_by": ["grid"],
        "lead_time": "20 days",
        "install_time": "10 days",
    }
    first = {**tiny().equipment[0].model_dump(mode="json"), "capacity": "15 MW"}
    scenario = tiny(
        **{
            "equipment": [first, spare],
            "halls.0.fed_by": ["xfmr", "xfmr-2"],
            "energization.n_minus_1": True,
        }
    )
    result = simulate(scenario)
    assert result.kpis["gpus_energized_final"] == 4000
    assert result.kpis["binding_constraint"] == "equipment"


def test_curtailment_window_sheds_and_counts_curtailed_energy():
    scenario = tiny(
        **{
            "grid.interconnects.0.curtailments": [
                {"date": "2025-04-11", "duration": "50 days", "limit": "15 MW"}
            ]
        }
    )
    result = simulate(scenario)
    assert _events(result, "shed") == [(100, "h1/2")]
    assert _events(result, "energized")[-1] == (150, "h1/2")
    kpis = result.kpis
    assert kpis["curtailed_mwh"] == pytest.approx(12.5 * 50 * 24)
    assert kpis["stage_hours_shed"] == pytest.approx(50 * 24)
    ts = result.timeseries.set_index("day")
    assert ts.loc[100, "interconnect_mw"] == pytest.approx(15)
    assert ts.loc[150, "interconnect_mw"] == pytest.approx(30)


def test_random_outages_and_curtailments_are_reproducible():
    scenario = tiny(
        **{
            "equipment.0.outages": {"mtbf": "60 days", "mttr": "5 days"},
            "grid.interconnects.0.random_curtailments": {
                "per_year": 6,
                "duration": "3 days",
                "limit": "12 MW",
            },
        }
    )
    first, again = simulate(scenario, seed=3), simulate(scenario, seed=3)
    assert first.kpis == again.kpis
    assert len(_events(first, "equipment_outage")) > 0
    assert len(_events(first, "curtailment_start")) > 0
    assert first.kpis["shed_mwh"] > 0
