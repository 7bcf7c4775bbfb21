"""The four legs — BM25 over jieba words, BM25 over character bigrams, BM25 over pinyin bigrams, dense over
passages — each returning measures ranked best first, and their fusion. Where the legs are searched (FAISS +
bm25s, or Milvus) is the backend's business (``askplan.search.backends``); this code is the same for both."""

from __future__ import annotations

import numpy as np

from askplan.search.backends import LegResult, backend_for, top_rows
from askplan.search.fusion import rrf

__all__ = ["DEFAULT_WEIGHTS", "LEGS", "MODES", "LegResult", "Retriever"]

LEGS = ("bm25_words", "bm25_bigrams", "bm25_pinyin", "dense")
LEXICAL_LEGS = LEGS[:3]
DEFAULT_WEIGHTS = {"bm25_words": 1.0, "bm25_bigrams": 1.0, "bm25_pinyin": 0.5, "dense": 1.0}
MODES = {
    "hybrid": DEFAULT_WEIGHTS,
    "bm25": {"bm25_words": 1.0, "bm25_bigrams": 1.0, "bm25_pinyin": 0.5},
    "dense": {"dense": 1.0},
    # The plain baseline every report stands beside: equal-weight RRF of words, bigrams and dense, nothing else.
    "baseline": {"bm25_words": 1.0, "bm25_bigrams": 1.0, "dense": 1.0},
}
_top = top_rows  # kept for callers of the former private name


class Retriever:
    def __init__(self, index, encoder, depth: int = 50):
        """``index``: a loaded index of either backend (``open_index``)."""
        self.index, self.encoder, self.depth = index, encoder, depth
        self.backend = backend_for(index)
        self.n = len(index.measure_ids)

    def legs(self, norm_query: str, allowed: np.ndarray | None = None) -> dict[str, LegResult]:
        out = {leg: self.backend.lexical(leg, norm_query, allowed, self.depth) for leg in LEXICAL_LEGS}
        out["dense"] = self.backend.dense(self.encoder.encode_queries([norm_query]), allowed, self.depth)
        return out

    def fuse(self, legs: dict[str, LegResult], weights: dict[str, float]) -> list[tuple[int, float]]:
        rankings = {name: [str(r) for r in leg.rows] for name, leg in legs.items()}
        return [(int(r), s) for r, s in rrf(rankings, weights)]
