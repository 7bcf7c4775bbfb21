"""Parsed documents kept on disk, so that a start reads each unchanged corpus file back instead of parsing it again.

Parsing is most of a service start on a large corpus (10,000 measures: 1.3 s to parse, 0.1 s to read back; the
1,000,000-measure corpus of bench/README.md took 7 minutes to parse). An entry holds one file's ``Document`` and its
warnings, under ``<cache>/<slug>-<where>-<what>.pickle``: <where> hashes the file's path (as given and resolved),
<what> its bytes, the corpus config's bytes and a stamp of askplan's own code (every module's path, size and
modification time), so an edited text, an edited config or a changed parser never reads a stale entry: it misses
and parses again. Writing is atomic and best-effort: an entry that cannot be written or read is parsed again, never
an error. A write drops the file's older entries, and a load that wrote any drops those no start has read for a
month. Only this user's own cache folder is read (``$ASKPLAN_HOME/cache/parsed``)."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import logging
import os
import pickle
import sys
import time
from functools import lru_cache
from pathlib import Path

from askplan.files import write_atomic

log = logging.getLogger(__name__)
FORMAT = b"askplan-parsed-1"
STALE_SECONDS = 30 * 24 * 3600


@lru_cache(maxsize=1)
def code_stamp() -> bytes:
    """A digest of askplan's modules (path, size, modification time) and the Python version: any change to the
    code that parses invalidates every entry."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.blake2b(FORMAT + sys.version.encode(), digest_size=16)
    for path in sorted(package.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(package)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.digest()


def content_digest(data: bytes) -> bytes:
    """A file's bytes as ``entry_path`` names them."""
    return hashlib.blake2b(data, digest_size=16).digest()


def entry_path(cache: Path, path: Path, content: bytes, config: bytes) -> Path:
    """``<cache>/<slug>-<where>-<what>.pickle``: <where> hashes the file's path as given and resolved (a document
    keeps the path it was loaded by, so each copy of a file, and each way of naming it, has entries of its own),
    <what> its bytes (``content``: their ``content_digest``), the config's and the code stamp."""
    where = hashlib.blake2b(f"{path}\0{path.resolve()}".encode(), digest_size=6).hexdigest()
    digest = hashlib.blake2b(code_stamp(), digest_size=16)
    digest.update(len(config).to_bytes(8, "little") + config + content)
    return cache / f"{path.stem[:80]}-{where}-{digest.hexdigest()}.pickle"


class Digests:
    """The content digests of files hashed before, by what ``stat`` says of them (``<cache>/digests.json``): a
    file whose path, size, inode, device, modification and change times are as they were when it was hashed is
    not read and hashed again (592 MB, 0.7 s of a start at 1,000,000 measures). Any write, copy or replacement
    changes the change time, so it is hashed again: the trust the index's hash stamps place in the same fields
    (``index.integrity.check_store``). Best effort: an unreadable or damaged file is an empty memo."""

    NAME = "digests.json"
    KEPT = 100_000  # entries written at most (the most recently used)

    def __init__(self, cache: Path):
        self.path, self.changed = cache / self.NAME, False
        try:
            self.known: dict[str, list] = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(self.known, dict):
                raise ValueError("not a mapping")
        except (OSError, ValueError):
            self.known = {}

    @staticmethod
    def _key(path: Path) -> str:
        return f"{path}\0{path.resolve()}"

    @staticmethod
    def _stat(st: os.stat_result) -> list[int]:
        return [st.st_size, st.st_ino, st.st_dev, st.st_mtime_ns, st.st_ctime_ns]

    def get(self, path: Path, st: os.stat_result) -> bytes | None:
        found = self.known.get(self._key(path))
        if isinstance(found, list) and len(found) == 2 and found[0] == self._stat(st):
            with contextlib.suppress(ValueError, TypeError):
                return bytes.fromhex(found[1])
        return None

    def put(self, path: Path, st: os.stat_result, digest: bytes) -> None:
        key = self._key(path)
        self.known.pop(key, None)  # re-inserted last: the most recently used are kept
        self.known[key] = [self._stat(st), digest.hex()]
        self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        kept = dict(list(self.known.items())[-self.KEPT:])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, lambda tmp: Path(tmp).write_text(json.dumps(kept), encoding="utf-8"))
        except OSError as exc:
            log.info("could not keep the file digests in %s (%s)", self.path.parent, exc)


def read(entry: Path, load):
    """The cached value ``load(entry)`` reads at ``entry``, or None (absent, unreadable or from another version:
    parse again)."""
    try:
        with collector_paused():
            value = load(entry)
    except FileNotFoundError:
        return None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError, KeyError,
            IndexError) as exc:
        log.info("ignoring the parsed-document cache entry %s (%s)", entry, exc)
        return None
    with contextlib.suppress(OSError):
        os.utime(entry)  # used: kept by ``prune``
    return value


@contextlib.contextmanager
def collector_paused():
    """No cyclic garbage collection while entries are read back: reading makes only objects that live on (a
    parsed document holds no cycles), and each collection walked all of them again. Paused per entry, the
    collections that ran as each read ended still walked everything read so far: 3.4 of the 7 s of reading
    1,000,000 cached measures back. So ``load_corpus`` pauses it for the whole load and resumes it only while a
    file is parsed (``collector_resumed``): the parser's trees are cyclic garbage, which piled up to 4.4 GB at
    1,000,000 measures when the collector was off for a whole parse. Yields whether it was running before.

    On the way out, what was read joins the oldest generation unwalked (``gc.freeze`` then ``gc.unfreeze``: two
    list splices): resumed with a million new objects in its youngest generation, the collector's first pass
    walked them all (1.0 s at 1,000,000 measures), and the next pass again. They are still collected, by the next
    full collection, which walks them all once (1.2 s of a first question at 1,000,000 measures). A long-lived
    process (``loads_kept``) keeps them frozen instead, until its next load."""
    was_enabled = gc.isenabled()
    if was_enabled:  # the outermost pause (one entry's read inside a load is another)
        if gc.get_freeze_count():  # what an earlier load froze is collectable again
            gc.unfreeze()
        if _keep_loaded:  # no garbage frozen with the rest
            gc.collect()
    gc.disable()
    try:
        yield was_enabled
    finally:
        if was_enabled:
            gc.freeze()
            if not _keep_loaded:
                gc.unfreeze()
            gc.enable()


_keep_loaded = False


@contextlib.contextmanager
def loads_kept():
    """Around the load of a corpus a process keeps until it exits (``askplan serve``, ``askplan ask``): objects
    alive at the end of the load are left out of cyclic garbage collection (``gc.freeze``) until the next load,
    which unfreezes them first. A corpus holds no cycles, so it is freed as ever when dropped. Not for a library
    caller: objects that die in cycles while frozen are freed only after the next load."""
    global _keep_loaded
    was, _keep_loaded = _keep_loaded, True
    try:
        yield
    finally:
        _keep_loaded = was


@contextlib.contextmanager
def collector_resumed(enabled: bool):
    """Inside ``collector_paused``: the collector as it was before the pause (``enabled``), for a parse."""
    if enabled:
        gc.enable()
    try:
        yield
    finally:
        gc.disable()


class Entries:
    """A cache folder's entries by the file they parse (``<slug>-<where>``), listed once and kept up to date by
    ``write``. Globbing the folder for a file's older entries on every write made a first start over n documents
    list the folder n times: 70,000 short documents took over half an hour to parse, most of it listing."""

    def __init__(self, cache: Path) -> None:
        self.cache = cache
        self._by_file: dict[str, set[str]] | None = None

    def replace(self, entry: Path) -> list[Path]:
        """Record ``entry`` as its file's only entry; the others it had, to delete."""
        if self._by_file is None:
            self._by_file = {}
            with contextlib.suppress(OSError), os.scandir(self.cache) as found:
                for item in found:
                    if item.name.endswith(".pickle"):
                        self._by_file.setdefault(_file_of(item.name), set()).add(item.name)
        older = self._by_file.get(_file_of(entry.name), set()) - {entry.name}
        self._by_file[_file_of(entry.name)] = {entry.name}
        return [self.cache / name for name in sorted(older)]


def _file_of(name: str) -> str:
    return name.rsplit("-", 1)[0]  # <slug>-<where>-<what>.pickle -> <slug>-<where>


def write(entry: Path, value, store, entries: Entries) -> None:
    """Store ``value`` at ``entry`` with ``store(entry, value)`` (which writes atomically) and drop the file's
    older entries (``entries``, of ``entry``'s folder); a failure is logged, never raised."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        store(entry, value)
        for old in entries.replace(entry):
            old.unlink(missing_ok=True)
    except OSError as exc:
        log.info("could not keep the parsed document in %s (%s)", entry.parent, exc)


def fingerprint_path(cache: Path, entries: list[Path]) -> Path:
    """Where the fingerprint of a corpus whose documents came from ``entries`` is kept: named by a hash of their
    names, which hash each file's path and bytes, the config and the code (``entry_path``), all that the
    fingerprint covers. Reading it saves hashing every file again (0.7 s of a start at 1,000,000 measures)."""
    digest = hashlib.blake2b(b"\0".join(sorted(e.name.encode() for e in entries)), digest_size=16)
    return cache / f"fingerprint-{digest.hexdigest()}"


def read_fingerprint(path: Path) -> str | None:
    """The fingerprint kept at ``path``, or None (absent or damaged: computed again)."""
    try:
        value = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # used: kept by ``prune``
    return value


def write_fingerprint(path: Path, value: str) -> None:
    """Best effort, like the entries."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, lambda tmp: Path(tmp).write_text(value, encoding="ascii"))
    except OSError as exc:
        log.info("could not keep the corpus fingerprint in %s (%s)", path.parent, exc)


def prune(cache: Path) -> None:
    """Drop the entries (and kept fingerprints) no start has read for a month (corpora since removed or
    renamed); called once by a load that wrote entries. A failure is logged, never raised."""
    stale = time.time() - STALE_SECONDS
    try:
        for entry in [*cache.glob("*.pickle"), *cache.glob("fingerprint-*")]:
            if entry.stat().st_mtime < stale:
                entry.unlink(missing_ok=True)
    except OSError as exc:
        log.info("could not prune the parsed-document cache %s (%s)", cache, exc)
