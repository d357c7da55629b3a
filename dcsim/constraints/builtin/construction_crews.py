"""Construction crews: a hall waits for a crew before it breaks ground."""

from dcsim.constraints.base import ConstraintClass

CONSTRUCTION_CREWS = ConstraintClass(
    name="construction_crews",
    meaning="A hall's ground-breaking waits for a construction crew to free up.",
    relaxing="",  # taken away with `construction` (no crew limit)
    attribution="for a hall that waited for a construction crew, the hall's planned GPUs × "
    "that wait (delivered or not); also added to the `crews` row",
    gates="hall construction (`sim/construction.py`)",
    links="a hall's wait for a construction crew, recorded as a `construction` link",
    trace_kind="construction",
    kpi_row="crews",
)
