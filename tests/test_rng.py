"""Named streams are numpy's spawned SeedSequences, bit for bit, though seeded in steps."""

from __future__ import annotations

import zlib

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dcsim.rng import MAX_SEED, STREAM_IDS, RandomStreams
from dcsim.seeding import Mix, PoolSeed

#: Seeds and replications of every word count SeedSequence reads (one, two; zero is one).
WHOLE = st.one_of(st.sampled_from([0, 1, 2**32 - 1, 2**32, MAX_SEED]), st.integers(0, MAX_SEED))


def numpy_stream(seed: int, key: tuple[int, ...]) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


@settings(max_examples=300, derandomize=True)
@given(seed=WHOLE, replication=WHOLE, kind=st.sampled_from(sorted(STREAM_IDS)), entity=st.text())
def test_a_stream_is_numpys_spawned_seed_sequence(seed, replication, kind, entity):
    crc = zlib.crc32(entity.encode("utf-8"))
    expected = numpy_stream(seed, (replication, STREAM_IDS[kind], crc))
    streams = RandomStreams(seed, replication)
    generator = streams.generator(STREAM_IDS[kind], crc)
    assert generator.bit_generator.state == expected.bit_generator.state
    assert streams.stream(kind, entity).random(4).tolist() == expected.random(4).tolist()


@settings(max_examples=100, derandomize=True)
@given(seed=WHOLE, key=st.lists(WHOLE, min_size=1, max_size=4), words=st.integers(1, 12))
def test_a_mixed_pool_gives_seed_sequences_words(seed, key, words):
    mix = Mix.of_entropy(seed)
    for value in key:
        mix = mix.then(value)
    sequence = np.random.SeedSequence(seed, spawn_key=key)
    for dtype in (np.uint32, np.uint64):
        ours = PoolSeed(mix.pool).generate_state(words, dtype)
        assert ours.dtype == dtype
        assert ours.tolist() == sequence.generate_state(words, dtype).tolist()


def test_streams_of_one_kind_share_its_mix_but_not_their_numbers():
    streams = RandomStreams(7, 2)
    first, second = streams.stream("stage", "hall-a/1"), streams.stream("stage", "hall-a/2")
    assert first.random() != second.random()
    assert list(streams._kinds) == [STREAM_IDS["stage"]]
