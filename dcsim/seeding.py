"""numpy's ``SeedSequence``, mixed one entropy word at a time so a shared prefix is mixed once.

``np.random.SeedSequence(entropy, spawn_key=key)`` hashes the 32-bit words of its entropy
(padded to the pool size when a spawn key follows) and then those of the key into a pool of
four words, in order, and a bit generator is seeded from that pool. Every stream of a run
shares its first words (the root seed, the replication, the stream's kind), so a
:class:`Mix` keeps the state after a prefix and :meth:`Mix.then` extends it by one number:
a stream then costs the mixing of its entity's word, not of the whole key. The arithmetic is
numpy's (its ``SeedSequence`` algorithm is part of numpy's stream-compatibility promise),
and the tests check the generators against numpy's, bit for bit.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import numpy as np
from numpy.random.bit_generator import ISeedSequence

MASK = 0xFFFF_FFFF
POOL_SIZE = 4
#: The constants of numpy's SeedSequence: the hash of entropy into the pool (A), the hash
#: of the pool into the generator's state (B), and the mix of two words (L, R).
INIT_A, MULT_A = 0x43B0_D7E5, 0x931E_8875
INIT_B, MULT_B = 0x8B51_F9DD, 0x58F3_8DED
MIX_L, MIX_R = 0xCA01_F9DD, 0x4973_F715


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
        return np.random.Generator(np.random.PCG64(PoolSeed(self.pool)))


def _mix_in(pool: list[int], const: int, word: int, targets: Iterable[int]) -> int:
    """SeedSequence's ``hashmix`` of ``word`` mixed into each target pool word in turn
    (one loop, no calls: each stream pays this); returns the next hash constant."""
    for target in targets:
        hashed = word ^ const
        const = const * MULT_A & MASK
        hashed = hashed * const & MASK
        mixed = (MIX_L * pool[target] - MIX_R * (hashed ^ hashed >> 16)) & MASK
        pool[target] = mixed ^ mixed >> 16
    return const


@cache
def _state_consts(count: int) -> tuple[tuple[int, int], ...]:
    """The constants the pool's words are hashed with into ``count`` seeding words: the
    same for every pool, so made once."""
    consts, const = [], INIT_B
    for _ in range(count):
        consts.append((const, const * MULT_B & MASK))
        const = consts[-1][1]
    return tuple(consts)


class PoolSeed(ISeedSequence):
    """A mixed pool, which a bit generator asks for its seeding words like a
    ``SeedSequence`` (its ``generate_state``)."""

    def __init__(self, pool: list[int]):
        self.pool = pool

    def generate_state(self, n_words: int, dtype: type = np.uint32) -> np.ndarray:
        wide = np.dtype(dtype) == np.uint64
        out = []
        for index, (before, after) in enumerate(_state_consts(2 * n_words if wide else n_words)):
            value = (self.pool[index % POOL_SIZE] ^ before) * after & MASK
            out.append(value ^ value >> 16)
        state = np.array(out, "<u4")  # a 64-bit word is two 32-bit ones, low first
        return (
            state.view("<u8").astype(np.uint64, copy=False)
            if wide
            else state.astype(np.uint32, copy=False)
        )
