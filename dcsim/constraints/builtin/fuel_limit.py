"""Fuel limits: the fuel a site can take in (a pipeline lateral, trucked gas) caps what
its fuelled on-site generators run together.

The limit is the capacity of the site's fuel node, which feeds every fuelled generator
(all but batteries) in the power graph, so max flow decides which of them burn it (a
generator whose output the network cannot use takes none)
(:meth:`~dcsim.constraints.base.Wiring.limit_fuel`); a later, larger delivery
(``expansions``) raises it and is a trace link, so a stage it lets in names the fuel as
its cause. While the limit is below what its generators could run, stages short of
source capacity that lifting it would have let through are charged to ``fuel_limit``.
Relaxed (``dcsim explain``), fuel is unlimited.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

from dcsim.constraints.base import NO_LINK, ConstraintClass, Wiring

if TYPE_CHECKING:
    from dcsim.config.schema import FuelLimit, Scenario


def _has_limit(scenario: Scenario) -> bool:
    return scenario.grid.fuel_limit is not None and bool(scenario.grid.fuelled())


def wire(run: Wiring) -> None:
    """Unless relaxed, limit the fuel from day 0, then raise the limit at each expansion."""
    limit = run.scenario.grid.fuel_limit
    if run.relaxed or limit is None or not run.scenario.grid.fuelled():
        return
    run.limit_fuel(limit.capacity, NO_LINK)
    if limit.expansions:
        run.env.process(_expansions(run, limit))


def _expansions(run: Wiring, limit: FuelLimit) -> Generator:
    before = 0.0
    for step in limit.expansions:
        day = max(0.0, run.day(step.date))
        if day > run.env.now:
            yield run.env.timeout(day - run.env.now)
        link = run.link("fuel", f"fuel delivery to {step.capacity:g} MW", before, day)
        run.limit_fuel(step.capacity, link)
        before = day


FUEL_LIMIT = ConstraintClass(
    name="fuel_limit",
    meaning="Fuel delivery caps what a site's fuelled on-site generators run together.",
    relaxing="fuel unlimited",
    attribution="a stage's GPUs × the time it waited for power short of source capacity "
    "while the fuel limit held a running generator below what it could run, if lifting "
    "it would have let the stage through",
    gates="on-site generators' output together: the fuel node's capacity in the power graph "
    "(max flow decides who burns it)",
    links="a fuel expansion: the previous delivery level → the larger one in service",
    relax_as="fuel_limit",
    trace_kind="fuel_limit",
    kpi_row="fuel_limit",
    present=_has_limit,
    wire=wire,
)
