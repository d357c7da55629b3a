"""What sets the date, worked out by hand on variants of the tiny scenario.

The tiny campus (tests/conftest.py, days from 2025-01-01): the hall is ready on day 20;
batches of 4,000 GPUs land on days 5 and 15; one crew installs stage 1 on days 20-24 and
stage 2 on 24-28, each then burns in for 2 days (ready for power on days 26 and 30); the
transformer (25 MW) is in service on day 30; the grid gives 10 MW from day 10 and 30 MW
from day 60; each stage needs 12.5 MW and 1 day of commissioning. Each variant below moves
one constraint so that it, and only it, sets the full-cluster date, and the counterfactual
gains follow from the same arithmetic.
"""

from __future__ import annotations

import pandas as pd
import pytest

from dcsim.api import simulate
from dcsim.counterfactuals import explain
from tests.conftest import tiny

GRID_EARLY = {"grid.interconnects.0.schedule.0.capacity": "30 MW"}  # 30 MW from day 10


def chain(result, target: str = "full_cluster") -> list[tuple[str, str, str, float, float]]:
    """The chain as (kind, entity, what, start day, end day)."""
    frame = result.critical_path[result.critical_path["target"] == target]
    origin = pd.Timestamp(result.scenario.start)
    return [
        (
            row.kind,
            row.entity,
            row.what,
            round((row.start_date - origin).total_seconds() / 86400, 6),
            round((row.end_date - origin).total_seconds() / 86400, 6),
        )
        for row in frame.itertuples()
    ]


def gains(scenario) -> dict[str, float]:
    frame = explain(scenario, replications=1)
    return dict(zip(frame["relaxed"], frame["full_cluster_gain_days_mean"], strict=True))


def test_grid_sets_the_date_of_the_tiny_campus():
    # Both stages wait for the 30 MW step on day 60 and are energized on day 61.
    result = simulate(tiny())
    assert result.kpis["date_set_by"] == "grid"
    assert chain(result) == [
        ("grid", "grid", "step 2 to 30 MW", 60, 60),
        ("commissioning", "h1/2", "commissioning", 60, 61),
    ]
    # Grid on day 0: power once the transformer is in (day 30), when stage 2 is ready too:
    # energized day 31, 30 days earlier. Commissioning takes its 1 day away; nothing else
    # is on the chain.
    assert gains(tiny()) == pytest.approx(
        {
            "grid": 30,
            "commissioning": 1,
            "equipment": 0,
            "construction": 0,
            "chips": 0,
            "crews": 0,
            "installation": 0,
            "commissioning + grid": 31,
        }
    )


def test_equipment_sets_the_date_when_the_transformer_is_late():
    # 30 MW from day 10; the transformer arrives on day 50 and is in service on day 60.
    scenario = tiny(**GRID_EARLY, **{"equipment.0.lead_time": "50 days"})
    result = simulate(scenario)
    assert result.kpis["date_set_by"] == "equipment"
    assert chain(result) == [
        ("equipment", "xfmr", "order to delivery", 0, 50),
        ("equipment", "xfmr", "installation", 50, 60),
        ("commissioning", "h1/2", "commissioning", 60, 61),
    ]
    assert gains(scenario)["equipment"] == pytest.approx(30)  # power on day 30: day 31
    assert gains(scenario)["grid"] == pytest.approx(0)


def test_construction_sets_the_date_when_the_shell_is_late():
    # Shell 100 days: the hall is ready on day 105; with unlimited crews both stages install
    # on days 105-109, burn in to 111 and are energized on day 112 (power is there since 30);
    # stage 2 is the last one energized.
    scenario = tiny(**GRID_EARLY, **{"halls.0.shell_time": "100 days", "installation.crews": None})
    result = simulate(scenario)
    assert result.kpis["date_set_by"] == "construction"
    assert chain(result) == [
        ("construction", "h1", "shell", 0, 100),
        ("construction", "h1", "fit-out", 100, 105),
        ("installation", "h1/2", "installation", 105, 109),
        ("installation", "h1/2", "burn-in", 109, 111),
        ("commissioning", "h1/2", "commissioning", 111, 112),
    ]
    # Hall ready on day 0: stage 2's chips land on day 15, it is ready on day 21 and waits
    # for the transformer (day 30): energized day 31, 81 days earlier.
    found = gains(scenario)
    assert found["construction"] == pytest.approx(81)
    assert found["installation"] == pytest.approx(6)  # 4 days installing + 2 burning in
    assert found["crews"] == pytest.approx(0)


def test_chips_set_the_date_when_they_arrive_late():
    # Lead time 100 days: batches land on days 100 and 110. Stage 2 (the second batch) is
    # installed on 110-114, burned in to 116, energized on 117.
    scenario = tiny(**GRID_EARLY, **{"chip_orders.0.lead_time": "100 days"})
    result = simulate(scenario)
    assert result.kpis["date_set_by"] == "chips"
    assert chain(result) == [
        ("chips", "test-gpu order 1", "batch 2/2, 4,000 GPUs", 0, 110),
        ("installation", "h1/2", "installation", 110, 114),
        ("installation", "h1/2", "burn-in", 114, 116),
        ("commissioning", "h1/2", "commissioning", 116, 117),
    ]
    # Chips on day 0: the base tiny timeline with the grid early, energized day 31.
    assert gains(scenario)["chips"] == pytest.approx(86)


def test_crews_set_the_date_when_one_crew_serves_two_stages():
    # Transformer in service on day 20, 30 MW from day 10: stage 1 is energized on day 27;
    # stage 2 waits for the crew from day 20 to 24 and is energized on day 31.
    scenario = tiny(**GRID_EARLY, **{"equipment.0.lead_time": "10 days"})
    result = simulate(scenario)
    assert result.kpis["date_set_by"] == "crews"
    assert chain(result) == [
        ("construction", "h1", "shell", 0, 15),
        ("construction", "h1", "fit-out", 15, 20),
        ("crews", "installation crews", "waited for an installation crew", 20, 24),
        ("installation", "h1/2", "installation", 24, 28),
        ("installation", "h1/2", "burn-in", 28, 30),
        ("commissioning", "h1/2", "commissioning", 30, 31),
    ]
    found = gains(scenario)
    assert found["crews"] == pytest.approx(4)  # both install on 20-24: energized day 27
    assert found["commissioning"] == pytest.approx(1)


def test_two_constraints_that_tie_gain_only_together():
    # The transformer is in service on day 60, the day of the 30 MW step: relaxing either
    # alone leaves the other at day 60; relaxing both gives power from day 0, and the
    # stages are energized when ready, stage 2 on day 31.
    scenario = tiny(**{"equipment.0.lead_time": "50 days"})
    result = simulate(scenario)
    assert result.kpis["days_to_full_cluster"] == pytest.approx(61)
    assert result.kpis["date_set_by"] in ("grid", "equipment")
    frame = explain(scenario)
    found = dict(zip(frame["relaxed"], frame["full_cluster_gain_days_mean"], strict=True))
    assert found["grid"] == pytest.approx(0)
    assert found["equipment"] == pytest.approx(0)
    assert found["commissioning"] == pytest.approx(1)
    frame = explain(scenario, classes=["grid", "equipment"])
    assert frame["relaxed"].iloc[-1] == "equipment + grid"
    assert frame["full_cluster_gain_days_mean"].iloc[-1] == pytest.approx(30)


def test_half_the_gpus_has_its_own_chain():
    # In the crews case, half the GPUs (stage 1) are energized on day 27: hall, install
    # 20-24, burn-in to 26, then power, which is there: commissioning 26-27.
    result = simulate(tiny(**GRID_EARLY, **{"equipment.0.lead_time": "10 days"}))
    assert chain(result, "50pct_gpus")[-3:] == [
        ("installation", "h1/1", "installation", 20, 24),
        ("installation", "h1/1", "burn-in", 24, 26),
        ("commissioning", "h1/1", "commissioning", 26, 27),
    ]


def test_a_date_never_reached_has_no_chain():
    result = simulate(tiny(**{"grid.interconnects.0.schedule.1.capacity": "10 MW"}))
    assert result.kpis["full_cluster_date"] is None
    assert result.kpis["date_set_by"] is None
    assert result.critical_path[result.critical_path["target"] == "full_cluster"].empty


def test_criticality_index_of_a_sweep(tmp_path):
    """Per design point, the share of runs in which each kind set the date. With one crew
    per stage and the grid early: a 15-day shell leaves the transformer (day 30) last, a
    100-day shell makes the hall last, in every replication (durations are fixed)."""
    import yaml

    from dcsim.sweeps.criticality import criticality
    from dcsim.sweeps.experiment import experiment_from_dict
    from dcsim.sweeps.runner import run_sweep
    from tests.conftest import tiny_dict

    base = tmp_path / "tiny.yaml"
    base.write_text(yaml.safe_dump(tiny_dict(**GRID_EARLY, **{"installation.crews": None})))
    experiment = experiment_from_dict(
        {
            "base": str(base),
            "replications": 3,
            "design": {"parameters": {"halls.0.shell_time": ["15 days", "100 days"]}},
        },
        "test",
    )
    result = run_sweep(experiment, tmp_path / "out", executor="serial")
    frame = criticality(result.runs, result.plan.parameters)
    set_by = frame[frame["measure"] == "date_set_by"].set_index(["point", "name"])["share"]
    assert set_by.to_dict() == {(0, "equipment"): 1.0, (1, "construction"): 1.0}
    on_path = frame[frame["measure"] == "entity on path"]
    assert set(on_path.loc[on_path["point"] == 0, "name"]) == {"xfmr"}
    assert set(on_path.loc[on_path["point"] == 1, "name"]) == {"h1"}
    stored = pd.read_parquet(tmp_path / "out" / "criticality.parquet")
    assert len(stored) == len(frame)


def test_gains_chart_has_a_bar_per_relaxation_largest_on_top():
    from dcsim.plots.critical import plot_gains

    frame = explain(tiny(), replications=2)
    ax = plot_gains(frame)
    labels = [label.get_text() for label in ax.get_yticklabels()]
    assert sorted(labels) == sorted(frame["relaxed"])
    assert labels[-1] == "commissioning + grid"  # 31 days, drawn at the top
    assert len(ax.patches) == len(frame)
    assert "days gained" in ax.get_xlabel()


def test_explain_refuses_bad_seeds_and_counts_in_one_line(cli):
    from dcsim.errors import UserInputError

    done = cli("explain", "configs/meta-100k-h100.yaml", "--seed", "-1")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        "error: seed -1: expected a whole number from 0 to 9223372036854775807"
    ]
    for bad in ({"replications": 0}, {"replications": 1.5}, {"classes": ["weather"]}):
        with pytest.raises(UserInputError):
            explain(tiny(), **bad)


def _on_a_terminal(*args: str, cwd) -> tuple[int, str, str]:
    """``python -m dcsim ARGS`` with stderr on a pseudo-terminal and stdout through a pipe,
    as ``dcsim explain ... > table.txt`` in a shell: (status, stdout, what the terminal
    received)."""
    import os
    import pty
    import subprocess
    import sys

    terminal, child = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "dcsim", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=child,
        env={**os.environ, "TERM": "xterm"},
    )
    os.close(child)
    received = []
    while True:
        try:
            data = os.read(terminal, 65536)
        except OSError:  # EIO: the child has closed the terminal
            break
        if not data:
            break
        received.append(data)
    with process:
        out = process.stdout.read().decode()
    os.close(terminal)
    return process.returncode, out, b"".join(received).decode(errors="replace")


@pytest.mark.parametrize("json_output", [False, True])
def test_explain_shows_progress_on_a_terminal_only(cli, tmp_path, json_output):
    """A bar counting the paired runs on stderr when stderr is a terminal; nothing there
    otherwise; stdout (the table or --json) is the same either way."""
    import re

    import yaml

    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny().model_dump(mode="json", exclude_none=True)))
    args = ["explain", str(path), "--replications", "2", *(["--json"] if json_output else [])]
    piped = cli(*args)
    assert piped.returncode == 0, piped.stderr
    assert piped.stderr == ""
    status, out, terminal = _on_a_terminal(*args, cwd=tmp_path)
    assert status == 0, terminal
    assert out == piped.stdout
    runs = 2 * (1 + len(explain(tiny())))  # the base, each relaxation and the pair, twice
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", terminal)  # colours, cursor moves
    assert re.search(rf"explain .* {runs}/{runs} ", shown), shown
