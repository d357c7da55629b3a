"""A picture of the power network: sources on top, halls at the bottom, in layers.

The layout is read from the networkx graph of ``Scenario.power_graph()``: each node
sits one layer below its deepest feeder, halls share the bottom layer, and nodes in a layer
are ordered by the mean position of their feeders so that lines cross as little as the
network allows. Colour says when each node entered service in a run (grey: not in a run,
or never within its horizon).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.dates as mdates
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D

from dcsim.config.network import FUEL_NODE
from dcsim.plots.style import new_axes
from dcsim.sim.events import EventName

#: Box style per node kind; equipment kinds not listed here draw as equipment.
SHAPES = {"interconnect": "square", "generator": "square", "hall": "round4", "equipment": "round"}
NOT_IN_SERVICE = "0.85"


def rated_graph(scenario: Any) -> nx.DiGraph:
    """The scenario's power graph with a rating on every node: equipment and generators at
    nameplate, halls at their facility capacity (IT x PUE), an interconnect at the highest
    firm capacity its utility schedule reaches (``stepped`` when the schedule has more than
    one level, so the picture says the rating comes in steps)."""
    graph = scenario.power_graph()
    for line in scenario.grid.interconnects:
        levels = {step.capacity for step in line.schedule}
        graph.nodes[line.name]["capacity_mw"] = max(levels)
        graph.nodes[line.name]["stepped"] = len(levels) > 1
    for generator in scenario.grid.generators:
        graph.nodes[generator.name]["capacity_mw"] = generator.capacity
    for hall in scenario.halls:
        graph.nodes[hall.name]["capacity_mw"] = hall.facility_capacity_mw
    if FUEL_NODE in graph:
        fuel = scenario.grid.fuel_limit
        graph.nodes[FUEL_NODE]["capacity_mw"] = fuel.capacity
        graph.nodes[FUEL_NODE]["stepped"] = bool(fuel.expansions)
    return graph


def layers(graph: nx.DiGraph) -> dict[str, int]:
    """Depth of each node: sources 0, every other node one below its deepest feeder, and
    every hall on the bottom layer."""
    depth: dict[str, int] = {}
    for name in nx.topological_sort(graph):
        feeders = list(graph.predecessors(name))
        depth[name] = max((depth[f] + 1 for f in feeders), default=0)
    bottom = max(depth.values(), default=0)
    for name, kind in graph.nodes(data="kind"):
        if kind == "hall":
            depth[name] = bottom
    return depth


def layout(graph: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """(x, y) per node: y is minus the layer, x spreads each layer over [0, 1] in the order
    of its feeders' mean x (sorted names break ties, so the picture is deterministic)."""
    depth = layers(graph)
    position: dict[str, tuple[float, float]] = {}
    for level in range(max(depth.values(), default=-1) + 1):
        names = sorted(n for n, d in depth.items() if d == level)

        def pull(name: str) -> float:
            xs = [position[f][0] for f in graph.predecessors(name) if f in position]
            return float(np.mean(xs)) if xs else 0.5

        names.sort(key=lambda n: (pull(n), n))
        for i, name in enumerate(names):
            position[name] = ((i + 0.5) / len(names), -float(level))
    return position


def in_service_dates(events: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """When each node of a run first carried power: equipment in service, generator
    online, interconnect's first step, hall's first energized stage."""
    firsts: dict[str, pd.Timestamp] = {}
    kinds = (
        EventName.EQUIPMENT_IN_SERVICE,
        EventName.GENERATOR_ONLINE,
        EventName.INTERCONNECT_STEP,
        EventName.ENERGIZED,
    )
    for event in kinds:
        rows = events[(events["event"] == event) & (events["amount"] > 0)]
        for entity, when in rows.groupby("entity")["date"].min().items():
            node = str(entity).split("/", 1)[0] if event == EventName.ENERGIZED else str(entity)
            firsts[node] = min(firsts.get(node, when), when)
    return firsts


def plot_network(
    graph: nx.DiGraph,
    ax: Axes | None = None,
    dates: Mapping[str, pd.Timestamp] | None = None,
) -> Axes:
    """Sources, equipment and halls with their ratings, feeders as arrows (dashed from a
    generator), coloured by the date in ``dates`` each node entered service."""
    position = layout(graph)
    n_layers = int(-min((y for _, y in position.values()), default=0)) + 1
    widest = max(
        (sum(1 for p in position.values() if p[1] == -lv) for lv in range(n_layers)), default=1
    )
    ax = new_axes(ax, figsize=(max(7.0, 1.6 * widest), 1.2 + 1.3 * n_layers))
    dates = dict(dates or {})
    known = [mdates.date2num(d) for d in dates.values()]
    norm = Normalize(min(known), max(known) + 1e-9) if known else None
    colours = colormaps["viridis"]
    for up, down in graph.edges:
        dashed = graph.nodes[up]["kind"] == "generator"
        ax.annotate(
            "",
            xy=position[down],
            xytext=position[up],
            arrowprops={
                "arrowstyle": "-|>",
                "color": "tab:brown" if dashed else "0.35",
                "ls": "--" if dashed else "-",
                "shrinkA": 18,
                "shrinkB": 18,
                "lw": 1.2,
            },
        )
    for name, data in graph.nodes(data=True):
        kind = data["kind"]
        when = dates.get(name)
        face = colours(norm(mdates.date2num(when))) if when is not None and norm else NOT_IN_SERVICE
        rating = f"\n{data['capacity_mw']:,.0f} MW" if data.get("capacity_mw") else ""
        if kind == "interconnect":
            rating = rating.replace("\n", "\nup to " if data.get("stepped") else "\n")
            detail = f"interconnect{rating}"
        elif kind == "fuel":
            detail = f"fuel delivery{rating}{', then more' if data.get('stepped') else ''}"
        else:
            detail = f"{kind}{rating}" if kind != "hall" else rating.strip()
        text_colour = (
            "white" if when is not None and norm and norm(mdates.date2num(when)) < 0.6 else "black"
        )
        ax.text(
            *position[name],
            detail if kind == "fuel" else f"{name}\n{detail}".strip(),
            ha="center",
            va="center",
            fontsize="small",
            color=text_colour,
            bbox={
                "boxstyle": f"{SHAPES.get(kind, SHAPES['equipment'])},pad=0.5",
                "fc": face,
                "ec": "tab:brown" if kind == "generator" else "0.2",
                "ls": "--" if kind == "generator" else "-",
                "lw": 1.5,
            },
        )
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(-(n_layers - 1) - 0.6, 0.6)
    ax.set_axis_off()
    if norm is not None:
        bar = ax.figure.colorbar(
            _mappable(norm, colours), ax=ax, orientation="horizontal", fraction=0.05, pad=0.02
        )
        bar.ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=6))
        bar.ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
        bar.set_label("entered service (date); grey: not within the run")
    handles = [Line2D([], [], color="0.35", label="feeder")]
    if any(kind == "generator" for _, kind in graph.nodes(data="kind")):
        handles.append(Line2D([], [], color="tab:brown", ls="--", label="from on-site generation"))
    ax.legend(handles=handles, loc="upper right", fontsize="x-small")
    ax.set_title("Power network: sources (top) to halls (bottom), ratings in MW facility power")
    return ax


def _mappable(norm: Normalize, colours) -> object:
    from matplotlib.cm import ScalarMappable

    return ScalarMappable(norm=norm, cmap=colours)
