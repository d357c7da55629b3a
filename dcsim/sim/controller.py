"""The energization controller: who gets power, who loses it, and what holds the rest.

It sleeps until its doorbell rings (power changed, a stage is ready for power), then sheds
what the network no longer carries, grants power to every waiting stage that fits, and
notes what holds back each stage still waiting (for the stranded GPU-days account).
"""

from __future__ import annotations

from collections.abc import Callable, Generator

import simpy

from dcsim.sim.admission import Dispatcher
from dcsim.sim.changes import switch_changes
from dcsim.sim.clock import Doorbell
from dcsim.sim.events import EventName
from dcsim.sim.holds import SourceClaims, charge_shortfalls
from dcsim.sim.ledger import Ledger
from dcsim.sim.power_system import PowerSystem
from dcsim.sim.stage import Stage
from dcsim.sim.stranded import StrandedAccount
from dcsim.sim.trace import NO_CAUSE, Trace, span


class EnergizationController:
    def __init__(
        self,
        env: simpy.Environment,
        dispatcher: Dispatcher,
        power: PowerSystem,
        ledger: Ledger,
        stranded: StrandedAccount,
        doorbell: Doorbell,
        utilization: float,
        trace: Trace,
        on_first_energized: Callable[[Stage], None],
        claims: SourceClaims,
    ):
        self._env = env
        self._dispatcher = dispatcher
        self._power = power
        self._ledger = ledger
        self._stranded = stranded
        self._doorbell = doorbell
        self._utilization = utilization
        self._on_first_energized = on_first_energized
        self._trace = trace
        self._claims = claims
        #: (day, trace link) of every energization, in order: the ends of critical chains
        self.energized: list[tuple[float, int]] = []

    def request_power(self, stage: Stage, link: int) -> None:
        """A burned-in stage joins the queue for power; ``link`` is its last trace link."""
        stage.ask_for_power(self._env.now, link)
        self._ledger.record(EventName.READY_FOR_POWER, stage.name, stage.gpus)
        self._dispatcher.waiting.add(stage)
        self._doorbell.ring()

    def run(self) -> Generator:
        """The controller's process: sleeps until power changes or a stage is ready."""
        while True:
            yield self._doorbell.wait()
            self._doorbell.rearm()
            for stage in self._dispatcher.shed():
                self._shed(stage)
            for stage in self._dispatcher.admit():
                self._close_block(stage)
                epoch = stage.grant_power()
                cause = self._power_cause(stage)
                self._env.process(
                    commissioning(self._env, stage, epoch, cause, self._trace, self._energize)
                )
            changed_holds = self._dispatcher.holds()
            if self._claims.take_changed() or self._claims.holder() is not None:
                self._remark_blocks()
            else:
                for stage, answer in changed_holds:
                    self._mark_block(stage, answer)

    def _power_cause(self, stage: Stage) -> int:
        """What a stage admitted now waited for last: itself if it is admitted as it asks
        (or resumes), else the change that added the power it now fits into."""
        change = self._power.last_change
        if change != NO_CAUSE and self._trace.links[change].end > stage.ready_day:
            return change
        return stage.ready_link

    def close_accounts(self) -> None:
        """At the horizon: charge the waits of stages still held back."""
        for stage in self._dispatcher.waiting:
            self._close_block(stage)

    def _remark_blocks(self) -> None:
        """While a source is held back (or just after): what a stage short of sources
        waits on may change hands (from ``grid`` to a plug-in's permit, or back) with any
        change of sources, holds or committed load, so every waiting stage is charged
        again, in policy order (:func:`~dcsim.sim.holds.charge_shortfalls`)."""
        dispatcher = self._dispatcher
        waiting = sorted(dispatcher.waiting, key=dispatcher.order)
        answers = [(s, a) for s in waiting if (a := dispatcher.held_for(s)) is not None]
        for stage, constraint in charge_shortfalls(
            answers, dispatcher.demand_kw, self._power.network, self._claims
        ):
            self._mark_block(stage, constraint)

    def _mark_block(self, stage: Stage, constraint: str) -> None:
        if stage.blocked and stage.blocked[0] == constraint:
            return
        self._close_block(stage)
        stage.blocked = (constraint, self._env.now)

    def _close_block(self, stage: Stage) -> None:
        if stage.blocked:
            constraint, since = stage.blocked
            self._stranded.charge(constraint, stage.gpus, self._env.now - since)
            self._stranded.waited(stage.name, constraint, self._env.now - since)
            stage.blocked = None

    def _energize(self, stage: Stage, link: int) -> None:
        first_time = stage.energize()
        self._switch(stage, +1, EventName.ENERGIZED)
        self.energized.append((self._env.now, link))
        if first_time:
            self._on_first_energized(stage)

    def _shed(self, stage: Stage) -> None:
        """Take a stage's power away; it waits again with its place in the queue."""
        if stage.shed():
            self._switch(stage, -1, EventName.SHED)
        else:
            self._ledger.record(EventName.SHED, stage.name, 0)

    def _switch(self, stage: Stage, sign: int, event: EventName) -> None:
        """Move a stage's healthy GPUs between installed (dark) and energized."""
        self._power.load_changed(stage.hall, sign * stage.facility_kw)
        self._ledger.record(
            event,
            stage.name,
            stage.gpus,
            add=switch_changes(stage, sign, self._utilization),
            assign=self._power.bridging(),
        )
        stage.ever_shed = stage.ever_shed or sign < 0


def commissioning(
    env: simpy.Environment,
    stage: Stage,
    epoch: int,
    cause: int,
    trace: Trace,
    energize: Callable[[Stage, int], None],
) -> Generator:
    """A stage granted power is commissioned (the first time only) and then carries load,
    unless it was shed in the meantime."""
    link = cause
    if not stage.commissioned:
        stage.begin_commissioning()
        began = env.now
        yield env.timeout(stage.commissioning_days)
        days = stage.commissioning_days
        link = trace.add(
            "commissioning", stage.name, "commissioning", began, env.now, span(days), cause
        )
    if stage.still_granted(epoch):
        energize(stage, link)
