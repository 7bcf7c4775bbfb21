"""Readiness inside the app: a search that finds the loaded index unusable marks the server not ready with the
reason (it used to answer 500 on every question while /healthz said ok), and a rebuild makes it ready again
without a restart. Also the threadpool bound."""

from __future__ import annotations

import numpy as np
from fastapi.testclient import TestClient

from askplan.config import REPO_ROOT, Settings
from askplan.service import AskplanService
from askplan.web import create_app

CARBON = "谁牵头碳达峰工作？"


def test_a_query_time_index_failure_marks_the_server_not_ready(tmp_path):
    settings = Settings(corpus_dir=REPO_ROOT / "corpus", index_dir=tmp_path / "index", model="hash-bigram-64")
    AskplanService(settings).build()
    app = create_app(settings, build_if_missing=False)
    with TestClient(app) as c:
        assert app.state.readiness.wait(30) == "ok"
        assert c.get("/readyz").status_code == 200
        bm = app.state.service.retriever().index.bm25_words
        bm.scores["indices"] = np.full_like(bm.scores["indices"], 10**6)  # what num_docs=9999 did at query time
        r = c.get("/api/ask", params={"q": CARBON})
        assert r.status_code == 503 and r.json()["fix"] == "askplan index --force"
        ready = c.get("/readyz")
        assert ready.status_code == 503 and "failed while answering" in ready.json()["detail"]
        assert c.get("/healthz").status_code == 200 and c.get("/healthz").json()["status"] == "error"
        AskplanService(settings).build()  # `askplan index --force` in another terminal
        assert c.get("/api/ask", params={"q": CARBON}).status_code == 200  # at once: the pointer moved
        assert c.get("/readyz").json()["ready"]


def test_the_threadpool_is_bounded(tmp_path):
    import anyio.to_thread

    settings = Settings(corpus_dir=REPO_ROOT / "corpus", index_dir=tmp_path / "index", model="hash-bigram-64",
                        request_threads=6)
    with TestClient(create_app(settings, build_if_missing=False)) as c:
        limit = c.portal.call(lambda: anyio.to_thread.current_default_thread_limiter().total_tokens)
    assert limit == 6 and Settings().request_threads < 40


def test_an_unwritable_index_path_stays_the_reason_on_retry(tmp_path):
    afile = tmp_path / "somefile"
    afile.write_text("")
    settings = Settings(corpus_dir=REPO_ROOT / "corpus", index_dir=afile / "index", model="hash-bigram-64")
    app = create_app(settings)
    with TestClient(app) as c:
        assert app.state.readiness.wait(30) == "error"
        app.state.readiness.retry_seconds = 0
        for _ in range(2):  # the first answer, then a retry
            r = c.get("/api/ask", params={"q": CARBON})
            assert r.status_code == 503 and "cannot write the index folder" in r.json()["detail"]
            assert "--force" not in r.text


def test_a_ready_server_warms_the_per_measure_caches_without_changing_answers(tmp_path):
    """Once ready, the server does the first-meeting work of every measure (its sentences' bigrams, its pinyin)
    that questions would otherwise pay one by one; the answers are the ones an unwarmed service gives."""
    import time

    from askplan.answer import _sentence_grams
    from askplan.answerability.features import pinyin_string
    from askplan.search.rerank import _measure_grams

    settings = Settings(corpus_dir=REPO_ROOT / "corpus", index_dir=tmp_path / "index", model="hash-bigram-64")
    cold = AskplanService(settings)
    cold.build()
    for cache in (_measure_grams, _sentence_grams, pinyin_string):
        cache.cache_clear()
    questions = (CARBON, "皖北振兴是哪一条", "临港新片区跨境数据怎么管")
    want = [[h.measure.id for h in cold.ask(q).hits] for q in questions]
    for cache in (_measure_grams, _sentence_grams, pinyin_string):
        cache.cache_clear()
    app = create_app(settings, build_if_missing=False)
    with TestClient(app) as c:
        assert app.state.readiness.wait(30) == "ok"
        n = len(app.state.service.corpus.measures)
        deadline = time.monotonic() + 60
        while _measure_grams.cache_info().currsize < n and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _measure_grams.cache_info().currsize == _sentence_grams.cache_info().currsize == n
        assert pinyin_string.cache_info().currsize >= n
        got = [[h["id"] for h in c.get("/api/ask", params={"q": q}).json()["hits"]] for q in questions]
    assert got == want


def test_a_corpus_larger_than_the_caches_is_not_warmed(tmp_path, monkeypatch):
    import askplan.service

    settings = Settings(corpus_dir=REPO_ROOT / "corpus", index_dir=tmp_path / "index", model="hash-bigram-64")
    service = AskplanService(settings)
    n = len(service.corpus.measures)
    monkeypatch.setattr(askplan.service, "WARM_LIMIT", n - 1)
    assert service.warm_up() == 0  # warming would evict what it warmed
    monkeypatch.setattr(askplan.service, "WARM_LIMIT", n)
    assert service.warm_up() == n


def test_the_department_registry_is_built_when_first_needed_or_warmed(tmp_path, monkeypatch):
    """A start does not build the registry (4 s at 100,000 measures); a question naming a unit, or a server's
    warm-up even for a corpus too large to warm, builds it once."""
    import askplan.service

    settings = Settings(corpus_dir=REPO_ROOT / "corpus", index_dir=tmp_path / "index", model="hash-bigram-64")
    service = AskplanService(settings)
    assert "departments" not in vars(service)
    monkeypatch.setattr(askplan.service, "WARM_LIMIT", 0)
    assert service.warm_up() == 0 and "departments" in vars(service)
    fresh = AskplanService(settings, corpus=service.corpus)
    assert fresh.departments.get("省发展改革委").duties == service.departments.get("省发展改革委").duties


def test_a_servers_warm_up_reads_the_loaded_index_ahead(hash_service, monkeypatch):
    """A load no longer reads every file to hash it, so a server's warm-up asks the kernel to read the mapped
    index ahead (``store.read_ahead``): the store it loaded, once it has one."""
    import askplan.index.store

    asked = []
    monkeypatch.setattr(askplan.index.store, "read_ahead", asked.append)
    monkeypatch.setattr(askplan.service, "WARM_LIMIT", 0)
    retriever = hash_service.retriever()
    hash_service.warm_up()
    assert asked == [retriever.index.store] and asked[0].is_dir()


def test_a_rebuilt_index_is_read_ahead_once_it_is_swapped_in(tmp_path, monkeypatch):
    """As a start's warm-up reads the store into the page cache, so does the reload of a rebuilt one (in the
    reload's background thread), so the first questions after a rebuild do not fault it in page by page."""
    import threading
    import time

    from askplan.index import store

    settings = Settings(corpus_dir=REPO_ROOT / "corpus", index_dir=tmp_path / "index", model="hash-bigram-64")
    AskplanService(settings).build()
    app = create_app(settings, build_if_missing=False)
    read = []
    with TestClient(app) as c:
        readiness = app.state.readiness
        assert readiness.wait(30) == "ok"
        # the start's warm-up may still be reading ahead too: count the reload thread's calls only
        monkeypatch.setattr(store, "read_ahead",
                            lambda folder: read.append((threading.current_thread().name, folder)) or 0)
        AskplanService(settings).build()  # `askplan index --force` in another terminal
        assert c.get("/api/ask", params={"q": CARBON}).status_code == 200
        deadline = time.monotonic() + 30
        while not any(name == "askplan-reload" for name, _ in read) and time.monotonic() < deadline:
            time.sleep(0.05)
        new_store = app.state.service.retriever().index.store
    assert [folder for name, folder in read if name == "askplan-reload"] == [new_store]
