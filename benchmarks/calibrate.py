"""Time ``dcsim calibrate`` and ``dcsim backtest`` on a real-site dataset; print seconds.

    python benchmarks/calibrate.py [--data FILE] [--executor local] [--workers N]
                                   [--replications N] [--skip-backtest] [--json]

Each command runs as a user runs it, in a fresh ``python -m dcsim`` process, writing to a
temporary directory; the figures are one run's wall time, start-up included. Targets of
issue #20: calibrate under 15 minutes and backtest under 30 on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parent.parent / "dcsim" / "data" / "sites.csv"


def timed(args: list[str]) -> float:
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "dcsim", *args], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"dcsim {' '.join(args)} failed: {done.stderr.strip()}")
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--executor", default="local", choices=("serial", "local", "dask"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--skip-backtest", action="store_true")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if args.workers < 1 or args.replications < 10:
        raise SystemExit("--workers must be at least 1 and --replications at least 10")
    pool = ["--executor", args.executor, "--workers", str(args.workers)]
    figures: dict[str, float | int | str] = {"executor": args.executor, "workers": args.workers}
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        figures["calibrate_seconds"] = round(
            timed(["calibrate", str(args.data), "--out", str(out / "cal.json"), *pool]), 2
        )
        if not args.skip_backtest:
            backtest = ["backtest", "--data", str(args.data), "--json", "--out", str(out / "bt")]
            backtest += ["--replications", str(args.replications), *pool]
            figures["backtest_seconds"] = round(timed(backtest), 2)
            figures["replications"] = args.replications
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key:>20}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
