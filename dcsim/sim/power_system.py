"""The campus's power: what each source and piece of equipment can do now, and why.

Several processes act on one node (a schedule step and a curtailment window on an
interconnect; installation and overlapping outages on a transformer). They report their
facts through the methods here; each report re-derives the network's capacities from all
the facts, logs the new power levels, retires bridging generation the grid has made
redundant, and rings the controller's doorbell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dcsim.config.schema import Equipment, Interconnect, OnSiteGenerator
from dcsim.sim.clock import Doorbell
from dcsim.sim.events import EventName
from dcsim.sim.generation import Offer, merit_order, share_caps
from dcsim.sim.holds import SourceClaims
from dcsim.sim.ledger import Ledger
from dcsim.sim.trace import NO_CAUSE
from dcsim.topology import UNLIMITED_KW, PowerNetwork
from dcsim.units import to_kw


class PowerSystem:
    def __init__(
        self,
        network: PowerNetwork,
        interconnects: Sequence[Interconnect],
        generators: Sequence[OnSiteGenerator],
        equipment: Sequence[Equipment],
        planned_kw: Mapping[str, int],
        utilization: float,
        ledger: Ledger,
        doorbell: Doorbell,
        claims: SourceClaims | None = None,
    ):
        self.network = network
        self._generators = list(generators)
        self._generator_names = tuple(g.name for g in generators)
        self._generator_by_name = {g.name: g for g in generators}
        self._merit_order = sorted(generators, key=lambda g: (g.fuel_cost, g.name))
        self._planned_kw = dict(planned_kw)
        self._planned_total_kw = sum(self._planned_kw.values())
        self._utilization = utilization
        self._ledger = ledger
        self._doorbell = doorbell
        self.scheduled_kw = {ic.name: 0 for ic in interconnects}
        self._curtail_limits_kw: dict[str, list[int]] = {ic.name: [] for ic in interconnects}
        self._online: set[str] = set()
        self._retired: set[str] = set()
        self._installed: set[str] = set()
        self._outages = {eq.name: 0 for eq in equipment}
        self.energized_kw: dict[str, int] = dict.fromkeys(network.halls, 0)
        self.last_change = NO_CAUSE  # trace link of the latest change that added power
        #: Caps on the output of groups of generators (an air permit's, a fuel limit's), by
        #: (constraint class, group name): the generators and the kW they may share.
        self._caps: dict[tuple[str, str], tuple[tuple[str, ...], int]] = {}
        #: generator -> the class whose cap holds it below what it could run, and the kW cut
        self._cut: dict[str, tuple[str, int]] = {}
        self._claims = claims
        #: fuel node -> the class whose limit it carries
        self._fuel_class: dict[str, str] = {}

    # -- what processes report -----------------------------------------------------------
    def interconnect_step(self, name: str, capacity_mw: float, link: int) -> None:
        self.scheduled_kw[name] = to_kw(capacity_mw)
        self._refresh(EventName.INTERCONNECT_STEP, name, capacity_mw, link)

    def curtailment_start(self, name: str, limit_mw: float) -> None:
        self._curtail_limits_kw[name].append(to_kw(limit_mw))
        self._refresh(EventName.CURTAILMENT_START, name, limit_mw)

    def curtailment_end(self, name: str, limit_mw: float, link: int) -> None:
        self._curtail_limits_kw[name].remove(to_kw(limit_mw))
        self._refresh(EventName.CURTAILMENT_END, name, limit_mw, link)

    def generator_online(self, generator: OnSiteGenerator, link: int) -> None:
        self._online.add(generator.name)
        self._refresh(EventName.GENERATOR_ONLINE, generator.name, generator.capacity, link)

    def cap_generators(
        self, constraint: str, group: str, generators: Sequence[str], mw: float | None, link: int
    ) -> None:
        """From now on ``generators`` together run at most ``mw`` (None: this cap is lifted).
        ``link`` (the trace link of the change) is the cause a stage admitted by a raised
        cap names; while a cap holds a running generator below what it could run, a source
        shortfall is charged to ``constraint`` (as for a held generator)."""
        before = self._caps.get((constraint, group))
        if mw is None:
            self._caps.pop((constraint, group), None)
        else:
            self._caps[(constraint, group)] = (tuple(generators), to_kw(mw))
        raised = mw is None or (before is not None and to_kw(mw) > before[1])
        if link != NO_CAUSE and raised:
            self.last_change = link
        changed = self._apply_generators(EventName.GENERATOR_CAPPED)
        if self._fuel_class:
            self._claim_fuel()  # a capped burner changes what the fuel withholds
        if changed:
            self._doorbell.ring()

    def limit_fuel(self, constraint: str, fuel: str, mw: float | None, link: int) -> None:
        """From now on fuel node ``fuel`` delivers at most ``mw`` (None: unlimited) to the
        generators it feeds; max flow decides which of them burn it. ``link`` is the cause
        a stage admitted by a raised limit names; while the limit is below what those
        generators could run, a source shortfall may be charged to ``constraint``."""
        kw = UNLIMITED_KW if mw is None else to_kw(mw)
        raised = kw > self.network.fuel_kw[fuel]
        self._fuel_class[fuel] = constraint
        self.network.set_fuel(fuel, kw)
        if link != NO_CAUSE and raised:
            self.last_change = link
        self._claim_fuel()
        self._log(EventName.FUEL_LIMITED, fuel, kw / 1000)
        self._doorbell.ring()

    def equipment_in_service(self, equipment: Equipment, link: int) -> None:
        self._installed.add(equipment.name)
        self._refresh(EventName.EQUIPMENT_IN_SERVICE, equipment.name, equipment.capacity, link)

    def outage_start(self, name: str, days: float) -> None:
        self._outages[name] += 1
        self._refresh(EventName.EQUIPMENT_OUTAGE, name, days)

    def outage_end(self, name: str, days: float, link: int) -> None:
        self._outages[name] -= 1
        self._refresh(EventName.EQUIPMENT_RESTORED, name, days, link)

    def load_changed(self, hall: str, delta_kw: int) -> None:
        """A stage at ``hall`` started (or stopped) drawing ``delta_kw`` of facility load."""
        self.energized_kw[hall] += delta_kw

    # -- derived ---------------------------------------------------------------------------
    @property
    def curtailed(self) -> bool:
        return any(self._curtail_limits_kw.values())

    def bridging(self) -> dict[str, float]:
        """On-site generation carries what the grid alone cannot deliver to the energized
        load, dispatched in merit order of fuel cost (no levels at all without
        generators)."""
        if not self._generators:
            return {}
        load_kw = sum(self.energized_kw.values())
        grid_kw = self.network.max_flow_kw(self.energized_kw, without=self._generator_names)
        shortfall_mw = max(0.0, (load_kw - grid_kw) * self._utilization / 1000)
        offers = [
            Offer(self.network.source_kw[g.name] / 1000, g.fuel_cost, g.emissions)
            for g in self._merit_order
        ]
        return merit_order(shortfall_mw, offers)

    def _generator_kw(self, generator: OnSiteGenerator) -> int:
        if generator.name not in self._online or generator.name in self._retired:
            return 0
        return running_kw(generator)

    def _apply_generators(self, event: EventName | None = None) -> bool:
        """Give every generator what the caps leave it (they share one fuel or permit, so a
        change to one may move another), logging ``event`` for each that changed, and
        claim each one a cap holds below what it could run; returns whether any changed."""
        wanted = {g.name: self._generator_kw(g) for g in self._merit_order}
        caps = sorted(self._caps.items(), key=lambda item: (len(item[1][0]), item[0]))
        running, cut = share_caps(wanted, [(c, names, kw) for (c, _), (names, kw) in caps])
        withheld = {
            name: (constraint, wanted[name] - running[name]) for name, constraint in cut.items()
        }
        changed = False
        for name, kw in running.items():
            if kw != self.network.source_kw[name]:
                changed = True
                self.network.set_source(name, kw)
                if event is not None:
                    self._log(event, name, kw / 1000)
        return self._claim(withheld) or changed

    def _claim(self, cut: dict[str, tuple[str, int]]) -> bool:
        """Claim each generator a cap holds below what it could run, with the class of the
        cap and the kW it withholds; release the ones no longer cut."""
        if self._claims is None or cut == self._cut:
            return False
        for name in self._cut.keys() - cut.keys():
            self._claims.release(name)
        for name, (constraint, kw) in cut.items():
            self._claims.hold(name, constraint, kw)
        self._cut = cut
        return True

    def _claim_fuel(self) -> None:
        """Claim each limited fuel node whose generators could run more than it delivers,
        with the kW it withholds (lifting it adds them to the node); release the rest."""
        if self._claims is None:
            return
        network = self.network
        for fuel, constraint in self._fuel_class.items():
            could_kw = sum(network.source_kw[name] for name in network.fuel_burners[fuel])
            withheld_kw = could_kw - network.fuel_kw[fuel]
            if withheld_kw > 0:
                self._claims.hold(fuel, constraint, withheld_kw)
            elif self._claims.holds(fuel):
                self._claims.release(fuel)

    def _apply(self, name: str) -> None:
        """Give node ``name`` the capacity its facts now add up to; only the node a fact is
        about can change, so a power event costs the same on a campus of any size (save
        on-site generation under a cap, which is re-shared as a whole)."""
        network = self.network
        if self._caps and name in self._generator_by_name:
            self._apply_generators()
        elif name in self.scheduled_kw:
            network.set_source(name, min([self.scheduled_kw[name], *self._curtail_limits_kw[name]]))
        elif name in self._generator_by_name:
            network.set_source(name, self._generator_kw(self._generator_by_name[name]))
        else:
            network.set_in_service(name, name in self._installed and self._outages[name] == 0)

    def _refresh(
        self, event: EventName, entity: str, amount: float, link: int | None = None
    ) -> None:
        """``link`` is the trace link of a change that can let a waiting stage in (a
        step, equipment in service, an outage or curtailment ending); a change that only
        takes power away has none."""
        if link is not None:
            self.last_change = link
        self._apply(entity)
        self._log(event, entity, amount)
        for generator in self._generators_to_retire():
            self._retired.add(generator.name)
            self._apply(generator.name)
            self._log(EventName.GENERATOR_RETIRED, generator.name, generator.capacity)
        if self._fuel_class:
            self._claim_fuel()
        self._doorbell.ring()

    def _generators_to_retire(self) -> list[OnSiteGenerator]:
        """Online generators that may retire, once the grid alone carries the whole planned
        campus (every stage of every hall), not just today's load: retiring earlier would
        strand stages still to come."""
        candidates = [
            g
            for g in self._generators
            if g.retire_when_grid_ready and g.name in self._online and g.name not in self._retired
        ]
        if not candidates:
            return []
        grid_kw = self.network.max_flow_kw(self._planned_kw, without=self._generator_names)
        return candidates if grid_kw >= self._planned_total_kw else []

    def _log(self, event: EventName, entity: str, amount: float) -> None:
        source_kw, grid = self.network.source_kw, self.scheduled_kw  # keyed by interconnect
        grid_kw = sum(kw for name, kw in source_kw.items() if name in grid)
        local_kw = self.network.supply_kw() - grid_kw  # fuelled generators within their fuel
        self._ledger.record(
            event,
            entity,
            amount,
            assign={
                "interconnect_mw": grid_kw / 1000,
                "generation_mw": local_kw / 1000,
                "deliverable_mw": self.network.deliverable_kw() / 1000,
                "curtailment_active": float(self.curtailed),
                **self.bridging(),
            },
        )


def running_kw(generator: OnSiteGenerator) -> int:
    """What a generator runs once online, before any cap: its available capacity, within
    its permit limit."""
    running = generator.capacity * generator.availability
    return to_kw(min(running, generator.permit_limit or running))
