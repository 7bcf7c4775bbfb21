"""The built index: a folder of named files plus a versioned manifest, written atomically.

Invariant: row i of ``measures.jsonl`` is BM25 document i of both lexical indexes; row j of
``passages.jsonl`` is FAISS vector j. ``load`` checks counts, the manifest and the corpus fingerprint.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from askplan import __version__
from askplan.corpus.loader import Corpus
from askplan.errors import CorpusError, IndexMissing, IndexStale
from askplan.index.passages import Passage, passages_for
from askplan.normalize import NORMALISER, normalize
from askplan.tokenize import bigrams, pinyin_bigrams, words

log = logging.getLogger(__name__)
FORMAT = 2
LEXICAL = {"bm25_words": words, "bm25_bigrams": bigrams, "bm25_pinyin": pinyin_bigrams}
STORE = "store"
FIX = "rebuild it with: askplan index --force"


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
    backend: str = "faiss"  # or "milvus" (askplan.index.milvus_store): where the legs are searched
    backend_uri: str = ""  # the Milvus URI; a relative .db path is relative to the index folder


@dataclass
class LoadedIndex:
    manifest: Manifest
    measure_ids: list[str]
    passages: list[Passage]
    faiss_index: object
    bm25_words: object
    bm25_bigrams: object
    bm25_pinyin: object


def lexical_text(measure) -> str:
    return normalize(" ".join((*measure.chapter[-1:], measure.title, measure.text)))


def require_documents(corpus: Corpus) -> None:
    """CorpusError naming the fix when there is nothing to index (an empty folder, or every file skipped)."""
    if not corpus.measures:
        skipped = f" ({len(corpus.problems)} file(s) skipped: run askplan corpus check)" if corpus.problems else ""
        raise CorpusError(f"no documents to index in {corpus.root}{skipped}; add *.txt files as described in "
                          "corpus/README.md, or pass --corpus DIR")


def build_index(corpus: Corpus, encoder, index_dir: Path, *, factory: str = "Flat", progress: bool = False) -> Manifest:
    """Build every part in a temporary sibling folder, then swap it in: a crash never leaves a broken index."""
    require_documents(corpus)
    import bm25s
    import faiss

    t0 = time.perf_counter()
    measures = corpus.measures
    passages = [p for row, m in enumerate(measures) for p in passages_for(row, m)]
    log.info("embedding %d passages of %d measures with %s", len(passages), len(measures), encoder.name)
    vectors = encoder.encode_documents([p.text for p in passages], progress=progress)
    index = faiss.index_factory(encoder.dim, factory, faiss.METRIC_INNER_PRODUCT)
    if not index.is_trained:
        index.train(vectors)
    index.add(vectors)
    texts = [lexical_text(m) for m in measures]
    lexical = {name: bm25s.BM25() for name in LEXICAL}
    for name, bm in lexical.items():
        bm.index([LEXICAL[name](t) for t in texts], show_progress=False)
    manifest = Manifest(FORMAT, __version__, encoder.name, encoder.dim, NORMALISER, corpus.fingerprint(),
                        len(measures), len(passages), factory, time.strftime("%Y-%m-%dT%H:%M:%S"),
                        round(time.perf_counter() - t0, 2))
    index_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=index_dir))
    try:
        faiss.write_index(index, str(tmp / "dense.faiss"))
        for name, bm in lexical.items():
            bm.save(str(tmp / name), show_progress=False)
        _write_jsonl(tmp / "measures.jsonl", ({"row": i, "id": m.id} for i, m in enumerate(measures)))
        _write_jsonl(tmp / "passages.jsonl", (asdict(p) for p in passages))
        (tmp / "manifest.json").write_text(json.dumps(asdict(manifest), indent=2), encoding="utf-8")
        _swap(tmp, index_dir / STORE)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return manifest


def _write_jsonl(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def _swap(new: Path, target: Path) -> None:
    old = target.with_name(f".old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)


def read_manifest(index_dir: Path) -> Manifest:
    path = index_dir / STORE / "manifest.json"
    if not path.exists():
        raise IndexMissing(f"no index in {index_dir}; build it with: askplan index")
    try:
        return Manifest(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as exc:
        raise IndexStale(f"the index manifest in {index_dir} is damaged ({exc}); {FIX}") from None


def check_manifest(manifest: Manifest, corpus: Corpus, model: str) -> None:
    """Raise IndexStale naming what differs: format, normaliser, model or corpus."""
    if manifest.format != FORMAT or manifest.normaliser != NORMALISER:
        raise IndexStale(f"the index was built by askplan {manifest.askplan_version} in an older format; {FIX}")
    if manifest.model != model:
        raise IndexStale(f"the index was built with model {manifest.model!r}, not {model!r}; {FIX} --model {model}")
    if manifest.corpus_fingerprint != corpus.fingerprint() or manifest.measures != len(corpus.measures):
        raise IndexStale(f"the corpus changed since the index was built ({manifest.built_at}); {FIX}")


def load_index(index_dir: Path, corpus: Corpus, model: str) -> LoadedIndex:
    import bm25s
    import faiss

    manifest = read_manifest(index_dir)
    check_manifest(manifest, corpus, model)
    store = index_dir / STORE
    try:
        ids = [json.loads(line)["id"] for line in (store / "measures.jsonl").open(encoding="utf-8")]
        passages = [Passage(**json.loads(line)) for line in (store / "passages.jsonl").open(encoding="utf-8")]
        dense = faiss.read_index(str(store / "dense.faiss"))
        lexical = {name: bm25s.BM25.load(str(store / name), show_progress=False) for name in LEXICAL}
    except Exception as exc:  # noqa: BLE001 - any read failure is a damaged index
        raise IndexStale(f"the index in {index_dir} is damaged ({type(exc).__name__}: {exc}); {FIX}") from None
    if ids != [m.id for m in corpus.measures] or len(passages) != manifest.passages:
        raise IndexStale(f"the index files in {index_dir} disagree with each other or the corpus; {FIX}")
    if dense.ntotal != manifest.passages or dense.d != manifest.dim:
        raise IndexStale(f"the FAISS file in {index_dir} does not match its manifest; {FIX}")
    return LoadedIndex(manifest, ids, passages, dense, **lexical)
