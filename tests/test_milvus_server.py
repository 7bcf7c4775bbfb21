"""The Milvus backend against a real Milvus server: skipped unless ``ASKPLAN_MILVUS_URI`` names one
(``http://HOST:19530``, e.g. the compose file in deploy/). The same checks as against milvus-lite: a build, the
legs equal to FAISS + bm25s, an alias switch on rebuild, and the errors."""

from __future__ import annotations

import os

import numpy as np
import pytest

from askplan.config import Settings
from askplan.errors import IndexStale
from askplan.index.milvus_store import is_server
from askplan.normalize import normalize
from askplan.search.milvus_search import MilvusIndex
from conftest import CORPUS

URI = os.environ.get("ASKPLAN_MILVUS_URI", "")
pytestmark = pytest.mark.skipif(not is_server(URI), reason="ASKPLAN_MILVUS_URI does not name a Milvus server")
QUESTIONS = ["谁牵头碳达峰工作", "推进长三角一体化发展", "数字经济核心产业增加值", "營商環境", "tan da feng"]


@pytest.fixture(scope="module")
def server_service(tmp_path_factory, corpus):
    from askplan.service import AskplanService

    settings = Settings(corpus_dir=CORPUS, index_dir=tmp_path_factory.mktemp("server-index"), model="hash-bigram-64",
                        backend="milvus", milvus_uri=URI)
    service = AskplanService(settings, corpus=corpus)
    service.build()
    return service


def test_the_legs_match_faiss_and_bm25s(server_service, hash_service):
    ours, theirs = server_service.retriever(), hash_service.retriever()
    assert isinstance(ours.index, MilvusIndex) and ours.index.uri == URI
    for q in QUESTIONS:
        a, b = ours.legs(normalize(q)), theirs.legs(normalize(q))
        for leg in ("bm25_words", "bm25_bigrams", "bm25_pinyin"):
            assert a[leg].rows == b[leg].rows, (leg, q)
            np.testing.assert_allclose(a[leg].scores, b[leg].scores, rtol=1e-4)
        assert a["dense"].rows[:5] == b["dense"].rows[:5]


def test_a_rebuild_switches_the_alias(server_service):
    before = server_service.retriever().index
    server_service.build()
    after = server_service._open_index()
    assert after.collections != before.collections
    assert after.client.describe_alias(f"{after.base}_m")["collection_name"] == after.collections["m"]
    assert before.lexical("bm25_words", normalize(QUESTIONS[0]), None, 10).rows  # the previous build is kept


def test_a_missing_collection_names_the_fix(server_service, corpus):
    index = server_service.retriever().index
    other = Settings(corpus_dir=CORPUS, index_dir=server_service.settings.index_dir, model="hash-bigram-64")
    manifest = index.manifest
    broken = type(manifest)(**{**manifest.__dict__, "corpus_fingerprint": "0" * 64})
    with pytest.raises(IndexStale, match="missing|does not match"):
        MilvusIndex(broken, index.measure_ids, other.index_dir, index.client, URI).pin()
