"""Checksums and value checks of a built store.

The manifest records the size and sha256 of every other file of its store, and the store's folder name carries
the first 16 hex digits of the manifest's own sha256 (``store-<digest>``), so every byte of an index is covered.
``load_index`` checks all of it: sizes first (one stat per file), then the full hashes (about 10 ms for the bundled
5.3 MB index; see README, "Reliability"), which a service skips for files it already hashed and that have not been
touched since (``check_store``'s ``hashed`` stamps). Hashes cannot catch a store written wrong in the
first place, so loaded values are checked too (``check_values``): BM25 document counts against the measures,
CSC arrays against each other, passage rows against the measures, FAISS size and dimension against the manifest.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from askplan.errors import IndexCorrupt
from askplan.index.layout import MANIFEST, STORE_PREFIX

FIX = "rebuild it with: askplan index --force"
CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def manifest_digest(manifest_bytes: bytes) -> str:
    return hashlib.sha256(manifest_bytes).hexdigest()[:16]


def file_table(store: Path) -> dict[str, dict]:
    """{relative path: {"size", "sha256"}} of every file of ``store`` but the manifest, in path order."""
    files = sorted(p for p in store.rglob("*") if p.is_file() and p.name != MANIFEST)
    return {p.relative_to(store).as_posix(): {"size": p.stat().st_size, "sha256": sha256_file(p)} for p in files}


def file_problems(store: Path, table: dict[str, dict], *, full: bool = True) -> list[str]:
    """What differs between ``store`` and its recorded table: missing, extra, resized or (``full``) changed."""
    problems = []
    present = {p.relative_to(store).as_posix() for p in store.rglob("*") if p.is_file() and p.name != MANIFEST}
    for rel in sorted(present - set(table)):
        problems.append(f"{rel} is not part of the index")
    for rel, want in table.items():
        path = store / rel
        if rel not in present:
            problems.append(f"{rel} is missing")
        elif path.stat().st_size != want["size"]:
            problems.append(f"{rel} is {path.stat().st_size} bytes, not {want['size']}")
        elif full and sha256_file(path) != want["sha256"]:
            problems.append(f"{rel} does not match its checksum")
    return problems


def check_store(store: Path, manifest_bytes: bytes, table: dict[str, dict], *, hashed: Path | None = None
                ) -> Checked:
    """IndexCorrupt naming the first problems, for a store whose manifest or files changed after the build.

    With ``hashed`` (a folder of stamps), files already checked by an earlier load, and not touched since, are
    checked by size only: a stamp names the store and each file's size, inode, modification and change times,
    which any write, copy or replacement changes. A million-measure store is 5.7 GB, several seconds of hashing
    on every start; ``askplan index --verify`` always hashes everything. The stamp is written by the caller
    (``Checked.passed``) once the loaded values passed ``check_values`` too."""
    problems = []
    if store.name.startswith(STORE_PREFIX) and store.name[len(STORE_PREFIX):] != manifest_digest(manifest_bytes):
        problems.append(f"{MANIFEST} was changed after the build")
    stamp = _stamp(store, table, hashed) if hashed is not None and not problems else None
    seen = stamp is not None and stamp.exists()
    problems += file_problems(store, table, full=not seen)
    if problems:
        raise corrupt(store, problems)
    return Checked(None if seen else stamp, seen)


@dataclass(frozen=True)
class Checked:
    """What ``check_store`` did: ``seen`` when a stamp said an earlier load checked these very files (hashes and
    values), so the values need only their cheap checks; ``stamp`` to write once the values pass."""

    stamp: Path | None
    seen: bool = False

    def passed(self) -> None:
        if self.stamp is not None:
            _write_stamp(self.stamp)


STAMPS_KEPT = 64  # stamps of the most recently hashed stores; older ones are removed as new ones are written


def _stamp(store: Path, table: dict[str, dict], hashed: Path) -> Path | None:
    """The stamp of ``store``'s files as they are now (None when a file cannot be read: the full check says why)."""
    h = hashlib.sha256(store.resolve().as_posix().encode())
    try:
        for rel in table:
            st = (store / rel).stat()
            h.update(f"\0{rel}\0{st.st_size}\0{st.st_ino}\0{st.st_dev}\0{st.st_mtime_ns}\0{st.st_ctime_ns}".encode())
    except OSError:
        return None
    return hashed / h.hexdigest()[:32]


def _write_stamp(stamp: Path) -> None:
    """Best effort: a folder that cannot be written only means the next load hashes again."""
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.touch()
        kept = sorted(stamp.parent.iterdir(), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in kept[STAMPS_KEPT:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def corrupt(store: Path, problems: list[str]) -> IndexCorrupt:
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    return IndexCorrupt(f"the index in {store.parent} is damaged: {'; '.join(problems[:3])}{more}; {FIX}")


def check_values(store: Path, manifest, ids: list[str], passages, dense, lexical: dict, *, seen: bool = False
                 ) -> None:
    """IndexCorrupt when loaded values contradict each other (what checksums cannot see). ``seen``: an earlier
    load checked these unchanged files (``Checked.seen``), so only the counts and lengths are checked, not every
    value of the arrays (3 GB of BM25 scores read on every start at 1,000,000 measures)."""
    problems = []
    if len(ids) != manifest.measures or len(set(ids)) != len(ids):
        problems.append(f"measures.jsonl has {len(ids)} rows for {manifest.measures} measures")
    if len(passages) != manifest.passages:
        problems.append(f"the passage table has {len(passages)} rows, not {manifest.passages}")
    if not seen:
        rows, starts, ends = (passages.columns[:, i] for i in range(3))
        bad_rows = int(np.count_nonzero((rows < 0) | (rows >= len(ids)) | (starts < 0) | (starts > ends)))
        if bad_rows:
            problems.append(f"{bad_rows} passages point outside the measures")
    if dense.ntotal != manifest.passages or dense.d != manifest.dim:
        problems.append(f"dense.faiss holds {dense.ntotal} vectors of {dense.d} dimensions, not "
                        f"{manifest.passages} of {manifest.dim}")
    for name, bm in lexical.items():
        problems += [f"{name}: {p}" for p in _bm25_problems(bm, len(ids), values=not seen)]
    if problems:
        raise corrupt(store, problems)


def _bm25_problems(bm, rows: int, *, values: bool = True) -> list[str]:
    scores = bm.scores
    data, indices, indptr = (np.asarray(scores[k]) for k in ("data", "indices", "indptr"))
    problems = []
    if scores.get("num_docs") != rows:
        problems.append(f"num_docs is {scores.get('num_docs')}, not {rows}")
    if len(data) != len(indices) or len(indptr) == 0 or int(indptr[-1]) != len(data):
        problems.append("its score arrays disagree in length")
    elif values and len(indices) and (int(indices.min()) < 0 or int(indices.max()) >= rows):
        problems.append("its scores name documents that do not exist")
    elif values and (np.any(np.diff(indptr) < 0) or not np.all(np.isfinite(data))):
        problems.append("its score arrays are out of order or not finite")
    if len(indptr) not in (len(bm.vocab_dict), len(bm.vocab_dict) + 1):
        problems.append(f"its vocabulary has {len(bm.vocab_dict)} words for {len(indptr)} offsets")
    return problems
