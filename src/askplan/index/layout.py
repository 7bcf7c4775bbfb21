"""Where a built index lives on disk, and how a build replaces it in one atomic step.

    index/
      current -> store-<digest>   the one pointer readers follow: a symlink, replaced with rename(2)
      store-<digest>/             a complete store; <digest> = first 16 hex digits of its manifest's sha256
      .lock                       flock(2)-ed by the one running builder; holds its pid
      .build-*/                   a build in progress (or a killed one: removed by the next builder)
      store/                      the layout before pointers: read when there is no ``current``, removed by
                                  the next build once the pointer exists

A reader resolves ``current`` once per load. At every instant ``current`` names a complete store (the old one
until the rename, the new one after), so a kill at any point leaves a usable index; whatever a killed build
left behind is removed the next time a builder holds the lock.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from askplan.errors import IndexBusy, IndexCorrupt, IndexUnwritable
from askplan.index import faults

log = logging.getLogger(__name__)
POINTER = "current"
LEGACY = "store"
LOCK = ".lock"
STORE_PREFIX = "store-"
MANIFEST = "manifest.json"
_LEFTOVERS = (".build-", ".old-", ".current-")


def resolve(index_dir: Path) -> Path | None:
    """The store folder to read: ``current``'s target, else the legacy ``store/``, else None (no index)."""
    try:
        target = os.readlink(index_dir / POINTER)
    except FileNotFoundError:
        legacy = index_dir / LEGACY
        return legacy if (legacy / MANIFEST).exists() else None
    except OSError as exc:
        if exc.errno in (errno.ENOTDIR, errno.ENOENT):
            return None
        if exc.errno == errno.EINVAL and (index_dir / POINTER / MANIFEST).exists():
            return index_dir / POINTER  # an index copied by a tool that follows links: the store itself
        raise IndexCorrupt(f"{index_dir / POINTER} is not a link to a store ({exc.strerror}); "
                           "rebuild it with: askplan index --force") from None
    if "/" in target or not target.startswith(STORE_PREFIX):
        raise IndexCorrupt(f"{index_dir / POINTER} points to {target!r}, not a store of this folder; "
                           "rebuild it with: askplan index --force")
    return index_dir / target


def token(index_dir: Path) -> str | None:
    """A cheap identity of the index readers would load now (one readlink, or one stat for the legacy
    layout): it changes whenever a build is swapped in."""
    try:
        return os.readlink(index_dir / POINTER)
    except OSError:
        for name in (POINTER, LEGACY):
            with contextlib.suppress(OSError):
                return f"{name}@{(index_dir / name / MANIFEST).stat().st_mtime_ns}"
        return None


def token_of(store: Path) -> str:
    """``token`` of an index read from ``store``."""
    if store.name.startswith(STORE_PREFIX):
        return store.name
    return f"{store.name}@{(store / MANIFEST).stat().st_mtime_ns}"


class BuildLock:
    """Held by the one builder of ``index_dir``. Entering creates the folder (an unusable path is an
    ``IndexUnwritable`` at once, before any embedding), waits for another builder (saying so, with its pid),
    removes what killed builds left, and makes the ``.build-*`` folder this build writes into."""

    def __init__(self, index_dir: Path, *, say: Callable[[str], None] | None = None, wait: bool = True) -> None:
        self.index_dir, self._say, self._wait = Path(index_dir), say, wait
        self._fd: int | None = None
        self.build_dir: Path | None = None

    def __enter__(self) -> BuildLock:
        try:
            self.index_dir.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.index_dir / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise unwritable(self.index_dir, exc) from None
        self._acquire()
        try:
            clean_stale(self.index_dir)
            self.build_dir = Path(tempfile.mkdtemp(prefix=".build-", dir=self.index_dir))
            self.build_dir.chmod(0o755)  # mkdtemp makes it private; the index is not a secret
        except OSError as exc:
            self.__exit__(None, None, None)
            raise unwritable(self.index_dir, exc) from None
        faults.point("locked")
        return self

    def _acquire(self) -> None:
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = holder(self.index_dir)
            message = f"another build is running (pid {pid}) in {self.index_dir}"
            if not self._wait:
                os.close(self._fd)
                self._fd = None
                raise IndexBusy(f"{message}; wait for it to finish, then try again") from None
            if self._say:
                self._say(f"{message}; waiting for it to finish")
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, f"{os.getpid()}\n".encode(), 0)

    def __exit__(self, *exc_info) -> None:
        if self.build_dir is not None:
            shutil.rmtree(self.build_dir, ignore_errors=True)
            self.build_dir = None
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            os.close(self._fd)  # closing releases the flock
            self._fd = None


def holder(index_dir: Path) -> str:
    """The pid written by the builder holding the lock ("?" when unreadable)."""
    try:
        return (index_dir / LOCK).read_text().strip() or "?"
    except OSError:
        return "?"


def unwritable(index_dir: Path, exc: OSError) -> IndexUnwritable:
    return IndexUnwritable(f"cannot write the index folder {index_dir} ({exc.strerror or exc}); pass --index "
                           "(or set ASKPLAN_INDEX) to a folder you can write")


def commit(index_dir: Path, build_dir: Path, digest: str) -> Path:
    """Move a complete ``.build-*`` folder to ``store-<digest>`` and swap the pointer to it with one rename."""
    name = f"{STORE_PREFIX}{digest}"
    dest = index_dir / name
    if dest.exists():  # the same manifest bytes: the same index, already here
        shutil.rmtree(build_dir)
    else:
        os.replace(build_dir, dest)
    _fsync_dir(index_dir)
    faults.point("renamed")
    pointer = index_dir / POINTER
    if pointer.is_dir() and not pointer.is_symlink():  # a copied index (see resolve): set it aside
        os.replace(pointer, index_dir / f".old-{os.getpid()}")
    link = index_dir / f".current-{os.getpid()}"
    link.unlink(missing_ok=True)
    os.symlink(name, link)
    faults.point("linked")
    os.replace(link, pointer)
    _fsync_dir(index_dir)
    faults.point("swapped")
    clean_stale(index_dir)
    faults.point("cleaned")
    return dest


def clean_stale(index_dir: Path) -> list[str]:
    """Remove what killed or replaced builds left: ``.build-*``, ``.old-*``, ``.current-*``, stores the pointer
    does not name and, once a pointer exists, the legacy ``store/``. Call only while holding the lock."""
    try:
        current = os.readlink(index_dir / POINTER)
    except OSError:
        current = None
    removed = []
    for entry in sorted(index_dir.iterdir()):
        name = entry.name
        stale = name.startswith(_LEFTOVERS) or (current is not None and name != current and (
            name.startswith(STORE_PREFIX) or name == LEGACY))
        if not stale:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(name)
    if removed:
        log.info("removed leftovers of earlier builds in %s: %s", index_dir, ", ".join(removed))
    return removed


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
