"""The search: Optuna asks for decisions, the executors run them, Optuna is told the value.

Each trial is one job of ``replications`` runs on replications 0..R-1 of the root seed, so
every trial sees the same draws (common random numbers) and two trials differ only by
their decisions. As many trials are in flight as the executor has workers (TPE's
"constant liar" keeps them apart). A trial's constraints are stored with it and handed to
the sampler, so TPE learns where the feasible region is.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from dcsim.optimization.decisions import DATE_KPIS, DecisionFile
from dcsim.optimization.evaluate import Job, evaluate
from dcsim.optimization.objective import COST_PARTS, statistic
from dcsim.optimization.space import distribution, overrides

STUDY_NAME = "dcsim-optimize"
#: How an infinite excess (a date never reached) is stored: SQLite JSON has no infinity.
LARGEST_VIOLATION = 1e18


def open_study(out: Path, decisions: DecisionFile) -> Any:
    """Create or load the study; trials a killed run left ``RUNNING`` are marked failed
    (they are asked again: :func:`search` seeds each proposal from its place in the study,
    so the one asked again is the one the killed run asked)."""
    import optuna
    from optuna.trial import TrialState

    from dcsim.errors import UserInputError
    from dcsim.optimization.store import DATABASE, storage_url

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        study = optuna.create_study(
            study_name=STUDY_NAME,
            storage=storage_url(out),
            load_if_exists=True,
            direction=decisions.objective.direction,
        )
        for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            study.tell(trial.number, state=TrialState.FAIL)
    except Exception as error:  # SQLAlchemy and Optuna raise many types for a bad database
        raise UserInputError(
            f"{out / DATABASE}: not a readable study database ({_reason(error)}); use "
            "--force to discard it, or another --out"
        ) from None
    return study


def _reason(error: Exception) -> str:
    """The first line of what went wrong, without SQLAlchemy's background links."""
    text = str(getattr(error, "orig", None) or error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def sampler(decisions: DecisionFile, place: int) -> Any:
    """The sampler that proposes the study's ``place``-th counted trial (0, 1, ...): seeded
    from the root seed and that place, not from how many trials the storage holds, so a
    study killed and resumed proposes what an uninterrupted one does. TPE reads only
    completed trials, which a kill never loses, so its history at that place is the same
    too; a kill in the middle of a batch of parallel asks is the exception (the batch's
    remaining trials are asked in a smaller batch), said by :func:`search`."""
    import optuna

    seed = (decisions.seed + place) % 2**32
    if decisions.sampler == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    return optuna.samplers.RandomSampler(seed=seed)


def violations(trial: Any) -> list[float]:
    """A trial's constraint values (``Trial.set_constraint``, which TPE reads to learn
    where the feasible region is): feasible when all are <= 0."""
    return list(trial.constraints.values())


def finished(study: Any) -> list[Any]:
    """Trials that count toward ``--trials``: completed, or failed by their own decisions
    (a scenario they made invalid); not those lost with a killed process."""
    from optuna.trial import TrialState

    return [
        t
        for t in study.get_trials(deepcopy=False)
        if t.state == TrialState.COMPLETE
        or (t.state == TrialState.FAIL and "error" in t.user_attrs)
    ]


def incumbents(study: Any, decisions: DecisionFile, top: int) -> list[Any]:
    """The best completed trials, feasible ones first (then by least violation), each set
    of decisions once."""
    from optuna.trial import TrialState

    sign = 1 if decisions.objective.direction == "minimize" else -1

    def rank(trial: Any) -> tuple[float, float]:
        excess = sum(max(0.0, v) for v in violations(trial))
        return excess, sign * trial.value

    done = sorted(study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)), key=rank)
    unique: dict[tuple, Any] = {}
    for trial in done:
        unique.setdefault(tuple(sorted(trial.params.items())), trial)
    return list(unique.values())[:top]


def search(
    study: Any,
    decisions: DecisionFile,
    base: dict[str, Any],
    pool: Any,
    progress: Callable[[int, float | None], None],
) -> None:
    """Ask, run and tell until ``decisions.trials`` trials have finished."""
    from optuna.trial import TrialState

    from dcsim.config.loader import apply_overrides
    from dcsim.runtime.worker import describe

    space = {name: distribution(d) for name, d in decisions.decisions.items()}
    replications = tuple(range(decisions.replications))
    if (done := len(finished(study))) % pool.workers:
        print(
            f"warning: resuming after trial {done} of a batch of {pool.workers}: the trials "
            "from here may differ from an uninterrupted study's (docs/optimize.md, Resume)",
            file=sys.stderr,
        )
    while (done := len(finished(study))) < decisions.trials:
        asked = []
        for place in range(done, min(decisions.trials, done + pool.workers)):
            study.sampler = sampler(decisions, place)
            asked.append(study.ask(space))
        jobs = [
            Job(
                trial.number,
                apply_overrides(base, overrides(decisions.decisions, trial.params)),
                decisions.seed,
                replications,
                decisions.objective.target_date,
            )
            for trial in asked
        ]
        for index, result in pool.map_unordered(evaluate, jobs):
            trial = asked[index]
            if isinstance(result, BaseException):
                trial.set_user_attr("error", describe(result))
                study.tell(trial, state=TrialState.FAIL)
            else:
                value, attrs = judge(result, decisions)
                for name, excess in attrs.pop("constraints").items():
                    trial.set_constraint(name, excess)
                for key, attr in attrs.items():
                    trial.set_user_attr(key, attr)
                study.tell(trial, value)
            progress(len(finished(study)), best_value(study, decisions))


def judge(records: list[dict[str, float]], decisions: DecisionFile) -> tuple[float, dict]:
    """A trial's objective value and what is stored with it: constraint values (<= 0 when
    met), the mean of each cost part and the P90 of the full-cluster day, for reports."""
    objective = decisions.objective
    column = {key: np.array([r[key] for r in records]) for key in records[0]}
    value = statistic(column[objective.kpi], objective.statistic, _high_is_bad(objective))
    found = {}
    for constraint in decisions.parsed_constraints():
        level = statistic(column[constraint.kpi], constraint.statistic, constraint.op == "<=")
        bound = constraint.bound
        bound = float(bound.toordinal()) if constraint.kpi in DATE_KPIS else float(bound)
        excess = level - bound if constraint.op == "<=" else bound - level
        found[str(constraint)] = float(np.clip(excess, -LARGEST_VIOLATION, LARGEST_VIOLATION))
    means = {part: float(column[part].mean()) for part in (*COST_PARTS, "total_cost_usd")}
    p90 = statistic(column["days_to_full_cluster"], "P90")
    return value, {
        "constraints": found,
        "means": means,
        "p90_days_to_full_cluster": p90 if math.isfinite(p90) else None,
    }


def _high_is_bad(objective: Any) -> bool:
    return objective.direction == "minimize"


def best_value(study: Any, decisions: DecisionFile) -> float | None:
    best = incumbents(study, decisions, 1)
    return best[0].value if best and not any(v > 0 for v in violations(best[0])) else None
