"""Named random streams: one SeedSequence per run, one child stream per process or entity.

A stream is addressed by ``(replication, STREAM_IDS[kind], crc32(entity))`` under the run's
root seed, so adding a process or an entity never shifts what another one draws, and
replication ``r`` of every point of a sweep shares the streams of every entity the points
have in common (common random numbers). ``crc32`` is used because ``hash()`` of a string
changes from one interpreter to the next.

A stream's generator is ``default_rng(SeedSequence(seed, spawn_key=key))``, bit for bit,
but its seeding is shared: the mix of the words every stream of a run has in common (seed,
replication, kind) is made once (:mod:`dcsim.seeding`), and each stream adds its entity's;
streams asked for together (a run's stages) are seeded together.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

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
    "constraint": 12,  # a plug-in constraint class: entity "<class>/<name>"
    "owner-risk": 13,  # a fleet's shock shared by one owner's sites: "<owner>/<index>:<kind>"
}


class RandomStreams:
    def __init__(self, seed: int, replication: int = 0):
        self.seed = seed
        self.replication = replication
        self._run_mix: Mix | None = None  # made on the first draw of the run
        self._kinds: dict[int, Mix] = {}

    def stream(self, kind: str, entity: str) -> np.random.Generator:
        """The entity's generator (see :meth:`streams`)."""
        return self.streams(kind, [entity])[0]

    def streams(self, kind: str, entities: Sequence[str]) -> list[np.random.Generator]:
        """The entities' generators, created on the first draw from any of them, all at
        once (seeded together, each costs about half). An entity whose durations are all
        fixed never draws, and so never pays for its seeding."""
        crcs = [zlib.crc32(entity.encode("utf-8")) for entity in entities]
        together = _Together(self, STREAM_IDS[kind], crcs)
        return [_OnFirstDraw(together, index) for index in range(len(crcs))]  # type: ignore[misc]

    def generators(self, kind_id: int, entity_crcs: Sequence[int]) -> list[np.random.Generator]:
        """The generators of ``SeedSequence(seed, spawn_key=(replication, kind_id, crc))``
        for each crc, from the mix of the run's and the kind's words, each made once."""
        mix = self._kinds.get(kind_id)
        if mix is None:
            if self._run_mix is None:
                self._run_mix = Mix.of_entropy(self.seed).then(self.replication)
            mix = self._kinds[kind_id] = self._run_mix.then(kind_id)
        return mix.generators(entity_crcs)


class _Together:
    """Streams asked for together, seeded at once on the first draw from any of them."""

    def __init__(self, streams: RandomStreams, kind_id: int, entity_crcs: list[int]):
        self._streams, self._kind_id, self._entity_crcs = streams, kind_id, entity_crcs
        self._made: list[np.random.Generator] | None = None

    def generator(self, index: int) -> np.random.Generator:
        if self._made is None:
            self._made = self._streams.generators(self._kind_id, self._entity_crcs)
        return self._made[index]


class _OnFirstDraw:
    """Stands in for a ``numpy.random.Generator`` until something draws from it; the
    numbers are those of the generator it creates then, so laziness changes no bit. Each
    method asked for is kept on the stand-in, so later draws cost no extra lookup."""

    def __init__(self, together: _Together, index: int):
        self._together, self._index = together, index
        self._rng: np.random.Generator | None = None

    def __getattr__(self, name: str):
        if self._rng is None:
            self._rng = self._together.generator(self._index)
        method = getattr(self._rng, name)
        setattr(self, name, method)
        return method
