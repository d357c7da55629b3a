"""Decisions optimized under uncertainty: ``dcsim optimize`` and ``dcsim.optimize()``.

A decision file (:mod:`.decisions`) names a base scenario, the decisions to choose and an
objective, by default total cost in money (:mod:`.objective`). Optuna searches the
decisions (:mod:`.study`), each trial a statistic over R runs with common random numbers,
run by the sweep executors; the study lives in SQLite under ``out`` (:mod:`.store`), so a
killed study resumes. The best trials are then re-evaluated on fresh seeds with confidence
intervals (:mod:`.reevaluate`). docs/optimize.md explains the method.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dcsim.optimization.decisions import DecisionFile, load_decisions


def optimize(
    decisions: str | Path | DecisionFile,
    *,
    trials: int | None = None,
    replications: int | None = None,
    executor: str = "serial",
    workers: int | None = None,
    address: str | None = None,
    scheduler_file: str | None = None,
    out: str | Path | None = None,
    force: bool = False,
    quiet: bool = True,
) -> dict[str, Any]:
    """Search the decisions, re-evaluate the best, and return the result (as written to
    ``out/result.json``). Without ``out`` the study lives in a temporary directory."""
    from dcsim.errors import UserInputError

    for flag, value in (("trials", trials), ("replications", replications)):
        if value is not None and value < 1:
            raise UserInputError(f"--{flag} {value}: expected at least 1")
    origin = str(decisions) if not isinstance(decisions, DecisionFile) else "<decisions>"
    if not isinstance(decisions, DecisionFile):
        decisions = load_decisions(decisions, trials, replications)
    elif trials or replications:
        update = {"trials": trials or decisions.trials}
        decisions = decisions.model_copy(
            update=update | {"replications": replications or decisions.replications}
        )
    if out is not None:
        return _run(
            decisions, origin, Path(out), executor, workers, address, scheduler_file, force, quiet
        )
    with tempfile.TemporaryDirectory(prefix="dcsim-optimize-") as scratch:
        return _run(
            decisions,
            origin,
            Path(scratch),
            executor,
            workers,
            address,
            scheduler_file,
            force,
            quiet,
        )


def _run(decisions, origin, out, executor, workers, address, scheduler_file, force, quiet):
    from dcsim.optimization import store
    from dcsim.optimization.check import prepare
    from dcsim.optimization.reevaluate import reevaluate
    from dcsim.optimization.report import best_scenario, history, pareto
    from dcsim.optimization.study import best_value, finished, open_study, search
    from dcsim.runtime.executors import open_executor

    base, digest = prepare(decisions, origin)
    with (
        open_executor(executor, workers, address, scheduler_file) as pool,
        store.opened(out, digest, force) as out,
    ):
        study = open_study(out, decisions)
        done, best = len(finished(study)), best_value(study, decisions)
        with _progress(decisions.trials, done, best, quiet) as advance:
            search(study, decisions, base, pool, advance)
        result = reevaluate(study, decisions, base, pool)
        trials = history(study, decisions)
        store.write_text(out / "trials.csv", trials.to_csv(index=False))
        result |= {"out": str(out), "trials": len(finished(study)), "pareto": pareto(trials)}
        store.write_text(out / "best.yaml", best_scenario(base, result["best"]))
        store.write_json(out / "result.json", result)
    return result


@contextmanager
def _progress(total: int, completed: int, best: float | None, quiet: bool) -> Iterator[Any]:
    """The command's progress bar (:func:`dcsim.progress.progress_bar`) of finished trials,
    with the incumbent's objective; yields ``update(done, best)``."""
    from dcsim.progress import progress_bar

    def shown(value: float | None) -> str:
        return "best -" if value is None else f"best {value:,.4g}"

    with progress_bar("optimize", total, completed, quiet, note=shown(best)) as advance:
        counted = completed

        def update(done: int, value: float | None) -> None:
            nonlocal counted
            advance(done - counted, note=shown(value))
            counted = done

        yield update
