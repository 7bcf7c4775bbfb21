"""The documents a question names (or names the place of) keep a few measures among the re-ranker's candidates:
their naming words are cut from the query, so the legs may rank them below the candidates on the rest of it."""

from __future__ import annotations

from askplan.intent import Intent
from askplan.search.rerank import CANDIDATES, Cues
from askplan.service import CUED_CANDIDATES, Retrieved


def _found(fused, named=None, placed=frozenset()):
    return Retrieved(Intent(None, False, "topic"), "topic", named, {}, fused, Cues(placed=placed))


def _fused_with_last(service, slug):
    """Every measure, ``slug``'s last: none of it among the candidates."""
    rows = range(len(service.corpus.measures))
    last = [r for r in rows if service.corpus.measures[r].doc == slug]
    order = [r for r in rows if service.corpus.measures[r].doc != slug] + last
    return [(r, 1.0 / (i + 1)) for i, r in enumerate(order)], last


def test_a_named_document_keeps_its_best_measures_among_the_candidates(hash_service):
    fused, last = _fused_with_last(hash_service, "anhui-rcep-opening-2022")
    out = hash_service._with_cued(_found(fused, named="anhui-rcep-opening-2022"))
    head = [r for r, _ in out[:CANDIDATES]]
    assert head[-CUED_CANDIDATES:] == last[:CUED_CANDIDATES]  # its best, in fused order, at the end of the head
    assert head[:-CUED_CANDIDATES] == [r for r, _ in fused[:CANDIDATES - CUED_CANDIDATES]]
    assert sorted(r for r, _ in out) == sorted(r for r, _ in fused)  # nothing lost or doubled


def test_a_placed_document_counts_like_a_named_one_and_nothing_moves_without_one(hash_service):
    fused, last = _fused_with_last(hash_service, "anhui-rcep-opening-2022")
    placed = hash_service._with_cued(_found(fused, placed=frozenset({"anhui-rcep-opening-2022"})))
    assert [r for r, _ in placed[:CANDIDATES]][-CUED_CANDIDATES:] == last[:CUED_CANDIDATES]
    assert hash_service._with_cued(_found(fused)) == fused


def test_nothing_moves_when_the_document_is_among_the_candidates_already(hash_service):
    fused, _ = _fused_with_last(hash_service, "anhui-rcep-opening-2022")
    slug = hash_service.corpus.measures[fused[0][0]].doc
    head_rows = [r for r, _ in fused[:CANDIDATES] if hash_service.corpus.measures[r].doc == slug]
    assert len(head_rows) >= CUED_CANDIDATES
    assert hash_service._with_cued(_found(fused, named=slug)) == fused
