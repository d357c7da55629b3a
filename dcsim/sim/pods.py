"""A stage's life: hall, chips, crew, installation, burn-in, power, commissioning."""

from __future__ import annotations

from collections.abc import Generator

from dcsim.sim.stage import Stage


def stage_lifecycle(model, stage: Stage) -> Generator:
    """A pod waits for its hall, takes its chips from the warehouse, waits for an
    installation crew, is racked and burned in (where weak GPUs may fail and go for a swap),
    and then asks the controller for power."""
    env = model.env
    yield model.hall_ready[stage.hall]
    asked = env.now
    yield model.warehouses[stage.chip].take(stage.gpus)
    model.blame("chips", stage.gpus, env.now - asked)
    with model.install_crews.request() as crew:
        asked = env.now
        yield crew
        model.blame("crews", stage.gpus, env.now - asked)
        stage.status = "installing"
        model.ledger.record(
            "install_start",
            stage.name,
            stage.gpus,
            add={"gpus_warehouse": -stage.gpus, "gpus_installed": stage.gpus},
        )
        yield env.timeout(stage.install_days)
    stage.status = "burn-in"
    yield env.timeout(stage.burn_in_days)
    model.burn_in_failures(stage)
    model.request_power(stage)


def commissioning(model, stage: Stage) -> Generator:
    """A stage granted power is commissioned (the first time only) and then carries load,
    unless it was shed in the meantime."""
    grant = stage.grant
    if not stage.commissioned:
        stage.status = "commissioning"
        yield model.env.timeout(stage.commissioning_days)
    if stage.grant == grant:
        model.energize(stage)
