"""Hall construction: shell and fit-out."""

from dcsim.constraints.base import ConstraintClass

CONSTRUCTION = ConstraintClass(
    name="construction",
    meaning="A hall not yet built and fitted out, so its stages cannot take their chips.",
    relaxing="every hall ready on day 0, no construction-crew limit",
    attribution="GPU-days that chips sat in a warehouse while no stage was asking for them "
    "because the first stage (in plan order) yet to take chips waited for its hall; chips "
    "left over once every stage has taken its own are counted here too",
    gates="a stage's start (`sim/stage_lifecycle.py`), through the hall's construction "
    "(`sim/construction.py`)",
    links="shell, fit-out: ground-breaking → hall ready",
    relax_as="construction",
    trace_kind="construction",
    kpi_row="construction",
)
