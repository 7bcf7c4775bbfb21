"""The Milvus backend against a real milvus-lite (no mocks), with the fake encoder: the same legs, answers, eval
figures and links as FAISS + bm25s; alias switching on rebuild; each failure a one-line error naming the fix."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from askplan.cli import main
from askplan.config import Settings
from askplan.corpus import load_corpus
from askplan.errors import BackendUnavailable, IndexStale
from askplan.evaluate.runner import load_question_sets, run_eval
from askplan.index import milvus_store
from askplan.index.milvus_store import alias_base, connect, token_text
from askplan.index.store import read_manifest
from askplan.links import compute_links
from askplan.normalize import normalize
from askplan.search.milvus_search import MilvusIndex, row_filter
from askplan.service import AskplanService
from conftest import CORPUS, PLAN, REPO

pytest.importorskip("pymilvus", reason="the Milvus backend needs pip install 'askplan[milvus]'")
FIXTURES = REPO / "tests" / "fixtures"
DEV = [REPO / "eval" / "dev.jsonl", REPO / "eval" / "dev2.jsonl"]
LEXICAL = ("bm25_words", "bm25_bigrams", "bm25_pinyin")


def _questions() -> list[str]:
    return [normalize(json.loads(line)["question"]) for path in DEV for line in path.open(encoding="utf-8")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_manifest_records_backend_and_uri(milvus_service, milvus_db):
    manifest = read_manifest(milvus_service.settings.index_dir)
    assert (manifest.backend, manifest.backend_uri) == ("milvus", milvus_db)
    assert manifest.faiss_factory == "FLAT"
    index = milvus_service.retriever().index
    assert isinstance(index, MilvusIndex) and index.uri == milvus_db


def test_collections_carry_the_corpus_hash_and_aliases_name_them(milvus_service, corpus):
    index = milvus_service.retriever().index
    base = alias_base(corpus.fingerprint(), "hash-bigram-64")
    assert base.startswith(f"askplan_{corpus.fingerprint()[:16]}_")
    for kind in ("m", "p"):
        name = index.collections[kind]
        assert name.startswith(f"{base}_") and name.endswith(f"_{kind}")
        assert index.client.describe_alias(f"{base}_{kind}")["collection_name"] == name
    stats = index.client.get_collection_stats(index.collections["p"])
    assert int(stats["row_count"]) == index.manifest.passages


def test_lexical_legs_match_bm25s(milvus_service, hash_service):
    milvus, faiss = milvus_service.retriever(), hash_service.retriever()
    for query in _questions():
        for leg in LEXICAL:
            ours, theirs = milvus.backend.lexical(leg, query, None, 50), faiss.backend.lexical(leg, query, None, 50)
            assert ours.rows == theirs.rows, (leg, query)
            np.testing.assert_allclose(ours.scores, theirs.scores, rtol=1e-4)


def test_dense_leg_matches_faiss(milvus_service, hash_service):
    milvus, faiss = milvus_service.retriever(), hash_service.retriever()
    for query in _questions()[:40]:
        qvec = faiss.encoder.encode_queries([query])
        ours, theirs = milvus.backend.dense(qvec, None, 50), faiss.backend.dense(qvec, None, 50)
        np.testing.assert_allclose(ours.scores[:10], theirs.scores[:10], atol=1e-5)
        assert ours.rows[:5] == theirs.rows[:5]  # beyond, equal similarities may order differently


def test_a_document_filter_keeps_to_the_document(milvus_service, hash_service):
    allowed = milvus_service._allowed(PLAN)
    legs = milvus_service.retriever().legs(normalize("推进碳达峰碳中和"), allowed)
    expected = hash_service.retriever().legs(normalize("推进碳达峰碳中和"), allowed)
    assert all(legs[leg].rows for leg in legs)
    for leg, result in legs.items():
        assert all(allowed[row] for row in result.rows), leg
    for leg in LEXICAL:
        assert legs[leg].rows == expected[leg].rows


def test_eval_figures_match_the_default_backend(milvus_service, hash_service):
    questions = load_question_sets(DEV)
    ours, theirs = run_eval(milvus_service, questions), run_eval(hash_service, questions)
    for metric in ("recall@1", "recall@5", "mrr@10"):
        assert abs(ours["metrics"]["all"][metric] - theirs["metrics"]["all"][metric]) <= 0.01, metric


def test_links_match_the_default_backend(milvus_service, hash_service, corpus):
    ours = compute_links(corpus, milvus_service.retriever().index)
    theirs = compute_links(corpus, hash_service.retriever().index)
    assert ours.links and [(lk.source, lk.target, lk.rank) for lk in ours.links] == \
        [(lk.source, lk.target, lk.rank) for lk in theirs.links]


def test_a_released_collection_is_loaded_again(milvus_service):
    """A restarted server may no longer have the collections loaded: the next search loads them again."""
    index = milvus_service.retriever().index
    query = normalize("推进碳达峰碳中和")
    before = index.lexical("bm25_words", query, None, 10)
    index.client.release_collection(index.collections["m"])
    assert index.lexical("bm25_words", query, None, 10) == before


def test_row_filter_ranges():
    mask = np.zeros(10, dtype=bool)
    assert row_filter("row", None) is None
    assert row_filter("row", mask) is False
    mask[[2, 3, 4, 7]] = True
    assert row_filter("row", mask) == "(row >= 2 and row <= 4) or (row >= 7 and row <= 7)"
    many = np.zeros(400, dtype=bool)
    many[::2] = True
    assert row_filter("r", many).startswith("r in [0, 2, 4")


def test_tokens_become_one_ascii_word_each():
    text = token_text(["碳达峰", "1.5%", "tan_da", "碳达峰"])
    words = text.split()
    assert len(words) == 4 and words[0] == words[3] and len(set(words)) == 3
    assert all(len(w) == 16 and w.isalnum() and w.isascii() for w in words)


# --- rebuilds: new collections, then the aliases switch -----------------------------------------------------------

@pytest.fixture()
def small(tmp_path, milvus_db):
    """The small fixture corpus (its own corpus hash, so its aliases are its own) in the session's milvus-lite."""
    settings = Settings(corpus_dir=FIXTURES, index_dir=tmp_path / "index", model="hash-bigram-64", backend="milvus",
                        milvus_uri=milvus_db)
    return AskplanService(settings, corpus=load_corpus(FIXTURES))


def _generations(client, base: str) -> list[str]:
    return sorted(n for n in client.list_collections() if n.startswith(f"{base}_"))


def test_a_rebuild_switches_the_alias_and_keeps_the_previous_build(small):
    small.build()
    first = small.retriever().index
    query = normalize("数字经济")
    before = small.retriever().legs(query)
    base = first.base
    small.build()  # --force: new collections, alias switched
    second = small._open_index()
    assert second.collections != first.collections
    assert first.client.describe_alias(f"{base}_m")["collection_name"] == second.collections["m"]
    assert first.lexical("bm25_words", query, None, 50) == before["bm25_words"]
    small.build()  # the first build's collections are dropped now; a reader pinned to them re-pins
    assert set(first.collections.values()).isdisjoint(_generations(first.client, base))
    assert len(_generations(first.client, base)) == 4
    assert first.lexical("bm25_words", query, None, 50) == before["bm25_words"]


def test_a_failed_build_leaves_the_previous_index(small, monkeypatch):
    small.build()
    index = small.retriever().index
    kept = _generations(index.client, index.base)
    manifest = read_manifest(small.settings.index_dir)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(milvus_store, "_create_passages", broken)
    with pytest.raises(BackendUnavailable, match="disk full"):
        small.build()
    assert _generations(index.client, index.base) == kept
    assert read_manifest(small.settings.index_dir) == manifest
    assert small._open_index().collections == index.collections


def test_a_failed_alias_switch_puts_the_first_alias_back(small, monkeypatch):
    small.build()
    index = small.retriever().index
    kept = _generations(index.client, index.base)
    switch = milvus_store._switch_alias

    def fails_on_passages(client, alias, collection):
        if alias.endswith("_p"):
            raise RuntimeError("connection reset")
        return switch(client, alias, collection)

    monkeypatch.setattr(milvus_store, "_switch_alias", fails_on_passages)
    with pytest.raises(BackendUnavailable, match="connection reset"):
        small.build()
    assert _generations(index.client, index.base) == kept
    assert index.client.describe_alias(f"{index.base}_m")["collection_name"] == index.collections["m"]


# --- errors -----------------------------------------------------------------------------------------------------

def test_an_unreachable_server_names_the_fix(milvus_service, corpus):
    uri = f"http://127.0.0.1:{_free_port()}"
    with pytest.raises(BackendUnavailable, match=r"cannot reach Milvus at http://127\.0\.0\.1.*ASKPLAN_MILVUS_URI"):
        connect(uri)
    settings = milvus_service.settings
    result = CliRunner().invoke(main, ["ask", "--corpus", str(CORPUS), "--index", str(settings.index_dir),
                                       "--model", "hash-bigram-64", "谁牵头碳达峰工作"],
                                env={"ASKPLAN_MILVUS_URI": uri})
    assert result.exit_code == 1
    assert "cannot reach Milvus" in result.output and "Traceback" not in result.output


def test_a_missing_collection_names_the_fix(milvus_service, corpus, tmp_path):
    with pytest.raises(IndexStale, match="missing .*askplan index --backend milvus --force"):
        MilvusIndex.open(milvus_service.settings.index_dir, milvus_service.retriever().index.manifest, corpus,
                         "hash-bigram-64", uri=str(tmp_path / "empty.db"))


def test_a_schema_from_another_version_names_the_fix(small):
    small.build()
    index = small.retriever().index
    index.client.alter_collection_properties(index.collections["m"], {"askplan.schema": "0"})
    with pytest.raises(IndexStale, match="schema version '0'.*askplan index --backend milvus --force"):
        small._open_index()


def test_the_server_answers_503_naming_the_fix(milvus_service, corpus):
    from fastapi.testclient import TestClient

    from askplan.web import create_app

    uri = f"http://127.0.0.1:{_free_port()}"
    settings = Settings(corpus_dir=CORPUS, index_dir=milvus_service.settings.index_dir, model="hash-bigram-64",
                        milvus_uri=uri)
    app = create_app(service=AskplanService(settings, corpus=corpus), build_if_missing=False)
    with TestClient(app) as client:
        app.state.readiness.wait(30)
        r = client.get("/api/ask", params={"q": "谁牵头碳达峰工作"})
    assert r.status_code == 503
    assert "cannot reach Milvus" in r.json()["detail"] and "Traceback" not in r.text


# --- the commands ---------------------------------------------------------------------------------------------

def test_index_ask_and_eval_follow_the_manifest(tmp_path: Path):
    args = ["--corpus", str(CORPUS), "--index", str(tmp_path / "index"), "--model", "hash-bigram-64"]
    runner = CliRunner()
    built = runner.invoke(main, ["index", *args, "--backend", "milvus", "--json"])
    assert built.exit_code == 0, built.output
    manifest = json.loads(built.stdout)
    assert (manifest["backend"], manifest["backend_uri"]) == ("milvus", "milvus.db")
    assert (tmp_path / "index" / "milvus.db").is_dir()
    again = runner.invoke(main, ["index", *args])  # up to date: no rebuild, backend kept
    assert again.exit_code == 0 and "up to date" in again.output
    answer = runner.invoke(main, ["ask", *args, "--json", "谁牵头碳达峰工作？"])
    assert answer.exit_code == 0, answer.output
    assert json.loads(answer.stdout)["hits"][0]["id"] == f"{PLAN}/25"
    report = runner.invoke(main, ["eval", *args, "--json", str(DEV[0])])
    assert report.exit_code == 0, report.output
    assert json.loads(report.stdout)["metrics"]["all"]["recall@5"] > 0.3
    client = connect(str(tmp_path / "index" / "milvus.db"))
    for name in client.list_collections():  # the server lost them: the index is not up to date any more
        client.drop_collection(name)
    rebuilt = runner.invoke(main, ["index", *args])
    assert rebuilt.exit_code == 0 and "built" in rebuilt.output and "up to date" not in rebuilt.output
