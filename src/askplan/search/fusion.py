"""Reciprocal-rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009): score(d) = Σ_leg w_leg / (k + rank_leg(d))."""

from __future__ import annotations

RRF_K = 60


def rrf(
    rankings: dict[str, list[str]], weights: dict[str, float] | None = None, k: int = RRF_K
) -> list[tuple[str, float]]:
    """Fuse ranked id lists (best first). Returns (id, score) sorted by (-score, id): ties broken by id."""
    scores: dict[str, float] = {}
    for leg, ranked in rankings.items():
        w = 1.0 if weights is None else weights.get(leg, 0.0)
        if w == 0:
            continue
        for rank, item in enumerate(ranked, start=1):
            scores[item] = scores.get(item, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
