"""Measure the memory a fleet run takes per site and per background request, and a fleet
Monte Carlo per replication: the figures behind the fleet-wide caps in
``dcsim/fleet/schema.py`` and ``dcsim/fleet/montecarlo.py`` (docs/limits.md).

    python benchmarks/fleet_memory.py [--json]

Each figure is the slope of peak RSS between a small and a large case, each run in a fresh
process (so one case's heap does not hide the other's): a fleet of copies of
``configs/fleet/sites/meta-24k-cluster.yaml`` (no queue), one such site in a region whose
queue takes background requests, and a Monte Carlo of a one-site fleet, kept in a store
(``--out``: every replication written as it finishes, as a study is run) and in memory
only. The store's figure is the larger and sets ``BYTES_PER_REPLICATION``; the same slope
for a 100-site fleet gives what each site adds to a replication
(``BYTES_PER_REPLICATION_SITE``), and for a one-site fleet with 100 more regions, each with
a queue of a few background requests, what each such region adds (its queue statistics
columns: ``BYTES_PER_REPLICATION_QUEUE``), and the same with large-load processes
(``BYTES_PER_REPLICATION_LARGE_LOAD``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

SITE = (
    Path(__file__).resolve().parent.parent / "configs" / "fleet" / "sites" / "meta-24k-cluster.yaml"
)
SITES = (50, 400)
REQUESTS = (20_000, 200_000)
REPLICATIONS = (20, 1000)
#: The many-site Monte Carlo: its sites, and its small and large replication counts.
MANY_SITES = 100
MANY_SITES_REPLICATIONS = (20, 120)
#: Regions with a queue beside the site's, for the many-region Monte Carlo (same counts).
MANY_REGIONS = 100
#: A region's interconnection processes: a queue keeps five statistics, a large-load one six.
PROCESSES = ("queue", "large_load")
HORIZON_YEARS = 10


def background(requests_per_year: float) -> dict:
    return {"per_year": requests_per_year, "mw": "300 MW"}


def queue() -> dict:
    return {"ordering": "cluster", "upgrade_time": "1 year", "background": background(1)}


def fleet(
    sites: int = 1, requests_per_year: float = 0, queue_regions: int = 0, process: str = "queue"
) -> dict:
    """Copies of the site in region ``r`` (with a queue of ``requests_per_year`` background
    requests, if any), and ``queue_regions`` more regions without sites, each with a
    ``process`` (``queue`` or ``large_load``) of one background request a year."""
    region: dict = {"name": "r"}
    if requests_per_year:
        region["queue"] = {**queue(), "background": background(requests_per_year)}
    one = queue() if process == "queue" else {"background": background(1)}
    others = [{"name": f"q{i}", process: one} for i in range(queue_regions)]
    return {
        "fleet": "memory",
        "start": "2023-01-01",
        "horizon": f"{HORIZON_YEARS} years",
        "regions": [region, *others],
        "sites": [{"name": "s", "region": "r", "scenario": str(SITE), "count": sites}],
    }


PROBE = """
import resource, sys
from dcsim.fleet import run_fleet
from dcsim.fleet.montecarlo import monte_carlo
path, replications, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if replications:
    monte_carlo(path, replications, out=out or None)
else:
    run_fleet(path)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def peak_bytes(data: dict, replications: int = 0, stored: bool = False) -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fleet.yaml"
        path.write_text(yaml.safe_dump(data))
        out = str(Path(folder) / "study") if stored else ""
        done = subprocess.run(
            [sys.executable, "-c", PROBE, str(path), str(replications), out],
            capture_output=True,
            text=True,
            check=True,
        )
    return int(done.stdout.strip())


def slope(points: dict[int, int]) -> float:
    (x0, y0), (x1, y1) = sorted(points.items())
    return (y1 - y0) / (x1 - x0)


def measure() -> dict[str, float]:
    sites = {n: peak_bytes(fleet(sites=n)) for n in SITES}
    requests = {n: peak_bytes(fleet(requests_per_year=n / HORIZON_YEARS)) for n in REQUESTS}
    stored = {n: peak_bytes(fleet(), replications=n, stored=True) for n in REPLICATIONS}
    in_memory = {n: peak_bytes(fleet(), replications=n) for n in REPLICATIONS}
    many = {
        n: peak_bytes(fleet(sites=MANY_SITES), replications=n, stored=True)
        for n in MANY_SITES_REPLICATIONS
    }
    regions = {
        process: {
            n: peak_bytes(
                fleet(queue_regions=MANY_REGIONS, process=process), replications=n, stored=True
            )
            for n in MANY_SITES_REPLICATIONS
        }
        for process in PROCESSES
    }
    per_region = {
        process: round((slope(points) - slope(stored)) / MANY_REGIONS)
        for process, points in regions.items()
    }
    return {
        "bytes_per_site": round(slope(sites)),
        "bytes_per_background_request": round(slope(requests)),
        "bytes_per_replication": round(slope(stored)),
        "bytes_per_replication_without_out": round(slope(in_memory)),
        f"bytes_per_replication_{MANY_SITES}_sites": round(slope(many)),
        "bytes_per_replication_site": round((slope(many) - slope(stored)) / (MANY_SITES - 1)),
        **{
            f"bytes_per_replication_{MANY_REGIONS}_{process}_regions": round(slope(points))
            for process, points in regions.items()
        },
        **{f"bytes_per_replication_{p}_region": b for p, b in per_region.items()},
        "peak_mb": {
            **{f"{n}_sites": round(b / 2**20) for n, b in sites.items()},
            **{f"{n}_requests": round(b / 2**20) for n, b in requests.items()},
            **{f"{n}_replications_stored": round(b / 2**20) for n, b in stored.items()},
            **{f"{n}_replications": round(b / 2**20) for n, b in in_memory.items()},
            **{f"{n}_replications_{MANY_SITES}_sites": round(b / 2**20) for n, b in many.items()},
            **{
                f"{n}_replications_{MANY_REGIONS}_{process}_regions": round(b / 2**20)
                for process, points in regions.items()
                for n, b in points.items()
            },
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    figures = measure()
    if parser.parse_args().json:
        print(json.dumps(figures))
    else:
        print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
