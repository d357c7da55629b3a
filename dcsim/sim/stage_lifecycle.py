"""A stage's life: its holds (the hall, any plug-in's), chips, crew, installation, burn-in,
then a request for power."""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass

import simpy

from dcsim.sim.controller import EnergizationController
from dcsim.sim.events import EventName
from dcsim.sim.holds import Hold
from dcsim.sim.ledger import Ledger
from dcsim.sim.stage import Stage
from dcsim.sim.stranded import StrandedAccount
from dcsim.sim.supply import Warehouse
from dcsim.sim.trace import NO_CAUSE, Trace, span


@dataclass(frozen=True)
class StageServices:
    """What every stage's process shares: the clock, the installation crews, the accounts,
    the controller it asks for power, and the swap of GPUs that fail burn-in (None: none)."""

    env: simpy.Environment
    crews: simpy.Resource
    ledger: Ledger
    stranded: StrandedAccount
    controller: EnergizationController
    trace: Trace
    burn_in_failures: Callable[[Stage], None] | None


def stage_lifecycle(
    stage: Stage, holds: Sequence[Hold], warehouse: Warehouse, services: StageServices
) -> Generator:
    """A pod waits out its holds (its hall first), takes its chips from the warehouse, waits
    for an installation crew, is racked and burned in (where weak GPUs may fail and go for a
    swap), and then asks the controller for power. Each step's trace link names the one it
    waited for last: the hold that ended last, the batch that completed its chips, or its
    own crew wait. ``holds`` is read as the stage reaches it, so a plug-in may add to it
    after the process is created."""
    env, trace = services.env, services.trace
    stranded = services.stranded
    link = yield from _wait_out(env, stage, holds, warehouse, stranded)
    asked = env.now
    yield warehouse.take(stage.index, stage.gpus)
    stranded.charge("chips", stage.gpus, env.now - asked)
    stranded.waited(stage.name, "chips", env.now - asked)
    if env.now > asked:
        link = warehouse.last_delivery
    with services.crews.request() as crew:
        asked = env.now
        yield crew
        stranded.charge("installation_crews", stage.gpus, env.now - asked)
        stranded.waited(stage.name, "installation_crews", env.now - asked)
        if env.now > asked:
            what = "waited for an installation crew"
            link = trace.add("crews", "installation crews", what, asked, env.now, "", link)
        stage.begin_install()
        services.ledger.record(
            EventName.INSTALL_START,
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
    if services.burn_in_failures is not None:
        services.burn_in_failures(stage)
    services.controller.request_power(stage, link)


def _wait_out(
    env: simpy.Environment,
    stage: Stage,
    holds: Sequence[Hold],
    warehouse: Warehouse,
    stranded: StrandedAccount,
) -> Generator:
    """Wait for each hold in turn, telling the warehouse what the stage waits on; returns
    the link of the hold that ended last (the first one's, when none outlasted it)."""
    link = NO_CAUSE
    for hold in holds:
        warehouse.hold(stage.index, hold.constraint)
        asked = env.now
        ended = yield hold.until
        stranded.waited(stage.name, hold.constraint, env.now - asked)
        if link == NO_CAUSE or env.now > asked:
            link = ended
    return link
