"""Budget-driven build-out: chip orders (and optionally hall starts) from a capex curve.

A scenario may replace hand-written ``chip_orders`` with a ``budget``: an annual capex
curve (fitted to a company's reported series, or given year by year) times an AI share,
spread evenly over the months of the budget window. Each month a fixed share of the money
is set aside for halls at their ``cost_per_mw`` and the rest buys GPUs at the catalog
price. :func:`expand_budget` compiles the section into plain ``chip_orders`` (and, with
``halls_from_budget``, hall ``construction_start`` dates) before the scenario is
validated, so the simulator itself never sees a budget.

Money is counted in exact cents (:class:`fractions.Fraction`), so rounding to whole GPUs
never loses or creates money: what a month cannot spend is carried into the next.

:func:`dcsim.growth.data.series_from_run` closes the loop: it turns a run's cumulative
capex back into an annual series that the growth fitter takes like any other
(``dcsim capex fit --from-run DIR``).
See ``docs/capex.md``, "Budget-driven build-out", for the equations.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dcsim.config.catalog import ChipSpec, catalog_with
from dcsim.config.fields import Money, Name, Power, Section
from dcsim.config.messages import format_validation_error
from dcsim.config.schema import Hall, Stages
from dcsim.distributions import Duration, quantity
from dcsim.errors import UserInputError
from dcsim.growth.data import MEASURES


class BudgetSource(Section):
    """Where the annual capex comes from: a company's fitted curve, or given amounts."""

    company: str | None = Field(
        None, description="fit this company's reported capex (shipped data, `dcsim capex`)"
    )
    measure: Literal[tuple(MEASURES)] = Field(  # type: ignore[valid-type]
        "purchases", description="shipped capex measure, as in `dcsim capex --measure`"
    )
    model: str = Field("auto", description="growth model(s) to fit, as in `dcsim capex --model`")
    until: int | None = Field(
        None,
        description="fit reported years up to this one; later years come from the fitted curve",
    )
    annual: dict[int, Annotated[Money, Field(gt=0)]] | None = Field(
        None, description="given capex per calendar year, e.g. {2025: '72 BUSD'}"
    )
    method: str = Field(
        "auto",
        description="forecast method for the years after `until`, as in `dcsim capex fit "
        "--method` (auto: the AICc curve's central value)",
    )
    quantile: float | None = Field(
        None,
        gt=0,
        lt=1,
        description="take this quantile of the forecast (its conformal interval, from the "
        "method's backtest errors) instead of its central value: 0.1 and 0.9 give the P10 "
        "and P90 budgets",
    )

    @field_validator("model")
    @classmethod
    def _known_model(cls, value: str) -> str:
        from dcsim.growth.models import get_models

        try:
            get_models(value)
        except UserInputError as error:
            raise ValueError(str(error)) from None
        return value

    @field_validator("method")
    @classmethod
    def _known_method(cls, value: str) -> str:
        from dcsim.growth.backtest import TRACK_RECORD
        from dcsim.growth.methods import methods

        known = [TRACK_RECORD, *methods("all")]
        if value not in known:
            raise ValueError(f"unknown method {value!r}; choose one of: {', '.join(known)}")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> BudgetSource:
        if (self.company is None) == (self.annual is None):
            raise ValueError("give either company (a fitted curve) or annual (given amounts)")
        fit_only = {"measure", "model", "until", "method", "quantile"} & self.model_fields_set
        if self.annual is not None and fit_only:
            raise ValueError(f"{', '.join(sorted(fit_only))}: only for a fitted company curve")
        if self.annual is not None and not self.annual:
            raise ValueError("annual: give at least one year")
        return self

    def amounts(self, years: tuple[int, ...]) -> dict[int, float]:
        """Capex for each of ``years``: the given amounts, or for a company its reported
        figures up to ``until`` and the fitted curve's central value after that."""
        if self.annual is not None:
            missing = [y for y in years if y not in self.annual]
            if missing:
                years_missing = ", ".join(map(str, missing))
                raise BudgetError("source.annual", f"no amount for {years_missing}")
            return {y: self.annual[y] for y in years}
        return _fitted_amounts(
            self.company, self.measure, self.model, self.until, years, self.method, self.quantile
        )


class Budget(Section):
    """Monthly chip purchases (and hall starts) paid for out of a share of annual capex."""

    source: BudgetSource
    ai_share: float = Field(
        gt=0, le=1, description="fraction of the annual capex spent on this build-out"
    )
    chip: Name = Field("h100-sxm", description="catalog name of the GPU the budget buys")
    facility_share: float | Literal["halls"] = Field(
        "halls",
        description="fraction of each month's money set aside for halls; 'halls': the "
        "halls' planned cost over that cost plus their GPUs at the chip price",
    )
    from_: dt.date = Field(alias="from", description="first day of the budget window")
    to: dt.date = Field(description="last day of the budget window")
    lead_time: Duration = Field(description="order to delivery of each monthly order")
    max_gpus: int | None = Field(
        None, ge=1, description="stop buying at this many GPUs; default: the halls' GPUs of chip"
    )
    halls_from_budget: bool = Field(
        False, description="start each hall once the set-aside money covers its cost"
    )

    @field_validator("facility_share", mode="before")
    @classmethod
    def _fraction_or_halls(cls, value: object) -> object:
        """One clear message instead of one per member of the union."""
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if value != "halls" and not (number and 0 <= value < 1):
            raise ValueError(
                f"expected 'halls' or a fraction at least 0 and below 1, got {value!r}"
            )
        return value

    @model_validator(mode="after")
    def _window(self) -> Budget:
        if not months(self.from_, self.to):
            raise ValueError("from..to must include the first day of at least one month")
        return self


class _HallCost(BaseModel):
    """The part of a raw hall a budget needs; the rest is checked by the scenario schema."""

    model_config = ConfigDict(extra="ignore", validate_default=True)
    it_capacity: Power = Field(gt=0)
    cost_per_mw: quantity("money_per_power") = Hall.model_fields["cost_per_mw"].default
    stages: Stages

    planned_gpus = Hall.planned_gpus


class _Campus(BaseModel):
    """A raw scenario's budget, halls and extra chips, validated with the schema's
    error locations (``budget.ai_share``, ``halls.0.it_capacity``)."""

    model_config = ConfigDict(extra="ignore", validate_default=True)
    budget: Budget
    halls: list[_HallCost] = Field(min_length=1)
    chips: dict[Name, ChipSpec] = Field(default_factory=dict)


class BudgetError(Exception):
    """A budget problem found after validation, located by its field under ``budget``."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where, self.message = where, message


@dataclass(frozen=True)
class Month:
    """One month of the plan; money in USD, ``carry`` is chip money not yet spent."""

    date: dt.date
    money: float
    chip_money: float
    facility_money: float
    gpus: int
    carry: float


@dataclass(frozen=True)
class BudgetPlan:
    """The compiled budget: the month table and each hall's funded start (or None)."""

    budget: Budget
    months: tuple[Month, ...]
    price: float
    facility_share: float
    max_gpus: int
    hall_starts: tuple[dt.date | None, ...]

    @property
    def gpus(self) -> int:
        return sum(m.gpus for m in self.months)


def months(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of the months that fall within ``start``..``end`` (inclusive)."""
    first = start if start.day == 1 else _next_month(start.replace(day=1))
    out = []
    while first <= end:
        out.append(first)
        first = _next_month(first)
    return out


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


DEFAULT_AI_SHARE = 0.6
"""Share of a hyperscaler's capex that buys servers: Alphabet put about 60% of its
technical-infrastructure capex into servers ("machines") and about 40% into data centers
and networking (Q4 2025 call, February 2026; recalled, reported secondhand). A catalog
price includes the GPU's share of its server, so this share buys GPUs at that price; it is
an upper bound, as some servers hold no GPU."""


def gpus_bought(capex_usd: float, ai_share: float, price_usd: float) -> int:
    """Whole GPUs that ``ai_share`` of ``capex_usd`` buys at ``price_usd`` each, counted
    in exact cents and the share as written (as the monthly budget counts them)."""
    return math.floor(_cents(capex_usd) * _share(ai_share) / _cents(price_usd))


def _cents(usd: float) -> Fraction:
    return Fraction(round(usd * 100), 100)


def _share(value: float) -> Fraction:
    """The share as the decimal the user wrote (0.08 is 8/100, not its binary neighbour)."""
    return Fraction(repr(float(value)))


@cache
def _fitted_amounts(
    company: str,
    measure: str,
    model: str,
    until: int | None,
    years: tuple[int, ...],
    method: str = "auto",
    quantile: float | None = None,
) -> dict[int, float]:
    """Reported capex up to ``until``, the forecast after: the fitted curve's central value
    (``auto``, no quantile), else ``method``'s forecast at ``quantile`` of its conformal
    band. Cached because sweeps compile the same budget for every point."""
    import dcsim.growth as growth

    try:
        series = growth.load_company(company, measure=measure, kind="actual")
    except UserInputError as error:
        raise BudgetError("source.company", "; ".join(error.problems)) from None
    try:
        data = series.until(until)
    except UserInputError as error:
        raise BudgetError("source.until", "; ".join(error.problems)) from None
    reported = dict(zip(data.years.tolist(), data.values.tolist(), strict=True))
    future = [y for y in years if y not in reported]
    try:
        if method == "auto" and quantile is None:
            result = growth.fit(data.years, data.values, model, name=data.name)
            fitted = dict(zip(future, result.predict(future).tolist(), strict=True))
        else:
            fitted = _forecast_quantile(data, measure, model, future, method, quantile)
    except UserInputError as error:
        raise BudgetError("source", "; ".join(error.problems)) from None
    return {y: reported[y] if y in reported else fitted[y] for y in years}


def _forecast_quantile(
    data, measure: str, model: str, future: list[int], method: str, quantile: float | None
) -> dict[int, float]:
    """``method``'s forecast of ``future`` years at ``quantile`` (None: central) of its
    conformal band; the other shipped companies, cut at the same year, are its panel."""
    from dcsim.growth.calibrated import calibrated_forecast
    from dcsim.growth.data import other_companies

    if not future:
        return {}
    last = int(data.years[-1])
    panel = other_companies(data.name, measure, last)
    q = 0.5 if quantile is None else quantile
    forecast = calibrated_forecast(data, panel, method, max(future) - last, model)
    band = forecast.at(abs(2 * q - 1)) if q != 0.5 else None  # central: P50
    values = np.exp(forecast.log_value) if band is None else band.upper if q > 0.5 else band.lower
    by_year = dict(zip(forecast.years.tolist(), values.tolist(), strict=True))
    missing = [y for y in future if math.isnan(by_year[y])]  # no errors at that horizon
    if missing:
        raise UserInputError(f"no backtest errors to place quantile {q} in {missing}")
    return {y: by_year[y] for y in future}


def plan_budget(raw: Mapping[str, Any], origin: str = "<scenario>") -> BudgetPlan:
    """The month-by-month plan of a raw scenario's ``budget`` (see :func:`expand_budget`).

    Problems raise :class:`~dcsim.errors.UserInputError` with one line each, in the
    loader's format (``origin: budget.field: message``).
    """
    try:
        campus = _Campus.model_validate(raw)
    except ValidationError as error:
        raise UserInputError(format_validation_error(error, origin)) from None
    try:
        plan = _spend(campus)
        _check_halls_funded(plan)
    except BudgetError as error:
        raise UserInputError(f"{origin}: budget.{error.where}: {error.message}") from None
    return plan


def _spend(campus: _Campus) -> BudgetPlan:
    """Spend the budget month by month: GPUs bought so far are the whole GPUs the
    cumulative chip money pays for (capped at ``max_gpus``); halls start, in list order,
    in the month the cumulative set-aside money first covers their cumulative cost."""
    budget = campus.budget
    chips = catalog_with(campus.chips)
    if budget.chip not in chips:
        raise BudgetError("chip", f"unknown chip {budget.chip!r}; known: {sorted(chips)}")
    price = _cents(chips[budget.chip].price)
    hall_costs = [_cents(h.it_capacity * h.cost_per_mw) for h in campus.halls]
    hall_gpus = sum(h.planned_gpus for h in campus.halls)
    if budget.facility_share == "halls":
        facility_share = sum(hall_costs) / (sum(hall_costs) + hall_gpus * price)
    else:
        facility_share = _share(budget.facility_share)
    max_gpus = budget.max_gpus or sum(
        h.planned_gpus for h in campus.halls if h.stages.chip == budget.chip
    )
    if not max_gpus:
        raise BudgetError("max_gpus", f"no hall holds {budget.chip}; give max_gpus")
    dates = months(budget.from_, budget.to)
    annual = budget.source.amounts(tuple(sorted({d.year for d in dates})))
    share = _share(budget.ai_share)
    hall_needs = _cumulative(hall_costs)
    chip_total = facility_total = Fraction(0)
    bought = 0
    table = []
    starts: list[dt.date | None] = [None] * len(hall_costs)
    for date in dates:
        money = _cents(annual[date.year]) * share / 12
        chip_total += money * (1 - facility_share)
        facility_total += money * facility_share
        now = min(math.floor(chip_total / price), max_gpus)
        for i, need in enumerate(hall_needs):
            if starts[i] is None and facility_total >= need:
                starts[i] = date
        table.append(
            Month(
                date,
                float(money),
                float(money * (1 - facility_share)),
                float(money * facility_share),
                now - bought,
                float(chip_total - now * price),
            )
        )
        bought = now
    return BudgetPlan(
        budget, tuple(table), float(price), float(facility_share), max_gpus, tuple(starts)
    )


def _cumulative(values: list[Fraction]) -> list[Fraction]:
    total, out = Fraction(0), []
    for value in values:
        total += value
        out.append(total)
    return out


def expand_budget(raw: Mapping[str, Any], origin: str = "<scenario>") -> dict[str, Any]:
    """A copy of the raw scenario with ``budget`` compiled away: one chip order per month
    that buys at least one GPU, appended to ``chip_orders``, and with ``halls_from_budget``
    each hall's ``construction_start`` set to the month its cost is covered. The raw value
    of ``budget.lead_time`` is copied into every order.
    """
    plan = plan_budget(raw, origin)
    out = copy.deepcopy(dict(raw))
    lead_time = out.pop("budget")["lead_time"]
    orders = [
        {"chip": plan.budget.chip, "count": m.gpus, "order_date": m.date, "lead_time": lead_time}
        for m in plan.months
        if m.gpus
    ]
    out["chip_orders"] = [*out.get("chip_orders", []), *orders]
    if plan.budget.halls_from_budget:
        for hall, start in zip(out["halls"], plan.hall_starts, strict=True):
            hall["construction_start"] = start
    return out


def _check_halls_funded(plan: BudgetPlan) -> None:
    budget = plan.budget
    if not budget.halls_from_budget or None not in plan.hall_starts:
        return
    funded = plan.hall_starts.index(None)
    set_aside = sum(m.facility_money for m in plan.months) / 1e6
    raise BudgetError(
        "halls_from_budget",
        f"the {set_aside:,.4g} MUSD set aside for halls by {budget.to} pays for "
        f"{funded} of {len(plan.hall_starts)} halls; raise ai_share or facility_share, "
        "or extend 'to'",
    )
