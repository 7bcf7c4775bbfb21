"""askplan.parallel: slices run in forked workers give what they give here, in order; the index build's
slow lexical legs and the answerability word counts use it on a large corpus and must not change."""

from __future__ import annotations

import os

import pytest

from askplan import parallel
from askplan.parallel import map_slices


def _sums(part) -> int:
    return sum(i * i for i in part)


def _pid(part) -> tuple[int, int]:
    return os.getpid(), len(part)


def test_slices_in_workers_equal_slices_here() -> None:
    items = list(range(1000))
    want = [_sums(items[a : a + 70]) for a in range(0, 1000, 70)]
    assert list(map_slices(_sums, items, size=70, min_items=10**9)) == want
    assert list(map_slices(_sums, items, size=70, min_items=1)) == want
    assert list(map_slices(_sums, [], size=70, min_items=0)) == []


@pytest.mark.skipif(parallel.workers() < 2 or "fork" not in __import__("multiprocessing").get_all_start_methods(),
                    reason="one core, or no fork: the slices run here")
def test_large_inputs_run_in_other_processes_small_ones_here() -> None:
    items = list(range(300))
    there = list(map_slices(_pid, items, size=50, min_items=100))
    assert os.getpid() not in {pid for pid, _ in there} and sum(n for _, n in there) == 300
    here = list(map_slices(_pid, items, size=50, min_items=1000))
    assert {pid for pid, _ in here} == {os.getpid()}


def test_parallel_word_counts_and_tokens_equal_serial(corpus, monkeypatch) -> None:
    """The answerability word counts and every lexical leg's token ids, over the cores and in this process."""
    from askplan.answerability import features
    from askplan.index import store

    texts = [store.lexical_text(m) for m in corpus.measures]
    serial_df = features._count_slice(corpus.measures)
    serial = {leg: store.token_ids(tok(t) for t in texts) for leg, tok in store.LEXICAL.items()}
    monkeypatch.setattr(parallel, "MIN_ITEMS", 10)
    monkeypatch.setattr(parallel, "SLICE", 37)
    assert features._count(corpus.measures) == serial_df
    for leg, tok in store.LEXICAL.items():
        assert store.token_ids(store._tokens(leg, tok, texts)) == serial[leg], leg


def test_a_pool_that_cannot_start_runs_the_slices_here(monkeypatch) -> None:
    import multiprocessing

    class NoPool:
        def Pool(self, processes):  # noqa: N802 - the multiprocessing name
            raise OSError("Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing, "get_context", lambda method: NoPool())
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    items = list(range(500))
    assert list(map_slices(_sums, items, size=60, min_items=1)) == [_sums(items[a : a + 60]) for a in range(0, 500, 60)]
