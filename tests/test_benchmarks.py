"""The benchmark scripts run and print what they promise (figures are never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def benchmark(script: str, *args: str) -> dict:
    completed = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / script), "--json", *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return json.loads(completed.stdout)  # one JSON object, nothing else


def test_run_benchmark_prints_its_figures():
    figures = benchmark("run.py", "--rounds", "1", "--per-round", "2", "--fleet-sites", "0")
    for key in (
        "replication_seconds",
        "model_events_per_s",
        "simpy_timeout_events_per_s",
        "model_to_bare_ratio",
        "max_flow_formula_us",
        "max_flow_scipy_us",
    ):
        assert figures[key] > 0, key
    assert figures["events_per_replication"] > 100  # the default scenario: ~320 events


def test_run_benchmark_adds_the_fleet_when_asked():
    figures = benchmark("run.py", "--rounds", "1", "--per-round", "1", "--fleet-sites", "20")
    assert figures["fleet_sites"] == 20
    assert figures["fleet_20_seconds"] > 0 and figures["fleet_20_peak_rss_mb"] > 0
    without = benchmark("run.py", "--rounds", "1", "--per-round", "1", "--fleet-sites", "0")
    assert "fleet_sites" not in without


def test_event_floor_skeleton_makes_the_models_events():
    """The skeleton is only a ceiling for the model if it makes about the same events."""
    model = benchmark("run.py", "--rounds", "1", "--per-round", "1", "--fleet-sites", "0")
    floor = benchmark("event_floor.py", "--rounds", "1", "--per-round", "2")
    assert (
        abs(floor["skeleton_events"] - model["events_per_replication"])
        <= 0.1 * model["events_per_replication"]
    )
    assert floor["skeleton_to_bare_ratio"] > 0


def test_explain_benchmark_prints_its_figures():
    figures = benchmark("explain.py", "--rounds", "1", "--per-round", "2")
    assert figures["explain_seconds"] > 0
    # base, 8 classes of the default campus (the calibrated project stop among them), one pair
    assert figures["runs"] == 2 * (1 + 9)


def test_sweep_benchmark_prints_each_executors_efficiency():
    figures = benchmark(
        "sweep.py", "--runs", "20", "--rounds", "2", "--executors", "serial", "local"
    )
    assert figures["rounds"] == 2
    serial, local = figures["results"]
    assert (serial["executor"], local["executor"]) == ("serial", "local")
    assert serial["efficiency"] == 1.0 and serial["efficiency_rounds"] == [1.0, 1.0]
    assert len(local["efficiency_rounds"]) == 2 and local["efficiency"] > 0
    assert local["runs_per_second"] > 0 and local["failed"] == 0


def test_calibrate_benchmark_times_calibrate_on_a_dataset():
    data = REPO / "tests" / "data" / "sites" / "tiny.csv"
    figures = benchmark(
        "calibrate.py", "--data", str(data), "--executor", "serial", "--skip-backtest"
    )
    assert figures["calibrate_seconds"] > 0 and "backtest_seconds" not in figures


def test_app_benchmark_times_a_lever_change():
    figures = benchmark("app.py", "--replications", "30", "--rounds", "1", "--workers", "1")
    assert figures["replications"] == 30
    assert 0 < figures["first_answer_s"] <= figures["full_answer_s"]


def test_fleet_report_benchmark_measures_a_report_of_many_regions():
    figures = benchmark("fleet_report.py", "--regions", "3")
    assert figures["regions"] == 3
    assert figures["report_peak_rss_mb"] > 0 and figures["report_seconds"] > 0
    assert figures["timeseries_mb"] >= 0 and figures["requests_mb"] >= 0
