"""Figures of one run: power, the GPU pipeline, capex and the build-out schedule.

Each function takes a :class:`~dcsim.results.RunResult` (or anything with the same
``timeseries`` / ``events`` / ``kpis`` attributes, such as a run directory read back by
:func:`dcsim.report.load_run`) or the table itself, draws on ``ax`` (a new figure if
``None``) and returns the Axes. Levels are step functions, so they are drawn ``steps-post``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.dates as mdates
import matplotlib.ticker as mticker
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from dcsim.plots.style import (
    date_axis,
    finish,
    last_change,
    legend_outside,
    money_axis,
    new_axes,
    time_limits,
    to_dates,
)
from dcsim.sim.events import EventName

#: Power curves, outermost limit first: what the grid grants, what the equipment can carry,
#: what the campus draws, and the share of it that reaches servers.
POWER_LINES = (
    ("interconnect_mw", "grid interconnect capacity", {"color": "0.45", "ls": "--"}),
    ("generation_mw", "on-site generation capacity", {"color": "tab:brown", "ls": ":"}),
    ("bridging_mw", "bridging generation running", {"color": "tab:brown"}),
    ("deliverable_mw", "deliverable power (through equipment)", {}),
    ("facility_mw", "facility load", {"lw": 2}),
    ("it_mw", "IT load", {}),
)
#: Drawn only when the scenario has them (on-site generation).
OPTIONAL_POWER = ("generation_mw", "bridging_mw")
#: Milestones of the energized GPU count, as KPI name and legend text.
MILESTONES = (
    ("first_power_date", "first power", ":"),
    ("date_50pct_gpus", "50% of GPUs energized", "-."),
    ("full_cluster_date", "full cluster energized", "--"),
)
#: The GPU pipeline from the bottom of the stack up: useful compute first.
PIPELINE = (
    ("gpus_energized", "energized", "tab:green"),
    ("gpus_installed", "installed, waiting for power", "tab:orange"),
    ("gpus_warehouse", "on site, not installed", "tab:red"),
    ("gpus_in_transit", "in transit", "tab:blue"),
    ("gpus_failed", "failed", "0.3"),
)
CAPEX = (
    ("capex_chips_usd", "chips", "tab:purple"),
    ("capex_facility_usd", "facility", "tab:olive"),
    ("capex_electrical_usd", "electrical equipment", "tab:cyan"),
    ("capex_generation_usd", "generation", "tab:brown"),
)
#: Gantt phases: the event that opens each and the colour. The waits are what the chart is
#: for: a stage's grey bar is time it spent ready but held back by something upstream.
PHASES = {
    "on order": "#c6dbef",
    "delivered, installing": "#2171b5",
    "shell": "#d9d9d9",
    "fit-out": "#737373",
    "stopped (project risk)": "#9e9ac8",
    "waiting for crews or chips": "#fdd0a2",
    "install + burn-in": "#fd8d3c",
    "ready, waiting for power + commissioning": "#bdbdbd",
    "energized": "#31a354",
}


def frame(run: Any, name: str) -> pd.DataFrame:
    """The ``name`` table of ``run``, or ``run`` itself if it already is a table."""
    return run if isinstance(run, pd.DataFrame) else getattr(run, name)


def plot_power(run: Any, ax: Axes | None = None, kpis: Mapping | None = None) -> Axes:
    """Grid capacity, deliverable power, facility and IT load, with the energization
    milestones (from ``kpis``, or the run's own) as vertical lines."""
    ts = frame(run, "timeseries")
    kpis = kpis if kpis is not None else getattr(run, "kpis", {})
    ax = new_axes(ax)
    for column, label, style in POWER_LINES:
        if column in ts and (column not in OPTIONAL_POWER or ts[column].any()):
            ax.plot(ts["date"], ts[column], drawstyle="steps-post", label=label, **style)
    for key, label, style in MILESTONES:
        when = to_dates([kpis.get(key)])[0]
        if pd.notna(when):
            ax.axvline(when, color="black", ls=style, lw=1, label=f"{label} {when:%Y-%m-%d}")
    ax.set_ylim(bottom=0)
    time_limits(ax, ts["date"].iloc[0], last_change(ts, [c for c, _, _ in POWER_LINES]))
    date_axis(ax)
    legend_outside(ax)
    return finish(ax, "Power: grid, deliverable, facility and IT load", "power (MW)")


def plot_gpu_pipeline(run: Any, ax: Axes | None = None) -> Axes:
    """Where the GPUs are, stacked: energized at the bottom, then everything still dark."""
    ts = frame(run, "timeseries")
    ax = new_axes(ax)
    ax.stackplot(
        ts["date"],
        *(ts[column] for column, _, _ in PIPELINE),
        labels=[label for _, label, _ in PIPELINE],
        colors=[color for _, _, color in PIPELINE],
        step="post",
        alpha=0.85,
    )
    ax.yaxis.set_major_formatter(mticker.StrMethodFormatter("{x:,.0f}"))
    time_limits(ax, ts["date"].iloc[0], last_change(ts, [c for c, _, _ in PIPELINE]))
    date_axis(ax)
    legend_outside(ax, reverse=True)
    return finish(ax, "GPU pipeline", "GPUs (count)")


def plot_capex(run: Any, ax: Axes | None = None) -> Axes:
    """Cumulative capex by category; the hatched part of the chips band is chip value on
    site but not energized (stranded capital)."""
    ts = frame(run, "timeseries")
    ax = new_axes(ax)
    present = [item for item in CAPEX if ts[item[0]].any()] or list(CAPEX[:1])
    ax.stackplot(
        ts["date"],
        *(ts[column] for column, _, _ in present),
        labels=[label for _, label, _ in present],
        colors=[color for _, _, color in present],
        step="post",
        alpha=0.6,
    )
    ax.fill_between(
        ts["date"],
        0,
        ts["dark_chip_value_usd"],
        step="post",
        facecolor="none",
        edgecolor="black",
        hatch="///",
        lw=0,
        label="stranded: chips on site, not energized",
    )
    columns = [c for c, _, _ in CAPEX] + ["dark_chip_value_usd"]
    time_limits(ax, ts["date"].iloc[0], last_change(ts, columns))
    unit = money_axis(ax, float(ts["capex_usd_cumulative"].max()))
    date_axis(ax)
    legend_outside(ax, reverse=True)
    return finish(ax, "Cumulative capex", f"capex ({unit})")


def planned_starts(scenario: Any) -> dict[str, pd.Timestamp]:
    """When each piece of equipment was ordered and each hall broke ground, from the
    scenario: often before the run starts, where the event log (which begins at day 0)
    cannot say."""
    start = pd.Timestamp(scenario.start)
    ordered = [*scenario.equipment, *scenario.grid.generators]
    starts = {e.name: pd.Timestamp(e.order_date) if e.order_date else start for e in ordered}
    starts |= {h.name: pd.Timestamp(h.construction_start) for h in scenario.halls}
    return starts


def schedule_bars(
    events: pd.DataFrame, planned: Mapping[str, pd.Timestamp] | None = None
) -> pd.DataFrame:
    """The events table as Gantt bars: ``group`` (equipment, hall, stage), ``row``,
    ``phase``, ``start``, ``end``. Orders and ground-breakings before the run started begin
    at their ``planned`` date (:func:`planned_starts`), else at the start; a stage's wait
    for crews or chips runs from its hall's readiness to its install start; a project-wide
    stop is drawn over its hall's shell or fit-out."""
    planned = planned or {}
    first = events.groupby(["event", "entity"], sort=False)["date"].min()
    dates: dict[str, dict[str, pd.Timestamp]] = {}
    for (event, entity), when in first.items():
        dates.setdefault(event, {})[entity] = when
    start = events["date"].min()
    bars = []

    def add(group: str, row: str, phase: str, begin: object, end: object) -> None:
        if pd.notna(begin) and pd.notna(end) and end >= begin:
            bars.append((group, row, phase, begin, end))

    for name, delivered in dates.get(EventName.EQUIPMENT_DELIVERED, {}).items():
        ordered = planned.get(name, start)
        add("equipment", name, "on order", ordered, delivered)
        add(
            "equipment",
            name,
            "delivered, installing",
            delivered,
            dates.get(EventName.EQUIPMENT_IN_SERVICE, {}).get(name),
        )
    for name, begun in dates.get(EventName.CONSTRUCTION_START, {}).items():
        begun = min(begun, planned.get(name, begun))
        fitout = dates.get(EventName.FITOUT_START, {}).get(name)
        add("hall", name, "shell", begun, fitout)
        add("hall", name, "fit-out", fitout, dates.get(EventName.HALL_READY, {}).get(name))
    end = events["date"].max()
    stops = events[events["event"] == EventName.CONSTRUCTION_STOPPED]
    resumes = events[events["event"] == EventName.CONSTRUCTION_RESUMED]
    for name, group in stops.groupby("entity", sort=False):
        ends = list(resumes.loc[resumes["entity"] == name, "date"])
        for i, stopped in enumerate(group["date"]):  # a stop still on at the horizon: to the end
            add("hall", name, "stopped (project risk)", stopped, ends[i] if i < len(ends) else end)
    for name, installing in dates.get(EventName.INSTALL_START, {}).items():
        ready = dates.get(EventName.READY_FOR_POWER, {}).get(name)
        energized = dates.get(EventName.ENERGIZED, {}).get(name)
        hall_ready = dates.get(EventName.HALL_READY, {}).get(name.rsplit("/", 1)[0])
        if hall_ready is not None and installing > hall_ready:
            add("stage", name, "waiting for crews or chips", hall_ready, installing)
        add("stage", name, "install + burn-in", installing, ready if ready is not None else end)
        add(
            "stage",
            name,
            "ready, waiting for power + commissioning",
            ready,
            energized if energized is not None else end,
        )
        add("stage", name, "energized", energized, end)
    return pd.DataFrame(bars, columns=["group", "row", "phase", "start", "end"])


def plot_schedule(
    run: Any,
    ax: Axes | None = None,
    planned: Mapping[str, pd.Timestamp] | None = None,
    critical: pd.DataFrame | None = None,
) -> Axes:
    """Gantt chart of equipment, halls and stages, with grid steps as vertical lines: a
    stage whose grey wait ends at such a line was waiting for that power. The chart starts
    at the earliest order or ground-breaking (``planned``, default from the run's
    scenario) and ends a little after the last stage is energized. ``critical`` (the
    full-cluster rows of a run's critical path) outlines the chain in red: on its entity's
    row, or on a row of its own at the top for an entity without one (a grid step, the
    crews). Step sizes sit above the plot, so no label shares space with a bar."""
    events = frame(run, "events")
    if planned is None and getattr(run, "scenario", None) is not None:
        planned = planned_starts(run.scenario)
    bars = schedule_bars(events, planned)
    rows = list(dict.fromkeys(bars["row"]))
    if critical is not None and len(critical):
        rows = [*dict.fromkeys(e for e in critical["entity"] if e not in rows), *rows]
    ax = new_axes(ax, figsize=(9.0, 1.6 + 0.22 * len(rows)))
    position = {row: i for i, row in enumerate(rows)}
    for phase, group in bars.groupby("phase", sort=False):
        ax.barh(
            [position[r] for r in group["row"]],
            group["end"] - group["start"],
            left=group["start"],
            height=0.7,
            color=PHASES[phase],
        )
    drawn = set(bars["phase"])
    handles: list[Any] = [Patch(color=c, label=p) for p, c in PHASES.items() if p in drawn]
    steps = events[events["event"].isin([EventName.INTERCONNECT_STEP, EventName.GENERATOR_ONLINE])]
    for i, (when, amount) in enumerate(zip(steps["date"], steps["amount"], strict=True)):
        ax.axvline(when, color="tab:blue", ls=":", lw=1)
        ax.annotate(
            f"{amount:g} MW",
            (when, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 2 + 8 * (i % 2)),
            textcoords="offset points",
            ha="center",
            fontsize="x-small",
            color="tab:blue",
        )
    if len(steps):
        handles.append(Line2D([], [], color="tab:blue", ls=":", label="grid capacity step"))
    sheds = events[events["event"] == EventName.SHED]
    if len(sheds):
        rows_of = [position.get(entity, float("nan")) for entity in sheds["entity"]]
        handles += ax.plot(sheds["date"], rows_of, "rx", label="stage shed")
    if critical is not None and len(critical):
        handles.append(_outline_chain(ax, critical, position))
    ax.set_yticks(range(len(rows)), rows, fontsize="x-small")
    ax.set_ylim(len(rows) - 0.4, -0.6)
    legend_outside(ax, side="right", handles=handles)
    busy = bars[bars["phase"] != "energized"]
    if len(bars):
        time_limits(ax, bars["start"].min(), busy["end"].max() if len(busy) else bars["end"].max())
    date_axis(ax)
    finish(ax, "Build-out schedule: what waited on what", "equipment, hall, stage")
    ax.set_title(ax.get_title(), pad=22 if len(steps) else 6)  # above the step sizes
    return ax


def _outline_chain(ax: Axes, chain: pd.DataFrame, position: Mapping[str, int]) -> Patch:
    """Red outlines over the links of the critical chain, each on its entity's row;
    returns the legend entry."""
    for link in chain.itertuples():
        start, end = pd.Timestamp(link.start_date), pd.Timestamp(link.end_date)
        width = max(end - start, pd.Timedelta(days=1))
        ax.add_patch(
            Rectangle(
                (mdates.date2num(start), position[link.entity] - 0.45),
                width / pd.Timedelta(days=1),
                0.9,
                fill=False,
                edgecolor="red",
                linewidth=1.6,
            )
        )
    return Patch(fill=False, edgecolor="red", label="critical chain (full cluster)")
