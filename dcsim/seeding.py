"""numpy's ``SeedSequence``, mixed one entropy word at a time so a shared prefix is mixed once.

``np.random.SeedSequence(entropy, spawn_key=key)`` hashes the 32-bit words of its entropy
(padded to the pool size when a spawn key follows) and then those of the key into a pool of
four words, in order, and a bit generator is seeded from that pool. Every stream of a run
shares its first words (the root seed, the replication, the stream's kind), so a
:class:`Mix` keeps the state after a prefix and :meth:`Mix.then` extends it by one number:
a stream then costs the mixing of its entity's word, not of the whole key. Streams asked for
together are seeded together (:meth:`Mix.generators`): the same arithmetic runs on arrays
with one lane per stream. The arithmetic is numpy's (its ``SeedSequence`` algorithm is part
of numpy's stream-compatibility promise), and the tests check the generators against
numpy's, bit for bit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from numpy.random.bit_generator import ISeedSequence

MASK = 0xFFFF_FFFF
POOL_SIZE = 4
#: The constants of numpy's SeedSequence: the hash of entropy into the pool (A), the hash
#: of the pool into the generator's state (B), and the mix of two words (L, R).
INIT_A, MULT_A = 0x43B0_D7E5, 0x931E_8875
INIT_B, MULT_B = 0x8B51_F9DD, 0x58F3_8DED
MIX_L, MIX_R = 0xCA01_F9DD, 0x4973_F715
#: 32-bit seeding words a PCG64 asks its seed sequence for (four 64-bit ones).
PCG64_WORDS = 8


def words(value: int) -> list[int]:
    """A non-negative integer as ``SeedSequence`` reads it: 32-bit words, lowest first
    (zero is one word)."""
    out = [value & MASK]
    value >>= 32
    while value:
        out.append(value & MASK)
        value >>= 32
    return out


class Mix:
    """The pool, and the running hash constant, after some entropy words."""

    __slots__ = ("hash_const", "pool")

    def __init__(self, pool: list[int], hash_const: int):
        self.pool, self.hash_const = pool, hash_const

    @classmethod
    def of_entropy(cls, entropy: int) -> Mix:
        """The state after a spawned ``SeedSequence``'s entropy: its words padded with
        zeros to the pool size, hashed into the pool, and the pool mixed with itself."""
        padded = words(entropy)
        padded += [0] * (POOL_SIZE - len(padded))
        pool, const = [], INIT_A
        for word in padded[:POOL_SIZE]:
            value = word ^ const
            const = const * MULT_A & MASK
            value = value * const & MASK
            pool.append(value ^ value >> 16)
        for source in range(POOL_SIZE):
            others = [target for target in range(POOL_SIZE) if target != source]
            const = _mix_in(pool, const, pool[source], others)
        return cls(pool, const)._then_words(padded[POOL_SIZE:])

    def then(self, value: int) -> Mix:
        """The state after also mixing in ``value`` (one spawn-key entry)."""
        return self._then_words(words(value))

    def _then_words(self, entropy: list[int]) -> Mix:
        pool, const = self.pool.copy(), self.hash_const
        for word in entropy:
            const = _mix_in(pool, const, word, range(POOL_SIZE))
        return Mix(pool, const)

    def generator(self) -> np.random.Generator:
        """``np.random.default_rng`` of the ``SeedSequence`` this state belongs to."""
        return _pcg64(np.array(_seeding_words(self.pool), "<u4"))

    def generators(self, values: Sequence[int]) -> list[np.random.Generator]:
        """For each of ``values`` (one word each: below 2**32), the generator of this state
        with it mixed in (``self.then(value).generator()``), all seeded at once: the
        arithmetic runs on arrays with a lane per value, which costs each about half. A
        single value is quicker on plain integers."""
        if len(values) == 1:
            return [self.then(values[0]).generator()]
        if any(value > MASK for value in values):
            raise ValueError("streams are seeded together by one-word values only")
        pool: list[Any] = self.pool.copy()
        _mix_in(pool, self.hash_const, np.array(values, np.uint64), range(POOL_SIZE))
        lanes = np.array(_seeding_words(pool), "<u4").T.copy()  # a row of words per value
        return [_pcg64(row) for row in lanes]


def _mix_in(pool: list[Any], const: int, word: Any, targets: Iterable[int]) -> int:
    """SeedSequence's ``hashmix`` of ``word`` mixed into each target pool word in turn
    (one loop, no calls: each stream pays this); returns the next hash constant. Words
    are integers, or uint64 arrays of them (whose products fit, and wrap alike mod 2**32)."""
    for target in targets:
        hashed = word ^ const
        const = const * MULT_A & MASK
        hashed = hashed * const & MASK
        mixed = (MIX_L * pool[target] - MIX_R * (hashed ^ hashed >> 16)) & MASK
        pool[target] = mixed ^ mixed >> 16
    return const


def _state_consts() -> tuple[tuple[int, int], ...]:
    """The constants the pool's words are hashed with into seeding words, in turn (the
    same for every pool)."""
    consts, const = [], INIT_B
    for _ in range(PCG64_WORDS):
        consts.append((const, const * MULT_B & MASK))
        const = consts[-1][1]
    return tuple(consts)


_STATE_CONSTS = _state_consts()


def _seeding_words(pool: list[Any]) -> list[Any]:
    """SeedSequence's ``generate_state``: the pool hashed into :data:`PCG64_WORDS` 32-bit
    seeding words (integers, or arrays of them as in :func:`_mix_in`)."""
    out = []
    for index, (before, after) in enumerate(_STATE_CONSTS):
        value = (pool[index % POOL_SIZE] ^ before) * after & MASK
        out.append(value ^ value >> 16)
    return out


def _pcg64(words: np.ndarray) -> np.random.Generator:
    """What ``np.random.default_rng`` makes of a seed sequence with these seeding words."""
    return np.random.Generator(np.random.PCG64(PoolSeed(words)))


class PoolSeed(ISeedSequence):
    """A mixed pool's seeding words, which a bit generator asks for as it would ask a
    ``SeedSequence`` (its ``generate_state``). It holds the :data:`PCG64_WORDS` a PCG64
    asks for, no more."""

    def __init__(self, words: np.ndarray):
        self.words = words  # little-endian uint32

    def generate_state(self, n_words: int, dtype: type = np.uint32) -> np.ndarray:
        wide = np.dtype(dtype) == np.uint64
        count = 2 * n_words if wide else n_words
        if count > len(self.words):
            raise ValueError(f"a pool's seed has {len(self.words)} 32-bit words, not {count}")
        if wide:  # a 64-bit word is two 32-bit ones, low first
            return self.words[:count].view("<u8").astype(np.uint64, copy=False)
        return self.words[:count].astype(np.uint32, copy=False)
