"""The built index: a folder of named files plus a versioned manifest with a checksum for each, swapped in
atomically through the ``current`` pointer (see ``askplan.index.layout``).

Invariant: row i of ``measures.jsonl`` is BM25 document i of the lexical indexes; row j of ``passages.jsonl``
is FAISS vector j. ``load_index`` checks the checksums, the counts, the manifest and the corpus fingerprint.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from array import array
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

import numpy as np

from askplan import __version__
from askplan.corpus.loader import Corpus
from askplan.errors import BadInput, CorpusError, IndexCorrupt, IndexMissing, IndexStale
from askplan.index import faults, integrity, layout
from askplan.index.layout import MANIFEST, BuildLock
from askplan.index.passages import Passage, PassageTable, passages_for
from askplan.index.vectors import RowFile, Rows, VectorCache
from askplan.normalize import NORMALISER, normalize
from askplan.parallel import map_slices
from askplan.tokenize import bigrams, pinyin_bigrams, words

log = logging.getLogger(__name__)
FORMAT = 2
LEXICAL = {"bm25_words": words, "bm25_bigrams": bigrams, "bm25_pinyin": pinyin_bigrams}
# Tokenised in worker processes on a large corpus: jieba and pypinyin take 1.7 and 3.8 ms a measure; bigrams
# (0.25 ms) cost more to send back than to cut here.
PARALLEL_LEGS = ("bm25_words", "bm25_pinyin")
STORE = layout.LEGACY  # the folder of the layout before pointers; read when there is no `current`
FIX = integrity.FIX
LOAD_ATTEMPTS = 3
AUTO = "auto"  # the factory chosen by ``choose_factory`` from the passage count
# Exact search below this many passages (the bundled corpus has 1,667: its figures do not change); an inverted
# file of 8-bit scalar codes above it. Product-quantised codes (PQ96, a quarter of the memory) were the choice from
# 2M passages until measured: recall@10 against exact search 0.383 against SQ8's 0.961 over the same 400k vectors,
# 0.315 at 3.7M (bench/README.md, scripts/scale_bench.py). ``--faiss-factory IVF4096,PQ96`` still builds one.
ANN_MIN_PASSAGES = 100_000
PASSAGE_COLUMNS = "passages.npy"  # int32 (measure row, start, end) per passage: what a loaded index reads
PASSAGE_CHUNK = 10_000  # measures cut into passages at a time by a build (a passage list with texts of a 1M-measure
# corpus was gigabytes)
VECTOR_ROWS = "vectors.f32"  # the build's vectors, one float32 row per passage, in its .build-* folder
NPROBE_SHARE = 16  # lists visited per query: nlist / NPROBE_SHARE


def choose_factory(passages: int) -> str:
    """The FAISS factory for ``passages`` vectors: "Flat" (exact) below ANN_MIN_PASSAGES, else ``ann_factory``."""
    return "Flat" if passages < ANN_MIN_PASSAGES else ann_factory(passages)


def ann_factory(passages: int) -> str:
    """IVF with about 2·sqrt(n) lists (a power of two) and 8-bit scalar codes."""
    nlist = 2 ** round(math.log2(2 * math.sqrt(passages)))
    return f"IVF{nlist},SQ8"


def _train_and_add(index, rows: Rows, count: int, faiss) -> None:
    """Train on a sample (about 64 vectors a list: k-means needs ~40), add ``count`` rows a chunk at a time, and
    set how many lists a query visits (stored in the index file)."""
    if not index.is_trained:
        ivf = faiss.try_extract_index_ivf(index)
        step = max(1, count // (64 * ivf.nlist)) if ivf is not None else 1
        # a copy of each chunk's sample: a view would keep every chunk, all the vectors, alive until the end
        index.train(np.concatenate([block[(-start) % step :: step].copy() for start, block in rows.chunks(count)]))
    for _, block in rows.chunks(count):
        index.add(block)
    if (ivf := faiss.try_extract_index_ivf(index)) is not None:
        ivf.nprobe = max(1, ivf.nlist // NPROBE_SHARE)


def _faiss_index(factory: str, dim: int, faiss):
    try:
        return faiss.index_factory(dim, factory, faiss.METRIC_INNER_PRODUCT)
    except RuntimeError:
        raise BadInput(f"FAISS cannot build an index from {factory!r}; pass --faiss-factory auto, Flat, HNSW32 "
                       "or IVF1024,SQ8 (a FAISS index_factory string)") from None


@dataclass(frozen=True)
class Manifest:
    format: int
    askplan_version: str
    model: str
    dim: int
    normaliser: str
    corpus_fingerprint: str
    measures: int
    passages: int
    faiss_factory: str
    built_at: str
    build_seconds: float
    embedded: int = -1  # passages embedded by this build; the others came from the vector cache (-1: unknown)
    files: dict = field(default_factory=dict)  # path -> {"size", "sha256"}; empty in stores built before checksums
    backend: str = "faiss"  # or "milvus" (askplan.index.milvus_store): where the legs are searched
    backend_uri: str = ""  # the Milvus URI; a relative .db path is relative to the index folder


@dataclass
class LoadedIndex:
    manifest: Manifest
    measure_ids: list[str]
    passages: PassageTable
    faiss_index: object
    bm25_words: object
    bm25_bigrams: object
    bm25_pinyin: object
    store: Path | None = None  # the folder it was read from
    token: str | None = None  # its identity on disk when read (askplan.index.layout.token)


def lexical_text(measure) -> str:
    return normalize(" ".join((*measure.chapter[-1:], measure.title, measure.text)))


def require_documents(corpus: Corpus) -> None:
    """CorpusError naming the fix when there is nothing to index (an empty folder, or every file skipped)."""
    if not corpus.measures:
        skipped = f" ({len(corpus.problems)} file(s) skipped: run askplan corpus check)" if corpus.problems else ""
        raise CorpusError(f"no documents to index in {corpus.root}{skipped}; add *.txt files as described in "
                          "corpus/README.md, or pass --corpus DIR")


def all_passages(corpus: Corpus) -> list[Passage]:
    return [p for row, m in enumerate(corpus.measures) for p in passages_for(row, m)]


def passage_texts(corpus: Corpus):
    """Every passage's text in index order, one measure's at a time (not a list of the corpus's passages)."""
    return (p.text for row, m in enumerate(corpus.measures) for p in passages_for(row, m))


def build_index(corpus: Corpus, encoder, index_dir: Path, *, factory: str = AUTO, progress: bool = False,
                lock: BuildLock | None = None) -> Manifest:
    """Build every part in ``.build-*`` under the build lock (taken here unless the caller holds it), then swap
    it in with one rename of the ``current`` pointer: a crash at any instant leaves a usable index."""
    require_documents(corpus)
    if lock is None:
        with BuildLock(index_dir) as own:
            return build_index(corpus, encoder, index_dir, factory=factory, progress=progress, lock=own)
    import faiss

    from askplan.index.bm25_build import LeanBM25

    if logging.getLogger("bm25s").level == logging.DEBUG:  # set so by bm25s on import: follow the caller's level
        logging.getLogger("bm25s").setLevel(logging.NOTSET)
    t0 = time.perf_counter()
    measures = corpus.measures
    index = None if factory == AUTO else _faiss_index(factory, encoder.dim, faiss)  # before any passage is embedded
    log.info("indexing %d measures with %s", len(measures), encoder.name)
    tmp = lock.build_dir
    cache = VectorCache(index_dir, encoder.name, encoder.dim)
    with open(tmp / VECTOR_ROWS, "w+b") as f:
        rows = RowFile(f.fileno(), encoder.dim)
        columns = _write_passages(measures, tmp, cache, encoder, rows, progress)
        cache.save()  # under the build lock, before anything else can fail: a killed build keeps its vectors
        faults.point("embedded")
        if index is None:
            factory = choose_factory(len(columns))
            index = _faiss_index(factory, encoder.dim, faiss)
        _train_and_add(index, rows, len(columns), faiss)
    (tmp / VECTOR_ROWS).unlink()
    faiss.write_index(index, str(tmp / "dense.faiss"))
    embedded = cache.fresh
    del cache, index  # written, and not needed by the BM25 indexes below
    faults.point("faiss-written")
    texts = [lexical_text(m) for m in measures]
    for name, tokenize in LEXICAL.items():
        bm = LeanBM25()
        tokens = _tokens(name, tokenize, texts)
        bm.index(token_ids(_progress(tokens, len(texts), name) if progress else tokens), show_progress=False)
        bm.save(str(tmp / name), show_progress=False)
    faults.point("bm25-written")
    _write_jsonl(tmp / "measures.jsonl", ({"row": i, "id": m.id} for i, m in enumerate(measures)))
    np.save(tmp / PASSAGE_COLUMNS, columns)
    _fsync_tree(tmp)
    manifest = Manifest(FORMAT, __version__, encoder.name, encoder.dim, NORMALISER, corpus.fingerprint(),
                        len(measures), len(columns), factory, time.strftime("%Y-%m-%dT%H:%M:%S"),
                        round(time.perf_counter() - t0, 2), embedded, integrity.file_table(tmp))
    raw = json.dumps(asdict(manifest), indent=2).encode("utf-8")
    _write_synced(tmp / MANIFEST, raw)
    faults.point("manifest-written")
    layout.commit(index_dir, tmp, integrity.manifest_digest(raw))
    lock.build_dir = None  # it is the store now
    return manifest


def _write_passages(measures, tmp: Path, cache: VectorCache, encoder, rows: RowFile, progress: bool) -> np.ndarray:
    """Cut the measures into passages PASSAGE_CHUNK measures at a time: write each to ``passages.jsonl`` and its
    vector to ``rows`` (``VectorCache.write``). Returns the passage columns (``passages.npy``). Only one chunk's
    passages and texts are in memory at once."""
    columns: list[np.ndarray] = []
    with (tmp / "passages.jsonl").open("w", encoding="utf-8") as out:

        def texts():
            for start in range(0, len(measures), PASSAGE_CHUNK):
                passages = [p for row in range(start, min(start + PASSAGE_CHUNK, len(measures)))
                            for p in passages_for(row, measures[row])]
                columns.append(PassageTable.of(passages).columns)
                out.writelines(json.dumps(asdict(p), ensure_ascii=False) + "\n" for p in passages)
                yield [p.text for p in passages]

        cache.write(encoder, texts(), rows, progress=progress)
    return np.concatenate(columns) if columns else np.zeros((0, 3), dtype=np.int32)


def _tokens(leg: str, tokenize, texts: list[str]):
    """Each text's tokens, in order; over the cores on a large corpus for the slow legs (``PARALLEL_LEGS``)."""
    if leg not in PARALLEL_LEGS:
        return (tokenize(t) for t in texts)
    tokenize("预热")  # its dictionary loaded before any worker forks, not once in each
    return (tokens for part in map_slices(partial(_tokenized, tokenize), texts) for tokens in part)


def _progress(items, total: int, leg: str):
    """``items`` counted on a bar on a terminal (a million measures' legs take tens of minutes)."""
    from tqdm import tqdm

    return tqdm(items, total=total, desc=f"indexing {leg.removeprefix('bm25_')}", unit="measure", leave=False,
                disable=None)


def _tokenized(tokenize, texts) -> list[list[str]]:
    return [tokenize(t) for t in texts]


def token_ids(documents) -> tuple[list[array], dict[str, int]]:
    """Each document's tokens as ids (4 bytes a token) and the vocabulary, in the form bm25s indexes: given the
    token lists themselves, it held every token string of the corpus at once (most of a 100,000-measure build's
    peak memory, from the bigram leg). The scores are the same; only the ids' order differs (bm25s's own came
    from a set)."""
    vocab: dict[str, int] = {}
    ids = [array("I", [vocab.setdefault(t, len(vocab)) for t in tokens]) for tokens in documents]
    return ids, vocab


def _write_jsonl(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def _write_synced(path: Path, data: bytes) -> None:
    with path.open("wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _fsync_tree(folder: Path) -> None:
    """Flush every file written so far, so the rename that follows never publishes unwritten data."""
    for path in folder.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def read_store_manifest(store: Path) -> tuple[Manifest, bytes]:
    try:
        raw = (store / MANIFEST).read_bytes()
    except FileNotFoundError:
        raise IndexMissing(f"no index in {store.parent}; build it with: askplan index") from None
    try:
        data = json.loads(raw.decode("utf-8"))
        return Manifest(**data), raw
    except (ValueError, TypeError) as exc:
        raise IndexCorrupt(f"the index manifest {store / MANIFEST} is damaged ({exc}); {FIX}") from None


def read_manifest(index_dir: Path) -> Manifest:
    """The manifest of the store ``current`` names (or of the legacy ``store/``)."""
    store = layout.resolve(index_dir)
    if store is None:
        raise IndexMissing(f"no index in {index_dir}; build it with: askplan index")
    return read_store_manifest(store)[0]


def check_manifest(manifest: Manifest, corpus: Corpus, model: str) -> None:
    """Raise IndexStale naming what differs: format, normaliser, model or corpus."""
    if manifest.format != FORMAT or manifest.normaliser != NORMALISER:
        raise IndexStale(f"the index was built by askplan {manifest.askplan_version} in an older format; {FIX}")
    if manifest.model != model:
        raise IndexStale(f"the index was built with model {manifest.model!r}, not {model!r}; {FIX} --model {model}")
    if manifest.corpus_fingerprint != corpus.fingerprint() or manifest.measures != len(corpus.measures):
        raise IndexStale(f"the corpus changed since the index was built ({manifest.built_at}); {FIX}")


class Bm25Arrays:
    """A BM25 index as bm25s saves it (``BM25.save``: params and vocabulary as JSON, the CSC score matrix as .npy),
    read without importing bm25s: importing it pulls in scipy.sparse, about 0.18 s of every cold ``askplan ask``,
    and answering needs only the arrays. Offers what the legs, the link table and the integrity checks read of a
    ``bm25s.BM25`` (``vocab_dict``, ``scores``, ``dtype``, ``nonoccurrence_array``, ``get_tokens_ids``,
    ``get_scores``). Mapped arrays are plain ndarray views of the same pages: slicing an ``np.memmap`` builds a
    memmap object each time (about 1 ms a question over three legs), a view does not."""

    NONOCCURRENCE_METHODS = ("bm25l", "bm25+")  # bm25s's methods that also save a non-occurrence array

    def __init__(self, folder: Path, *, mmap: bool = True):
        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        self.vocab_dict: dict[str, int] = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        self.method, self.dtype = params["method"], params.get("dtype", "float32")
        mode = "r" if mmap else None
        arrays = {k: np.asarray(np.load(folder / f"{k}.csc.index.npy", mmap_mode=mode, allow_pickle=False))
                  for k in ("data", "indices", "indptr")}
        self.scores = {**arrays, "num_docs": params.get("num_docs")}
        self.nonoccurrence_array = (np.load(folder / "nonoccurrence_array.index.npy", allow_pickle=False)
                                    if self.method in self.NONOCCURRENCE_METHODS else None)

    def get_tokens_ids(self, tokens: list[str]) -> list[int]:
        return [self.vocab_dict[t] for t in tokens if t in self.vocab_dict]

    def get_scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every document for ``tokens``: the sum of each token's column (bm25s's own sums)."""
        return bm25_scores(self, tokens)


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


def load_index(index_dir: Path, corpus: Corpus, model: str, *, mmap: bool = True,
               hashed: Path | None = None) -> LoadedIndex:
    """Resolve ``current`` once and load that store, checked. A build that swaps the pointer and removes the
    old store while this reads it only makes the load start over from the new pointer. ``hashed``: a folder
    where the files' full hashes are remembered (``integrity.check_store``); None hashes them on every load."""
    for attempt in range(LOAD_ATTEMPTS):
        store = layout.resolve(index_dir)
        if store is None:
            raise IndexMissing(f"no index in {index_dir}; build it with: askplan index")
        try:
            return _load_store(store, corpus, model, mmap, hashed)
        except (IndexMissing, IndexStale):
            if attempt + 1 == LOAD_ATTEMPTS or layout.resolve(index_dir) == store:
                raise
            log.info("the index was swapped while it was read; reading the new one")
    raise AssertionError("unreachable")


def _load_store(store: Path, corpus: Corpus, model: str, mmap: bool, hashed: Path | None) -> LoadedIndex:
    manifest, raw = read_store_manifest(store)
    checked = integrity.Checked(None)
    if manifest.files:
        checked = integrity.check_store(store, raw, manifest.files, hashed=hashed)
    else:
        log.warning("the index in %s has no checksums (built before they were added); rebuild it with "
                    "askplan index --force to add them", store.parent)
    check_manifest(manifest, corpus, model)
    ids, passages, dense, lexical = read_parts(store, mmap=mmap, ids=not checked.seen)
    # measures.jsonl is read only when no earlier load found it equal to these ids (which the fingerprint covers);
    # the corpus's own id strings are kept, not a copy of each
    corpus_ids = corpus.ids
    if ids is not None and ids != corpus_ids:
        raise IndexStale(f"the index files in {store.parent} disagree with the corpus; {FIX}")
    ids = corpus_ids
    integrity.check_values(store, manifest, ids, passages, dense, lexical, seen=checked.seen)
    checked.passed()
    release_pages(passages.columns, *(bm.scores[k] for bm in lexical.values() for k in ("data", "indices", "indptr")))
    return LoadedIndex(manifest, ids, passages, dense, **lexical, store=store, token=layout.token_of(store))


def read_ahead(store: Path) -> int:
    """Read the store's files that questions map (FAISS and the ``.npy`` arrays) once, so that they are in the page
    cache before the first questions after a cold start fault them in a page at a time. A load no longer reads
    every file to hash it (``integrity.check_store``), which did this as a side effect. For a server's warm-up (a
    background thread): sequential reads into one reused buffer, no memory kept. ``posix_fadvise(WILLNEED)`` was
    tried first: on this machine's ext4 it cached nothing (bench/README.md). Returns the bytes read."""
    done, buffer = 0, bytearray(1 << 20)
    for path in [store / "dense.faiss", *sorted(store.rglob("*.npy"))]:
        try:
            with path.open("rb", buffering=0) as f:
                while n := f.readinto(buffer):
                    done += n
        except OSError:
            continue
    return done


def release_pages(*arrays) -> None:
    """Drop the pages of memory-mapped ``arrays`` from this process's resident set (``MADV_DONTNEED``): they
    stay in the page cache, and a later read maps them again. A load's value checks read every page of the BM25
    arrays, which then stayed in the process: at 100,000 measures, 507 of an asking process's 920 MiB were its
    whole mapped index, touched once at load. Arrays not mapped from a file are left alone."""
    import mmap

    if not hasattr(mmap, "MADV_DONTNEED"):
        return
    for values in arrays:
        base = values
        while base is not None and not isinstance(base, np.memmap):
            base = getattr(base, "base", None)
        mapping = getattr(base, "_mmap", None)
        if mapping is not None:
            mapping.madvise(mmap.MADV_DONTNEED)


def read_measure_ids(store: Path) -> list[str]:
    """The measure ids of ``measures.jsonl`` in row order, read in one JSON parse (a parse a line: 1.3 s at
    100,000 measures)."""
    rows = (store / "measures.jsonl").read_text(encoding="utf-8").splitlines()
    return [row["id"] for row in json.loads("[" + ",".join(rows) + "]")]


def read_passages(store: Path, *, mmap: bool = True) -> PassageTable:
    """The store's passage columns (``passages.npy``); an index built before they were written has only
    ``passages.jsonl``, read here into the same columns."""
    if (store / PASSAGE_COLUMNS).exists():
        return PassageTable(np.load(store / PASSAGE_COLUMNS, mmap_mode="r" if mmap else None, allow_pickle=False))
    with (store / "passages.jsonl").open(encoding="utf-8") as f:
        return PassageTable.of(Passage(**json.loads(line)) for line in f)


def read_parts(store: Path, *, mmap: bool = True, ids: bool = True):
    """(measure ids, passages, FAISS index, {name: BM25}) as stored; IndexCorrupt when a file cannot be read.
    ``ids=False``: the measure ids are not read (None; 1.5 s at 1,000,000 measures).
    ``mmap``: FAISS codes and the BM25 score arrays are mapped from the files, not copied into the process: the
    pages are shared by every worker on the index and the kernel can drop and re-read them."""
    import faiss

    try:
        ids = read_measure_ids(store) if ids else None
        passages = read_passages(store, mmap=mmap)
        dense = faiss.read_index(str(store / "dense.faiss"), faiss.IO_FLAG_MMAP_IFC if mmap else 0)
        lexical = {name: Bm25Arrays(store / name, mmap=mmap) for name in LEXICAL}
    except Exception as exc:  # noqa: BLE001 - any read failure is a damaged index
        if not (store / MANIFEST).exists():
            raise IndexMissing(f"the index in {store.parent} was removed while it was read") from None
        raise IndexCorrupt(f"the index in {store.parent} is damaged ({type(exc).__name__}: {exc}); {FIX}") from None
    return ids, passages, dense, lexical
