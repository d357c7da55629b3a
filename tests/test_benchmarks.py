"""The benchmark scripts run and print what they promise (figures are never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_run_benchmark_prints_one_json_object_with_its_figures():
    completed = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--json",
         "--rounds", "1", "--per-round", "2"],
        capture_output=True, text=True, check=True, timeout=300,
    )
    figures = json.loads(completed.stdout)
    for key in ("replication_seconds", "model_events_per_s", "simpy_timeout_events_per_s",
                "model_to_bare_ratio", "max_flow_formula_us", "max_flow_scipy_us"):
        assert figures[key] > 0, key
    assert figures["events_per_replication"] > 100  # the default scenario: ~320 events
