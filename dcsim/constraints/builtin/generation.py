"""On-site generation (bridging power): gas turbines, fuel cells."""

from dcsim.constraints.base import ConstraintClass


def _has_generators(scenario) -> bool:
    return bool(scenario.grid.generators)


GENERATION = ConstraintClass(
    name="generation",
    meaning="An on-site generator not yet delivered and installed.",
    relaxing="every generator online on day 0",
    attribution="",  # a source shortfall is charged to `grid`, whichever source is late
    gates="power admission, through the generator's lifecycle (`sim/power.py`)",
    links="generator order to delivery, installation: order date → delivery → online",
    relax_as="generation",
    trace_kind="generation",
    present=_has_generators,
)
