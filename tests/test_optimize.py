"""dcsim optimize: the objective's arithmetic, a hand-worked optimum, resume after SIGKILL,
re-evaluation intervals, and one line per mistake in a decision file."""

from __future__ import annotations

import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

from dcsim.cli import main
from dcsim.optimization.evaluate import record
from dcsim.optimization.objective import (
    COST_PARTS,
    costs,
    crew_months,
    interval,
    shortfall_gpu_days,
    statistic,
)
from dcsim.results import events as event_table
from dcsim.sim.model import BuildOut
from dcsim.units import DAYS_PER_YEAR
from tests.conftest import tiny

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "data" / "optimize" / "tiny-bridging-decisions.yaml"
BRIDGING = ROOT / "configs" / "xai-memphis-bridging.yaml"


def test_shortfall_counts_missing_gpus_from_the_target_date():
    days = np.array([0.0, 10.0, 30.0, 50.0])
    energized = np.array([0, 50, 100, 100])
    # From day 5: 5 days x 100 missing, then 20 days x 50 missing, then none.
    assert shortfall_gpu_days(days, energized, 100, 5.0) == 5 * 100 + 20 * 50
    assert shortfall_gpu_days(days, energized, 100, -10.0) == 10 * 100 + 20 * 50
    assert shortfall_gpu_days(days, energized, 100, 60.0) == 0


def test_costs_add_carrying_and_undelivered_compute():
    kpis = {
        "capex_usd": 100.0,
        "electricity_cost_usd": 10.0,
        "bridging_fuel_cost_usd": 1.0,
        "stranded_capex_usd_years": 1000.0,
    }
    parts = costs(kpis, shortfall=2.0, cost_of_capital=0.1, value_per_gpu_hour=3.0)
    assert parts["carrying_cost_usd"] == 100.0
    assert parts["undelivered_compute_usd"] == 2 * 24 * 3.0
    assert parts["total_cost_usd"] == 100 + 10 + 1 + 100 + 144


def test_crews_are_paid_from_the_first_installation_to_the_last():
    installs = [(0.0, 10.0), (5.0, 15.0), (15.0, 20.0), (40.0, 45.0)]
    month = DAYS_PER_YEAR / 12
    assert crew_months(installs, crews=3) == 3 * 45 / month  # hired crews, idle or not
    # Unlimited: as many as ever installed at once (two; a crew freed on day 15 is reused).
    assert crew_months(installs, crews=None) == 2 * 45 / month
    assert crew_months([], crews=4) == 0.0
    kpis = dict.fromkeys(("capex_usd", "electricity_cost_usd", "bridging_fuel_cost_usd"), 0.0)
    parts = costs(kpis | {"stranded_capex_usd_years": 0.0}, 0.0, 0.1, 3.0, 2.5, 1000.0)
    assert parts["crew_cost_usd"] == parts["total_cost_usd"] == 2500.0


def test_a_run_pays_its_crews_for_its_installation_window():
    """Two crews on the tiny campus: the record's crew cost is two crews times the days
    from its first installation start to its last installation end, at the given rate."""
    scenario = tiny(**{"installation.crews": 2, "economics": {"crew_usd_per_month": 300_000}})
    model = BuildOut(scenario, seed=0).run()
    numbers = record(model, 0.0)
    events = event_table(model)
    starts = events.loc[events.event == "install_start", "day"]
    assert len(starts) == 2
    window = max(starts) + 4.0 - min(starts)  # 4,000 GPUs at 1 day per 1,000 each
    assert numbers["crew_cost_usd"] == pytest.approx(2 * window / (DAYS_PER_YEAR / 12) * 3e5)
    assert numbers["total_cost_usd"] == pytest.approx(
        sum(numbers[part] for part in COST_PARTS), rel=1e-12
    )


def test_statistics_and_intervals():
    values = np.arange(1.0, 11.0)  # 1..10
    assert statistic(values, "mean") == 5.5
    assert statistic(values, "P90") == 9.0
    assert statistic(values, "CVaR80") == 9.5  # mean of the worst 2
    assert statistic(values, "CVaR80", high_is_bad=False) == 1.5
    estimate, low, high = interval(values, "mean")
    assert low < estimate == 5.5 < high
    # Paired with a baseline that differs by a constant, the difference is exact.
    assert interval(values + 3, "mean", baseline=values) == (3.0, 3.0, 3.0)
    estimate, low, high = interval(values, "P90")
    assert low <= estimate <= high


def expected_turbine_mw(mw_values: list[float]) -> tuple[float, float]:
    """The tiny scenario by hand: a C MW turbine carries floor(C) 1 MW stages of 1,000 GPUs
    from day 0; the grid adds one stage every 100 days. GPU-days short = 100 x 1,000 x
    sum over the five grid steps j of max(0, 5 - j - floor(C)); each costs 24 USD (1 USD
    per GPU-hour) and each MW 6 MUSD."""

    def cost(mw: float) -> float:
        short = 100 * 1000 * sum(max(0, 5 - j - math.floor(mw)) for j in range(5))
        return 6e6 * mw + 24 * short

    best = min(mw_values, key=cost)
    return best, cost(best)


def test_finds_the_hand_worked_optimum_within_one_step(tmp_path, capsys):
    grid = [1 + 0.5 * i for i in range(9)]
    best_mw, best_cost = expected_turbine_mw(grid)
    code = main(["optimize", str(TINY), "--out", str(tmp_path / "study"), "--json"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    found = float(result["best"]["decisions"]["grid.generators.0.capacity"].split()[0])
    assert abs(found - best_mw) <= 0.5
    if found == best_mw:
        assert result["best"]["objective"]["estimate"] == pytest.approx(best_cost)
    # The scenario of the best decision runs on its own.
    assert main(["validate", str(tmp_path / "study" / "best.yaml")]) == 0


def _decision_file(tmp_path: Path, **changes) -> Path:
    data = {
        "base": str(BRIDGING),
        "set": {"energization": {}},
        "decisions": {
            "grid.generators.0.capacity": {
                "low": "40 MW",
                "high": "160 MW",
                "step": "40 MW",
                "scales": {"grid.generators.0.cost": "1.4 MUSD/MW"},
            },
            "energization.policy": {"choices": ["fifo", "largest-first"]},
        },
        "trials": 4,
        "replications": 2,
        "reevaluate": {"replications": 8, "top": 1},
    }
    data.update(changes)
    path = tmp_path / "decisions.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_reevaluation_reports_intervals_on_fresh_seeds(tmp_path):
    import dcsim

    result = dcsim.optimize(_decision_file(tmp_path), out=tmp_path / "study")
    assert result["replications"] == [2, 9]  # fresh: the search used 0 and 1
    best = result["best"]
    objective = best["objective"]
    assert objective["low"] < objective["estimate"] < objective["high"]
    paired = best["versus_base"]
    assert paired["low"] <= paired["estimate"] <= paired["high"]
    assert best["costs"]["total_cost_usd"] == pytest.approx(
        sum(best["costs"][part] for part in result["cost_parts"])
    )
    stored = json.loads((tmp_path / "study" / "result.json").read_text())
    assert stored["best"]["candidate"] == best["candidate"]


def _completed(database: Path) -> list[tuple]:
    with sqlite3.connect(database) as db:
        return db.execute(
            "SELECT t.number, v.value FROM trials t JOIN trial_values v "
            "ON v.trial_id = t.trial_id WHERE t.state = 'COMPLETE' ORDER BY t.number"
        ).fetchall()


def test_resume_after_sigkill_keeps_every_finished_trial_once(tmp_path):
    decisions = _decision_file(tmp_path, trials=14)
    out = tmp_path / "study"
    command = [sys.executable, "-m", "dcsim", "optimize", str(decisions), "--out", str(out)]
    command += ["--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    before: list[tuple] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if (out / "study.db").exists():
            try:
                before = _completed(out / "study.db")
            except sqlite3.OperationalError:  # tables not created yet, or locked
                before = []
            if len(before) >= 3:
                break
        time.sleep(0.05)
    assert process.poll() is None, "the study ended before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    before = _completed(out / "study.db")
    assert 3 <= len(before) < 14
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    after = _completed(out / "study.db")
    assert len(after) == 14
    assert len({number for number, _ in after}) == 14
    assert set(before) <= set(after)  # the same trials, with the same values


@pytest.mark.parametrize(
    ("decisions", "changes", "expected"),
    [
        (
            {"grid.generator.0.capacity": {"low": "10 MW", "high": "20 MW"}},
            {},
            "decisions.grid.generator.0.capacity: grid.generator: no such field",
        ),
        (
            {"installation.crews": {"low": 8, "high": 2}},
            {},
            "decisions.installation.crews: low (8) must be below high (2)",
        ),
        (
            {"grid.generators.0.capacity": {"low": "1 week", "high": "2 weeks"}},
            {},
            "decisions.grid.generators.0.capacity: grid.generators.0.capacity: expected a power",
        ),
        (
            {"installation.crews": {"low": 2, "high": 8}},
            {"objective": {"kpi": "total_costs"}},
            "objective.kpi: unknown KPI 'total_costs'",
        ),
    ],
    ids=["unknown-path", "low-above-high", "wrong-dimension", "unknown-kpi"],
)
def test_bad_decision_files_get_one_line_and_exit_2(tmp_path, capsys, decisions, changes, expected):
    path = _decision_file(tmp_path, decisions=decisions, **changes)
    for command in (["validate", str(path)], ["optimize", str(path), "--out", str(tmp_path / "o")]):
        assert main(command) == 2
        lines = capsys.readouterr().err.strip().splitlines()
        assert len(lines) == 1, lines
        assert lines[0].startswith(f"error: {path}: ")
        assert expected in lines[0]
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "name", ["xai-bridging-decisions.yaml", "campus-transformer-decisions.yaml"]
)
def test_shipped_decision_files_validate(name, capsys):
    assert main(["validate", str(ROOT / "experiments" / name)]) == 0
    assert capsys.readouterr().out.startswith("ok: decision file")


def test_dcsim_optimize_is_the_function_even_after_the_package_is_imported():
    import dcsim
    import dcsim.optimization

    assert callable(dcsim.optimize)
    assert dcsim.optimize is dcsim.optimization.optimize


def test_within_noise_of_the_best():
    """A candidate ties with the best when the 95% interval of its paired difference to the
    best reaches zero; without an interval (one replication), only an equal estimate ties."""
    from dcsim.optimization.reevaluate import within_noise

    def row(estimate, low, high):
        return {"versus_best": {"estimate": estimate, "low": low, "high": high}}

    assert within_noise(row(2.0, -1.0, 5.0), high_is_bad=True)
    assert not within_noise(row(2.0, 0.5, 5.0), high_is_bad=True)
    assert within_noise(row(-2.0, -5.0, 1.0), high_is_bad=False)
    assert not within_noise(row(-2.0, -5.0, -0.5), high_is_bad=False)
    assert within_noise(row(0.0, math.nan, math.nan), high_is_bad=True)
    assert not within_noise(row(1.0, math.nan, math.nan), high_is_bad=True)


def test_reevaluation_names_the_decisions_within_the_noise_of_the_best(tmp_path):
    import dcsim

    decisions = _decision_file(tmp_path, reevaluate={"replications": 6, "top": 3})
    result = dcsim.optimize(decisions, out=tmp_path / "study")
    near = result["near_optimal"]
    assert near[0] == result["best"]["candidate"]
    by_name = {c["candidate"]: c for c in result["candidates"]}
    assert by_name[near[0]]["versus_best"]["estimate"] == 0
    for name in near:
        assert by_name[name]["feasible"] and by_name[name]["versus_best"]["low"] <= 0
    for name in set(by_name) - set(near):
        row = by_name[name]
        assert not row["feasible"] or row["versus_best"]["low"] > 0


def test_report_of_an_optimize_directory(tmp_path):
    """``dcsim report`` on what ``dcsim optimize --out`` wrote: the candidates with their
    intervals, the near-optimal set and the trials figure (it said "runs.parquet not
    found" before; issue 23, defect 2)."""
    import dcsim

    out = tmp_path / "study"
    dcsim.optimize(_decision_file(tmp_path), out=out)
    assert main(["report", str(out), "--out", str(tmp_path / "report.html")]) == 0
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    for text in ("within noise", "minus best, paired", "optimize-trials", "(the base scenario)"):
        assert text in html
