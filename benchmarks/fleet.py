"""Time a fleet of 1,000 campuses with background queue traffic; print seconds and peak RSS.

    python benchmarks/fleet.py [--sites N] [--json]

Ten regions with 200 background requests a year each: five run a cluster-study queue, five
a large-load process (headroom, tranches, speculative duplicates); each region holds 1 GW
of powered shells its first campuses take. One vendor's H100 output shared pro rata. Each
campus is a small copy of ``configs/fleet/sites/meta-24k-cluster.yaml`` (24,576 GPUs,
about 37 MW), scaled by 2-5x (about 120 MW and 85,000 GPUs on average), its dates shifted
over two years: about 120 GW and 85 million GPUs over ten years. The fleet file is written
to a temporary directory; the figures are one run, wall time from loading the file to the
summary.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

import yaml

SITE = (
    Path(__file__).resolve().parent.parent / "configs" / "fleet" / "sites" / "meta-24k-cluster.yaml"
)


#: The background traffic every region's process sees.
BACKGROUND = {"per_year": 200, "mw": {"dist": "lognormal", "median": "440 MW", "sigma": 1}}


def process(r: int) -> dict:
    """Even regions: a cluster-study queue; odd ones: a large-load process."""
    if r % 2:
        return {
            "large_load": {
                "headroom": "2 GW",
                "headroom_growth": [{"date": "2026-01-01", "added": "6 GW"}],
                "first_tranche": 0.5,
                "withdraw_in_study": {"probability": 0.3},
                "duplicates": {"share": 0.3, "copies": 2},
                "background": BACKGROUND,
            }
        }
    upgrades = {"dist": "triangular", "low": "1 year", "mode": "2 years", "high": "3 years"}
    return {
        "queue": {
            "upgrade_time": upgrades,
            "withdraw_in_study": {"probability": 0.7},
            "background": BACKGROUND,
        }
    }


def fleet_file(sites: int, folder: Path) -> Path:
    regions = 10
    shift = {"dist": "uniform", "low": "0 days", "high": "2 years"}
    data = {
        "fleet": f"bench-{sites}",
        "start": "2023-01-01",
        "horizon": "10 years",
        "regions": [
            {"name": f"r{r}", **process(r), "brownfield": {"mw": "1 GW"}} for r in range(regions)
        ],
        "vendors": [
            {
                "name": "nvidia",
                "chip": "h100-sxm",
                "output": [{"date": "2023-01-01", "per_month": 1_000_000}],
            }
        ],
        "sites": [
            {
                "name": f"r{r}-campus",
                "region": f"r{r}",
                "scenario": str(SITE),
                "count": sites // regions,
                "request_date": "2021-01-01",
                "shift": {"halls.0.construction_start": shift, "chip_orders.0.order_date": shift},
                "scale": {
                    "low": 2,
                    "high": 5,
                    "paths": [
                        "halls.0.it_capacity",
                        "halls.0.stages.gpus",
                        "chip_orders.0.count",
                        "grid.interconnects.0.schedule.0.capacity",
                    ],
                },
            }
            for r in range(regions)
        ],
    }
    path = folder / "fleet.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def measure(sites: int = 1000) -> dict[str, float]:
    from dcsim.fleet import run_fleet

    with tempfile.TemporaryDirectory() as folder:
        path = fleet_file(sites, Path(folder))
        began = time.perf_counter()
        result = run_fleet(path)
        seconds = time.perf_counter() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {
        f"fleet_{sites}_seconds": round(seconds, 2),
        f"fleet_{sites}_peak_rss_mb": round(peak_mb, 1),
        "fleet_sites": int(result.kpis["sites"]),
        "fleet_gpus_planned": int(result.kpis["gpus_planned"]),
        "fleet_peak_facility_gw": round(result.kpis["peak_facility_mw"] / 1000, 1),
        "fleet_queue_requests": int(result.regions["requests"].sum()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    figures = measure(args.sites)
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key}: {value:,}")


if __name__ == "__main__":
    main()
