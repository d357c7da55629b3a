"""The fleet page's tables as HTML: risk per site, risk per region, the fleet's totals.

Plain functions of the base and edited replication rows, so they are tested without a
server. Per site they are the command line's ``site_risk`` (``dcsim fleet --replications
N --by DATE``); every cell carries ``data-site`` (or ``data-region``), ``data-case``,
``data-col`` and ``data-value`` (the number or ISO date as the command line gives it), so
a reader's script, or a test, can find it.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping

import pandas as pd

from dcsim.fleet.risk import region_risk, site_risk
from dcsim.sweeps.summary import summarize

#: Per-site columns shown: (site_risk column without the date, heading).
SITE_COLUMNS = (
    ("first_power_p50", "first power P50"),
    ("first_power_p90", "first power P90"),
    ("full_cluster_p50", "full cluster P50"),
    ("full_cluster_p90", "full cluster P90"),
    ("p_first_power_by", "P(first power by {by})"),
    ("p_full_cluster_by", "P(full cluster by {by})"),
)
#: Most sites the table and the chart show (a fleet may have thousands).
MOST_SITES = 40
#: Fleet totals: KPI, label, scale, unit, format.
TOTALS = (
    ("gpus_energized_final", "GPUs energized at the end", 1.0, "GPUs", ",.0f"),
    ("stranded_gpu_days", "dark GPU-days (delivered, not energized)", 1e6, "M GPU-days", ".2f"),
    ("capex_usd", "capex", 1e9, "bn USD", ".2f"),
)


def cases(base: pd.DataFrame, edited: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    return {"base": base} if edited is None or not len(edited) else {"base": base, "edited": edited}


def site_risks(
    base: pd.DataFrame, edited: pd.DataFrame | None, by: dt.date
) -> dict[str, pd.DataFrame]:
    """``site_risk`` of each case by ``by``, indexed by site, the rows of the sites shown:
    every site, in file order, up to :data:`MOST_SITES`; beyond, the sites most at risk
    (lowest chance of the full cluster, then of first power, by ``by``, in the edited
    case when there is one)."""
    risks = {
        name: site_risk(runs, [by]).set_index("site") for name, runs in cases(base, edited).items()
    }
    if len(risks["base"]) <= MOST_SITES:
        return risks
    day = by.isoformat()
    order = risks["edited" if "edited" in risks else "base"].sort_values(
        [f"p_full_cluster_by_{day}", f"p_first_power_by_{day}"], kind="stable"
    )
    shown = order.index[:MOST_SITES]
    return {name: risk.loc[shown] for name, risk in risks.items()}


def site_table(risks: Mapping[str, pd.DataFrame], sites: int, by: dt.date) -> str:
    """Per site and case (``risks``, from :func:`site_risks`, of a fleet of ``sites``):
    first-power and full-cluster dates (P50, P90) and the share of replications with
    first power, and the full cluster, by ``by``; with an edited case, a change row (days,
    percentage points)."""
    columns = [
        (key, f"{key}_{by.isoformat()}" if key.startswith("p_") else key, head)
        for key, head in SITE_COLUMNS
    ]
    head = "<tr><th>site</th><th>case</th>" + "".join(
        f"<th>{html.escape(text.format(by=by.isoformat()))}</th>" for _, _, text in columns
    )
    rows = []
    for site in risks["base"].index:
        for name, risk in risks.items():
            cells = [
                cell("site", site, name, key, risk.loc[site, column]) for key, column, _ in columns
            ]
            rows.append(f"<tr><th>{html.escape(site)}</th><td>{name}</td>{''.join(cells)}</tr>")
        if "edited" in risks:
            changes = [
                change(key, risks["base"].loc[site, column], risks["edited"].loc[site, column])
                for key, column, _ in columns
            ]
            rows.append(
                f"<tr><th></th><td>change</td>{''.join(f'<td>{c}</td>' for c in changes)}</tr>"
            )
    runs = int(risks["base"]["replications"].iloc[0]) if len(risks["base"]) else 0
    shown = len(risks["base"])
    which = (
        ""
        if shown == sites
        else f"; the {shown} of {sites} sites most at risk (all of them in the downloads)"
    )
    return (
        f"<h4>Risk per site ({runs} replications{which})</h4>"
        f"<table class='fleet-sites'>{head}</tr>{''.join(rows)}</table>"
    )


def region_table(
    base: pd.DataFrame, edited: pd.DataFrame | None, regions: Mapping[str, str], by: dt.date
) -> str:
    """Per region and case: GPUs its sites energized by the end (P10/P50/P90), and the
    share of replications in which all its sites have first power, and their full
    cluster, by ``by``."""
    day = by.isoformat()
    columns = (  # (data-col, region_risk column, heading)
        ("gpus_energized_p10", "gpus_energized_p10", "GPUs energized P10"),
        ("gpus_energized_p50", "gpus_energized_p50", "P50"),
        ("gpus_energized_p90", "gpus_energized_p90", "P90"),
        ("p_all_first_power_by", f"p_all_first_power_by_{day}", f"P(all first power by {day})"),
        ("p_all_full_cluster_by", f"p_all_full_cluster_by_{day}", f"P(all full cluster by {day})"),
    )
    risks = {
        name: region_risk(runs, regions, [by]).set_index("region")
        for name, runs in cases(base, edited).items()
    }
    head = "<tr><th>region</th><th>sites</th><th>case</th>" + "".join(
        f"<th>{html.escape(text)}</th>" for *_, text in columns
    )
    rows = []
    for region in risks["base"].index:
        for name, risk in risks.items():
            sites = int(risk.loc[region, "sites"])
            cells = [
                cell("region", region, name, key, risk.loc[region, column])
                for key, column, _ in columns
            ]
            rows.append(
                f"<tr><th>{html.escape(region)}</th><td>{sites}</td><td>{name}</td>"
                f"{''.join(cells)}</tr>"
            )
    return (
        "<h4>Risk per region (all its sites together)</h4>"
        f"<table class='fleet-regions'>{head}</tr>{''.join(rows)}</table>"
    )


def totals_table(base: pd.DataFrame, edited: pd.DataFrame | None) -> str:
    """P50 of the fleet's GPUs energized, dark GPU-days and capex; base, edited, change."""
    kpis = [kpi for kpi, *_ in TOTALS]
    p50 = {
        name: summarize(runs.assign(point=0), kpis, []).set_index("kpi")["p50"]
        for name, runs in cases(base, edited).items()
    }
    rows = []
    for kpi, label, scale, unit, fmt in TOTALS:
        values = [p50[name][kpi] for name in p50]
        cells = [format(v / scale, fmt) for v in values]
        if len(values) == 2:
            cells.append(format((values[1] - values[0]) / scale, "+" + fmt))
        rows.append(
            f"<tr><th>{label}</th><td>{unit}</td>{''.join(f'<td>{c}</td>' for c in cells)}</tr>"
        )
    head = "<th>P50</th><th>unit</th>" + "".join(f"<th>{name}</th>" for name in p50)
    head += "<th>change</th>" if len(p50) == 2 else ""
    return f"<h4>The fleet</h4><table class='fleet-totals'><tr>{head}</tr>{''.join(rows)}</table>"


def missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value))


def cell(kind: str, name: str, case: str, column: str, value: object) -> str:
    """A cell with its value as data: a share as a percentage, a count with separators, a
    date as ISO text (``not reached`` where the quantile falls on a run that never got
    there; a table of several sites holds that as NaN)."""
    share = column.startswith("p_")
    if missing(value):
        text, data = ("-" if share else "not reached"), ""
    else:
        text = f"{value:.0%}" if share else f"{value:,.0f}" if isinstance(value, float) else value
        data = value
    return (
        f'<td data-{kind}="{html.escape(name)}" data-case="{case}" data-col="{column}" '
        f'data-value="{html.escape(str(data))}">{html.escape(str(text))}</td>'
    )


def change(column: str, base: object, edited: object) -> str:
    """Edited minus base: points between two shares, days between two dates."""
    if missing(base) or missing(edited):
        return "-"
    if column.startswith("p_"):
        return f"{100 * (float(edited) - float(base)):+.0f} pts"
    days = (dt.date.fromisoformat(str(edited)) - dt.date.fromisoformat(str(base))).days
    return f"{days:+d} d"
