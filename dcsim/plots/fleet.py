"""Figures of a fleet: energized load by region, GPUs by chip, and the queue funnel.

Each function takes one of the tables ``dcsim fleet --out`` writes (``timeseries.parquet``
or ``requests.parquet``), draws on ``ax`` (a new figure if ``None``) and returns the Axes.
The time series holds each region's levels after each change, so it is drawn ``steps-post``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from dcsim.plots.style import date_axis, finish, legend_outside, new_axes, step_on_grid

#: The stages of the queue funnel: the request days that put a request's GW in each.
FUNNEL = (
    ("requested", "request_day"),
    ("studied", "study_end_day"),
    ("withdrawn", "withdrawn_day"),
    ("in operation", "operation_day"),
)


#: Regions drawn one by one; a fleet of more draws the largest of them (by peak) and the
#: rest as one band, so a report of 2,000 regions costs what one of a dozen does.
MAX_REGIONS = 12


#: Most dates a fleet figure is read on: about four per pixel of its width at the report's
#: resolution, so no step a reader could see is lost. 2,000 regions change on some
#: 400,000 dates, whose stacked polygons alone took 450 MB to draw.
MAX_DATES = 4000


def level_grid(dates: pd.Series) -> pd.DatetimeIndex:
    """The dates a fleet figure reads its levels on: every change date, or, beyond
    :data:`MAX_DATES` of them, that many evenly spaced from the first to the last, each
    reading the levels after the last change at or before it (as a figure drawn
    ``steps-post`` would show them)."""
    grid = pd.DatetimeIndex(np.unique(dates.to_numpy()))
    if len(grid) <= MAX_DATES:
        return grid
    return pd.date_range(grid[0], grid[-1], periods=MAX_DATES)


def fleet_levels(timeseries: pd.DataFrame, column: str, top: int = MAX_REGIONS) -> pd.DataFrame:
    """``column`` of each region read on the :func:`level_grid` of all regions' change
    dates: one column per region (0 before a region's first change), rows by date. Beyond
    ``top`` regions, the ``top`` of largest peak keep their columns and the others are
    summed in one, ``other (N regions)``: a table of a dozen columns, however many
    regions."""
    grid = level_grid(timeseries["date"])
    peaks = timeseries.groupby("region", sort=True)[column].max()
    kept = set(peaks.nlargest(top).index) if len(peaks) > top else set(peaks.index)
    table = {}
    for region, rows in timeseries[timeseries["region"].isin(kept)].groupby("region", sort=True):
        table[region] = np.nan_to_num(step_on_grid(rows["date"], rows[column], grid))
    rest = timeseries[~timeseries["region"].isin(kept)]
    if len(rest):
        others = rest["region"].nunique()
        total = fleet_total(rest, column)
        table[f"other ({others:,} regions)"] = step_on_grid(pd.Series(total.index), total, grid)
    return pd.DataFrame(table, index=grid)


def fleet_total(timeseries: pd.DataFrame, column: str) -> pd.Series:
    """``column`` summed over regions after each change date, from each region's changes
    (its level minus its previous level): one pass over the rows, no region-by-date
    table."""
    rows = timeseries.sort_values(["region", "date"], kind="stable")
    level = rows[column].fillna(0.0)
    change = level - level.groupby(rows["region"]).shift(fill_value=0.0)
    return change.groupby(rows["date"]).sum().sort_index().cumsum()


def plot_energized_by_region(timeseries: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Energized facility load, stacked by region: the top edge is the fleet's."""
    ax = new_axes(ax)
    levels = fleet_levels(timeseries, "facility_gw")
    # Up to a dozen regions and "other": beyond the default cycle's ten colours, twenty,
    # so that no two bands share one.
    many = len(levels.columns) > len(plt.get_cmap("tab10").colors)
    colors = plt.get_cmap("tab20").colors[: len(levels.columns)] if many else None
    ax.stackplot(
        levels.index, *levels.T.to_numpy(), labels=levels.columns, colors=colors, step="post"
    )
    date_axis(ax)
    legend_outside(ax, "right", title="region")
    return finish(ax, "Energized facility load by region", "facility load (GW)")


def plot_gpus_by_chip(timeseries: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Energized GPUs of the whole fleet, one line per chip."""
    ax = new_axes(ax)
    chips = sorted(
        c for c in timeseries if c.startswith("gpus_energized_") and c != "gpus_energized_final"
    )
    grid = level_grid(timeseries["date"])
    for column in chips:
        total = fleet_total(timeseries, column)
        label = column.removeprefix("gpus_energized_")
        levels = step_on_grid(total.index, total.to_numpy(), grid)
        ax.plot(grid, levels, drawstyle="steps-post", label=label)
    ax.yaxis.set_major_formatter(lambda value, _: f"{value:,.0f}")
    date_axis(ax)
    legend_outside(ax, "right", title="chip")
    return finish(ax, "GPUs energized by chip (fleet)", "energized GPUs (count)")


#: The funnel's extra bar where a large-load process energizes requests in tranches.
ENERGIZED = "energized (tranches)"


def funnel(requests: pd.DataFrame, horizon_day: float) -> pd.DataFrame:
    """GW per region reaching each stage of :data:`FUNNEL` by ``horizon_day``: filed,
    through their study, withdrawn (in study or during upgrades), in operation; with a
    large-load region, also the GW energized in tranches (part-energized requests too)."""
    tranches = "energized_mw" in requests and requests["energized_mw"].notna().any()
    columns = [s for s, _ in FUNNEL] + ([ENERGIZED] if tranches else [])
    rows = {}
    for region, group in requests.groupby("region", sort=True):
        rows[region] = {
            stage: float(group.mw[group[day] <= horizon_day].sum() / 1000) for stage, day in FUNNEL
        }
        if tranches:
            rows[region][ENERGIZED] = float(group.energized_mw.fillna(0).sum() / 1000)
    table = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    if len(table) <= MAX_REGIONS:
        return table
    kept = table["requested"].nlargest(MAX_REGIONS).index
    rest = table.drop(index=kept)
    other = rest.sum().rename(f"other ({len(rest):,} regions)")
    return pd.concat([table.loc[sorted(kept)], other.to_frame().T])


def plot_queue_funnel(requests: pd.DataFrame, horizon_day: float, ax: Axes | None = None) -> Axes:
    """Horizontal bars per region: requested, studied, withdrawn, in operation (GW), and
    energized in tranches where a region runs a large-load process."""
    table = funnel(requests, horizon_day)
    ax = new_axes(ax, figsize=(8.0, 1.2 + 1.1 * max(1, len(table))))
    stages = list(table.columns)
    height = 0.8 / len(stages)
    for i, stage in enumerate(stages):
        y = np.arange(len(table)) + (i - (len(stages) - 1) / 2) * height
        bars = ax.barh(y, table[stage], height=height, label=stage)
        ax.bar_label(bars, fmt="{:,.1f}", fontsize="x-small", padding=2)
    ax.set_yticks(np.arange(len(table)), table.index)
    ax.invert_yaxis()
    largest = float(np.nanmax(table.to_numpy())) if table.size else 0.0
    if largest > 0:  # room for the longest bar's label inside the axes
        ax.set_xlim(0, largest * 1.12)
    legend_outside(ax, "right", title="requests")
    return finish(ax, "Interconnection queue funnel", "region", xlabel="requests (GW)")


def plot_site_risk(
    risk: pd.DataFrame, end: pd.Timestamp | None = None, ax: Axes | None = None
) -> Axes:
    """Per site (``site_risk.parquet``), the P10–P90 span of its first-power and
    full-cluster dates with the P50 marked, first site on top; a quantile that falls on a
    replication that never got there runs to ``end`` (the fleet's end date, dashed) with
    an arrow."""
    from dcsim.plots.style import to_dates

    ax = new_axes(ax, figsize=(8.0, 1.8 + 0.5 * len(risk)))
    spans = (("first_power", "C0", -0.15), ("full_cluster", "C3", 0.15))
    quantiles = ("p10", "p50", "p90")
    known = [to_dates(risk[f"{key}_{q}"]).dropna() for key, _, _ in spans for q in quantiles]
    dates = pd.concat(known) if known else pd.Series(dtype="datetime64[ns]")
    edge = end if end is not None else (dates.max() if len(dates) else pd.Timestamp("2030-01-01"))
    if end is not None:
        ax.axvline(end, color="0.4", linestyle="--", linewidth=1, label="end of the horizon")
    for key, color, offset in spans:
        label = key.replace("_", " ")
        for i, row in enumerate(risk.to_dict("records")):
            low, mid, high = (pd.Timestamp(row[f"{key}_{q}"]) if isinstance(row[f"{key}_{q}"], str)
                              else None for q in ("p10", "p50", "p90"))  # fmt: skip
            y = i + offset
            if low is None:
                continue
            ax.plot([low, high or edge], [y, y], color=color, linewidth=4, alpha=0.5,
                    solid_capstyle="butt", label=label if i == 0 else None)  # fmt: skip
            if high is None:
                ax.annotate("", (edge, y), (edge - pd.Timedelta(days=1), y),
                            arrowprops={"arrowstyle": "->", "color": color})  # fmt: skip
            if mid is not None:
                ax.plot([mid], [y], marker="|", markersize=12, color=color)
    ax.set_yticks(range(len(risk)), list(risk["site"]))
    ax.set_ylim(len(risk) - 0.5, -0.5)  # first site on top
    date_axis(ax)
    legend_outside(ax, side="right")
    return finish(ax, "Dates per site: P10–P90 over replications, P50 marked", "site")
