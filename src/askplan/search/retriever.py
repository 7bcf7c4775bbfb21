"""The four legs — BM25 over jieba words, BM25 over character bigrams, BM25 over pinyin bigrams, dense over
passages — each returning measures ranked best first, and their fusion. Where the legs are searched (FAISS +
bm25s, or Milvus) is the backend's business (``askplan.search.backends``); this code is the same for both."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from askplan.errors import AskplanError, IndexCorrupt
from askplan.index.store import FIX
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
        import faiss

        self.index, self.encoder, self.depth = index, encoder, depth
        self.backend = backend_for(index)
        self.n = len(index.measure_ids)
        self.token = getattr(index, "token", None)  # which build on disk this is (see askplan.index.layout.token)
        # One query searches best on one thread: FAISS's second OpenMP thread spins beside the query encoder and
        # made a Flat search over 36k passages 34-45 ms instead of 5 ms on two shared cores (bench/README.md).
        faiss.omp_set_num_threads(1)

    def legs(self, norm_query: str, allowed: np.ndarray | None = None) -> dict[str, LegResult]:
        """Each leg's ranking. A failure inside the index (not the model) is an ``IndexCorrupt``, so the web edge
        can mark the server not ready with the reason."""
        qvec = self.encoder.encode_queries([norm_query])
        try:
            out = {leg: self.backend.lexical(leg, norm_query, allowed, self.depth) for leg in LEXICAL_LEGS}
            out["dense"] = replace(self.backend.dense(qvec, allowed, self.depth), query=qvec[0])
            return out
        except AskplanError:  # the backend's own errors (a Milvus server down) keep their message
            raise
        except Exception as exc:  # noqa: BLE001 - the loaded index cannot answer: say which, name the fix
            store = getattr(self.index, "store", None)
            where = store.parent if store else "the index folder"
            raise IndexCorrupt(f"the index in {where} failed while answering ({type(exc).__name__}: {exc}); "
                               f"{FIX}") from exc

    def fuse(self, legs: dict[str, LegResult], weights: dict[str, float]) -> list[tuple[int, float]]:
        rankings = {name: [str(r) for r in leg.rows] for name, leg in legs.items()}
        return [(int(r), s) for r, s in rrf(rankings, weights)]
