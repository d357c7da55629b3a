"""A region's large-load interconnection process: one shared process for all its requests.

Unlike the generation queue (:mod:`dcsim.fleet.queue`: windows, a year-long cluster study,
years of upgrades), each large-load request is studied on its own, in months, and then
energized in tranches: the first part at once as far as the region's headroom goes, the
rest once the request's own upgrades are built. Regional upgrades add headroom on their
dates. A share of the background projects are speculative: each files several requests for
one load, and once one of them connects the others withdraw. Requests are rows of a few
numbers, as in the generation queue; the arithmetic is in plain functions below.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Generator

import numpy as np
import pandas as pd
import simpy

from dcsim.config.schema import Interconnect
from dcsim.fleet.queue import (
    Entered,
    background_requests,
    request_columns,
    stage_withdrawal,
    time_to_leave,
    withdraws_at_end,
)
from dcsim.fleet.schema import LargeLoad
from dcsim.sim.clock import until
from dcsim.sim.power_system import PowerSystem
from dcsim.sim.trace import Trace, span

#: Same-day order of the process's events: headroom first, then studies, then upgrades.
HEADROOM, STUDIED, UPGRADED = 0, 1, 2


def first_tranche(mw: float, share: float, headroom: float) -> float:
    """What a studied request energizes at once: its first share, as far as headroom goes."""
    return min(mw * share, max(headroom, 0.0))


def duplicate_groups(
    rng: np.random.Generator, projects: int, share: float, copies: int
) -> list[int]:
    """Requests filed per project: ``copies`` for a speculative one (drawn with probability
    ``share``), else one."""
    return [copies if rng.random() < share else 1 for _ in range(projects)]


class LargeLoadRegion:
    """The large-load process of one region; ``submit`` a site's request before the run
    starts, then ``start``. Outcomes are kept per request (nan: not yet)."""

    def __init__(
        self,
        env: simpy.Environment,
        region: str,
        spec: LargeLoad,
        rng: np.random.Generator,
        horizon: float,
        day_of: Callable,
    ):
        self.env, self.region, self.spec, self.rng = env, region, spec, rng
        self.headroom = spec.headroom
        self.growth = [(day_of(step.date), step.added) for step in spec.headroom_growth]
        self.arrival: list[float] = []
        self.mw: list[float] = []
        self.site: list[str | None] = []
        self.committed: list[bool] = []
        self.group: list[int] = []  # requests of one speculative project share a number
        self._stores: dict[int, simpy.Store] = {}
        self._entered: dict[int, Entered] = {}
        self.kind: list[str | None] = []
        background = spec.background
        if background:
            arrivals, sizes, kinds = background_requests(rng, background, horizon)
            dup = spec.duplicates
            copies = (
                duplicate_groups(rng, len(arrivals), dup.share, dup.copies)
                if dup
                else [1] * len(arrivals)
            )
            rows = zip(arrivals, sizes, kinds, copies, strict=True)
            for project, (day, mw, kind, n) in enumerate(rows):
                for _ in range(n):
                    self._add(day, mw, None, False, project, kind)
        self._study_withdrawal = {
            kind: stage_withdrawal(spec, kind, "study") for kind in {None, *self.kind}
        }

    def _add(
        self,
        arrival: float,
        mw: float,
        site: str | None,
        committed: bool,
        group: int,
        kind: str | None = None,
    ) -> int:
        self.kind.append(kind)
        self.arrival.append(arrival)
        self.mw.append(mw)
        self.site.append(site)
        self.committed.append(committed)
        self.group.append(group)
        return len(self.arrival) - 1

    def submit(
        self,
        site: str,
        arrival: float,
        mw: float,
        committed: bool = True,
        entered: Entered | None = None,
    ) -> simpy.Store:
        """A site's request; the store receives its energized MW after each tranche. A
        request entered in its upgrades is not studied again: it takes its first tranche
        from the headroom at the start and the rest on its in-service date."""
        r = self._add(arrival, mw, site, committed, -1 - len(self._stores))
        self._stores[r] = simpy.Store(self.env)
        if entered is not None:
            self._entered[r] = entered
        return self._stores[r]

    def grid_source(
        self,
        site: str,
        request_day: float,
        committed: bool = True,
        entered: Entered | None = None,
    ):
        """The grid source (:data:`dcsim.sim.model.GridSource`) of a site in the region: each
        interconnect is requested at its largest scheduled capacity on ``request_day``, or
        entered in its upgrades."""

        def connect(interconnect: Interconnect, power: PowerSystem, trace: Trace) -> Generator:
            mw = max(step.capacity for step in interconnect.schedule)
            tranches = self.submit(site, request_day, mw, committed, entered)
            return self._energize(tranches, interconnect.name, mw, request_day, power, trace)

        return connect

    def _energize(
        self,
        tranches: simpy.Store,
        name: str,
        mw: float,
        request_day: float,
        power: PowerSystem,
        trace: Trace,
    ) -> Generator:
        """Waits for each tranche; the interconnect steps up to what is energized so far."""
        energized = 0.0
        while energized < mw:
            energized = yield tranches.get()
            what = f"{self.region} large-load process: {energized:g} of {mw:g} MW"
            draw = f"request to tranche {span(self.env.now - request_day)}"
            link = trace.add("grid", name, what, request_day, self.env.now, draw)
            power.interconnect_step(name, energized, link)

    def start(self) -> None:
        count = len(self.arrival)
        self.study_end = np.full(count, math.nan)
        self.withdrawn = np.full(count, math.nan)
        self.operation = np.full(count, math.nan)  # fully energized
        self.first_power = np.full(count, math.nan)
        self.energized = np.zeros(count)
        self.members: dict[int, list[int]] = {}
        events: list[tuple[float, int, int]] = [
            (day, HEADROOM, i) for i, (day, _) in enumerate(self.growth)
        ]
        for r in sorted(range(count), key=lambda r: (self.arrival[r], r)):  # drawn in order
            self.members.setdefault(self.group[r], []).append(r)
            if r in self._entered:
                events.append((self._entered[r].study_day, STUDIED, r))
                continue
            study = self.spec.study_time.sample(self.rng)
            leave = (
                math.inf
                if self.committed[r]
                else time_to_leave(self.rng, self._study_withdrawal[self.kind[r]], self.mw[r])
            )
            if leave < study:
                self.withdrawn[r] = self.arrival[r] + leave
            else:
                events.append((self.arrival[r] + study, STUDIED, r))
        heapq.heapify(events)
        self.env.process(self._run(events))

    def _run(self, events: list[tuple[float, int, int]]) -> Generator:
        """Takes the events in time order: headroom added, a study done, upgrades done."""
        while events:
            day, kind, index = heapq.heappop(events)
            yield until(self.env, day)
            if kind == HEADROOM:
                self.headroom += self.growth[index][1]
            elif not self._gone(index):
                if kind == STUDIED:
                    self._studied(index, events)
                else:
                    self.operation[index] = self.env.now
                    self._connect(index, self.mw[index])

    def _gone(self, r: int) -> bool:
        return not math.isnan(self.withdrawn[r])

    def _studied(self, r: int, events: list) -> None:
        """Withdraw now, or energize the first tranche and wait for upgrades for the rest."""
        now, entered = self.env.now, self._entered.get(r)
        self.study_end[r] = now if entered is None else entered.study_day
        if (
            entered is None
            and not self.committed[r]
            and withdraws_at_end(self.rng, self._study_withdrawal[self.kind[r]], self.mw[r])
        ):
            self.withdrawn[r] = now
            return
        part = first_tranche(self.mw[r], self.spec.first_tranche, self.headroom)
        self.headroom -= part
        if part > 0:
            self._connect(r, part)  # the first tranche
        if part >= self.mw[r]:
            self.operation[r] = now
        elif entered is not None and entered.in_service_day is not None:
            done = entered.in_service_day + entered.slip.sample(self.rng)
            heapq.heappush(events, (max(done, now), UPGRADED, r))
        else:
            heapq.heappush(events, (now + self.spec.upgrade_time.sample(self.rng), UPGRADED, r))

    def _connect(self, r: int, total: float) -> None:
        """Energizes request ``r`` up to ``total`` MW (its whole MW with the last tranche,
        exactly); its first connection makes the other requests of a speculative project
        withdraw."""
        now = self.env.now
        self.energized[r] = total
        if math.isnan(self.first_power[r]):
            self.first_power[r] = now
            for sibling in self.members[self.group[r]]:
                if sibling != r and self.energized[sibling] == 0 and not self._gone(sibling):
                    self.withdrawn[sibling] = now
        if r in self._stores:
            self._stores[r].put(self.energized[r])

    def table(self) -> pd.DataFrame:
        """One row per request, as the generation queue's, with the tranche columns."""
        return pd.DataFrame(
            {
                **request_columns(self),
                "first_power_day": self.first_power,
                "energized_mw": self.energized,
            }
        )
