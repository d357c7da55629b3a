"""The search space: decisions as Optuna distributions, and a trial's parameters as the
overrides they write into the scenario.

Optuna sees plain numbers: a quantity range in the unit of its ``low``, a date range as
whole days after its ``low``, a list of choices (or named options) as indices into it.
The scenario sees what a user would write: ``"120.0 MW"``, a date, the chosen value.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pint


@dataclass(frozen=True)
class Bounds:
    """A range as Optuna sees it: numbers in ``unit`` (dates: days after ``origin``)."""

    kind: Literal["int", "float", "quantity", "date"]
    low: float
    high: float
    step: float | None
    unit: str | None = None
    origin: dt.date | None = None

    def value(self, number: float) -> Any:
        """What the scenario gets for Optuna's ``number``."""
        if self.kind == "date":
            assert self.origin is not None
            return self.origin + dt.timedelta(days=round(number))
        if self.kind == "int":
            return int(number)
        if self.kind == "quantity":
            return f"{float(number)!r} {self.unit}"
        return float(number)


def quantity(text: str) -> pint.Quantity:
    """A pint quantity from text that passes the same checks as a scenario's quantities
    (no expressions, no ``$``, bounded length): pint would evaluate anything else."""
    from dcsim.units import MAX_TEXT, QUANTITY_TEXT, registry

    if "$" in text or len(text) > MAX_TEXT or not QUANTITY_TEXT.fullmatch(text):
        raise ValueError(f"expected a number and a unit like '20 MW', got {text[:MAX_TEXT]!r}")
    try:
        value = registry.Quantity(text)
    except Exception:
        raise ValueError(f"could not read {text!r} as a quantity") from None
    if not math.isfinite(value.magnitude):
        raise ValueError(f"expected a finite quantity, got {text!r}")
    return value


def bounds(decision: Any) -> Bounds:
    """Check a range and express it in Optuna's numbers; ``ValueError`` says what is wrong."""
    low, high, step = decision.low, decision.high, decision.step
    kinds = {_kind(low), _kind(high)}
    if len(kinds) != 1:
        raise ValueError(
            "low and high must be of one kind: numbers, quantities with a unit, or dates"
        )
    kind = kinds.pop()
    if kind == "date":
        number_low, number_high, origin, unit = 0.0, float((high - low).days), low, None
        step = 1.0 if step is None else _days(step)
    elif kind == "quantity":
        q_low, q_high = quantity(low), quantity(high)
        if q_low.dimensionality != q_high.dimensionality:
            raise ValueError(f"low ({low}) and high ({high}) are not of one dimension")
        unit, origin = f"{q_low.units:~}", None
        number_low, number_high = float(q_low.magnitude), float(q_high.to(q_low.units).magnitude)
        if isinstance(step, str):
            step = float(_in_unit(quantity(step), q_low))
    else:
        number_low, number_high, origin, unit = float(low), float(high), None, None
    if number_low >= number_high:
        raise ValueError(f"low ({low}) must be below high ({high})")
    if isinstance(step, str):
        raise ValueError(f"step {step!r}: expected a plain number for a range of plain numbers")
    if step is not None:
        steps = (number_high - number_low) / step if step > 0 else -1
        if steps < 1 or abs(steps - round(steps)) > 1e-9 * max(1.0, steps):
            raise ValueError(f"step ({step:g}) must be positive and divide high - low evenly")
    if decision.scales and kind == "date":
        raise ValueError("scales: a date cannot scale other fields")
    for rate in decision.scales.values():
        quantity(rate)
    integral = kind == "int" and (step is None or float(step).is_integer())
    return Bounds(
        "int" if integral else ("float" if kind == "int" else kind),
        number_low,
        number_high,
        None if step is None else float(step),
        unit,
        origin,
    )


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        raise ValueError(f"expected a number, a quantity or a date, got {value!r}")
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, str):
        return "quantity"
    return "int" if isinstance(value, int) else "float"


def _days(step: int | float | str) -> float:
    from dcsim.units import parse_quantity

    days = parse_quantity(step, "duration") if isinstance(step, str) else float(step)
    if not float(days).is_integer():
        raise ValueError(f"step {step!r}: a date range moves in whole days")
    return days


def _in_unit(value: pint.Quantity, like: pint.Quantity) -> float:
    if value.dimensionality != like.dimensionality:
        raise ValueError(f"step ({value}) is not of the dimension of low ({like})")
    return float(value.to(like.units).magnitude)


def distribution(decision: Any) -> Any:
    """The Optuna distribution of one decision (a range, a choice or named options)."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    if not is_range(decision):
        return CategoricalDistribution(list(range(len(_alternatives(decision)))))
    b = bounds(decision)
    if b.kind in ("int", "date"):
        return IntDistribution(int(b.low), int(b.high), step=int(b.step or 1))
    return FloatDistribution(b.low, b.high, step=b.step)


def is_range(decision: Any) -> bool:
    """Decisions are told apart by their fields (a range has ``low``, a choice
    ``choices``, named options ``options``), so this module needs nothing from the
    decision file's classes, which call :func:`bounds` to validate themselves."""
    return hasattr(decision, "low")


def _alternatives(decision: Any) -> list[Any]:
    return decision.choices if hasattr(decision, "choices") else list(decision.options)


def chosen(decisions: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """Each decision's value as the user wrote it (a quantity text, a date, a choice, an
    option's name), for reports and for the scenario of the best decision."""
    values = {}
    for name, decision in decisions.items():
        if is_range(decision):
            values[name] = bounds(decision).value(params[name])
        else:
            values[name] = _alternatives(decision)[int(params[name])]
    return values


def overrides(decisions: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """The scenario overrides a trial's parameters write: each decision's value at its path,
    the fields it scales, and a chosen option's bundle."""
    values = chosen(decisions, params)
    written: dict[str, Any] = {}
    for name, decision in decisions.items():
        if hasattr(decision, "options"):
            written.update(decision.options[values[name]])
            continue
        written[name] = values[name]
        for path, rate in getattr(decision, "scales", {}).items():
            written[path] = scaled(values[name], rate)
    return written


def scaled(value: str | float, rate: str) -> str:
    """``value x rate`` as quantity text: ``"120.0 MW" x "1.2 MUSD/MW"`` is ``"144.0 MUSD"``."""
    product = (quantity(value) if isinstance(value, str) else value) * quantity(rate)
    product = product.to_reduced_units()
    return f"{float(product.magnitude)!r} {product.units:~}"


def probes(decisions: dict[str, Any]) -> list[dict[str, Any]]:
    """Overrides worth validating before a study starts: each decision alone at both ends
    of its range, or at each of its choices, the others at their lows."""
    distributions = {name: distribution(d) for name, d in decisions.items()}
    lows = {name: _first(dist) for name, dist in distributions.items()}
    result = []
    for name, dist in distributions.items():
        for end in _ends(dist):
            result.append(overrides(decisions, {**lows, name: end}))
    return result


def _first(dist: Any) -> Any:
    return dist.choices[0] if hasattr(dist, "choices") else dist.low


def _ends(dist: Any) -> list[Any]:
    return list(dist.choices) if hasattr(dist, "choices") else [dist.low, dist.high]
