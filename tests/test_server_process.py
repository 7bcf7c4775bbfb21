"""A real ``askplan serve`` process (uvicorn) over a small fixture corpus and the hash encoder: readiness, an index
rebuilt by another process while the server answers, a query-time index failure, and bad input at the edge
(body and URL limits, HEAD, nosniff, lone surrogates on a keep-alive connection)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from askplan.config import REPO_ROOT
from askplan.corpus import load_corpus
from askplan.encoders import HashEncoder
from askplan.index.layout import resolve
from askplan.index.store import build_index

FIXTURES = Path(__file__).parent / "fixtures"
HASH = "hash-bigram-64"
QUESTION = "数字经济"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(home: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src"), "ASKPLAN_HOME": str(home)}
    env.pop("ASKPLAN_FAULT", None)
    return env


class Server:
    def __init__(self, index_dir: Path, home: Path) -> None:
        self.index_dir, self.home, self.port = index_dir, home, _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "askplan", "serve", "--corpus", str(FIXTURES), "--index", str(index_dir),
             "--model", HASH, "--port", str(self.port)], env=_env(home), stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True)
        self.client = httpx.Client(base_url=self.url, timeout=30)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.client.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        raise AssertionError(f"server did not start: {self.stop()}")

    def wait_ready(self, want: bool = True, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            body = self.client.get("/readyz").json()
            if body["ready"] == want:
                return body
            time.sleep(0.2)
        raise AssertionError(f"/readyz never became ready={want}: {body}")

    def stop(self) -> str:
        self.client.close()
        self.proc.terminate()
        try:
            return self.proc.communicate(timeout=20)[1]
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.communicate()[1]


def rebuild(index_dir: Path, home: Path) -> subprocess.CompletedProcess:
    """What `askplan index --force` in another terminal does."""
    return subprocess.run([sys.executable, "-m", "askplan", "index", "--force", "--corpus", str(FIXTURES),
                           "--index", str(index_dir), "--model", HASH], env=_env(home), capture_output=True,
                          text=True, timeout=120)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    index_dir = tmp_path_factory.mktemp("served") / "index"
    build_index(load_corpus(FIXTURES), HashEncoder(64), index_dir)
    return index_dir


@pytest.fixture(scope="module")
def server(built, tmp_path_factory):
    srv = Server(built, tmp_path_factory.mktemp("home"))
    srv.wait_ready()
    yield srv
    srv.stop()


def test_a_damaged_index_is_detected_on_start_and_rebuilt(tmp_path):
    index_dir = tmp_path / "index"
    build_index(load_corpus(FIXTURES), HashEncoder(64), index_dir)
    damaged = resolve(index_dir)
    faiss_file = damaged / "dense.faiss"
    data = bytearray(faiss_file.read_bytes())
    data[len(data) // 2] ^= 0xFF  # this loaded and answered silently before issue 14
    faiss_file.write_bytes(bytes(data))
    srv = Server(index_dir, tmp_path)
    try:
        assert srv.wait_ready()["index"] == resolve(index_dir).name != damaged.name
    finally:
        log = srv.stop()
    assert "dense.faiss does not match its checksum" in log and "building the index now" in log


def test_an_unwritable_index_path_is_not_ready_and_names_the_real_fix(tmp_path):
    afile = tmp_path / "somefile"
    afile.write_text("")
    srv = Server(afile / "index", tmp_path)
    try:
        deadline = time.monotonic() + 30
        while (body := srv.client.get("/readyz")).json()["status"] == "building" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert body.status_code == 503
        body = body.json()
        assert body["status"] == "error" and "cannot write the index folder" in body["detail"]
        assert srv.client.get("/healthz").status_code == 200  # alive, not ready
        r = srv.client.get("/api/ask", params={"q": QUESTION})
        assert r.status_code == 503 and "--force" not in r.text and "ASKPLAN_INDEX" in r.json()["fix"]
    finally:
        srv.stop()


def test_a_rebuilt_index_is_picked_up_while_requests_keep_succeeding(server, tmp_path):
    before = server.wait_ready()["index"]
    statuses: list[int] = []
    stop = threading.Event()

    def hammer():
        with httpx.Client(base_url=server.url, timeout=30) as c:
            while not stop.is_set():
                statuses.append(c.get("/api/ask", params={"q": QUESTION}).status_code)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for _ in range(2):
            time.sleep(1.1)  # a new built_at, so a new store
            assert rebuild(server.index_dir, tmp_path).returncode == 0
        deadline = time.monotonic() + 20
        while server.client.get("/readyz").json()["index"] != resolve(server.index_dir).name:
            assert time.monotonic() < deadline, "the rebuilt index was never loaded"
            time.sleep(0.2)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert server.client.get("/readyz").json()["index"] != before
    assert len(statuses) > 20 and set(statuses) == {200}


def test_request_bodies_are_limited_before_parsing(server):
    big = b'{"text": "' + b"a" * (2 << 20) + b'"}'
    r = server.client.post("/api/check", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "上限为 1,048,576 字节" in r.json()["detail"]

    def chunks():  # no Content-Length: the streamed bytes are counted
        for _ in range(40):
            yield b"a" * 65536

    r = server.client.post("/api/check", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    r = server.client.post("/api/ask", content=b"x" * (100 << 10))
    assert r.status_code == 413
    ok = server.client.post("/api/check", json={"text": "加快数字经济发展。" * 100})
    assert ok.status_code == 200


def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(request)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
        return out


def test_a_very_long_url_gets_a_json_error(server):
    reply = _raw(server.port, b"GET /api/ask?q=" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414") and b"nosniff" in head
    assert "网址过长" in json.loads(body)["detail"]


def test_head_and_nosniff_everywhere(server):
    head = server.client.head("/")
    assert head.status_code == 200 and head.content == b""
    for url in ("/", "/api/docs", "/docs", "/openapi.json", "/static/app.css", "/nope", "/api/nope", "/healthz"):
        assert server.client.get(url).headers["x-content-type-options"] == "nosniff", url


def test_lone_surrogates_never_break_the_connection(server):
    """Item 1 over a real keep-alive connection: the bad request is answered and the next one still is."""
    with httpx.Client(base_url=server.url, timeout=30) as c:
        for body in ('{"text": "\\ud800abc"}', '{"text": "abc", "doc": "\\udfff"}'):
            r = c.post("/api/check", content=body, headers={"content-type": "application/json"})
            assert r.status_code in (200, 404), r.text
            assert c.get("/api/ask", params={"q": QUESTION}).status_code == 200
        assert c.get("/api/ask?q=%ED%A0%80abc").status_code in (200, 422)
