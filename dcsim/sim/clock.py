"""Waiting for calendar days, and the doorbell that wakes a sleeping process."""

from __future__ import annotations

import simpy


def until(env: simpy.Environment, day: float) -> simpy.Timeout:
    """Wait until an absolute day (at once if it is already past, e.g. before day 0)."""
    return env.timeout(max(0.0, day - env.now))


class Doorbell:
    """Wakes one sleeping process; any number of rings before it wakes count as one, so
    the sleeper handles all that happened at one moment in one pass and nothing polls."""

    def __init__(self, env: simpy.Environment):
        self._env = env
        self._rung = env.event()

    def ring(self) -> None:
        if not self._rung.triggered:
            self._rung.succeed()

    def wait(self) -> simpy.Event:
        """The event to yield; the next ring after it fires wakes the sleeper again."""
        return self._rung

    def rearm(self) -> None:
        """Called by the sleeper once it has woken, before it looks at what changed."""
        self._rung = self._env.event()
