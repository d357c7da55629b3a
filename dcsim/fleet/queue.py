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
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import simpy

from dcsim.config.schema import Interconnect
from dcsim.distributions import Duration
from dcsim.fleet.schema import Background, LargeLoad, Queue, Withdrawal
from dcsim.sim.clock import until
from dcsim.sim.power_system import PowerSystem
from dcsim.sim.trace import Trace, span
from dcsim.units import DAYS_PER_YEAR


@dataclass(frozen=True)
class Entered:
    """A site's request entered in its upgrades: its study ended on ``study_day`` (fleet
    days, on or before 0); it operates on ``in_service_day`` plus a drawn ``slip``, or
    without one, ``upgrade_time`` after its study."""

    study_day: float
    in_service_day: float | None
    slip: Duration


def poisson_arrivals(rng: np.random.Generator, per_year: float, days: float) -> np.ndarray:
    """Arrival days of a Poisson process of ``per_year`` requests over ``[0, days)``."""
    count = rng.poisson(per_year * days / DAYS_PER_YEAR)
    return np.sort(rng.uniform(0.0, days, count))


def background_requests(
    rng: np.random.Generator, background: Background, days: float
) -> tuple[np.ndarray, list[float], list[str | None]]:
    """Arrival days, MW and type (None without types) of the background requests over
    ``[0, days)``: arrivals first, then each request's type by its share, then sizes."""
    arrivals = poisson_arrivals(rng, background.per_year, days)
    if not background.types:
        return arrivals, [background.mw.sample(rng) for _ in arrivals], [None] * len(arrivals)
    types = background.types
    picks = rng.choice(len(types), size=len(arrivals), p=[t.share for t in types])
    sizes = [(types[k].mw or background.mw).sample(rng) for k in picks]
    return arrivals, sizes, [types[k].name for k in picks]


def stage_withdrawal(
    spec: Queue | LargeLoad, kind: str | None, stage: Literal["study", "upgrade"]
) -> Withdrawal:
    """The withdrawal of a request of type ``kind`` in ``stage``: its type's, else the
    process's own."""
    field = f"withdraw_in_{stage}"
    types = {t.name: t for t in spec.background.types} if spec.background else {}
    own = getattr(types[kind], field) if kind in types else None
    return own or getattr(spec, field)


def size_ratio(withdrawal: Withdrawal, mw: float) -> float:
    """``(MW / reference) ** exponent`` of a size-dependent withdrawal (1 without one); a
    request of 0 MW counts as a millionth of the reference."""
    by_size = withdrawal.by_size
    if by_size is None:
        return 1.0
    return max(mw / by_size.reference, 1e-6) ** by_size.exponent


def stay_probability(withdrawal: Withdrawal, mw: float) -> float:
    """The chance that a request of ``mw`` stays through a stage's end (without a
    probability: 1)."""
    if withdrawal.probability is None:
        return 1.0
    return min(1.0, (1 - withdrawal.probability) / size_ratio(withdrawal, mw))


def time_to_leave(rng: np.random.Generator, withdrawal: Withdrawal, mw: float) -> float:
    """Days until a request of ``mw`` withdraws under a constant hazard (inf: it does not)."""
    if not withdrawal.hazard_per_year:
        return math.inf
    hazard = withdrawal.hazard_per_year * size_ratio(withdrawal, mw)
    return rng.exponential(DAYS_PER_YEAR / hazard)


def withdraws_at_end(rng: np.random.Generator, withdrawal: Withdrawal, mw: float) -> bool:
    """Whether a request of ``mw`` withdraws at the end of a stage under a per-stage
    probability."""
    if withdrawal.probability is None:
        return False
    if withdrawal.by_size is None:
        return rng.random() < withdrawal.probability
    return rng.random() >= stay_probability(withdrawal, mw)


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
        arrivals, sizes, kinds = (
            background_requests(rng, spec.background, horizon) if spec.background else ([], [], [])
        )
        self.arrival = list(arrivals)
        self.mw = sizes
        self.kind = kinds
        self.site: list[str | None] = [None] * len(arrivals)
        self._withdrawal = {
            (kind, stage): stage_withdrawal(spec, kind, stage)
            for kind in {None, *kinds}
            for stage in ("study", "upgrade")
        }
        self.committed: list[bool] = [False] * len(arrivals)  # never withdraws
        self._notify: dict[int, simpy.Event] = {}
        self._entered: dict[int, Entered] = {}

    def submit(
        self,
        site: str,
        arrival: float,
        mw: float,
        committed: bool = True,
        entered: Entered | None = None,
    ) -> simpy.Event:
        """A site's request; the event fires at the study's end (for a request entered in
        its upgrades, at the start) with the day of operation (never, if an uncommitted
        site's request withdraws)."""
        if entered is not None:
            self._entered[len(self.arrival)] = entered
        self.arrival.append(arrival)
        self.mw.append(mw)
        self.kind.append(None)
        self.site.append(site)
        self.committed.append(committed)
        event = self.env.event()
        self._notify[len(self.arrival) - 1] = event
        return event

    def grid_source(
        self,
        site: str,
        request_day: float,
        committed: bool = True,
        entered: Entered | None = None,
    ):
        """The grid source (:data:`dcsim.sim.model.GridSource`) of a queued site: each of its
        interconnects is requested, at its largest scheduled capacity, on ``request_day``
        (submitted while the site is wired, before the queue starts), or entered in its
        upgrades."""

        def connect(interconnect: Interconnect, power: PowerSystem, trace: Trace) -> Generator:
            mw = max(step.capacity for step in interconnect.schedule)
            studied = self.submit(site, request_day, mw, committed, entered)
            r = len(self.arrival) - 1
            return self._operate(studied, r, interconnect.name, mw, power, trace)

        return connect

    def _operate(
        self,
        studied: simpy.Event,
        r: int,
        name: str,
        mw: float,
        power: PowerSystem,
        trace: Trace,
    ) -> Generator:
        """Waits for the study, then for the upgrades; then the capacity steps up."""
        operation_day = yield studied
        request_day, study_day = self.arrival[r], float(self.study_end[r])
        yield until(self.env, operation_day)
        what = f"{self.region} queue: request to operation at {mw:g} MW"
        study, upgrades = span(study_day - request_day), span(operation_day - study_day)
        draw = f"studied after {study}, upgrades {upgrades}"
        link = trace.add("grid", name, what, request_day, operation_day, draw)
        power.interconnect_step(name, mw, link)

    def start(self) -> None:
        count = len(self.arrival)
        self.order = sorted(
            (r for r in range(count) if r not in self._entered), key=lambda r: (self.arrival[r], r)
        )
        self.study_end = np.full(count, math.nan)
        self.withdrawn = np.full(count, math.nan)
        self.operation = np.full(count, math.nan)
        self.leave = np.full(count, math.inf)
        for r in self.order:  # drawn in order of request
            self.leave[r] = self._leave_day(r)
        for r, entered in sorted(self._entered.items()):
            self.study_end[r] = entered.study_day
            if entered.in_service_day is None:
                done = entered.study_day + self.spec.upgrade_time.sample(self.rng)
            else:
                done = entered.in_service_day + entered.slip.sample(self.rng)
            self._upgrade(r, max(done, 0.0))  # the run starts on day 0
        runner = self._first_come if self.spec.ordering == "fcfs" else self._clusters
        self.env.process(runner())

    def _leave_day(self, r: int) -> float:
        if self.committed[r]:
            return math.inf
        study = self._withdrawal[self.kind[r], "study"]
        return self.arrival[r] + time_to_leave(self.rng, study, self.mw[r])

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
        """After the study: withdraw now, or build the network upgrades."""
        now, spec, rng, mw = self.env.now, self.spec, self.rng, self.mw[r]
        self.study_end[r] = now
        committed = self.committed[r]
        if not committed and withdraws_at_end(rng, self._withdrawal[self.kind[r], "study"], mw):
            self.withdrawn[r] = now
            return
        self._upgrade(r, spec.upgrade_time.sample(rng))

    def _upgrade(self, r: int, upgrades: float) -> None:
        """Builds the network upgrades for ``upgrades`` days from now (withdrawing on the
        way, or at their end), then operates."""
        now, rng, mw, committed = self.env.now, self.rng, self.mw[r], self.committed[r]
        upgrade = self._withdrawal[self.kind[r], "upgrade"]
        if not committed:
            leave = time_to_leave(rng, upgrade, mw)
            if leave < upgrades or withdraws_at_end(rng, upgrade, mw):
                self.withdrawn[r] = now + min(leave, upgrades)
                return
        self.operation[r] = now + upgrades
        if r in self._notify:
            self._notify[r].succeed(now + upgrades)

    def table(self) -> pd.DataFrame:
        """One row per request: when filed, its MW, and when it was studied, withdrew or
        reached operation."""
        return pd.DataFrame(request_columns(self))


def request_columns(requests: Any) -> dict[str, Any]:
    """The columns every interconnection process reports per request (the generation
    queue and the large-load process alike), read from its per-request arrays."""
    return {
        "region": requests.region,
        "site": requests.site,
        "type": requests.kind,
        "request_day": requests.arrival,
        "mw": requests.mw,
        "study_end_day": requests.study_end,
        "withdrawn_day": requests.withdrawn,
        "operation_day": requests.operation,
    }
