"""``askplan serve --allow-upload`` through FastAPI's TestClient over a copy of the fixture corpus and a
hash-bigram-64 index: the page and its routes do not exist without the flag; with it a .txt and a .docx upload
run ``add_documents`` in the background, the status reaches done and /api/ask finds the new clause at once;
too big, wrong type, a second upload while one runs, and markup in an uploaded title."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from askplan.config import Settings
from askplan.ingest.extract import MAX_FILE_BYTES
from askplan.service import AskplanService
from askplan.web import create_app
from ingest_files import write_docx

FIXTURES = Path(__file__).parent / "fixtures"
HASH = "hash-bigram-64"
NOTICE = ("某市人民政府关于加强古树名木保护的通知\n某市人民政府\n2022年5月6日\n一、严格保护\n"
          "（一）建立古树名木电子档案。为每株古树挂牌并定期巡查。（责任单位：市绿化市容局）\n")
XSS = "<script>alert(1)</script>"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in FIXTURES.glob("*.txt"):
        shutil.copy(path, corpus)
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", model=HASH, home=tmp_path / "home",
                        allow_upload=True)
    AskplanService(settings).build()
    return settings


def _client(settings: Settings):
    app = create_app(settings, build_if_missing=False)
    client = TestClient(app, cookies={"script": "orig"})
    client.__enter__()
    assert app.state.readiness.wait(30) == "ok"
    return client


@pytest.fixture
def client(settings):
    c = _client(settings)
    yield c
    c.__exit__(None, None, None)


def upload(client, name: str, data: bytes, **fields):
    return client.post("/upload", files={"file": (name, data)}, data=fields, follow_redirects=False)


def wait_done(client, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = client.get("/upload/status").json()
        if status["state"] != "running":
            return status
        time.sleep(0.1)
    raise AssertionError(f"upload still running: {status}")


def test_flag_off_no_route_no_link_no_large_body(settings) -> None:
    c = _client(dataclasses.replace(settings, allow_upload=False))
    try:
        assert c.get("/upload").status_code == 404
        assert c.get("/upload/status").status_code == 404
        assert upload(c, "a.txt", NOTICE.encode()).status_code == 404
        assert c.post("/upload", content=b"x" * (MAX_FILE_BYTES // 2)).status_code == 413  # the 64 KB limit
        page = c.get("/").text
        assert "上传文件" not in page and "/upload" not in page
    finally:
        c.__exit__(None, None, None)


def test_txt_upload_is_indexed_and_found(client, settings) -> None:
    assert 'href="/upload"' in client.get("/").text
    response = upload(client, "old-trees.txt", NOTICE.encode("gb18030"))
    assert response.status_code == 303 and response.headers["location"] == "/upload"
    status = wait_done(client)
    assert status["state"] == "done", status
    assert status["result"]["slug"] == "old-trees" and status["result"]["measures"] >= 1
    assert any(line.startswith("old-trees: ") and "measures read" in line for line in status["lines"])
    assert any(line.startswith("indexing") for line in status["lines"]), status["lines"]
    page = client.get("/upload").text
    assert "/d/old-trees" in page and "古树名木保护" in page
    hit = client.get("/api/ask", params={"q": "古树名木电子档案挂牌巡查"}).json()["hits"][0]
    assert hit["id"].startswith("old-trees/")
    assert client.get("/d/old-trees").status_code == 200
    assert (settings.corpus_dir / "old-trees.txt").exists()
    assert not list(Path(settings.corpus_dir).glob(".askplan-*"))
    assert not list(Path(tempfile.gettempdir()).glob("askplan-upload-*")), "the upload is never kept"


def test_docx_upload_with_fields(client, tmp_path) -> None:
    data = write_docx(tmp_path / "notice.docx").read_bytes()
    response = upload(client, "通知.docx", data, slug="rural-toilets", issuer="某县人民政府办公室")
    assert response.status_code == 303
    status = wait_done(client)
    assert status["state"] == "done", status
    assert status["result"]["url"] == "/d/rural-toilets"
    hit = client.get("/api/ask", params={"q": "农村户用卫生厕所改建"}).json()["hits"][0]
    assert hit["id"].startswith("rural-toilets/")


def test_too_big_is_413(client) -> None:
    over_body = client.post("/upload", files={"file": ("big.txt", b"a" * (MAX_FILE_BYTES + 100_000))})
    assert over_body.status_code == 413 and "20 MB" in over_body.json()["detail"]
    over_file = upload(client, "big.txt", "规".encode() * (MAX_FILE_BYTES // 3 + 1))
    assert over_file.status_code == 413 and "20 MB" in over_file.text
    assert client.get("/upload/status").json()["state"] == "idle"


@pytest.mark.parametrize(("name", "data", "says"), [
    ("plan.exe", b"MZ\x90\x00", "不支持的文件类型"),
    ("plan", b"text", "no extension"),
    ("plan.pdf", NOTICE.encode(), "不符"),
    ("plan.docx", b"%PDF-1.4 ...", "不符"),
    ("plan.txt", b"\x00\x01\x02" * 50, "不符"),
])
def test_wrong_type_is_refused_with_a_message(client, name, data, says) -> None:
    response = upload(client, name, data)
    assert response.status_code == 415 and says in response.text
    assert client.get("/upload/status").json()["state"] == "idle"


def test_a_form_posted_from_another_site_is_refused(client) -> None:
    response = client.post("/upload", files={"file": ("a.txt", NOTICE.encode())}, headers={"Origin": "http://evil.example"})
    assert response.status_code == 403 and "只能从本站" in response.text
    assert client.get("/upload/status").json()["state"] == "idle"


def test_bad_content_ends_in_a_one_line_error(client) -> None:
    assert upload(client, "notes.txt", "随便写的几个字".encode()).status_code == 303
    status = wait_done(client)
    assert status["state"] == "error" and "\n" not in status["error"] and "上传的文件没有加入" in status["error"]
    assert "上传的文件没有加入" in client.get("/upload").text


def test_second_upload_while_one_runs_is_409(client, monkeypatch) -> None:
    import askplan.documents

    release, started = threading.Event(), threading.Event()
    real = askplan.documents.add_documents

    def slow(*args, **kwargs):
        started.set()
        assert release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(askplan.documents, "add_documents", slow)
    assert upload(client, "old-trees.txt", NOTICE.encode()).status_code == 303
    assert started.wait(10)
    second = upload(client, "other.txt", NOTICE.encode())
    assert second.status_code == 409 and "正在处理另一个文件" in second.text
    release.set()
    assert wait_done(client)["state"] == "done"


def test_markup_in_an_uploaded_title_is_escaped(client) -> None:
    text = NOTICE.replace("关于加强古树名木保护的通知", f"关于{XSS}古树保护的通知")
    assert upload(client, "xss-notice.txt", text.encode(), title=f"古树保护{XSS}通知").status_code == 303
    status = wait_done(client)
    assert status["state"] == "done", status
    assert XSS in status["result"]["title"]  # JSON carries the text; the page script shows it as text only
    for path in ("/upload", f"/d/{status['result']['slug']}", "/d"):
        page = client.get(path).text
        assert XSS not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path


def test_running_server_picks_up_a_document_added_elsewhere(client, settings) -> None:
    """``askplan add`` in another process changes the corpus and the index: the next request sees the new
    pointer, the index no longer matches the loaded corpus, and the server rereads both (readiness._reload)."""
    from askplan.documents import add_documents
    from askplan.ingest.add import Overrides

    path = settings.home / "old-trees.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(NOTICE, encoding="utf-8")
    add_documents(settings, [path], Overrides())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        hits = client.get("/api/ask", params={"q": "古树名木电子档案挂牌巡查"}).json()["hits"]
        if hits and hits[0]["id"].startswith("old-trees/"):
            break
        time.sleep(0.2)
    else:
        raise AssertionError("the running server never answered from the added document")
    assert client.get("/d/old-trees").status_code == 200


def test_serve_flag_needs_one_worker_and_travels_to_workers(settings, monkeypatch) -> None:
    from click.testing import CliRunner

    from askplan.cli import main
    from askplan.web import workers

    result = CliRunner().invoke(main, ["serve", "--allow-upload", "--workers", "2", "--corpus",
                                       str(settings.corpus_dir), "--index", str(settings.index_dir)])
    assert result.exit_code == 2 and "--workers 1" in result.output
    monkeypatch.setenv(workers.ENV, "{}")
    workers.export_settings(settings)
    app = workers.worker_app()
    assert app.state.service.settings.allow_upload is True
    assert TestClient(app).get("/upload/status").json()["state"] == "idle"  # no lifespan: nothing loads
