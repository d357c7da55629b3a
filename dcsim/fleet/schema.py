"""The fleet file: regions with their interconnection queues, chip vendors, and sites.

A site is a campus scenario file (with ``--set``-style overrides) placed in a region; with
``count`` above 1 it is a template whose copies differ by draws (dates shifted, sizes
scaled). Every site of a fleet shares the fleet's ``start`` and ``horizon``, so that all
campuses live on one clock. Fields carry units and, where a default rests on a public
figure, its source, as in :mod:`dcsim.config.schema`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from itertools import pairwise
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from dcsim.config.budget import Budget
from dcsim.config.fields import Date, Name, Section, cited
from dcsim.distributions import Duration, distribution, quantity

#: Memory a fleet run takes per site and per background request: the slope of peak RSS
#: from 50 to 400 copies of configs/fleet/sites/meta-24k-cluster.yaml, and from 20,000 to
#: 200,000 background requests, over ten years (``benchmarks/fleet_memory.py``, 2026-12).
BYTES_PER_SITE = 91_107
BYTES_PER_BACKGROUND_REQUEST = 663
#: What one fleet run may take for its sites and queues: a quarter of a 16 GB laptop, and
#: less than each of the seven engineers sharing the project's 23 GB machine has.
MEMORY_LIMIT_BYTES = 4 * 2**30
#: Most sites (copies of templates included) in one fleet: the memory limit's worth,
#: rounded down to thousands (47,000).
MAX_SITES = MEMORY_LIMIT_BYTES // BYTES_PER_SITE // 1000 * 1000
#: Most background requests one region may expect over the horizon.
MAX_BACKGROUND_REQUESTS = 1_000_000
#: Earliest request a site may have filed before the fleet's start, in years. The queue's
#: behaviour comes from LBNL's "Queued Up" data, whose cohorts span about twenty years of
#: requests (2000-2018 for the completion rate; facts.csv lbnl_queue_completion_rate): a
#: request older than that is outside anything the model was set from.
MAX_REQUEST_AGE_YEARS = 20
#: The fleet's clock: every site lives on it, so no site may set, shift or scale it.
CLOCK_FIELDS = ("start", "horizon")


class Withdrawal(Section):
    """How requests leave the queue during one stage: with a ``probability`` at the end of
    the stage, or at a constant ``hazard_per_year`` while in it (neither: never)."""

    probability: float | None = Field(None, ge=0, le=1)
    hazard_per_year: float | None = Field(None, ge=0, le=100)

    @model_validator(mode="after")
    def _one_way(self) -> Withdrawal:
        if self.probability is not None and self.hazard_per_year is not None:
            raise ValueError("give probability or hazard_per_year, not both")
        return self


class Background(Section):
    """Requests from others (generation and large loads alike) joining the same queue,
    kept as a few numbers per request."""

    per_year: float = Field(ge=0, le=100_000, description="mean requests per year (Poisson)")
    mw: distribution("power") = Field(description="size of one request")


class Queue(Section):
    """One region's interconnection queue: studies, withdrawals, network upgrades."""

    ordering: Literal["fcfs", "cluster"] = Field(
        "cluster",
        description="fcfs: one study at a time in order of request; cluster: requests "
        "in a window are studied together, one cluster after another",
    )
    studies_per_year: float | None = Field(
        None, gt=0, le=100_000, description="fcfs: study capacity in requests per year"
    )
    mw_per_year: float | None = Field(
        None, gt=0, le=1e7, description="fcfs: study capacity in MW of requests per year"
    )
    cadence: quantity("duration") = Field(
        "1 year", gt=0, description="cluster: a window closes this often"
    )
    study_time: Duration = Field("1 year", description="cluster: duration of a cluster study")
    upgrade_time: Duration = Field(
        **cited(
            "network upgrades after the study, drawn per surviving request",
            "Wood Mackenzie (Apr 2024): large power transformers 120-210 weeks",
        )
    )
    withdraw_in_study: Withdrawal = Withdrawal()
    withdraw_in_upgrade: Withdrawal = Withdrawal()
    background: Background | None = None

    @model_validator(mode="after")
    def _capacity(self) -> Queue:
        given = (self.studies_per_year is not None) + (self.mw_per_year is not None)
        if self.ordering == "fcfs" and given != 1:
            raise ValueError("fcfs needs one of studies_per_year or mw_per_year")
        if self.ordering == "cluster" and given:
            raise ValueError("cluster studies take cadence and study_time, not a capacity")
        return self


class Region(Section):
    name: Name
    queue: Queue | None = Field(
        None, description="interconnection queue; absent: sites keep their own schedules"
    )


class OutputStep(Section):
    date: Date = Field(description="from this date on")
    per_month: int = Field(ge=0, le=10**9, description="chips the vendor makes per month")


class Vendor(Section):
    """A chip's monthly output for the fleet, allocated across sites by a policy."""

    name: Name
    chip: Name = "h100-sxm"
    output: list[OutputStep] = Field(min_length=1)
    policy: Literal["pro-rata", "priority", "fixed-shares"] = Field(
        "pro-rata",
        description="pro-rata: to open orders; priority: higher site priority first, "
        "then earlier order; fixed-shares: by site share, what a site cannot use pro rata",
    )

    @model_validator(mode="after")
    def _dates_ascending(self) -> Vendor:
        dates = [step.date for step in self.output]
        if any(later <= earlier for earlier, later in pairwise(dates)):
            raise ValueError("output dates must be strictly ascending (one step per date)")
        return self


class Scale(Section):
    """One factor per site, drawn uniformly, multiplying every listed field."""

    low: float = Field(gt=0, le=1000)
    high: float = Field(gt=0, le=1000)
    paths: list[str] = Field(min_length=1, description="dotted paths of numbers or quantities")

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if self.high < self.low:
            raise ValueError("high must not be below low")
        return self


class Site(Section):
    name: Name
    region: Name
    scenario: str = Field(description="campus scenario file, relative to the fleet file")
    set: dict[str, Any] = Field(default_factory=dict, description="--set-style overrides")
    count: int = Field(
        1, strict=True, ge=1, le=MAX_SITES, description="copies (a template when > 1)"
    )
    shift: dict[str, Duration] = Field(
        default_factory=dict, description="dotted path of a date -> drawn shift per copy"
    )
    scale: Scale | None = None
    request_date: Date | None = Field(
        None,
        description="when the site files its interconnection request (default: start; from "
        f"{MAX_REQUEST_AGE_YEARS} years before the start to the fleet's end)",
    )
    priority: int = Field(
        0, strict=True, ge=-(10**6), le=10**6, description="for the priority policy"
    )
    share: float = Field(1.0, ge=0, le=10**6, description="weight under fixed-shares")
    committed: bool = Field(
        True,
        strict=True,
        description="a committed builder never leaves the queue; false: its requests "
        "withdraw as the region's background requests do (withdraw_in_study, "
        "withdraw_in_upgrade), and a withdrawn interconnect never delivers",
    )

    @model_validator(mode="after")
    def _fleet_clock(self) -> Site:
        """A site's ``start`` or ``horizon`` would put it on a clock of its own while the
        fleet's queues, vendors and time series keep the fleet's: one meaning per field."""
        paths = {
            "set": list(self.set),
            "shift": list(self.shift),
            "scale.paths": self.scale.paths if self.scale else [],
        }
        for where, written in paths.items():
            for path in written:
                if path.split(".")[0] in CLOCK_FIELDS:
                    raise ValueError(
                        f"site {self.name!r}: {where}: {path}: the fleet's start and horizon "
                        "are every site's clock; set them at the top of the fleet file"
                    )
        return self

    def copy_names(self) -> list[str]:
        """The names its copies run under: the site's own, or ``name-1 .. name-count``."""
        if self.count == 1:
            return [self.name]
        return [f"{self.name}-{copy}" for copy in range(1, self.count + 1)]


class FleetBudget(Budget):
    """The fleet's capex curve (a scenario's ``budget:``), split across its sites: each
    year's money goes to the sites by ``split``, and each site then spends its part as a
    one-campus budget (its own chip orders are replaced by the budget's)."""

    split: Literal["gpus", "share"] = Field(
        "gpus",
        description="gpus: in proportion to each site's planned GPUs of the budget's chip; "
        "share: in proportion to each site's share; a site of share 0 is never funded",
    )

    @field_validator("max_gpus")
    @classmethod
    def _no_fleet_cap(cls, value: int | None) -> None:
        if value is not None:
            raise ValueError("not for a fleet: each site stops at its own halls' GPUs")


class Fleet(Section):
    fleet: Name = Field(description="the fleet's name (this key marks a fleet file)")
    description: str = ""
    start: Date = Field(description="day 0 of every site")
    horizon: quantity("duration") = Field("5 years", gt=0, le=36525)
    cohort_end: Date | None = Field(
        None,
        description="queue statistics count the requests filed up to this date (default: "
        "the horizon); leave their fates time to be known, as LBNL's completion rate "
        "is that of the 2000-2018 cohort",
    )
    regions: list[Region] = Field(min_length=1)
    vendors: list[Vendor] = Field(default_factory=list)
    sites: list[Site] = Field(min_length=1)
    budget: FleetBudget | None = Field(
        None, description="a capex curve split across the sites and years (docs/fleet.md)"
    )

    @model_validator(mode="after")
    def _consistent(self) -> Fleet:
        regions = [r.name for r in self.regions]
        for names, what in (
            (regions, "region"),
            ([name for s in self.sites for name in s.copy_names()], "site (copies included)"),
            ([v.chip for v in self.vendors], "vendor chip"),
        ):
            if twice := sorted(n for n, times in Counter(names).items() if times > 1):
                raise ValueError(f"{what} names must be unique: {twice} repeated")
        if unknown := sorted({s.region for s in self.sites} - set(regions)):
            raise ValueError(f"sites name unknown region(s) {unknown}; known: {regions}")
        self._dates_on_the_clock()
        years = self.horizon / 365.25
        requests = 0.0
        for region in self.regions:
            background = region.queue and region.queue.background
            if background and background.per_year * years > MAX_BACKGROUND_REQUESTS:
                raise ValueError(
                    f"region {region.name!r}: about {background.per_year * years:.3g} "
                    f"background requests, more than {MAX_BACKGROUND_REQUESTS:,}"
                )
            requests += background.per_year * years if background else 0.0
        self._fits_in_memory(sum(site.count for site in self.sites), requests)
        return self

    @staticmethod
    def _fits_in_memory(sites: int, requests: float) -> None:
        """The fleet-wide cap: the sites and the background requests of every region
        together, at their measured memory, within :data:`MEMORY_LIMIT_BYTES`."""
        need = sites * BYTES_PER_SITE + requests * BYTES_PER_BACKGROUND_REQUEST
        if need > MEMORY_LIMIT_BYTES:
            raise ValueError(
                f"{sites:,} sites and about {requests:,.0f} background requests need about "
                f"{need / 2**30:.1f} GiB ({BYTES_PER_SITE / 1000:.0f} kB a site, "
                f"{BYTES_PER_BACKGROUND_REQUEST} B a request, measured), more than the "
                f"{MEMORY_LIMIT_BYTES / 2**30:.0f} GiB a fleet run may take; split the fleet "
                "or lower count or per_year (docs/limits.md)"
            )

    @property
    def end(self) -> dt.date:
        """The fleet's last day (start plus horizon, whole days)."""
        return self.start + dt.timedelta(days=self.horizon)

    def _dates_on_the_clock(self) -> None:
        """Dates that only mean something inside the fleet's run: a request filed, the
        cohort counted, the budget spent."""
        start, end = self.start, self.end
        earliest = start - dt.timedelta(days=round(MAX_REQUEST_AGE_YEARS * 365.25))
        for number, site in enumerate(self.sites):
            if site.request_date is not None and not earliest <= site.request_date <= end:
                raise ValueError(
                    f"sites.{number}.request_date: {site.request_date} is outside {earliest} "
                    f"to {end} (the fleet's end; at most {MAX_REQUEST_AGE_YEARS} years before "
                    "its start, the span of the queue data the model rests on)"
                )
        if self.cohort_end is not None and not start <= self.cohort_end <= end:
            raise ValueError(
                f"cohort_end: {self.cohort_end} is outside the fleet's run ({start} to {end})"
            )
        if self.budget is not None and (self.budget.to < start or self.budget.from_ > end):
            raise ValueError(
                f"budget: its window {self.budget.from_} to {self.budget.to} is outside the "
                f"fleet's run ({start} to {end})"
            )
