"""Installation crews: who racks a stage's servers once its chips are on hand."""

from dcsim.constraints.base import ConstraintClass

INSTALLATION_CREWS = ConstraintClass(
    name="installation_crews",
    meaning="A stage with its hall and chips waits for an installation crew to free up.",
    relaxing="unlimited installation crews",
    attribution="a stage's GPUs × the time it waited for an installation crew; also added "
    "to the `crews` row",
    gates="a stage's installation (`sim/stage_lifecycle.py`)",
    links="a stage's wait for an installation crew: asked → crew free",
    # `crews` is the name explain, the critical path and scripts have always used
    relax_as="crews",
    trace_kind="crews",
    kpi_row="crews",
)
