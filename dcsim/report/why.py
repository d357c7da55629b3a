"""The report's "what sets the date" section: the critical chain, a sentence that names the
link that set the full-cluster date, and what each relaxed constraint class would gain.

The gains come from :func:`dcsim.counterfactuals.explain` on the run's own scenario and seed
(one paired replication per class: about ten runs, well under a second), so the sentence
speaks of this very run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from dcsim.constraints import constraint_kinds
from dcsim.report.figures import Picture, render

#: How many relaxed classes the sentence names, largest gain first.
NAMED_GAINS = 3


@dataclass(frozen=True)
class Why:
    sentence: str
    chain_header: list[str]
    chain_rows: list[list[str]]
    gains: Picture | None


def link_phrase(link: Any) -> str:
    """A chain link as a reader says it: ``utility step 3 to 170 MW (delay 12 months)``,
    ``installation crews (waited 18 days)``."""
    name = f"{link.entity} {link.what}" if link.kind == "grid" else str(link.entity)
    detail = link.draw or f"waited {link.days:,.0f} days"
    return f"{name} ({detail})"


def date_sentence(kpis: dict[str, Any], chain: pd.DataFrame, gains: dict[str, float]) -> str:
    """One sentence: the full-cluster date, the last constraint on its chain, and the days
    the largest relaxations gain on this run's draws, said to rest on one paired run (the
    gains of one draw can be far from their average: issue 23, defect 6)."""
    full = kpis.get("full_cluster_date")
    if not full:
        return "The full cluster is not reached within the horizon, so no chain sets its date."
    constraints = [link for link in chain.itertuples() if link.kind in constraint_kinds()]
    setter = f", set by {link_phrase(constraints[-1])}" if constraints else ""
    ranked = sorted(gains.items(), key=lambda item: -item[1])
    named = [(name, days) for name, days in ranked if days >= 0.5][:NAMED_GAINS]
    parts = [f"{name} {round(days):,d} days" for name, days in named]
    stranded = kpis.get("binding_constraint")
    if stranded in gains and stranded not in dict(named):  # where most dark GPU-days sit
        parts.append(f"{stranded} (most stranded GPU-days) {round(gains[stranded]):,d} days")
    relaxed = (
        f"; relaxed one class at a time on this run's own draws (one paired run, not an "
        f"average; dcsim explain --replications 20 gives the spread): {', '.join(parts)}"
        if parts
        else ""
    )
    return f"Full cluster on {full}{setter}{relaxed}."


def why_section(run: Any, scenario: Any) -> Why | None:
    """The section for a run directory, or None if the run recorded no critical path."""
    chain = run.critical_path
    if chain.empty:
        return None
    chain = chain[chain["target"] == "full_cluster"]
    rows = [
        [
            row.kind,
            str(row.entity),
            row.what,
            pd.Timestamp(row.start_date).date().isoformat(),
            pd.Timestamp(row.end_date).date().isoformat(),
            f"{row.days:,.1f}",
            row.draw,
        ]
        for row in chain.itertuples()
    ]
    gains, picture = {}, None
    if scenario is not None:
        from dcsim.counterfactuals import explain
        from dcsim.plots.critical import plot_gains

        frame = explain(scenario, seed=int(run.kpis.get("seed", 0)))
        singles = frame[~frame["relaxed"].str.contains(" + ", regex=False)]
        gains = dict(zip(singles["relaxed"], singles["full_cluster_gain_days_mean"], strict=True))
        picture = Picture(
            "run-gains",
            "Days the full cluster would come earlier with each constraint class relaxed, "
            "on the same random draws (dcsim explain).",
            render(plot_gains(frame)),
        )
    return Why(
        sentence=date_sentence(run.kpis, chain, gains),
        chain_header=["kind", "entity", "what", "from", "to", "days", "draw"],
        chain_rows=rows,
        gains=picture,
    )


def sweep_why(runs: pd.DataFrame, parameters: list[str], points: int) -> Why | None:
    """The criticality index of a sweep, per design point (pooled over all runs when there
    are too many points to list): the share of the runs that reached the full cluster in
    which each kind set the date, and the entities most often on the critical path."""
    from dcsim.plots.sweep import point_labels
    from dcsim.sweeps.criticality import criticality, shares

    ok = runs[runs["status"] == "ok"] if "status" in runs else runs
    if "date_set_by" not in ok or ok["date_set_by"].isna().all():
        return None
    if points > 1 and ok["point"].nunique() > points:
        ok, parameters, labels = ok.assign(point=0), [], {0: "all runs"}
    else:
        labels = point_labels(ok, parameters)
    frame = criticality(ok, parameters)
    if frame.empty:
        return None
    rows = []
    for point, group in frame.groupby("point", sort=True):
        rows.append(
            [
                labels.get(point, str(point)),
                str(int(group["runs"].iloc[0])),
                shares(group, "date_set_by", 6),
                shares(group, "entity on path", 5),
            ]
        )
    return Why(
        sentence="What set the full-cluster date: per design point, the share of the runs "
        "that reached the full cluster in which each constraint kind set the date, and the "
        "entities most often on the critical path (the criticality index of schedule-risk "
        "tools).",
        chain_header=["design point", "runs", "date set by", "most often on the critical path"],
        chain_rows=rows,
        gains=None,
    )
