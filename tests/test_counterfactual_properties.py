"""Counterfactual properties over generated campuses.

On a campus whose power never steps down (no curtailment, outages, failures or
generators to retire), a stage that fits once always fits, so the last stage is admitted
at ``max(first day the network carries every stage, last day a stage is ready)`` whatever
order the greedy controller admits them in. With stages that all take the same fixed time
to install, burn in and commission, and the same number of GPUs, the last ready day cannot
grow when any input comes earlier (list scheduling of identical jobs is monotone). So
relaxing any one constraint class can never make the full cluster later (on the same
draws), and relaxing all of them gives the bound worked out here: day 0 if the network,
with everything in service at its largest level, carries every stage, else never.
Where stages differ in commissioning time, greedy admission does allow an anomaly; the
docs (docs/model.md, "Counterfactuals") show one.
"""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dcsim.config import scenario_from_dict
from dcsim.constraints import relaxable
from dcsim.counterfactuals import run_outcome
from dcsim.topology import PowerNetwork
from dcsim.units import to_kw
from tests.conftest import TINY

DAYS = st.integers(0, 300)


def spread(draw, centre: int) -> dict:
    """A triangular duration around ``centre`` days (random, so CRN matters)."""
    return {
        "dist": "triangular",
        "low": f"{centre} days",
        "mode": f"{centre + draw(st.integers(0, 30))} days",
        "high": f"{centre + 60} days",
    }


@st.composite
def campuses(draw) -> dict:
    steps, level, day = [], 0, 0
    for _ in range(draw(st.integers(1, 3))):
        level += draw(st.integers(5, 40))
        day += draw(st.integers(0, 200))
        steps.append(
            {
                "date": _date(day),
                "capacity": f"{level} MW",
                "delay": spread(draw, 0),
            }
        )
    equipment = [
        {
            "name": f"x{i}",
            "kind": "transformer",
            "capacity": f"{draw(st.integers(10, 80))} MW",
            "fed_by": ["grid"],
            "lead_time": spread(draw, draw(DAYS) // 2),
            "install_time": f"{draw(st.integers(0, 30))} days",
        }
        for i in range(draw(st.integers(1, 3)))
    ]
    gpus = draw(st.sampled_from([500, 1000, 2000]))
    halls, planned = [], 0
    for h in range(draw(st.integers(1, 3))):
        count = draw(st.integers(1, 3))
        planned += count * gpus
        halls.append(
            {
                "name": f"h{h}",
                "it_capacity": f"{count * gpus * 2.5 / 1000 + draw(st.integers(0, 3))} MW",
                "pue": draw(st.sampled_from([1.0, 1.2])),
                "fed_by": draw(
                    st.lists(
                        st.sampled_from([e["name"] for e in equipment]), min_size=1, unique=True
                    )
                ),
                "construction_start": _date(draw(st.integers(0, 60))),
                "shell_time": spread(draw, draw(DAYS) // 3),
                "fitout_time": f"{draw(st.integers(0, 60))} days",
                "stages": {"count": count, "gpus": gpus, "chip": "test-gpu"},
            }
        )
    # Every transformer must feed a hall (a dangling one is refused at load time).
    used = {name for hall in halls for name in hall["fed_by"]}
    halls[-1]["fed_by"] += [e["name"] for e in equipment if e["name"] not in used]
    return {
        "name": "generated",
        "start": "2025-01-01",
        "horizon": "6 years",
        "chips": copy.deepcopy(TINY["chips"]),  # test-gpu: 2.5 kW of IT load per GPU
        "grid": {"interconnects": [{"name": "grid", "schedule": steps}]},
        "equipment": equipment,
        "halls": halls,
        "chip_orders": [
            {
                "chip": "test-gpu",
                "count": planned,
                "order_date": _date(draw(st.integers(0, 100))),
                "batches": draw(st.integers(1, 4)),
                "batch_interval": spread(draw, 0),
                "lead_time": spread(draw, draw(DAYS) // 2),
            }
        ],
        "chip_supply": draw(st.sampled_from([{}, {"test-gpu": f"{gpus} / month"}])),
        "installation": {
            "crews": draw(st.sampled_from([None, 1, 2])),
            "time_per_1000_gpus": f"{draw(st.integers(1, 10))} days",
            "burn_in": f"{draw(st.integers(0, 10))} days",
        },
        "energization": {
            "commissioning_time": f"{draw(st.integers(0, 10))} days",
            "policy": draw(st.sampled_from(["fifo", "largest-first", "hall-priority"])),
            "n_minus_1": draw(st.booleans()),
        },
    }


def _date(day: int) -> str:
    import datetime as dt

    return (dt.date(2025, 1, 1) + dt.timedelta(days=day)).isoformat()


def carries_everything(scenario) -> bool:
    """The bound's condition: with all equipment in service and every interconnect at its
    largest level, the network carries every stage (under N-1 if the scenario asks)."""
    from dcsim.sim.model import BuildOut

    model = BuildOut(scenario)
    network = PowerNetwork(scenario.power_graph(), model.network.hall_capacity_kw)
    for interconnect in scenario.grid.interconnects:
        network.set_source(interconnect.name, to_kw(max(s.capacity for s in interconnect.schedule)))
    for equipment in scenario.equipment:
        network.set_in_service(equipment.name, True)
    demand = dict.fromkeys(network.halls, 0)
    for stage in model.stages:
        demand[stage.hall] += stage.facility_kw
    return network.carries(demand, scenario.energization.n_minus_1)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(campuses(), st.integers(0, 3))
def test_relaxing_a_constraint_never_makes_the_full_cluster_later(raw, replication):
    scenario = scenario_from_dict(raw, "generated")
    base = run_outcome(scenario, 0, replication, frozenset()).full_cluster_day
    for name in relaxable():
        relaxed = run_outcome(scenario, 0, replication, frozenset({name})).full_cluster_day
        if base is None:
            continue  # nothing to be later than
        assert relaxed is not None and relaxed <= base + 1e-9, (name, base, relaxed)
    everything = run_outcome(scenario, 0, replication, frozenset(relaxable())).full_cluster_day
    assert everything == (0.0 if carries_everything(scenario) else None)
