"""Electrical equipment: substations, large power transformers, switchgear."""

from dcsim.constraints.base import ConstraintClass


def _has_equipment(scenario) -> bool:
    return bool(scenario.equipment)


EQUIPMENT = ConstraintClass(
    name="equipment",
    meaning="Equipment between the sources and a hall not yet in service (or an N-1 test "
    "failing), while the sources alone would carry the stage.",
    relaxing="every piece of equipment in service on day 0 (outages still happen)",
    attribution="a stage's GPUs × the time it waited for power when the network *would* "
    "carry it with every piece of equipment in service (equipment not yet delivered or "
    "installed, or an N-1 test failing)",
    gates="power admission, through each piece's lifecycle and outages (`sim/power.py`, "
    "`sim/outages.py`)",
    links="order to delivery, installation; an outage: order date → delivery → in service",
    relax_as="equipment",
    trace_kind="equipment",
    kpi_row="equipment",
    present=_has_equipment,
)
