"""The experiment file: a base scenario, fixed overrides, a design and replications.

Validated like a scenario (pydantic, unknown keys rejected) so that a typo is one clear
line naming the file and the field, never a half-run sweep. Its size is checked too: the
number of points and runs is known from the design alone, and a design too large to plan
in memory is refused before any point is computed.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    model_validator,
)

from dcsim.constraints.builtin import BUILTIN
from dcsim.constraints.registry import kpi_columns
from dcsim.errors import UserInputError
from dcsim.kpis import KPIS as KPI_TABLE
from dcsim.rng import MAX_SEED

#: Numeric KPIs of a run (``dcsim.results.kpis``) besides its ``constraint_gpu_days`` rows.
RUN_KPIS = (
    "seed",
    "horizon_days",
    "gpus_planned",
    "days_to_full_cluster",
    "peak_facility_mw",
    "peak_it_mw",
    "peak_deliverable_mw",
    "gpus_ordered",
    "gpus_energized_final",
    "stranded_gpu_days",
    "stranded_capex_usd_years",
    "energy_mwh",
    "grid_energy_mwh",
    "electricity_cost_usd",
    "bridging_mwh",
    "bridging_fuel_cost_usd",
    "emissions_t_co2",
    "gpu_failures",
    "gpu_availability",
    "stage_hours_shed",
    "shed_mwh",
    "curtailed_mwh",
    "capex_usd",
    "capex_chips_usd",
    "capex_facility_usd",
    "capex_electrical_usd",
    "capex_generation_usd",
    "compute_gpu_days",
    "compute_flop",
)
#: Numeric KPIs of a run with the built-in constraint classes, nested ones dotted
#: (tests/test_hostile_input.py checks the list against a real run).
KNOWN_KPIS = (*RUN_KPIS, *kpi_columns(BUILTIN))


#: Calendar-date KPIs of a run, summarized as dates (P10/P50/P90) in a sweep's table.
DATE_KPIS = tuple(
    name for name, kpi in KPI_TABLE.items() if kpi.kind == "date" and name != "start_date"
)


#: Columns a sweep adds to each run's KPIs (:mod:`dcsim.runtime.worker`).
SWEEP_KPIS = ("h100_equivalents_energized",)


def known_kpis() -> tuple[str, ...]:
    """What an experiment's ``kpis`` may name: :data:`KNOWN_KPIS`, the date KPIs, the
    sweep's own columns and the rows of every registered plug-in constraint class."""
    return (*RUN_KPIS, *DATE_KPIS, *SWEEP_KPIS, *kpi_columns())


#: Most design points (each is a scenario held in memory) and most runs of one experiment.
MAX_POINTS = 10_000
MAX_RUNS = 1_000_000

#: The KPIs summarized (P10/P50/P90) and analyzed unless an experiment names others.
MAIN_KPIS = (
    "days_to_full_cluster",
    "stranded_capex_usd_years",
    "peak_facility_mw",
    "energy_mwh",
    "capex_usd",
)

DESIGN_TAGS = {"grid", "random", "lhs", "sobol", "tornado"}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _unit(text: str) -> str:
    """A unit expression pint knows, checked the way a quantity's text will be."""
    from dcsim.units import QUANTITY_TEXT, registry

    if not QUANTITY_TEXT.fullmatch(f"1 {text}"):
        raise ValueError(f"expected unit names joined by * and /, like 'weeks', got {text!r}")
    try:
        registry.Unit(text)
    except Exception:
        raise ValueError(f"unknown unit {text!r}") from None
    return text


class Parameter(Strict):
    """A numeric range ``{low, high, unit}`` or a list of ``values`` to choose from."""

    low: float | None = None
    high: float | None = None
    unit: Annotated[str, AfterValidator(_unit)] | None = Field(
        None, description="appended to sampled numbers, e.g. 'weeks'"
    )
    values: list[Any] | None = Field(None, min_length=1)

    @model_validator(mode="after")
    def _range_or_values(self) -> Parameter:
        if self.values is not None:
            if self.low is not None or self.high is not None or self.unit is not None:
                raise ValueError("give either values or low/high (with an optional unit)")
            return self
        if self.low is None or self.high is None:
            raise ValueError("give low and high (or a list of values)")
        if self.low >= self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        return self

    def pick(self, u: float) -> tuple[Any, Any]:
        """Map ``u`` in [0, 1) to (value written into the scenario, value for the column)."""
        if self.values is not None:
            value = self.values[min(int(u * len(self.values)), len(self.values) - 1)]
            return value, value
        assert self.low is not None and self.high is not None
        return self.at(self.low + u * (self.high - self.low))

    def at(self, number: float) -> tuple[Any, float]:
        number = float(number)  # a plain float: NumPy's repr would read "np.float64(...)"
        return (f"{number!r} {self.unit}" if self.unit else number), number


class GridDesign(Strict):
    """Every combination of the listed values (one point with no parameters)."""

    type: Literal["grid"] = "grid"
    parameters: dict[str, Annotated[list[Any], Field(min_length=1)]] = Field(default_factory=dict)


class SampledDesign(Strict):
    """``samples`` points drawn over the parameters: plain random, Latin hypercube, or a
    Sobol (Saltelli) design of ``samples`` base points times (parameters + 2)."""

    type: Literal["random", "lhs", "sobol"]
    samples: int = Field(ge=1, le=MAX_POINTS, description="points (sobol: base sample N)")
    parameters: dict[str, Parameter] = Field(min_length=1)


class RangeParameter(Parameter):
    @model_validator(mode="after")
    def _needs_range(self) -> RangeParameter:
        if self.values is not None:
            raise ValueError("tornado parameters need low and high, not values")
        return self


class TornadoDesign(Strict):
    """One-at-a-time: the base point, then each parameter at its low and at its high."""

    type: Literal["tornado"]
    parameters: dict[str, RangeParameter] = Field(min_length=1)


class NamedPoint(Strict):
    """One named scenario of a ``points`` design: a label and its overrides."""

    label: str = Field(min_length=1, max_length=64, pattern=r"^[^\n]+$")
    set: dict[str, Any] = Field(default_factory=dict, description="overrides by path")


class PointsDesign(Strict):
    """Named points (``on-time``, ``slip-9mo``), each a set of overrides; every table,
    legend and box plot calls a point by its label rather than by its values (a whole
    utility schedule written as JSON)."""

    type: Literal["points"]
    points: list[NamedPoint] = Field(min_length=1)

    @model_validator(mode="after")
    def _labels_differ(self) -> PointsDesign:
        labels = [point.label for point in self.points]
        if len(set(labels)) != len(labels):
            raise ValueError(f"point labels must differ, got {labels}")
        return self

    @property
    def parameters(self) -> dict[str, list[str]]:
        """The one column that tells the points apart: ``label``."""
        return {"label": [point.label for point in self.points]}


def _design_type(value: Any) -> str | None:
    """``type`` defaults to grid, so a file may list ``parameters`` alone."""
    if isinstance(value, dict):
        return value.get("type", "grid")
    return getattr(value, "type", None)


Design = Annotated[
    Annotated[GridDesign, Tag("grid")]
    | Annotated[SampledDesign, Tag("random")]
    | Annotated[SampledDesign, Tag("lhs")]
    | Annotated[SampledDesign, Tag("sobol")]
    | Annotated[TornadoDesign, Tag("tornado")]
    | Annotated[PointsDesign, Tag("points")],
    Discriminator(_design_type),
]


class Experiment(Strict):
    base: str = Field(description="scenario YAML, relative to the experiment file")
    description: str = ""
    set: dict[str, Any] = Field(default_factory=dict, description="fixed overrides by path")
    design: Design = Field(default_factory=GridDesign)
    replications: int = Field(1, ge=1, le=MAX_RUNS, description="runs per point, 0..n-1")
    seed: int = Field(0, ge=0, le=MAX_SEED, description="root seed shared by every point")
    kpis: list[Annotated[str, AfterValidator(_known_kpi)]] = Field(
        default_factory=lambda: list(MAIN_KPIS), min_length=1
    )

    @model_validator(mode="after")
    def _plannable(self) -> Experiment:
        points = design_points(self.design)
        if points > MAX_POINTS:
            raise ValueError(f"design: {points:,} points, more than the {MAX_POINTS:,} allowed")
        if points * self.replications > MAX_RUNS:
            raise ValueError(
                f"replications: {points:,} points x {self.replications:,} replications make "
                f"{points * self.replications:,} runs, more than the {MAX_RUNS:,} allowed"
            )
        return self


def _known_kpi(name: str) -> str:
    if name not in (known := known_kpis()):
        raise ValueError(f"unknown KPI {name!r}; known: {', '.join(known)}")
    return name


def design_points(design: GridDesign | SampledDesign | TornadoDesign | PointsDesign) -> int:
    """How many points ``design`` has, computed without listing them."""
    if isinstance(design, PointsDesign):
        return len(design.points)
    if isinstance(design, GridDesign):
        return math.prod(len(values) for values in design.parameters.values())
    if isinstance(design, TornadoDesign):
        return 1 + 2 * len(design.parameters)
    if design.type == "sobol":
        return sobol_base(design.samples) * (len(design.parameters) + 2)
    return design.samples


def sobol_base(samples: int) -> int:
    """Saltelli's estimators assume N = 2^m: the power of two at or above ``samples``."""
    return 1 << (samples - 1).bit_length()


def load_experiment(path: str | Path, replications: int | None = None) -> Experiment:
    """Read and validate an experiment file; ``base`` comes back as an absolute path."""
    from dcsim.config.loader import read_yaml

    path = Path(path)
    raw = read_yaml(path)
    if replications is not None:
        raw["replications"] = replications
    experiment = experiment_from_dict(raw, str(path))
    return experiment.model_copy(update={"base": str((path.parent / experiment.base).resolve())})


def experiment_from_dict(raw: dict[str, Any], origin: str) -> Experiment:
    try:
        return Experiment.model_validate(raw)
    except ValidationError as error:
        raise UserInputError(format_errors(error, origin)) from None


def format_errors(error: ValidationError, origin: str) -> list[str]:
    lines = []
    for item in error.errors(include_url=False):
        where = ".".join(str(p) for p in item["loc"] if p not in DESIGN_TAGS) or "(top level)"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown field (check the spelling; see docs/experiments.md)"
        elif item["type"] == "missing":
            message = "required field is missing"
        elif item["type"] == "union_tag_invalid":
            message = f"expected one of {', '.join(sorted(DESIGN_TAGS))}"
        lines.append(f"{origin}: {where}: {message}")
    return lines
