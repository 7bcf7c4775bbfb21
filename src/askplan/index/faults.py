"""Named crash points of an index build, for the fault-injection tests and ``scripts/chaos.py``.

A build calls ``point(step)`` at each step below; when the environment variable ``ASKPLAN_FAULT`` (read once,
at import) names that step, the process dies on the spot with ``os._exit`` — no ``finally`` blocks, no
clean-up, as if killed — the way SQLite's crash tests stop a writer between two writes. Unset (always, outside
tests) it costs one string comparison per step."""

from __future__ import annotations

import os

STEPS = (
    "locked",            # the build lock is held, stale leftovers are removed
    "embedded",          # passages embedded into .build-* and the vector cache saved, nothing published yet
    "faiss-written",     # dense.faiss written in .build-*
    "bm25-written",      # the BM25 folders written
    "manifest-written",  # manifest.json (with checksums) written: .build-* is complete
    "renamed",           # .build-* renamed to store-<digest>
    "linked",            # the new pointer made beside the old one (.current-PID)
    "swapped",           # `current` now names the new store (the one atomic step)
    "cleaned",           # the old store removed; only the unlock is left
)
EXIT_CODE = 77
_FAULT = os.environ.get("ASKPLAN_FAULT", "")


def point(step: str) -> None:
    """Die here if ``ASKPLAN_FAULT`` names this step."""
    if step == _FAULT:
        os._exit(EXIT_CODE)
