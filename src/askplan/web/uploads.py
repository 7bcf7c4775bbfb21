"""The web upload behind ``askplan serve --allow-upload``: the uploaded file is checked (type by extension and by
its first bytes, size while it is copied), written to a temporary folder under its own name, and handed to
``add_documents`` -- the same call as ``askplan add`` -- in a background thread, one upload at a time. The
temporary copy is deleted when the job ends. ``UploadJob`` holds what the status endpoint reports."""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from askplan.errors import AskplanError
from askplan.ingest.extract import EXTENSIONS, MAX_FILE_BYTES

log = logging.getLogger(__name__)
CHUNK = 1 << 16
MAX_LINES = 40  # progress lines kept for the status page
MAX_NAME_CHARS = 80
SNIFF_BYTES = 8192
MAGIC = {".docx": (b"PK\x03\x04",), ".pdf": (b"%PDF-",)}
TYPES = "、".join(EXTENSIONS)


class UploadRejected(AskplanError):
    """An upload refused before anything runs; ``status`` is the HTTP status the edge answers with."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


def safe_name(filename: str | None) -> str:
    """The client's file name without folders, control characters or path tricks; BadType without an extension."""
    name = re.sub(r"[\x00-\x1f\x7f/\\:*?\"<>|]", "_", (filename or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = name.strip()
    suffix = Path(name).suffix.lower()
    if suffix not in EXTENSIONS:
        shown = suffix or "没有扩展名 no extension"
        raise UploadRejected(415, f"不支持的文件类型（{shown}），只能上传 {TYPES}。unsupported file type; "
                                  f"upload one of {', '.join(EXTENSIONS)}")
    stem = Path(name).stem[: MAX_NAME_CHARS] or "upload"
    return stem + suffix


def sniff(head: bytes, suffix: str) -> None:
    """The first bytes must fit the extension: a Word file is a zip, a PDF starts with %PDF-, text has no NULs."""
    magic = MAGIC.get(suffix)
    if magic is not None:
        ok = head.startswith(magic)
    else:
        ok = b"\x00" not in head[:SNIFF_BYTES] or head.startswith((b"\xff\xfe", b"\xfe\xff"))
        ok = ok and not head.startswith((b"PK\x03\x04", b"%PDF-"))
    if not ok:
        raise UploadRejected(415, f"文件内容与扩展名 {suffix} 不符。the file's content is not {suffix}; "
                                  "save it again in that format, or give it the right extension")


def save_upload(source, name: str, folder: Path) -> Path:
    """Copy the file object ``source`` to ``folder/name`` in chunks: the type sniffed on the first chunk, the
    size limit checked on every chunk (413 as soon as it is passed), an empty file refused."""
    target, size = folder / name, 0
    with target.open("wb") as out:
        while chunk := source.read(CHUNK):
            if size == 0:
                sniff(chunk, target.suffix.lower())
            size += len(chunk)
            if size > MAX_FILE_BYTES:
                raise UploadRejected(413, f"文件超过 {MAX_FILE_BYTES // 2**20} MB 上限。the file is larger than "
                                          f"{MAX_FILE_BYTES // 2**20} MB; split it or remove images")
            out.write(chunk)
    if size == 0:
        raise UploadRejected(422, "上传的文件是空的。the uploaded file is empty; choose the file again")
    return target


@dataclass
class UploadJob:
    """One upload at a time: ``state`` idle -> running -> done | error, with progress lines and the result."""

    state: str = "idle"
    name: str = ""
    lines: list[str] = field(default_factory=list)
    result: dict = field(default_factory=dict)
    error: str = ""
    started: float = 0.0
    seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def claim(self, name: str) -> None:
        """Mark the job running for ``name``; 409 while another upload runs."""
        with self._lock:
            if self.state == "running":
                raise UploadRejected(409, f"正在处理另一个文件（{self.name}），请等它完成后再上传。another upload "
                                          "is being indexed; wait until it is done and try again")
            self.state, self.name, self.lines, self.result, self.error = "running", name, [], {}, ""
            self.started, self.seconds = time.monotonic(), 0.0

    def say(self, message: str) -> None:
        log.info("upload %s: %s", self.name, message)
        self.lines = [*self.lines, str(message)][-MAX_LINES:]

    def release(self) -> None:
        """Give the claim back when the upload was refused before its job started."""
        with self._lock:
            self.state = "idle"

    def run(self, work: Callable[[Callable[[str], None]], dict], folder: Path) -> None:
        """``work(say)`` in a daemon thread; ``folder`` (the temporary copy) is deleted when it ends."""
        threading.Thread(target=self._run, args=(work, folder), name="askplan-upload", daemon=True).start()

    def _run(self, work, folder: Path) -> None:
        result, error = None, ""
        try:
            result = work(self.say)
        except AskplanError as exc:
            error = f"上传的文件没有加入：{_one_line(str(exc))}"
        except Exception as exc:  # noqa: BLE001 - logged; the page says so in one line
            log.error("upload %s failed", self.name, exc_info=exc)
            error = "上传的文件没有加入：服务器出错，错误已记入日志。internal error; it has been logged on the server"
        finally:
            shutil.rmtree(folder, ignore_errors=True)  # the upload is never kept
        self._finish("error" if error else "done", result=result, error=error)

    def _finish(self, state: str, *, result: dict | None = None, error: str = "") -> None:
        with self._lock:
            self.result, self.error = result or {}, error
            self.seconds = round(time.monotonic() - self.started, 1)
            self.state = state

    def status(self) -> dict:
        return {"state": self.state, "name": self.name, "lines": list(self.lines), "result": self.result,
                "error": self.error, "seconds": self.seconds if self.state != "running"
                else round(time.monotonic() - self.started, 1)}


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def temp_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="askplan-upload-"))
