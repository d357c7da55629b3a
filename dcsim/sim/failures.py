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

from dcsim.sim.stage import Stage


def gpu_failures(model, stage: Stage, rng: np.random.Generator) -> Generator:
    """Started when the stage is first energized; runs until the horizon."""
    spec = model.scenario.gpu_failures
    mean_gap = spec.mtbf_per_gpu / stage.gpus
    while True:
        yield model.env.timeout(rng.exponential(mean_gap))
        if stage.status == "energized" and rng.random() < stage.healthy / stage.gpus:
            model.gpu_failed(stage)
            model.env.process(gpu_repair(model, stage, spec.repair_time.sample(rng)))


def gpu_repair(model, stage: Stage, days: float) -> Generator:
    """A failed GPU is swapped or repaired and returns to its stage."""
    yield model.env.timeout(days)
    model.gpu_repaired(stage)
