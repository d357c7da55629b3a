"""Invariants over generated scenarios: chips conserved, load never above what the network
delivers, cumulative figures monotone, time moving forward."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dcsim.api import simulate
from dcsim.sim.ledger import GPU_STATES
from dcsim.sim.stage import STAGE_STATUSES
from tests.conftest import tiny

DAYS = st.integers(0, 400)


@st.composite
def scenarios(draw):
    turbines = draw(st.booleans())
    feeds = [["grid"], ["grid", "turbines"]] if turbines else [["grid"]]
    n_xfmr = draw(st.integers(1, 3))
    equipment = [
        {
            "name": f"x{i}",
            "kind": "transformer",
            "capacity": f"{draw(st.integers(5, 60))} MW",
            "fed_by": draw(st.sampled_from(feeds)),
            "lead_time": {
                "dist": "triangular",
                "low": "0 days",
                "mode": f"{draw(DAYS) // 4} days",
                "high": "120 days",
            },
            "install_time": f"{draw(st.integers(0, 30))} days",
            "outages": draw(st.sampled_from([None, {"mtbf": "150 days", "mttr": "9 days"}])),
        }
        for i in range(n_xfmr)
    ]
    halls, planned = [], 0
    for h in range(draw(st.integers(1, 3))):
        count, gpus = draw(st.integers(1, 4)), draw(st.integers(100, 4000))
        planned += count * gpus
        it_mw = math.ceil(count * gpus * 2.5 / 1000) + draw(st.integers(0, 5))
        halls.append(
            {
                "name": f"h{h}",
                "it_capacity": f"{it_mw} MW",
                "pue": draw(st.sampled_from([1.0, 1.08, 1.3])),
                "fed_by": draw(
                    st.lists(
                        st.sampled_from([e["name"] for e in equipment]), min_size=1, unique=True
                    )
                ),
                "construction_start": "2025-01-01",
                "priority": draw(st.integers(0, 2)),
                "shell_time": f"{draw(DAYS) // 2} days",
                "fitout_time": f"{draw(DAYS) // 4} days",
                "stages": {"count": count, "gpus": gpus, "chip": "test-gpu"},
            }
        )
    # Every node must feed a hall (a dangling one is refused at load time).
    used = {name for hall in halls for name in hall["fed_by"]}
    halls[-1]["fed_by"] += [e["name"] for e in equipment if e["name"] not in used]
    if turbines and not any("turbines" in e["fed_by"] for e in equipment):
        equipment[0]["fed_by"] = ["grid", "turbines"]
    steps = sorted(draw(st.lists(DAYS, min_size=1, max_size=5)))
    curtailments = draw(
        st.sampled_from([None, {"per_year": 5, "duration": "4 days", "limit": "10 MW"}])
    )
    schedule = [{"date": "2025-01-01", "capacity": "0 MW"}] + [
        {
            "date": str(np.datetime64("2025-01-01") + day),
            "capacity": f"{draw(st.integers(0, 150))} MW",
            "delay": {"dist": "uniform", "low": "0 days", "high": f"{draw(DAYS) // 8 + 1} days"},
        }
        for day in steps
    ]
    split = draw(st.integers(1, 3))
    counts = [planned // split + (i < planned % split) for i in range(split)]
    orders = [
        {
            "chip": "test-gpu",
            "count": n,
            "order_date": "2025-01-01",
            "batches": min(n, draw(st.integers(1, 4))),
            "lead_time": {"dist": "uniform", "low": "0 days", "high": f"{draw(DAYS)} days"},
        }
        for n in counts
        if n > 0
    ]
    return tiny(
        **{
            "grid.interconnects.0.schedule": schedule,
            "grid.interconnects.0.random_curtailments": curtailments,
            "equipment": equipment,
            "halls": halls,
            "chip_orders": orders,
            "horizon": "600 days",
            "installation.crews": draw(st.sampled_from([None, 1, 2])),
            "construction": {"crews": draw(st.sampled_from([None, 1]))},
            "chip_supply": draw(st.sampled_from([{}, {"test-gpu": "2000 / month"}])),
            "energization.policy": draw(
                st.sampled_from(["fifo", "largest-first", "hall-priority"])
            ),
            "energization.n_minus_1": draw(st.booleans()),
            "gpu_failures": draw(
                st.sampled_from(
                    [
                        None,
                        {
                            "mtbf_per_gpu": "3000 days",
                            "repair_time": "5 days",
                            "burn_in_failure_fraction": 0.05,
                        },
                    ]
                )
            ),
            "grid.generators": [
                {
                    "name": "turbines",
                    "capacity": "20 MW",
                    "lead_time": "50 days",
                    "fuel_cost": "60 USD/MWh",
                    "emissions": "0.5 t/MWh",
                }
            ]
            if turbines
            else [],
        }
    ), planned


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(0, 2**32 - 1))
def test_invariants(generated, seed):
    scenario, planned = generated
    result = simulate(scenario, seed=seed)
    ts = result.timeseries
    # chips conserved: the disjoint states always add up to what was ordered
    assert (ts[list(GPU_STATES)].sum(axis=1) == ts["gpus_ordered"]).all()
    assert (ts[list(GPU_STATES)] >= 0).all().all()
    assert ts["gpus_ordered"].iloc[-1] == planned
    # the load never exceeds what the network can deliver
    assert (ts["facility_mw"] <= ts["deliverable_mw"] + 1e-9).all()
    assert (ts["it_mw"] <= ts["facility_mw"] + 1e-9).all()
    # cumulative figures only grow; time only moves forward
    for column in ("capex_usd_cumulative", "gpus_ordered", "day"):
        assert (np.diff(ts[column]) >= -1e-6).all(), column
    assert (np.diff(result.events["day"]) >= 0).all()
    assert ts["gpus_energized"].max() <= planned
    kpis = result.kpis
    if kpis["full_cluster_date"] is not None:
        assert ts["gpus_energized"].max() == planned
    assert kpis["stranded_gpu_days"] >= 0
    assert 0 <= kpis["bridging_mwh"] <= kpis["energy_mwh"] + 1e-6
    # stage statuses agree with the GPU counts at the horizon
    stages = result.stages
    assert set(stages["status"]) <= set(STAGE_STATUSES)
    energized = stages.loc[stages["status"] == "energized", "gpus"].sum()
    assert ts["gpus_energized"].iloc[-1] + ts["gpus_failed"].iloc[-1] >= energized
    assert ts["gpus_energized"].iloc[-1] <= energized
