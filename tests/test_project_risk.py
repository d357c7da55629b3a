"""Project risk: a shock shared by the whole campus stops every hall's construction at once.

The tiny campus with unlimited crews, worked out by hand (``tests/conftest.py``):

- plain: the hall breaks ground on day 0, its shell takes 15 days and its fit-out 5, so it
  is ready on day 20; batches of 4,000 GPUs land on days 5 and 15 and wait for it:
  4,000 x 15 + 4,000 x 5 = 80,000 GPU-days of construction. The grid's 30 MW step (day 60)
  sets the full cluster: day 61.
- a redesign pause striking 10 days after ground-breaking and lasting 60 days stops the
  shell on day 10 with 5 days of it left; work resumes on day 70, the shell is done on
  day 75, the fit-out on day 80: the hall moves by exactly the 60 days of the pause.
  Chips idle behind it: days 5-10, 4,000 x 5 = 20,000 (construction); days 10-70, the
  pause: 4,000 x 5 + 8,000 x 55 = 460,000 (project_risk); days 70-80, 8,000 x 10 = 80,000
  (construction, 100,000 in all). Both stages install on days 80-84, burn in to 86 and
  (the grid reached 30 MW on day 60) are energized on day 87: ``explain`` gains 26 days
  by taking the shock away.
"""

from __future__ import annotations

import copy
import functools
import itertools
import json

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dcsim import constraints
from dcsim.api import simulate
from dcsim.config import scenario_from_dict
from dcsim.config.schema import ProjectShock
from dcsim.counterfactuals import explain
from dcsim.sim.construction import run_through
from dcsim.sim.holds import Pause
from tests.conftest import DEFAULT_CONFIG, tiny, tiny_dict

UNLIMITED_CREWS = {"installation.crews": None}
PAUSE = {"kind": "redesign_pause", "probability": 1, "duration": "60 days", "window": "10 days"}


def _paused(**more):
    return tiny(**UNLIMITED_CREWS, project_risk=[PAUSE], **more)


def _days(result, event: str) -> dict[str, float]:
    rows = result.events[result.events.event == event]
    return dict(zip(rows.entity, rows.day, strict=True))


def test_project_risk_is_in_every_derived_list():
    assert "project_risk" in constraints.relaxable()
    assert "project_risk" in constraints.stranded_rows()
    assert "project_risk" in constraints.constraint_kinds()
    assert "constraint_gpu_days.project_risk" in constraints.kpi_columns()


def test_a_pause_moves_the_hall_by_its_length_and_is_charged_its_waits():
    plain = simulate(tiny(**UNLIMITED_CREWS))
    paused = simulate(_paused())
    assert _days(plain, "hall_ready") == {"h1": 20}
    assert _days(paused, "hall_ready") == {"h1": 80}
    assert _days(paused, "install_start") == {"h1/1": 80, "h1/2": 80}
    waits = paused.kpis["constraint_gpu_days"]
    assert waits["project_risk"] == 460_000
    assert waits["construction"] == 100_000
    assert plain.kpis["constraint_gpu_days"]["construction"] == 80_000
    assert paused.kpis["binding_constraint"] == "project_risk"
    assert (plain.kpis["days_to_full_cluster"], paused.kpis["days_to_full_cluster"]) == (61, 87)


def test_the_stop_is_logged_and_drawn_on_the_schedule():
    from dcsim.plots.run import schedule_bars

    result = simulate(_paused())
    events = result.events[result.events.event.str.startswith("construction_")]
    assert events[["day", "event", "entity"]].values.tolist() == [
        [0, "construction_start", "h1"],
        [10, "construction_stopped", "h1"],
        [70, "construction_resumed", "h1"],
    ]
    assert events.days.tolist()[1:] == [60, 60]
    bars = schedule_bars(result.events).set_index("phase")
    stop = bars.loc["stopped (project risk)"]
    assert (str(stop.start.date()), str(stop.end.date())) == ("2025-01-11", "2025-03-12")


def test_the_pause_is_on_the_critical_path_between_the_shell_pieces():
    result = simulate(_paused())
    chain = result.critical_path[result.critical_path.target == "full_cluster"]
    assert chain.kind.tolist()[:4] == [
        "construction",
        "project_risk",
        "construction",
        "construction",
    ]
    assert chain.what.tolist()[:4] == ["shell", "redesign pause", "shell", "fit-out"]
    assert chain.days.tolist()[:4] == [10, 60, 5, 5]


def test_the_pause_sets_the_date_when_it_moves_the_hall_onto_the_path():
    """By hand (module docstring): without the shock the grid's day-60 step sets the full
    cluster (day 61); with it the hall is ready on day 80, after the step, so the chain
    runs shell - pause - shell - fit-out - installation. The fit-out would have been done
    by day 20 without the stop: the stop set the date, and ``date_set_by`` names it."""
    assert simulate(tiny(**UNLIMITED_CREWS)).kpis["date_set_by"] == "grid"
    assert simulate(_paused()).kpis["date_set_by"] == "project_risk"


def test_a_pause_off_the_path_leaves_the_date_to_the_grid():
    """A 10-day stop (days 10-20) makes the hall ready on day 30, still before the grid's
    day-60 step: the stop is off the chain of the full cluster, which the grid sets."""
    short = {**PAUSE, "duration": "10 days"}
    result = simulate(tiny(**UNLIMITED_CREWS, project_risk=[short]))
    assert _days(result, "hall_ready") == {"h1": 30}
    assert result.kpis["date_set_by"] == "grid"


def test_set_by_names_construction_for_a_build_not_stopped():
    from dcsim.critical_path import set_by
    from dcsim.sim.trace import Link

    def link(kind: str, entity: str) -> Link:
        return Link(kind, entity, kind, 0.0, 1.0, "", -1)

    stopped = [link("construction", "h1"), link("project_risk", "h1"), link("construction", "h1")]
    assert set_by([*stopped, link("installation", "h1/1")]) == "project_risk"
    # a stop of another hall earlier on the chain (then a grid wait) is not this build's
    other = [link("project_risk", "h0"), link("grid", "grid"), link("construction", "h1")]
    assert set_by(other) == "construction"


def test_explain_relaxes_project_risk():
    frame = explain(_paused()).set_index("relaxed")
    assert frame.loc["project_risk", "full_cluster_gain_days_mean"] == 87 - 61


def test_every_hall_of_the_campus_moves_by_the_same_pause():
    # a second hall breaks ground on day 5 (ready on day 25 without the shock); the
    # pause (days 10-70) meets both while they are building, so both move by 60 days
    second = copy.deepcopy(tiny_dict()["halls"][0])
    second |= {"name": "h2", "construction_start": "2025-01-06", "it_capacity": "10 MW"}
    second["stages"] = {"count": 1, "gpus": 4000, "chip": "test-gpu"}
    data = tiny_dict(**UNLIMITED_CREWS)
    data["halls"].append(second)
    plain = simulate(scenario_from_dict(data, "two halls"))
    data["project_risk"] = [PAUSE]
    paused = simulate(scenario_from_dict(data, "two halls"))
    assert _days(plain, "hall_ready") == {"h1": 20, "h2": 25}
    assert _days(paused, "hall_ready") == {"h1": 80, "h2": 85}


def test_a_shock_that_does_not_strike_changes_nothing():
    """Its draws come from its own stream, so a shock with probability 0 (or one that
    strikes after every hall is ready) leaves the run exactly as without it."""
    plain = simulate(tiny(**UNLIMITED_CREWS))
    for shock in ({**PAUSE, "probability": 0}, {**PAUSE, "window": "20 days"}):
        other = simulate(tiny(**UNLIMITED_CREWS, project_risk=[shock]))
        assert other.kpis == plain.kpis
        assert other.events.equals(plain.events)


def test_a_dated_shock_strikes_on_its_day():
    dated = {**PAUSE, "window": "300 days", "strikes_on": "2025-01-11"}  # day 10
    result = simulate(tiny(**UNLIMITED_CREWS, project_risk=[dated]))
    assert _days(result, "hall_ready") == {"h1": 80}


@pytest.mark.parametrize(
    ("probability", "u", "days", "strikes"),
    [
        (0.0, 0.0, 30, False),  # probability 0: never
        (1.0, 0.999, 30, True),  # probability 1: always
        (0.2, 0.2, 30, False),  # u must fall below the probability
        (0.2, 0.19, 30, True),
        (1.0, 0.0, 0, False),  # a stop of no length is none
    ],
)
def test_whether_a_shock_strikes(probability, u, days, strikes):
    shock = ProjectShock(kind="financing_pause", probability=probability, duration="30 days")
    assert shock.strikes(u, days) is strikes


def _pause(start: float, end: float) -> Pause:
    return Pause("project_risk", "project_risk", start, end, "pause", "", None, None)


@pytest.mark.parametrize(
    ("pauses", "pieces"),
    [
        ([], [(0, 20, 20, False)]),
        ([(-10, 0)], [(0, 20, 20, False)]),  # over before the work begins
        ([(20, 50)], [(0, 20, 20, False)]),  # strikes once the work is done
        ([(5, 15)], [(0, 5, 5, False), (5, 15, 0, True), (15, 30, 15, False)]),
        ([(-5, 5)], [(0, 5, 0, True), (5, 25, 20, False)]),  # under way at ground-breaking
        # overlapping stops: the second adds only what the first did not already cover
        (
            [(5, 15), (10, 25)],
            [(0, 5, 5, False), (5, 15, 0, True), (15, 25, 0, True), (25, 40, 15, False)],
        ),
    ],
)
def test_run_through_by_hand(pauses, pieces):
    got = run_through(0.0, 20.0, [_pause(*p) for p in pauses])
    assert [(p.start, p.end, p.days, p.pause is not None) for p in got] == pieces


@settings(max_examples=20, deadline=None)
@given(
    start=st.floats(-100, 100),
    work=st.floats(0, 100),
    stops=st.lists(st.tuples(st.floats(-100, 200), st.floats(0, 100)), max_size=4),
)
def test_run_through_does_all_the_work_and_is_late_by_at_most_the_stops(start, work, stops):
    pieces = run_through(start, work, [_pause(s, s + d) for s, d in stops])
    assert sum(p.days for p in pieces) == pytest.approx(work)
    end = pieces[-1].end
    assert start + work - 1e-9 <= end <= start + work + sum(d for _, d in stops) + 1e-9
    assert all(a.end == b.start for a, b in itertools.pairwise(pieces))


def _full_cluster_days(risk: list[dict], replications: int = 60) -> np.ndarray:
    """Days to the full cluster of the default campus; a run that does not reach it within
    the horizon counts as the horizon, as ``dcsim explain`` counts it."""
    data = yaml.safe_load(DEFAULT_CONFIG.read_text()) | {"project_risk": risk}
    scenario = scenario_from_dict(data, "default campus")
    days = (
        simulate(scenario, seed=0, replication=r).kpis["days_to_full_cluster"]
        for r in range(replications)
    )
    return np.array([scenario.horizon if d is None else d for d in days])


@functools.cache
def _plain_full_cluster_days() -> np.ndarray:
    return _full_cluster_days([])


@settings(max_examples=3, deadline=None)
@given(
    kind=st.sampled_from(["permit_challenge", "financing_pause"]),
    probability=st.floats(0.1, 0.6),
    longest=st.integers(240, 480),
)
def test_a_shared_shock_widens_the_band_of_the_default_campus(kind, probability, longest):
    """At equal seeds, P10-P90 of the days to the full cluster is wider with a shock of the
    size of a real redesign pause (months; Meta's late-2022 pauses ran about a year) than
    without: the campus moves together, which independent per-hall draws cannot do."""
    shock = {
        "kind": kind,
        "probability": probability,
        "duration": {"dist": "uniform", "low": f"{longest // 2} days", "high": f"{longest} days"},
        "window": {"dist": "uniform", "low": "0 days", "high": "450 days"},
    }

    def width(days: np.ndarray) -> float:
        return float(np.percentile(days, 90) - np.percentile(days, 10))

    assert width(_full_cluster_days([shock])) > width(_plain_full_cluster_days())


def test_the_command_line_runs_and_explains_a_paused_campus(cli, tmp_path):
    path = tmp_path / "paused.yaml"
    path.write_text(yaml.safe_dump(tiny_dict(**UNLIMITED_CREWS, project_risk=[PAUSE])))
    done = cli("run", path, "--json")
    assert done.returncode == 0, done.stderr
    kpis = json.loads(done.stdout)
    assert kpis["constraint_gpu_days"]["project_risk"] == 460_000
    assert kpis["days_to_full_cluster"] == 87
    done = cli("explain", path, "--json")
    assert done.returncode == 0, done.stderr
    rows = {row["relaxed"]: row for row in json.loads(done.stdout)["relaxations"]}
    assert rows["project_risk"]["full_cluster_gain_days_mean"] == 26


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("probability", 1.5, "project_risk.0.probability"),
        ("probability", ".nan", "project_risk.0.probability"),
        ("duration", "-5 days", "project_risk.0.duration"),
        ("kind", "meteor", "project_risk.0.kind"),
    ],
)
def test_bad_project_risk_is_refused_in_one_line(cli, tmp_path, field, value, expected):
    data = tiny_dict(project_risk=[{**PAUSE, field: "@@"}])
    text = yaml.safe_dump(data).replace("'@@'", str(value))
    path = tmp_path / "risk.yaml"
    path.write_text(text)
    done = cli("validate", path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and str(path) in lines[0]


def _fleet(tmp_path, shared_risk) -> dict:
    campus = tmp_path / "tiny.yaml"
    campus.write_text(yaml.safe_dump(tiny_dict(**UNLIMITED_CREWS)))
    later = {"halls.0.construction_start": "2025-01-06"}
    return {
        "fleet": "owners",
        "start": "2025-01-01",
        "horizon": "365 days",
        "regions": [{"name": "r"}],
        "sites": [
            {"name": "o1", "region": "r", "scenario": str(campus), "owner": "o"},
            {"name": "o2", "region": "r", "scenario": str(campus), "owner": "o", "set": later},
            {"name": "p", "region": "r", "scenario": str(campus), "owner": "p"},
        ],
        "shared_risk": shared_risk,
    }


def test_a_shared_shock_stops_every_site_of_its_owner_and_no_other(tmp_path):
    """The owner's first ground-breaking is o1's, day 0: the 60-day stop strikes on day 10.
    o1 is the tiny campus above (full on day 87 instead of 61). o2 broke ground on day 5:
    5 of its 15 shell days are done by day 10, the other 10 run on days 70-80, the fit-out
    to 85 (ready 60 days late); both stages install on days 85-89, burn in to 91 and are
    energized on day 92. p, another owner's site, is the plain campus: day 61."""
    from dcsim.fleet import run_fleet

    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(_fleet(tmp_path, [{**PAUSE, "owner": "o"}])))
    sites = run_fleet(path).sites.set_index("site")
    assert sites.full_cluster_date.to_dict() == {
        "o1": "2025-03-29",  # day 87
        "o2": "2025-04-03",  # day 92
        "p": "2025-03-03",  # day 61
    }
    assert sites.loc["o1", "binding_constraint"] == "project_risk"


@pytest.mark.parametrize(
    ("shock", "expected"),
    [
        ({**PAUSE, "owner": "nobody"}, "owner(s) ['nobody'] of no site"),
        ({**PAUSE, "owner": "o", "strikes_on": "2025-02-01"}, "give a window"),
    ],
)
def test_a_bad_shared_shock_is_refused_in_one_line(cli, tmp_path, shock, expected):
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump(_fleet(tmp_path, [shock])))
    done = cli("fleet", path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and str(path) in lines[0]


def test_two_overlapping_shocks_stop_the_hall_once_for_their_union():
    """Listed latest first: a permit challenge on days 40-100 and the redesign pause on
    days 10-70. The hall stops from day 10 to 100 (90 days, not 120): shell 10 + 5 days,
    fit-out 5, ready on day 110. Chips idle days 10-100 are project risk's:
    4,000 x 5 + 8,000 x 85 = 700,000 GPU-days."""
    challenge = {**PAUSE, "kind": "permit_challenge", "window": "40 days"}
    result = simulate(tiny(**UNLIMITED_CREWS, project_risk=[challenge, PAUSE]))
    assert _days(result, "hall_ready") == {"h1": 110}
    waits = result.kpis["constraint_gpu_days"]
    assert waits["project_risk"] == 700_000
    assert waits["construction"] == 20_000 + 8_000 * 10
