"""KPI quantiles per point: the table printed at the end of a sweep and ``summary.parquet``.

``n`` counts the runs where the KPI is defined; a KPI such as ``days_to_full_cluster`` is
empty when the full cluster is not reached within the horizon, so ``n`` below the number
of replications means the quantiles describe only the runs that got there.
"""

from __future__ import annotations

import pandas as pd

QUANTILES = {"p10": 0.1, "p50": 0.5, "p90": 0.9}
MAX_PRINTED_POINTS = 20


def summarize(runs: pd.DataFrame, kpis: list[str], parameters: list[str]) -> pd.DataFrame:
    """One row per (point, KPI): parameters, runs, n, mean, P10, P50, P90."""
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs.iloc[0:0]
    firsts = runs.groupby("point", sort=True)[parameters].first() if parameters else None
    counts = runs.groupby("point", sort=True).size()
    rows = []
    for point, total in counts.items():
        group = ok[ok["point"] == point]
        for kpi in kpis:
            values = (
                pd.to_numeric(group[kpi], errors="coerce").dropna()
                if kpi in group
                else pd.Series(dtype=float)
            )
            row = {"point": point}
            if firsts is not None:
                row.update(firsts.loc[point].to_dict())
            row.update(kpi=kpi, runs=int(total), n=int(values.size), mean=values.mean())
            row.update({name: values.quantile(q) for name, q in QUANTILES.items()})
            rows.append(row)
    return pd.DataFrame(rows)


def print_table(summary: pd.DataFrame, parameters: list[str], console) -> None:
    """Parameters first (one row per point), then the quantiles: two narrow tables read
    better in a terminal than one that wraps every cell."""
    from rich.table import Table

    shown = summary[summary["point"] < MAX_PRINTED_POINTS]
    if parameters:
        legend = Table(title="Points")
        legend.add_column("point", justify="right")
        for name in parameters:
            legend.add_column(name, overflow="fold")
        for point, row in shown.groupby("point").first().iterrows():
            legend.add_row(str(point), *(_cell(row[name]) for name in parameters))
        console.print(legend)
    table = Table(title="KPI quantiles per point")
    table.add_column("point", justify="right")
    table.add_column("KPI", no_wrap=True)
    table.add_column("n", justify="right")
    for name in QUANTILES:
        table.add_column(name.upper(), justify="right")
    for point, rows in shown.groupby("point", sort=True):
        for _, row in rows.iterrows():
            table.add_row(
                str(point),
                row["kpi"],
                f"{row['n']}/{row['runs']}",
                *(_number(_plain(row[name])) for name in QUANTILES),
            )
        table.add_section()
    console.print(table)
    hidden = summary["point"].nunique() - shown["point"].nunique()
    if hidden > 0:
        console.print(f"... and {hidden} more points in summary.parquet")


def _number(value: object) -> str:
    """Compact enough that five KPIs fit an 80-column terminal."""
    if value is None:
        return "-"
    return f"{value:,.1f}" if abs(value) < 1e6 else f"{value:.3g}"


def _cell(value: object) -> str:
    """A parameter's value; blank where a point keeps the base scenario's (tornado)."""
    from dcsim.formatting import format_value

    value = _plain(value)
    return "base" if value is None else format_value(value)


def _plain(value: object) -> object:
    """``None`` for a missing value; NumPy scalars as Python numbers for formatting."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value
