"""GPU failures and repairs, drawn per stage without an event per healthy GPU.

A stage's healthy energized GPUs fail as a Poisson process of rate
``healthy(t) / mtbf`` (independent exponential lifetimes). It is simulated by thinning:
candidate failures arrive at the stage's full rate ``gpus / mtbf`` and each is accepted with
probability ``healthy / gpus`` if the stage is energized at that moment. This is exact for
the varying rate and needs no wake-ups when repairs return or the stage is shed.
"""

from __future__ import annotations

from collections.abc import Generator

import numpy as np
import simpy

from dcsim.config.schema import GpuFailures
from dcsim.sim.changes import burn_in_failure_changes, failure_changes, repair_changes
from dcsim.sim.events import EventName
from dcsim.sim.ledger import Ledger
from dcsim.sim.stage import Stage


def gpu_failures(
    env: simpy.Environment,
    stage: Stage,
    spec: GpuFailures,
    rng: np.random.Generator,
    ledger: Ledger,
) -> Generator:
    """Started when the stage is first energized; runs until the horizon."""
    mean_gap = spec.mtbf_per_gpu / stage.gpus
    while True:
        yield env.timeout(rng.exponential(mean_gap))
        if stage.status == "energized" and rng.random() < stage.healthy / stage.gpus:
            stage.lose_gpus(1)
            ledger.record(EventName.GPU_FAILED, stage.name, 1, add=failure_changes(stage))
            env.process(gpu_repair(env, stage, spec.repair_time.sample(rng), ledger))


def burn_in_failures(
    env: simpy.Environment,
    stage: Stage,
    spec: GpuFailures,
    rng: np.random.Generator,
    ledger: Ledger,
) -> None:
    """Infant mortality: a binomial share of the stage's GPUs fails in burn-in; each is
    swapped after a repair time and rejoins its stage."""
    failed = int(rng.binomial(stage.gpus, spec.burn_in_failure_fraction))
    stage.lose_gpus(failed)
    ledger.record(
        EventName.BURN_IN_FAILURES, stage.name, failed, add=burn_in_failure_changes(failed)
    )
    for _ in range(failed):
        env.process(gpu_repair(env, stage, spec.repair_time.sample(rng), ledger))


def gpu_repair(env: simpy.Environment, stage: Stage, days: float, ledger: Ledger) -> Generator:
    """A failed GPU is swapped or repaired and returns to its stage."""
    yield env.timeout(days)
    stage.regain_gpu()
    running = stage.status == "energized"
    ledger.record(EventName.GPU_REPAIRED, stage.name, 1, add=repair_changes(stage, running))
