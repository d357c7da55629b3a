"""A real-site dataset made by the simulator itself, from known construction times, so
that a fit can be checked against the truth."""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path

from dcsim.calibration.dataset import COLUMNS, Dataset, Observation, Site
from dcsim.calibration.fit import shell_share
from dcsim.calibration.observations import Duration
from dcsim.calibration.sites import simulate_site, site_scenario
from dcsim.config.build_modes import split_construction, years_from_reference

FIRST_START = dt.date(2022, 1, 1)


def synthetic_site(site_id: str, mode: str, start: dt.date, gpus: int) -> Site:
    row = Observation(
        1, "construction_start", start, "day", "exact", None, None, "derived", "", "", ""
    )
    return Site(
        site_id,
        site_id,
        "Synthetic",
        "US",
        "",
        mode,
        "h100-sxm",
        gpus,
        None,
        None,
        None,
        "",
        (row,),
    )


def write_synthetic(
    path: Path,
    truth: dict[str, float],
    sigma: float,
    per_mode: int,
    as_of: dt.date = dt.date(2026, 1, 1),
    gpus: int = 5000,
    shock: dict | None = None,
    spacing_days: int = 23,
    trend: float = 0.0,
) -> list[dict[str, str]]:
    """Write ``per_mode`` sites of each mode in ``truth`` (mode -> median construction
    days for a start on the trend's reference date, 2024-01-01, moved by ``trend`` in log
    per year of a later start), each's first power simulated once from its own replication
    (with the project-wide ``shock``, as a scenario writes it, when given); a first power
    after ``as_of`` is written as not reached as of that day (right-censored)."""
    first_power = Duration(
        "x", "first_power", None, None, 0.0, 0.0, "exact", 0.0, "construction_start"
    )
    rows = []
    index = 0
    for mode, median in truth.items():
        for i in range(per_mode):
            start = FIRST_START + dt.timedelta(days=spacing_days * index)
            at_start = median * math.exp(trend * years_from_reference(start))
            durations = split_construction(at_start, sigma, shell_share(mode))
            site = synthetic_site(f"{mode.replace('_', '-')}-{i}", mode, start, gpus)
            risk = None if shock is None else [shock]
            scenario = site_scenario(site, durations=durations, project_risk=risk)
            days, _ = simulate_site(scenario, [first_power], 1, seed=4242 + index)
            reached = start + dt.timedelta(days=round(float(days[0, 0])))
            base = {
                "site_id": site.site_id,
                "site_name": f"Synthetic {site.site_id}",
                "owner": "Synthetic",
                "country": "US",
                "region": "",
                "build_mode": mode,
                "chip": "h100_sxm",
                "chip_count": str(gpus),
                "source_title": "simulated by dcsim from known parameters",
                "source_url": "https://example.org/synthetic",
                "source_date": "2026-01-01",
                "confidence": "derived",
                "note": "synthetic",
            }
            rows.append(
                {
                    **base,
                    "milestone": "construction_start",
                    "date": start.isoformat(),
                    "date_precision": "day",
                    "censoring": "exact",
                }
            )
            if reached <= as_of:
                rows.append(
                    {
                        **base,
                        "milestone": "first_power",
                        "date": reached.isoformat(),
                        "date_precision": "day",
                        "censoring": "exact",
                    }
                )
            else:
                rows.append(
                    {
                        **base,
                        "milestone": "first_power",
                        "date": as_of.isoformat(),
                        "date_precision": "day",
                        "censoring": "not_reached_as_of",
                    }
                )
            index += 1
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return rows


__all__ = ["Dataset", "write_synthetic"]
