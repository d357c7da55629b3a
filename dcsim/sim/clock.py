"""Waiting for calendar days, and the doorbell that wakes a sleeping process."""

from __future__ import annotations

import time

import simpy

#: Events between two looks at the clock: cheap, and well under a millisecond of work.
EVENTS_PER_CHECK = 256


class RunTimeout(Exception):
    """A run outlasted its wall-clock limit."""


def run_until(env: simpy.Environment, until: float, deadline: float | None = None) -> None:
    """``env.run(until=until)``, stopping with :class:`RunTimeout` once
    ``time.perf_counter()`` passes ``deadline``.

    The run steps the same events in the same order as ``env.run`` (those before ``until``;
    then ``env.run`` only moves the clock to ``until``), so a limit changes no result. The
    check is cooperative, between events: it works in any thread (Dask runs tasks off the
    main thread) and never interrupts library code half-way.
    """
    if deadline is None:
        env.run(until=until)
        return
    steps = 0
    while env.peek() < until:
        env.step()
        steps += 1
        if steps % EVENTS_PER_CHECK == 0 and time.perf_counter() > deadline:
            raise RunTimeout
    env.run(until=until)


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
