"""The scaling benchmark runs at a tiny size and prints what it promises (timings are never
asserted), and its two campuses are the two kinds of network it claims."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from dcsim.config.loader import read_yaml
from dcsim.topology import PowerNetwork

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from scale import DEFAULT_CONFIG, campus  # noqa: E402  (benchmarks/scale.py)

TINY = ("--halls", "2", "4", "--stages", "2")


def test_scale_benchmark_prints_times_and_exponents():
    completed = subprocess.run(
        [sys.executable, str(BENCHMARKS / "scale.py"), "--json", "--rounds", "1", *TINY],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    figures = json.loads(completed.stdout)  # one JSON object, nothing else
    for topology in ("radial", "meshed"):
        assert figures[topology]["stages"] == [4, 8]
        assert all(seconds > 0 for seconds in figures[topology]["seconds"])
        assert isinstance(figures[topology]["exponent"], float)


def test_radial_campus_has_a_formula_and_the_meshed_one_does_not():
    base = read_yaml(DEFAULT_CONFIG)
    for topology, series_parallel in (("radial", True), ("meshed", False)):
        scenario = campus(base, 6, 3, topology)
        assert len(scenario.halls) == 6 and all(h.stages.count == 3 for h in scenario.halls)
        network = PowerNetwork(
            scenario.power_graph(), dict.fromkeys((h.name for h in scenario.halls), 1)
        )
        assert (network.formula is not None) == series_parallel
