"""Uncertain quantities: a plain value or a named distribution, sampled with scipy.stats.

A config writes ``"18 months"`` for a fixed value or, for example,
``{dist: triangular, low: 14 months, mode: 18 months, high: 22 months}``. Every number is
converted to the canonical unit of its kind when the config loads, so sampling returns
plain floats. Every quantity is finite and between 0 and the largest value of its kind
(:data:`dcsim.units.LARGEST`), parameters included: durations, capacities and prices cannot
be negative, and a draw that would be (a normal's left tail) is clipped at zero.

Each distribution is defined by its scipy.stats counterpart (:meth:`frozen`, used for means,
quantiles and in the tests), but draws come straight from the numpy ``Generator``: building
a frozen scipy distribution costs ~100 us, a numpy draw ~1 us, and a run makes hundreds of
draws. The tests check each sampler against its scipy definition.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal, Union, get_args

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)

from dcsim.units import CANONICAL, LARGEST, format_quantity, parse_quantity


def quantity(kind: str) -> Any:
    """An annotated float field that reads ``"150 MW"``-style text in ``kind``'s unit and
    writes it back as text in the canonical unit, so a dumped scenario loads again. Its
    domain, 0 to ``LARGEST[kind]``, is part of the type; fields may narrow it."""
    unit, example = CANONICAL[kind]
    return Annotated[
        float,
        BeforeValidator(lambda value: within_domain(parse_quantity(value, kind), kind)),
        PlainSerializer(
            lambda value: format_quantity(value, kind), return_type=str, when_used="json"
        ),
        Field(json_schema_extra={"unit": unit, "examples": [example]}),
    ]


def within_domain(value: float, kind: str) -> float:
    """``value`` if it lies in its kind's domain, 0 to ``LARGEST[kind]``. Checked here rather
    than by ``Field(ge=..., le=...)`` on the type, which a field's own bounds would replace."""
    if value < 0:
        raise ValueError("Input should be greater than or equal to 0")
    if value > LARGEST[kind]:
        raise ValueError(
            f"Input should be at most {LARGEST[kind]:g} {CANONICAL[kind][0]}, got {value:g}"
        )
    return value


def scipy_stats() -> Any:
    """scipy.stats, imported on first use: it costs a second at start-up and runs never
    need it (draws come from numpy)."""
    from scipy import stats

    return stats


class _Distribution(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    def frozen(self) -> Any:
        """The scipy.stats frozen distribution that defines this one."""
        raise NotImplementedError

    def sample(self, rng: np.random.Generator) -> float:
        return max(0.0, float(self._draw(rng)))

    def _draw(self, rng: np.random.Generator) -> float:
        raise NotImplementedError

    def mean(self) -> float:
        return float(self.frozen().mean())


#: Each kind's distribution classes, as :func:`distribution` built them.
_FAMILIES: dict[str, tuple[type[_Distribution], ...]] = {}


@cache
def distribution(kind: str) -> Any:
    """The pydantic type of an uncertain quantity of ``kind`` (cached: one class per kind)."""
    value = quantity(kind)
    suffix = kind.title().replace("_", "")

    class Fixed(_Distribution):
        dist: Literal["fixed"] = "fixed"
        value: value

        def frozen(self) -> Any:
            return scipy_stats().rv_discrete(values=([self.value], [1.0]))

        def sample(self, rng: np.random.Generator) -> float:
            return self.value

        def mean(self) -> float:
            return self.value

    class Uniform(_Distribution):
        dist: Literal["uniform"]
        low: value
        high: value

        @model_validator(mode="after")
        def _ordered(self) -> Uniform:
            if self.high < self.low:
                raise ValueError("high must not be below low")
            return self

        def frozen(self) -> Any:
            return scipy_stats().uniform(loc=self.low, scale=self.high - self.low)

        def _draw(self, rng: np.random.Generator) -> float:
            return rng.uniform(self.low, self.high)

    class Triangular(_Distribution):
        dist: Literal["triangular"]
        low: value
        mode: value
        high: value

        @model_validator(mode="after")
        def _ordered(self) -> Triangular:
            if not self.low <= self.mode <= self.high or self.low == self.high:
                raise ValueError("needs low <= mode <= high with low < high")
            return self

        def frozen(self) -> Any:
            width = self.high - self.low
            return scipy_stats().triang(c=(self.mode - self.low) / width, loc=self.low, scale=width)

        def _draw(self, rng: np.random.Generator) -> float:
            return rng.triangular(self.low, self.mode, self.high)

    class Pert(Triangular):
        """Beta-PERT: the project-planning three-point estimate, smoother than a triangle."""

        dist: Literal["pert"]  # type: ignore[assignment]
        shape: float = Field(
            4.0, gt=0, le=1000, description="weight of the mode (4 is classic PERT)"
        )

        def _shape_parameters(self) -> tuple[float, float]:
            width = self.high - self.low
            return (
                1 + self.shape * (self.mode - self.low) / width,
                1 + self.shape * (self.high - self.mode) / width,
            )

        def frozen(self) -> Any:
            width = self.high - self.low
            return scipy_stats().beta(*self._shape_parameters(), loc=self.low, scale=width)

        def _draw(self, rng: np.random.Generator) -> float:
            return self.low + (self.high - self.low) * rng.beta(*self._shape_parameters())

    class Normal(_Distribution):
        dist: Literal["normal"]
        mean_: value = Field(alias="mean")
        sd: value

        def frozen(self) -> Any:
            return scipy_stats().norm(loc=self.mean_, scale=self.sd)

        def _draw(self, rng: np.random.Generator) -> float:
            return rng.normal(self.mean_, self.sd)

    class Lognormal(_Distribution):
        """Lognormal by its median and ``sigma``, the standard deviation of the log."""

        dist: Literal["lognormal"]
        median: value = Field(gt=0)
        sigma: float = Field(
            gt=0,
            le=5,
            description="standard deviation of ln(value); above 5 a draw can "
            "exceed the median by a factor of 10^13",
        )

        def frozen(self) -> Any:
            return scipy_stats().lognorm(s=self.sigma, scale=self.median)

        def _draw(self, rng: np.random.Generator) -> float:
            return self.median * np.exp(self.sigma * rng.standard_normal())

    members = (Fixed, Uniform, Triangular, Pert, Normal, Lognormal)
    for member in members:
        member.__name__ = f"{member.__name__}{suffix}"
        member.__qualname__ = member.__name__
        member.model_rebuild(force=True)
        globals()[member.__name__] = member  # found by name, so instances pickle
    _FAMILIES[kind] = members
    tagged = Annotated[Union[members], Field(discriminator="dist")]  # noqa: UP007

    def plain_value_is_fixed(raw: object) -> object:
        return {"dist": "fixed", "value": raw} if not isinstance(raw, dict) else raw

    return Annotated[tagged, BeforeValidator(plain_value_is_fixed)]


Duration = distribution("duration")

#: The ``dist`` tag of every distribution, e.g. ``triangular``.
DISTRIBUTION_TAGS = frozenset(
    get_args(member.model_fields["dist"].annotation)[0] for member in _FAMILIES["duration"]
)


def __getattr__(name: str) -> Any:
    """A distribution class of a kind no field has asked for yet (``TriangularPower``),
    built on demand: unpickling a scenario in a fresh worker looks classes up by name."""
    for kind in CANONICAL:
        suffix = kind.title().replace("_", "")
        family = {member.__name__.removesuffix("Duration") for member in _FAMILIES["duration"]}
        if name.endswith(suffix) and name[: -len(suffix)] in family:
            distribution(kind)
            return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
