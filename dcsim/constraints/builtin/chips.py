"""Chip supply: order lead times, batch intervals and the vendor's cap."""

from dcsim.constraints.base import ConstraintClass

CHIPS = ConstraintClass(
    name="chips",
    meaning="A stage whose hall is ready waits for enough chips to be delivered.",
    relaxing="every batch on site on day 0, no vendor cap",
    attribution="a stage's GPUs × the time it waited at the warehouse for chips (hall "
    "ready, not enough delivered)",
    gates="a stage's installation (`sim/stage_lifecycle.py`), through chip orders and the "
    "vendor cap (`sim/supply.py`)",
    links="a batch in transit; a wait for the vendor's monthly output: order date → landed "
    "→ shipped",
    relax_as="chips",
    trace_kind="chips",
    kpi_row="chips",
)
