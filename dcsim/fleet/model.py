"""A fleet run: every campus, region queue and vendor in one SimPy environment.

The fleet only wires: each site is a :class:`~dcsim.sim.model.BuildOut` on the shared
environment with its own named streams; a site in a region with a queue gets its grid
capacity from that queue, and orders of a chip some vendor makes are filled from that
vendor's shared output (a region with a large-load process gets it from that process
instead). Queues and vendors start after every site is wired, so each queue
knows all of its requests before it orders them. An owner's shared project shocks are
drawn first and handed to each of its sites (:mod:`dcsim.fleet.shared_risk`).
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from functools import partial

import numpy as np
import simpy

from dcsim.config.schema import ChipOrder, Interconnect
from dcsim.fleet.brownfield import existing_service
from dcsim.fleet.large_load import LargeLoadRegion
from dcsim.fleet.loader import SitePlan, fleet_day
from dcsim.fleet.queue import RegionQueue
from dcsim.fleet.schema import Fleet
from dcsim.fleet.shared_risk import share_owner_shocks
from dcsim.fleet.supply import SharedSupply
from dcsim.rng import RandomStreams
from dcsim.sim.model import BuildOut, ChipSource, GridSource
from dcsim.sim.power_system import PowerSystem
from dcsim.sim.supply import ChipLine
from dcsim.sim.trace import Trace


class SiteStreams(RandomStreams):
    """A site's streams: its entity names are prefixed with the site's, so two copies of
    one scenario draw differently, and each keeps its draws when sites are added."""

    def __init__(self, seed: int, replication: int, site: str):
        super().__init__(seed, replication)
        self.site = site

    def streams(self, kind: str, entities: Sequence[str]) -> list[np.random.Generator]:
        return super().streams(kind, [f"{self.site}/{entity}" for entity in entities])


class FleetRun:
    def __init__(self, fleet: Fleet, plans: list[SitePlan], seed: int = 0, replication: int = 0):
        self.env = env = simpy.Environment()
        streams = RandomStreams(seed, replication)
        if fleet.shared_risk:
            plans = share_owner_shocks(fleet.shared_risk, plans, streams)
        self.fleet, self.plans, self.seed = fleet, plans, seed
        day_of = partial(fleet_day, fleet)
        self.queues: dict[str, RegionQueue | LargeLoadRegion] = {}
        for region in fleet.regions:
            if region.queue is not None:
                rng = streams.stream("queue", region.name)
                self.queues[region.name] = RegionQueue(
                    env, region.name, region.queue, rng, fleet.horizon
                )
            elif region.large_load is not None:
                rng = streams.stream("queue", region.name)
                self.queues[region.name] = LargeLoadRegion(
                    env, region.name, region.large_load, rng, fleet.horizon, day_of
                )
        self.supplies = {vendor.chip: SharedSupply(env, vendor, day_of) for vendor in fleet.vendors}
        self.sites: list[BuildOut] = []
        for plan in plans:
            queue = self.queues.get(plan.region)
            self.sites.append(
                BuildOut(
                    plan.scenario,
                    seed,
                    replication,
                    env=env,
                    streams=SiteStreams(seed, replication, plan.name),
                    grid=queue and self._grid_source(queue, plan),
                    chips=self._chip_source(plan) if self.supplies else None,
                )
            )
        for queue in self.queues.values():
            queue.start()
        for supply in self.supplies.values():
            env.process(supply.run())

    def _grid_source(self, queue: RegionQueue | LargeLoadRegion, plan: SitePlan) -> GridSource:
        """The site's interconnects go through its region's process; the services of halls
        in powered shells are there from their date, outside it."""
        queued = queue.grid_source(plan.name, plan.request_day, plan.committed, plan.entered)
        if not plan.shells:
            return queued

        def connect(interconnect: Interconnect, power: PowerSystem, trace: Trace) -> Generator:
            if interconnect.name not in plan.shells:
                return queued(interconnect, power, trace)
            day = plan.scenario.day(interconnect.schedule[0].date)
            return existing_service(self.env, interconnect, day, power, trace)

        return connect

    def _chip_source(self, plan: SitePlan) -> ChipSource:
        buyers = {chip: s.buyer(plan.priority, plan.share) for chip, s in self.supplies.items()}

        def fill(order: ChipOrder, order_day: float, line: ChipLine, name: str):
            supply = self.supplies.get(order.chip)
            return supply and supply.order(buyers[order.chip], order, order_day, line)

        return fill

    def run(self) -> FleetRun:
        self.env.run(until=self.fleet.horizon)
        for site in self.sites:
            site.close()
        return self
