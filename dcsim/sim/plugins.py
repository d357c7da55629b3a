"""How a plug-in constraint class takes part in a run (:class:`dcsim.constraints.Wiring`).

The model builds one :class:`PluginWiring` per plug-in class after it has created its own
processes (so a plug-in never changes how same-time events of the built-in ones are
ordered) and calls the class's ``wire`` with it. Everything a plug-in can do goes through
here: start processes on ``env``, hold a stage before it takes its chips or a built
generator before it runs, cap what a group of generators may run, limit the site's fuel,
stop a hall's
construction for a while, record a trace
link of its kind, charge stranded GPU-days to its row, draw from its own named stream.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import simpy

from dcsim.config.network import FUEL_NODE
from dcsim.config.schema import Scenario
from dcsim.constraints.base import ConstraintClass
from dcsim.rng import RandomStreams
from dcsim.sim.holds import Hold, Pause
from dcsim.sim.power_system import PowerSystem
from dcsim.sim.stage import Stage
from dcsim.sim.stranded import StrandedAccount
from dcsim.sim.trace import NO_CAUSE, Trace


class PluginWiring:
    def __init__(
        self,
        constraint: ConstraintClass,
        *,
        env: simpy.Environment,
        scenario: Scenario,
        relaxed: frozenset[str],
        stages: Sequence[Stage],
        stage_holds: dict[str, list[Hold]],
        generator_holds: dict[str, list[Hold]],
        hall_pauses: dict[str, list[Pause]],
        trace: Trace,
        stranded: StrandedAccount,
        streams: RandomStreams,
        power: PowerSystem,
    ):
        self.constraint = constraint
        self.env = env
        self.scenario = scenario
        self.relaxed = constraint.relax_as is not None and constraint.relax_as in relaxed
        self._stages = stages
        self._stage_holds = stage_holds
        self._generator_holds = generator_holds
        self._hall_pauses = hall_pauses
        self._trace = trace
        self._stranded = stranded
        self._streams = streams
        self._power = power

    def day(self, date: dt.date) -> float:
        return self.scenario.day(date)

    def stages(self, hall: str | None = None) -> Sequence[str]:
        return [s.name for s in self._stages if hall is None or s.hall == hall]

    def hold_stage(self, stage: str, until: simpy.Event) -> None:
        self._hold(self._stage_holds, "stage", stage, until)

    def hold_generator(self, generator: str, until: simpy.Event) -> None:
        self._hold(self._generator_holds, "generator", generator, until)

    def cap_generators(
        self, group: str, generators: Sequence[str], mw: float | None, link: int = NO_CAUSE
    ) -> None:
        unknown = [name for name in generators if name not in self._generator_holds]
        if unknown:
            raise KeyError(f"{self.constraint.name}: no generator {unknown[0]!r}")
        self._power.cap_generators(self.constraint.name, group, generators, mw, link)

    def limit_fuel(self, mw: float | None, link: int = NO_CAUSE) -> None:
        if FUEL_NODE not in self._power.network.fuel_kw:
            raise KeyError(f"{self.constraint.name}: the site has no fuel limit")
        self._power.limit_fuel(self.constraint.name, FUEL_NODE, mw, link)

    def pause_construction(
        self, hall: str, start: float, end: float, what: str, draw: str = ""
    ) -> None:
        if hall not in self._hall_pauses:
            raise KeyError(f"{self.constraint.name}: no hall {hall!r}")
        kind = self._kind()
        pause = Pause(
            self.constraint.name, kind, start, end, what, draw, self.env.event(), self.env.event()
        )
        pauses = self._hall_pauses[hall]
        pauses.append(pause)
        # Each stage of the hall waits, before its hall's own hold, on every stop's two
        # gates in order of the stops' start (the hold lists begin with these gates: only
        # this method puts anything before the hall's hold).
        gates = [
            gate
            for p in sorted(pauses, key=lambda p: p.start)
            for gate in (Hold("construction", p.struck), Hold(p.constraint, p.over))
        ]
        for stage in self.stages(hall):
            self._stage_holds[stage][: len(gates) - 2] = gates

    def _hold(self, holds: dict[str, list[Hold]], what: str, name: str, until) -> None:
        if name not in holds:
            raise KeyError(f"{self.constraint.name}: no {what} {name!r}")
        holds[name].append(Hold(self.constraint.name, until))

    def link(
        self,
        entity: str,
        what: str,
        start: float,
        end: float,
        draw: str = "",
        cause: int = NO_CAUSE,
    ) -> int:
        return self._trace.add(self._kind(), entity, what, start, end, draw, cause)

    def _kind(self) -> str:
        kind = self.constraint.trace_kind
        if kind is None:
            raise ValueError(f"{self.constraint.name} declares no trace kind")
        return kind

    def charge(self, gpus: float, days: float) -> None:
        self._stranded.charge(self.constraint.name, gpus, days)

    def stream(self, entity: str) -> np.random.Generator:
        return self._streams.stream("constraint", f"{self.constraint.name}/{entity}")
