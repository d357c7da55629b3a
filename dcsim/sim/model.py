"""The build-out model: it builds the shared pieces and wires the processes to them.

Each process receives only what it waits on and what it changes (the environment, the
ledger, the power system, a warehouse, a crew pool, the controller), typed. The model holds
no decision logic of its own: power is decided by :mod:`dcsim.sim.admission` and
:mod:`dcsim.sim.power_system`, stages move by their own methods, the arithmetic of every
ledger change lives in :mod:`dcsim.sim.changes` and :mod:`dcsim.sim.generation`, and the
processes are wired by subject in :mod:`dcsim.sim.wiring`. Plug-in constraint classes
(:mod:`dcsim.constraints`) are wired last, through :class:`dcsim.sim.plugins.PluginWiring`.
"""

from __future__ import annotations

import simpy

from dcsim.config.catalog import catalog_with
from dcsim.config.schema import Scenario
from dcsim.constraints import ConstraintClass, relaxable
from dcsim.constraints.registry import plugins
from dcsim.rng import RandomStreams
from dcsim.sim.admission import Dispatcher
from dcsim.sim.clock import Doorbell, run_until
from dcsim.sim.controller import EnergizationController
from dcsim.sim.failures import GpuFaults
from dcsim.sim.holds import Hold, Pause, SourceClaims
from dcsim.sim.ledger import Ledger
from dcsim.sim.plugins import PluginWiring
from dcsim.sim.power_system import PowerSystem
from dcsim.sim.stage import Stage, plan_stages
from dcsim.sim.stranded import StrandedAccount
from dcsim.sim.supply import Warehouse
from dcsim.sim.trace import Trace
from dcsim.sim.wiring import (
    ChipSource,
    GridSource,
    Site,
    wire_construction,
    wire_equipment,
    wire_generation,
    wire_grid,
    wire_installation,
    wire_supply,
)
from dcsim.topology import PowerNetwork
from dcsim.units import to_kw

__all__ = ["BuildOut", "ChipSource", "GridSource"]


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
        self.chips = catalog_with(scenario.chips)
        self.ledger = Ledger(lambda: env.now)
        self.stranded = StrandedAccount()
        self.trace = Trace()
        self.stages: list[Stage] = plan_stages(
            scenario, self.chips, lambda names: self.streams.streams("stage", names), self.relaxed
        )
        self.planned_gpus = sum(stage.gpus for stage in self.stages)
        self._gpu_faults = GpuFaults(env, scenario.gpu_failures, self.streams, self.ledger)
        self._build_power()
        used = {stage.chip for stage in self.stages} | {o.chip for o in scenario.chip_orders}
        self.warehouses = {chip: Warehouse(env) for chip in sorted(used)}  # ~10 us each
        self._start_processes(grid, chips)

    def _build_power(self) -> None:
        """The network (each hall's sink never below its stages' rounded-up loads), the
        admission logic, the power system and the controller that rings between them."""
        scenario = self.scenario
        planned_kw = {hall.name: 0 for hall in scenario.halls}  # every stage, per hall
        for stage in self.stages:
            planned_kw[stage.hall] += stage.facility_kw
        hall_kw = {
            hall.name: max(to_kw(hall.facility_capacity_mw), planned_kw[hall.name])
            for hall in scenario.halls
        }
        self.network = PowerNetwork(scenario.power_graph(), hall_kw)
        energization, utilization = scenario.energization, scenario.economics.utilization
        self.dispatcher = Dispatcher(self.network, energization.policy, energization.n_minus_1)
        doorbell = Doorbell(self.env)
        self.claims = SourceClaims(doorbell)
        self.power = PowerSystem(
            self.network,
            scenario.grid.interconnects,
            scenario.grid.generators,
            scenario.equipment,
            planned_kw,
            utilization,
            self.ledger,
            doorbell,
            self.claims,
        )
        self.controller = EnergizationController(
            self.env,
            self.dispatcher,
            self.power,
            self.ledger,
            self.stranded,
            doorbell,
            utilization,
            self.trace,
            on_first_energized=self._gpu_faults.first_energized,
            claims=self.claims,
        )

    def _start_processes(self, grid: GridSource | None, chips: ChipSource | None) -> None:
        """Processes are created in a fixed order, subject by subject, so same-time ties
        always break alike; plug-ins come last, so they never reorder the built-in ones."""
        site = Site(
            env=self.env,
            scenario=self.scenario,
            streams=self.streams,
            relaxed=self.relaxed,
            ledger=self.ledger,
            trace=self.trace,
            power=self.power,
            stranded=self.stranded,
        )
        site.start(self.controller.run())
        wire_grid(site, grid)
        generator_holds = wire_generation(site, self.claims)
        wire_equipment(site)
        hall_ready, hall_pauses = wire_construction(site)
        wire_supply(site, self.warehouses, self.chips, chips)
        stage_holds = wire_installation(
            site,
            self.stages,
            hall_ready,
            self.warehouses,
            self.controller,
            self._gpu_faults.burn_in,
        )
        for constraint in plugins():
            constraint.wire(
                self._plugin_wiring(constraint, stage_holds, generator_holds, hall_pauses)
            )

    def _plugin_wiring(
        self,
        constraint: ConstraintClass,
        stage_holds: dict[str, list[Hold]],
        generator_holds: dict[str, list[Hold]],
        hall_pauses: dict[str, list[Pause]],
    ) -> PluginWiring:
        return PluginWiring(
            constraint,
            env=self.env,
            scenario=self.scenario,
            relaxed=self.relaxed,
            stages=self.stages,
            stage_holds=stage_holds,
            generator_holds=generator_holds,
            hall_pauses=hall_pauses,
            trace=self.trace,
            stranded=self.stranded,
            streams=self.streams,
            power=self.power,
        )

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
