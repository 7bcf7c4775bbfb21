"""The Milvus backend, build side: the same measures, passages and vectors as the FAISS index, held in Milvus.

Two collections per build, named after the corpus hash and the model so two corpora (or models) never mix:

- ``askplan_<corpus>_<model>_<build>_m``: one row per measure (``row`` = measure row, its id), and for each
  lexical leg a VARCHAR of askplan's own tokens (jieba words, CJK bigrams, pinyin bigrams) that Milvus's BM25
  function turns into a sparse field. Tokens are stored as fixed-length hashes (``token_text``), one ASCII word
  each, so Milvus's ``standard`` analyzer keeps every token whole on milvus-lite and on a server alike, and
  Milvus scores exactly the tokens bm25s scores;
- ``askplan_<corpus>_<model>_<build>_p``: one row per passage (``pid`` = FAISS row) with its measure row and its
  vector (inner product; FLAT, exact like the default FAISS index, or HNSW for a large corpus).

A rebuild creates new collections, then switches the aliases ``askplan_<corpus>_<model>_m`` / ``_p`` to them and
drops generations older than the previous one; readers pin the collections the aliases named when they loaded.
The index folder keeps the manifest (backend and URI) and the id files, as for FAISS.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import time
from dataclasses import asdict
from pathlib import Path

from askplan import __version__
from askplan.corpus.loader import Corpus
from askplan.errors import BackendUnavailable, CorpusError
from askplan.index import integrity, layout
from askplan.index.layout import MANIFEST, BuildLock
from askplan.index.passages import passages_for
from askplan.index.store import FORMAT, LEXICAL, Manifest, _write_jsonl, lexical_text, require_documents
from askplan.normalize import NORMALISER
from askplan.tokenize import STOPWORDS

log = logging.getLogger(__name__)
SCHEMA_VERSION = "1"  # bump when the collections' fields change; an index of another version must be rebuilt
DEFAULT_DB = "milvus.db"  # milvus-lite file inside the index folder
URI_ENV = "ASKPLAN_MILVUS_URI"
LITE_MEMTABLE_ENV, LITE_MEMTABLE_BYTES = "MILVUS_LITE_MEMTABLE_MEMORY_LIMIT_BYTES", 8 << 30
LEXICAL_MODES = ("askplan", "milvus-jieba")  # our tokens (the default), or Milvus's jieba analyzer for words
DENSE_INDEXES = ("HNSW", "FLAT")
MAX_TEXT_BYTES = 65_535  # Milvus's VARCHAR limit
BATCH = 500
HNSW_PARAMS = {"M": 16, "efConstruction": 200}
BM25_K1, BM25_B = 1.5, 0.75  # bm25s's defaults
FIX = "rebuild it with: askplan index --backend milvus --force"
_REMOTE = ("http://", "https://", "tcp://", "grpc://", "unix:")


def is_server(uri: str) -> bool:
    return uri.startswith(_REMOTE)


def resolve_uri(uri: str | None, index_dir: Path) -> str:
    """A server URI as given; a milvus-lite path made absolute (a relative one is relative to the index folder).
    None or empty: the milvus-lite file ``milvus.db`` in the index folder."""
    uri = uri or DEFAULT_DB
    if is_server(uri):
        return uri
    path = Path(uri).expanduser()
    return str(path if path.is_absolute() else Path(index_dir).resolve() / path)


def recorded_uri(uri: str | None, index_dir: Path) -> str:
    """What the manifest records: the default file as ``milvus.db`` (so the index folder can move)."""
    resolved = resolve_uri(uri, index_dir)
    return DEFAULT_DB if resolved == resolve_uri(None, index_dir) else resolved


def connect(uri: str):
    """A ``MilvusClient`` for ``uri`` (a server, or a milvus-lite file started in this process), or
    BackendUnavailable naming the fix."""
    try:
        from pymilvus import MilvusClient
    except ImportError:
        raise BackendUnavailable("the Milvus backend needs pymilvus and milvus-lite: pip install 'askplan[milvus]'"
                                 ) from None
    if not is_server(uri):
        # milvus-lite keeps BM25 statistics per segment and starts a segment whenever its memtable (128 MB by
        # default) fills: a corpus past ~10k measures would be scored with several IDFs. One segment up to a few
        # GB keeps bm25s's corpus-wide statistics. Read when milvus-lite is first imported; a value set is kept.
        os.environ.setdefault(LITE_MEMTABLE_ENV, str(LITE_MEMTABLE_BYTES))
        folder = Path(uri).parent
        if not folder.is_dir():
            raise BackendUnavailable(f"cannot open the milvus-lite file {uri}: {folder} does not exist; "
                                     "create it, or pass --milvus-uri")
    try:
        return MilvusClient(uri=uri, timeout=10)
    except Exception as exc:  # noqa: BLE001 - pymilvus raises several types for an unreachable server
        if is_server(uri):
            raise BackendUnavailable(f"cannot reach Milvus at {uri} ({_reason(exc)}); start it (deploy/README.md), "
                                     f"or point --milvus-uri / {URI_ENV} at a running server") from None
        raise BackendUnavailable(f"cannot open the milvus-lite file {uri} ({_reason(exc)}); it is used by one "
                                 "process at a time: stop the other askplan process using it, or build the index "
                                 "on a Milvus server (--milvus-uri http://HOST:19530)") from None


def _reason(exc: Exception) -> str:
    return getattr(exc, "message", None) or str(exc) or type(exc).__name__


def alias_base(fingerprint: str, model: str) -> str:
    """``askplan_<corpus hash>_<model hash>``: valid as a Milvus name, one per corpus and model."""
    model_key = hashlib.sha256(model.encode()).hexdigest()[:8]
    return f"askplan_{fingerprint[:16]}_{model_key}"


def token_text(tokens: list[str]) -> str:
    """askplan's tokens as a text Milvus's standard analyzer splits back into exactly those tokens: each one a
    16-hex-digit hash (64 bits; a collision among a corpus's tokens is vanishingly unlikely)."""
    return " ".join(hashlib.blake2b(t.encode(), digest_size=8).hexdigest() for t in tokens)


def analyzer_params(leg: str, mode: str) -> dict:
    if mode == "milvus-jieba" and leg == "bm25_words":
        return {"tokenizer": "jieba", "filter": [{"type": "stop", "stop_words": sorted(STOPWORDS)}]}
    return {"tokenizer": "standard"}


def field_text(leg: str, text: str, mode: str) -> str:
    """The stored (or queried) text of one lexical leg for normalised ``text``."""
    if mode == "milvus-jieba" and leg == "bm25_words":
        return text
    return token_text(LEXICAL[leg](text))


def build_milvus(corpus: Corpus, encoder, index_dir: Path, *, uri: str | None = None, lexical: str = "askplan",
                 dense_index: str = "FLAT", progress: bool = False, lock=None) -> Manifest:
    """Embed and tokenise, load both collections, switch the aliases, then write the index folder. A failure
    before the switch drops the new collections and leaves the previous index untouched. The folder is written
    under the build lock and swapped in with the same pointer rename as a FAISS index."""
    require_documents(corpus)
    if lock is None:
        with BuildLock(index_dir) as own:
            return build_milvus(corpus, encoder, index_dir, uri=uri, lexical=lexical, dense_index=dense_index,
                                progress=progress, lock=own)
    if lexical not in LEXICAL_MODES or dense_index not in DENSE_INDEXES:
        raise ValueError(f"lexical must be one of {LEXICAL_MODES}, dense_index one of {DENSE_INDEXES}")
    t0 = time.perf_counter()
    measures = corpus.measures
    passages = [p for row, m in enumerate(measures) for p in passages_for(row, m)]
    log.info("embedding %d passages of %d measures with %s", len(passages), len(measures), encoder.name)
    vectors = encoder.encode_documents([p.text for p in passages], progress=progress)
    rows = _measure_rows(measures, lexical)
    uri_used = resolve_uri(uri, index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    client = connect(uri_used)
    base = alias_base(corpus.fingerprint(), encoder.name)
    stamp = f"{time.strftime('%Y%m%d%H%M%S')}{secrets.token_hex(2)}"
    names = (f"{base}_{stamp}_m", f"{base}_{stamp}_p")
    props = {"askplan.schema": SCHEMA_VERSION, "askplan.fingerprint": corpus.fingerprint(),
             "askplan.model": encoder.name, "askplan.dim": str(encoder.dim), "askplan.lexical": lexical,
             "askplan.measures": str(len(measures)), "askplan.passages": str(len(passages))}
    try:
        _create_measures(client, names[0], lexical, props, rows)
        _create_passages(client, names[1], encoder.dim, dense_index, props, passages, vectors)
        previous = _publish(client, base, names)
    except Exception as exc:
        _drop_quietly(client, names)
        if isinstance(exc, BackendUnavailable):
            raise
        raise BackendUnavailable(f"building the Milvus collections at {uri_used} failed ({_reason(exc)}); "
                                 "check the server's log, then run askplan index --backend milvus again") from None
    manifest = _write_store(index_dir, lock.build_dir, dict(
        format=FORMAT, askplan_version=__version__, model=encoder.name, dim=encoder.dim, normaliser=NORMALISER,
        corpus_fingerprint=corpus.fingerprint(), measures=len(measures), passages=len(passages),
        faiss_factory=dense_index, built_at=time.strftime("%Y-%m-%dT%H:%M:%S"),
        build_seconds=round(time.perf_counter() - t0, 2), embedded=len(passages), backend="milvus",
        backend_uri=recorded_uri(uri, index_dir)), measures, passages)
    lock.build_dir = None  # it is the store now
    _drop_old_generations(client, base, keep={*names, *(p for p in previous if p)})
    return manifest


def _measure_rows(measures, lexical: str) -> list[dict]:
    """One row per measure: its row, its id and the text of each lexical leg; CorpusError for one too long."""
    rows = []
    for i, m in enumerate(measures):
        text = lexical_text(m)
        rows.append({"row": i, "measure_id": m.id, **{leg: field_text(leg, text, lexical) for leg in LEXICAL}})
    _check_lengths(rows, measures)
    return rows


def _check_lengths(rows: list[dict], measures) -> None:
    for row in rows:
        for leg in LEXICAL:
            if len(row[leg].encode()) > MAX_TEXT_BYTES:
                raise CorpusError(f"measure {measures[row['row']].id} is too long for one Milvus text field "
                                  f"({leg}); split it into several clauses, or use the default backend")


def _create_measures(client, name: str, lexical: str, props: dict, rows: list[dict]) -> None:
    from pymilvus import DataType, Function, FunctionType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("row", DataType.INT64, is_primary=True)
    schema.add_field("measure_id", DataType.VARCHAR, max_length=1024)
    index_params = client.prepare_index_params()
    for leg in LEXICAL:
        schema.add_field(leg, DataType.VARCHAR, max_length=MAX_TEXT_BYTES, enable_analyzer=True,
                         analyzer_params=analyzer_params(leg, lexical))
        schema.add_field(f"{leg}_sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_function(Function(name=f"{leg}_fn", function_type=FunctionType.BM25,
                                     input_field_names=[leg], output_field_names=[f"{leg}_sparse"]))
        index_params.add_index(field_name=f"{leg}_sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                               params={"bm25_k1": BM25_K1, "bm25_b": BM25_B})
    client.create_collection(name, schema=schema, index_params=index_params, properties=props)
    _insert(client, name, len(rows), lambda a, b: rows[a:b])


def _create_passages(client, name: str, dim: int, dense_index: str, props: dict, passages, vectors) -> None:
    from pymilvus import DataType, MilvusClient

    schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("pid", DataType.INT64, is_primary=True)
    schema.add_field("measure_row", DataType.INT64)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
    index_params = client.prepare_index_params()
    index_params.add_index(field_name="vector", index_type=dense_index, metric_type="IP",
                           params=HNSW_PARAMS if dense_index == "HNSW" else {})
    client.create_collection(name, schema=schema, index_params=index_params, properties=props)
    _insert(client, name, len(passages), lambda a, b: [
        {"pid": j, "measure_row": passages[j].measure_row, "vector": vectors[j].tolist()} for j in range(a, b)])


def _insert(client, name: str, total: int, rows_between) -> None:
    """Insert rows [0, total) in batches made on demand by ``rows_between(start, end)``, flush once (one segment
    where it fits: milvus-lite keeps BM25 statistics per segment), load, and check the row count."""
    for start in range(0, total, BATCH):
        client.insert(name, rows_between(start, min(start + BATCH, total)))
    client.flush(name)
    client.load_collection(name)
    count = int(client.get_collection_stats(name).get("row_count", -1))
    if count != total:
        raise BackendUnavailable(f"Milvus holds {count} rows in {name}, not {total}; {FIX}")


def _publish(client, base: str, names: tuple[str, str]) -> list[str | None]:
    """Switch the measures alias, then the passages alias, to the new build (put the first back if the second
    fails); the collections they named before."""
    before_m = _switch_alias(client, f"{base}_m", names[0])
    try:
        return [before_m, _switch_alias(client, f"{base}_p", names[1])]
    except Exception:
        if before_m:
            client.alter_alias(before_m, f"{base}_m")
        else:
            client.drop_alias(f"{base}_m")
        raise


def _switch_alias(client, alias: str, collection: str) -> str | None:
    """Point ``alias`` at ``collection``; the collection it named before, if any."""
    try:
        previous = client.describe_alias(alias).get("collection_name")
    except Exception:  # noqa: BLE001 - no such alias yet
        client.create_alias(collection, alias)
        return None
    client.alter_alias(collection, alias)
    return previous


def _write_store(index_dir: Path, tmp: Path, fields: dict, measures, passages) -> Manifest:
    """The id files and the manifest (with the checksums of the files) in the lock's build folder, then the
    pointer swap (``askplan.index.layout.commit``)."""
    _write_jsonl(tmp / "measures.jsonl", ({"row": i, "id": m.id} for i, m in enumerate(measures)))
    _write_jsonl(tmp / "passages.jsonl", (asdict(p) for p in passages))
    manifest = Manifest(**fields, files=integrity.file_table(tmp))
    raw = json.dumps(asdict(manifest), indent=2).encode("utf-8")
    (tmp / MANIFEST).write_bytes(raw)
    layout.commit(index_dir, tmp, integrity.manifest_digest(raw))
    return manifest


def _drop_old_generations(client, base: str, keep: set[str]) -> None:
    """Drop this corpus and model's collections other than the current and the previous build's (which
    readers that loaded before the switch may still use)."""
    for name in client.list_collections():
        if name.startswith(f"{base}_") and name not in keep and name[-2:] in ("_m", "_p"):
            _drop_quietly(client, (name,))


def _drop_quietly(client, names) -> None:
    for name in names:
        try:
            if client.has_collection(name):
                client.drop_collection(name)
        except Exception as exc:  # noqa: BLE001 - cleanup must not hide the original failure
            log.warning("could not drop Milvus collection %s: %s", name, exc)

