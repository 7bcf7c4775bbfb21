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
