"""A stage's own installation and burn-in."""

from dcsim.constraints.base import ConstraintClass

INSTALLATION = ConstraintClass(
    name="installation",
    meaning="A stage's own racking and burn-in, which follow whatever it waited for before.",
    relaxing="installation and burn-in take no time",
    attribution="",
    gates="a stage's request for power (`sim/stage_lifecycle.py`)",
    links="a stage's installation, burn-in: crew free → ready for power",
    relax_as="installation",
    trace_kind="installation",
    own_step=True,
)
