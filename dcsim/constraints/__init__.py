"""Constraint classes: each declared once, every list and table derived from it.

Public API (see ``docs/adding-a-constraint.md``)::

    from dcsim.constraints import ConstraintClass, Wiring, plugin, register

    def wire(run: Wiring) -> None: ...          # start processes, hold stages, charge waits
    PERMIT = plugin("permit", "...", relaxing="...", attribution="...", gates="...",
                    links="...", wire=wire)
    register(PERMIT)                            # or an entry point "dcsim.constraints"
"""

from dcsim.constraints.base import NO_LINK, ConstraintClass, Wiring, plugin
from dcsim.constraints.registry import (
    classes,
    constraint_kinds,
    kpi_columns,
    kpi_rows,
    own_step_kinds,
    register,
    relaxable,
    stranded_rows,
    unregister,
)

__all__ = [
    "NO_LINK",
    "ConstraintClass",
    "Wiring",
    "classes",
    "constraint_kinds",
    "kpi_columns",
    "kpi_rows",
    "own_step_kinds",
    "plugin",
    "register",
    "relaxable",
    "stranded_rows",
    "unregister",
]
