"""THE acceptance test of the constraint registry: a class declared outside dcsim/ (a toy
building permit, tests/plugins/toy_permit.py) takes part in a run through the public
plug-in point alone. Its timeline in the tiny campus, worked out by hand:

- batches land on days 5 and 15 (4,000 GPUs each), the hall is ready on day 20;
- the permit holds both stages until day 100, so the 8,000 delivered GPUs sit idle in the
  warehouse from day 20 to 100 behind the permit: 8,000 x 80 = 640,000 GPU-days; before
  day 20 they waited for the hall: 4,000 x 10 + 8,000 x 5 = 80,000 GPU-days (construction);
- with unlimited crews both stages install on days 100-104, burn in to 106 and (the grid
  reached 30 MW on day 60) are commissioned by day 107: the permit sets the date;
- relaxed, the campus is the plain tiny one with unlimited crews: grid-bound, full on day
  61, so ``explain`` gains 46 days by relaxing the permit.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
import yaml

from dcsim import constraints
from dcsim.api import simulate
from dcsim.counterfactuals import explain
from tests.conftest import tiny, tiny_dict

PLUGINS = Path(__file__).resolve().parent / "plugins"
sys.path.insert(0, str(PLUGINS))

from toy_permit import PERMIT  # noqa: E402

UNLIMITED_CREWS = {"installation.crews": None}


@pytest.fixture
def permit():
    constraints.register(PERMIT)
    yield PERMIT
    constraints.unregister(PERMIT.name)


def test_the_permit_is_in_every_derived_list(permit):
    assert "permit" in constraints.relaxable()
    assert "permit" in constraints.stranded_rows()
    assert "permit" in constraints.constraint_kinds()
    assert "constraint_gpu_days.permit" in constraints.kpi_columns()


def test_the_permit_gates_a_stage_and_is_charged_its_waits(permit):
    result = simulate(tiny(**UNLIMITED_CREWS))
    events = result.events
    starts = events[events.event == "install_start"].day.tolist()
    assert starts == [100, 100]
    waits = result.kpis["constraint_gpu_days"]
    assert waits["permit"] == 640_000
    assert waits["construction"] == 80_000
    assert waits["grid"] == 0
    assert result.kpis["binding_constraint"] == "permit"
    assert result.kpis["days_to_full_cluster"] == 107


def test_the_permit_sets_the_date_on_the_critical_path(permit):
    result = simulate(tiny(**UNLIMITED_CREWS))
    assert result.kpis["date_set_by"] == "permit"
    chain = result.critical_path[result.critical_path.target == "full_cluster"]
    assert chain.kind.tolist() == ["permit", "installation", "installation", "commissioning"]
    assert chain.what.iloc[0] == "building permit granted"


def test_explain_relaxes_the_permit(permit):
    frame = explain(tiny(**UNLIMITED_CREWS)).set_index("relaxed")
    assert frame.loc["permit", "full_cluster_gain_days_mean"] == 107 - 61
    assert frame.index[0] == "permit"  # the largest gain comes first


def test_a_run_without_the_plugin_is_the_plain_campus():
    result = simulate(tiny(**UNLIMITED_CREWS))
    assert "permit" not in result.kpis["constraint_gpu_days"]
    assert result.kpis["days_to_full_cluster"] == 61
    assert result.kpis["date_set_by"] == "grid"


def test_a_second_class_cannot_take_a_name_in_use(permit):
    with pytest.raises(ValueError, match="name 'permit' is taken"):
        constraints.register(PERMIT)
    with pytest.raises(ValueError, match="name 'crews' is taken"):
        constraints.register(constraints.plugin("crews", **_texts(), wire=lambda run: None))


def _texts() -> dict[str, str]:
    return {"meaning": "m", "relaxing": "r", "attribution": "a", "gates": "g", "links": "l"}


@pytest.fixture
def installed(tmp_path):
    """The toy permit installed as a distribution with a ``dcsim.constraints`` entry point,
    as a package would be by pip: the environment a real command line runs in."""
    info = tmp_path / "toy_permit-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-permit\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[dcsim.constraints]\npermit = toy_permit:PERMIT\n")
    scenario = tmp_path / "tiny.yaml"
    scenario.write_text(yaml.safe_dump(tiny_dict(**UNLIMITED_CREWS)))
    path = os.pathsep.join([str(tmp_path), str(PLUGINS), os.environ.get("PYTHONPATH", "")])
    return scenario, {**os.environ, "PYTHONPATH": path}


def test_the_command_line_runs_and_explains_an_installed_plugin(installed, cli):
    scenario, env = installed
    done = cli("run", scenario, "--json", env=env)
    assert done.returncode == 0, done.stderr
    kpis = json.loads(done.stdout)
    assert kpis["constraint_gpu_days"]["permit"] == 640_000
    assert kpis["date_set_by"] == "permit"
    assert kpis["critical_path"][0]["kind"] == "permit"
    done = cli("explain", scenario, "--json", env=env)
    assert done.returncode == 0, done.stderr
    rows = {row["relaxed"]: row for row in json.loads(done.stdout)["relaxations"]}
    assert rows["permit"]["full_cluster_gain_days_mean"] == 46


# --- A plug-in that holds a source back: the air permit -------------------------------
#
# The tiny campus with unlimited crews and a 10 MW turbine (built on day 10) beside the
# grid's 10 MW, both behind the 25 MW transformer (in service on day 30). Both stages
# (12.5 MW each) ask for power on day 26. Without the permit, stage 1 fits on day 30
# (20 MW of sources) and stage 2 on day 60 (the grid's 30 MW). The permit holds the
# turbine to day 45, so until then the sources are the grid's 10 MW alone. The permit is
# charged only what lifting it would have let through: the turbine's 10 MW more would carry
# stage 1 but not both stages (25 MW > 20), so from day 26 to 45 stage 1 is the permit's
# (4,000 GPUs x 19 days = 76,000 GPU-days) and stage 2 the grid's. Stage 1 fits on day 45;
# stage 2 is short of sources until 60 with nothing held: grid 4,000 x (19 + 15) = 136,000
# GPU-days. Half the GPUs are energized on day 46, after the permit.


def _with_turbine() -> dict:
    turbine = {"name": "gt", "capacity": "10 MW", "lead_time": "10 days"}
    return {
        **UNLIMITED_CREWS,
        "grid.generators": [turbine],
        "equipment.0.fed_by": ["grid", "gt"],
    }


@pytest.fixture
def air_permit():
    from toy_air_permit import AIR_PERMIT

    constraints.register(AIR_PERMIT)
    yield AIR_PERMIT
    constraints.unregister(AIR_PERMIT.name)


def test_a_held_generator_charges_the_shortfall_to_its_permit(air_permit):
    result = simulate(tiny(**_with_turbine()))
    waits = result.kpis["constraint_gpu_days"]
    assert waits["turbine_permit"] == 4_000 * 19
    assert waits["grid"] == 4_000 * (19 + 15)
    assert result.kpis["date_50pct_gpus"] == "2025-02-16"  # day 46
    chain = result.critical_path[result.critical_path.target == "50pct_gpus"]
    assert chain.kind.tolist() == ["turbine_permit", "commissioning"]


def test_explain_relaxes_the_air_permit(air_permit):
    row = explain(tiny(**_with_turbine()), classes=["turbine_permit"]).iloc[0]
    assert row["relaxed"] == "turbine_permit"
    assert row["50pct_gain_days_mean"] == 46 - 31  # stage 1 energized on day 31 instead
    assert row["full_cluster_gain_days_mean"] == 0  # stage 2 waits for the grid either way


@pytest.fixture
def registered():
    """Register plug-ins for one test, and take them away after it."""
    added = []

    def add(name, wire):
        added.append(constraints.register(constraints.plugin(name, **_texts(), wire=wire)))

    yield add
    for constraint in added:
        constraints.unregister(constraint.name)


def test_a_plugin_can_charge_its_row_and_draw_from_its_own_stream(registered):
    drawn = []

    def wire(run):
        drawn.append(run.stream("site").random())
        run.charge(100, 2.5)

    registered("levy", wire)
    runs = [simulate(tiny(), seed=3) for _ in range(2)]
    assert [run.kpis["constraint_gpu_days"]["levy"] for run in runs] == [250, 250]
    assert drawn[0] == drawn[1]  # the same named stream on the same seed


def test_a_hold_on_a_stage_that_does_not_exist_is_refused(registered):
    registered("typo", lambda run: run.hold_stage("h9/1", run.env.event()))
    with pytest.raises(KeyError, match="typo: no stage 'h9/1'"):
        simulate(tiny())
