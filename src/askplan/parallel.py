"""Pure-Python work over a whole corpus spread over the machine's cores (jieba segmentation is single-threaded):
forked worker processes inherit the items, each runs ``function`` on a slice and sends its result back.

Only where ``fork`` exists (Linux, macOS) and only for large inputs: a fork and the results' pickling cost more
than they save on a few thousand items. Otherwise, and if the pool cannot start, the slices run here in turn:
the results are the same either way, in slice order."""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence

log = logging.getLogger(__name__)
MIN_ITEMS = 20_000  # fewer items run in this process
SLICE = 5_000  # items a worker takes at a time

_work: tuple[Callable, Sequence] | None = None  # what a forked worker runs: set before the pool forks


def _run(bounds: tuple[int, int]):
    function, items = _work
    return function(items[bounds[0] : bounds[1]])


def workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def map_slices(function: Callable[[Sequence], object], items: Sequence, *, size: int | None = None,
               min_items: int | None = None) -> Iterator:
    """``function(items[a:b])`` for consecutive slices of ``size`` items, in order; in forked workers when there
    are at least ``min_items`` (MIN_ITEMS) items and more than one core. The workers inherit ``function`` and
    ``items`` (nothing of them is pickled); each result is sent back pickled. ``size``: SLICE."""
    global _work
    min_items = MIN_ITEMS if min_items is None else min_items
    size = size or SLICE
    bounds = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    processes = min(workers(), len(bounds))
    if len(items) < min_items or processes < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (function(items[a:b]) for a, b in bounds)
        return
    _work = (function, items)
    try:
        try:
            pool = multiprocessing.get_context("fork").Pool(processes)
        except OSError as exc:  # no more processes allowed, say: the same slices, here
            log.info("running %d slices in this process: %s", len(bounds), exc)
            yield from (function(items[a:b]) for a, b in bounds)
            return
        with pool:
            ahead = 2 * processes  # slices sent out beyond the one awaited: the workers never wait, and results
            running = deque(pool.apply_async(_run, (b,)) for b in bounds[:ahead])  # never pile up here (an
            for b in bounds[ahead:]:  # unbounded ``imap`` held every worker's result once they ran ahead)
                result = running.popleft().get()
                running.append(pool.apply_async(_run, (b,)))
                yield result
            while running:
                yield running.popleft().get()
    finally:
        _work = None
