"""The three legs — BM25 over jieba words, BM25 over character bigrams, dense FAISS over passages — each
returning measures ranked best first, and their fusion."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from askplan.errors import IndexCorrupt
from askplan.index.store import FIX, LoadedIndex
from askplan.search.fusion import rrf
from askplan.tokenize import bigrams, pinyin_bigrams, words

LEGS = ("bm25_words", "bm25_bigrams", "bm25_pinyin", "dense")
DEFAULT_WEIGHTS = {"bm25_words": 1.0, "bm25_bigrams": 1.0, "bm25_pinyin": 0.5, "dense": 1.0}
MODES = {
    "hybrid": DEFAULT_WEIGHTS,
    "bm25": {"bm25_words": 1.0, "bm25_bigrams": 1.0, "bm25_pinyin": 0.5},
    "dense": {"dense": 1.0},
    # The plain baseline every report stands beside: equal-weight RRF of words, bigrams and dense, nothing else.
    "baseline": {"bm25_words": 1.0, "bm25_bigrams": 1.0, "dense": 1.0},
}


@dataclass(frozen=True)
class LegResult:
    rows: list[int]  # measure rows, best first
    scores: list[float]
    best_passage: dict[int, int] | None = None  # measure row -> passage index (dense leg)


class Retriever:
    def __init__(self, index: LoadedIndex, encoder, depth: int = 50):
        import faiss

        self.index, self.encoder, self.depth = index, encoder, depth
        self.n = len(index.measure_ids)
        self.token = index.token  # which build on disk this is (see askplan.index.layout.token)
        # One query searches best on one thread: FAISS's second OpenMP thread spins beside the query encoder and
        # made a Flat search over 36k passages 34-45 ms instead of 5 ms on two shared cores (bench/README.md).

        faiss.omp_set_num_threads(1)

    def legs(self, norm_query: str, allowed: np.ndarray | None = None) -> dict[str, LegResult]:
        """Each leg's ranking. A failure inside the index files (not the model) is an ``IndexCorrupt``, so the
        web edge can mark the server not ready with the reason."""
        qvec = self.encoder.encode_queries([norm_query])
        try:
            return {
                "bm25_words": self._bm25(self.index.bm25_words, words(norm_query), allowed),
                "bm25_bigrams": self._bm25(self.index.bm25_bigrams, bigrams(norm_query), allowed),
                "bm25_pinyin": self._bm25(self.index.bm25_pinyin, pinyin_bigrams(norm_query), allowed),
                "dense": self._dense(qvec, allowed),
            }
        except Exception as exc:  # noqa: BLE001 - the loaded index cannot answer: say which, name the fix
            store = self.index.store.parent if self.index.store else "the index folder"
            raise IndexCorrupt(f"the index in {store} failed while answering ({type(exc).__name__}: {exc}); "
                               f"{FIX}") from exc

    def fuse(self, legs: dict[str, LegResult], weights: dict[str, float]) -> list[tuple[int, float]]:
        rankings = {name: [str(r) for r in leg.rows] for name, leg in legs.items()}
        return [(int(r), s) for r, s in rrf(rankings, weights)]

    def _bm25(self, bm, tokens: list[str], allowed: np.ndarray | None) -> LegResult:
        tokens = [t for t in tokens if t in bm.vocab_dict]
        if not tokens:
            return LegResult([], [])
        scores = np.asarray(bm25_scores(bm, tokens), dtype=np.float64)
        return _top(scores, allowed, self.depth)

    def _dense(self, qvec: np.ndarray, allowed: np.ndarray | None) -> LegResult:
        k = min(self.index.faiss_index.ntotal, max(self.depth * 4, 200))
        sims, ids = self.index.faiss_index.search(qvec, k)
        best: dict[int, tuple[float, int]] = {}
        for sim, pid in zip(sims[0], ids[0], strict=True):
            if pid < 0:  # FAISS pads with -1 when fewer than k vectors exist
                continue
            row = self.index.passages[pid].measure_row
            if (allowed is None or allowed[row]) and (row not in best or sim > best[row][0]):
                best[row] = (float(sim), int(pid))
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))[: self.depth]
        return LegResult([r for r, _ in ranked], [s for _, (s, _) in ranked], {r: p for r, (_, p) in ranked})


def bm25_scores(bm, tokens: list[str]) -> np.ndarray:
    """``bm.get_scores(tokens)`` of bm25s, the same float32 sums in the same order, without ``np.add.at`` (9 ms a
    question over 100k measures): a token's postings name each document once, so a fancy-indexed add per token
    is exact."""
    data, indices, indptr = bm.scores["data"], bm.scores["indices"], bm.scores["indptr"]
    ids = bm.get_tokens_ids(tokens)
    scores = np.zeros(bm.scores["num_docs"], dtype=np.dtype(bm.dtype))
    for token in ids:
        start, end = indptr[token], indptr[token + 1]
        scores[indices[start:end]] += data[start:end]
    if bm.nonoccurrence_array is not None:
        scores += bm.nonoccurrence_array[ids].sum()
    return scores


def _top(scores: np.ndarray, allowed: np.ndarray | None, depth: int) -> LegResult:
    """The ``depth`` best positive scores, ties broken by row. Only rows scoring at least the depth-th best are
    sorted, so the cost in Python does not grow with the number of matching measures."""
    if allowed is not None:
        scores = np.where(allowed, scores, 0.0)
    rows = np.flatnonzero(scores > 0)
    if len(rows) > depth:
        bar = np.partition(scores[rows], len(rows) - depth)[len(rows) - depth]
        rows = rows[scores[rows] >= bar]
    order = rows[np.lexsort((rows, -scores[rows]))][:depth]
    return LegResult([int(i) for i in order], [float(scores[i]) for i in order])
