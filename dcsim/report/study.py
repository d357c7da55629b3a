"""Reports of a fleet Monte Carlo (``dcsim fleet --replications N --out``) and of an
optimization (``dcsim optimize --out``): what a planner reopens after the run.

The fleet study's report answers "which sites are at risk, with what probability": the
per-site date quantiles and probabilities, a figure of the spans, and the quantiles of the
fleet KPIs. The optimization's report gives the trials, the re-evaluated candidates with
their intervals, and the set of decisions within the noise of the best.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from dcsim.report.detect import FleetStudyDir, OptimizeDir
from dcsim.report.document import Report, Table
from dcsim.report.figures import Picture, render
from dcsim.version import __version__


def fleet_study_report(study: FleetStudyDir, config: Path | None = None) -> Report:
    """The report of a fleet Monte Carlo; ``config`` is the fleet file, whose comments
    become the assumptions."""
    from dcsim.plots.fleet import plot_site_risk
    from dcsim.report.assumptions import comment_sources
    from dcsim.sweeps.summary import scaled

    manifest = study.manifest
    ok = int((study.runs["status"] == "ok").sum()) if "status" in study.runs else len(study.runs)
    risk = study.site_risk
    figures = []
    if len(risk):
        figures.append(
            Picture(
                "fleet-site-risk",
                f"First power and full cluster per site over {ok} replications: bar from "
                "P10 to P90, tick at P50; an arrow where P90 was never reached.",
                render(plot_site_risk(risk, _end(study.runs))),
            )
        )
    kpi_rows = []
    for row in study.quantiles.to_dict("records"):
        cells, unit = scaled(row["kpi"], [_number(row[q]) for q in ("p10", "p50", "p90")])
        kpi_rows.append([row["kpi"], f"{row['n']}/{row['runs']}", *cells, unit])
    return Report(
        title=f"dcsim fleet study: {manifest.get('fleet', study.path.name)}",
        headline=_risk_headline(risk, ok),
        summary=[
            ("fleet", str(manifest.get("fleet", "?"))),
            ("study directory", str(study.path)),
            ("replications", f"{ok} finished of {len(study.runs)}"),
            ("seed", str(manifest.get("root_seed", "?"))),
        ],
        kpi_header=["KPI", "n", "P10", "P50", "P90", "unit"],
        kpi_rows=kpi_rows,
        figures=figures,
        tables=[_risk_table(risk)] if len(risk) else [],
        assumptions=comment_sources(config) if config is not None else [],
        footer=f"seed {manifest.get('root_seed', '?')}; report by dcsim {__version__}",
        notes=[] if config is not None else ["No fleet file was given (--config)."],
    )


def _end(runs: pd.DataFrame) -> pd.Timestamp | None:
    """The fleet's end date, as its replications recorded it."""
    dates = pd.to_datetime(runs.get("end_date", pd.Series(dtype=object)), errors="coerce")
    return None if dates.dropna().empty else dates.dropna().iloc[0]


def _number(value: object) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _risk_headline(risk: pd.DataFrame, ok: int) -> str:
    """The site most at risk: the lowest probability of its full cluster by the first
    date asked about, and its P90 full-cluster date."""
    shares = [c for c in risk.columns if c.startswith("p_full_cluster_by_")]
    if risk.empty or not shares:
        return f"{ok} replications; no per-site results."
    column = shares[0]
    worst = risk.sort_values(column, kind="stable").iloc[0]
    date = column.removeprefix("p_full_cluster_by_")
    p90 = worst["full_cluster_p90"] if isinstance(worst["full_cluster_p90"], str) else None
    return (
        f"Over {ok} replications, the site most at risk is {worst['site']}: its full cluster "
        f"is energized by {date} in {worst[column]:.0%} of them "
        + (f"(P90 {p90})." if p90 else "(its P90 is beyond the horizon).")
    )


def _risk_table(risk: pd.DataFrame) -> Table:
    dates = [c for c in risk.columns if c.endswith(("_p10", "_p50", "_p90"))]
    shares = [c for c in risk.columns if c.startswith("p_")]
    rows = []
    for row in risk.to_dict("records"):
        cells = [row["site"]]
        cells += [row[c] if isinstance(row[c], str) else "not reached" for c in dates]
        cells += [f"{row[c]:.0%}" for c in shares]
        rows.append(cells)
    header = ["site", *(c.replace("_", " ") for c in dates)]
    header += [c.removeprefix("p_").replace("_by_", " by ").replace("_", " ") for c in shares]
    return Table("Risk per site (dates: quantiles over replications; %: share of them)",
                 header, rows)  # fmt: skip


def optimize_report(study: OptimizeDir) -> Report:
    """The report of an optimization: the trials, the re-evaluated candidates with their
    95% intervals, and the decisions within the noise of the best."""
    from dcsim.plots.optimize import plot_trials

    result = study.result
    best, base = result["best"], result["base"]
    near = list(result.get("near_optimal", [best["candidate"]]))
    stat = f"{result['statistic']} {result['kpi']}"
    low, high = result["replications"]
    candidates = [base, *result["candidates"]]
    rows = [
        [
            row["candidate"],
            _decisions(row["decisions"]) or "(the base scenario)",
            _interval(row["objective"]),
            _interval(row["versus_best"]) if "versus_best" in row else "",
            str(row.get("p90_full_cluster_date") or "not reached"),
            "yes" if row["feasible"] else "no",
            "yes" if row["candidate"] in near else "",
        ]
        for row in candidates
    ]
    figures = []
    if len(study.trials):
        figures.append(
            Picture(
                "optimize-trials",
                "Every trial of the search: its objective (on the search's replications) "
                "against its P90 days to the full cluster; the decisions within the noise "
                "of the best are ringed.",
                render(plot_trials(study.trials, _trial_numbers(near))),
            )
        )
    decided = ", ".join(f"{k} = {v}" for k, v in best["decisions"].items())
    return Report(
        title=f"dcsim optimize: {study.path.name}",
        headline=(
            f"Best ({best['candidate']}): {decided}; {_others(near, best['candidate'])} "
            f"within its noise, re-evaluated on replications {low}..{high}."
        ),
        summary=[
            ("study directory", str(study.path)),
            ("objective", stat),
            ("trials", str(result.get("trials", len(study.trials)))),
            ("re-evaluated on", f"replications {low}..{high} (not used by the search)"),
        ],
        kpi_header=[
            "candidate",
            "decisions",
            f"{stat} (95%)",
            "minus best, paired",
            "P90 full cluster",
            "constraints met",
            "within noise",
        ],
        kpi_rows=rows,
        figures=figures,
        assumptions=[],
        footer=f"report by dcsim {__version__}",
    )


def _decisions(values: dict) -> str:
    return ", ".join(f"{k} = {v}" for k, v in values.items())


def _interval(values: dict) -> str:
    from dcsim.formatting import human_text

    def money(x) -> str:
        return "n/a" if x is None or not math.isfinite(x) else human_text(x, "")

    if values.get("low") is None or not math.isfinite(values["low"]):
        return money(values["estimate"])
    return f"{money(values['estimate'])} [{money(values['low'])}, {money(values['high'])}]"


def _trial_numbers(names: list[str]) -> list[int]:
    return [int(n.split()[1]) for n in names if n.startswith("trial ")]


def _others(near: list[str], best: str) -> str:
    """How many decisions besides the best are within its noise, in words: the set
    ``near_optimal`` holds the best itself."""
    count = len([c for c in near if c != best])
    return {0: "no other decision", 1: "1 other decision"}.get(count, f"{count} other decisions")
