"""What a report says, independent of its format: summary, KPIs, figures, sources."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from dcsim.config.schema import Scenario
from dcsim.formatting import format_value
from dcsim.plots.sweep import MAX_POINTS
from dcsim.report.assumptions import Assumption, chip_sources, comment_sources, schema_sources
from dcsim.report.detect import RunDir, SweepDir
from dcsim.report.figures import Picture, run_figures, sweep_figures
from dcsim.version import __version__

#: KPIs shown in the footer rather than the table.
FOOTER_KPIS = ("scenario", "seed", "dcsim_version")
DATE_KPIS = ("first_power_date", "date_50pct_gpus", "date_90pct_gpus", "full_cluster_date")


@dataclass
class Report:
    title: str
    summary: list[tuple[str, str]]
    kpi_header: list[str]
    kpi_rows: list[list[str]]
    figures: list[Picture]
    assumptions: list[Assumption]
    footer: str
    notes: list[str] = field(default_factory=list)


def build(loaded: RunDir | SweepDir, config: Path | None = None) -> Report:
    """The report of a run or sweep; ``config`` is the scenario file behind it, whose
    comments and cited defaults become the assumptions section."""
    scenario = _scenario(config)
    if isinstance(loaded, RunDir):
        report = _run_report(loaded, scenario)
    else:
        report = _sweep_report(loaded, scenario)
    if config is None:
        report.notes.append(
            "No scenario file was given (--config) or found (scenario.yaml in the directory): "
            "the scenario's own sources are not listed."
        )
    else:
        report.assumptions = [
            *comment_sources(config),
            *schema_sources(scenario),
            *report.assumptions,
        ]
    return report


def _scenario(config: Path | None) -> Scenario | None:
    from dcsim.config import load_scenario

    return load_scenario(config) if config is not None else None


def _run_report(run: RunDir, scenario: Scenario | None) -> Report:
    kpis = run.kpis
    summary = [("scenario", str(kpis.get("scenario"))), ("run directory", str(run.path))]
    if scenario is not None:
        summary += [
            ("description", scenario.description or "—"),
            ("halls", ", ".join(h.name for h in scenario.halls)),
            ("equipment", ", ".join(e.name for e in scenario.equipment) or "—"),
        ]
    summary += [
        (key, format_value(kpis[key]))
        for key in ("start_date", "horizon_days", "gpus_planned", "binding_constraint")
        if key in kpis
    ]
    chips = run.stages.get("chip", [])
    return Report(
        title=f"dcsim run report: {kpis.get('scenario')}",
        summary=summary,
        kpi_header=["KPI", "value"],
        kpi_rows=[[k, format_value(v)] for k, v in kpis.items() if k not in FOOTER_KPIS],
        figures=run_figures(run),
        assumptions=chip_sources(chips, scenario),
        footer=(
            f"dcsim {kpis.get('dcsim_version', '?')}, seed {kpis.get('seed', '?')}; "
            f"report by dcsim {__version__}"
        ),
    )


def _sweep_report(sweep: SweepDir, scenario: Scenario | None) -> Report:
    runs, ok, manifest = sweep.runs, sweep.ok, sweep.manifest
    points = sorted(set(ok["point"]))[:MAX_POINTS]
    name = runs["scenario"].dropna().iloc[0] if "scenario" in ok and len(ok) else None
    name = name or (scenario.name if scenario else "—")
    summary = [
        ("sweep directory", str(sweep.path)),
        ("scenario", str(name)),
        ("design", str(manifest.get("design", {}).get("type", "—"))),
        ("design points", f"{runs['point'].nunique():,}"),
        ("runs", f"{len(runs):,} ({len(runs) - len(ok):,} failed)"),
        ("parameters", ", ".join(sweep.parameters) or "—"),
    ]
    kpis = [k for k in DATE_KPIS if k in ok] + sweep.kpis
    rows = [[kpi, *(_band(ok.loc[ok["point"] == p, kpi]) for p in points)] for kpi in kpis]
    first = runs.groupby("point").first()
    rows[:0] = [
        [name, *(_text_or_base(first.at[p, name]) for p in points)] for name in sweep.parameters
    ]
    notes = [
        f"{name}: {kpi}: {entry['error']}"
        for name in ("sobol", "tornado")
        for kpi, entry in ((getattr(sweep, name) or {}).get("kpis") or {}).items()
        if "error" in entry
    ]
    if runs["point"].nunique() > len(points):
        notes.append(f"Only the first {MAX_POINTS} design points are shown in the table and fans.")
    seed = manifest.get("root_seed", _range(runs["seed"]) if "seed" in runs else "?")
    version = manifest.get("versions", {}).get("dcsim", __version__)
    chips = [h.stages.chip for h in scenario.halls] if scenario else []
    return Report(
        title=f"dcsim sweep report: {name}",
        summary=summary,
        kpi_header=["parameter or KPI: P50 [P10 – P90]", *(f"point {p}" for p in points)],
        kpi_rows=rows,
        figures=sweep_figures(sweep),
        assumptions=chip_sources(chips, scenario),
        footer=f"dcsim {version}, root seed {seed}; report by dcsim {__version__}",
        notes=notes,
    )


def _band(values: pd.Series) -> str:
    """``P50 [P10 – P90]`` of a numeric or ISO-date column; missing values are left out."""
    if not pd.api.types.is_numeric_dtype(values):
        values = pd.to_datetime(values, errors="coerce")
    values = values.dropna()
    if values.empty:
        return "not reached"
    low, mid, high = (_text(v) for v in values.quantile([0.1, 0.5, 0.9]))
    return mid if low == high else f"{mid} [{low} – {high}]"


def _text(value: Any) -> str:
    return (
        value.date().isoformat() if isinstance(value, pd.Timestamp) else format_value(float(value))
    )


def _text_or_base(value: Any) -> str:
    """A parameter's value at a point; empty where the point keeps the base scenario's."""
    return "base" if pd.isna(value) else format_value(value)


def _range(seeds: pd.Series) -> str:
    return f"{seeds.min()}–{seeds.max()}" if seeds.nunique() > 1 else str(seeds.iloc[0])
