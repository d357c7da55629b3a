"""The figures of a report, rendered to PNG bytes, and the run figures written as files."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.axes import Axes

from dcsim.plots import run as run_plots
from dcsim.plots import sweep as sweep_plots
from dcsim.plots.network import in_service_dates, plot_network, rated_graph

DPI = 100


@dataclass(frozen=True)
class Picture:
    name: str
    caption: str
    png: bytes


def render(ax: Axes) -> bytes:
    """PNG bytes of the Axes' figure; no software stamp, so regenerated files only differ
    when the picture does."""
    buffer = io.BytesIO()
    ax.figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _schedule(run: Any, scenario: Any) -> Axes:
    planned = run_plots.planned_starts(scenario) if scenario is not None else None
    chain = getattr(run, "critical_path", None)
    if chain is not None and len(chain):
        chain = chain[chain["target"] == "full_cluster"]
    return run_plots.plot_schedule(run, planned=planned, critical=chain)


#: name, caption, and the plot as a function of the run and its scenario (or None).
RUN_FIGURES: tuple[tuple[str, str, Callable[[Any, Any], Axes]], ...] = (
    (
        "run-power",
        "Grid capacity, deliverable power and load, with milestones.",
        lambda run, _: run_plots.plot_power(run),
    ),
    (
        "run-gpus",
        "Where the GPUs are: energized, installed, on site, in transit, failed.",
        lambda run, _: run_plots.plot_gpu_pipeline(run),
    ),
    (
        "run-capex",
        "Cumulative capex by category; hatched: chip value not yet energized.",
        lambda run, _: run_plots.plot_capex(run),
    ),
    (
        "run-schedule",
        "Equipment, halls and stages over time; grey bars are waits for power; red "
        "outlines: the critical chain that sets the full-cluster date.",
        _schedule,
    ),
)


NETWORK_CAPTION = (
    "The power network, sources on top, halls at the bottom (ratings: facility MW), "
    "coloured by when each node entered service in this run; dashed: on-site generation."
)


def run_figures(run: Any, scenario: Any = None) -> list[Picture]:
    """The run figures, and the power network when the scenario is known."""
    pictures = [
        Picture(name, caption, render(plot(run, scenario))) for name, caption, plot in RUN_FIGURES
    ]
    if scenario is not None:
        pictures.append(network_picture(scenario, in_service_dates(run.events)))
    return pictures


def network_picture(scenario: Any, dates: Any = None) -> Picture:
    ax = plot_network(rated_graph(scenario), dates=dates)
    return Picture("run-network", NETWORK_CAPTION, render(ax))


def write_pngs(run_dir: str | Path, out_dir: str | Path | None = None) -> list[Path]:
    from dcsim.config import load_scenario
    from dcsim.report.detect import load_run

    out = Path(out_dir or run_dir)
    out.mkdir(parents=True, exist_ok=True)
    source = Path(run_dir) / "scenario.yaml"
    scenario = load_scenario(source) if source.is_file() else None
    paths = []
    for picture in run_figures(load_run(run_dir), scenario):
        path = out / f"{picture.name}.png"
        path.write_bytes(picture.png)
        paths.append(path)
    return paths


#: KPIs a sweep report shows when its experiment names none.
DEFAULT_SWEEP_KPIS = ("days_to_full_cluster", "stranded_capex_usd_years", "capex_usd")


def shown_kpis(sweep: Any) -> list[str]:
    """The numeric KPIs a sweep's boxes and scatters show: those its experiment names (the
    planner asked for them), else :data:`DEFAULT_SWEEP_KPIS`; dates have their own CDF."""
    named = sweep.manifest.get("experiment", {}).get("kpis") or DEFAULT_SWEEP_KPIS
    ok = sweep.ok
    return [k for k in dict.fromkeys(named) if k in ok and pd.api.types.is_numeric_dtype(ok[k])]


def sweep_figures(sweep: Any, per_point: bool = True) -> list[Picture]:
    """Per design point (``per_point``, named by parameter values): fan charts (if time
    series were kept), the full-cluster CDF and KPI boxes. Pooled over a large design: one
    CDF of every run. Then tornado and Sobol bars (if computed), and one scatter per swept
    parameter."""
    ok = sweep.ok
    labels = sweep_plots.point_labels(sweep.runs, sweep.parameters)
    specs: list[tuple[str, str, Callable[[], Axes]]] = []
    if per_point and sweep.timeseries is not None:
        ts = sweep.timeseries
        specs += [
            (
                "sweep-fan-mw",
                "Energized facility load: P50 line, P10–P90 band per design point.",
                lambda: sweep_plots.plot_fan(
                    ts, "facility_mw", ylabel="energized facility load (MW)", labels=labels
                ),
            ),
            (
                "sweep-fan-gpus",
                "Energized GPUs: P50 line, P10–P90 band per design point.",
                lambda: sweep_plots.plot_fan(
                    ts, "gpus_energized", ylabel="energized GPUs (count)", labels=labels
                ),
            ),
        ]
    if "full_cluster_date" in ok:
        specs.append(
            (
                "sweep-cdf-full-cluster",
                "Share of runs with the full cluster energized by each date"
                + (" (every run of the design)." if not per_point else "."),
                lambda: sweep_plots.plot_date_cdf(
                    ok, "full_cluster_date", labels=labels, pooled=not per_point
                ),
            )
        )
    kpis = shown_kpis(sweep)
    for kpi in kpis if per_point else ():
        specs.append(
            (
                f"sweep-box-{kpi}",
                f"{kpi} per design point (box: P25–P75, whiskers P10–P90).",
                lambda kpi=kpi: sweep_plots.plot_kpi_distribution(ok, kpi, labels=labels),
            )
        )
    for name, plot in (("tornado", sweep_plots.plot_tornado), ("sobol", sweep_plots.plot_sobol)):
        for kpi, entry in ((getattr(sweep, name) or {}).get("kpis") or {}).items():
            if "error" not in entry:
                specs.append(
                    (
                        f"sweep-{name}-{kpi}",
                        f"{name.title()} of {kpi}.",
                        lambda p=plot, e=entry, k=kpi: p(e, k),
                    )
                )
    kpi = next(iter(kpis), None)
    design = sweep.manifest.get("experiment", {}).get("design", {}).get("parameters", {})
    units = {name: spec.get("unit") for name, spec in design.items() if isinstance(spec, dict)}
    sampled = sweep.manifest.get("design", {}).get("type") in ("random", "lhs", "sobol")
    for parameter in sweep.parameters if kpi else ():
        specs.append(
            (
                f"sweep-scatter-{parameter}",
                f"{kpi} against {parameter}, every run; the line joins the medians.",
                lambda p=parameter: sweep_plots.plot_kpi_scatter(
                    ok, kpi, p, unit=units.get(p), sampled=sampled
                ),
            )
        )
    return [Picture(name, caption, render(draw())) for name, caption, draw in specs]
