"""A parsed document's measures kept in its cache file and read from it when used, not held as objects.

A parsed corpus held as ``Measure`` objects was most of a service's own memory (1.4 GB of 1.8 at 1,000,000
measures), although a question reads a few hundred of them. So a document read back from the parse cache
(``parse_cache``) keeps its measures in the entry file, mapped: each one pickled on its own, found by an offset
array, and rebuilt when read (``StoredMeasures``; the last ``KEPT`` read are kept built). The columns every start
reads for all measures (keys, labels, chapters) are in the entry's header, read without building a measure.

An entry file: ``MAGIC``, the header's length (8 bytes, little-endian), the header (a pickle: the document without
its measures, the parse's warnings, the offsets and the columns), then the measures' pickles one after another.
Entries are written whole under a temporary name and renamed (``files.write_atomic``), never changed in place, so
a mapping outlives a newer entry's replacing it."""

from __future__ import annotations

import bisect
import itertools
import mmap
import pickle
import threading
import weakref
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from askplan.files import write_atomic
from askplan.models import Document, Measure

MAGIC = b"askplan-measures-1\n"
KEPT = 16_384  # measures kept built after they are read (a question reads a few hundred)
def _map_limit() -> int:
    """How many mappings a process may hold (Linux: vm.max_map_count, 65,530 by default)."""
    try:
        return int(Path("/proc/sys/vm/max_map_count").read_text())
    except (OSError, ValueError):
        return 65_530


# Entries mapped at once: a quarter of what the kernel allows a process, at most 16,384. Past it a corpus of many
# documents reads the rest of its entries into memory. Mapping every entry of 8,000 documents under a limit of
# 6,000 ended in a MemoryError: once the mappings are spent, malloc cannot map either, anywhere in the process.
MAX_MAPPED = min(16_384, _map_limit() // 4)
SEP = "\0"  # between the keys (and the labels) of the header: never in a key or a label
_stores: weakref.WeakValueDictionary[int, StoredMeasures] = weakref.WeakValueDictionary()  # by token: what
# ``_built`` rebuilds from
_tokens = itertools.count()
_mapped = [0]  # entries mapped now (``_map``)
_mapped_lock = threading.Lock()


def write_entry(path: Path, document: Document, warnings) -> None:
    """Store ``document`` and its parse's ``warnings`` at ``path`` in the entry format (atomically)."""
    measures = document.measures
    blobs = [pickle.dumps(m, protocol=pickle.HIGHEST_PROTOCOL) for m in measures]
    offsets = np.zeros(len(blobs) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in blobs], out=offsets[1:])
    chapters = list(dict.fromkeys(m.chapter for m in measures))
    where = {c: i for i, c in enumerate(chapters)}
    header = pickle.dumps({
        "document": replace(document, measures=()), "warnings": warnings, "offsets": offsets,
        "keys": SEP.join(m.key for m in measures), "labels": SEP.join(m.label for m in measures),
        "chapters": tuple(chapters), "chapter_of": np.array([where[m.chapter] for m in measures], dtype=np.int32),
    }, protocol=pickle.HIGHEST_PROTOCOL)

    def write(tmp) -> None:
        with open(tmp, "wb") as f:
            f.write(MAGIC + len(header).to_bytes(8, "little") + header)
            for blob in blobs:
                f.write(blob)

    write_atomic(path, write)


def read_entry(path: Path):
    """(document, warnings) stored at ``path``, the document's measures left in the file (``StoredMeasures``).
    Raises OSError, ValueError or pickle's errors on a file that is not a whole entry."""
    with open(path, "rb") as f:
        if f.read(len(MAGIC)) != MAGIC:
            raise ValueError("not a measure store entry")
        size = int.from_bytes(f.read(8), "little")
        header = pickle.loads(f.read(size))
        base = len(MAGIC) + 8 + size
        offsets = header["offsets"]
        length = f.seek(0, 2)
        if len(offsets) - 1 != len(header["chapter_of"]) or base + int(offsets[-1]) != length:
            raise ValueError(f"entry is {length} bytes, its header describes {base + int(offsets[-1])}")
        mapped = _map(f, length)
    measures = StoredMeasures(mapped, base, offsets, header["keys"], header["labels"], header["chapters"],
                              header["chapter_of"])
    if isinstance(mapped, mmap.mmap):
        weakref.finalize(measures, _unmapped)
    return replace(header["document"], measures=measures), header["warnings"]


def _map(f, length: int) -> mmap.mmap | bytes | None:
    """The open entry mapped, or its bytes once MAX_MAPPED entries are mapped."""
    if not length:
        return None
    with _mapped_lock:
        if _mapped[0] < MAX_MAPPED:
            _mapped[0] += 1
            try:
                return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            except OSError:  # the process's mappings are spent anyway: read it
                _mapped[0] -= 1
    f.seek(0)
    return f.read()


def _unmapped() -> None:
    with _mapped_lock:
        _mapped[0] -= 1


class StoredMeasures(Sequence):
    """One document's measures, in reading order, read from its mapped entry. Compares equal to the tuple of the
    same measures; pickles as that tuple."""

    def __init__(self, mapped, base: int, offsets: np.ndarray, keys: str, labels: str, chapters: tuple,
                 chapter_of: np.ndarray):
        self._mapped, self._base, self._offsets = mapped, base, offsets
        self._keys, self._labels, self._chapters, self._chapter_of = keys, labels, chapters, chapter_of
        self._n = len(offsets) - 1
        self._token = next(_tokens)
        _stores[self._token] = self

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return tuple(self[j] for j in range(*i.indices(self._n)))
        return _built(self._token, _index(i, self._n))

    def __iter__(self) -> Iterator[Measure]:
        return (self[i] for i in range(self._n))

    def build(self, i: int) -> Measure:
        a, b = int(self._offsets[i]), int(self._offsets[i + 1])
        return pickle.loads(self._mapped[self._base + a : self._base + b])

    def column(self, name: str) -> list:
        """Every measure's ``key``, ``label`` or ``chapter``, read from the header, no measure built."""
        if name == "chapter":
            return [self._chapters[c] for c in self._chapter_of.tolist()]
        text = {"key": self._keys, "label": self._labels}[name]
        return text.split(SEP) if self._n else []

    def __eq__(self, other) -> bool:
        return _same_items(self, other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __reduce__(self):
        return tuple, (tuple(self),)

    def __repr__(self) -> str:
        return f"StoredMeasures({self._n} measures)"


@lru_cache(maxsize=KEPT)
def _built(token: int, i: int) -> Measure:
    return _stores[token].build(i)


def _index(i, n: int) -> int:
    """``i`` as a position in a sequence of ``n`` (negative from the end); IndexError outside it."""
    i = int(i)
    if i < 0:
        i += n
    if not 0 <= i < n:
        raise IndexError("measure row out of range")
    return i


def _same_items(mine: Sequence, other) -> bool:
    """Equal to any sequence (a tuple, a list) of the same items, as a tuple is to a tuple."""
    if other is mine:
        return True
    if not isinstance(other, Sequence) or isinstance(other, str) or len(other) != len(mine):
        return False
    return all(a == b for a, b in zip(mine, other, strict=True))


def _part_of(starts: list[int], row: int) -> tuple[int, int]:
    """(document part, position in it) of corpus row ``row`` (already in range), by bisection over first rows."""
    part = bisect.bisect_right(starts, row) - 1
    return part, row - starts[part]


def column(measures: Sequence[Measure], name: str) -> list:
    """Every measure's ``name`` (key, label or chapter): from a stored document's header without building its
    measures, else read off the objects."""
    if isinstance(measures, StoredMeasures):
        return measures.column(name)
    return [getattr(m, name) for m in measures]


def stored(documents: Sequence[Document]) -> bool:
    """Whether any of the documents keeps its measures in a cache entry."""
    return any(isinstance(d.measures, StoredMeasures) for d in documents)


class CorpusMeasures(Sequence):
    """Every document's measures in corpus order (row i = measure i), without a tuple of all of them: a row finds
    its document by bisection over their first rows."""

    def __init__(self, documents: Sequence[Document], starts: list[int]):
        """``starts``: each document's first row, and the number of rows last (``Corpus._starts``)."""
        self._parts, self._starts = [d.measures for d in documents], starts

    def __len__(self) -> int:
        return self._starts[-1]

    def __getitem__(self, row):
        if isinstance(row, slice):
            return tuple(self[r] for r in range(*row.indices(len(self))))
        part, at = _part_of(self._starts, _index(row, len(self)))
        return self._parts[part][at]

    def __iter__(self) -> Iterator[Measure]:
        return itertools.chain.from_iterable(self._parts)

    def __eq__(self, other) -> bool:
        return _same_items(self, other)

    __hash__ = None

    def __reduce__(self):
        return tuple, (tuple(self),)


class CorpusIds(Sequence):
    """Every measure's id in corpus order, from the documents' key columns (no measure built)."""

    def __init__(self, documents: Sequence[Document], starts: list[int]):
        self._documents, self._starts = documents, starts

    def __len__(self) -> int:
        return self._starts[-1]

    def __getitem__(self, row):
        """One id (its document's key column is read for it: for lookups, not for passes over every row)."""
        if isinstance(row, slice):
            return [self[r] for r in range(*row.indices(len(self)))]
        part, at = _part_of(self._starts, _index(row, len(self)))
        doc = self._documents[part]
        return f"{doc.slug}/{column(doc.measures, 'key')[at]}"

    def __iter__(self) -> Iterator[str]:
        for doc in self._documents:
            yield from (f"{doc.slug}/{key}" for key in column(doc.measures, "key"))

    def __eq__(self, other) -> bool:
        return _same_items(self, other)

    __hash__ = None


class CorpusRows(Mapping):
    """Each measure's row by id, found through its document's keys: a document's table is made when one of its
    ids is first looked up (a dict of every id was 64 MB at 1,000,000 measures, made at every start)."""

    def __init__(self, documents: Sequence[Document], starts: list[int], part: dict[str, int]):
        """``part``: each document's place in ``documents`` by slug (``Corpus._part``)."""
        self._documents, self._starts, self._part = documents, starts, part
        self._keys: dict[int, dict[str, int]] = {}

    def _table(self, part: int) -> dict[str, int]:
        if (table := self._keys.get(part)) is None:
            table = self._keys[part] = {k: i for i, k in enumerate(column(self._documents[part].measures, "key"))}
        return table

    def __getitem__(self, measure_id: str) -> int:
        slug, _, key = measure_id.partition("/")
        part = self._part.get(slug)
        if part is None or (at := self._table(part).get(key)) is None:
            raise KeyError(measure_id)
        return self._starts[part] + at

    def __iter__(self) -> Iterator[str]:
        return iter(CorpusIds(self._documents, self._starts))

    def __len__(self) -> int:
        return self._starts[-1]
