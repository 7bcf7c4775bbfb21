"""Where the legs are searched: a small ``SearchBackend`` protocol with two implementations.

- ``FaissBm25Backend``: today's FAISS file + three bm25s indexes in the index folder (the default);
- ``askplan.search.milvus_search.MilvusIndex``: the same passages, vectors and lexical fields in Milvus
  (milvus-lite embedded, or a server/cluster), for corpora that outgrow one machine.

Both answer each leg with a ``LegResult`` (measure rows best first, ties broken by row), so tokenising questions,
fusion, answerability and everything above them are the same code whichever backend the manifest names.
``open_index`` and ``build_for`` read the manifest (or the chosen backend) and dispatch.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from askplan.corpus.loader import Corpus
from askplan.errors import AskplanError
from askplan.index.passages import PassageTable
from askplan.index.store import LEXICAL, LoadedIndex, Manifest, bm25_scores, read_manifest

log = logging.getLogger(__name__)
BACKENDS = ("faiss", "milvus")


@dataclass(frozen=True)
class LegResult:
    rows: list[int]  # measure rows, best first
    scores: list[float]
    best_passage: dict[int, int] | None = None  # measure row -> passage index (dense leg)
    # The dense leg's query vector (set by the retriever): the answerability scorer reads the question through it.
    query: np.ndarray | None = field(default=None, compare=False, repr=False)


class SearchBackend(Protocol):
    """What the retriever and the link table need from a built index. Row i is measure i of the corpus."""

    manifest: Manifest
    measure_ids: list[str]

    @property
    def passages(self) -> PassageTable: ...

    def lexical(self, leg: str, text: str, allowed: np.ndarray | None, depth: int) -> LegResult:
        """BM25 leg ``leg`` (a key of ``store.LEXICAL``) over normalised ``text``: the ``depth`` best measures."""

    def dense(self, qvec: np.ndarray, allowed: np.ndarray | None, depth: int) -> LegResult:
        """The ``depth`` measures whose best passage is nearest ``qvec`` (inner product)."""

    def passage_vectors(self) -> np.ndarray:
        """Every passage vector, row j = passage j."""

    def lexical_scores(self, leg: str, text: str, rows: list[int]) -> np.ndarray:
        """BM25 scores of ``text`` for the measures ``rows`` (0 where nothing matches), in that order."""


class FaissBm25Backend:
    """The default backend: FAISS over passages and bm25s over measures, all in the index folder."""

    def __init__(self, index: LoadedIndex):
        self.index, self.manifest, self.measure_ids = index, index.manifest, index.measure_ids

    @property
    def passages(self) -> PassageTable:
        return self.index.passages

    def lexical(self, leg: str, text: str, allowed: np.ndarray | None, depth: int) -> LegResult:
        bm = getattr(self.index, leg)
        tokens = [t for t in LEXICAL[leg](text) if t in bm.vocab_dict]
        if not tokens:
            return LegResult([], [])
        return top_rows(bm25_scores(bm, tokens), allowed, depth)  # float32 as summed: the order and each chosen
        # score are the same as over a float64 copy, which cost ~0.3 ms a leg at 1,000,000 measures

    def dense(self, qvec: np.ndarray, allowed: np.ndarray | None, depth: int) -> LegResult:
        k = min(self.index.faiss_index.ntotal, max(depth * 4, 200))
        sims, ids = self.index.faiss_index.search(qvec, k)
        rows = np.where(ids[0] >= 0, self.index.passages.rows[np.maximum(ids[0], 0)], -1).tolist()
        return best_per_measure(sims[0], ids[0], rows, allowed, depth)

    def passage_vectors(self) -> np.ndarray:
        return self.index.faiss_index.reconstruct_n(0, self.index.faiss_index.ntotal)

    def lexical_scores(self, leg: str, text: str, rows: list[int]) -> np.ndarray:
        bm = getattr(self.index, leg)
        tokens = [t for t in LEXICAL[leg](text) if t in bm.vocab_dict]
        if not tokens:
            return np.zeros(len(rows), dtype=np.float64)
        return np.asarray(bm.get_scores(tokens), dtype=np.float64)[rows]


def backend_for(index) -> SearchBackend:
    """The backend over a loaded index: FAISS + bm25s for a ``LoadedIndex``; a Milvus index is its own."""
    return FaissBm25Backend(index) if isinstance(index, LoadedIndex) else index


def top_rows(scores: np.ndarray, allowed: np.ndarray | None, depth: int) -> LegResult:
    """The ``depth`` best positive scores, ties broken by row. Only rows scoring at least the depth-th best are
    sorted, so the cost in Python does not grow with the number of matching measures."""
    if allowed is not None:
        scores = np.where(allowed, scores, scores.dtype.type(0))
    rows = np.flatnonzero(scores > 0)
    if len(rows) > depth:
        bar = np.partition(scores[rows], len(rows) - depth)[len(rows) - depth]
        rows = rows[scores[rows] >= bar]
    order = rows[np.lexsort((rows, -scores[rows]))][:depth]
    return LegResult([int(i) for i in order], [float(scores[i]) for i in order])


def best_per_measure(sims, pids, rows, allowed: np.ndarray | None, depth: int) -> LegResult:
    """Passage hits (similarity, passage id, measure row; id -1 = padding) -> each measure's best passage,
    measures ranked by it, ties broken by row."""
    best: dict[int, tuple[float, int]] = {}
    for sim, pid, row in zip(sims, pids, rows, strict=True):
        if pid < 0:  # FAISS pads with -1 when fewer than k vectors exist
            continue
        if (allowed is None or allowed[row]) and (row not in best or sim > best[row][0]):
            best[row] = (float(sim), int(pid))
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))[:depth]
    return LegResult([r for r, _ in ranked], [s for _, (s, _) in ranked], {r: p for r, (_, p) in ranked})


def open_index(index_dir: Path, corpus: Corpus, model: str, *, milvus_uri: str | None = None,
               hashed: Path | None = None):
    """The built index the manifest in ``index_dir`` describes, checked against ``corpus`` and ``model``.
    ``milvus_uri`` (``--milvus-uri`` / ``ASKPLAN_MILVUS_URI``) overrides where a Milvus index is read from;
    ``hashed`` keeps which store files were hashed already (``load_index``)."""
    manifest = read_manifest(index_dir)
    if manifest.backend == "milvus":
        from askplan.search.milvus_search import MilvusIndex

        return MilvusIndex.open(index_dir, manifest, corpus, model, uri=milvus_uri)
    from askplan.index.store import load_index

    return load_index(index_dir, corpus, model, hashed=hashed)


def chosen_backend(index_dir: Path, backend: str | None, milvus_uri: str | None) -> tuple[str, str | None]:
    """The backend and Milvus URI of a build: those given, else the existing index's (a rebuild keeps them),
    else FAISS."""
    try:
        manifest = read_manifest(index_dir)
    except AskplanError:  # none yet, or damaged: rebuilt with the default
        manifest = None
    same = manifest is not None and manifest.backend == (backend or manifest.backend)
    return (backend or (manifest.backend if manifest else "faiss"),
            milvus_uri or (manifest.backend_uri or None if same else None))


def build_for(backend: str, corpus: Corpus, encoder, index_dir: Path, *, factory: str = "auto",
              milvus_uri: str | None = None, progress: bool = False, lock=None) -> Manifest:
    """Build the index with ``backend`` ("faiss" or "milvus"), under ``lock`` (the build lock) when given."""
    if backend == "milvus":
        from askplan.index.milvus_store import build_milvus

        dense = "HNSW" if factory.upper().startswith("HNSW") else "FLAT"  # exact unless HNSW was asked for
        return build_milvus(corpus, encoder, index_dir, uri=milvus_uri, dense_index=dense, progress=progress,
                            lock=lock)
    from askplan.index.store import build_index

    return build_index(corpus, encoder, index_dir, factory=factory, progress=progress, lock=lock)
