"""On-site generation: merit-order dispatch and retirement, as plain functions.

Bridging generators carry only what the grid cannot: the shortfall between the energized
load and what the network delivers without them is met by the cheapest fuel first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Offer:
    """A running generator's part in dispatch."""

    available_mw: float
    fuel_cost: float  # USD/MWh
    emissions: float  # t CO2/MWh


def merit_order(shortfall_mw: float, offers: Sequence[Offer]) -> dict[str, float]:
    """Dispatch ``shortfall_mw`` over ``offers`` in the order given (cheapest first): the
    bridging load and the fuel cost and emissions per hour it burns."""
    remaining, fuel, co2 = shortfall_mw, 0.0, 0.0
    for offer in offers:
        share = min(remaining, offer.available_mw)
        fuel, co2 = fuel + share * offer.fuel_cost, co2 + share * offer.emissions
        remaining -= share
    return {
        "bridging_mw": shortfall_mw,
        "bridging_fuel_usd_per_h": fuel,
        "bridging_t_co2_per_h": co2,
    }


def share_caps(
    wanted_kw: Mapping[str, int], caps: Sequence[tuple[str, Sequence[str], int]]
) -> tuple[dict[str, int], dict[str, str]]:
    """What each generator runs at under caps on groups of them, and which class holds
    each one it cuts. ``wanted_kw`` (in merit order, cheapest fuel first) is what each
    could run; each cap ``(class, generators, kW)``, in the order given, shares its kW
    among its generators in merit order, so the cheapest fuel is burnt first."""
    running = dict(wanted_kw)
    cut: dict[str, str] = {}
    for constraint, names, cap_kw in caps:
        members = set(names)
        left = cap_kw
        for name in running:
            if name not in members:
                continue
            allowed = min(running[name], left)
            if allowed < running[name]:
                cut.setdefault(name, constraint)
            running[name], left = allowed, left - allowed
    return running, cut
