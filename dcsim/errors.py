"""The one exception type the CLI turns into a clean message and exit status 2."""

from __future__ import annotations


class UserInputError(Exception):
    """Bad input from the user: a config, a CSV, a flag.

    Each entry of ``problems`` is one self-contained line (file, field path, what was
    expected), printed as is; nothing about the program's internals leaks to the user.
    """

    def __init__(self, problems: str | list[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class RunawayError(UserInputError):
    """A run that logged more events than a run may: the scenario's rates or horizon make
    it run away. Names the (event, entity) that logged most, the process to look at."""

    @classmethod
    def after(cls, events: list[tuple[float, str, str, float]], limit: int) -> RunawayError:
        """Built from the log (SimPy and pickling rebuild an exception from its message)."""
        from collections import Counter

        (event, entity), count = Counter((e[1], e[2]) for e in events).most_common(1)[0]
        return cls(
            f"run stopped after {limit:,} events at day {events[-1][0]:.1f}: {count:,} were "
            f"{event!r} of {entity!r}; lower that process's rate or shorten the horizon"
        )
