"""Peak memory and time of ``dcsim report`` on a fleet of many regions: the figures behind
the fleet report's line in docs/limits.md.

    python benchmarks/fleet_report.py [--regions 2000] [--keep DIR] [--json]

The fleet: ``--regions`` regions, each with a cluster-study queue taking 20 background
requests of 300 MW a year, and one copy of ``configs/fleet/sites/meta-24k-cluster.yaml``
whose hall starts up to two years late; ten years. ``dcsim fleet --out`` writes it (about
three minutes for 2,000 regions on a loaded 2-core machine; ``--keep DIR`` keeps the
directory and reuses it on the next call), then ``dcsim report`` runs in a fresh process,
whose peak resident memory is the figure.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

SITE = (
    Path(__file__).resolve().parent.parent / "configs" / "fleet" / "sites" / "meta-24k-cluster.yaml"
)


def fleet(regions: int) -> dict:
    queue = {"ordering": "cluster", "upgrade_time": "1 year"}
    late = {"dist": "uniform", "low": "0 days", "high": "2 years"}
    return {
        "fleet": f"regions-{regions}",
        "start": "2023-01-01",
        "horizon": "10 years",
        "regions": [
            {
                "name": f"r{r:04d}",
                "queue": {**queue, "background": {"per_year": 20, "mw": "300 MW"}},
            }
            for r in range(regions)
        ],
        "sites": [
            {
                "name": f"s{r:04d}",
                "region": f"r{r:04d}",
                "scenario": str(SITE),
                "request_date": "2022-01-01",
                "shift": {"halls.0.construction_start": late},
            }
            for r in range(regions)
        ],
    }


#: ``dcsim report DIR`` in a fresh process that prints its own peak RSS (bytes) last.
PROBE = """
import resource, sys
from dcsim.cli import main
assert main(["report", sys.argv[1]]) == 0
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def measure(regions: int, folder: Path) -> dict[str, float]:
    out = folder / f"fleet-{regions}"
    if not (out / "fleet.json").is_file():
        path = folder / f"fleet-{regions}.yaml"
        path.write_text(yaml.safe_dump(fleet(regions)))
        command = [sys.executable, "-m", "dcsim", "fleet", str(path), "--out", str(out)]
        subprocess.run([*command, "--force"], check=True, capture_output=True)
    began = time.perf_counter()
    report = [sys.executable, "-c", PROBE, str(out)]
    done = subprocess.run(report, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - began
    peak = int(done.stdout.split()[-1])
    return {
        "regions": regions,
        "report_peak_rss_mb": round(peak / 2**20),
        "report_seconds": round(seconds, 1),
        "timeseries_mb": round((out / "timeseries.parquet").stat().st_size / 2**20, 1),
        "requests_mb": round((out / "requests.parquet").stat().st_size / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=2000)
    parser.add_argument("--keep", type=Path, help="directory to keep (and reuse) the fleet run in")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        figures = measure(args.regions, args.keep)
    else:
        with tempfile.TemporaryDirectory() as folder:
            figures = measure(args.regions, Path(folder))
    print(json.dumps(figures, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
