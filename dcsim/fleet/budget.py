"""A fleet's budget: one capex curve split across sites and years.

The fleet's money for a year is its capex curve's amount (``budget.source``, reported or
fitted, as for one campus) times ``ai_share``, in whole cents. Each year's cents are split
among the funded sites by largest remainder, so the parts add up to the year's money
exactly; each site then receives a one-campus ``budget:`` whose ``source.annual`` is its
part, spent month by month by :mod:`dcsim.config.budget` like any scenario's budget.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from dcsim.config.budget import BudgetError, months
from dcsim.errors import UserInputError
from dcsim.fleet.schema import FleetBudget
from dcsim.fleet.supply import proportional


def fleet_cents(budget: FleetBudget, origin: str) -> dict[int, int]:
    """Whole cents of AI money per calendar year of the budget window (rounded down).
    A curve that cannot give them is one line, ``origin: budget.field: what``."""
    years = tuple(sorted({day.year for day in months(budget.from_, budget.to)}))
    try:
        amounts = budget.source.amounts(years)
    except BudgetError as error:  # the scenario budget's located error, re-said for a fleet
        raise UserInputError(f"{origin}: budget.{error.where}: {error.message}") from None
    share = Fraction(repr(float(budget.ai_share)))
    return {year: int(round(amounts[year] * 100) * share) for year in years}


def split_cents(cents: Mapping[int, int], weights: Sequence[float]) -> list[dict[int, int]]:
    """Each year's cents split in proportion to ``weights``: one ``{year: cents}`` per
    weight, adding up to ``cents`` year by year (largest remainder, no cap)."""
    shares = {
        year: proportional(total, weights, [total] * len(weights)) for year, total in cents.items()
    }
    return [{year: shares[year][i] for year in cents} for i in range(len(weights))]


def site_budget(raw: Mapping[str, Any], cents: Mapping[int, int]) -> dict[str, Any]:
    """A site's ``budget:`` section: the fleet's raw section (its chip, window, lead time
    and hall rules) with the site's part of the money as given annual amounts."""
    section = {key: value for key, value in raw.items() if key != "split"}
    annual = {year: f"{part / 100!r} USD" for year, part in cents.items()}
    return {**section, "source": {"annual": annual}, "ai_share": 1}


def weights(
    budget: FleetBudget, planned_gpus: Sequence[int], shares: Sequence[float], origin: str
) -> list:
    """Each site's weight under ``budget.split``: its share, or its planned GPUs of the
    budget's chip if its share is positive. A site of weight 0 is not funded."""
    if budget.split == "share":
        chosen = list(shares)
    else:
        chosen = [
            gpus if share > 0 else 0 for gpus, share in zip(planned_gpus, shares, strict=True)
        ]
    if not any(chosen):
        raise UserInputError(
            f"{origin}: budget.split: {budget.split}: no site has a positive weight"
        )
    return chosen


def window_usd(cents: Mapping[int, int], budget: FleetBudget) -> Fraction:
    """Money a site (or the fleet) receives over the window: a year's amount is spent a
    twelfth per month, and only the window's months count."""
    per_year = Counter(day.year for day in months(budget.from_, budget.to))
    return sum(
        (Fraction(cents[year] * count, 1200) for year, count in per_year.items()), Fraction(0)
    )
