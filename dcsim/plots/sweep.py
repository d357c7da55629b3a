"""Figures of a sweep: spread over time, over dates, per design point, per parameter.

Inputs are the sweep tables as written by ``dcsim sweep`` (see :mod:`dcsim.report.detect`):
``runs`` has one row per run with ``point``, parameter and KPI columns; the long time
series has ``point``, ``replication``, ``date`` and the run time-series columns. Every
function draws on ``ax`` (a new figure if ``None``) and returns the Axes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.dates as mdates
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from dcsim.formatting import axis_scale
from dcsim.kpis import axis_label, unit_of
from dcsim.plots.style import (
    date_axis,
    finish,
    legend_outside,
    new_axes,
    step_on_grid,
    time_limits,
    to_dates,
)
from dcsim.units import CANONICAL, parse_quantity

#: Fan-chart band: the quantiles drawn as the band edges and the middle line.
BAND = (0.1, 0.5, 0.9)
#: Above this many design points, figures per point would be unreadable: the report pools
#: the runs instead (a Sobol or Latin-hypercube design) and shows effects per parameter.
MAX_POINTS = 12

Labels = Mapping[Any, str]


def point_labels(runs: pd.DataFrame, parameters: list[str]) -> dict[Any, str]:
    """Each design point named by its parameter values, ``delay=6 months, crews=4`` (the
    last part of each dotted path, more where two would read alike); ``point N`` when
    nothing is swept."""
    points = sorted(set(runs["point"]))
    if not parameters:
        return {p: f"point {p}" for p in points}
    if parameters == ["label"]:  # named points: the label is the name
        named = runs.groupby("point", sort=True)["label"].first()
        return {p: str(named.at[p]) for p in points}
    settings = runs.groupby("point", sort=True)[parameters].first()
    short = short_names(parameters)
    return {
        p: ", ".join(f"{short[name]}={value_text(settings.at[p, name])}" for name in parameters)
        for p in points
    }


def short_names(parameters: list[str]) -> dict[str, str]:
    """Each dotted path by its fewest trailing parts that no other path ends with."""

    def tail(path: str, depth: int) -> str:
        return ".".join(path.split(".")[-depth:])

    short = {}
    for path in parameters:
        depth = 1
        while depth < len(path.split(".")) and any(
            tail(other, depth) == tail(path, depth) for other in parameters if other != path
        ):
            depth += 1
        short[path] = tail(path, depth)
    return short


def value_text(value: Any) -> str:
    """A parameter value as the experiment wrote it; ``base`` where the point keeps the base
    scenario's value (a tornado's base point)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "base"
    if isinstance(value, float | np.floating):
        return f"{float(value):.4g}"
    return str(value)


def magnitude(value: Any) -> float:
    """A value's size for ordering: numbers as they are, ``"6 months"`` in its canonical
    unit (so 6 months sorts before 12 months, not after as text would); NaN otherwise."""
    if isinstance(value, int | float | np.number) and not isinstance(value, bool):
        return float(value)
    for kind in CANONICAL:
        try:
            return parse_quantity(value, kind)
        except ValueError:
            continue
    return float("nan")


def in_order(values: Any) -> list[Any]:
    """Distinct values by magnitude (text that has none after, alphabetically)."""
    distinct = list(dict.fromkeys(v for v in values if not pd.isna(v)))
    return sorted(distinct, key=lambda v: (np.isnan(magnitude(v)), magnitude(v), str(v)))


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
    timeseries: pd.DataFrame,
    column: str,
    ax: Axes | None = None,
    ylabel: str | None = None,
    labels: Labels | None = None,
) -> Axes:
    """P10–P90 band and P50 line of ``column`` over calendar dates, one colour per point
    (named by ``labels``, default ``point N``)."""
    ax = new_axes(ax, figsize=(8.0, 5.5))
    bands = daily_quantiles(timeseries, column)
    low, mid, high = BAND
    for i, point in enumerate(_points(bands.columns.get_level_values(0))):
        color = _color(i)
        name = _label(labels, point)
        ax.fill_between(
            bands.index,
            bands[point, low],
            bands[point, high],
            color=color,
            alpha=0.25,
            step="post",
            label="P10–P90 band, in the colour of its P50" if i == 0 else None,
        )
        ax.plot(
            bands.index,
            bands[point, mid],
            color=color,
            drawstyle="steps-post",
            label=f"{name}: P50",
            zorder=3,
        )
    ax.yaxis.set_major_formatter(mticker.StrMethodFormatter("{x:,.0f}"))
    moving = np.flatnonzero((bands.diff().abs() > 0).to_numpy().any(axis=1))
    if len(bands):
        time_limits(ax, bands.index[0], bands.index[moving[-1] if len(moving) else -1])
    date_axis(ax)
    legend_outside(ax, ncols=2, fontsize="x-small")
    label = ylabel or column
    return finish(ax, f"{label.split(' (')[0]}: P10–P90 across replications", label)


def plot_date_cdf(
    runs: pd.DataFrame,
    kpi: str = "full_cluster_date",
    ax: Axes | None = None,
    labels: Labels | None = None,
    pooled: bool = False,
) -> Axes:
    """Empirical CDF of a date KPI per point (or of all runs together, ``pooled``). Runs
    that never reached it stay in the denominator, so a curve that levels off below 1
    shows the share that did not; the legend counts runs that reached it."""
    ax = new_axes(ax, figsize=(8.0, 5.5))
    groups = [("all runs", runs)] if pooled else _by_point(runs)
    for i, (point, group) in enumerate(groups):
        dates = to_dates(group[kpi]).dropna().sort_values()
        reached = len(dates)
        steps = pd.concat([dates.iloc[:1], dates])  # the curve starts from 0 at the first date
        name = point if pooled else _label(labels, point)
        ax.step(
            steps,
            np.arange(len(steps)) / len(group),
            where="post",
            color=_color(i),
            label=f"{name} ({reached}/{len(group)} reached)",
        )
    ax.set_ylim(0, 1.02)
    ax.yaxis.set_major_formatter(mticker.PercentFormatter(1.0))
    date_axis(ax)
    legend_outside(ax, ncols=2, fontsize="x-small")
    name = kpi.removesuffix("_date").replace("_", " ")
    return finish(ax, f"When the {name} is reached: CDF over runs", "share of runs (%)")


def plot_kpi_distribution(
    runs: pd.DataFrame, kpi: str, ax: Axes | None = None, labels: Labels | None = None
) -> Axes:
    """Box plot of a numeric KPI per design point, one horizontal box per point named by
    its parameter values (whiskers 10th–90th percentile, so the box plot and the fan
    charts describe the same band), on an axis in human units."""
    groups = [(point, group[kpi].dropna().to_numpy(float)) for point, group in _by_point(runs)]
    ax = new_axes(ax, figsize=(8.0, 1.4 + 0.38 * len(groups)))
    largest = max((np.abs(v).max() for _, v in groups if v.size), default=0.0)
    divisor, unit = axis_scale(largest, unit_of(kpi))
    ax.boxplot(
        [values / divisor for _, values in groups],
        whis=(10, 90),
        orientation="horizontal",
        tick_labels=[_label(labels, p) for p, _ in groups],
    )
    ax.invert_yaxis()  # first point on top, as in the table
    ax.tick_params(axis="y", labelsize="small")
    ax.xaxis.set_major_formatter(mticker.StrMethodFormatter("{x:,.4g}"))
    xlabel = f"{kpi} ({unit})" if unit else kpi
    return finish(ax, f"{kpi} per design point", "design point", xlabel=xlabel)


def plot_tornado(entry: Mapping[str, Any], kpi: str, ax: Axes | None = None) -> Axes:
    """One bar per parameter from the base KPI to the KPI at the parameter's low and at its
    high value, widest swing on top. ``entry`` is one KPI of ``tornado.json``:
    ``{"base", "parameters": [{"parameter", "low", "high", "unit", "kpi_low", "kpi_high",
    "swing"}]}``; a date KPI's (days since ``start``) is drawn on a date axis."""
    rows = sorted(entry["parameters"], key=lambda r: np.nan_to_num(r["swing"], nan=-1.0))
    ax = new_axes(ax, figsize=(8.0, 1.8 + 0.4 * len(rows)))
    start = entry.get("start")  # a date KPI, in days since this start: drawn on dates
    # matplotlib's date numbers are days too, so a date KPI is its days plus the start's.
    shift = float(mdates.date2num(pd.Timestamp(start))) if start else 0.0
    base = float(entry["base"]) + shift
    y = np.arange(len(rows))
    for key, color, label in (
        ("kpi_low", "tab:blue", "parameter at its low value"),
        ("kpi_high", "tab:orange", "parameter at its high value"),
    ):
        values = np.array([r[key] for r in rows], dtype=float) + shift
        ax.barh(y, values - base, left=base, height=0.6, color=color, alpha=0.8, label=label)
    base_text = entry.get("base_date") if start else f"{base:,.4g}"
    ax.axvline(base, color="black", lw=1, label=f"base {base_text}")
    ax.set_yticks(y, [_range_label(r) for r in rows], fontsize="small")
    if start:
        date_axis(ax)  # ticks on month and year starts
    else:
        ax.xaxis.set_major_formatter(mticker.StrMethodFormatter("{x:,.4g}"))
    legend_outside(ax, side="right")
    xlabel = f"{kpi} (date)" if start else axis_label(kpi)
    return finish(ax, f"Tornado: swing of {kpi}", "parameter (low – high)", xlabel=xlabel)


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
    as_days = f"\n(the date as {entry['unit']})" if "unit" in entry else ""
    return finish(
        ax,
        f"Sobol indices of {kpi}{as_days}",
        "parameter",
        xlabel="share of output variance (index)",
    )


def plot_kpi_scatter(
    runs: pd.DataFrame,
    kpi: str,
    parameter: str,
    ax: Axes | None = None,
    unit: str | None = None,
    sampled: bool | None = None,
) -> Axes:
    """Every run's KPI against one swept parameter (in ``unit``, if given), with the median
    per value joined in the values' own order (text such as ``6 months`` is placed by its
    magnitude). A parameter ``sampled`` over a range (default: numeric with more distinct
    values than :data:`MAX_POINTS`) gets the median per eighth of the runs instead, a
    trend rather than a zig-zag through points where every other parameter moves too."""
    ax = new_axes(ax, figsize=(6.0, 4.2))
    data = runs[[parameter, kpi]].dropna()
    divisor, kpi_unit = axis_scale(float(data[kpi].abs().max()) if len(data) else 0.0, unit_of(kpi))
    y = data[kpi] / divisor
    numeric = pd.api.types.is_numeric_dtype(data[parameter])
    order = in_order(data[parameter])
    x = data[parameter] if numeric else data[parameter].map({v: i for i, v in enumerate(order)})
    ax.scatter(x, y, s=12, alpha=0.5, label="runs")
    if sampled is None:
        sampled = numeric and len(order) > MAX_POINTS
    if sampled and numeric:
        bins = pd.qcut(x, 8, duplicates="drop")
        trend = pd.DataFrame({"x": x, "y": y}).groupby(bins, observed=True).median()
        ax.plot(trend["x"], trend["y"], "k.-", label="median per eighth of the runs")
    elif len(order) < len(data):
        medians = y.groupby(data[parameter]).median().reindex(order)
        where = medians.index if numeric else range(len(order))
        ax.plot(where, medians.to_numpy(), "k.-", label="median per value")
    if not numeric:
        ax.set_xticks(range(len(order)), [str(v) for v in order])
    ax.legend(loc="best", fontsize="small")
    ax.yaxis.set_major_formatter(mticker.StrMethodFormatter("{x:,.4g}"))
    ylabel = f"{kpi} ({kpi_unit})" if kpi_unit else kpi
    xlabel = f"{parameter} ({unit})" if unit else parameter
    return finish(ax, f"{kpi} against {parameter}", ylabel, xlabel=xlabel)


def _label(labels: Labels | None, point: Any) -> str:
    return labels[point] if labels and point in labels else f"point {point}"


def _color(i: int) -> Any:
    """Distinct colours for up to :data:`MAX_POINTS` points (tab10 has only ten)."""
    return f"C{i}" if i < 10 else ("black", "tab:olive", "0.6")[(i - 10) % 3]


def _by_point(runs: pd.DataFrame):
    return [(p, g) for p, g in runs.groupby("point", sort=True) if p in _points(runs["point"])]


def _points(points: Any) -> list[Any]:
    return sorted(set(points))[:MAX_POINTS]
