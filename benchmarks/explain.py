"""Time ``dcsim explain``: every constraint class relaxed, paired with its base run.

    python benchmarks/explain.py [--json] [--config PATH] [--rounds N] [--per-round R]

Each round explains the scenario with ``R`` replications (default 20, the figure the docs
quote) and times it whole; the scenario is validated once, outside the timing, as the CLI
validates it once. ``explain_seconds`` is the median over rounds; ``runs`` is how many
replications one explanation simulates (base, each class, the top pair).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import command_line

from dcsim.config import load_scenario
from dcsim.counterfactuals import explain


def measure(config: Path, rounds: int, per_round: int) -> dict:
    scenario = load_scenario(config)
    explain(scenario, replications=1)  # warm-up: imports, caches
    seconds, runs = [], 0
    for round_number in range(rounds):
        began = time.perf_counter()
        frame = explain(scenario, seed=round_number, replications=per_round)
        seconds.append(time.perf_counter() - began)
        runs = per_round * (1 + len(frame))
    return {
        "config": str(config),
        "replications": per_round,
        "runs": runs,
        "explain_seconds": statistics.median(seconds),
        "seconds_per_run": statistics.median(seconds) / runs,
    }


if __name__ == "__main__":
    command_line(__doc__.splitlines()[0], measure, 20, "replications per explanation")
