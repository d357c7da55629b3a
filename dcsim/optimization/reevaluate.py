"""Re-evaluation: the best trials and the base scenario, on fresh and more seeds.

The search picks the best of many noisy estimates, so the winner's own estimate is biased
low (the winner's curse): some of its lead is luck on the search's R replications. Running
the top candidates again on replications the search never saw (R .. R + M - 1, still the
same for every candidate) gives unbiased estimates with confidence intervals, and the
difference to the base scenario paired run by run.
"""

from __future__ import annotations

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

    def rank(row: dict[str, Any]) -> tuple[bool, float]:
        return not row["feasible"], sign * row["objective"]["estimate"]

    ranked = sorted(rows[1:], key=rank)
    return {
        "statistic": objective.statistic,
        "kpi": objective.kpi,
        "replications": [replications[0], replications[-1]],
        "base": rows[0],
        "best": ranked[0],
        # Candidates no better and no worse than the best: which of them is "best" is only
        # the order they were found in, so a planner sees them all.
        "tied_best": [row["candidate"] for row in ranked if rank(row) == rank(ranked[0])],
        "candidates": rows[1:],
        "cost_parts": list(COST_PARTS),
    }


def _p90_date(records: list[dict[str, float]]) -> str | None:
    import datetime as dt

    day = statistic(np.array([r[DATE_KPIS[0]] for r in records]), "P90")
    return None if not np.isfinite(day) else dt.date.fromordinal(int(day)).isoformat()
