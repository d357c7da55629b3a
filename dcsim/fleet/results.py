"""What a fleet run reports: per-site KPIs, fleet KPIs (sums over sites), a time series
by region, and per-region queue statistics.

Each site's KPIs are the single-campus KPIs (:func:`dcsim.results.kpis`). The fleet time
series adds the sites' step functions by their changes (a change of +x at day t at one site
is +x at day t in its region), so its cost grows with the sites' rows, not sites × rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dcsim.config.catalog import h100_equivalents
from dcsim.fleet.budget import fleet_cents, window_usd
from dcsim.fleet.loader import fleet_day
from dcsim.fleet.model import FleetRun
from dcsim.results import kpis, levels, to_dates
from dcsim.units import DAYS_PER_YEAR

#: Site KPIs that add up over sites into a fleet KPI.
ADDITIVE = (
    "gpus_planned",
    "gpus_ordered",
    "gpus_energized_final",
    "peak_facility_mw",
    "capex_usd",
    "energy_mwh",
    "compute_gpu_days",
    "stranded_gpu_days",
    "emissions_t_co2",
)
#: Site columns of the site table.
SITE_COLUMNS = (
    *ADDITIVE,
    "first_power_date",
    "full_cluster_date",
    "binding_constraint",
)
#: Per-site dates a fleet Monte Carlo keeps for every replication (``site.<name>.<key>``).
SITE_DATES = ("interconnect_date", "first_power_date", "full_cluster_date")


@dataclass
class FleetResult:
    kpis: dict[str, Any]
    sites: pd.DataFrame  # one row per site
    regions: pd.DataFrame  # one row per region with a queue
    timeseries: pd.DataFrame  # long: one row per region and day of change
    requests: pd.DataFrame  # one row per queue request


def summarize_fleet(run: FleetRun) -> FleetResult:
    horizon = run.fleet.horizon
    rows, deltas = [], []
    for plan, model in zip(run.plans, run.sites, strict=True):
        ts = levels(model)
        site = kpis(model, ts)
        energized = _energized_by_chip(model)
        rows.append(
            {
                "site": plan.name,
                "region": plan.region,
                **{key: site[key] for key in SITE_COLUMNS},
                "interconnect_date": interconnect_date(model.scenario.start, ts),
                **{f"gpus_energized_{chip}": n for chip, n in energized.items()},
                **_budget_column(plan.budget_cents, run.fleet.budget),
            }
        )
        deltas.append(_changes(plan.region, ts))
        deltas.append(_chip_changes(plan.region, model))
    sites = pd.DataFrame(rows)
    requests = pd.concat(
        [queue.table() for queue in run.queues.values()] or [_NO_REQUESTS],
        ignore_index=True,
    )
    deltas.extend(_queue_changes(requests, horizon))
    cohort_end = (
        horizon if run.fleet.cohort_end is None else fleet_day(run.fleet, run.fleet.cohort_end)
    )
    regions = pd.DataFrame(
        [
            {"region": name, **queue_stats(requests[requests.region == name], cohort_end, horizon)}
            for name in run.queues
        ]
    )
    # Every chip the sites plan, so that a chip with no GPU energized reads 0, not missing.
    chips = sorted({hall.stages.chip for plan in run.plans for hall in plan.scenario.halls})
    for chip in chips:
        column = f"gpus_energized_{chip}"
        sites[column] = sites[column].fillna(0).astype("int64") if column in sites else 0
    fleet_kpis = {
        "fleet": run.fleet.fleet,
        "seed": run.seed,
        "start_date": run.fleet.start.isoformat(),
        "end_date": (run.fleet.start + dt.timedelta(days=horizon)).isoformat(),
        "sites": len(sites),
        **{key: _total(sites[key]) for key in ADDITIVE},
        "gpus_energized_by_chip": {
            c: int(sites[f"gpus_energized_{c}"].fillna(0).sum()) for c in chips
        },
        "h100_equivalents_energized": h100_equivalents(
            {c: int(sites[f"gpus_energized_{c}"].sum()) for c in chips}, _catalog(run)
        ),
        "chips_made": {chip: s.made for chip, s in run.supplies.items()},
        "chips_in_vendor_stock": {chip: s.stock for chip, s in run.supplies.items()},
    }
    if run.fleet.budget is not None:
        total = window_usd(fleet_cents(run.fleet.budget, run.fleet.fleet), run.fleet.budget)
        fleet_kpis["budget_usd"] = float(total)
    series = _timeseries(pd.concat(deltas, ignore_index=True), run.fleet.start)
    return FleetResult(fleet_kpis, sites, regions, series, requests)


def _catalog(run: FleetRun) -> dict[str, Any]:
    """Every chip the sites know: the built-in catalog with each site's own entries."""
    from dcsim.config.catalog import catalog_with

    known: dict[str, Any] = {}
    for plan in run.plans:
        known |= catalog_with(plan.scenario.chips)
    return known


def interconnect_date(start: dt.date, ts: dict[str, np.ndarray]) -> str | None:
    """The first date the site's utility interconnects carry any power (in service), or
    ``None`` if they never do within the horizon."""
    serving = np.flatnonzero(ts["interconnect_mw"] > 0)
    if not len(serving):
        return None
    return (start + dt.timedelta(days=float(ts["day"][serving[0]]))).isoformat()


def _budget_column(cents, budget) -> dict[str, float]:
    """A site's money from the fleet budget over its window (0 if unfunded); no column
    without a fleet budget."""
    if budget is None:
        return {}
    return {"budget_usd": float(window_usd(cents, budget)) if cents else 0.0}


def _total(column: pd.Series) -> float | int:
    total = column.sum()
    return int(total) if pd.api.types.is_integer_dtype(column) else float(total)


def _energized_by_chip(model) -> dict[str, int]:
    """GPUs in energized stages at the end, by chip."""
    counts: dict[str, int] = {}
    for stage in model.stages:
        if stage.status == "energized":
            counts[stage.chip] = counts.get(stage.chip, 0) + stage.gpus
    return counts


_NO_REQUESTS = pd.DataFrame(
    {
        c: pd.Series(dtype=t)
        for c, t in (
            ("region", object),
            ("site", object),
            ("request_day", float),
            ("mw", float),
            ("study_end_day", float),
            ("withdrawn_day", float),
            ("operation_day", float),
        )
    }
)


def queue_stats(requests: pd.DataFrame, cohort_end: float, horizon: float) -> dict[str, Any]:
    """Requests filed by ``cohort_end`` and their fates by the horizon. ``completion_rate`` is the
    share of the requests whose fate is known (operating or withdrawn) that reached
    operation, ``completion_rate_by_capacity`` the same share of their MW; the median is
    over those operating, from request to operation."""
    filed = requests[requests.request_day <= cohort_end]
    operating = filed.operation_day <= horizon
    withdrawn = filed.withdrawn_day <= horizon
    resolved = int(operating.sum() + withdrawn.sum())
    wait = (filed.operation_day - filed.request_day)[operating] / DAYS_PER_YEAR
    return {
        "requests": len(filed),
        "site_requests": int(filed.site.notna().sum()),
        "operating": int(operating.sum()),
        "withdrawn": int(withdrawn.sum()),
        "pending": len(filed) - resolved,
        "completion_rate": operating.sum() / resolved if resolved else None,
        "completion_rate_by_capacity": _capacity_share(filed.mw, operating, withdrawn),
        "median_years_to_operation": float(wait.median()) if len(wait) else None,
        "requested_gw": float(filed.mw.sum() / 1000),
        "operating_gw": float(filed.mw[operating].sum() / 1000),
        "withdrawn_gw": float(filed.mw[withdrawn].sum() / 1000),
        **_tranche_stats(filed, horizon),
    }


def _capacity_share(mw: pd.Series, operating: pd.Series, withdrawn: pd.Series) -> float | None:
    """The share of the resolved requests' MW that reached operation."""
    resolved = mw[operating].sum() + mw[withdrawn].sum()
    return float(mw[operating].sum() / resolved) if resolved else None


def _tranche_stats(filed: pd.DataFrame, horizon: float) -> dict[str, Any]:
    """A large-load region's requests energize in tranches: the GW energized by the
    horizon, part-energized requests included, and the requests with any power."""
    if "energized_mw" not in filed or filed.energized_mw.isna().all():
        return {}
    return {
        "energized_gw": float(filed.energized_mw.sum() / 1000),
        "with_power": int((filed.first_power_day <= horizon).sum()),
    }


def _changes(region: str, ts: dict[str, np.ndarray]) -> pd.DataFrame:
    """A site's series as changes: the first row's levels, then each row's difference."""
    frame = {"region": region, "day": ts["day"]}
    for column, out in (("facility_mw", "facility_gw"), ("gpus_energized", "gpus_energized")):
        values = ts[column] / 1000 if out.endswith("_gw") else ts[column]
        frame[out] = np.diff(values, prepend=0)
    return pd.DataFrame(frame)


def _chip_changes(region: str, model) -> pd.DataFrame:
    """A site's energized GPUs as changes by chip (``gpus_energized_<chip>``): every change
    to its energized count (a stage switched on or shed, a GPU failed or repaired) belongs
    to one stage, and so to one chip; over chips they add up to ``gpus_energized``."""
    chip_of = {stage.name: stage.chip for stage in model.stages}
    frame = pd.DataFrame(model.ledger.additions("gpus_energized"), columns=["day", "stage", "n"])
    frame = frame.astype({"day": float, "n": float})  # float even when nothing was energized
    chips = frame["stage"].map(chip_of)
    columns = {"region": region, "day": frame["day"]}
    for chip in sorted(set(chip_of.values())):
        columns[f"gpus_energized_{chip}"] = frame["n"].where(chips == chip, 0)
    return pd.DataFrame(columns)


def _queue_changes(requests: pd.DataFrame, horizon: float) -> list[pd.DataFrame]:
    """Each request adds its GW to the queue when filed and moves it to withdrawn or
    operating when it leaves the queue."""
    gw = requests.mw / 1000
    parts = []
    for day, queue, column in (
        ("request_day", 1, None),
        ("withdrawn_day", -1, "withdrawn_gw"),
        ("operation_day", -1, "queue_operating_gw"),
    ):
        hit = requests[day] <= horizon
        part = pd.DataFrame(
            {"region": requests.region[hit], "day": requests[day][hit].clip(lower=0.0)}
        )
        part["queue_gw"] = queue * gw[hit]
        if column:
            part[column] = gw[hit]
        parts.append(part)
    return parts


def _timeseries(changes: pd.DataFrame, start: dt.date) -> pd.DataFrame:
    """Levels per region after the last change of each day."""
    changes = changes.fillna(0.0).sort_values(["region", "day"], kind="stable")
    values = [c for c in changes.columns if c not in ("region", "day")]
    levels_ = changes.groupby("region")[values].cumsum()
    frame = pd.concat([changes[["region", "day"]], levels_], axis=1)
    frame = frame.drop_duplicates(["region", "day"], keep="last").reset_index(drop=True)
    for column in [c for c in frame if c.startswith("gpus_energized")]:
        frame[column] = frame[column].round().astype("int64")
    frame.insert(0, "date", to_dates(start, frame["day"]))
    return frame
