"""Limits every sweep run is held to."""

#: Default wall-clock limit of one run of a sweep, in seconds; a run past it is recorded
#: as failed and the sweep goes on.
TIME_LIMIT_S = 600.0
