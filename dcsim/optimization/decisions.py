"""The decision file: a base scenario, the decisions to choose, constraints, an objective.

Validated like an experiment file (pydantic, unknown keys refused, one line per problem
naming the file and the field) so that a typo never costs a half-run study. The top-level
key ``decisions`` is what tells a decision file from an experiment (``base`` alone) and a
scenario (neither).

A decision is a dotted scenario path with either a range (numbers, quantities with a unit,
dates, optionally on a ``step`` grid) or a list of ``choices``. A range may carry ``scales``:
other fields set to the decision's value times a rate, so that a bigger turbine also costs
more (``grid.generators.0.cost: 1.2 MUSD/MW``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from dcsim.errors import UserInputError
from dcsim.rng import MAX_SEED
from dcsim.sweeps.experiment import KNOWN_KPIS, MAX_RUNS, Strict, format_errors

#: Dates a run reports (``dcsim.results.kpis``): constraints compare them with dates.
DATE_KPIS = ("full_cluster_date", "first_power_date", "date_50pct_gpus", "date_90pct_gpus")
#: What the optimizer computes per run on top of the KPIs (see :mod:`.objective`).
COST_KPIS = (
    "total_cost_usd",
    "carrying_cost_usd",
    "undelivered_compute_usd",
    "shortfall_gpu_days",
)
#: What an objective may name: a number per run.
OBJECTIVE_KPIS = (*COST_KPIS, *(k for k in KNOWN_KPIS if k != "seed"))
MAX_TRIALS = 100_000
STATISTIC = re.compile(r"^(mean|P(\d{1,2}(?:\.\d+)?)|CVaR(\d{1,2}(?:\.\d+)?))$")
CONSTRAINT = re.compile(r"^\s*(\S+)\s+(\S+)\s*(<=|>=)\s*(\S+)\s*$")


def _statistic(text: str) -> str:
    match = STATISTIC.fullmatch(text)
    if not match or not 0 < float(match.group(2) or match.group(3) or 50) < 100:
        raise ValueError(f"expected mean, Pnn (a quantile, e.g. P90) or CVaRnn, got {text!r}")
    return text


Statistic = Annotated[str, AfterValidator(_statistic)]


class Range(Strict):
    """``{low, high}``: numbers, quantities with a unit (``"20 MW"``) or dates."""

    low: int | float | dt.date | str
    high: int | float | dt.date | str
    step: int | float | str | None = Field(
        None, description="grid spacing, in the unit of low (dates: a duration)"
    )
    scales: dict[str, str] = Field(
        default_factory=dict, description="other paths set to this value x a rate"
    )

    @field_validator("low", "high", "step", mode="before")
    @classmethod
    def _one_kind(cls, value: Any) -> Any:
        """One line for a value of no kind a bound takes (pydantic would try each member
        of the union and report every failure, in its own type names)."""
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"expected a finite number, got {value}")
        if isinstance(value, bool) or not isinstance(value, int | float | dt.date | str | None):
            raise ValueError(
                f"expected a number, a quantity with a unit ('20 MW') or a date, got {value!r}"
            )
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        from dcsim.optimization.space import bounds

        bounds(self)  # raises ValueError naming what is wrong
        return self


class Choice(Strict):
    """``{choices: [...]}``: one of the listed values is written at the path."""

    choices: list[Any] = Field(min_length=1, max_length=10_000)


class Options(Strict):
    """``{options: {name: {path: value, ...}}}``: named bundles of overrides, for a decision
    that touches several fields at once (a spare transformer: a faster repair and its
    price). The decision's key is then a label, not a path."""

    options: dict[str, dict[str, Any]] = Field(min_length=1, max_length=10_000)


def _variable_type(value: Any) -> str:
    if isinstance(value, dict):
        return "options" if "options" in value else "choices" if "choices" in value else "range"
    return {Range: "range", Choice: "choices", Options: "options"}.get(type(value), "range")


Variable = Annotated[
    Annotated[Range, Tag("range")]
    | Annotated[Choice, Tag("choices")]
    | Annotated[Options, Tag("options")],
    Discriminator(_variable_type),
]


class Objective(Strict):
    kpi: Annotated[str, AfterValidator(lambda k: _known(k, OBJECTIVE_KPIS))] = "total_cost_usd"
    direction: Literal["minimize", "maximize"] = "minimize"
    statistic: Statistic = "mean"
    target_date: dt.date | None = Field(
        None,
        description="compute is owed from this date on (default: the scenario start); "
        "GPU-days short of the full cluster after it are priced at value_per_gpu_hour",
    )


class Constraint(Strict):
    statistic: Statistic
    kpi: str
    op: Literal["<=", ">="]
    bound: float | dt.date

    @classmethod
    def parse(cls, text: str) -> Constraint:
        """``"P90 full_cluster_date <= 2025-12-31"``: statistic, KPI, comparison, bound."""
        match = CONSTRAINT.fullmatch(text) if isinstance(text, str) else None
        if not match:
            raise ValueError(
                "expected 'STATISTIC KPI <= BOUND' (e.g. 'P90 full_cluster_date <= "
                f"2025-12-31'), got {text!r}"
            )
        statistic, kpi, op, raw = match.groups()
        _statistic(statistic)
        if kpi in DATE_KPIS:
            try:
                bound: float | dt.date = dt.date.fromisoformat(raw)
            except ValueError:
                raise ValueError(
                    f"{kpi} is a date: expected a bound like 2025-12-31, got {raw!r}"
                ) from None
        else:
            _known(kpi, (*OBJECTIVE_KPIS, *DATE_KPIS))
            try:
                bound = float(raw)
            except ValueError:
                raise ValueError(
                    f"{kpi} is a number: expected a numeric bound, got {raw!r}"
                ) from None
        return cls(statistic=statistic, kpi=kpi, op=op, bound=bound)

    def __str__(self) -> str:
        return f"{self.statistic} {self.kpi} {self.op} {self.bound}"


def _constraint(text: str) -> str:
    Constraint.parse(text)
    return text


class Reevaluate(Strict):
    replications: int = Field(32, ge=2, le=MAX_RUNS, description="fresh runs per candidate")
    top: int = Field(3, ge=1, le=100, description="best trials re-evaluated (and the base)")


class DecisionFile(Strict):
    base: str = Field(description="scenario YAML, relative to the decision file")
    description: str = ""
    set: dict[str, Any] = Field(default_factory=dict, description="fixed overrides by path")
    decisions: dict[str, Variable] = Field(min_length=1, max_length=64)
    constraints: list[Annotated[str, AfterValidator(_constraint)]] = Field(default_factory=list)
    objective: Objective = Field(default_factory=Objective)
    trials: int = Field(50, ge=1, le=MAX_TRIALS)
    replications: int = Field(8, ge=1, le=10_000, description="runs per trial, 0..R-1 (CRN)")
    seed: int = Field(0, ge=0, le=MAX_SEED, description="root seed shared by every trial")
    sampler: Literal["tpe", "random"] = "tpe"
    reevaluate: Reevaluate = Field(default_factory=Reevaluate)

    def parsed_constraints(self) -> list[Constraint]:
        return [Constraint.parse(text) for text in self.constraints]


def _known(name: str, known: tuple[str, ...]) -> str:
    if name not in known:
        raise ValueError(f"unknown KPI {name!r}; known: {', '.join(known)}")
    return name


def load_decisions(
    path: str | Path, trials: int | None = None, replications: int | None = None
) -> DecisionFile:
    """Read and validate a decision file; ``base`` comes back as an absolute path."""
    from dcsim.config.loader import read_yaml

    path = Path(path)
    raw = read_yaml(path)
    raw.update({k: v for k, v in (("trials", trials), ("replications", replications)) if v})
    return decisions_from_dict(raw, str(path), path.parent)


def decisions_from_dict(raw: dict[str, Any], origin: str, root: Path) -> DecisionFile:
    try:
        decisions = DecisionFile.model_validate(raw)
    except ValidationError as error:
        lines = format_errors(error, origin)
        raise UserInputError([_drop_variant(line) for line in lines]) from None
    return decisions.model_copy(update={"base": str((root / decisions.base).resolve())})


def _drop_variant(line: str) -> str:
    """pydantic names the union member it tried (``decisions.x.Range.low``); the user wrote
    neither: keep the path they wrote."""
    return re.sub(r"\.(range|choices|options)(?=[.:])", "", line, count=1).replace(
        "see docs/experiments.md", "see docs/optimize.md"
    )
