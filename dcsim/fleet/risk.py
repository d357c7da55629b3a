"""Fleet risk per site and per region: which are at risk, and with what probability.

From a fleet Monte Carlo's replication rows (``site.<name>.<date>`` columns, see
:func:`dcsim.fleet.montecarlo.run_replication`): per site, the P10/P50/P90 of its
interconnect in-service, first-power and full-cluster dates, and the probability that it
has first power, and its full cluster, by each date asked about. A replication in which a
site never reached a date counts as not reached (it stays in the denominator).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from dcsim.dates import as_date, day_number, day_numbers, quantile
from dcsim.fleet.results import SITE_DATES

_SITE_COLUMN = re.compile(r"^site\.(?P<site>.+)\.(?P<key>[a-z_]+)$")
QUANTILES = (("p10", 0.10), ("p50", 0.50), ("p90", 0.90))


def site_names(runs: pd.DataFrame) -> list[str]:
    """The sites of a study, in the order the fleet file lists them."""
    names = []
    for column in runs.columns:
        match = _SITE_COLUMN.match(column)
        if match and match["key"] == SITE_DATES[0]:
            names.append(match["site"])
    return names


def site_risk(runs: pd.DataFrame, by: Sequence[dt.date]) -> pd.DataFrame:
    """One row per site: ``replications`` that finished, ``<date>_p10/_p50/_p90`` (ISO
    dates, ``None`` where the quantile falls on a replication that never reached it), and
    ``p_first_power_by_<D>`` / ``p_full_cluster_by_<D>`` for each ``D`` in ``by``."""
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    rows = []
    for site in site_names(ok):
        row: dict[str, object] = {"site": site, "replications": len(ok)}
        for key in SITE_DATES:
            days = day_numbers(ok[f"site.{site}.{key}"])
            for name, level in QUANTILES:
                row[f"{key.removesuffix('_date')}_{name}"] = (
                    as_date(quantile(days, level)) if len(days) else None
                )
        for date in by:
            limit = day_number(date)
            for key in ("first_power_date", "full_cluster_date"):
                days = day_numbers(ok[f"site.{site}.{key}"])
                share = float(np.mean(days <= limit)) if len(days) else float("nan")
                row[f"p_{key.removesuffix('_date')}_by_{date.isoformat()}"] = share
        rows.append(row)
    return pd.DataFrame(rows)


def region_risk(
    runs: pd.DataFrame, regions: Mapping[str, str], by: Sequence[dt.date]
) -> pd.DataFrame:
    """One row per region (``regions`` maps each site to its region, in file order):
    its ``sites``, the P10/P50/P90 of the GPUs its sites have energized at the end
    (summed per replication), and, for each date ``D`` of ``by``, the probability that
    every site of the region has first power, and its full cluster, by ``D``
    (``p_all_first_power_by_<D>``, ``p_all_full_cluster_by_<D>``). A region is at risk
    when one of its sites is, so the probabilities are of all its sites together, per
    replication."""
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    rows = []
    for region in dict.fromkeys(regions.values()):
        sites = [site for site, where in regions.items() if where == region]
        gpus = sum(ok[f"site.{site}.gpus_energized_final"].to_numpy(float) for site in sites)
        row: dict[str, object] = {"region": region, "sites": len(sites), "replications": len(ok)}
        for name, level in QUANTILES:
            row[f"gpus_energized_{name}"] = float(np.quantile(gpus, level)) if len(ok) else None
        reached = {  # per site, the day of each replication (NaN: never)
            key: [day_numbers(ok[f"site.{site}.{key}"]) for site in sites]
            for key in ("first_power_date", "full_cluster_date")
        }
        for date in by:
            limit = day_number(date)
            for key, days in reached.items():
                every = np.all([d <= limit for d in days], 0)
                share = float(np.mean(every)) if len(ok) else float("nan")
                row[f"p_all_{key.removesuffix('_date')}_by_{date.isoformat()}"] = share
        rows.append(row)
    return pd.DataFrame(rows, columns=None if rows else ["region"])
