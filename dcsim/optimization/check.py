"""Before a study starts: the base scenario, the ``set`` overrides and every decision are
checked against the schema, so that a mistake in the decision file is one line per problem
and exit status 2, never a study of failed trials.

As in a sweep (:mod:`dcsim.sweeps.plan`), a path that does not exist, a misspelt field and
a unit of the wrong kind are fatal wherever they appear; a *value* a scenario rejects at
one end of a range is not (that trial fails and the search moves on), unless the field it
names is one no decision can change.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from dcsim.config.loader import apply_overrides, read_yaml
from dcsim.errors import UserInputError
from dcsim.optimization.decisions import DecisionFile, Options
from dcsim.optimization.space import probes
from dcsim.sweeps.plan import fatal_problems


def prepare(decisions: DecisionFile, origin: str) -> tuple[dict[str, Any], str]:
    """The base scenario with ``set`` applied, and the hash that names this study: the
    decision file without ``trials`` and ``reevaluate`` (asking for more trials resumes
    the same study), and the base scenario's content."""
    base = _apply(read_yaml(decisions.base), decisions.set, f"{origin}: set")
    problems = []
    for name, decision in decisions.decisions.items():
        for path in _paths(name, decision):
            try:
                apply_overrides(base, {path: None})
            except UserInputError as error:
                problems += [
                    _reword(line, f"{origin}: decisions.{name}") for line in error.problems
                ]
    problems += _written_twice(decisions, origin)
    if problems:
        raise UserInputError(list(dict.fromkeys(problems)))
    moved = [path for name, d in decisions.decisions.items() for path in _paths(name, d)]
    for name, decision in decisions.decisions.items():
        for written in probes({name: decision}):  # the first value that fails says it
            found = fatal_problems(apply_overrides(base, written), f"{origin}: decisions.{name}")
            if found:
                problems += found
                break
    problems += fatal_problems(base, f"{origin} (applied to the base scenario)", moved=moved)
    if problems:
        raise UserInputError(list(dict.fromkeys(problems)))
    digest = hashlib.sha256(
        json.dumps(
            {
                "decisions": decisions.model_dump(
                    mode="json", exclude={"base", "trials", "reevaluate"}
                ),
                "base": base,
            },
            sort_keys=True,
            default=str,
        ).encode()
    ).hexdigest()
    return base, digest


def _paths(name: str, decision: Any) -> list[str]:
    """Scenario paths a decision writes: its own, those it scales, its options' paths."""
    if isinstance(decision, Options):
        return sorted({path for bundle in decision.options.values() for path in bundle})
    return [name, *getattr(decision, "scales", {})]


def _written_twice(decisions: DecisionFile, origin: str) -> list[str]:
    """A field two decisions write (or one writes inside what another writes) would take
    whichever was applied last, so the study's best would not be the scenario it ran: one
    meaning per field."""
    writers = [(path, name) for name, d in decisions.decisions.items() for path in _paths(name, d)]
    problems = []
    for number, (path, name) in enumerate(writers):
        for other, other_name in writers[number + 1 :]:
            if other_name != name and _overlap(path, other):
                problems.append(
                    f"{origin}: decisions.{other_name}: writes {other}, which decisions.{name} "
                    f"also writes ({path}); one field, one decision"
                )
    return problems


def _overlap(one: str, other: str) -> bool:
    """Whether two dotted paths write the same field or one holds the other."""
    a, b = one.split("."), other.split(".")
    return a[: len(b)] == b or b[: len(a)] == a


def _apply(raw: dict[str, Any], values: dict[str, Any], where: str) -> dict[str, Any]:
    try:
        return apply_overrides(raw, values)
    except UserInputError as error:
        raise UserInputError([_reword(line, where) for line in error.problems]) from None


def _reword(line: str, where: str) -> str:
    """``--set a.b: a: no such field`` as the decision file's line."""
    return f"{where}: {line.removeprefix('--set ').split(': ', 1)[-1]}"
