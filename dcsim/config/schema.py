"""The scenario: every field with its unit, default and the public figure behind it.

Quantities are written with units in the YAML (``"150 MW"``, ``"18 months"``,
``"11.7 MUSD/MW"``) and stored as floats in canonical units: MW, MWh, days, USD. Uncertain
durations and capacities may be distributions (see :mod:`dcsim.distributions`). The
``source`` text in ``json_schema_extra`` is what the config reference in ``docs/`` prints.

Every field has a domain that keeps a run well defined: numbers are finite, quantities lie
between 0 and the largest value of their kind, dates fall in the range of
:data:`~dcsim.config.fields.Date` (so that a run's dates, up to a century past its start,
stay within what pandas can represent), counts stay far from int64 overflow, and a
scenario whose random processes would generate more than :data:`MAX_EVENTS` events is
refused at load rather than left to run for hours.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from functools import cache
from typing import Annotated, Any, Literal

import networkx as nx
from pydantic import (
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from dcsim.config.build_modes import (
    BUILD_MODES,
    FALLBACKS,
    SHIPPED,
    TREND_REFERENCE,
    BuildMode,
    calibrated_project_risk,
    calibration_document,
    calibration_path,
    mode_durations,
)
from dcsim.config.catalog import ChipSpec, catalog_with, fleet_hour_value
from dcsim.config.fields import MAX_GPUS, Date, Money, Name, Power, Section, cited
from dcsim.config.generation import Technology, technology_defaults, technology_table
from dcsim.config.network import FUEL_NODE, power_graph
from dcsim.config.scaled_defaults import default_batches, default_installation_crews
from dcsim.distributions import Duration, quantity
from dcsim.units import DAYS_PER_YEAR

#: A hall's durations that its build mode supplies when the hall does not write them.
MODE_TIMES = ("shell_time", "fitout_time")

#: Most events a scenario's random processes may be expected to generate in one run.
MAX_EVENTS = 1_000_000


class ScheduleStep(Section):
    date: Date = Field(description="planned date from which the capacity is available")
    capacity: Power = Field(ge=0, description="firm capacity from this step on (not an increment)")
    delay: Duration = Field(
        "0 days",
        **cited(
            "slip of this step beyond its planned date; steps keep their order. 0 by "
            "default: a step arrives on the date written unless a slip is written too",
            "no public base rate of a dated utility step's slip was found, so none is "
            "assumed. For scale only: Bloom Energy's 2026 power report puts utility "
            "delivery about 1.5-2 years later than hyperscalers and colocation providers "
            "expect, a gap widening in Northern Virginia, the Bay Area and Atlanta (via "
            "build.inc, Jun 2026; secondary); "
            "LBNL's 'Queued Up' 5-year median is request-to-operation, not a step's slip",
        ),
    )


class CurtailmentWindow(Section):
    """A dated window during which the utility caps the interconnect (demand response)."""

    date: Date
    duration: Duration
    limit: Power = Field(ge=0, description="capacity available during the window")


class RandomCurtailments(Section):
    """Curtailment windows arriving at random (a Poisson process), e.g. summer peaks."""

    per_year: float = Field(gt=0, le=1000, description="expected windows per year")
    duration: Duration
    limit: Power = Field(ge=0, description="capacity available during a window")


class Interconnect(Section):
    """A utility connection whose firm capacity follows a dated schedule."""

    name: Name
    schedule: list[ScheduleStep] = Field(min_length=1)
    curtailments: list[CurtailmentWindow] = Field(default_factory=list)
    random_curtailments: RandomCurtailments | None = None

    @model_validator(mode="after")
    def _dates_ascending(self) -> Interconnect:
        dates = [step.date for step in self.schedule]
        if dates != sorted(dates):
            raise ValueError("schedule dates must be in ascending order")
        return self


_POWER = TypeAdapter(Power)
#: A stage count or GPUs per stage as the schema reads it (``"5"`` from a --set is 5).
_COUNT = TypeAdapter(Annotated[int, Field(ge=1, le=MAX_GPUS)])

#: Most identical units one generator may be made of (a count far from any real campus).
MAX_UNITS = 100_000


class PermitExemption(Section):
    """A temporary exemption: the generator may run at nameplate before its permit is
    granted, from ``start`` until ``expiry`` (e.g. the 364-day exemption for temporary
    turbines that xAI's Memphis site ran under before its permit: tri-statedefender.com,
    19 Dec 2025; secondary)."""

    start: Date | None = Field(None, description="first day units may run (default: the start)")
    expiry: Date = Field(description="day the exemption ends")
    at_expiry: Literal["stop", "cap"] = Field(
        "stop",
        description="stop: after expiry only what a granted permit allows runs (nothing "
        "before the grant); cap: the permitted capacity keeps running, granted or not",
    )

    @model_validator(mode="after")
    def _ordered(self) -> PermitExemption:
        if self.start is not None and self.expiry <= self.start:
            raise ValueError(f"expiry {self.expiry} is not after the start {self.start}")
        return self


class AirPermit(Section):
    """The air permit a generator needs before it may run, and how much it permits."""

    filed: Date | None = Field(None, description="day the application is filed (default: start)")
    time_to_permit: Duration = Field(
        {"dist": "triangular", "low": "3 months", "mode": "6 months", "high": "18 months"},
        **cited(
            "filing to grant",
            "Shelby County Health Department issued xAI's permit for 15 turbines (Solar "
            "SMT-130, up to 247 MW) on 2 July 2025 (tri-statedefender.com, 8 Jul 2025; "
            "TechCrunch summaries; secondary), about six months after an application of "
            "January 2025 (recalled, unverified); major-source (PSD) permits take 12-18 "
            "months (recalled, unverified); the triangle spans both",
        ),
    )
    capacity: Power | None = Field(
        None, gt=0, description="most the permit lets run at once (null: the generator's own)"
    )
    units: int | None = Field(
        None,
        ge=1,
        le=MAX_UNITS,
        description="permitted units, of the generator's `units` (instead of `capacity`; "
        "Shelby County permitted xAI 15 of the 35 turbines reported on site)",
    )
    exemption: PermitExemption | None = Field(None, description="null: nothing runs unpermitted")

    @model_validator(mode="after")
    def _one_limit(self) -> AirPermit:
        if self.capacity is not None and self.units is not None:
            raise ValueError("give the permitted capacity or the permitted units, not both")
        return self


class OnSiteGenerator(Section):
    """On-site generation (gas turbines, engines, fuel cells, batteries), as a bridge until
    the grid is ready or as prime power (``retire_when_grid_ready: false``)."""

    name: Name
    technology: Technology | None = Field(
        None,
        description="the kind of plant; its lead time, installation time, cost (per kW of "
        "capacity), fuel cost and emissions then default to its row of "
        "dcsim/data/generation.csv (fields given here still win); null: the defaults below",
    )
    capacity: Power = Field(gt=0)
    order_date: Date | None = Field(None, description="default: the scenario start")
    lead_time: Duration = Field(
        **cited(
            "order to delivery; required without a technology, whose row of "
            "dcsim/data/generation.csv supplies it otherwise",
            "dcsim/data/generation.csv, per technology: rented mobile turbines 2-4-8 weeks "
            "(assumption anchored on xAI Colossus), gas engines 12-18 months "
            "(sourcerockep.com 2026), aeroderivatives 1-2 years and large frames 3-7 years "
            "(industry summaries of OEM quotes, 2025-26); secondary",
        )
    )
    install_time: Duration = "0 days"
    cost: Money = Field("0 USD", description="capex of the generation plant")
    fuel_cost: quantity("money_per_energy") = Field("0 USD/MWh", description="fuel cost")
    emissions: quantity("mass_per_energy") = Field("0 t/MWh", description="t CO2 per MWh")
    availability: float = Field(
        1.0, gt=0, le=1, description="fraction of nameplate that can run (derating, spares)"
    )
    permit_limit: Power | None = Field(
        None,
        gt=0,
        description="most the air permit allows to run at once, with no permit process "
        "(null: no limit); `permit` models the process",
    )
    units: int = Field(
        1,
        ge=1,
        le=MAX_UNITS,
        description="identical units making up the capacity (a permit's "
        "`units` is a share of them)",
    )
    permit: AirPermit | None = Field(
        None, description="the air-permit process (null: already permitted, runs once built)"
    )
    retire_when_grid_ready: bool = Field(
        True,
        description="switch off for good once the grid alone carries the whole planned "
        "campus (a bridge); false: keep running as prime power",
    )

    @model_validator(mode="before")
    @classmethod
    def _technology_defaults(cls, data: object) -> object:
        """Fills the fields a named technology supplies and the file leaves out. An unknown
        technology is filled as the first known one, so that the one problem reported is
        the technology's, not also a missing lead time."""
        technology = data.get("technology") if isinstance(data, dict) else None
        if technology is None:
            return data
        if not isinstance(technology, str) or technology not in technology_table():
            technology = next(iter(technology_table()))
        try:
            capacity = _POWER.validate_python(data.get("capacity"))
        except ValidationError:
            capacity = None  # the capacity field reports it
        return {**technology_defaults(technology, capacity), **data}

    @model_validator(mode="after")
    def _permitted_units(self) -> OnSiteGenerator:
        if self.permit and self.permit.units and self.permit.units > self.units:
            raise ValueError(
                f"permit.units {self.permit.units} is more than the generator's {self.units} units"
            )
        return self


class Outages(Section):
    """Random forced outages of one piece of equipment while in service."""

    mtbf: quantity("duration") = Field(
        "190 years",
        gt=0,
        **cited(
            "mean time between failures",
            "CIGRE TB 642 (2015): ~0.5% major failures per transformer-year (recalled)",
        ),
    )
    mttr: Duration = Field(
        {"dist": "triangular", "low": "2 weeks", "mode": "4 weeks", "high": "12 weeks"},
        description="time to repair or swap in a spare (assumption)",
    )


class OutageWindow(Section):
    date: Date
    duration: Duration


class Equipment(Section):
    """A substation, transformer or switchgear line-up: a capacitated node of the graph."""

    name: Name
    kind: Literal["substation", "transformer", "switchgear"]
    capacity: Power = Field(gt=0)
    fed_by: list[Name] = Field(min_length=1, description="upstream sources or equipment")
    order_date: Date | None = Field(None, description="default: the scenario start")
    lead_time: Duration = Field(
        **cited(
            "order to delivery", "Wood Mackenzie (Apr 2024): large power transformers 120-210 weeks"
        )
    )
    install_time: Duration = Field(
        "0 days", description="delivery to in service: installation, testing, commissioning"
    )
    cost: Money = Field(
        "0 USD",
        description="capex, booked at delivery; 0 by default because a hall's all-in "
        "cost_per_mw already covers the site's electrical plant: set it for equipment "
        "bought on top (a utility-side substation, say)",
    )
    outages: Outages | None = Field(None, description="random outages (write {} for defaults)")
    forced_outages: list[OutageWindow] = Field(
        default_factory=list, description="dated outages, e.g. planned maintenance"
    )


class Stages(Section):
    """The hall's pods: each energizes as one unit once installed and powered."""

    count: int = Field(ge=1, le=10_000)
    gpus: int = Field(ge=1, le=MAX_GPUS, description="GPUs per stage")
    chip: Name = Field("h100-sxm", description="catalog name of the accelerator")


class Hall(Section):
    name: Name
    it_capacity: Power = Field(gt=0, description="IT load the hall is built for")
    pue: float = Field(
        1.08,
        ge=1.0,
        le=10.0,
        **cited("power usage effectiveness", "Meta 2024 Sustainability Report: 1.08 (2023)"),
    )
    fed_by: list[Name] = Field(min_length=1)
    construction_start: Date
    build_mode: BuildMode | None = Field(
        None,
        description="how the hall is built (conversion of an existing powered building, "
        "fast_track prefab, temporary structure, standard); sets shell_time and fitout_time "
        "when they are not written. Default: the scenario's build_mode",
    )
    shell_time: Duration | None = Field(
        None,
        **cited(
            "ground-breaking to weather-tight shell; default: the build mode's (from the "
            "scenario's calibration file, else the cited fallback of docs/calibration.md)",
            FALLBACKS["standard"]["source"],
        ),
    )
    fitout_time: Duration | None = Field(
        None,
        description="mechanical/electrical fit-out after the shell; default: the build mode's",
    )
    commissioning_time: Duration | None = Field(
        None,
        description="power-on to energized for each of this hall's stages (a hall with its "
        "own electrical plant or cooling may take longer than the rest); default: the "
        "scenario's energization.commissioning_time",
    )
    cost_per_mw: quantity("money_per_power") = Field(
        "11.7 MUSD/MW",
        **cited(
            "construction cost per MW of IT capacity; half booked at start, half at fit-out",
            "Cushman & Wakefield Data Center Development Cost Guide 2025: 11.7 MUSD/MW",
        ),
    )
    priority: int = Field(
        0,
        ge=-(10**6),
        le=10**6,
        description="higher energizes first under the hall-priority policy",
    )
    stages: Stages

    @property
    def planned_gpus(self) -> int:
        """GPUs in all of the hall's stages."""
        return self.stages.count * self.stages.gpus

    @property
    def facility_capacity_mw(self) -> float:
        """The facility load the hall is built for: IT capacity x PUE."""
        return self.it_capacity * self.pue


class ChipOrder(Section):
    chip: Name = "h100-sxm"
    count: int = Field(ge=1, le=MAX_GPUS)
    order_date: Date
    batches: int = Field(
        default_factory=lambda data: default_batches(data.get("count", 1)),
        ge=1,
        le=10_000,
        **cited(
            "the order ships in this many equal batches; default: one per 40,000 GPUs, "
            "rounded up (a 100,000-GPU order ships in 3, one of 550,000 in 14)",
            "485,000 Hopper GPUs delivered to the largest buyer (Microsoft) in 2024 "
            "(Omdia via the Financial Times, Dec 2024; secondary) over 12 months = 40,400 "
            "a month, rounded to 40,000",
            default_text="1 per 40,000 GPUs",
        ),
    )
    batch_interval: Duration = Field(
        "1 month",
        description="planned spacing of batches (monthly: an assumption, no public "
        "delivery calendar of one buyer's order found)",
    )
    lead_time: Duration = Field(
        **cited(
            "order (or batch slot) to delivery on site, drawn per batch",
            "Omdia Nov 2023: H100 servers 36-52 weeks; 8-12 weeks by Apr 2024",
        )
    )

    @model_validator(mode="after")
    def _batches_fit(self) -> ChipOrder:
        if self.batches > self.count:
            raise ValueError("batches must not exceed count")
        return self


class Installation(Section):
    crews: int | None = Field(
        None,
        ge=1,
        le=10**6,
        **cited(
            "installation crews; not written: 3 per 100,000 planned GPUs of the scenario, "
            "rounded up (1 up to 33,333 GPUs, 17 for 550,000); null = unlimited",
            "xAI Colossus: 100,000 H100 racked within about 4 months (122 days, xAI / "
            "NVIDIA, Sep 2024; secondary): 100,000 / 1,000 x 4 crew-days / 122 days = 3.3 "
            "crews at time_per_1000_gpus; kept in proportion to the campus's GPUs "
            "(dcsim/config/scaled_defaults.py says why)",
            default_text="3 per 100,000 GPUs",
        ),
    )
    time_per_1000_gpus: Duration = Field(
        "4 days",
        **cited(
            "rack, cable and test 1,000 GPUs with one crew",
            "assumption scaled from xAI Colossus: 100k H100 racked within ~4 months",
        ),
    )
    burn_in: Duration = Field("7 days", description="burn-in after installation (assumption)")


class Construction(Section):
    crews: int | None = Field(
        None, ge=1, le=10**6, description="construction crews; null = unlimited"
    )


class Energization(Section):
    policy: Literal["fifo", "largest-first", "hall-priority"] = "fifo"
    n_minus_1: bool = Field(
        False, description="every stage must survive losing any one piece of equipment"
    )
    commissioning_time: Duration = Field("5 days", description="power-on to energized (assumption)")


class GpuFailures(Section):
    """GPU failures while energized; absent from a scenario means no failures."""

    mtbf_per_gpu: quantity("duration") = Field(
        "86300 hours",
        gt=0,
        **cited(
            "mean time between GPU-related failures of one GPU in service",
            "Llama 3 paper (2024): 246 GPU-related interruptions (58.7% of 419) in 54 days "
            "on 16,384 H100 = 21.23 M GPU-hours / 246",
        ),
    )
    repair_time: Duration = Field(
        "3 days", description="failure to back in service (swap or repair; assumption)"
    )
    burn_in_failure_fraction: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="share of GPUs that fail during burn-in (infant mortality) and are "
        "swapped before joining their stage; 0 by default, no public figure",
    )


class Economics(Section):
    grid_emissions: quantity("mass_per_energy") = Field(
        "0.367 t/MWh",
        **cited(
            "CO2 per MWh taken from the grid",
            "EIA: US generation averaged ~0.81 lb CO2/kWh in 2023 (recalled; treat as approximate)",
        ),
    )
    electricity_price: quantity("money_per_energy") = Field(
        "77.9 USD/MWh",
        **cited(
            "grid electricity price",
            "EIA Electric Power Monthly Table 5.6.B: PA industrial, 2024 Jan-Jul",
        ),
    )
    utilization: float = Field(
        1.0,
        gt=0,
        le=1,
        **cited(
            "energized IT draw as a fraction of full server power",
            "NVIDIA DGX SuperPOD guide: DGX H100 runs at or near peak in AI training",
        ),
    )
    cost_of_capital: float = Field(
        0.08,
        ge=0,
        le=1,
        **cited(
            "yearly carrying cost of capital tied up in dark hardware, as a fraction per year "
            "(used by `dcsim optimize`: stranded_capex_usd_years x this)",
            "Damodaran, NYU Stern cost-of-capital-by-industry dataset (Jan 2024): US "
            "software/computer-services WACC around 8-9% (recalled, unverified)",
        ),
    )
    crew_usd_per_month: float = Field(
        0.0,
        ge=0,
        le=1e9,
        description="what one installation crew costs per month on site, in USD (used by "
        "`dcsim optimize`: crews are hired from the first installation to the last). 0 by "
        "default, crews unpriced: no public figure is cited; set your contractor's rate",
    )
    value_per_gpu_hour: float | None = Field(
        None,
        ge=0,
        le=1e6,
        **cited(
            "what one GPU-hour of compute is worth, in USD (used by `dcsim optimize` to price "
            "GPU-days not delivered); empty: each chip's catalog value, weighted by the "
            "planned GPUs (2.49 for an H100 SXM campus)",
            "Lambda on-demand H100 SXM list price, 2.49 USD per GPU-hour (2024-25); AWS "
            "p5.48xlarge lists 98.32 USD/h for 8 H100 = 12.29 (Next Platform, Jul 2023); "
            "other chips: dcsim/data/chips.csv",
        ),
    )


class FuelStep(Section):
    date: Date = Field(description="day the larger delivery starts (a lateral in service)")
    capacity: Power = Field(gt=0, description="MW-equivalent from this day on")


class FuelLimit(Section):
    """Fuel delivery (a pipeline lateral, trucked gas or diesel) as the MW of electric
    output it can sustain, shared by every fuelled on-site generator (not batteries): a
    fuel node feeding them in the power graph, so max flow decides which burn it. No
    default: public laterals to data centers span about 0.4 to 1.8 GW, each sized to its
    plant (docs/model.md, "No default fuel limit")."""

    capacity: Power = Field(gt=0, description="MW-equivalent from the start")
    expansions: list[FuelStep] = Field(
        default_factory=list, description="later, larger deliveries, in date order"
    )

    @model_validator(mode="after")
    def _ascending(self) -> FuelLimit:
        dates = [step.date for step in self.expansions]
        if dates != sorted(dates):
            raise ValueError("expansion dates must be in ascending order")
        return self


class Grid(Section):
    interconnects: list[Interconnect] = Field(default_factory=list)
    generators: list[OnSiteGenerator] = Field(default_factory=list)
    fuel_limit: FuelLimit | None = Field(
        None, description="fuel delivery that caps on-site generation (null: unlimited)"
    )

    def fuelled(self) -> list[str]:
        """The generators that burn fuel (every technology but a battery)."""
        return [g.name for g in self.generators if g.technology != "battery"]


def _p10(duration: Any) -> float:
    """The duration that nine draws in ten exceed (draws are clipped at 0, so is this); at
    least the lower bound of a bounded distribution, so a check on it covers the bound."""
    return max(0.0, float(duration.frozen().ppf(0.1)))


def _written_gpus(halls: object) -> int | None:
    """The GPUs a file's halls plan (stage count x GPUs per stage), or None when any of them
    is not a plain positive count (the field's own check then reports it)."""
    if not isinstance(halls, list):
        return None
    total = 0
    for hall in halls:
        stages = hall.get("stages") if isinstance(hall, dict) else None
        if not isinstance(stages, dict):
            return None
        try:
            count, gpus = (_COUNT.validate_python(stages.get(key)) for key in ("count", "gpus"))
        except ValidationError:
            return None
        total += count * gpus
    return total


class _Topology:
    """A scenario's power graph, derived from its fields: two scenarios with equal fields
    have equal graphs, so equality compares structure, not identity."""

    __slots__ = ("graph",)

    def __init__(self, graph: nx.DiGraph):
        self.graph = graph

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Topology) and nx.utils.graphs_equal(self.graph, other.graph)

    __hash__ = None  # type: ignore[assignment]


class ProjectShock(Section):
    """A risk shared by the whole project: when it strikes, construction stops on every hall
    of the campus at once for its duration (a redesign, a permit or legal challenge, a
    financing pause, a labour shortage). One draw per shock per run, so every hall moves
    together; see the model doc's "Project risk" section for suggested values."""

    kind: Literal[
        "redesign_pause", "permit_challenge", "financing_pause", "labour_shortage", "project_pause"
    ] = Field(
        description="what stops the project; `project_pause` is a stop whose cause the data "
        "does not tell (the one `dcsim calibrate` fits)"
    )
    probability: float = Field(
        ge=0,
        le=1,
        description="chance the shock strikes this project at all (no default: no public "
        "base rate; docs/model.md, Project risk, gives the facts found and suggested values)",
    )
    duration: Duration = Field(description="how long construction stops when it strikes")
    window: Duration = Field(
        "0 days",
        description="when it strikes, in days after the campus's first ground-breaking "
        "(a distribution: e.g. uniform over the shell phase)",
    )
    strikes_on: Date | None = Field(
        None,
        description="a dated stop: it strikes on this day instead of `window` after the "
        "first ground-breaking (a fleet's shared shocks arrive at each site this way)",
    )

    def strikes(self, u: float, days: float) -> bool:
        """Whether a draw ``u`` (uniform on [0, 1)) and a drawn length ``days`` make a stop:
        ``u`` below the probability, and a stop of some length."""
        return u < self.probability and days > 0


class Scenario(Section):
    name: Name
    description: str = ""
    start: Date = Field(description="day 0 of the simulation")
    horizon: quantity("duration") = Field(
        "5 years",
        gt=0,
        le=36525,
        description="simulated time; at most a century, so that every date of a run is one "
        "pandas can represent",
    )
    chips: dict[Name, ChipSpec] = Field(
        default_factory=dict, description="extra or overriding catalog entries"
    )
    grid: Grid
    equipment: list[Equipment] = Field(default_factory=list)
    build_mode: BuildMode = Field(
        "standard",
        description="the campus's build mode: every hall's unless the hall names its own",
    )
    calibration: str | None = Field(
        SHIPPED,
        description="calibration file (from `dcsim calibrate`, relative to this file) whose "
        "fitted build-mode durations fill halls that do not write theirs; 'dcsim' (the "
        "default) names the one the package ships, fitted on dcsim/data/sites.csv; null: "
        "the uncalibrated fallbacks of docs/calibration.md",
    )
    halls: list[Hall] = Field(min_length=1)
    chip_orders: list[ChipOrder] = Field(min_length=1)
    chip_supply: dict[Name, Annotated[quantity("count_per_duration"), Field(gt=0)]] = Field(
        default_factory=dict,
        description="vendor cap on deliveries per chip type, e.g. '50000 / month'",
    )
    installation: Installation = Installation()
    construction: Construction = Construction()
    energization: Energization = Energization()
    economics: Economics = Economics()
    gpu_failures: GpuFailures | None = Field(
        None, description="GPU failures while energized (write {} for the Llama 3 rate)"
    )
    project_risk: list[ProjectShock] = Field(
        default_factory=list,
        max_length=100,
        description="shocks shared by every hall of the campus (unwritten: the calibration "
        "file's fitted shocks when the scenario writes a `calibration` key or a hall takes its "
        "durations from one; none otherwise; `[]`: none)",
    )

    _topology: _Topology = PrivateAttr()

    @field_validator("calibration")
    @classmethod
    def _readable_calibration(cls, name: str | None) -> str | None:
        """A calibration file this dcsim reads, whose fitted shocks are shocks: a bad one is
        reported here, naming the file, not at the scenario's ``project_risk``, which the
        scenario did not write."""
        if name is not None:
            calibration_document(name)  # raises ValueError naming the file and the fault
            _calibrated_shocks(name)
        return name

    @model_validator(mode="before")
    @classmethod
    def _mode_durations(cls, data: object) -> object:
        """Halls that do not write their shell or fit-out time get their build mode's; a
        time written as null (``shell_time:``) is one not written, not a hall that takes
        no time to build. A scenario that writes no ``project_risk`` gets the shocks its
        calibration file fitted (``project_risk: []`` turns them off) when it names that file
        (writes the ``calibration`` key) or when a hall takes that file's durations: the
        durations were fitted together with the stop, and without it their band is the one
        the backtest did not check. A scenario whose halls all write their durations and
        which names no calibration is the planner's own estimate and takes no stop."""
        if not isinstance(data, dict) or not isinstance(data.get("halls"), list):
            return data
        campus_mode = data.get("build_mode", "standard")
        calibration = data.get("calibration", SHIPPED)
        takes_calibration = isinstance(data.get("calibration"), str)
        halls = []
        for hall in data["halls"]:
            if isinstance(hall, dict):
                hall = {k: v for k, v in hall.items() if not (k in MODE_TIMES and v is None)}
            if isinstance(hall, dict) and not set(MODE_TIMES) <= set(hall):
                mode = hall.get("build_mode") or campus_mode
                if mode in BUILD_MODES and (calibration is None or isinstance(calibration, str)):
                    # A bad calibration file is reported with its field path (below).
                    with contextlib.suppress(ValueError):
                        start = _lenient_date(hall.get("construction_start"), data.get("start"))
                        hall = {**mode_durations(mode, calibration, start), **hall}
                        takes_calibration |= calibration is not None
            halls.append(hall)
        if takes_calibration and data.get("project_risk") is None:
            # Shocks unwritten (or null): the calibration's fitted ones. A bad calibration
            # file, or a bad shock in it, is reported once, at `calibration` (above).
            with contextlib.suppress(ValueError):
                data = {**data, "project_risk": list(_calibrated_shocks(calibration))}
        return {**data, "halls": halls}

    @model_validator(mode="before")
    @classmethod
    def _installation_crews(cls, data: object) -> object:
        """A file that does not write ``installation.crews`` gets crews sized to its planned
        GPUs (:func:`~dcsim.config.scaled_defaults.default_installation_crews`); one that
        writes ``crews: null`` keeps unlimited crews. Halls that fail validation are
        reported by their own fields, so their GPUs are not counted here."""
        if not isinstance(data, dict):
            return data
        installation = data.get("installation", {})
        if not isinstance(installation, dict) or "crews" in installation:
            return data
        planned = _written_gpus(data.get("halls"))
        if planned is None:
            return data
        crews = default_installation_crews(planned)
        return {**data, "installation": {**installation, "crews": crews}}

    def gpu_hour_value(self) -> float:
        """What one GPU-hour is worth in USD: ``economics.value_per_gpu_hour`` if set,
        otherwise each planned chip's catalog value weighted by its GPUs."""
        if self.economics.value_per_gpu_hour is not None:
            return self.economics.value_per_gpu_hour
        planned: dict[str, int] = {}
        for hall in self.halls:
            planned[hall.stages.chip] = planned.get(hall.stages.chip, 0) + hall.planned_gpus
        return fleet_hour_value(planned, catalog_with(self.chips))

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        chips = catalog_with(self.chips)
        used = {hall.stages.chip for hall in self.halls} | {o.chip for o in self.chip_orders}
        unknown = sorted(used - set(chips))
        if unknown:
            raise ValueError(f"unknown chip(s) {unknown}; known: {sorted(chips)}")
        for hall in self.halls:
            need_kw = hall.planned_gpus * chips[hall.stages.chip].it_kw
            if need_kw > hall.it_capacity * 1000 + 1e-6:
                raise ValueError(
                    f"hall {hall.name!r}: {hall.stages.count} stages of {hall.stages.gpus} "
                    f"{hall.stages.chip} need {need_kw / 1000:.2f} MW of IT capacity, "
                    f"the hall has {hall.it_capacity:g} MW"
                )
        self._check_permits()
        self._topology = _Topology(self._build_power_graph())
        return self

    def _check_permits(self) -> None:
        """A permit that nine runs in ten cannot grant within the horizon (its time to
        permit's P10 ends past it) describes nothing a run can show; an exemption that ends
        before the run starts is a misdated file."""
        for number, generator in enumerate(self.grid.generators):
            permit, where = generator.permit, f"grid.generators.{number}.permit"
            if permit is None:
                continue
            filed = self.day(permit.filed or self.start)
            p10 = _p10(permit.time_to_permit)
            if filed + p10 > self.horizon:
                raise ValueError(
                    f"{where}.time_to_permit: granted {p10:.0f} days or more after filing on "
                    f"day {filed:g} in nine runs of ten (P10), past the {self.horizon:g}-day "
                    "horizon"
                )
            exemption = permit.exemption
            if exemption is not None and exemption.expiry <= (exemption.start or self.start):
                raise ValueError(
                    f"{where}.exemption.expiry: {exemption.expiry} is not after the "
                    f"exemption's start {exemption.start or self.start}"
                )

    def power_graph(self) -> nx.DiGraph:
        """The power topology: sources, equipment (with its rating) and halls, fed as
        ``fed_by`` says. Built and checked once, when the scenario is validated, and shared
        by every run of it: read it, never change it."""
        return self._topology.graph

    def _build_power_graph(self) -> nx.DiGraph:
        nodes = [(ic.name, {"kind": "interconnect"}) for ic in self.grid.interconnects]
        nodes += [(gen.name, {"kind": "generator"}) for gen in self.grid.generators]
        nodes += [(eq.name, {"kind": eq.kind, "capacity_mw": eq.capacity}) for eq in self.equipment]
        nodes += [(hall.name, {"kind": "hall"}) for hall in self.halls]
        feeds = [(up, item.name) for item in (*self.equipment, *self.halls) for up in item.fed_by]
        if self.grid.fuel_limit is not None and (burners := self.grid.fuelled()):
            # The fuel delivery is a node feeding every fuelled generator: what they run
            # together is decided by max flow, like every other power.
            nodes.append((FUEL_NODE, {"kind": "fuel"}))
            feeds += [(FUEL_NODE, name) for name in burners]
        return power_graph(nodes, feeds)

    @model_validator(mode="after")
    def _bounded_work(self) -> Scenario:
        """A rate plausible in one unit and absurd in another (``mtbf_per_gpu: 1 second``,
        ``per_year: 1000`` over a century) would make a run take hours and fill memory;
        the expectation is cheap, so such a scenario is refused here, naming the field."""
        problems = [
            f"{field}: about {count:.3g} events expected over the horizon, more than the "
            f"{MAX_EVENTS:,} a run allows; lower the rate or shorten the horizon"
            for field, count in self.expected_events().items()
            if count > MAX_EVENTS
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def expected_events(self) -> dict[str, float]:
        """Expected events per random process over the horizon, keyed by the field that
        sets the rate (two events per failure or window: its start and its end)."""
        horizon = self.horizon
        counts: dict[str, float] = {}
        if self.gpu_failures is not None:
            gpus = sum(hall.planned_gpus for hall in self.halls)
            counts["gpu_failures.mtbf_per_gpu"] = (
                2 * gpus * horizon / self.gpu_failures.mtbf_per_gpu
            )
        for i, equipment in enumerate(self.equipment):
            if equipment.outages is not None:
                counts[f"equipment.{i}.outages.mtbf"] = 2 * horizon / equipment.outages.mtbf
        for i, interconnect in enumerate(self.grid.interconnects):
            if interconnect.random_curtailments is not None:
                per_year = interconnect.random_curtailments.per_year
                field = f"grid.interconnects.{i}.random_curtailments.per_year"
                counts[field] = 2 * per_year * horizon / DAYS_PER_YEAR
        return counts

    def day(self, date: dt.date | None) -> float:
        """Days from the scenario start to ``date`` (negative if before; None is day 0)."""
        return 0.0 if date is None else float((date - self.start).days)


@cache
def _calibrated_shocks(name: str) -> tuple[dict[str, Any], ...]:
    """The shocks a calibration file fitted, each checked as a ``ProjectShock`` (once per
    file: both of the scenario's validators ask); a bad one is a ``ValueError`` naming the
    file and the shock's key."""
    shocks = tuple(calibrated_project_risk(name))
    for index, shock in enumerate(shocks):
        try:
            ProjectShock.model_validate(shock)
        except ValidationError as error:
            fault = error.errors()[0]
            where = ".".join(str(part) for part in fault["loc"])
            raise ValueError(
                f"{calibration_path(name)}: project_risk.{index}.{where}: {fault['msg']}"
            ) from None
    return shocks


_DATE = TypeAdapter(dt.date)


def _lenient_date(*values: object) -> dt.date:
    """The first of ``values`` that reads as a date (a hall's construction start, then the
    scenario's start), for picking a calibrated duration before validation; one that does
    not read is refused by its own field, so the trend's reference date stands in."""
    for value in values:
        with contextlib.suppress(ValueError):
            return _DATE.validate_python(value)
    return TREND_REFERENCE
