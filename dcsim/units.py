"""Units at the boundary: one pint registry, quantities parsed to canonical floats.

Inside the simulator every number is a plain float in a canonical unit (MW, MWh, days,
USD, t CO2); pint is used only when reading configs and data. ``$`` is rejected because pint
silently drops it (``"2.5 $/W"`` would become ``2.5 / W``); money is spelled ``USD``, with
``kUSD``, ``MUSD`` and ``BUSD`` as multiples.
"""

from __future__ import annotations

import math
from functools import lru_cache

import pint

#: Days in the mean Julian year: the year of rates written per year and of USD-years.
DAYS_PER_YEAR = 365.25

registry = pint.UnitRegistry(on_redefinition="raise")
registry.define("USD = [currency]")
registry.define("kUSD = 1e3 * USD")
registry.define("MUSD = 1e6 * USD")
registry.define("BUSD = 1e9 * USD")

#: Canonical unit of each quantity kind used in configs, and an example for messages.
CANONICAL: dict[str, tuple[str, str]] = {
    "power": ("MW", "150 MW"),
    "energy": ("MWh", "500 MWh"),
    "duration": ("day", "18 months"),
    "money": ("USD", "270 kUSD"),
    "money_per_power": ("USD/MW", "11.7 MUSD/MW"),
    "money_per_energy": ("USD/MWh", "78 USD/MWh"),
    "mass_per_energy": ("t/MWh", "0.4 t/MWh"),
    "count_per_duration": ("1/day", "50000 / month"),
}


def parse_quantity(value: object, kind: str) -> float:
    """Parse ``"150 MW"``-style text into a float in the canonical unit of ``kind``.

    Raises ``ValueError`` (never pint's own exceptions, which are ``TypeError`` and
    ``AttributeError`` subclasses) so that pydantic reports the field path.
    """
    example = CANONICAL[kind][1]
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"expected a {kind.replace('_', ' ')} with a unit like {example!r}")
    if isinstance(value, int | float):
        if value == 0:
            return 0.0
        raise ValueError(
            f"expected a {kind.replace('_', ' ')} with a unit like {example!r}, got the bare "
            f"number {value!r}"
        )
    if "$" in value:
        raise ValueError(f"write money as USD (or kUSD, MUSD, BUSD), not '$': got {value!r}")
    return _parse_text(value, kind)


@lru_cache(maxsize=4096)
def _parse_text(value: str, kind: str) -> float:
    """pint's reading of one text, cached: pint takes about 0.3 ms a parse, and a sweep
    validates the same texts for every task (errors are raised again, never cached)."""
    unit, example = CANONICAL[kind]
    try:
        quantity = registry.Quantity(value)
        magnitude = quantity.to(unit).magnitude
    except pint.DimensionalityError:
        raise ValueError(
            f"expected a {kind.replace('_', ' ')} like {example!r}, got {value!r}"
        ) from None
    except Exception:
        raise ValueError(
            f"could not read {value!r} as a {kind.replace('_', ' ')} like {example!r}"
        ) from None
    return float(magnitude)


def to_kw(mw: float) -> int:
    """MW to whole kW, rounding up so a load is never under-reserved."""
    return math.ceil(round(mw * 1000, 6))
