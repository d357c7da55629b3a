"""Fuel limits: the fuel a site can take in (a pipeline lateral, trucked gas) caps what
its fuelled on-site generators run together.

The limit is a cap on the group of every fuelled generator (all but batteries), shared
cheapest fuel first (:meth:`~dcsim.constraints.base.Wiring.cap_generators`); a later,
larger delivery (``expansions``) raises it and is a trace link, so a stage it lets in
names the fuel as its cause. While the limit holds a running generator below what it
could run, stages short of source capacity that lifting it would have let through are
charged to ``fuel_limit``. Relaxed
(``dcsim explain``), fuel is unlimited.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

from dcsim.constraints.base import NO_LINK, ConstraintClass, Wiring

if TYPE_CHECKING:
    from dcsim.config.schema import FuelLimit, Scenario

#: The one group a site's fuel limit caps.
GROUP = "site"


def fuelled(scenario: Scenario) -> list[str]:
    """The generators that burn fuel (every technology but a battery)."""
    return [g.name for g in scenario.grid.generators if g.technology != "battery"]


def _has_limit(scenario: Scenario) -> bool:
    return scenario.grid.fuel_limit is not None and bool(fuelled(scenario))


def wire(run: Wiring) -> None:
    """Unless relaxed, cap the fuelled generators from day 0, then raise the cap at each
    expansion."""
    limit = run.scenario.grid.fuel_limit
    if run.relaxed or limit is None or not (generators := fuelled(run.scenario)):
        return
    run.cap_generators(GROUP, generators, limit.capacity, NO_LINK)
    if limit.expansions:
        run.env.process(_expansions(run, limit, generators))


def _expansions(run: Wiring, limit: FuelLimit, generators: list[str]) -> Generator:
    before = 0.0
    for step in limit.expansions:
        day = max(0.0, run.day(step.date))
        if day > run.env.now:
            yield run.env.timeout(day - run.env.now)
        link = run.link("fuel", f"fuel delivery to {step.capacity:g} MW", before, day)
        run.cap_generators(GROUP, generators, step.capacity, link)
        before = day


FUEL_LIMIT = ConstraintClass(
    name="fuel_limit",
    meaning="Fuel delivery caps what a site's fuelled on-site generators run together.",
    relaxing="fuel unlimited",
    attribution="a stage's GPUs × the time it waited for power short of source capacity "
    "while the fuel limit held a running generator below what it could run, if lifting "
    "it would have let the stage through",
    gates="on-site generators' output, shared cheapest fuel first (`sim/power_system.py` caps)",
    links="a fuel expansion: the previous delivery level → the larger one in service",
    relax_as="fuel_limit",
    trace_kind="fuel_limit",
    kpi_row="fuel_limit",
    present=_has_limit,
    wire=wire,
)
