"""The Milvus backend, search side: ``MilvusIndex`` answers the legs from the collections the aliases name
(see ``askplan.index.milvus_store``), with the same ``LegResult`` ranking rules as FAISS + bm25s: positive BM25
scores only, each measure's best passage for the dense leg, ties broken by row.

Milvus's BM25 uses bm25s's parameters (k1 1.5, b 0.75, IDF ln(1 + (N - df + .5)/(df + .5)), a repeated query
token counted twice) over the same tokens. Its term weight is tf·(k1+1)/(tf + k1·(1-b+b·dl/avgdl)), bm25s's
("lucene") drops the constant (k1+1): scores are divided by it, so both backends report the same numbers and
rank alike. What remains: float32 rounding, and on milvus-lite per-segment statistics were a collection to span
several segments (``milvus_store.connect`` raises its memtable limit so that a build is one segment).
"""

from __future__ import annotations

import logging
from functools import cached_property
from pathlib import Path

import numpy as np

from askplan.corpus.loader import Corpus
from askplan.errors import BackendUnavailable, IndexStale
from askplan.index import integrity, layout
from askplan.index.layout import MANIFEST
from askplan.index.milvus_store import BM25_K1, FIX, SCHEMA_VERSION, alias_base, connect, field_text, resolve_uri
from askplan.index.passages import PassageTable
from askplan.index.store import Manifest, check_manifest, read_measure_ids, read_passages
from askplan.search.backends import LegResult, best_per_measure

log = logging.getLogger(__name__)
MAX_RANGES = 64  # an allowed mask of more runs than this is sent as an explicit row list
_NOT_FOUND = 100  # Milvus's code for a missing collection or alias
_NOT_LOADED = 101  # a collection not loaded (milvus-lite forgets what was loaded when it restarts)


class MilvusIndex:
    """A loaded Milvus index: satisfies ``askplan.search.backends.SearchBackend``."""

    def __init__(self, manifest: Manifest, measure_ids: list[str], index_dir: Path, client, uri: str):
        self.manifest, self.measure_ids, self.index_dir = manifest, measure_ids, index_dir
        self.client, self.uri = client, uri
        self.base = alias_base(manifest.corpus_fingerprint, manifest.model)
        self.collections: dict[str, str] = {}
        self.lexical_mode = "askplan"
        self.store: Path | None = None  # the index folder's store it was opened from (askplan.index.layout)
        self.token: str | None = None

    @classmethod
    def open(cls, index_dir: Path, manifest: Manifest, corpus: Corpus, model: str, *,
             uri: str | None = None) -> MilvusIndex:
        """Check the manifest and id file against the corpus, connect, resolve the aliases and check what the
        collections hold. ``uri`` overrides the manifest's (replicas may reach Milvus by another address)."""
        check_manifest(manifest, corpus, model)
        store = layout.resolve(index_dir)
        if store is None:
            raise IndexStale(f"no index folder in {index_dir}; {FIX}")
        manifest_raw = (store / MANIFEST).read_bytes()
        if manifest.files:
            integrity.check_store(store, manifest_raw, manifest.files)
        try:
            ids = read_measure_ids(store)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexStale(f"the index in {index_dir} is damaged ({type(exc).__name__}: {exc}); {FIX}") from None
        if ids != list(corpus.ids):
            raise IndexStale(f"the index files in {index_dir} disagree with the corpus; {FIX}")
        uri = resolve_uri(uri or manifest.backend_uri, index_dir)
        index = cls(manifest, ids, index_dir, connect(uri), uri)
        index.store, index.token = store, layout.token_of(store)
        index.pin()
        return index

    def pin(self) -> None:
        """Resolve both aliases to their collections now, check them and load them."""
        found = {}
        for kind in ("m", "p"):
            alias = f"{self.base}_{kind}"
            try:
                found[kind] = self.client.describe_alias(alias)["collection_name"]
                info = self.client.describe_collection(found[kind])
            except Exception as exc:  # noqa: BLE001
                raise self._missing(alias, exc) from None
            self._check(found[kind], info.get("properties") or {})
            self.lexical_mode = (info.get("properties") or {}).get("askplan.lexical", "askplan")
            self._call(self.client.load_collection, found[kind])
        self.collections = found

    def _check(self, name: str, props: dict) -> None:
        m = self.manifest
        if props.get("askplan.schema") != SCHEMA_VERSION:
            raise IndexStale(f"the Milvus collection {name} at {self.uri} has schema version "
                             f"{props.get('askplan.schema')!r}; this askplan reads version {SCHEMA_VERSION}; {FIX}")
        expected = {"askplan.fingerprint": m.corpus_fingerprint, "askplan.model": m.model,
                    "askplan.measures": str(m.measures), "askplan.passages": str(m.passages)}
        wrong = [k.split(".")[1] for k, v in expected.items() if props.get(k) != v]
        if wrong:
            raise IndexStale(f"the Milvus collection {name} at {self.uri} does not match the index folder "
                             f"({', '.join(wrong)} differ); {FIX}")

    def _missing(self, alias: str, exc: Exception) -> Exception:
        if getattr(exc, "code", None) == _NOT_FOUND or "not exist" in str(exc):
            return IndexStale(f"the Milvus collection {alias} is missing at {self.uri} (dropped, or another "
                              f"server?); {FIX}")
        return _unavailable(self.uri, exc)

    @cached_property
    def passages(self) -> PassageTable:
        return read_passages(self.store, mmap=False)

    def lexical(self, leg: str, text: str, allowed: np.ndarray | None, depth: int) -> LegResult:
        query, expr = field_text(leg, text, self.lexical_mode), row_filter("row", allowed)
        if not query.strip() or expr is False:
            return LegResult([], [])
        hits = self._search("m", query, f"{leg}_sparse", {"metric_type": "BM25"},
                            min(depth * 2, self.manifest.measures), expr, ["row"])
        # milvus-lite reports BM25 as a negative distance, a server as a positive score
        ranked = sorted((-abs(h.distance) / (BM25_K1 + 1), int(h.id)) for h in hits if h.distance != 0)[:depth]
        return LegResult([r for _, r in ranked], [-s for s, _ in ranked])

    def dense(self, qvec: np.ndarray, allowed: np.ndarray | None, depth: int) -> LegResult:
        expr = row_filter("measure_row", allowed)
        if expr is False:
            return LegResult([], [])
        k = min(self.manifest.passages, max(depth * 4, 200))
        hits = self._search("p", np.asarray(qvec[0], dtype=np.float32).tolist(), "vector",
                            {"metric_type": "IP", "params": {"ef": max(k, 64)}}, k, expr, ["measure_row"])
        sims = [float(h.distance) for h in hits]
        pids = [int(h.id) for h in hits]
        return best_per_measure(sims, pids, [int(h["entity"]["measure_row"]) for h in hits], None, depth)

    def passage_vectors(self) -> np.ndarray:
        out = np.zeros((self.manifest.passages, self.manifest.dim), dtype=np.float32)
        iterator = self._call(self.client.query_iterator, self.collections["p"], batch_size=1000,
                              filter="pid >= 0", output_fields=["vector"])
        try:
            while batch := self._call(iterator.next):
                for rec in batch:
                    out[int(rec["pid"])] = rec["vector"]
        finally:
            iterator.close()
        return out

    def lexical_scores(self, leg: str, text: str, rows: list[int]) -> np.ndarray:
        out = np.zeros(len(rows), dtype=np.float64)
        query = field_text(leg, text, self.lexical_mode)
        if not rows or not query.strip():
            return out
        mask = np.zeros(self.manifest.measures, dtype=bool)
        mask[rows] = True
        hits = self._search("m", query, f"{leg}_sparse", {"metric_type": "BM25"}, len(rows),
                            row_filter("row", mask), ["row"])
        where = {r: i for i, r in enumerate(rows)}
        for h in hits:
            out[where[int(h.id)]] = abs(h.distance) / (BM25_K1 + 1)
        return out

    def _search(self, kind: str, query, field: str, params: dict, limit: int, expr: str | None, fields: list):
        """One search of collection ``kind``. If a later rebuild dropped the pinned collection, or a restarted server
        no longer has it loaded, resolve the aliases again (which loads them) and retry once."""
        for attempt in (0, 1):
            try:
                result = self.client.search(self.collections[kind], data=[query], anns_field=field, limit=limit,
                                            search_params=params, filter=expr or "", output_fields=fields)
                return result[0]
            except Exception as exc:  # noqa: BLE001
                if attempt == 0 and getattr(exc, "code", None) in (_NOT_FOUND, _NOT_LOADED):
                    log.info("Milvus collection %s is gone or not loaded; resolving the aliases again",
                             self.collections[kind])
                    self.pin()
                    continue
                raise self._missing(self.collections[kind], exc) from None
        raise AssertionError("unreachable")

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001
            raise _unavailable(self.uri, exc) from None


def _unavailable(uri: str, exc: Exception) -> BackendUnavailable:
    reason = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return BackendUnavailable(f"Milvus at {uri} failed ({reason}); check that it is running (deploy/README.md) "
                              "and reachable, or point --milvus-uri / ASKPLAN_MILVUS_URI at it")


def row_filter(field: str, allowed: np.ndarray | None) -> str | None | bool:
    """A Milvus filter keeping the rows ``allowed`` marks: None for no mask, False when it allows nothing.
    A document's measures are consecutive rows, so the filter is usually one range."""
    if allowed is None:
        return None
    rows = np.flatnonzero(allowed)
    if not len(rows):
        return False
    breaks = np.flatnonzero(np.diff(rows) > 1)
    starts, ends = np.r_[rows[0], rows[breaks + 1]], np.r_[rows[breaks], rows[-1]]
    if len(starts) > MAX_RANGES:
        return f"{field} in [{', '.join(str(int(r)) for r in rows)}]"
    return " or ".join(f"({field} >= {int(a)} and {field} <= {int(b)})" for a, b in zip(starts, ends, strict=True))
