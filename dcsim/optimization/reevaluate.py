"""Re-evaluation: the best trials and the base scenario, on fresh and more seeds.

The search picks the best of many noisy estimates, so the winner's own estimate is biased
low (the winner's curse): some of its lead is luck on the search's R replications. Running
the top candidates again on replications the search never saw (R .. R + M - 1, still the
same for every candidate) gives unbiased estimates with confidence intervals, and the
difference to the base scenario paired run by run.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from dcsim.optimization.decisions import DATE_KPIS, DecisionFile
from dcsim.optimization.evaluate import Job, evaluate
from dcsim.optimization.objective import COST_PARTS, interval, statistic
from dcsim.optimization.space import chosen, overrides
from dcsim.optimization.study import incumbents, judge


def reevaluate(
    study: Any, decisions: DecisionFile, base: dict[str, Any], pool: Any
) -> dict[str, Any]:
    """Per candidate (the base first): decisions, objective with its interval, paired
    difference to the base, mean cost parts, P90 full-cluster date, feasibility."""
    from dcsim.config.loader import apply_overrides
    from dcsim.errors import UserInputError
    from dcsim.runtime.worker import describe

    top = incumbents(study, decisions, decisions.reevaluate.top)
    if not top:
        raise UserInputError("no trial finished without an error: nothing to re-evaluate")
    first = decisions.replications
    replications = tuple(range(first, first + decisions.reevaluate.replications))
    candidates = [("base", None, {})] + [
        (f"trial {t.number}", t, overrides(decisions.decisions, t.params)) for t in top
    ]
    jobs = [
        Job(
            i,
            apply_overrides(base, written),
            decisions.seed,
            replications,
            decisions.objective.target_date,
        )
        for i, (_, _, written) in enumerate(candidates)
    ]
    records: dict[int, list[dict[str, float]]] = {}
    for index, result in pool.map_unordered(evaluate, jobs):
        if isinstance(result, BaseException):
            raise UserInputError(f"re-evaluating {candidates[index][0]}: {describe(result)}")
        records[index] = result
    objective = decisions.objective
    high_is_bad = objective.direction == "minimize"
    baseline = np.array([r[objective.kpi] for r in records[0]])
    rows = []
    for index, (name, trial, written) in enumerate(candidates):
        values = np.array([r[objective.kpi] for r in records[index]])
        estimate, low, high = interval(values, objective.statistic, high_is_bad)
        row: dict[str, Any] = {
            "candidate": name,
            "decisions": {} if trial is None else chosen(decisions.decisions, trial.params),
            "overrides": written,
            "search_value": None if trial is None else trial.value,
            "objective": {"estimate": estimate, "low": low, "high": high},
        }
        if index:
            diff = interval(values, objective.statistic, high_is_bad, baseline=baseline)
            row["versus_base"] = dict(zip(("estimate", "low", "high"), diff, strict=True))
        _, attrs = judge(records[index], decisions)
        row["costs"] = attrs["means"]
        row["p90_full_cluster_date"] = _p90_date(records[index])
        row["constraints"] = attrs["constraints"]
        row["feasible"] = all(v <= 0 for v in attrs["constraints"].values())
        rows.append(row)
    sign = 1 if high_is_bad else -1

    def rank(i: int) -> tuple[bool, float]:
        return not rows[i]["feasible"], sign * rows[i]["objective"]["estimate"]

    ranked = sorted(
        range(1, len(rows)),
        key=lambda i: (*rank(i), json.dumps(rows[i]["decisions"], sort_keys=True, default=str)),
    )
    best = ranked[0]
    leaders = np.array([r[objective.kpi] for r in records[best]])
    for index in ranked:
        values = np.array([r[objective.kpi] for r in records[index]])
        diff = interval(values, objective.statistic, high_is_bad, baseline=leaders)
        rows[index]["versus_best"] = dict(zip(("estimate", "low", "high"), diff, strict=True))
    near = [rows[i] for i in ranked if rows[i]["feasible"] and within_noise(rows[i], high_is_bad)]
    return {
        "statistic": objective.statistic,
        "kpi": objective.kpi,
        "replications": [replications[0], replications[-1]],
        "base": rows[0],
        "best": rows[best],
        "near_optimal": [row["candidate"] for row in near] or [rows[best]["candidate"]],
        # Candidates whose estimate equals the best's exactly (the best among them is only
        # first by its decisions' spelling), so a planner sees them all.
        "tied_best": [rows[i]["candidate"] for i in ranked if rank(i) == rank(best)],
        "candidates": rows[1:],
        "cost_parts": list(COST_PARTS),
    }


def within_noise(row: dict[str, Any], high_is_bad: bool) -> bool:
    """Whether a candidate cannot be told from the best: the 95% interval of its paired
    difference to the best reaches zero (or, without an interval, the estimates are equal).
    Such candidates are a set of ties, and the order within it is luck, not merit."""
    diff = row["versus_best"]
    if not (np.isfinite(diff["low"]) and np.isfinite(diff["high"])):
        return bool(diff["estimate"] == 0)
    return bool(diff["low"] <= 0) if high_is_bad else bool(diff["high"] >= 0)


def _p90_date(records: list[dict[str, float]]) -> str | None:
    import datetime as dt

    day = statistic(np.array([r[DATE_KPIS[0]] for r in records]), "P90")
    return None if not np.isfinite(day) else dt.date.fromordinal(int(day)).isoformat()
