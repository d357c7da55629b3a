"""The backtest's report directory: the JSON, a CSV of every forecast, two figures and a
page a planner can read (does the band hold reality, against what, and where it missed)."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np

from dcsim.calibration.scoring import LEVELS, Scored, pit_histogram
from dcsim.calibration.store import dumps
from dcsim.files import atomic

#: Bins of the PIT histogram (tenths of the forecast distribution).
PIT_BINS = 10
TARGETS = {"coverage_p10_p90": (0.70, 0.90), "coverage_p25_p75": (0.40, 0.60)}
METRICS = (
    ("coverage_p10_p90", "P10-P90 coverage", "{:.0%}"),
    ("coverage_p25_p75", "P25-P75 coverage", "{:.0%}"),
    ("crps_mean", "mean CRPS (days)", "{:.0f}"),
    ("interval_score_mean", "mean interval score (days)", "{:.0f}"),
    ("n_sites", "sites", "{}"),
    ("n_observations", "observations", "{}"),
    ("coverage_p10_p90_bracketed", "P10-P90 coverage, bracketed dates only", "{:.0%}"),
    ("coverage_p25_p75_bracketed", "P25-P75 coverage, bracketed dates only", "{:.0%}"),
    ("n_bracketed", "bracketed observations", "{}"),
    ("coverage_p10_p90_consistent", "P10-P90 coverage, lenient rule", "{:.0%}"),
    ("coverage_p25_p75_consistent", "P25-P75 coverage, lenient rule", "{:.0%}"),
)


def write_report(out: Path, result: dict[str, Any], scored: dict[str, list[Scored]]) -> Path:
    """Write ``backtest.json``, ``forecasts.csv``, ``pit.png``, ``reliability.png`` and
    ``index.html`` into ``out``; returns the page's path."""
    import pandas as pd

    from dcsim.plots.calibration import plot_pit, plot_reliability

    atomic(out / "backtest.json", lambda p: p.write_text(dumps(result), encoding="utf-8"))
    frame = pd.DataFrame(
        [{"forecast": name, **s.row(), "pit": s.pit} for name, rows in scored.items() for s in rows]
    )
    atomic(out / "forecasts.csv", lambda p: frame.to_csv(p, index=False))
    histograms = {
        name: (pit_histogram([s.pit_range for s in rows], PIT_BINS), len(rows))
        for name, rows in scored.items()
    }
    curves = {
        name: np.mean([s.inside_levels for s in rows], axis=0)
        for name, rows in scored.items()
        if rows
    }
    for name, axes in (
        ("pit.png", plot_pit(histograms)),
        ("reliability.png", plot_reliability(LEVELS, curves)),
    ):
        atomic(out / name, lambda p, f=axes.figure: f.savefig(p, format="png", dpi=110))
    page = out / "index.html"
    atomic(page, lambda p: p.write_text(render(result), encoding="utf-8"))
    return page


def verdict(result: dict[str, Any], key: str) -> str:
    """``within`` or ``outside`` the target of one coverage."""
    low, high = TARGETS[key]
    cover = result[key]
    return "within" if cover is not None and low <= cover <= high else "outside"


def headline(result: dict[str, Any]) -> str:
    """One sentence: the LOO coverages against their targets and the baselines."""
    if not result["n_observations"]:
        return "No observed milestone to score: the dataset states no date after a start."
    verdicts = []
    for name, base in result["baselines"].items():
        won = [
            label
            for key, label in (("crps_mean", "CRPS"), ("interval_score_mean", "interval score"))
            if result[key] is not None and base[key] is not None and result[key] < base[key]
        ]
        what = " and ".join(won) if won else "neither CRPS nor interval score"
        verdicts.append(f"it beats the {name.replace('_', ' ')} forecast on {what}")
    against = "; ".join(verdicts)
    return (
        f"The P10-P90 band held {result['coverage_p10_p90']:.0%} of "
        f"{result['n_observations']} real outcomes at {result['n_sites']} sites "
        f"({result['method']}), {verdict(result, 'coverage_p10_p90')} the 70-90% target, and "
        f"the P25-P75 band {result['coverage_p25_p75']:.0%}, "
        f"{verdict(result, 'coverage_p25_p75')} the 40-60% target; {against}."
    )


def held(credit: float) -> str:
    """A row's P10-P90 cell: yes, MISS, or the forecast's own odds for a censored outcome."""
    if credit >= 1.0:
        return "yes"
    return "MISS" if credit <= 0.0 else f"{credit:.2f}"


def render(result: dict[str, Any]) -> str:
    columns = {
        f"dcsim calibrated ({result['method']})": result,
        "dcsim defaults (uncalibrated)": result["baselines"]["defaults"],
        "reference class (no simulator)": result["baselines"]["reference_class"],
        "reference class by size and start": result["baselines"].get(
            "reference_class_by_start", {}
        ),
        f"time split (fit before {result['time_split']['fit_before']})": result["time_split"],
    }
    header = "".join(f"<th>{html.escape(name)}</th>" for name in columns)
    body = ""
    for key, label, fmt in METRICS:
        cells = "".join(
            f"<td>{'-' if c.get(key) is None else fmt.format(c[key])}</td>"
            for c in columns.values()
        )
        body += f"<tr><th>{html.escape(label)}</th>{cells}</tr>"
    rows = "".join(
        "<tr{cls}><td class=name>{site}</td><td class=name>{milestone}</td>"
        "<td>{actual:.0f}</td><td>{censored}</td>"
        "<td>{p10:.0f}</td><td>{p50:.0f}</td><td>{p90:.0f}</td><td>{inside}</td></tr>".format(
            cls=' class="miss"' if r["inside_p10_p90"] <= 0.0 else "",
            site=html.escape(r["site"]),
            milestone=html.escape(r["milestone"]),
            actual=r["actual"],
            censored=r["censored"],
            p10=r["p10"],
            p50=r["p50"],
            p90=r["p90"],
            inside=held(r["inside_p10_p90"]),
        )
        for r in result["rows"]
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dcsim backtest</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; font-size: 14px; }}
th, td {{ border: 1px solid #ccc; padding: 4px 8px; text-align: right; }}
th, td.name {{ text-align: left; }}
tr.miss td {{ background: #fde8e8; }}
.figs img {{ max-width: 49%; vertical-align: top; }}
</style></head><body>
<h1>Do dcsim's bands hold real build-outs?</h1>
<p><strong>{html.escape(headline(result))}</strong></p>
<p>Days from construction start to each observed milestone. Targets: P10-P90 coverage
70-90%, P25-P75 coverage 40-60%, lower CRPS and interval score than both baselines.
An outcome counts as the forecast's own probability that the true date lies in the band,
given what the data says of it: 1 or 0 for a known date, a share for a censored one
("reached by", "not reached as of"); a censored outcome the data cannot place counts the
band's nominal level (0.80 for P10-P90), which is what a calibrated forecast earns on
average. The rows "bracketed dates only" count the observations whose date the data bounds
on both sides (exact, or within a month, quarter or year); the "lenient rule" rows count
every outcome the band does not rule out as held, the rule of earlier versions, which
lifts coverage by construction. Dataset sha256 {html.escape(result["data_sha256"][:16])}..., seed
{result["seed"]}.</p>
<table><tr><th></th>{header}</tr>{body}</table>
<div class="figs"><img src="pit.png" alt="PIT histogram"><img src="reliability.png"
alt="reliability of central bands"></div>
<h2>Every forecast (calibrated, days from start)</h2>
<table><tr><th>site</th><th>milestone</th><th>actual</th><th>censoring</th><th>P10</th>
<th>P50</th><th>P90</th><th>inside P10-P90 (probability)</th></tr>{rows}</table>
</body></html>
"""
