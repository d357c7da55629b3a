"""What a report says, independent of its format: headline, summary, KPIs, figures, sources.

A KPI table row is a list of cells; a row of one cell is a group heading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from dcsim.config.schema import Scenario
from dcsim.formatting import axis_scale
from dcsim.kpis import display, grouped, headline, unit_of, unmodelled
from dcsim.plots.sweep import MAX_POINTS, point_labels
from dcsim.report.assumptions import (
    Assumption,
    chip_sources,
    comment_sources,
    schema_sources,
    with_experiment,
)
from dcsim.report.detect import RunDir, SweepDir
from dcsim.report.figures import DEFAULT_SWEEP_KPIS, Picture, run_figures, sweep_figures
from dcsim.report.why import Why, sweep_why, why_section
from dcsim.version import __version__

DATE_KPIS = ("first_power_date", "full_cluster_date")


@dataclass(frozen=True)
class Table:
    """A titled table after the figures (a fleet's queues and sites)."""

    title: str
    header: list[str]
    rows: list[list[str]]


@dataclass
class Report:
    title: str
    headline: str
    summary: list[tuple[str, str]]
    kpi_header: list[str]
    kpi_rows: list[list[str]]
    figures: list[Picture]
    assumptions: list[Assumption]
    footer: str
    notes: list[str] = field(default_factory=list)
    why: Why | None = None  # what sets the date (runs that recorded a critical path)
    tables: list[Table] = field(default_factory=list)


def build(loaded: RunDir | SweepDir, config: Path | None = None) -> Report:
    """The report of a run or sweep; ``config`` is the scenario file behind it, whose
    comments and cited defaults become the assumptions section (for a sweep, with the
    experiment's own settings in place of the base file's)."""
    fixed = (
        loaded.manifest.get("experiment", {}).get("set", {}) if isinstance(loaded, SweepDir) else {}
    )
    scenario = _scenario(config, fixed)
    if isinstance(loaded, RunDir):
        report = _run_report(loaded, scenario)
    else:
        report = _sweep_report(loaded, scenario)
    if config is None:
        report.notes.append(
            "No scenario file was given (--config) or found (scenario.yaml in the directory): "
            "the scenario's own sources are not listed."
        )
        return report
    rows = comment_sources(config)  # the base file's values, which an experiment may change
    if isinstance(loaded, SweepDir):
        swept = loaded.manifest.get("experiment", {}).get("design", {}).get("parameters", {})
        rows = with_experiment(rows, _raw(config, fixed), fixed, _swept_values(swept))
    report.assumptions = [*rows, *schema_sources(scenario), *report.assumptions]
    return report


def _scenario(config: Path | None, overrides: dict[str, Any]) -> Scenario | None:
    from dcsim.config import load_scenario

    return load_scenario(config, overrides) if config is not None else None


def _raw(config: Path, overrides: dict[str, Any]) -> dict[str, Any]:
    from dcsim.config.loader import apply_overrides, read_yaml

    return apply_overrides(read_yaml(config), overrides)


def _swept_values(parameters: dict[str, Any]) -> dict[str, list[Any]]:
    """Each swept parameter's values (a grid's list) or range (``low – high unit``)."""
    out = {}
    for name, spec in parameters.items():
        if isinstance(spec, list):
            out[name] = spec
        elif isinstance(spec, dict) and "values" in spec and spec["values"] is not None:
            out[name] = spec["values"]
        elif isinstance(spec, dict):
            out[name] = [
                f"{spec.get('low'):g} – {spec.get('high'):g} {spec.get('unit') or ''}".strip()
            ]
    return out


def _run_report(run: RunDir, scenario: Scenario | None) -> Report:
    kpis = run.kpis
    summary = [("scenario", str(kpis.get("scenario"))), ("run directory", str(run.path))]
    if scenario is not None:
        summary += [
            ("description", scenario.description or "—"),
            ("halls", ", ".join(h.name for h in scenario.halls)),
            ("equipment", ", ".join(e.name for e in scenario.equipment) or "—"),
        ]
    reasons = unmodelled(scenario) if scenario is not None else {}
    rows: list[list[str]] = []
    footer = []
    for group, keys in grouped(kpis):
        if group == "run":
            footer = [f"{key} {display(key, kpis[key])[0]}" for key in keys]
            continue
        rows.append([group])
        for key in keys:
            value, unit = (reasons[key], "") if key in reasons else display(key, kpis[key])
            rows.append([key, value, unit])
    chips = run.stages.get("chip", [])
    return Report(
        title=f"dcsim run report: {kpis.get('scenario')}",
        headline=headline(kpis),
        summary=summary,
        kpi_header=["KPI", "value", "unit"],
        kpi_rows=rows,
        figures=run_figures(run, scenario),
        assumptions=chip_sources(chips, scenario),
        footer="; ".join(footer) + f". Report by dcsim {__version__}.",
        why=why_section(run, scenario),
    )


def _sweep_report(sweep: SweepDir, scenario: Scenario | None) -> Report:
    runs, ok, manifest = sweep.runs, sweep.ok, sweep.manifest
    experiment = manifest.get("experiment", {})
    base = runs["scenario"].dropna().iloc[0] if "scenario" in ok and len(ok) else None
    base = base or (scenario.name if scenario else "—")
    about = experiment.get("description") or sweep.path.name
    n_points = runs["point"].nunique()
    replications = experiment.get("replications", "?")
    design = manifest.get("design", {}).get("type", "—")
    summary = [
        ("experiment", about),
        ("base scenario", str(base)),
        (
            "design",
            f"{design}, {n_points:,} design points x {replications} replications",
        ),
        ("runs", f"{len(runs):,} ({len(runs) - len(ok):,} failed)"),
        ("parameters", ", ".join(sweep.parameters) or "— (Monte Carlo over the base scenario)"),
        ("sweep directory", str(sweep.path)),
    ]
    named = (*DATE_KPIS, *(experiment.get("kpis") or DEFAULT_SWEEP_KPIS))
    kpis = [k for k in dict.fromkeys(named) if k in ok]  # a date KPI the experiment names too
    per_point = n_points <= MAX_POINTS
    if per_point:
        header, rows = _per_point_table(runs, ok, sweep.parameters, kpis)
    else:
        header, rows = _pooled_table(ok, kpis)
    notes = [
        f"{name}: {kpi}: {entry['error']}"
        for name in ("sobol", "tornado")
        for kpi, entry in ((getattr(sweep, name) or {}).get("kpis") or {}).items()
        if "error" in entry
    ]
    if not per_point:
        notes.append(
            f"{n_points:,} design points: the table and figures pool every run; how each "
            "parameter acts shows in the scatters (and the Sobol indices, if computed)."
        )
    seed = manifest.get("root_seed", _range(runs["seed"]) if "seed" in runs else "?")
    version = manifest.get("versions", {}).get("dcsim", __version__)
    chips = [h.stages.chip for h in scenario.halls] if scenario else []
    return Report(
        title=f"dcsim sweep report: {about}",
        headline=_sweep_headline(ok, len(runs)),
        summary=summary,
        kpi_header=header,
        kpi_rows=rows,
        figures=sweep_figures(sweep, per_point=per_point),
        assumptions=chip_sources(chips, scenario),
        footer=f"dcsim {version}, root seed {seed}; report by dcsim {__version__}",
        notes=notes,
        why=sweep_why(runs, sweep.parameters, MAX_POINTS),
    )


def _sweep_headline(ok: pd.DataFrame, total: int) -> str:
    if "full_cluster_date" not in ok or ok.empty:
        return f"{len(ok):,} of {total:,} runs finished."
    dates = pd.to_datetime(ok["full_cluster_date"], errors="coerce")
    reached = int(dates.notna().sum())
    if not reached:
        return f"No run of {len(ok):,} reaches the full cluster within the horizon."
    low, mid, high = (d.date().isoformat() for d in dates.dropna().quantile([0.1, 0.5, 0.9]))
    return f"Full cluster in {reached:,} of {len(ok):,} runs: median {mid}, P10 {low}, P90 {high}."


def _per_point_table(
    runs: pd.DataFrame, ok: pd.DataFrame, parameters: list[str], kpis: list[str]
) -> tuple[list[str], list[list[str]]]:
    """One row per design point, named by its parameter values; P50 over P10 – P90."""
    labels = point_labels(runs, parameters)
    scales = {k: _scale(ok[k]) for k in kpis}
    header = ["design point", "runs ok", *(_heading(k, scales[k][1]) for k in kpis)]
    rows = []
    for point, label in labels.items():
        mine = ok[ok["point"] == point]
        total = int((runs["point"] == point).sum())
        rows.append([label, f"{len(mine)}/{total}", *(_band(mine[k], scales[k][0]) for k in kpis)])
    return header, rows


def _pooled_table(ok: pd.DataFrame, kpis: list[str]) -> tuple[list[str], list[list[str]]]:
    """One row per KPI over every run of the design."""
    header = ["KPI", "unit", "P50\nP10 – P90", "runs with a value"]
    rows = []
    for kpi in kpis:
        divisor, unit = _scale(ok[kpi])
        rows.append([kpi, unit, _band(ok[kpi], divisor), f"{ok[kpi].notna().sum()}/{len(ok)}"])
    return header, rows


def _scale(values: pd.Series) -> tuple[float, str]:
    """One divisor and unit for a whole column, from its largest value."""
    if not pd.api.types.is_numeric_dtype(values):
        return 1.0, "date"
    largest = float(values.abs().max()) if values.notna().any() else 0.0
    return axis_scale(largest, unit_of(str(values.name)))


def _heading(kpi: str, unit: str) -> str:
    return f"{kpi} ({unit})" if unit else kpi


def _band(values: pd.Series, divisor: float = 1.0) -> str:
    """``P50`` over ``P10 – P90`` of a numeric or ISO-date column, and how many runs got
    there when some did not; missing values are left out."""
    total = len(values)
    if not pd.api.types.is_numeric_dtype(values):
        values = pd.to_datetime(values, errors="coerce")
    values = values.dropna()
    if values.empty:
        return "not reached"
    low, mid, high = (_text(v, divisor) for v in values.quantile([0.1, 0.5, 0.9]))
    reached = "" if len(values) == total else f"\n({len(values)}/{total} reached)"
    return (mid if low == high else f"{mid}\n{low} – {high}") + reached


def _text(value: Any, divisor: float) -> str:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    number = float(value) / divisor
    return f"{number:,.1f}" if abs(number) >= 10 else f"{number:,.2f}"


def _range(seeds: pd.Series) -> str:
    return f"{seeds.min()}–{seeds.max()}" if seeds.nunique() > 1 else str(seeds.iloc[0])
