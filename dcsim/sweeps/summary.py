"""KPI quantiles per point: the table printed at the end of a sweep and ``summary.parquet``.

``n`` counts the runs where the KPI is defined; a KPI such as ``days_to_full_cluster`` is
empty when the full cluster is not reached within the horizon, so ``n`` below the number
of replications means the quantiles describe only the runs that got there.

A date KPI (``full_cluster_date``) is summarized as dates: its quantile columns hold days
since the scenario start, and ``mean_date``/``p10_date``/``p50_date``/``p90_date`` hold the
dates themselves (ISO text), which the printed table shows.
"""

from __future__ import annotations

import re

import pandas as pd

QUANTILES = {"p10": 0.1, "p50": 0.5, "p90": 0.9}
MAX_PRINTED_POINTS = 20
#: The columns naming a date KPI's statistics as dates.
DATE_COLUMNS = tuple(f"{name}_date" for name in ("mean", *QUANTILES))


def summarize(runs: pd.DataFrame, kpis: list[str], parameters: list[str]) -> pd.DataFrame:
    """One row per (point, KPI): parameters, runs, n, mean, P10, P50, P90 (and, for a
    date KPI, the same statistics as dates)."""
    ok = runs[runs["status"] == "ok"] if "status" in runs else runs.iloc[0:0]
    firsts = runs.groupby("point", sort=True)[parameters].first() if parameters else None
    counts = runs.groupby("point", sort=True).size()
    rows = []
    for point, total in counts.items():
        group = ok[ok["point"] == point]
        for kpi in kpis:
            row = {"point": point}
            if firsts is not None:
                row.update(firsts.loc[point].to_dict())
            row.update(kpi=kpi, runs=int(total))
            row.update(_date_statistics(group, kpi) if is_date(kpi) else _statistics(group, kpi))
            rows.append(row)
    return pd.DataFrame(rows)


def is_date(kpi: str) -> bool:
    """Whether ``kpi`` is a calendar date (``first_power_date``) rather than a number."""
    from dcsim.kpis import spec

    found = spec(kpi)
    return found is not None and found.kind == "date"


def _statistics(group: pd.DataFrame, kpi: str) -> dict[str, float]:
    values = (
        pd.to_numeric(group[kpi], errors="coerce").dropna()
        if kpi in group
        else pd.Series(dtype=float)
    )
    quantiles = {name: values.quantile(q) for name, q in QUANTILES.items()}
    return {"n": int(values.size), "mean": values.mean(), **quantiles}


def days_since_start(runs: pd.DataFrame, kpi: str) -> pd.Series:
    """A date KPI of each run as whole days since that run's scenario start (NaN where
    the date was not reached): the number that quantiles, means and sensitivity work on."""
    if kpi not in runs or "start_date" not in runs:
        return pd.Series(float("nan"), index=runs.index)
    starts = pd.to_datetime(runs["start_date"], errors="coerce")
    return (_dates(runs, kpi) - starts).dt.days.astype(float)


def _dates(runs: pd.DataFrame, kpi: str) -> pd.Series:
    if kpi not in runs:
        return pd.Series(pd.NaT, index=runs.index, dtype="datetime64[ns]")
    return pd.to_datetime(runs[kpi], errors="coerce")


def _date_statistics(group: pd.DataFrame, kpi: str) -> dict[str, object]:
    """Statistics of a date KPI over the runs that reached it: days since each run's
    start in the numeric columns, calendar dates (rounded to the day) in the ``_date``
    ones."""
    days = days_since_start(group, kpi)
    reached = days.notna()
    dates, days = _dates(group, kpi)[reached], days[reached]
    row: dict[str, object] = {"n": int(reached.sum()), "mean": days.mean()}
    row.update({name: days.quantile(q) for name, q in QUANTILES.items()})
    statistics = {"mean": dates.mean(), **{n: dates.quantile(q) for n, q in QUANTILES.items()}}
    for name, value in statistics.items():
        row[f"{name}_date"] = None if pd.isna(value) else value.round("D").date().isoformat()
    return row


def print_table(summary: pd.DataFrame, parameters: list[str], console) -> None:
    """Parameters first (one row per point), then the quantiles: two narrow tables read
    better in a terminal than one that wraps every cell."""
    from rich.table import Table

    from dcsim.tables import print_fitted

    shown = summary[summary["point"] < MAX_PRINTED_POINTS]
    named = parameters == ["label"]  # a points design: each point has a name
    if parameters and not named:
        legend = Table(title="Points")
        legend.add_column("point", justify="right")
        for name in parameters:
            legend.add_column(name, overflow="fold")
        for point, row in shown.groupby("point").first().iterrows():
            legend.add_row(str(point), *(_cell(row[name]) for name in parameters))
        console.print(legend)
    single = shown["point"].nunique() == 1
    table = Table(title="KPI quantiles" if single else "KPI quantiles per point")
    table.add_column("point", justify="right")
    table.add_column("KPI", overflow="fold")
    table.add_column("n", justify="right")
    for name in QUANTILES:
        table.add_column(name.upper(), justify="right")
    table.add_column("unit")
    for point, rows in shown.groupby("point", sort=True):
        for _, row in rows.iterrows():
            if is_date(row["kpi"]):
                cells, unit = [_text(_plain(row.get(f"{n}_date")), str) for n in QUANTILES], ""
            else:
                cells, unit = scaled(row["kpi"], [_plain(row[name]) for name in QUANTILES])
            name = str(row["label"]) if named else str(point)
            table.add_row(name, row["kpi"], f"{row['n']}/{row['runs']}", *cells, unit)
        table.add_section()
    if single:  # one point (a fleet study, a single design point): its number says nothing
        table.columns.pop(0)
    print_fitted(table, console)
    hidden = summary["point"].nunique() - shown["point"].nunique()
    if hidden > 0:
        console.print(f"... and {hidden} more points in summary.parquet")


#: Endings of KPI names that are shares of one (a queue's completion rate), which the KPI
#: table of a run does not list.
FRACTION_ENDINGS = ("_rate", "_share", "availability")


#: Fleet study columns that the run KPI table does not list: (pattern, kind, unit).
FLEET_KPIS = (
    (r"^sites$", "count", "sites"),
    (r"^h100_equivalents", "count", "H100-eq"),
    (r"^gpus_energized_by_chip\.|\.gpus_energized_final$|^chips_", "count", "GPUs"),
    (r"_gw$", "plain", "GW"),
    (r"_years_", "plain", "years"),
)


def scaled(kpi: str, values: list[float | None]) -> tuple[list[str], str]:
    """The quantiles of one KPI in one unit that keeps them short: a share as a
    percentage, a count whole, an amount scaled by its largest (``17.2``, ``B USD``), a
    date KPI given as days since the start as days."""
    from dcsim.formatting import axis_scale
    from dcsim.kpis import spec

    found = spec(kpi)
    unit = found.unit if found is not None and found.unit != "date" else ""
    kind = found.kind if found is not None else "number"
    for pattern, pattern_kind, pattern_unit in FLEET_KPIS:
        if found is None and re.search(pattern, kpi):
            kind, unit = pattern_kind, pattern_unit
    present = [v for v in values if v is not None]
    if kind == "fraction" or kpi.endswith(FRACTION_ENDINGS):
        return [_text(v, lambda x: f"{x * 100:.1f}") for v in values], "%"
    if kind == "count":
        return [_text(v, lambda x: f"{x:,.0f}") for v in values], unit
    if kind == "plain":
        return [_text(v, lambda x: f"{x:,.1f}") for v in values], unit
    divisor, label = axis_scale(max((abs(v) for v in present), default=0.0), unit)
    return [_text(v, lambda x: f"{x / divisor:,.1f}") for v in values], label


def _text(value: float | None, form) -> str:
    return "-" if value is None else form(value)


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
