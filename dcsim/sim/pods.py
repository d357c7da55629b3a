"""A stage's life: hall, chips, crew, installation, burn-in, then a request for power."""

from __future__ import annotations

from collections.abc import Callable, Generator

import simpy

from dcsim.sim.controller import EnergizationController
from dcsim.sim.ledger import Ledger
from dcsim.sim.stage import Stage
from dcsim.sim.stranded import StrandedAccount
from dcsim.sim.supply import Warehouse
from dcsim.sim.trace import Trace, span


def stage_lifecycle(
    env: simpy.Environment,
    stage: Stage,
    hall_ready: simpy.Event,
    warehouse: Warehouse,
    crews: simpy.Resource,
    ledger: Ledger,
    stranded: StrandedAccount,
    burn_in_failures: Callable[[Stage], None] | None,
    controller: EnergizationController,
    trace: Trace,
) -> Generator:
    """A pod waits for its hall, takes its chips from the warehouse, waits for an
    installation crew, is racked and burned in (where weak GPUs may fail and go for a swap),
    and then asks the controller for power. Each step's trace link names the one it waited
    for last: the hall, the batch that completed its chips, or its own crew wait."""
    link = yield hall_ready
    asked = env.now
    yield warehouse.take(stage.gpus)
    stranded.charge("chips", stage.gpus, env.now - asked)
    if env.now > asked:
        link = warehouse.last_delivery
    with crews.request() as crew:
        asked = env.now
        yield crew
        stranded.charge("crews", stage.gpus, env.now - asked)
        if env.now > asked:
            what = "waited for an installation crew"
            link = trace.add("crews", "installation crews", what, asked, env.now, "", link)
        stage.begin_install()
        ledger.record(
            "install_start",
            stage.name,
            stage.gpus,
            add={"gpus_warehouse": -stage.gpus, "gpus_installed": stage.gpus},
        )
        began = env.now
        yield env.timeout(stage.install_days)
    link = trace.add(
        "installation", stage.name, "installation", began, env.now, span(stage.install_days), link
    )
    stage.begin_burn_in()
    began = env.now
    yield env.timeout(stage.burn_in_days)
    link = trace.add(
        "installation", stage.name, "burn-in", began, env.now, span(stage.burn_in_days), link
    )
    if burn_in_failures is not None:
        burn_in_failures(stage)
    controller.request_power(stage, link)
