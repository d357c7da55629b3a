"""The build-out model: shared state, the wiring of processes, and the controller.

Processes only wait, yield and log; they share the power network, the warehouses, the
crews and the ledger held here. Power changes and stages ready for power wake the
energization controller; nothing polls.
"""

from __future__ import annotations

from collections.abc import Generator

import simpy

from dcsim.config.catalog import catalog_with
from dcsim.config.schema import Scenario
from dcsim.rng import RandomStreams
from dcsim.sim.construction import hall_construction
from dcsim.sim.dispatch import Dispatcher
from dcsim.sim.failures import gpu_failures, gpu_repair
from dcsim.sim.grid_state import GridState
from dcsim.sim.ledger import Ledger
from dcsim.sim.outages import curtailment, equipment_outages, forced_outage, random_curtailments
from dcsim.sim.pods import commissioning, stage_lifecycle
from dcsim.sim.power import equipment_lifecycle, generator_lifecycle, interconnect_schedule
from dcsim.sim.stage import Stage, plan_stages
from dcsim.sim.supply import VendorCap, Warehouse, chip_order
from dcsim.topology import PowerNetwork
from dcsim.units import to_kw

CONSTRAINTS = ("grid", "equipment", "construction", "chips", "crews")


class BuildOut:
    def __init__(self, scenario: Scenario, seed: int = 0, replication: int = 0):
        self.scenario = scenario
        self.seed = seed
        self.env = simpy.Environment()
        self.streams = RandomStreams(seed, replication)
        self.chips = catalog_with(scenario.chips)
        self.ledger = Ledger(lambda: self.env.now)
        self.stages: list[Stage] = plan_stages(
            scenario, self.chips, lambda name: self.streams.stream("stage", name)
        )
        self.planned_gpus = sum(stage.gpus for stage in self.stages)
        self.hall_gpus = {h.name: h.stages.count * h.stages.gpus for h in scenario.halls}
        self.planned_kw = {hall.name: 0 for hall in scenario.halls}  # every stage, per hall
        for stage in self.stages:
            self.planned_kw[stage.hall] += stage.facility_kw
        hall_kw = {  # a hall's sink capacity; never below its stages' rounded-up loads
            hall.name: max(to_kw(hall.it_capacity * hall.pue), self.planned_kw[hall.name])
            for hall in scenario.halls
        }
        self.network = PowerNetwork(scenario.power_graph(), hall_kw)
        self.dispatcher = Dispatcher(
            self.network, scenario.energization.policy, scenario.energization.n_minus_1
        )
        self.grid_state = GridState(scenario)
        self.hall_ready = {hall.name: self.env.event() for hall in scenario.halls}
        self.equipment_ready = {eq.name: self.env.event() for eq in scenario.equipment}
        self.warehouses = {chip: Warehouse(self.env) for chip in sorted(self.chips)}
        self.vendors = {chip: VendorCap(rate) for chip, rate in scenario.chip_supply.items()}
        self.construction_crews = simpy.Resource(
            self.env, scenario.construction.crews or len(scenario.halls)
        )
        self.install_crews = simpy.Resource(
            self.env, scenario.installation.crews or len(self.stages)
        )
        self.waits: dict[str, float] = dict.fromkeys(CONSTRAINTS, 0.0)
        self.energized_kw: dict[str, int] = dict.fromkeys(self.network.halls, 0)
        self._changed = self.env.event()
        self._start_processes()

    def _start_processes(self) -> None:
        """Processes are created in a fixed order, so same-time ties always break alike;
        each is handed its own named random stream."""
        process, scenario, stream = self.env.process, self.scenario, self.streams.stream
        process(self.energization_controller())
        day = scenario.day
        for interconnect in scenario.grid.interconnects:
            rng = stream("interconnect", interconnect.name)
            process(interconnect_schedule(self, interconnect, rng))
            if interconnect.curtailments:  # a stream costs ~50 us: only when drawn from
                rng = stream("curtailment", f"{interconnect.name}/dated")
            for window in interconnect.curtailments:
                process(
                    curtailment(
                        self,
                        interconnect.name,
                        window.limit,
                        day(window.date),
                        window.duration.sample(rng),
                    )
                )
            if interconnect.random_curtailments:
                rng = stream("curtailment", interconnect.name)
                process(random_curtailments(self, interconnect, rng))
        for generator in scenario.grid.generators:
            process(generator_lifecycle(self, generator, stream("generator", generator.name)))
        for equipment in scenario.equipment:
            process(equipment_lifecycle(self, equipment, stream("equipment", equipment.name)))
            if equipment.outages:
                rng = stream("equipment-outages", equipment.name)
                process(equipment_outages(self, equipment, rng))
            if equipment.forced_outages:
                rng = stream("equipment-outages", f"{equipment.name}/forced")
            for window in equipment.forced_outages:
                process(
                    forced_outage(
                        self, equipment.name, day(window.date), window.duration.sample(rng)
                    )
                )
        for hall in scenario.halls:
            process(hall_construction(self, hall, stream("hall", hall.name)))
        for number, order in enumerate(scenario.chip_orders):
            process(chip_order(self, order, stream("chip-order", f"{number}:{order.chip}")))
        for stage in self.stages:
            process(stage_lifecycle(self, stage))

    # -- helpers for processes ---------------------------------------------------------------
    def until(self, day: float) -> simpy.events.Timeout:
        """Wait until an absolute day (at once if it is already past, e.g. before day 0)."""
        return self.env.timeout(max(0.0, day - self.env.now))

    def blame(self, constraint: str, gpus: float, days: float) -> None:
        self.waits[constraint] += gpus * days

    def wake_controller(self) -> None:
        if not self._changed.triggered:
            self._changed.succeed()

    def refresh_power(self, event: str, entity: str, amount: float) -> None:
        """Apply a change of the grid state to the network, log it, retire bridging
        generation that is no longer needed, and wake the controller."""
        self.grid_state.apply(self.network)
        self._log_power(event, entity, amount)
        for generator in self._generators_to_retire():
            self.grid_state.generators_retired.add(generator.name)
            self.grid_state.apply(self.network)
            self._log_power("generator_retired", generator.name, generator.capacity)
        self.wake_controller()

    def _generators_to_retire(self) -> list:
        """Online generators that may retire once the grid alone carries the whole planned
        campus (every stage of every hall)."""
        state = self.grid_state
        candidates = [
            g
            for g in self.scenario.grid.generators
            if g.retire_when_grid_ready
            and g.name in state.generators_online
            and g.name not in state.generators_retired
        ]
        if not candidates:
            return []
        everything = tuple(g.name for g in self.scenario.grid.generators)
        grid_kw = self.network.max_flow_kw(self.planned_kw, without=everything)
        return candidates if grid_kw >= sum(self.planned_kw.values()) else []

    def _log_power(self, event: str, entity: str, amount: float) -> None:
        network, grid = self.network, self.grid_state.scheduled_kw  # keyed by interconnect
        grid_kw = sum(kw for name, kw in network.source_kw.items() if name in grid)
        local_kw = sum(kw for name, kw in network.source_kw.items() if name not in grid)
        self.ledger.record(
            event,
            entity,
            amount,
            set={
                "interconnect_mw": grid_kw / 1000,
                "generation_mw": local_kw / 1000,
                "deliverable_mw": network.deliverable_kw() / 1000,
                "curtailment_active": float(self.grid_state.curtailed),
                **self._bridging(),
            },
        )

    def request_power(self, stage: Stage) -> None:
        stage.ready_day = self.env.now
        stage.status = "waiting-power"
        self.ledger.record("ready_for_power", stage.name, stage.gpus)
        self.dispatcher.waiting.add(stage)
        self.wake_controller()

    # -- the energization controller ---------------------------------------------------------
    def energization_controller(self) -> Generator:
        """Sleeps until power changes or a stage is ready; then sheds what the network no
        longer carries and grants power to every waiting stage that fits."""
        while True:
            yield self._changed
            self._changed = self.env.event()
            for stage in self.dispatcher.shed():
                self.shed(stage)
            for stage in self.dispatcher.admit():
                self._close_block(stage)
                stage.grant += 1
                self.env.process(commissioning(self, stage))
            for stage, constraint in self.dispatcher.holds():
                self._mark_block(stage, constraint)

    def _mark_block(self, stage: Stage, constraint: str) -> None:
        if stage.blocked and stage.blocked[0] == constraint:
            return
        self._close_block(stage)
        stage.blocked = (constraint, self.env.now)

    def _close_block(self, stage: Stage) -> None:
        if stage.blocked:
            constraint, since = stage.blocked
            self.blame(constraint, stage.gpus, self.env.now - since)
            stage.blocked = None

    def energize(self, stage: Stage) -> None:
        first_time = not stage.commissioned
        stage.commissioned = True
        self._switch(stage, +1, "energized")
        if first_time and self.scenario.gpu_failures is not None:
            rng = self.streams.stream("gpu-failures", stage.name)
            self.env.process(gpu_failures(self, stage, rng))

    def shed(self, stage: Stage) -> None:
        """Take a stage's power away; it waits again with its place in the queue."""
        stage.grant += 1
        if stage.status == "energized":
            self._switch(stage, -1, "shed")
        else:
            self.ledger.record("shed", stage.name, 0)
            stage.status = "waiting-power"

    def _switch(self, stage: Stage, sign: int, event: str) -> None:
        """Move a stage's healthy GPUs between installed (dark) and energized."""
        stage.status = "energized" if sign > 0 else "waiting-power"
        self.energized_kw[stage.hall] += sign * stage.facility_kw
        util = self.scenario.economics.utilization
        shed_spell = -sign if (sign < 0 or stage.ever_shed) else 0  # +1 starts, -1 ends one
        self.ledger.record(
            event,
            stage.name,
            stage.gpus,
            add={
                "gpus_installed": -sign * stage.healthy,
                "gpus_energized": sign * stage.healthy,
                "facility_mw": sign * stage.facility_mw * util,
                "it_mw": sign * stage.it_mw * util,
                "compute_tflops": sign * stage.bf16_tflops * stage.healthy / stage.gpus,
                "dark_chip_value_usd": -sign * stage.price_usd,
                "stages_shed": shed_spell,
                "shed_mw": shed_spell * stage.facility_mw * util,
            },
            set=self._bridging(),
        )
        stage.ever_shed = stage.ever_shed or sign < 0

    def _bridging(self) -> dict[str, float]:
        """On-site generation carries what the grid alone cannot deliver to the energized
        load; generators are dispatched in merit order of fuel cost."""
        generators = self.scenario.grid.generators
        if not generators:
            return {}
        util = self.scenario.economics.utilization
        load_kw = sum(self.energized_kw.values())
        grid_kw = self.network.max_flow_kw(
            self.energized_kw, without=tuple(g.name for g in generators)
        )
        remaining = max(0.0, (load_kw - grid_kw) * util / 1000)
        bridging, fuel, co2 = remaining, 0.0, 0.0
        for generator in sorted(generators, key=lambda g: (g.fuel_cost, g.name)):
            share = min(remaining, self.network.source_kw[generator.name] / 1000)
            fuel, co2 = fuel + share * generator.fuel_cost, co2 + share * generator.emissions
            remaining -= share
        return {
            "bridging_mw": bridging,
            "bridging_fuel_usd_per_h": fuel,
            "bridging_t_co2_per_h": co2,
        }

    def burn_in_failures(self, stage: Stage) -> None:
        """Infant mortality: a binomial share of the stage's GPUs fails in burn-in; each is
        swapped after a repair time and rejoins its stage."""
        spec = self.scenario.gpu_failures
        if spec is None or spec.burn_in_failure_fraction == 0:
            return
        rng = self.streams.stream("gpu-failures", f"{stage.name}/burn-in")
        failed = int(rng.binomial(stage.gpus, spec.burn_in_failure_fraction))
        stage.failed += failed
        self.ledger.record(
            "burn_in_failures",
            stage.name,
            failed,
            add={"gpus_installed": -failed, "gpus_failed": failed},
        )
        for _ in range(failed):
            self.env.process(gpu_repair(self, stage, spec.repair_time.sample(rng)))

    def gpu_failed(self, stage: Stage) -> None:
        stage.failed += 1
        self.ledger.record(
            "gpu_failed",
            stage.name,
            1,
            add={
                "gpus_energized": -1,
                "gpus_failed": 1,
                "compute_tflops": -stage.bf16_tflops / stage.gpus,
            },
        )

    def gpu_repaired(self, stage: Stage) -> None:
        stage.failed -= 1
        running = stage.status == "energized"
        self.ledger.record(
            "gpu_repaired",
            stage.name,
            1,
            add={
                "gpus_energized" if running else "gpus_installed": 1,
                "gpus_failed": -1,
                "compute_tflops": stage.bf16_tflops / stage.gpus if running else 0.0,
            },
        )

    def run(self) -> BuildOut:
        self.env.run(until=self.scenario.horizon)
        for stage in self.dispatcher.waiting:
            self._close_block(stage)
        for warehouse in self.warehouses.values():
            warehouse.account()
            self.waits["construction"] += warehouse.idle_gpu_days
        return self
