"""Pure retrieval metrics over one question: ranked ids vs. gold ids (binary relevance).

``recall_at`` is capped recall, |gold ∩ top-k| / min(k, |gold|), so a single right answer at rank 1 scores
1.0 at every k even when a question has several gold clauses (as in BEIR's capped recall)."""

from __future__ import annotations

import math
import re
import unicodedata

from askplan.normalize import to_simplified


def recall_at(ranked: list[str], gold: list[str], k: int) -> float:
    if not gold:
        raise ValueError("recall is undefined for a question with no gold ids")
    return len(set(ranked[:k]) & set(gold)) / min(k, len(set(gold)))


def hit_at(ranked: list[str], gold: list[str], k: int) -> float:
    return 1.0 if set(ranked[:k]) & set(gold) else 0.0


def mrr_at(ranked: list[str], gold: list[str], k: int = 10) -> float:
    for rank, item in enumerate(ranked[:k], start=1):
        if item in gold:
            return 1.0 / rank
    return 0.0


def ndcg_at(ranked: list[str], gold: list[str], k: int = 10) -> float:
    gold_set = set(gold)
    dcg = sum(1.0 / math.log2(rank + 1) for rank, item in enumerate(ranked[:k], start=1) if item in gold_set)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(k, len(gold_set)) + 1))
    return dcg / ideal if ideal else 0.0


def fold_clause(text: str | None) -> str:
    """Compare responsibility clauses script-, width- and punctuation-blind."""
    if not text:
        return ""
    text = to_simplified(unicodedata.normalize("NFKC", text))
    return re.sub(r"[\W_]+", "", text)


def lead_unit_right(given: str | None, expected: str) -> bool:
    """The unit returned as leading (the first listed, or the one marked 牵头) is the writer's, folded alike."""
    return bool(given) and fold_clause(given) == fold_clause(expected)


def mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None
