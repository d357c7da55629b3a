"""The figures of a report, rendered to PNG bytes, and the run figures written as files."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes

from dcsim.plots import run as run_plots
from dcsim.plots import sweep as sweep_plots

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


RUN_FIGURES: tuple[tuple[str, str, Callable[[Any], Axes]], ...] = (
    (
        "run-power",
        "Grid capacity, deliverable power and load, with milestones.",
        run_plots.plot_power,
    ),
    (
        "run-gpus",
        "Where the GPUs are: energized, installed, on site, in transit, failed.",
        run_plots.plot_gpu_pipeline,
    ),
    (
        "run-capex",
        "Cumulative capex by category; hatched: chip value not yet energized.",
        run_plots.plot_capex,
    ),
    (
        "run-schedule",
        "Equipment, halls and stages over time; grey bars are waits for power.",
        run_plots.plot_schedule,
    ),
)


def run_figures(run: Any) -> list[Picture]:
    return [Picture(name, caption, render(plot(run))) for name, caption, plot in RUN_FIGURES]


def write_pngs(run_dir: str | Path, out_dir: str | Path | None = None) -> list[Path]:
    from dcsim.report.detect import load_run

    out = Path(out_dir or run_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for picture in run_figures(load_run(run_dir)):
        path = out / f"{picture.name}.png"
        path.write_bytes(picture.png)
        paths.append(path)
    return paths


#: Numeric KPIs shown per design point, when the sweep has them.
SWEEP_KPIS = ("days_to_full_cluster", "stranded_capex_usd_years", "capex_usd")


def sweep_figures(sweep: Any) -> list[Picture]:
    """Fan charts (if time series were kept), the full-cluster CDF, KPI boxes per point,
    tornado and Sobol bars (if computed), and one scatter per swept parameter."""
    ok = sweep.ok
    specs: list[tuple[str, str, Callable[[], Axes]]] = []
    if sweep.timeseries is not None:
        ts = sweep.timeseries
        specs += [
            (
                "sweep-fan-mw",
                "Energized facility load: P50 line, P10–P90 band per point.",
                lambda: sweep_plots.plot_fan(
                    ts, "facility_mw", ylabel="energized facility load (MW)"
                ),
            ),
            (
                "sweep-fan-gpus",
                "Energized GPUs: P50 line, P10–P90 band per point.",
                lambda: sweep_plots.plot_fan(ts, "gpus_energized", ylabel="energized GPUs (count)"),
            ),
        ]
    if "full_cluster_date" in ok:
        specs.append(
            (
                "sweep-cdf-full-cluster",
                "Share of runs with the full cluster energized by each date.",
                lambda: sweep_plots.plot_date_cdf(ok, "full_cluster_date"),
            )
        )
    for kpi in (k for k in SWEEP_KPIS if k in ok):
        specs.append(
            (
                f"sweep-box-{kpi}",
                f"{kpi} per design point (whiskers P10–P90).",
                lambda kpi=kpi: sweep_plots.plot_kpi_distribution(ok, kpi),
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
    kpi = next((k for k in SWEEP_KPIS if k in ok), None)
    for parameter in sweep.parameters if kpi else ():
        specs.append(
            (
                f"sweep-scatter-{parameter}",
                f"{kpi} against {parameter}, every run.",
                lambda p=parameter: sweep_plots.plot_kpi_scatter(ok, kpi, p),
            )
        )
    return [Picture(name, caption, render(draw())) for name, caption, draw in specs]
