"""The constraint classes the model wires itself, one module each, in registry order.

The order is part of the contract: ``explain`` lists ties in it, ``constraint_gpu_days``
keeps its rows in it and ``binding_constraint`` breaks ties by it.
"""

from dcsim.constraints.builtin.air_permit import AIR_PERMIT
from dcsim.constraints.builtin.chips import CHIPS
from dcsim.constraints.builtin.commissioning import COMMISSIONING
from dcsim.constraints.builtin.construction import CONSTRUCTION
from dcsim.constraints.builtin.construction_crews import CONSTRUCTION_CREWS
from dcsim.constraints.builtin.equipment import EQUIPMENT
from dcsim.constraints.builtin.fuel_limit import FUEL_LIMIT
from dcsim.constraints.builtin.generation import GENERATION
from dcsim.constraints.builtin.grid import GRID
from dcsim.constraints.builtin.installation import INSTALLATION
from dcsim.constraints.builtin.installation_crews import INSTALLATION_CREWS
from dcsim.constraints.builtin.project_risk import PROJECT_RISK

BUILTIN = (
    GRID,
    GENERATION,
    EQUIPMENT,
    CONSTRUCTION,
    CHIPS,
    INSTALLATION_CREWS,
    CONSTRUCTION_CREWS,
    INSTALLATION,
    COMMISSIONING,
    AIR_PERMIT,
    FUEL_LIMIT,
    PROJECT_RISK,
)
