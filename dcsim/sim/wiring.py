"""The model's processes, wired by subject: grid, generation, equipment, construction,
chip supply, installation; each subject's faults (curtailments, outages) are wired with
the entity they strike, and GPU failures, which start with a stage's burn-in or its first
energization, by :class:`dcsim.sim.failures.GpuFaults`.

Every function receives a :class:`Site` (the run's clock, scenario, streams, accounts)
and what its subject needs beyond it, creates its processes and returns what a later
subject waits on (a hall's readiness, a stage's holds). The model calls them in one fixed
order, and each creates its processes in the scenario's order, so same-time ties break
alike on every run; each entity draws from its own named stream.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Generator
from dataclasses import dataclass

import numpy as np
import simpy

from dcsim.config.catalog import ChipSpec
from dcsim.config.schema import ChipOrder, Equipment, Interconnect, Scenario
from dcsim.rng import RandomStreams
from dcsim.sim.construction import hall_construction
from dcsim.sim.controller import EnergizationController
from dcsim.sim.holds import Hold, Pause, SourceClaims
from dcsim.sim.ledger import Ledger
from dcsim.sim.outages import (
    Window,
    curtailment,
    equipment_outages,
    forced_outage,
    random_curtailments,
)
from dcsim.sim.power import equipment_lifecycle, generator_lifecycle, interconnect_schedule
from dcsim.sim.power_system import PowerSystem
from dcsim.sim.stage import Stage
from dcsim.sim.stage_lifecycle import StageServices, stage_lifecycle
from dcsim.sim.stranded import StrandedAccount
from dcsim.sim.supply import ChipLine, VendorCap, Warehouse, chip_order
from dcsim.sim.trace import Trace

#: A process that brings an interconnect's capacity from outside the campus (a region's
#: shared interconnection queue) instead of from its dated schedule.
GridSource = Callable[[Interconnect, PowerSystem, Trace], Generator]
#: The process that fills a chip order (order, its day, its line, its name) from shared
#: supply, or None to leave the order to its own lead times (:func:`chip_order`).
ChipSource = Callable[[ChipOrder, float, ChipLine, str], Generator | None]


@dataclass(frozen=True)
class Site:
    """What every subject's wiring reads: one campus's run."""

    env: simpy.Environment
    scenario: Scenario
    streams: RandomStreams
    relaxed: frozenset[str]
    ledger: Ledger
    trace: Trace
    power: PowerSystem
    stranded: StrandedAccount

    def start(self, process: Generator) -> None:
        self.env.process(process)

    def day(self, date: dt.date | None) -> float:
        return self.scenario.day(date)

    def stream(self, kind: str, entity: str) -> np.random.Generator:
        return self.streams.stream(kind, entity)

    def relaxes(self, name: str) -> bool:
        """Whether this run takes constraint class ``name`` (its ``relax_as``) away."""
        return name in self.relaxed


def wire_grid(site: Site, source: GridSource | None) -> None:
    """Each interconnect's dated schedule (or the shared queue's ``source``), then its
    curtailments."""
    for interconnect in site.scenario.grid.interconnects:
        if source is not None:
            site.start(source(interconnect, site.power, site.trace))
        else:
            site.start(
                interconnect_schedule(
                    site.env,
                    interconnect,
                    planned_days=[site.day(step.date) for step in interconnect.schedule],
                    rng=site.stream("interconnect", interconnect.name),
                    power=site.power,
                    trace=site.trace,
                    relaxed=site.relaxes("grid"),
                )
            )
        _wire_curtailments(site, interconnect)


def _wire_curtailments(site: Site, interconnect: Interconnect) -> None:
    """Dated curtailment windows (durations drawn up front), then random ones."""
    name, power, trace = interconnect.name, site.power, site.trace
    if interconnect.curtailments:  # a stream costs ~50 us: only when drawn from
        rng = site.stream("curtailment", f"{name}/dated")
    for spec in interconnect.curtailments:
        window = Window(site.day(spec.date), spec.duration.sample(rng))
        site.start(curtailment(site.env, name, spec.limit, window, power, trace))
    if interconnect.random_curtailments:
        rng = site.stream("curtailment", name)
        spec = interconnect.random_curtailments
        site.start(random_curtailments(site.env, name, spec, rng, power, trace))


def wire_generation(site: Site, claims: SourceClaims) -> dict[str, list[Hold]]:
    """Each on-site generator's order, delivery and installation; returns each one's
    holds (none of its own), for plug-ins to add to."""
    holds: dict[str, list[Hold]] = {g.name: [] for g in site.scenario.grid.generators}
    for generator in site.scenario.grid.generators:
        site.start(
            generator_lifecycle(
                site.env,
                generator,
                order_day=site.day(generator.order_date),
                rng=site.stream("generator", generator.name),
                ledger=site.ledger,
                power=site.power,
                trace=site.trace,
                relaxed=site.relaxes("generation"),
                holds=holds[generator.name],
                claims=claims,
            )
        )
    return holds


def wire_equipment(site: Site) -> None:
    """Each piece of equipment's order, delivery and installation, then its outages."""
    equipment = site.scenario.equipment
    in_service = {piece.name: site.env.event() for piece in equipment}
    for piece in equipment:
        site.start(
            equipment_lifecycle(
                site.env,
                piece,
                order_day=site.day(piece.order_date),
                rng=site.stream("equipment", piece.name),
                ledger=site.ledger,
                power=site.power,
                in_service=in_service[piece.name],
                trace=site.trace,
                relaxed=site.relaxes("equipment"),
            )
        )
        _wire_outages(site, piece, in_service[piece.name])


def _wire_outages(site: Site, piece: Equipment, in_service: simpy.Event) -> None:
    """Random outages once in service (MTBF/MTTR), then dated forced outages."""
    name, power, trace = piece.name, site.power, site.trace
    if piece.outages:
        rng = site.stream("equipment-outages", name)
        site.start(equipment_outages(site.env, name, piece.outages, rng, in_service, power, trace))
    if piece.forced_outages:
        rng = site.stream("equipment-outages", f"{name}/forced")
    for spec in piece.forced_outages:
        window = Window(site.day(spec.date), spec.duration.sample(rng))
        site.start(forced_outage(site.env, name, window, power, trace))


def wire_construction(site: Site) -> tuple[dict[str, simpy.Event], dict[str, list[Pause]]]:
    """Each hall's construction, sharing the construction crews (unlimited when
    construction is relaxed); returns each hall's readiness (fired with its fit-out link)
    and its pauses (none of its own), for plug-ins to add to."""
    scenario, env = site.scenario, site.env
    unlimited = site.relaxes("construction")
    crews = simpy.Resource(
        env, (not unlimited and scenario.construction.crews) or len(scenario.halls)
    )
    ready = {hall.name: env.event() for hall in scenario.halls}
    pauses: dict[str, list[Pause]] = {hall.name: [] for hall in scenario.halls}
    for hall in scenario.halls:
        site.start(
            hall_construction(
                env,
                hall,
                planned_day=site.day(hall.construction_start),
                rng=site.stream("hall", hall.name),
                crews=crews,
                ledger=site.ledger,
                stranded=site.stranded,
                ready=ready[hall.name],
                trace=site.trace,
                pauses=pauses[hall.name],
                relaxed=unlimited,
            )
        )
    return ready, pauses


def wire_supply(
    site: Site,
    warehouses: dict[str, Warehouse],
    catalog: dict[str, ChipSpec],
    source: ChipSource | None,
) -> None:
    """A line per chip type (with the vendor's cap unless chips are relaxed) into its
    warehouse, then each chip order (or the shared supply's ``source``)."""
    scenario, relaxed = site.scenario, site.relaxes("chips")
    lines = {
        chip: ChipLine(
            site.env,
            chip,
            catalog[chip].price,
            None
            if relaxed or chip not in scenario.chip_supply
            else VendorCap(scenario.chip_supply[chip]),
            warehouse,
            site.ledger,
            site.trace,
        )
        for chip, warehouse in warehouses.items()
    }
    for number, order in enumerate(scenario.chip_orders):
        name, line = f"{order.chip} order {number + 1}", lines[order.chip]
        order_day = site.day(order.order_date)
        shared = source and source(order, order_day, line, name)
        site.start(
            shared
            or chip_order(
                site.env,
                order,
                order_day=order_day,
                rng=site.stream("chip-order", f"{number}:{order.chip}"),
                ledger=site.ledger,
                line=line,
                name=name,
                trace=site.trace,
                relaxed=relaxed,
            )
        )


def wire_installation(
    site: Site,
    stages: list[Stage],
    hall_ready: dict[str, simpy.Event],
    warehouses: dict[str, Warehouse],
    controller: EnergizationController,
    burn_in_failures: Callable[[Stage], None] | None,
) -> dict[str, list[Hold]]:
    """Each stage's life, sharing the installation crews (unlimited when ``crews`` is
    relaxed); returns each stage's holds, its hall first, for plug-ins to add to."""
    crews = None if site.relaxes("crews") else site.scenario.installation.crews
    services = StageServices(
        env=site.env,
        crews=simpy.Resource(site.env, crews or len(stages)),
        ledger=site.ledger,
        stranded=site.stranded,
        controller=controller,
        trace=site.trace,
        burn_in_failures=burn_in_failures,
    )
    holds = {s.name: [Hold("construction", hall_ready[s.hall])] for s in stages}
    for stage in stages:
        site.start(stage_lifecycle(stage, holds[stage.name], warehouses[stage.chip], services))
    return holds
