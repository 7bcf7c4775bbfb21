"""A cache of passage vectors beside the index, keyed by (model, passage text): a rebuild after adding or
removing one document embeds only the passages that are new, and reuses every other vector.

The file is ``<index>/vectors/<model>.npz`` with two arrays, ``keys`` (sha256 of model and text, one row of 32
bytes each: a fixed-width bytes dtype would drop a digest's trailing zero bytes) and ``vectors`` (row i belongs
to key i). It is a memo, never a source of truth: a damaged or mismatched file is
ignored and rebuilt, and it is written atomically after the vectors it holds were computed.

A build streams: ``VectorCache.write`` puts each passage's vector into a raw float32 file, one row per passage,
reading a cached row from the old file (``os.pread``: the old vectors are never all in memory) and embedding
the others as they come. ``save`` then copies the rows used into a new cache file, a chunk at a time. Neither
holds a corpus's vectors in memory: at a million measures they are 5.7 GB."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import struct
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from askplan.files import write_atomic

log = logging.getLogger(__name__)
FOLDER = "vectors"
EMBED_BATCH = 16 * 2048  # texts handed to the encoder at once: a multiple of the engine's batch (DOC_BATCH),
# so that a corpus embedded in several calls gets the same batches, and the same vectors, as in one call
READ_ROWS = 65_536  # rows read from a vector file at a time


def _key(model: str, text: str) -> bytes:
    return hashlib.sha256(f"{model}\0{text}".encode()).digest()


def cache_path(index_dir: Path, model: str) -> Path:
    return index_dir / FOLDER / (re.sub(r"[^A-Za-z0-9._-]+", "_", model) + ".npz")


def uncached(index_dir: Path, model: str, texts: Iterable[str]) -> int:
    """How many distinct ``texts`` the vector cache beside ``index_dir`` does not hold for ``model`` (all of them
    when there is no readable cache): what a build would embed."""
    try:
        with np.load(cache_path(index_dir, model)) as data:
            keys = data["keys"]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        keys = np.zeros((0, 32), dtype=np.uint8)
    held = {k.tobytes() for k in keys} if keys.ndim == 2 and keys.shape[1] == 32 else set()
    return len({key for t in texts if (key := _key(model, t)) not in held})


def stored_member(path: Path, name: str) -> tuple[int, tuple, np.dtype] | None:
    """(offset of the data, shape, dtype) of the array ``name`` of an uncompressed ``.npz`` (as ``np.savez``
    writes it), so that its rows can be read in place; None when it is compressed or not a plain C-order array."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(f"{name}.npy")
    if info.compress_type != zipfile.ZIP_STORED:
        return None
    with open(path, "rb") as f:
        f.seek(info.header_offset)
        local = f.read(30)
        if local[:4] != b"PK\x03\x04":
            return None
        name_len, extra_len = struct.unpack("<HH", local[26:30])
        f.seek(info.header_offset + 30 + name_len + extra_len)
        read_header = {(1, 0): np.lib.format.read_array_header_1_0,
                       (2, 0): np.lib.format.read_array_header_2_0}.get(np.lib.format.read_magic(f))
        if read_header is None:
            return None
        shape, fortran, dtype = read_header(f)
        offset = f.tell()
        if fortran or dtype.hasobject or offset + int(np.prod(shape)) * dtype.itemsize > path.stat().st_size:
            return None  # a truncated member is then read as a whole by np.load, and fails as damaged
        return offset, shape, dtype


class Rows:
    """Float32 rows of one width, written with ``put(start, rows)`` and read with ``read(start, count)``."""

    def read(self, start: int, count: int) -> np.ndarray:
        raise NotImplementedError

    def chunks(self, count: int, size: int = READ_ROWS) -> Iterator[tuple[int, np.ndarray]]:
        """(start, rows) of rows 0..count-1, ``size`` rows at a time."""
        for start in range(0, count, size):
            yield start, self.read(start, min(size, count - start))


class RowFile(Rows):
    """Float32 rows of ``dim`` in a raw file from ``offset`` on, written and read in place (``os.pwrite`` /
    ``os.pread``): no mapping, so the rows count in the page cache only, not in the process's memory."""

    def __init__(self, fd: int, dim: int, offset: int = 0):
        self.fd, self.dim, self.offset = fd, dim, offset
        self.row_bytes = 4 * dim

    def put(self, start: int, rows: np.ndarray) -> None:
        data = memoryview(np.ascontiguousarray(rows, dtype=np.float32)).cast("B")
        position = self.offset + start * self.row_bytes
        while len(data):
            written = _pwrite(self.fd, data, position)
            data, position = data[written:], position + written

    def read(self, start: int, count: int) -> np.ndarray:
        size = count * self.row_bytes
        data = _pread(self.fd, size, self.offset + start * self.row_bytes)
        if len(data) != size:
            raise OSError(f"vector file ended at row {start + len(data) // self.row_bytes}, not {start + count}")
        return np.frombuffer(data, dtype=np.float32).reshape(count, self.dim)


def _pwrite(fd: int, data, position: int) -> int:
    if hasattr(os, "pwrite"):
        return os.pwrite(fd, data, position)
    os.lseek(fd, position, os.SEEK_SET)  # Windows has no pwrite; a vector file has one user at a time
    return os.write(fd, data)


def _pread(fd: int, size: int, position: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, size, position)
    os.lseek(fd, position, os.SEEK_SET)
    return os.read(fd, size)


class RowArray(Rows):
    """``RowFile``'s ``put`` and ``read`` over an array in memory."""

    def __init__(self, array: np.ndarray):
        self.array = array

    def put(self, start: int, rows: np.ndarray) -> None:
        self.array[start : start + len(rows)] = rows

    def read(self, start: int, count: int) -> np.ndarray:
        return self.array[start : start + count]


def _put_rows(rows, positions: list[int], vectors: np.ndarray) -> None:
    """``rows.put`` vector i at positions[i], a run of consecutive positions in one write."""
    order = np.argsort(np.asarray(positions, dtype=np.int64), kind="stable")
    ordered = np.asarray(positions, dtype=np.int64)[order]
    breaks = np.flatnonzero(np.diff(ordered) != 1) + 1
    for run in np.split(np.arange(len(ordered)), breaks):
        if len(run):
            rows.put(int(ordered[run[0]]), vectors[order[run]])


class VectorCache:
    def __init__(self, index_dir: Path, model: str, dim: int):
        self.path = cache_path(index_dir, model)
        self.model, self.dim = model, dim
        self.held: dict[bytes, int] = {}  # key -> row of the cache file as read
        self.fresh = 0  # vectors computed by the last ``write`` / ``encode``
        self._old = None  # the cache file's rows as read (``RowFile`` or ``RowArray``)
        self._file = None
        self._used: tuple[bytes, np.ndarray, object] | None = None  # the last run's keys, first uses, rows
        self._load()

    def _load(self) -> None:
        try:
            with np.load(self.path) as data:
                keys = data["keys"]
                where = stored_member(self.path, "vectors")
                vectors = None if where else data["vectors"]
                shape = where[1] if where else vectors.shape
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            log.warning("ignoring the vector cache %s (%s); every passage is embedded again", self.path, exc)
            return
        if len(shape) != 2 or shape[1] != self.dim or keys.shape != (shape[0], 32) or (
                where and where[2] != np.dtype("<f4")):
            log.warning("ignoring the vector cache %s: its shape does not match the model", self.path)
            return
        self.held = {k.tobytes(): i for i, k in enumerate(keys)}
        if vectors is not None:  # compressed: read into memory (files written here never are)
            self._old = RowArray(np.asarray(vectors, dtype=np.float32))
        else:
            self._file = open(self.path, "rb")  # noqa: SIM115 - closed by ``close`` (``save`` calls it)
            self._old = RowFile(self._file.fileno(), self.dim, where[0])

    def keys(self) -> set[bytes]:
        """The keys of the cache file as read."""
        return set(self.held)

    def vector(self, key: bytes) -> np.ndarray | None:
        """The cached vector of ``key`` in the file as read, or None."""
        row = self.held.get(key)
        return None if row is None else np.array(self._old.read(row, 1)[0])

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def write(self, encoder, chunks: Iterable[list[str]], rows, *, progress: bool = False) -> int:
        """Put the vector of every text of ``chunks`` (lists of texts, in order) at its position in ``rows``
        (a ``RowFile`` or ``RowArray``). Cached vectors are copied from the file as read; the others are embedded
        EMBED_BATCH distinct texts at a time, in the order they first appear (as one call would batch them).
        Returns how many texts there were."""
        keys = bytearray()
        first = bytearray()  # 1 where a text appears for the first time: the rows ``save`` keeps
        seen: dict[bytes, int] = {}  # key -> its first position
        pending: dict[bytes, tuple[str, list[int]]] = {}  # key -> (text, its positions), awaiting the encoder
        repeats: list[tuple[int, int]] = []  # (position, earlier position) of a text already seen
        self.fresh, n = 0, 0

        def embed(count: int) -> None:
            batch = [pending.pop(key) for key in list(pending)[:count]]
            vectors = np.asarray(encoder.encode_documents([text for text, _ in batch], progress=progress),
                                 dtype=np.float32)
            positions = [p for _, ps in batch for p in ps]
            _put_rows(rows, positions, np.repeat(vectors, [len(ps) for _, ps in batch], axis=0))
            self.fresh += len(batch)

        for texts in chunks:
            for text in texts:
                key = _key(self.model, text)
                keys += key
                first.append(key not in seen)
                if key in pending:
                    pending[key][1].append(n)
                elif key in seen:
                    repeats.append((n, seen[key]))
                elif key in self.held:
                    rows.put(n, self._old.read(self.held[key], 1))
                else:
                    pending[key] = (text, [n])
                seen.setdefault(key, n)
                n += 1
            while len(pending) >= EMBED_BATCH:
                embed(EMBED_BATCH)
        if pending:
            embed(len(pending))
        for position, earlier in repeats:  # every first use is in place by now
            rows.put(position, rows.read(earlier, 1))
        log.info("embedded %d of %d passages (%d reused from %s)", self.fresh, n, n - self.fresh, self.path.name)
        self._used = (bytes(keys), np.frombuffer(bytes(first), dtype=np.uint8).astype(bool), rows)
        return n

    def encode(self, encoder, texts: list[str], *, progress: bool = False) -> np.ndarray:
        """Vectors of ``texts`` (row i = text i) in memory: for sets small enough to hold."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        self.write(encoder, [texts], RowArray(out), progress=progress)
        return out

    def save(self) -> None:
        """Write the rows the last ``write`` used (older ones are dropped; a repeated text once), atomically and a
        chunk at a time; then close the file as read."""
        if self._used is None:
            return
        keys, first, rows = self._used
        kept = np.frombuffer(keys, dtype=np.uint8).reshape(len(first), 32)[first]

        def write(tmp: str) -> None:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED, allowZip64=True) as z:
                with z.open("keys.npy", "w", force_zip64=True) as f:
                    np.lib.format.write_array(f, kept, allow_pickle=False)
                with z.open("vectors.npy", "w", force_zip64=True) as f:
                    np.lib.format.write_array_header_2_0(
                        f, {"descr": "<f4", "fortran_order": False, "shape": (len(kept), self.dim)})
                    for start in range(0, len(first), READ_ROWS):
                        block = rows.read(start, min(READ_ROWS, len(first) - start))
                        f.write(np.ascontiguousarray(block[first[start : start + len(block)]]).tobytes())

        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            write_atomic(self.path, write)
        except OSError as exc:
            log.warning("could not write the vector cache %s: %s", self.path, exc)
        self.close()

