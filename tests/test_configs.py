"""Every shipped scenario validates, runs, keeps the invariants and reaches full power."""

from __future__ import annotations

import pytest

from dcsim.api import simulate
from dcsim.config import load_scenario
from dcsim.sim.ledger import GPU_STATES
from tests.conftest import REPO

CONFIGS = sorted((REPO / "configs").glob("*.yaml"))


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.stem)
def test_shipped_config_runs_to_full_cluster(path):
    result = simulate(load_scenario(path), seed=0)
    ts, kpis = result.timeseries, result.kpis
    assert kpis["full_cluster_date"] is not None
    assert kpis["gpus_energized_final"] == kpis["gpus_planned"]
    assert (ts[list(GPU_STATES)].sum(axis=1) == ts["gpus_ordered"]).all()
    assert (ts["facility_mw"] <= ts["deliverable_mw"] + 1e-9).all()


def test_n_minus_1_campus_rides_through_any_single_loss():
    """With every stage admitted under N-1, removing any one piece of equipment still
    carries the final load."""
    from dcsim.sim.model import BuildOut

    model = BuildOut(load_scenario(REPO / "configs" / "campus-n1-gb200.yaml"), seed=0).run()
    network, demand = model.network, model.dispatcher.demand_kw
    assert sum(demand.values()) > 100_000  # kW: the whole campus is committed
    for name in sorted(network.equipment_kw):
        assert network.max_flow_kw(demand, without=(name,)) == sum(demand.values()), name
