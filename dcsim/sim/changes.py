"""What a stage's moves do to the ledger's level counters: plain arithmetic, no SimPy.

Each function returns the ``add`` mapping of one ledger record, so the bookkeeping of GPU
states, load and compute can be checked on its own (the sums over GPU states stay equal to
the GPUs ordered, whatever sequence of moves a run makes).
"""

from __future__ import annotations

from dcsim.sim.stage import Stage


def switch_changes(stage: Stage, sign: int, utilization: float) -> dict[str, float]:
    """A stage's healthy GPUs move from installed (dark) to energized (``sign`` +1) or
    back (-1). Shedding starts a shed spell; re-energizing a stage once shed ends it."""
    shed_spell = -sign if (sign < 0 or stage.ever_shed) else 0
    return {
        "gpus_installed": -sign * stage.healthy,
        "gpus_energized": sign * stage.healthy,
        "facility_mw": sign * stage.facility_mw * utilization,
        "it_mw": sign * stage.it_mw * utilization,
        "compute_tflops": sign * stage.bf16_tflops * stage.healthy / stage.gpus,
        "dark_chip_value_usd": -sign * stage.price_usd,
        "stages_shed": shed_spell,
        "shed_mw": shed_spell * stage.facility_mw * utilization,
    }


def burn_in_failure_changes(failed: int) -> dict[str, float]:
    """GPUs that fail in burn-in leave the installed count until swapped."""
    return {"gpus_installed": -failed, "gpus_failed": failed}


def failure_changes(stage: Stage) -> dict[str, float]:
    """One energized GPU fails: it stops computing until repaired."""
    return {
        "gpus_energized": -1,
        "gpus_failed": 1,
        "compute_tflops": -stage.bf16_tflops / stage.gpus,
    }


def repair_changes(stage: Stage, running: bool) -> dict[str, float]:
    """A repaired GPU rejoins its stage: computing if the stage is energized, dark if not."""
    return {
        "gpus_energized" if running else "gpus_installed": 1,
        "gpus_failed": -1,
        "compute_tflops": stage.bf16_tflops / stage.gpus if running else 0.0,
    }
