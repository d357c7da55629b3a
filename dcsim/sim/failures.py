"""GPU failures and repairs, drawn per stage without an event per healthy GPU.

A stage's healthy energized GPUs fail as a Poisson process of rate
``healthy(t) / mtbf`` (independent exponential lifetimes). It is simulated by thinning:
candidate failures arrive at the stage's full rate ``gpus / mtbf`` and each is accepted with
probability ``healthy / gpus`` if the stage is energized at that moment. This is exact for
the varying rate and needs no wake-ups when repairs return or the stage is shed.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

import numpy as np
import simpy

from dcsim.config.schema import GpuFailures
from dcsim.rng import RandomStreams
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


class GpuFaults:
    """The wiring of a campus's GPU failures: what the controller calls when a stage is
    first energized (its failure process starts) and what a stage calls after burn-in (its
    infant mortality), each drawing from the stage's own named stream."""

    def __init__(
        self,
        env: simpy.Environment,
        spec: GpuFailures | None,
        streams: RandomStreams,
        ledger: Ledger,
    ):
        self._env, self._spec, self._streams, self._ledger = env, spec, streams, ledger

    @property
    def burn_in(self) -> Callable[[Stage], None] | None:
        """The burn-in swap, or None when no GPU fails in burn-in."""
        spec = self._spec
        if spec is None or spec.burn_in_failure_fraction <= 0:
            return None
        return self._burn_in

    def _burn_in(self, stage: Stage) -> None:
        rng = self._streams.stream("gpu-failures", f"{stage.name}/burn-in")
        burn_in_failures(self._env, stage, self._spec, rng, self._ledger)

    def first_energized(self, stage: Stage) -> None:
        """Start the stage's failure process (when the scenario models failures)."""
        if self._spec is not None:
            rng = self._streams.stream("gpu-failures", stage.name)
            self._env.process(gpu_failures(self._env, stage, self._spec, rng, self._ledger))
