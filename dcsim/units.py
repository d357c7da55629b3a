"""Units at the boundary: one pint registry, quantities parsed to canonical floats.

Inside the simulator every number is a plain float in a canonical unit (MW, MWh, days,
USD, t CO2); pint is used only when reading configs and data. ``$`` is rejected because pint
silently drops it (``"2.5 $/W"`` would become ``2.5 / W``); money is spelled ``USD``, with
``kUSD``, ``MUSD`` and ``BUSD`` as multiples.

pint *evaluates* the text it is given (``"10**10**10 MW"`` never returns), so a text must
first match :data:`QUANTITY_TEXT`: a plain number and unit names joined by ``*`` and
``/``, or a sum of such terms (``"100 weeks + 6 months"``). Every quantity is finite,
and (see :data:`LARGEST`) bounded so that sums and products of them stay far from float
overflow.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import pint
from pydantic_core import PydanticCustomError

#: Days in the mean Julian year: the year of rates written per year and of USD-years.
DAYS_PER_YEAR = 365.25
HOURS_PER_DAY = 24

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

#: The largest value accepted for each kind, in its canonical unit: far beyond any real
#: campus (a terawatt, a quadrillion dollars; durations reach past any MTBF), far below
#: where arithmetic on it could overflow. (The horizon has its own, tighter bound.)
LARGEST: dict[str, float] = {
    "power": 1e6,
    "energy": 1e10,
    "duration": 1e12,
    "money": 1e15,
    "money_per_power": 1e12,
    "money_per_energy": 1e6,
    "mass_per_energy": 100.0,
    "count_per_duration": 1e9,
}

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,3})?"
_NAME = r"[A-Za-z_]+[0-9]?"
_UNITS = rf"/?\s*{_NAME}(?:\s*[*/]\s*{_NAME})*"
_TERM = rf"{_NUMBER}\s*(?:{_UNITS})?"
#: What a quantity text may look like: terms (a number and a product/quotient of unit
#: names) joined by + or -.
QUANTITY_TEXT = re.compile(rf"\s*{_TERM}(?:\s*[+-]\s*{_TERM})*\s*")
MAX_TEXT = 64


def parse_quantity(value: object, kind: str) -> float:
    """Parse ``"150 MW"``-style text into a float in the canonical unit of ``kind``.

    Raises ``ValueError`` (never pint's own exceptions, which are ``TypeError`` and
    ``AttributeError`` subclasses) so that pydantic reports the field path; a unit of the
    wrong kind is the custom error type ``quantity_dimension``, which an experiment
    treats as a mistake in the file rather than in one design point.
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
    if len(value) > MAX_TEXT or not QUANTITY_TEXT.fullmatch(value):
        raise ValueError(f"expected a number and a unit like {example!r}, got {value[:MAX_TEXT]!r}")
    magnitude = _parse_text(value, kind)
    if not math.isfinite(magnitude):
        raise ValueError(f"expected a finite {kind.replace('_', ' ')}, got {value!r}")
    return magnitude


@lru_cache(maxsize=4096)
def _parse_text(value: str, kind: str) -> float:
    """pint's reading of one text, cached: pint takes about 0.3 ms a parse, and a sweep
    validates the same texts for every task (errors are raised again, never cached)."""
    unit, example = CANONICAL[kind]
    try:
        quantity = registry.Quantity(value)
        magnitude = quantity.to(unit).magnitude
    except pint.DimensionalityError:
        raise PydanticCustomError(
            "quantity_dimension",
            f"expected a {kind.replace('_', ' ')} like {example!r}, got {value!r}",
        ) from None
    except Exception:
        raise ValueError(
            f"could not read {value!r} as a {kind.replace('_', ' ')} like {example!r}"
        ) from None
    return float(magnitude)


def format_quantity(value: float, kind: str) -> str:
    """``value`` (in ``kind``'s canonical unit) as text that :func:`parse_quantity` reads
    back to the same float: the shortest exact ``repr`` and the unit, with a rate written
    ``/day`` (pint's own spelling, ``1/day``, is not a unit name the reader accepts)."""
    unit = CANONICAL[kind][0]
    written = unit[1:] if unit.startswith("1/") else unit
    return f"{value!r} {written}"


def to_kw(mw: float) -> int:
    """MW to whole kW, rounding up so a load is never under-reserved."""
    return math.ceil(round(mw * 1000, 6))
