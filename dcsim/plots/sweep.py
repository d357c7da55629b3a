"""Figures of a sweep: spread over time, over dates, per design point, per parameter.

Inputs are the sweep tables as written by ``dcsim sweep`` (see :mod:`dcsim.report.detect`):
``runs`` has one row per run with ``point``, parameter and KPI columns; the long time
series has ``point``, ``replication``, ``date`` and the run time-series columns. Every
function draws on ``ax`` (a new figure if ``None``) and returns the Axes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from dcsim.plots.style import date_axis, finish, legend_outside, new_axes, step_on_grid, to_dates

#: Fan-chart band: the quantiles drawn as the band edges and the middle line.
BAND = (0.1, 0.5, 0.9)
#: Above this many design points a figure would be unreadable; the first ones are drawn.
MAX_POINTS = 8


def daily_quantiles(
    timeseries: pd.DataFrame, column: str, quantiles: tuple[float, ...] = BAND
) -> pd.DataFrame:
    """Per point and day, the quantiles of ``column`` across replications.

    Each run's step function is read on one daily calendar grid (the value in force at
    each midnight), so runs whose changes fall at different instants compare day by day.
    Columns are a ``(point, quantile)`` MultiIndex, the index the daily dates.
    """
    dates = timeseries["date"]
    grid = pd.date_range(dates.min().ceil("D"), dates.max().floor("D"), freq="D")
    out = {}
    for point, runs in timeseries.groupby("point", sort=True):
        values = np.vstack(
            [
                step_on_grid(run["date"], run[column], grid)
                for _, run in runs.sort_values("date").groupby("replication")
            ]
        )
        for q in quantiles:
            out[point, q] = np.nanquantile(values, q, axis=0)
    return pd.DataFrame(out, index=grid)


def plot_fan(
    timeseries: pd.DataFrame, column: str, ax: Axes | None = None, ylabel: str | None = None
) -> Axes:
    """P10–P90 band and P50 line of ``column`` over calendar dates, one colour per point."""
    ax = new_axes(ax)
    bands = daily_quantiles(timeseries, column)
    low, mid, high = BAND
    for i, point in enumerate(_points(bands.columns.get_level_values(0))):
        color = f"C{i}"
        ax.fill_between(
            bands.index,
            bands[point, low],
            bands[point, high],
            color=color,
            alpha=0.25,
            step="post",
            label=f"point {point} P10–P90",
        )
        ax.plot(
            bands.index,
            bands[point, mid],
            color=color,
            drawstyle="steps-post",
            label=f"point {point} P50",
        )
    ax.yaxis.set_major_formatter(mticker.StrMethodFormatter("{x:,.0f}"))
    date_axis(ax)
    legend_outside(ax, ncols=4)
    label = ylabel or column
    return finish(ax, f"{label.split(' (')[0]}: P10–P90 across replications", label)


def plot_date_cdf(
    runs: pd.DataFrame, kpi: str = "full_cluster_date", ax: Axes | None = None
) -> Axes:
    """Empirical CDF of a date KPI per point. Runs that never reached it stay in the
    denominator, so a curve that levels off below 1 shows the share that did not."""
    ax = new_axes(ax)
    for i, (point, group) in enumerate(_by_point(runs)):
        dates = to_dates(group[kpi]).dropna().sort_values()
        dates = pd.concat([dates.iloc[:1], dates])  # start from 0 at the first date
        share = np.arange(len(dates)) / len(group)
        ax.step(
            dates,
            share,
            where="post",
            color=f"C{i}",
            label=f"point {point} ({len(dates)}/{len(group)} reached)",
        )
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(mticker.PercentFormatter(1.0))
    date_axis(ax)
    legend_outside(ax, ncols=3)
    name = kpi.removesuffix("_date").replace("_", " ")
    return finish(ax, f"When the {name} is reached: CDF over runs", "share of runs (%)")


def plot_kpi_distribution(runs: pd.DataFrame, kpi: str, ax: Axes | None = None) -> Axes:
    """Box plot of a numeric KPI per design point (whiskers 10th–90th percentile, so the
    box plot and the fan charts describe the same band)."""
    ax = new_axes(ax, figsize=(8.0, 4.2))
    groups = [(point, group[kpi].dropna().to_numpy(float)) for point, group in _by_point(runs)]
    ax.boxplot(
        [values for _, values in groups], whis=(10, 90), tick_labels=[str(p) for p, _ in groups]
    )
    ax.yaxis.set_major_formatter(mticker.StrMethodFormatter("{x:,.4g}"))
    return finish(ax, f"{kpi} per design point", kpi_label(kpi), xlabel="design point")


def plot_tornado(entry: Mapping[str, Any], kpi: str, ax: Axes | None = None) -> Axes:
    """One bar per parameter from the base KPI to the KPI at the parameter's low and at its
    high value, widest swing on top. ``entry`` is one KPI of ``tornado.json``:
    ``{"base", "parameters": [{"parameter", "low", "high", "unit", "kpi_low", "kpi_high",
    "swing"}]}``."""
    rows = sorted(entry["parameters"], key=lambda r: np.nan_to_num(r["swing"], nan=-1.0))
    ax = new_axes(ax, figsize=(8.0, 1.8 + 0.4 * len(rows)))
    base = float(entry["base"])
    y = np.arange(len(rows))
    for key, color, label in (
        ("kpi_low", "tab:blue", "parameter at its low value"),
        ("kpi_high", "tab:orange", "parameter at its high value"),
    ):
        values = np.array([r[key] for r in rows], dtype=float)
        ax.barh(y, values - base, left=base, height=0.6, color=color, alpha=0.8, label=label)
    ax.axvline(base, color="black", lw=1, label=f"base {base:,.4g}")
    ax.set_yticks(y, [_range_label(r) for r in rows], fontsize="small")
    ax.xaxis.set_major_formatter(mticker.StrMethodFormatter("{x:,.4g}"))
    legend_outside(ax, side="right")
    return finish(ax, f"Tornado: swing of {kpi}", "parameter (low – high)", xlabel=kpi_label(kpi))


def _range_label(row: Mapping[str, Any]) -> str:
    unit = f" {row['unit']}" if row.get("unit") else ""
    return f"{row['parameter']} ({row['low']:g} – {row['high']:g}{unit})"


def plot_sobol(entry: Mapping[str, Any], kpi: str, ax: Axes | None = None) -> Axes:
    """First-order (S1) and total (ST) Sobol indices per parameter with 95% confidence
    bars; ST well above S1 means the parameter acts through interactions. ``entry`` is one
    KPI of ``sobol.json``: ``{"parameters": {name: {"S1", "S1_conf", "ST", "ST_conf"}}}``."""
    indices = entry["parameters"]
    names = list(indices)
    ax = new_axes(ax, figsize=(8.0, 1.8 + 0.45 * len(names)))
    y = np.arange(len(names))
    for offset, key, color, label in (
        (-0.2, "S1", "tab:blue", "first order S1"),
        (0.2, "ST", "tab:orange", "total ST"),
    ):
        values = [indices[n][key] for n in names]
        errors = [indices[n][f"{key}_conf"] for n in names]
        ax.barh(y + offset, values, height=0.4, xerr=errors, color=color, label=label, capsize=2)
    ax.set_yticks(y, names, fontsize="small")
    ax.invert_yaxis()
    legend_outside(ax, side="right")
    return finish(
        ax, f"Sobol indices of {kpi}", "parameter", xlabel="share of output variance (index)"
    )


def plot_kpi_scatter(runs: pd.DataFrame, kpi: str, parameter: str, ax: Axes | None = None) -> Axes:
    """Every run's KPI against one swept parameter, with the per-value median."""
    ax = new_axes(ax, figsize=(6.0, 4.2))
    data = runs[[parameter, kpi]].dropna()
    ax.scatter(data[parameter], data[kpi], s=12, alpha=0.5, label="runs")
    medians = data.groupby(parameter)[kpi].median()
    if len(medians) < len(data):
        ax.plot(medians.index, medians.to_numpy(), "k.-", label="median per value")
    ax.legend(loc="best", fontsize="small")
    ax.yaxis.set_major_formatter(mticker.StrMethodFormatter("{x:,.4g}"))
    return finish(ax, f"{kpi} against {parameter}", kpi_label(kpi), xlabel=parameter)


def kpi_label(kpi: str) -> str:
    """Axis label with the unit the KPI name carries."""
    if kpi.startswith("days_"):
        return f"{kpi} (days)"
    for suffix, unit in UNITS.items():
        if kpi.endswith(suffix):
            return f"{kpi} ({unit})"
    return kpi


UNITS = {
    "_usd_years": "USD·years",
    "_usd": "USD",
    "_mw": "MW",
    "_mwh": "MWh",
    "_days": "days",
    "gpu_days": "GPU·days",
    "_flop": "FLOP",
    "_seconds": "s",
}


def _by_point(runs: pd.DataFrame):
    return [(p, g) for p, g in runs.groupby("point", sort=True) if p in _points(runs["point"])]


def _points(points: Any) -> list[Any]:
    return sorted(set(points))[:MAX_POINTS]
