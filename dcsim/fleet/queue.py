"""A region's interconnection queue: one shared process for all its requests.

Requests are the fleet's own sites (each interconnect of a queued site, sized at its largest
scheduled capacity) and background requests from others, drawn as a Poisson process. A
request is a row of a few numbers (arrival, MW, outcome days), never an object or a process.
The queue studies requests, first come first served (one at a time, at the region's
capacity) or in clusters (every request of a window together, one cluster after another);
each request may withdraw in the study stage and in the upgrade stage; a survivor reaches
operation once its network upgrades are built. The fleet's own sites are committed builders
that do not withdraw, unless a site says it is not (``committed: false``): its requests then
withdraw as background ones do. The arithmetic is in plain functions below; see
docs/fleet.md.
"""

from __future__ import annotations

import math
from collections.abc import Generator

import numpy as np
import pandas as pd
import simpy

from dcsim.config.schema import Interconnect
from dcsim.fleet.schema import Queue, Withdrawal
from dcsim.sim.clock import until
from dcsim.sim.power_system import PowerSystem
from dcsim.sim.trace import Trace, span
from dcsim.units import DAYS_PER_YEAR


def poisson_arrivals(rng: np.random.Generator, per_year: float, days: float) -> np.ndarray:
    """Arrival days of a Poisson process of ``per_year`` requests over ``[0, days)``."""
    count = rng.poisson(per_year * days / DAYS_PER_YEAR)
    return np.sort(rng.uniform(0.0, days, count))


def time_to_leave(rng: np.random.Generator, withdrawal: Withdrawal) -> float:
    """Days until a request withdraws under a constant hazard (inf: it does not)."""
    if not withdrawal.hazard_per_year:
        return math.inf
    return rng.exponential(DAYS_PER_YEAR / withdrawal.hazard_per_year)


def withdraws_at_end(rng: np.random.Generator, withdrawal: Withdrawal) -> bool:
    """Whether a request withdraws at the end of a stage under a per-stage probability."""
    return withdrawal.probability is not None and rng.random() < withdrawal.probability


def serve(arrival: float, free: float, service: float, leave: float) -> tuple[float, float]:
    """One first-come-first-served study: ``(end, free)``, the day the study ends (nan if
    the request left first, on day ``leave``) and the day the study team is next free. A
    request that leaves while waiting costs the team nothing; one that leaves mid-study
    frees the team then."""
    start = max(arrival, free)
    if leave <= start:
        return math.nan, free
    if leave < start + service:
        return math.nan, leave
    return start + service, start + service


def cluster_close(arrival: float, cadence: float) -> float:
    """The day the cluster window holding ``arrival`` closes (windows close at whole
    multiples of ``cadence``; a request filed before day 0 joins the first)."""
    return max(1, math.ceil(arrival / cadence)) * cadence


class RegionQueue:
    """The queue of one region; ``submit`` a site's request before the run starts, then
    ``start``. Outcomes are kept per request in :attr:`outcome` arrays (nan: not yet)."""

    def __init__(
        self,
        env: simpy.Environment,
        region: str,
        spec: Queue,
        rng: np.random.Generator,
        horizon: float,
    ):
        self.env, self.region, self.spec, self.rng = env, region, spec, rng
        background = spec.background
        arrivals = poisson_arrivals(rng, background.per_year, horizon) if background else []
        self.arrival = list(arrivals)
        self.mw = [background.mw.sample(rng) for _ in arrivals] if background else []
        self.site: list[str | None] = [None] * len(arrivals)
        self.committed: list[bool] = [False] * len(arrivals)  # never withdraws
        self._notify: dict[int, simpy.Event] = {}

    def submit(self, site: str, arrival: float, mw: float, committed: bool = True) -> simpy.Event:
        """A site's request; the event fires at the study's end with the day of operation
        (never, if an uncommitted site's request withdraws)."""
        self.arrival.append(arrival)
        self.mw.append(mw)
        self.site.append(site)
        self.committed.append(committed)
        event = self.env.event()
        self._notify[len(self.arrival) - 1] = event
        return event

    def grid_source(self, site: str, request_day: float, committed: bool = True):
        """The grid source (:data:`dcsim.sim.model.GridSource`) of a queued site: each of its
        interconnects is requested, at its largest scheduled capacity, on ``request_day``
        (submitted while the site is wired, before the queue starts)."""

        def connect(interconnect: Interconnect, power: PowerSystem, trace: Trace) -> Generator:
            mw = max(step.capacity for step in interconnect.schedule)
            studied = self.submit(site, request_day, mw, committed)
            return self._operate(studied, interconnect.name, mw, request_day, power, trace)

        return connect

    def _operate(
        self,
        studied: simpy.Event,
        name: str,
        mw: float,
        request_day: float,
        power: PowerSystem,
        trace: Trace,
    ) -> Generator:
        """Waits for the study, then for the upgrades; then the capacity steps up."""
        operation_day = yield studied
        study_day = self.env.now
        yield until(self.env, operation_day)
        what = f"{self.region} queue: request to operation at {mw:g} MW"
        study, upgrades = span(study_day - request_day), span(operation_day - study_day)
        draw = f"studied after {study}, upgrades {upgrades}"
        link = trace.add("grid", name, what, request_day, operation_day, draw)
        power.interconnect_step(name, mw, link)

    def start(self) -> None:
        count = len(self.arrival)
        self.order = sorted(range(count), key=lambda r: (self.arrival[r], r))
        self.study_end = np.full(count, math.nan)
        self.withdrawn = np.full(count, math.nan)
        self.operation = np.full(count, math.nan)
        self.leave = np.full(count, math.inf)
        for r in self.order:  # drawn in order of request
            self.leave[r] = self._leave_day(r)
        runner = self._first_come if self.spec.ordering == "fcfs" else self._clusters
        self.env.process(runner())

    def _leave_day(self, r: int) -> float:
        if self.committed[r]:
            return math.inf
        return self.arrival[r] + time_to_leave(self.rng, self.spec.withdraw_in_study)

    def _service_days(self, r: int) -> float:
        spec = self.spec
        if spec.studies_per_year is not None:
            return DAYS_PER_YEAR / spec.studies_per_year
        return self.mw[r] / spec.mw_per_year * DAYS_PER_YEAR

    def _first_come(self) -> Generator:
        """Studies one request at a time, in order of request."""
        free = 0.0
        for r in self.order:
            end, free = serve(self.arrival[r], free, self._service_days(r), self.leave[r])
            if math.isnan(end):
                self.withdrawn[r] = self.leave[r]
                continue
            yield until(self.env, end)
            self._studied(r)

    def _clusters(self) -> Generator:
        """Waits for each window to close, then studies its requests together once the
        cluster before it is done."""
        free, cadence = 0.0, self.spec.cadence
        closes = [cluster_close(self.arrival[r], cadence) for r in self.order]
        for close in sorted(set(closes)):
            members = [r for r, c in zip(self.order, closes, strict=True) if c == close]
            yield until(self.env, close)
            free = max(close, free) + self.spec.study_time.sample(self.rng)
            yield until(self.env, free)
            for r in members:
                if self.leave[r] < free:
                    self.withdrawn[r] = self.leave[r]
                else:
                    self._studied(r)

    def _studied(self, r: int) -> None:
        """After the study: withdraw now, or build the network upgrades (withdrawing on
        the way, or at their end), then operate."""
        now, spec, rng = self.env.now, self.spec, self.rng
        self.study_end[r] = now
        committed = self.committed[r]
        if not committed and withdraws_at_end(rng, spec.withdraw_in_study):
            self.withdrawn[r] = now
            return
        upgrades = spec.upgrade_time.sample(rng)
        if not committed:
            leave = time_to_leave(rng, spec.withdraw_in_upgrade)
            if leave < upgrades or withdraws_at_end(rng, spec.withdraw_in_upgrade):
                self.withdrawn[r] = now + min(leave, upgrades)
                return
        self.operation[r] = now + upgrades
        if r in self._notify:
            self._notify[r].succeed(now + upgrades)

    def table(self) -> pd.DataFrame:
        """One row per request: when filed, its MW, and when it was studied, withdrew or
        reached operation."""
        return pd.DataFrame(
            {
                "region": self.region,
                "site": self.site,
                "request_day": self.arrival,
                "mw": self.mw,
                "study_end_day": self.study_end,
                "withdrawn_day": self.withdrawn,
                "operation_day": self.operation,
            }
        )
