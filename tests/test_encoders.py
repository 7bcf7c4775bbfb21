"""The query batcher: concurrent callers each get their own vector, batches are formed, errors reach all."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from askplan.encoders import HashEncoder, QueryBatcher


def test_concurrent_callers_get_their_own_vectors():
    fake = HashEncoder(32)
    sizes: list[int] = []
    gate = threading.Event()

    def encode(texts):
        sizes.append(len(texts))
        gate.wait(1)  # hold the first batch so the others queue up behind it
        return fake.encode_queries(texts)

    batcher = QueryBatcher(encode)
    texts = [f"问题{i}碳达峰" for i in range(12)]
    results: dict[int, np.ndarray] = {}

    def ask(i):
        results[i] = batcher(texts[i])

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    threading.Event().wait(0.2)  # let every caller queue behind the held first batch
    gate.set()
    for t in threads:
        t.join(5)
    for i, text in enumerate(texts):
        np.testing.assert_allclose(results[i], fake.encode_queries([text])[0])
    assert sum(sizes) == 12 and len(sizes) < 12  # some calls were coalesced


def test_errors_reach_every_caller():
    def encode(texts):
        raise RuntimeError("model exploded")

    with pytest.raises(RuntimeError, match="exploded"):
        QueryBatcher(encode)("碳达峰")
