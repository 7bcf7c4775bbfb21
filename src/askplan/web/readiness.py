"""Whether the service can answer yet, and keeping it so. The index (and the model, on a first start) is loaded
or built once in a background thread started from the app's lifespan, then probed with one real search; routes
that search call ``require()``, which raises ``Preparing`` while that runs and the load error afterwards.

- A failed load is retried at most every few seconds, or at once when a build has swapped in a new index.
- A search that finds the loaded index unusable (``IndexStale``/``IndexCorrupt`` at query time) marks the server
  not ready with the reason (``broken``), so ``/readyz`` says 503 and why, until a rebuilt index loads.
- A running server picks up a rebuilt index: each searching request compares the index pointer with the loaded
  one (one readlink); a new index is loaded beside the old one in a background thread and swapped in with one
  assignment, so requests already running finish on the old one and none waits.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from askplan.errors import AskplanError, IndexMissing, IndexStale, IndexUnwritable

log = logging.getLogger(__name__)
RETRY_SECONDS = 5.0
FIRST_WAIT_SECONDS = 5.0  # a request that starts the loading waits this long before getting the preparing page


class Preparing(Exception):
    """The index is still being loaded or built; ask again shortly."""

    def __init__(self, progress: str = "") -> None:
        self.progress = progress
        super().__init__("正在准备索引… the index is being prepared; retry in a few seconds")


class Readiness:
    def __init__(self, service, *, build_if_missing: bool = True, say: Callable[[str], None] | None = None,
                 retry_seconds: float = RETRY_SECONDS, on_swap: Callable[[object], None] | None = None) -> None:
        self.service = service
        self._on_swap = on_swap
        self.build_if_missing = build_if_missing
        self.retry_seconds = retry_seconds
        self.status = "idle"  # idle -> building -> ok | error
        self.error: AskplanError | None = None
        self.reload_error: str | None = None  # a rebuilt index that did not load (the previous one still answers)
        self.progress = ""
        self._say = say
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_attempt = 0.0
        self._failed_token: str | None = None  # the index on disk when loading last failed
        self._reloading = False

    @property
    def ready(self) -> bool:
        return self.status == "ok"

    def start(self) -> None:
        """Start loading (building if missing and allowed) in a daemon thread; later calls do nothing."""
        with self._lock:
            if self._thread is not None:
                return
            self.status = "building"
            self._thread = threading.Thread(target=self._prepare, name="askplan-index", daemon=True)
            self._thread.start()

    def wait(self, timeout: float | None = None) -> str:
        """Block until the first load ends (or ``timeout``); the status."""
        self._done.wait(timeout)
        return self.status

    def require(self) -> None:
        """Return when the service can answer; raise ``Preparing`` or the load error otherwise."""
        if self.status == "ok":
            self.watch()
            return
        if self.status == "idle":
            self.start()
            self._done.wait(FIRST_WAIT_SECONDS)  # loading a built index takes a second or two: answer, not 503
        if self.status == "ok":
            return
        if self.status == "building":
            raise Preparing(self.progress)
        self._retry()

    def note(self, message: str) -> None:
        """A progress line: shown on the preparing page and passed on to the terminal."""
        self.progress = message
        if self._say:
            self._say(message)

    def broken(self, exc: AskplanError) -> None:
        """A search found the loaded index unusable: not ready, with the reason, until an index loads again."""
        with self._lock:
            if self.status != "ok":
                return
            self._failed_token = self.service.index_token()
            self._last_attempt = time.monotonic()
            self.service.forget_index()
            self.status, self.error = "error", exc
        log.error("the index failed while answering; not ready until it is rebuilt: %s", exc)
        self.note(f"cannot serve answers: {exc}")

    def _prepare(self) -> None:
        self._last_attempt = time.monotonic()
        try:
            self.service.retriever(build_if_missing=self.build_if_missing, say=self.note)
            self.service.probe()
        except Exception as exc:  # noqa: BLE001 - every failure becomes a 503 naming the fix
            self._fail(exc)
        else:
            self.status, self.error = "ok", None
            self.note("index ready")
        finally:
            self._done.set()
        if self.status == "ok":
            self._warm_up()

    def _warm_up(self) -> None:
        """The per-measure work of first questions, done once the server answers (a cache; never a failure)."""
        try:
            warmed = self.service.warm_up()
        except Exception:  # noqa: BLE001 - warming only fills caches; a question does the same work itself
            log.warning("warming the per-measure caches failed; questions compute them as they come", exc_info=True)
            return
        log.info("warmed the per-measure caches of %d measures", warmed)

    def _retry(self) -> None:
        with self._lock:
            if self.status == "ok":
                return
            rebuilt = self.service.index_token() != self._failed_token
            if not rebuilt and time.monotonic() - self._last_attempt < self.retry_seconds:
                raise self.error or IndexStale("the index is not ready; rebuild it with: "
                                               "askplan index --force")
            self._last_attempt = time.monotonic()
            try:
                self.service.retriever(build_if_missing=False)
                self.service.probe()
            except Exception as exc:  # noqa: BLE001
                self.service.forget_index()
                if isinstance(self.error, IndexUnwritable) and isinstance(exc, IndexMissing):
                    exc = self.error  # still no index because the path is unusable: keep saying so
                self._fail(exc)
                raise self.error from None
            self.status, self.error = "ok", None
            log.info("index loaded on retry")

    def _fail(self, exc: Exception) -> None:
        if not isinstance(exc, AskplanError):
            log.error("preparing the index failed", exc_info=exc)
            exc = IndexStale(f"preparing the index failed ({type(exc).__name__}: {exc}); "
                             "rebuild it with: askplan index --force")
        self._failed_token = self.service.index_token()
        self.status, self.error = "error", exc
        self.note(f"cannot serve answers: {exc}")

    def watch(self) -> None:
        """Start loading a rebuilt index in the background when the pointer has moved (one readlink)."""
        if self._reloading:
            return
        on_disk = self.service.index_token()
        if on_disk in (self.service.loaded_token, self._failed_token) or on_disk is None:
            return
        with self._lock:
            if self._reloading:
                return
            self._reloading = True
        threading.Thread(target=self._reload, args=(on_disk,), name="askplan-reload", daemon=True).start()

    def swap(self, service) -> None:
        """Serve from ``service`` (over a changed corpus, its index loaded) from now on: one assignment."""
        with self._lock:
            self.service = service
            self.status, self.error, self._failed_token = "ok", None, None
        if self._on_swap:
            self._on_swap(service)

    def _reload(self, on_disk: str) -> None:
        try:
            try:
                retriever = self.service.reload()
            except IndexStale:  # built over a changed corpus (askplan add/remove): reread the corpus too
                self.swap(self.service.reopened())
                retriever = self.service.retriever()
        except Exception as exc:  # noqa: BLE001 - the old index keeps answering; the reason is shown on /readyz
            self._failed_token = on_disk
            self.reload_error = f"the rebuilt index was not loaded and the previous one still answers: {exc}"
            log.warning("%s", self.reload_error)
        else:
            self.reload_error = None
            self.note(f"loaded the rebuilt index ({retriever.token})")
            self._read_ahead(retriever)
        finally:
            self._reloading = False

    def _read_ahead(self, retriever) -> None:
        """The swapped-in store read once into the page cache, in this background thread, as a start's warm-up
        does (``AskplanService.read_ahead``): otherwise the first questions after a rebuild fault its pages in one
        at a time from a cold disk. A cache; never a failure."""
        try:
            self.service.read_ahead(retriever)
        except Exception:  # noqa: BLE001 - reading ahead only fills the page cache
            log.warning("reading the rebuilt index ahead failed; questions read it as they come", exc_info=True)
