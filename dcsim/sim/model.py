"""The build-out model: it builds the shared pieces and wires the processes to them.

Each process receives only what it waits on and what it changes (the environment, the
ledger, the power system, a warehouse, a crew pool, the controller), typed. The model holds
no decision logic of its own: power is decided by :mod:`dcsim.sim.dispatch` and
:mod:`dcsim.sim.power_system`, stages move by their own methods, and the arithmetic of
every ledger change lives in :mod:`dcsim.sim.changes` and :mod:`dcsim.sim.generation`.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

import simpy

from dcsim.config.catalog import catalog_with
from dcsim.config.schema import ChipOrder, Interconnect, Scenario
from dcsim.constraints import ConstraintClass, relaxable
from dcsim.constraints.registry import plugins
from dcsim.rng import RandomStreams
from dcsim.sim.clock import Doorbell, run_until
from dcsim.sim.construction import hall_construction
from dcsim.sim.controller import EnergizationController
from dcsim.sim.dispatch import Dispatcher
from dcsim.sim.failures import burn_in_failures, gpu_failures
from dcsim.sim.ledger import Ledger
from dcsim.sim.outages import (
    Window,
    curtailment,
    equipment_outages,
    forced_outage,
    random_curtailments,
)
from dcsim.sim.plugins import PluginWiring
from dcsim.sim.pods import Hold, StageServices, stage_lifecycle
from dcsim.sim.power import equipment_lifecycle, generator_lifecycle, interconnect_schedule
from dcsim.sim.power_system import PowerSystem
from dcsim.sim.stage import Stage, plan_stages
from dcsim.sim.stranded import StrandedAccount
from dcsim.sim.supply import ChipLine, VendorCap, Warehouse, chip_order
from dcsim.sim.trace import Trace
from dcsim.topology import PowerNetwork
from dcsim.units import to_kw

#: A process that brings an interconnect's capacity from outside the campus (a region's
#: shared interconnection queue) instead of from its dated schedule.
GridSource = Callable[[Interconnect, PowerSystem, Trace], Generator]
#: The process that fills a chip order (order, its day, its line, its name) from shared
#: supply, or None to leave the order to its own lead times (:func:`chip_order`).
ChipSource = Callable[[ChipOrder, float, ChipLine, str], Generator | None]


class BuildOut:
    def __init__(
        self,
        scenario: Scenario,
        seed: int = 0,
        replication: int = 0,
        relaxed: frozenset[str] = frozenset(),
        *,
        env: simpy.Environment | None = None,
        streams: RandomStreams | None = None,
        grid: GridSource | None = None,
        chips: ChipSource | None = None,
    ):
        """``relaxed`` names constraint classes to take away (their ``relax_as`` names,
        :func:`dcsim.constraints.relaxable`): the run draws from the same streams, so it
        differs from the plain run by that alone.

        A fleet hosts many campuses in one ``env``, gives each its own ``streams`` (so two
        copies of one scenario draw differently), and may hand over the source of grid
        capacity (``grid``) and of chips (``chips``); left out, the campus runs alone."""
        if unknown := set(relaxed) - set(relaxable()):
            raise ValueError(f"cannot relax {sorted(unknown)}; known: {list(relaxable())}")
        self.scenario = scenario
        self.seed = seed
        self.relaxed = frozenset(relaxed)
        self.env = env = env or simpy.Environment()
        self.streams = streams or RandomStreams(seed, replication)
        self._grid, self._chips = grid, chips
        self.chips = catalog_with(scenario.chips)
        self.ledger = Ledger(lambda: env.now)
        self.stranded = StrandedAccount()
        self.trace = Trace()
        self.stages: list[Stage] = plan_stages(
            scenario, self.chips, lambda names: self.streams.streams("stage", names), self.relaxed
        )
        self.planned_gpus = sum(stage.gpus for stage in self.stages)
        planned_kw = {hall.name: 0 for hall in scenario.halls}  # every stage, per hall
        for stage in self.stages:
            planned_kw[stage.hall] += stage.facility_kw
        hall_kw = {  # a hall's sink capacity; never below its stages' rounded-up loads
            hall.name: max(to_kw(hall.facility_capacity_mw), planned_kw[hall.name])
            for hall in scenario.halls
        }
        self.network = PowerNetwork(scenario.power_graph(), hall_kw)
        self.dispatcher = Dispatcher(
            self.network, scenario.energization.policy, scenario.energization.n_minus_1
        )
        doorbell = Doorbell(env)
        self.power = PowerSystem(
            self.network,
            scenario.grid.interconnects,
            scenario.grid.generators,
            scenario.equipment,
            planned_kw,
            scenario.economics.utilization,
            self.ledger,
            doorbell,
        )
        self.controller = EnergizationController(
            env,
            self.dispatcher,
            self.power,
            self.ledger,
            self.stranded,
            doorbell,
            scenario.economics.utilization,
            self.trace,
            on_first_energized=self._start_gpu_failures,
        )
        used = {stage.chip for stage in self.stages} | {o.chip for o in scenario.chip_orders}
        self.warehouses = {chip: Warehouse(env) for chip in sorted(used)}  # ~10 us each
        self._start_processes()

    def _start_processes(self) -> None:
        """Processes are created in a fixed order, so same-time ties always break alike;
        each is handed its own named random stream."""
        env, scenario, stream, power = self.env, self.scenario, self.streams.stream, self.power
        process, day, ledger, trace, relaxed = (
            env.process,
            scenario.day,
            self.ledger,
            self.trace,
            self.relaxed,
        )
        process(self.controller.run())
        for interconnect in scenario.grid.interconnects:
            if self._grid is not None:
                process(self._grid(interconnect, power, trace))
            else:
                rng = stream("interconnect", interconnect.name)
                planned = [day(step.date) for step in interconnect.schedule]
                process(
                    interconnect_schedule(
                        env, interconnect, planned, rng, power, trace, "grid" in relaxed
                    )
                )
            if interconnect.curtailments:  # a stream costs ~50 us: only when drawn from
                rng = stream("curtailment", f"{interconnect.name}/dated")
            for spec in interconnect.curtailments:
                window = Window(day(spec.date), spec.duration.sample(rng))
                process(curtailment(env, interconnect.name, spec.limit, window, power, trace))
            if interconnect.random_curtailments:
                rng = stream("curtailment", interconnect.name)
                spec = interconnect.random_curtailments
                process(random_curtailments(env, interconnect.name, spec, rng, power, trace))
        for generator in scenario.grid.generators:
            rng = stream("generator", generator.name)
            order_day = day(generator.order_date)
            relax = "generation" in relaxed
            process(
                generator_lifecycle(env, generator, order_day, rng, ledger, power, trace, relax)
            )
        in_service = {equipment.name: env.event() for equipment in scenario.equipment}
        for equipment in scenario.equipment:
            rng, ready = stream("equipment", equipment.name), in_service[equipment.name]
            order_day = day(equipment.order_date)
            relax = "equipment" in relaxed
            process(
                equipment_lifecycle(
                    env, equipment, order_day, rng, ledger, power, ready, trace, relax
                )
            )
            if equipment.outages:
                rng = stream("equipment-outages", equipment.name)
                process(
                    equipment_outages(
                        env, equipment.name, equipment.outages, rng, ready, power, trace
                    )
                )
            if equipment.forced_outages:
                rng = stream("equipment-outages", f"{equipment.name}/forced")
            for spec in equipment.forced_outages:
                window = Window(day(spec.date), spec.duration.sample(rng))
                process(forced_outage(env, equipment.name, window, power, trace))
        unlimited = "construction" in relaxed
        construction_crews = simpy.Resource(
            env, (not unlimited and scenario.construction.crews) or len(scenario.halls)
        )
        hall_ready = {hall.name: env.event() for hall in scenario.halls}
        for hall in scenario.halls:
            process(
                hall_construction(
                    env,
                    hall,
                    day(hall.construction_start),
                    stream("hall", hall.name),
                    construction_crews,
                    ledger,
                    self.stranded,
                    hall_ready[hall.name],
                    trace,
                    unlimited,
                )
            )
        lines = {
            chip: ChipLine(
                env,
                chip,
                self.chips[chip].price,
                None
                if "chips" in relaxed or chip not in scenario.chip_supply
                else VendorCap(scenario.chip_supply[chip]),
                self.warehouses[chip],
                ledger,
                trace,
            )
            for chip in self.warehouses
        }
        for number, order in enumerate(scenario.chip_orders):
            rng = stream("chip-order", f"{number}:{order.chip}")
            name, relax = f"{order.chip} order {number + 1}", "chips" in relaxed
            order_day, line = day(order.order_date), lines[order.chip]
            shared = self._chips and self._chips(order, order_day, line, name)
            process(
                shared or chip_order(env, order, order_day, rng, ledger, line, name, trace, relax)
            )
        crews = None if "crews" in relaxed else scenario.installation.crews
        infant_mortality = self._burn_in_failures if self._has_infant_mortality() else None
        services = StageServices(
            env=env,
            crews=simpy.Resource(env, crews or len(self.stages)),
            ledger=ledger,
            stranded=self.stranded,
            controller=self.controller,
            trace=trace,
            burn_in_failures=infant_mortality,
        )
        holds = {s.name: [Hold("construction", hall_ready[s.hall])] for s in self.stages}
        for stage in self.stages:
            warehouse = self.warehouses[stage.chip]
            process(stage_lifecycle(stage, holds[stage.name], warehouse, services))
        for constraint in plugins():
            constraint.wire(self._plugin_wiring(constraint, holds))

    def _plugin_wiring(self, constraint: ConstraintClass, holds) -> PluginWiring:
        return PluginWiring(
            constraint,
            env=self.env,
            scenario=self.scenario,
            relaxed=self.relaxed,
            stages=self.stages,
            holds=holds,
            trace=self.trace,
            stranded=self.stranded,
            streams=self.streams,
        )

    def _has_infant_mortality(self) -> bool:
        spec = self.scenario.gpu_failures
        return spec is not None and spec.burn_in_failure_fraction > 0

    def _burn_in_failures(self, stage: Stage) -> None:
        rng = self.streams.stream("gpu-failures", f"{stage.name}/burn-in")
        burn_in_failures(self.env, stage, self.scenario.gpu_failures, rng, self.ledger)

    def _start_gpu_failures(self, stage: Stage) -> None:
        spec = self.scenario.gpu_failures
        if spec is not None:
            rng = self.streams.stream("gpu-failures", stage.name)
            self.env.process(gpu_failures(self.env, stage, spec, rng, self.ledger))

    @property
    def waits(self) -> dict[str, float]:
        """Stranded GPU-days per constraint (see :mod:`dcsim.sim.stranded`)."""
        return self.stranded.gpu_days

    def run(self, deadline: float | None = None) -> BuildOut:
        """Simulate to the horizon; past ``deadline`` (a ``time.perf_counter()`` value)
        stop with :class:`~dcsim.sim.clock.RunTimeout`."""
        run_until(self.env, self.scenario.horizon, deadline)
        return self.close()

    def close(self) -> BuildOut:
        """Settle the accounts at the end of the run (a fleet runs the shared environment
        itself, then closes each campus)."""
        self.controller.close_accounts()
        for warehouse in self.warehouses.values():
            warehouse.account()
            for constraint, gpu_days in warehouse.idle_gpu_days.items():
                self.stranded.charge(constraint, 1, gpu_days)
        return self
