"""The query batcher: concurrent callers each get their own vector, batches are formed, errors reach all."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from askplan.encoders import HashEncoder, QueryBatcher


def _ask_concurrently(batcher, texts, fake, *, stagger: float = 0.0, pause=None, released=None) -> None:
    """Each text asked from a thread of its own (``stagger`` seconds apart, each after ``pause()`` seconds);
    ``released`` runs once all have started. Every caller must finish and get its own text's vector."""
    results: dict[int, np.ndarray] = {}

    def ask(i):
        if pause is not None:
            threading.Event().wait(pause())
        results[i] = batcher(texts[i])

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(texts))]
    for t in threads:
        t.start()
        if stagger:
            threading.Event().wait(stagger)
    if released is not None:
        released()
    for t in threads:
        t.join(20)
    assert all(not t.is_alive() for t in threads)
    for i, text in enumerate(texts):
        np.testing.assert_allclose(results[i], fake.encode_queries([text])[0])


def test_concurrent_callers_get_their_own_vectors():
    fake = HashEncoder(32)
    sizes: list[int] = []
    gate = threading.Event()

    def encode(texts):
        sizes.append(len(texts))
        gate.wait(1)  # hold the first batch so the others queue up behind it
        return fake.encode_queries(texts)

    def release():
        threading.Event().wait(0.2)  # let every caller queue behind the held first batch
        gate.set()

    _ask_concurrently(QueryBatcher(encode), [f"问题{i}碳达峰" for i in range(12)], fake, released=release)
    assert sum(sizes) == 12 and len(sizes) < 12  # some calls were coalesced


def test_errors_reach_every_caller():
    def encode(texts):
        raise RuntimeError("model exploded")

    with pytest.raises(RuntimeError, match="exploded"):
        QueryBatcher(encode)("碳达峰")


@pytest.mark.parametrize("parallel", [1, 2, 3])
def test_at_most_parallel_batches_run_at_once_and_every_caller_gets_its_vector(parallel):
    # the engine releases the GIL: a server may embed one batch a core while its Python threads wait
    fake = HashEncoder(32)
    lock = threading.Lock()
    running, most, sizes = [0], [0], []
    gate = threading.Event()

    def encode(texts):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
            sizes.append(len(texts))
        gate.wait(0.3)  # hold the first batches so the rest queue and later batches overlap
        with lock:
            running[0] -= 1
        return fake.encode_queries(texts)

    # callers arrive one after another, as requests do
    _ask_concurrently(QueryBatcher(encode, parallel=parallel), [f"问题{i}长三角" for i in range(24)], fake,
                      stagger=0.005, released=gate.set)
    assert sum(sizes) == 24 and most[0] == parallel  # batches overlapped up to the bound, never beyond it


@pytest.mark.parametrize("parallel", [1, 2])
def test_many_callers_arriving_at_random_all_get_their_vectors_and_every_engine_is_freed(parallel):
    # the engine passes from a finished batch to a queued caller; a lost or doubled hand-over would hang callers
    # or leave engines counted as busy
    import random

    fake = HashEncoder(16)
    rng = random.Random(7)

    def encode(texts):
        threading.Event().wait(rng.random() * 0.003)
        return fake.encode_queries(texts)

    batcher = QueryBatcher(encode, max_batch=5, parallel=parallel)
    _ask_concurrently(batcher, [f"第{i}个问题" for i in range(300)], fake, pause=lambda: rng.random() * 0.05)
    assert batcher._running == 0 and batcher._pending == []
