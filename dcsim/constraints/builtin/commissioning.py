"""A stage's own commissioning once it is granted power."""

from dcsim.constraints.base import ConstraintClass

COMMISSIONING = ConstraintClass(
    name="commissioning",
    meaning="A stage granted power for the first time is commissioned before it carries load.",
    relaxing="commissioning takes no time",
    attribution="",
    gates="a stage's energization (`sim/controller.py`)",
    links="a stage's commissioning: power granted → energized",
    relax_as="commissioning",
    trace_kind="commissioning",
    own_step=True,
)
