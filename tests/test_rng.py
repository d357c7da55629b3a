"""Named streams are numpy's spawned SeedSequences, bit for bit, though seeded in steps."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dcsim.rng import MAX_SEED, STREAM_IDS, RandomStreams
from dcsim.seeding import PCG64_WORDS, Mix, PoolSeed

#: Seeds and replications of every word count SeedSequence reads (one, two; zero is one).
WHOLE = st.one_of(st.sampled_from([0, 1, 2**32 - 1, 2**32, MAX_SEED]), st.integers(0, MAX_SEED))


def numpy_stream(seed: int, key: tuple[int, ...]) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


@settings(max_examples=200, derandomize=True)
@given(
    seed=WHOLE,
    replication=WHOLE,
    kind=st.sampled_from(sorted(STREAM_IDS)),
    entities=st.lists(st.text(), min_size=1, max_size=6),
)
def test_streams_are_numpys_spawned_seed_sequences(seed, replication, kind, entities):
    """Alone or asked for together, each stream draws what numpy's would."""
    together = RandomStreams(seed, replication).streams(kind, entities)
    for entity, stream in zip(entities, together, strict=True):
        crc = zlib.crc32(entity.encode("utf-8"))
        expected = numpy_stream(seed, (replication, STREAM_IDS[kind], crc))
        alone = RandomStreams(seed, replication).stream(kind, entity)
        assert alone.bit_generator.state == expected.bit_generator.state
        draws = expected.random(4).tolist()
        assert stream.random(4).tolist() == draws
        assert alone.random(4).tolist() == draws


@settings(max_examples=100, derandomize=True)
@given(seed=WHOLE, key=st.lists(WHOLE, min_size=1, max_size=4))
def test_a_mixed_pool_gives_seed_sequences_words(seed, key):
    mix = Mix.of_entropy(seed)
    for value in key:
        mix = mix.then(value)
    sequence = np.random.SeedSequence(seed, spawn_key=key)
    seed_words = mix.generator().bit_generator.seed_seq
    assert isinstance(seed_words, PoolSeed)
    for words, dtype in ((PCG64_WORDS, np.uint32), (PCG64_WORDS // 2, np.uint64)):
        for count in range(1, words + 1):
            ours = seed_words.generate_state(count, dtype)
            assert ours.dtype == dtype
            assert ours.tolist() == sequence.generate_state(count, dtype).tolist()
    with pytest.raises(ValueError, match="32-bit words"):
        seed_words.generate_state(PCG64_WORDS + 1)


def test_streams_of_one_kind_share_its_mix_but_not_their_numbers():
    streams = RandomStreams(7, 2)
    first, second = streams.stream("stage", "hall-a/1"), streams.stream("stage", "hall-a/2")
    assert first.random() != second.random()
    assert list(streams._kinds) == [STREAM_IDS["stage"]]


def test_only_one_word_values_are_seeded_together():
    with pytest.raises(ValueError, match="one-word"):
        Mix.of_entropy(1).generators([1, 2**32])
