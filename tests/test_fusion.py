from __future__ import annotations

import pytest

from askplan.search.fusion import RRF_K, rrf


def test_rrf_scores_by_hand():
    fused = dict(rrf({"x": ["a", "b"], "y": ["b", "c"]}))
    assert fused["b"] == pytest.approx(1 / (RRF_K + 2) + 1 / (RRF_K + 1))
    assert fused["a"] == pytest.approx(1 / (RRF_K + 1))
    assert fused["c"] == pytest.approx(1 / (RRF_K + 2))


def test_rrf_orders_by_score_then_id():
    fused = rrf({"x": ["b", "a"], "y": ["a", "b"]})
    assert [item for item, _ in fused] == ["a", "b"]  # equal scores: ties broken by id


def test_rrf_weights_and_zero_weight_legs():
    fused = rrf({"x": ["a"], "y": ["b"]}, weights={"x": 2.0, "y": 0.0})
    assert fused == [("a", pytest.approx(2 / (RRF_K + 1)))]


def test_top_matches_a_full_sort_with_ties() -> None:
    import numpy as np

    from askplan.search.retriever import _top

    rng = np.random.default_rng(7)
    for trial in range(200):
        n = int(rng.integers(1, 400))
        scores = rng.integers(0, 6, size=n).astype(np.float64)  # many ties and zeros
        allowed = rng.random(n) > 0.3 if trial % 2 else None
        depth = int(rng.integers(1, 60))
        masked = np.where(allowed, scores, 0.0) if allowed is not None else scores
        expected = sorted((i for i in range(n) if masked[i] > 0), key=lambda i: (-masked[i], i))[:depth]
        got = _top(scores, allowed, depth)
        assert got.rows == expected
        assert got.scores == [float(masked[i]) for i in expected]


def test_top_over_float32_scores_equals_top_over_their_float64_copy() -> None:
    """The BM25 legs rank their float32 sums as they are (a float64 copy of a million scores a leg was dropped):
    the same rows and the same score values, with ties and a document filter."""
    import numpy as np

    from askplan.search.backends import top_rows

    rng = np.random.default_rng(11)
    for trial in range(200):
        n = int(rng.integers(1, 400))
        scores = (rng.integers(0, 8, size=n) * rng.random() * 3).astype(np.float32)
        allowed = rng.random(n) > 0.3 if trial % 2 else None
        depth = int(rng.integers(1, 60))
        wide, narrow = top_rows(scores.astype(np.float64), allowed, depth), top_rows(scores, allowed, depth)
        assert (narrow.rows, narrow.scores) == (wide.rows, wide.scores)
        assert all(type(s) is float for s in narrow.scores)
