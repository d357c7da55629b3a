"""Named random streams: one SeedSequence per run, one child stream per process or entity.

A stream is addressed by ``(replication, STREAM_IDS[kind], crc32(entity))`` under the run's
root seed, so adding a process or an entity never shifts what another one draws, and
replication ``r`` of every point of a sweep shares the streams of every entity the points
have in common (common random numbers). ``crc32`` is used because ``hash()`` of a string
changes from one interpreter to the next.

A stream's generator is ``default_rng(SeedSequence(seed, spawn_key=key))``, bit for bit,
but its seeding is shared: the mix of the words every stream of a run has in common (seed,
replication, kind) is made once (:mod:`dcsim.seeding`), and each stream adds its entity's.
"""

from __future__ import annotations

import zlib
from functools import cached_property

import numpy as np

from dcsim.errors import UserInputError
from dcsim.seeding import Mix

#: Largest root seed: every seed is stored in int64 columns (runs.parquet).
MAX_SEED = 2**63 - 1


def check_seed(name: str, value: object) -> None:
    """A seed or replication index is a whole number from 0 to :data:`MAX_SEED` (what a
    ``SeedSequence`` takes); anything else is the user's to fix, in one line."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SEED:
        raise UserInputError(f"{name} {value!r}: expected a whole number from 0 to {MAX_SEED}")


#: Fixed table: never renumber, only append.
STREAM_IDS = {
    "interconnect": 1,
    "generator": 2,
    "equipment": 3,
    "hall": 4,
    "chip-order": 5,
    "stage": 6,
    "gpu-failures": 7,
    "equipment-outages": 8,
    "curtailment": 9,
    "fleet-site": 10,
    "queue": 11,
}


class RandomStreams:
    def __init__(self, seed: int, replication: int = 0):
        self.seed = seed
        self.replication = replication
        self._kinds: dict[int, Mix] = {}

    def stream(self, kind: str, entity: str) -> np.random.Generator:
        """The entity's generator, created on its first draw: an entity whose durations are
        all fixed never draws, and so never pays for its seeding."""
        crc = zlib.crc32(entity.encode("utf-8"))
        return _OnFirstDraw(self, STREAM_IDS[kind], crc)  # type: ignore[return-value]

    def generator(self, kind_id: int, entity_crc: int) -> np.random.Generator:
        """The generator of ``SeedSequence(seed, spawn_key=(replication, kind_id,
        entity_crc))``, from the mix of the run's and the kind's words, each made once."""
        mix = self._kinds.get(kind_id)
        if mix is None:
            mix = self._kinds[kind_id] = self._run_mix.then(kind_id)
        return mix.then(entity_crc).generator()

    @cached_property
    def _run_mix(self) -> Mix:
        return Mix.of_entropy(self.seed).then(self.replication)


class _OnFirstDraw:
    """Stands in for a ``numpy.random.Generator`` until something draws from it; the
    numbers are those of the generator it creates then, so laziness changes no bit. Each
    method asked for is kept on the stand-in, so later draws cost no extra lookup."""

    def __init__(self, streams: RandomStreams, kind_id: int, entity_crc: int):
        self._streams, self._kind_id, self._entity_crc = streams, kind_id, entity_crc
        self._rng: np.random.Generator | None = None

    def __getattr__(self, name: str):
        if self._rng is None:
            self._rng = self._streams.generator(self._kind_id, self._entity_crc)
        method = getattr(self._rng, name)
        setattr(self, name, method)
        return method
