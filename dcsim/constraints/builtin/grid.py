"""The grid: utility interconnect capacity (and every source of power, for attribution)."""

from dcsim.constraints.base import ConstraintClass

GRID = ConstraintClass(
    name="grid",
    meaning="Not enough source capacity (interconnects and on-site generation together) to "
    "carry a stage that is ready for power.",
    relaxing="every interconnect at its largest scheduled level from day 0, no slip",
    attribution="a stage's GPUs × the time it waited for power when the network could not "
    "carry it even with every piece of equipment in service (not enough source capacity, "
    "on-site generation included)",
    gates="power admission (`sim/admission.py`), through interconnect schedules and "
    "curtailments (`sim/power.py`, `sim/outages.py`)",
    links="interconnect step *k*: planned date → `due_k` (its slip is the draw); a "
    "curtailment window",
    relax_as="grid",
    trace_kind="grid",
    kpi_row="grid",
)
