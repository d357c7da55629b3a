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
from dcsim.config.fields import Date, Name, Power, Section, cited
from dcsim.config.schema import ProjectShock
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


class BySize(Section):
    """Withdrawal that depends on a request's size, so that completion by capacity and by
    count differ as in public queue data: the chance of staying through the stage is
    ``(1 - probability) * (MW / reference) ** -exponent`` (at most 1), and a hazard is
    ``hazard_per_year * (MW / reference) ** exponent``. A positive exponent: larger requests
    withdraw more."""

    reference: Power = Field(gt=0, description="size at which the stage's figure holds")
    exponent: float = Field(ge=-5, le=5, description="0: withdrawal independent of size")


class Withdrawal(Section):
    """How requests leave the queue during one stage: with a ``probability`` at the end of
    the stage, or at a constant ``hazard_per_year`` while in it (neither: never)."""

    probability: float | None = Field(None, ge=0, le=1)
    hazard_per_year: float | None = Field(None, ge=0, le=100)
    by_size: BySize | None = Field(None, description="scale the withdrawal with the MW")

    @model_validator(mode="after")
    def _one_way(self) -> Withdrawal:
        if self.probability is not None and self.hazard_per_year is not None:
            raise ValueError("give probability or hazard_per_year, not both")
        if self.by_size is not None and self.probability is None and self.hazard_per_year is None:
            raise ValueError("by_size scales a probability or a hazard_per_year: give one")
        return self


class RequestType(Section):
    """A kind of background request (solar, gas, battery, a data center, ...) with its own
    share, size and withdrawal; what it leaves out is the background's or the queue's."""

    name: Name
    share: float = Field(gt=0, le=1, description="share of the background requests")
    mw: distribution("power") | None = Field(None, description="default: the background's")
    withdraw_in_study: Withdrawal | None = Field(None, description="default: the queue's")
    withdraw_in_upgrade: Withdrawal | None = Field(None, description="default: the queue's")


class Background(Section):
    """Requests from others (generation and large loads alike) joining the same queue,
    kept as a few numbers per request."""

    per_year: float = Field(ge=0, le=100_000, description="mean requests per year (Poisson)")
    mw: distribution("power") = Field(description="size of one request")
    types: list[RequestType] = Field(
        default_factory=list,
        description="kinds of request, each drawn with its share (shares add up to 1); "
        "none: one kind with the queue's withdrawal",
    )

    @model_validator(mode="after")
    def _shares(self) -> Background:
        names = [t.name for t in self.types]
        if twice := sorted({n for n in names if names.count(n) > 1}):
            raise ValueError(f"type names must be unique: {twice} repeated")
        if self.types and abs(sum(t.share for t in self.types) - 1) > 1e-9:
            raise ValueError(f"type shares add up to {sum(t.share for t in self.types):g}, not 1")
        return self


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


class Duplicates(Section):
    """Speculative requests: a share of background projects each file several requests
    (with other utilities or sites) for one load; once one of them connects, the others
    withdraw."""

    share: float = Field(ge=0, le=1, description="share of background projects that do")
    copies: int = Field(ge=2, le=100, description="requests each such project files")


class HeadroomStep(Section):
    date: Date = Field(description="when a regional upgrade (a line, a substation) is done")
    added: Power = Field(description="spare capacity it adds for new large loads")


class LargeLoad(Section):
    """A utility's large-load interconnection process, separate from the generation queue:
    each request is studied on its own (months), then energized in tranches: the first
    part at once where the region has headroom, the rest once its own upgrades are built.
    Regional upgrades add headroom on their dates."""

    study_time: Duration = Field(
        {"dist": "triangular", "low": "3 months", "mode": "6 months", "high": "12 months"},
        **cited(
            "load study of one request, drawn per request (studies run side by side)",
            "assumption: months, not the generation queue's year (ERCOT and utility "
            "large-load processes; no study-time figure read)",
        ),
    )
    headroom: Power = Field(
        "0 MW", description="spare capacity for new large loads at the start (fast path)"
    )
    headroom_growth: list[HeadroomStep] = Field(
        default_factory=list,
        **cited(
            "regional upgrades adding headroom, in date order",
            "e.g. Dominion's two new 500-kV lines added about 6 GW (Q4 2024 call, RTO "
            "Insider; facts.csv dominion_dc_connected_gw)",
        ),
    )
    first_tranche: float = Field(
        1.0,
        ge=0,
        le=1,
        description="share of a request energized once studied, as far as headroom "
        "allows; the rest (and what headroom could not cover) waits for its upgrades",
    )
    upgrade_time: Duration = Field(
        {"dist": "triangular", "low": "3 years", "mode": "3.5 years", "high": "7 years"},
        **cited(
            "upgrades a request needs beyond the headroom, drawn per request",
            "Dominion to large customers (Axios Pro, Sep 2024): 3-4 years typical, up to 7 "
            "(facts.csv dominion_large_load_connection_years_*)",
        ),
    )
    withdraw_in_study: Withdrawal = Withdrawal()
    duplicates: Duplicates | None = None
    background: Background | None = None

    @model_validator(mode="after")
    def _growth_in_order(self) -> LargeLoad:
        dates = [step.date for step in self.headroom_growth]
        if dates != sorted(dates):
            raise ValueError("headroom_growth dates must be in ascending order")
        types = self.background.types if self.background else []
        if upgrading := [t.name for t in types if t.withdraw_in_upgrade is not None]:
            raise ValueError(
                f"background.types {upgrading}: large-load requests withdraw only in study "
                "(or as duplicates), not in upgrades"
            )
        return self


class Brownfield(Section):
    """Existing powered shells in a region: buildings with grid power on hand that the
    region's sites draw on first, a whole hall at a time (docs/fleet.md)."""

    mw: Power = Field(description="facility load the shells can carry (IT x PUE)")
    available: Date | None = Field(None, description="from when (default: the fleet start)")
    retrofit_time: Duration | None = Field(
        None,
        description="fitting out a hall in an existing shell, in place of its shell and "
        "fit-out; default: the `conversion` build mode's (no shell time; the fit-out from "
        "the site's calibration file, e.g. `calibration: dcsim`, the one fitted on the "
        "real-site dataset, else the mode's cited fallback; docs/calibration.md)",
    )


class Region(Section):
    name: Name
    queue: Queue | None = Field(
        None, description="interconnection queue; absent: sites keep their own schedules"
    )
    large_load: LargeLoad | None = Field(
        None,
        description="a large-load interconnection process for the region's sites instead "
        "of the generation queue (docs/fleet.md)",
    )
    brownfield: Brownfield | None = Field(
        None, description="existing powered shells the region's sites draw on first"
    )

    @model_validator(mode="after")
    def _one_process(self) -> Region:
        if self.queue is not None and self.large_load is not None:
            raise ValueError("give queue or large_load, not both: sites connect through one")
        return self


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


class QueueState(Section):
    """Where a site's interconnection request stands at the fleet start, with its history:
    still in ``study`` (it keeps its place by ``filed``), or studied on ``study_complete``
    and waiting for its network ``upgrades``, which end on ``in_service`` plus a drawn
    ``slip`` (without ``in_service``: ``study_complete`` plus the queue's upgrade time)."""

    stage: Literal["study", "upgrades"]
    filed: Date = Field(description="when the request was filed (on or before the fleet start)")
    study_complete: Date | None = Field(None, description="when its study ended (upgrades)")
    in_service: Date | None = Field(None, description="expected in-service date (upgrades)")
    slip: Duration = Field("0 days", description="drawn delay beyond in_service")

    @model_validator(mode="after")
    def _consistent(self) -> QueueState:
        if self.stage == "study" and (self.study_complete or self.in_service):
            raise ValueError(
                "stage study contradicts study_complete and in_service (its study is not done)"
            )
        if self.stage == "upgrades" and self.study_complete is None:
            raise ValueError("stage upgrades needs study_complete (when its study ended)")
        if self.study_complete and self.study_complete < self.filed:
            raise ValueError(f"study_complete {self.study_complete} before filed {self.filed}")
        if self.in_service and self.study_complete and self.in_service < self.study_complete:
            raise ValueError(
                f"in_service {self.in_service} before study_complete {self.study_complete}"
            )
        return self


class SharedShock(ProjectShock):
    """A project shock shared by every site of one owner: drawn once per run for the owner
    (whether, when, how long) and stopping construction on all its sites' halls at once."""

    owner: Name = Field(description="the owner whose sites it hits (a site's `owner`)")
    window: Duration = Field(
        "0 days",
        description="when it strikes, in whole days after the earliest ground-breaking of "
        "any of the owner's sites",
    )

    @model_validator(mode="after")
    def _not_dated_here(self) -> SharedShock:
        if self.strikes_on is not None:
            raise ValueError("strikes_on is for a campus's own shocks; give a window")
        return self


class Site(Section):
    name: Name
    region: Name
    owner: Name | None = Field(
        None, description="the company that builds it; its sites share its `shared_risk`"
    )
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
    queue_state: QueueState | None = Field(
        None,
        description="a request already in the region's queue at the start, entered where "
        "it stands (instead of request_date)",
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
    shared_risk: list[SharedShock] = Field(
        default_factory=list,
        max_length=100,
        description="project shocks shared by every site of one owner (docs/model.md, "
        "Project risk); empty: each site draws only its own",
    )

    def _check_entry(self, i: int, site: Site, region: Region) -> None:
        """A request entered where it stands must be in a queue, and its history before
        the start."""
        state, where = site.queue_state, f"sites.{i} ({site.name}): queue_state"
        if region.queue is None and region.large_load is None:
            raise ValueError(
                f"{where}: region {region.name!r} has no queue or large-load process to stand in"
            )
        if site.request_date is not None:
            raise ValueError(f"{where}: give request_date or queue_state.filed, not both")
        for field in ("filed", "study_complete"):
            date = getattr(state, field)
            if date is not None and date > self.start:
                raise ValueError(
                    f"{where}.{field}: {date} is after the fleet start {self.start}, "
                    f"which contradicts a request already at stage {state.stage}"
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
        owners = {s.owner for s in self.sites} - {None}
        if unknown := sorted({shock.owner for shock in self.shared_risk} - owners):
            raise ValueError(f"shared_risk names owner(s) {unknown} of no site")
        by_name = {r.name: r for r in self.regions}
        for i, site in enumerate(self.sites):
            if site.queue_state is not None:
                self._check_entry(i, site, by_name[site.region])
        self._dates_on_the_clock()
        years = self.horizon / 365.25
        requests = 0.0
        for region in self.regions:
            process = region.queue or region.large_load
            background = process and process.background
            copies = getattr(process, "duplicates", None)
            per_project = 1 + (copies.share * (copies.copies - 1) if copies else 0)
            expected = background.per_year * years * per_project if background else 0
            if expected > MAX_BACKGROUND_REQUESTS:
                raise ValueError(
                    f"region {region.name!r}: about {expected:.3g} "
                    f"background requests, more than {MAX_BACKGROUND_REQUESTS:,}"
                )
            requests += expected
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
