"""``askplan serve --workers 2``: a real server process whose worker processes answer on one port, over an index
the parent built before starting them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

FIXTURES = Path(__file__).parent / "fixtures"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_two_workers_answer_on_one_port(tmp_path) -> None:
    port = _free_port()
    env = {**os.environ, "ASKPLAN_HOME": str(tmp_path / "home")}
    proc = subprocess.Popen([sys.executable, "-m", "askplan", "serve", "--corpus", str(FIXTURES), "--index",
                             str(tmp_path / "index"), "--model", "hash-bigram-64", "--port", str(port),
                             "--workers", "2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    try:
        deadline, answer = time.monotonic() + 90, None
        while time.monotonic() < deadline and answer is None:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/ask", params={"q": "谁牵头数字经济"}, timeout=5)
                answer = r if r.status_code == 200 else None
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        assert answer is not None, "no answer within 90 s"
        assert answer.json()["hits"]
        assert (tmp_path / "index").is_dir()  # built once, by the parent
        workers = [c for c in _children(proc.pid) if "spawn_main" in Path(f"/proc/{c}/cmdline").read_text()]
        assert len(workers) == 2
        for _ in range(10):
            assert httpx.get(f"http://127.0.0.1:{port}/api/ask", params={"q": "乡村振兴"}, timeout=5).status_code == 200
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert "2 workers" in out and "Traceback" not in out
