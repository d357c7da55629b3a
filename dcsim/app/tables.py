"""The page's tables as HTML: dates, cost of the wait, what sets the date.

Plain functions of the base and edited :class:`~dcsim.app.montecarlo.Tally`, so they are
tested (and benchmarked) without a server. Numbers a planner pastes elsewhere: dates as
ISO text, changes in days, money in the unit named on the row.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd

from dcsim.app.montecarlo import Tally

#: The cost table's rows: KPI, label, unit scale, unit, format.
COSTS = (
    ("stranded_gpu_days", "dark GPU-days (delivered, not energized)", 1e6, "M GPU-days", ".2f"),
    ("stranded_capex_usd_years", "stranded capex", 1e9, "bn USD-years", ".2f"),
    ("capex_usd", "capex", 1e9, "bn USD", ".2f"),
    ("electricity_cost_usd", "electricity cost", 1e6, "M USD", ",.0f"),
    ("bridging_fuel_cost_usd", "on-site generation fuel", 1e6, "M USD", ",.0f"),
)


def day_text(start: pd.Timestamp, day: float | None) -> str:
    if day is None or pd.isna(day):
        return "not reached"
    return (start + pd.Timedelta(days=float(day))).date().isoformat()


def headline_table(base: Tally, edited: Tally | None, start: pd.Timestamp) -> str:
    """First power and full cluster: P10/P50/P90 of each case and the change in days.

    Full-cluster cells carry ``data-days``, the sweep's ``days_to_full_cluster`` quantile
    (``dcsim sweep`` prints the same number), and show it beside the date."""
    cases = {"base": base}
    if edited is not None and len(edited):
        cases["edited"] = edited
    quantiles = ("p10", "p50", "p90")
    rows = []
    first = {name: tally.date_quantiles("first_power_date") for name, tally in cases.items()}
    for name, q in first.items():
        rows.append(("first power", name, [cell_date(q[k]) for k in quantiles], q))
    if "edited" in first:
        rows.append(("first power", "change", change_cells(first, quantiles), None))
    full = {name: tally.summary().loc["days_to_full_cluster"] for name, tally in cases.items()}
    for name, row in full.items():
        cells = [
            f'<span class="full-{name}-{k}" data-days="{float(row[k])!r}">'
            f"{day_text(start, row[k])}</span> <small>day {row[k]:.1f}</small>"
            for k in quantiles
        ]
        rows.append(("full cluster", name, cells, {"n": int(row["n"]), "runs": int(row["runs"])}))
    if "edited" in full:
        change = [f"{full['edited'][k] - full['base'][k]:+.0f} d" for k in quantiles]
        rows.append(("full cluster", "change", change, None))
    body = "".join(
        f"<tr><th>{label}</th><td>{name}</td>{''.join(f'<td>{c}</td>' for c in cells)}"
        f"<td>{reached(counts)}</td></tr>"
        for label, name, cells, counts in rows
    )
    head = (
        "<tr><th></th><th>case</th><th>P10</th><th>P50</th><th>P90</th>"
        "<th>runs that got there</th></tr>"
    )
    return f"<table class='app-dates'>{head}{body}</table>"


def cell_date(value: pd.Timestamp | None) -> str:
    return "not reached" if value is None else value.date().isoformat()


def reached(counts: dict[str, Any] | None) -> str:
    return "" if counts is None else f"{counts['n']}/{counts['runs']}"


def change_cells(dates: dict[str, dict[str, Any]], quantiles: tuple[str, ...]) -> list[str]:
    out = []
    for k in quantiles:
        b, e = dates["base"][k], dates["edited"][k]
        out.append("-" if b is None or e is None else f"{(e - b).days:+d} d")
    return out


def cost_table(base: Tally, edited: Tally | None) -> str:
    """P50 of dark GPU-days, stranded capex and cost; base, edited and change."""
    b = base.summary()
    e = edited.summary() if edited is not None and len(edited) else None
    rows = []
    for kpi, label, scale, unit, fmt in COSTS:
        cells = [format(b.loc[kpi, "p50"] / scale, fmt)]
        if e is not None:
            cells += [
                format(e.loc[kpi, "p50"] / scale, fmt),
                format((e.loc[kpi, "p50"] - b.loc[kpi, "p50"]) / scale, "+" + fmt),
            ]
        rows.append(
            f"<tr><th>{label}</th><td>{unit}</td>{''.join(f'<td>{c}</td>' for c in cells)}</tr>"
        )
    head = "<th>P50</th><th>unit</th><th>base</th>" + (
        "<th>edited</th><th>change</th>" if e is not None else ""
    )
    return f"<h4>Cost of the wait</h4><table><tr>{head}</tr>{''.join(rows)}</table>"


def criticality_table(base: Tally, edited: Tally | None) -> str:
    """What set the full-cluster date, as a share of runs (the criticality index)."""
    shares = {"base": base.criticality()}
    if edited is not None and len(edited):
        shares["edited"] = edited.criticality()
    names = sorted({name for table in shares.values() for name in table["name"]})
    rows = []
    for name in names:
        cells = []
        for table in shares.values():
            share = table.loc[table["name"] == name, "share"]
            value = float(share.iloc[0]) if len(share) else 0.0
            cells.append(
                f'<td><div style="background:#1f77b4;height:10px;width:{100 * value:.0f}px;'
                f'display:inline-block"></div> {value:.0%}</td>'
            )
        rows.append(f"<tr><th>{html.escape(name)}</th>{''.join(cells)}</tr>")
    head = "<th>set by</th>" + "".join(f"<th>{case}</th>" for case in shares)
    return (
        "<h4>What sets the full-cluster date (share of runs)</h4>"
        f"<table><tr>{head}</tr>{''.join(rows)}</table>"
    )
