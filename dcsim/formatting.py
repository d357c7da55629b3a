"""Numbers as people read them: ``5.06 B USD``, ``151.5 MW``, ``3.72 TWh``, ``27.8 M GPU-days``.

Below the CLI, the reports and the sweep tables alike, so every layer that prints a number
imports it from here and nothing imports the command line. Values stay in canonical units
(MW, MWh, USD, days) everywhere else; only this module scales them for display.
"""

from __future__ import annotations

import math

#: Units that change their own name with magnitude, as (threshold, factor, name) from the
#: largest down; any other unit takes a k / M / B multiplier in front of it.
SCALED_UNITS: dict[str, tuple[tuple[float, float, str], ...]] = {
    "MW": ((1e3, 1e-3, "GW"), (1.0, 1.0, "MW"), (0.0, 1e3, "kW")),
    "MWh": ((1e6, 1e-6, "TWh"), (1e3, 1e-3, "GWh"), (0.0, 1.0, "MWh")),
}
MULTIPLIERS = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def format_value(value: object) -> str:
    """Any KPI or parameter value without a unit: ``None`` reads ``not reached``, NaN
    ``n/a``, floats to one decimal with thousands separators (three significant digits
    when huge), mappings as ``key value, ...``."""
    if value is None:
        return "not reached"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "n/a" if math.isnan(value) else str(value)
        return f"{value:,.3g}" if abs(value) >= 1e15 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {format_value(v)}" for k, v in value.items())
    return str(value)


def human(value: float, unit: str) -> tuple[str, str]:
    """``value`` (in ``unit``) as a short number and the unit it is then in:
    ``human(5.06e9, "USD") == ("5.06", "B USD")``, ``human(3.72e6, "MWh") == ("3.72", "TWh")``."""
    if not math.isfinite(value):
        return format_value(value), unit
    size = abs(value)
    if size >= 1e15 and unit not in SCALED_UNITS:  # FLOP: past any name, say the exponent
        mantissa, exponent = f"{value:.2e}".split("e")
        return f"{mantissa}e{int(exponent)}", unit
    if unit in SCALED_UNITS:
        for threshold, factor, name in SCALED_UNITS[unit]:
            if size >= threshold or threshold == 0.0:
                return _short(value * factor), name
    for threshold, prefix in MULTIPLIERS:
        if size >= threshold:
            return _short(value / threshold), f"{prefix} {unit}".strip()
    return _short(value), unit


def human_text(value: float, unit: str) -> str:
    """:func:`human` as one string, ``5.06 B USD``."""
    number, scaled = human(value, unit)
    return f"{number} {scaled}".strip()


def _short(number: float) -> str:
    """Three significant digits, but never fewer than one decimal (``151.5``, ``27.8``,
    ``3.72``); beyond 1,000 (a trillion of something) the digits are all kept."""
    if number == 0:
        return "0"
    size = abs(number)
    if size >= 10:
        return f"{number:,.1f}"
    return f"{number:.2f}" if size >= 0.01 else f"{number:.3g}"


def axis_scale(largest: float, unit: str) -> tuple[float, str]:
    """(divisor, unit label) for an axis whose largest value is ``largest`` in ``unit``:
    ``axis_scale(5e9, "USD") == (1e9, "B USD")``, so ticks read 1, 2, 5 rather than 1e9."""
    size = abs(largest) if math.isfinite(largest) else 0.0
    if unit in SCALED_UNITS:
        for threshold, factor, name in SCALED_UNITS[unit]:
            if size >= threshold or threshold == 0.0:
                return 1 / factor, name
    if unit == "days":
        return 1.0, unit
    if size >= 1e15:
        power = 10.0 ** math.floor(math.log10(size))
        return power, f"{power:.0e} {unit}".replace("e+", "e").strip()
    for threshold, prefix in MULTIPLIERS:
        if size >= threshold:
            return threshold, f"{prefix} {unit}".strip()
    return 1.0, unit
