"""A cache of passage vectors beside the index, keyed by (model, passage text): a rebuild after adding or
removing one document embeds only the passages that are new, and reuses every other vector.

The file is ``<index>/vectors/<model>.npz`` with two arrays, ``keys`` (sha256 of model and text, one row of 32
bytes each: a fixed-width bytes dtype would drop a digest's trailing zero bytes) and ``vectors`` (row i belongs
to key i). It is a memo, never a source of truth: a damaged or mismatched file is
ignored and rebuilt, and it is written atomically after the vectors it holds were computed."""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

import numpy as np

from askplan.files import write_atomic

log = logging.getLogger(__name__)
FOLDER = "vectors"


def _key(model: str, text: str) -> bytes:
    return hashlib.sha256(f"{model}\0{text}".encode()).digest()


def cache_path(index_dir: Path, model: str) -> Path:
    return index_dir / FOLDER / (re.sub(r"[^A-Za-z0-9._-]+", "_", model) + ".npz")


def uncached(index_dir: Path, model: str, texts: list[str]) -> int:
    """How many of ``texts`` the vector cache beside ``index_dir`` does not hold for ``model`` (all of them when
    there is no readable cache): what a build would embed."""
    try:
        with np.load(cache_path(index_dir, model)) as data:
            keys = data["keys"]
    except (OSError, ValueError, KeyError):
        return len(texts)
    held = {k.tobytes() for k in keys} if keys.ndim == 2 and keys.shape[1] == 32 else set()
    return sum(_key(model, t) not in held for t in texts)


class VectorCache:
    def __init__(self, index_dir: Path, model: str, dim: int):
        self.path = cache_path(index_dir, model)
        self.model, self.dim = model, dim
        self.rows: dict[bytes, np.ndarray] = {}
        self.fresh = 0  # vectors computed by the last ``encode``
        self._encoded: np.ndarray | None = None  # the array the last ``encode`` returned
        self._load()

    def _load(self) -> None:
        try:
            with np.load(self.path) as data:
                keys, vectors = data["keys"], data["vectors"]
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError) as exc:
            log.warning("ignoring the vector cache %s (%s); every passage is embedded again", self.path, exc)
            return
        if vectors.ndim != 2 or vectors.shape[1] != self.dim or keys.shape != (len(vectors), 32):
            log.warning("ignoring the vector cache %s: its shape does not match the model", self.path)
            return
        self.rows = {k.tobytes(): v for k, v in zip(keys, vectors, strict=True)}

    def encode(self, encoder, texts: list[str], *, progress: bool = False) -> np.ndarray:
        """Vectors of ``texts`` (row i = text i): cached rows reused, the others embedded in one batch. The cache
        then holds just these rows, as views of the array returned, so neither the encoder's output nor the file
        read stays beside it (a 100k build held every vector three times)."""
        keys = [_key(self.model, t) for t in texts]
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in self.rows}
        self.fresh = len(missing)
        log.info("embedding %d of %d passages (%d reused from %s)", len(missing), len(texts),
                 len(texts) - len(missing), self.path.name)
        if missing:
            vectors = encoder.encode_documents(list(missing.values()), progress=progress)
            self.rows.update(zip(missing.keys(), np.asarray(vectors, dtype=np.float32), strict=True))
            del vectors
        out = np.stack([self.rows[k] for k in keys]) if keys else np.zeros((0, self.dim), dtype=np.float32)
        out = np.ascontiguousarray(out, dtype=np.float32)
        self.rows = dict(zip(keys, out, strict=True))  # a repeated text keeps its first place
        self._encoded = out
        return out

    def save(self) -> None:
        """Write the rows the last ``encode`` used (older ones are dropped; before any, every row read),
        atomically: the array it returned as it is when its texts were all distinct, else one row per text."""
        used = list(self.rows)
        keys = np.frombuffer(b"".join(used), dtype=np.uint8).reshape(len(used), 32)
        if self._encoded is not None and len(self._encoded) == len(used):
            vectors = self._encoded  # row i is used[i]: no copy
        else:
            vectors = np.stack([self.rows[k] for k in used]) if used else np.zeros((0, self.dim), "f4")

        def write(tmp: str) -> None:
            with open(tmp, "wb") as f:  # a file object: np.savez would add ".npz" to a bare name
                np.savez(f, keys=keys, vectors=vectors)

        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            write_atomic(self.path, write)
        except OSError as exc:
            log.warning("could not write the vector cache %s: %s", self.path, exc)
