"""The registered constraint classes, and every list derived from them.

Built-in classes come first, in :data:`dcsim.constraints.builtin.BUILTIN` order; then
plug-ins, found two ways:

- an installed package names a :class:`~dcsim.constraints.base.ConstraintClass` under the
  entry-point group ``dcsim.constraints`` (``[project.entry-points."dcsim.constraints"]``
  ``air_permit = "mypkg.permit:AIR_PERMIT"``): the CLI, and every worker process of a sweep,
  load it on first use;
- a script calls :func:`register` (this process only: a sweep on a process pool started
  by ``spawn`` does not see it; use an entry point there).

Every derived list is a function, not a constant, so a plug-in registered after import is
seen by the next run.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import EntryPoint, entry_points

from dcsim.constraints.base import ConstraintClass
from dcsim.constraints.builtin import BUILTIN
from dcsim.errors import UserInputError

ENTRY_POINT_GROUP = "dcsim.constraints"
#: The stranded-GPU row of chips that sit unasked for while no stage waits on anything.
IDLE_CHIPS_ROW = "construction"

_registered: list[ConstraintClass] = []
_entry_points: list[ConstraintClass] | None = None  # loaded on first use


def register(constraint: ConstraintClass) -> ConstraintClass:
    """Add a plug-in class for this process; returns it (usable as ``X = register(...)``).
    Refuses a name, relax name or KPI row that another class already claims."""
    if not isinstance(constraint, ConstraintClass):
        raise TypeError(f"expected a ConstraintClass, got {type(constraint).__name__}")
    _check_new(constraint, classes())
    _registered.append(constraint)
    return constraint


def unregister(name: str) -> None:
    """Take a class added by :func:`register` away again (tests, notebooks)."""
    _registered[:] = [c for c in _registered if c.name != name]


def classes() -> tuple[ConstraintClass, ...]:
    """Every registered class: built-in, entry points, then :func:`register`ed ones."""
    global _entry_points
    if _entry_points is None:
        loaded: list[ConstraintClass] = []
        for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
            loaded.append(_load(point, (*BUILTIN, *loaded)))
        _entry_points = loaded
    return (*BUILTIN, *_entry_points, *_registered)


def _load(point: EntryPoint, known: tuple[ConstraintClass, ...]) -> ConstraintClass:
    """An installed plug-in class, or one line naming the entry point and the package to
    fix: a broken plug-in stops every command, so it must say where it comes from."""
    where = f"constraint plug-in {point.name} = {point.value} (entry point {ENTRY_POINT_GROUP}"
    where += f" of {point.dist.name})" if point.dist is not None else ")"
    try:
        found = point.load()
    except Exception as error:  # an installed package may raise anything on import
        raise UserInputError(
            f"{where}: cannot be loaded ({type(error).__name__}: {error}); fix or uninstall it"
        ) from None
    if not isinstance(found, ConstraintClass):
        raise UserInputError(
            f"{where}: is a {type(found).__name__}, not a ConstraintClass; fix or uninstall it"
        )
    try:
        _check_new(found, known)
    except ValueError as error:
        raise UserInputError(f"{where}: {error}; fix or uninstall it") from None
    return found


def _check_new(constraint: ConstraintClass, known: tuple[ConstraintClass, ...]) -> None:
    """A new class may share a ranked row (two kinds of crew wait add up in ``crews``),
    but never take a name, relax name or trace kind in use, or another class's own row."""
    words = {c.name for c in known} | {c.kpi_row for c in known} | {c.relax_as for c in known}
    shared_rows = {c.kpi_row for c in known if c.kpi_row is not None}
    clashes = [
        ("name", constraint.name in words),
        ("relax_as", constraint.relax_as in words - {None, constraint.name}),
        ("kpi_row", constraint.kpi_row in words - shared_rows - {None, constraint.name}),
        ("trace_kind", constraint.trace_kind in {c.trace_kind for c in known} - {None}),
    ]
    for field, clash in clashes:
        if clash:
            value = getattr(constraint, field)
            raise ValueError(f"constraint class {constraint.name}: {field} {value!r} is taken")


def plugins() -> tuple[ConstraintClass, ...]:
    """The registered classes that wire themselves into a run."""
    return tuple(c for c in classes() if c.wire is not None)


def relaxable() -> tuple[str, ...]:
    """What ``explain`` and ``BuildOut(relaxed=...)`` may take away, in registry order."""
    return tuple(c.relax_as for c in classes() if c.relax_as is not None)


def _unique(names) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


def stranded_rows() -> tuple[str, ...]:
    """The rows of ``constraint_gpu_days`` that ``binding_constraint`` ranks, in order."""
    return _unique(c.kpi_row for c in classes() if c.kpi_row is not None)


def kpi_rows(among: Sequence[ConstraintClass] | None = None) -> tuple[str, ...]:
    """Every row of ``constraint_gpu_days`` (of the classes ``among``, or all registered):
    the ranked ones, then each class reported on its own row besides a shared one
    (``installation_crews`` besides ``crews``)."""
    among = classes() if among is None else among
    ranked = (c.kpi_row for c in among if c.kpi_row is not None)
    return _unique((*ranked, *(row for c in among for row in c.kpi_rows)))


def constraint_kinds() -> tuple[str, ...]:
    """Trace kinds of waits on a constraint (what ``date_set_by`` may name)."""
    return _unique(c.trace_kind for c in classes() if c.trace_kind and not c.own_step)


def own_step_kinds() -> tuple[str, ...]:
    """Trace kinds of a stage's own steps, which follow whatever it waited for."""
    return _unique(c.trace_kind for c in classes() if c.trace_kind and c.own_step)


def kpi_columns(among: Sequence[ConstraintClass] | None = None) -> tuple[str, ...]:
    """The sweep columns of ``constraint_gpu_days`` (``constraint_gpu_days.grid``, ...)."""
    return tuple(f"constraint_gpu_days.{row}" for row in kpi_rows(among))
