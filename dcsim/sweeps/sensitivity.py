"""Sobol indices and one-at-a-time tornados from a finished sweep.

Each point is scored by its KPI's mean over replications. Because replication ``r`` of
every point draws from the same random streams (common random numbers), the differences
between points come from the parameters, not from sampling noise, which is what lets a
handful of replications give stable indices.

A date KPI (``full_cluster_date``) is analysed as days since the scenario start, the
number its sweep summary also uses; the reports say so (``unit``) and a tornado gives its
base and bar ends as dates too (``base_date``, ``kpi_low_date``, ``kpi_high_date``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dcsim.sweeps.design import sobol_problem
from dcsim.sweeps.runner import SweepResult
from dcsim.sweeps.summary import days_since_start, is_date

DATE_UNIT = "days since the scenario start"
"""What a date KPI's numbers are in a sensitivity report."""


def point_means(runs: pd.DataFrame, kpi: str, n_points: int) -> np.ndarray:
    """Mean of ``kpi`` per point over the runs that succeeded and define it (NaN if none);
    a date KPI in days since the scenario start."""
    ok = runs[runs["status"] == "ok"]
    if is_date(kpi):
        values = days_since_start(ok, kpi)
    else:
        values = pd.to_numeric(ok[kpi], errors="coerce") if kpi in ok else pd.Series(dtype=float)
    means = values.groupby(ok["point"]).mean()
    return means.reindex(range(n_points)).to_numpy(dtype=float)


def _as_date(start: object, days: float) -> str | None:
    """``start`` plus ``days``, rounded to the day (ISO), or None where either is missing."""
    if pd.isna(start) or np.isnan(days):
        return None
    return (pd.Timestamp(start) + pd.Timedelta(days=float(days))).round("D").date().isoformat()


def _unusable(means: np.ndarray) -> str | None:
    missing = int(np.isnan(means).sum())
    if missing:
        return (
            f"undefined at {missing} of {means.size} points (runs failed, or the KPI was "
            "not reached within the horizon: lengthen it)"
        )
    if np.ptp(means) == 0:
        return "constant over the design: nothing to apportion"
    return None


def sobol(result: SweepResult) -> dict[str, Any]:
    experiment = result.plan.experiment
    design = experiment.design
    n_points = len(result.plan.points)
    report: dict[str, Any] = {
        "base_samples": n_points // (len(design.parameters) + 2),
        "points": n_points,
        "replications": experiment.replications,
        "kpis": {},
    }
    for kpi in experiment.kpis:
        means = point_means(result.runs, kpi, n_points)
        problem_text = _unusable(means)
        if problem_text:
            report["kpis"][kpi] = {"error": problem_text}
            continue
        problem = sobol_problem(design, experiment.seed, warn=False)
        problem.set_results(means)
        problem.analyze_sobol(calc_second_order=False, seed=experiment.seed)
        indices = problem.analysis
        parameters = {
            name: {key: float(indices[key][i]) for key in ("S1", "S1_conf", "ST", "ST_conf")}
            for i, name in enumerate(design.parameters)
        }
        report["kpis"][kpi] = {"parameters": parameters}
        if is_date(kpi):
            report["kpis"][kpi]["unit"] = DATE_UNIT
        if caution := out_of_range(parameters, report["base_samples"]):
            report["kpis"][kpi]["caution"] = caution
    return report


def out_of_range(parameters: dict[str, dict[str, float]], base_samples: int) -> str | None:
    """A warning when an index lies outside [0, 1], where no variance share can be: the
    estimate is noise, because N is too small for it (Saltelli's estimators converge as
    1/sqrt(N)). ``None`` when every index is a share."""
    outside = [
        f"{name} {key} {value:.2f}"
        for name, values in parameters.items()
        for key in ("S1", "ST")
        if not -1e-9 <= (value := values[key]) <= 1 + 1e-9
    ]
    if not outside:
        return None
    return (
        f"caution: {', '.join(outside)} outside [0, 1], which no share of variance can be: "
        f"with N={base_samples} the indices are mostly noise; raise design.samples "
        f"(N={4 * base_samples} or more) before reading them"
    )


def tornado(result: SweepResult) -> dict[str, Any]:
    """Point 0 is the base; points 2i+1 and 2i+2 put parameter i at its low and high."""
    experiment = result.plan.experiment
    n_points = len(result.plan.points)
    report: dict[str, Any] = {"replications": experiment.replications, "kpis": {}}
    for kpi in experiment.kpis:
        means = point_means(result.runs, kpi, n_points)
        bars = []
        for i, (name, parameter) in enumerate(experiment.design.parameters.items()):
            at_low, at_high = means[2 * i + 1], means[2 * i + 2]
            bars.append(
                {
                    "parameter": name,
                    "low": parameter.low,
                    "high": parameter.high,
                    "unit": parameter.unit,
                    "kpi_low": at_low,
                    "kpi_high": at_high,
                    "swing": abs(at_high - at_low),
                }
            )
        bars.sort(key=lambda bar: -np.nan_to_num(bar["swing"], nan=-1.0))
        report["kpis"][kpi] = {"base": means[0], "parameters": bars}
        if is_date(kpi):
            _label_dates(report["kpis"][kpi], result.runs)
    return report


def _label_dates(entry: dict[str, Any], runs: pd.DataFrame) -> None:
    """Give a date KPI's tornado its unit and its base and bar ends as dates, counted from
    the base point's start (a tornado moves parameters, not the start)."""
    starts = runs.loc[runs["point"] == 0, "start_date"] if "start_date" in runs else []
    start = pd.to_datetime(starts, errors="coerce").min() if len(starts) else pd.NaT
    entry["unit"] = DATE_UNIT
    entry["start"] = None if pd.isna(start) else start.date().isoformat()
    entry["base_date"] = _as_date(start, entry["base"])
    for bar in entry["parameters"]:
        bar["kpi_low_date"] = _as_date(start, bar["kpi_low"])
        bar["kpi_high_date"] = _as_date(start, bar["kpi_high"])


def print_sobol(report: dict[str, Any], console) -> None:
    from rich.table import Table

    from dcsim.tables import print_fitted

    for kpi, entry in report["kpis"].items():
        if "error" in entry:
            console.print(f"{kpi}: {entry['error']}")
            continue
        as_days = f" as {entry['unit']}" if "unit" in entry else ""
        table = Table(
            title=f"Sobol indices of {kpi}{as_days} (N={report['base_samples']}, ±95% CI)"
        )
        table.add_column("parameter")
        table.add_column("S1", justify="right")
        table.add_column("ST", justify="right")
        for name, s in entry["parameters"].items():
            table.add_row(
                name,
                f"{s['S1']:.3f} ± {s['S1_conf']:.3f}",
                f"{s['ST']:.3f} ± {s['ST_conf']:.3f}",
            )
        print_fitted(table, console)
        if "caution" in entry:
            console.print(entry["caution"], style="yellow", markup=False, highlight=False)


def print_tornado(report: dict[str, Any], console) -> None:
    from rich.table import Table

    from dcsim.formatting import format_value
    from dcsim.tables import print_fitted

    def cell(value: float) -> str:
        return format_value(None if np.isnan(value) else float(value))

    def day(text: str | None) -> str:
        return text or "not reached"

    for kpi, entry in report["kpis"].items():
        dated = "unit" in entry  # a date KPI: dates at the ends, the swing in days
        base = (
            f"base {day(entry['base_date'])}; swing in days"
            if dated
            else f"base {cell(entry['base'])}"
        )
        table = Table(title=f"Tornado of {kpi} ({base})")
        for column in ("parameter", "low", "high", "at low", "at high", "swing"):
            table.add_column(column, justify="left" if column == "parameter" else "right")
        for bar in entry["parameters"]:
            unit = f" {bar['unit']}" if bar["unit"] else ""
            ends = (
                [day(bar["kpi_low_date"]), day(bar["kpi_high_date"])]
                if dated
                else [cell(bar["kpi_low"]), cell(bar["kpi_high"])]
            )
            table.add_row(
                bar["parameter"],
                f"{bar['low']:g}{unit}",
                f"{bar['high']:g}{unit}",
                *ends,
                cell(bar["swing"]),
            )
        print_fitted(table, console)
