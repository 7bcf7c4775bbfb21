"""The index with the fast fake encoder: FAISS against brute force, atomic writes, stale and corrupt indexes."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from askplan.config import Settings
from askplan.encoders import HashEncoder
from askplan.errors import IndexMissing, IndexStale
from askplan.index.layout import resolve
from askplan.index.passages import PassageTable, Span
from askplan.index.store import PASSAGE_COLUMNS, all_passages, build_index, load_index, read_passages
from askplan.service import AskplanService
from conftest import CORPUS


def test_faiss_matches_brute_force(hash_service):
    retriever = hash_service.retriever()
    index = retriever.index
    vectors = index.faiss_index.reconstruct_n(0, index.faiss_index.ntotal)
    query = HashEncoder(64).encode_queries(["推进碳达峰碳中和"])
    sims, ids = index.faiss_index.search(query, 10)
    brute = vectors @ query[0]
    expected = np.argsort(-brute, kind="stable")[:10]
    np.testing.assert_allclose(sims[0], brute[expected], rtol=1e-5)
    assert set(ids[0]) == set(expected) or np.allclose(np.sort(brute[ids[0]]), np.sort(brute[expected]))


def test_rows_line_up(hash_service, corpus):
    index = hash_service.retriever().index
    assert index.measure_ids == [m.id for m in corpus.measures]
    assert index.faiss_index.ntotal == len(index.passages) == index.manifest.passages
    assert {p.measure_row for p in index.passages} == set(range(len(corpus.measures)))


def test_passage_columns_are_the_built_passages(hash_service, hash_settings, corpus, tmp_path):
    """A loaded index holds its passages as int32 columns mapped from passages.npy; an index built before that
    file existed reads the same columns from passages.jsonl."""
    built = all_passages(corpus)
    want = [(p.measure_row, p.start, p.end) for p in built]
    table = hash_service.retriever().index.passages
    assert isinstance(table, PassageTable) and table.columns.dtype == np.int32
    assert [(s.measure_row, s.start, s.end) for s in table] == want
    assert table[len(built) - 1] == Span(*want[-1]) and table.rows.tolist() == [w[0] for w in want]
    old = resolve(_copy_index(hash_settings, tmp_path))
    (old / PASSAGE_COLUMNS).unlink()
    np.testing.assert_array_equal(read_passages(old).columns, table.columns)


def test_missing_index_names_the_fix(tmp_path, corpus):
    with pytest.raises(IndexMissing, match="askplan index"):
        load_index(tmp_path, corpus, "hash-bigram-64")


def _copy_index(hash_settings, tmp_path):
    target = tmp_path / "index"
    shutil.copytree(hash_settings.index_dir, target, symlinks=True)
    return target


def test_changed_corpus_is_stale(hash_service, hash_settings, tmp_path):
    index_dir = _copy_index(hash_settings, tmp_path)
    corpus_dir = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus_dir)
    (corpus_dir / "yrd-integration-outline-2019.txt").unlink()
    with pytest.raises(IndexStale, match="corpus changed.*askplan index --force"):
        AskplanService(Settings(corpus_dir=corpus_dir, index_dir=index_dir, model="hash-bigram-64")).retriever()


def test_other_model_is_stale(hash_service, hash_settings, tmp_path, corpus):
    index_dir = _copy_index(hash_settings, tmp_path)
    with pytest.raises(IndexStale, match="model"):
        load_index(index_dir, corpus, "some-other-model")


@pytest.mark.parametrize("damage", ["faiss", "manifest", "passages", "bm25"])
def test_corrupt_index_is_reported(hash_service, hash_settings, tmp_path, corpus, damage):
    index_dir = _copy_index(hash_settings, tmp_path)
    store = resolve(index_dir)
    if damage == "faiss":
        (store / "dense.faiss").write_bytes(b"not a faiss file")
    elif damage == "manifest":
        (store / "manifest.json").write_text("{broken", encoding="utf-8")
    elif damage == "passages":
        lines = (store / "passages.jsonl").read_text(encoding="utf-8").splitlines()
        (store / "passages.jsonl").write_text("\n".join(lines[:-3]) + "\n", encoding="utf-8")
    else:
        shutil.rmtree(store / "bm25_words")
    with pytest.raises(IndexStale, match="askplan index --force"):
        load_index(index_dir, corpus, "hash-bigram-64")


def test_failed_build_keeps_the_old_index(hash_service, hash_settings, tmp_path, corpus):
    index_dir = _copy_index(hash_settings, tmp_path)
    before = json.loads((resolve(index_dir) / "manifest.json").read_text())

    class Exploding(HashEncoder):
        def __init__(self, dim):
            super().__init__(dim)
            self.name = "exploding-64"  # a model the vector cache has no rows for, so it must encode

        def encode_documents(self, texts, *, progress=False):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_index(corpus, Exploding(64), index_dir)
    assert json.loads((resolve(index_dir) / "manifest.json").read_text()) == before
    assert not [p for p in index_dir.iterdir() if p.name.startswith(".") and p.name != ".lock"]
    load_index(index_dir, corpus, "hash-bigram-64")


def test_ann_factory_builds(tmp_path, corpus):
    manifest = build_index(corpus, HashEncoder(64), tmp_path, factory="HNSW16")
    assert manifest.faiss_factory == "HNSW16"
    assert load_index(tmp_path, corpus, "hash-bigram-64").faiss_index.ntotal == manifest.passages
