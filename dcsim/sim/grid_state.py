"""What each source and piece of equipment can do right now, and why.

Several processes act on the same node (a schedule step and a curtailment window on an
interconnect; installation and overlapping outages on a transformer). They record their
facts here, and :meth:`GridState.apply` derives the network's capacities from all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dcsim.config.schema import Scenario
from dcsim.topology import PowerNetwork
from dcsim.units import to_kw


@dataclass
class GridState:
    scenario: Scenario
    scheduled_kw: dict[str, int] = field(default_factory=dict)  # interconnect schedule
    curtail_limits_kw: dict[str, list[int]] = field(default_factory=dict)  # active windows
    generators_online: set[str] = field(default_factory=set)
    generators_retired: set[str] = field(default_factory=set)
    installed: set[str] = field(default_factory=set)  # equipment installed
    outages: dict[str, int] = field(default_factory=dict)  # active outages per equipment

    def __post_init__(self) -> None:
        for interconnect in self.scenario.grid.interconnects:
            self.scheduled_kw[interconnect.name] = 0
            self.curtail_limits_kw[interconnect.name] = []
        self.outages = {equipment.name: 0 for equipment in self.scenario.equipment}

    @property
    def curtailed(self) -> bool:
        return any(self.curtail_limits_kw.values())

    def generator_kw(self, name: str) -> int:
        if name not in self.generators_online or name in self.generators_retired:
            return 0
        spec = next(g for g in self.scenario.grid.generators if g.name == name)
        running = spec.capacity * spec.availability
        return to_kw(min(running, spec.permit_limit or running))

    def apply(self, network: PowerNetwork) -> None:
        for name, kw in self.scheduled_kw.items():
            network.set_source(name, min([kw, *self.curtail_limits_kw[name]]))
        for generator in self.scenario.grid.generators:
            network.set_source(generator.name, self.generator_kw(generator.name))
        for name, count in self.outages.items():
            network.set_in_service(name, name in self.installed and count == 0)
