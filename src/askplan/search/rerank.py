"""A learned re-ranking of the fused candidates over generic features.

The fusion of the four legs (``retriever.fuse``) gives each measure one number; this module looks at the best
``CANDIDATES`` of them again with a few more facts about each — where each leg ranked it, how much of the question
its text, its best sentence and its headings hold, its length, whether the question named its document — and
orders them by a linear score whose weights were fitted on labelled development questions (``scripts/fit_ranker.py``,
eval/README.md). No feature names a phrase, a document or a place: the same weights serve any corpus.

The weights live in ``ranker.json`` beside this module (one set for the default model; another model falls back to
plain fusion unless a file for it exists). A fused list without weights is returned unchanged.
"""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from askplan.index.passages import sentence_spans
from askplan.normalize import normalize
from askplan.tokenize import bigrams

log = logging.getLogger(__name__)
CANDIDATES = 30  # how many of the fused list are re-ordered; the rest keep their fused order below them
WEIGHTS_DIR = Path(__file__).with_name("ranker")
FEATURES = (
    "fused",          # the fused RRF score, ×100
    "named_doc",      # the question names this measure's document (docnames.py)
    "rr_words", "rr_bigrams", "rr_pinyin", "rr_dense",  # 10 / (10 + rank) in each leg, 0 when absent
    "dense_gap",      # the measure's dense cosine minus the best one of the question (≤ 0)
    "words_rel", "bigrams_rel",  # BM25 score over the leg's best score (0–1)
    "cover_text",     # share of the question's bigrams found in the measure's text
    "cover_sentence",  # share found in its best sentence
    "cover_heading",  # share found in its title and chapter headings
    "log_length",     # log of the text's length in characters
    "lead_owned",     # a who-leads question and the measure names responsible units
    "annual_doc",     # the question speaks of 今年/去年 … and the measure's document is about one year
    "place_named",    # the question names the place of the measure's document (its region or issuer's 省/市/区)
    "tense_match",    # the question's tense (+1 past, -1 now or later; tense.py) × the measure's chapter's share of
                      # work-done markers
)


@dataclass(frozen=True)
class Cues:
    """What a question says beyond its words, for the features: which documents it points at and its tense."""
    annual: frozenset[str] = frozenset()  # documents of one year, when the question speaks of 今年/去年 …
    placed: frozenset[str] = frozenset()  # documents whose place (region, issuer's 省/市/区) the question names
    tense: int = 0  # tense.question_tense
    done: np.ndarray | None = None  # per measure row, tense.done_shares


@dataclass(frozen=True)
class Ranker:
    model: str
    weights: np.ndarray  # one per FEATURES
    mean: np.ndarray
    scale: np.ndarray

    def scores(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.weights

    def to_json(self) -> dict:
        return {"model": self.model, "features": list(FEATURES), "weights": self.weights.round(6).tolist(),
                "mean": self.mean.round(6).tolist(), "scale": self.scale.round(6).tolist()}


def ranker_path(model: str, directory: Path) -> Path:
    return directory / (re.sub(r"[^A-Za-z0-9._-]+", "_", model) + ".json")


def load_ranker(model: str, *directories: Path) -> Ranker | None:
    """The first weights fitted for ``model`` in ``directories`` (default: the package's), or None: then fusion
    and the named-document prior order the answers."""
    for directory in directories or (WEIGHTS_DIR,):
        path = ranker_path(model, directory)
        if not path.is_file():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if tuple(data.get("features", ())) != FEATURES:
                log.warning("%s was fitted for other features; run askplan fit-ranker again", path)
                continue
            return Ranker(model, *(np.asarray(data[k], dtype=np.float64) for k in ("weights", "mean", "scale")))
        except (OSError, ValueError, KeyError) as exc:
            log.warning("%s cannot be read (%s); ranking by fusion alone", path, exc)
    return None


def features(measures, rows: list[int], fused: list[float], legs: dict, query: str, named: str | None,
             who_leads: bool, cues: Cues = Cues()) -> np.ndarray:
    """One row of FEATURES per candidate ``rows[i]`` (its fused score ``fused[i]``)."""
    grams = set(bigrams(query))
    ranks = {name: {r: i for i, r in enumerate(leg.rows)} for name, leg in legs.items()}
    scores = {name: dict(zip(leg.rows, leg.scores, strict=True)) for name, leg in legs.items()}
    best = {name: (leg.scores[0] if leg.scores else 0.0) for name, leg in legs.items()}
    dense_floor = (legs["dense"].scores[-1] if legs["dense"].scores else 0.0) - 0.02
    out = np.zeros((len(rows), len(FEATURES)))
    for i, (row, fused_score) in enumerate(zip(rows, fused, strict=True)):
        m = measures[row]
        text_grams, sentence_grams, heading_grams = _measure_grams(m.id, m.text, m.norm, m.chapter, m.title)
        out[i] = (
            fused_score * 100,
            float(named is not None and m.doc == named),
            *(_rr(ranks.get(leg, {}).get(row)) for leg in ("bm25_words", "bm25_bigrams", "bm25_pinyin", "dense")),
            scores["dense"].get(row, dense_floor) - best["dense"],
            _rel(scores["bm25_words"].get(row, 0.0), best["bm25_words"]),
            _rel(scores["bm25_bigrams"].get(row, 0.0), best["bm25_bigrams"]),
            _share(grams, text_grams),
            max((_share(grams, g) for g in sentence_grams), default=0.0),
            _share(grams, heading_grams),
            math.log(1 + len(m.text)),
            float(who_leads and bool(m.responsibilities)),
            float(m.doc in cues.annual),
            float(m.doc in cues.placed),
            cues.tense * float(cues.done[row]) if cues.tense and cues.done is not None else 0.0,
        )
    return out


def rerank(ranker: Ranker | None, measures, fused: list[tuple[int, float]], legs: dict, query: str,
           named: str | None, who_leads: bool, cues: Cues = Cues()) -> list[tuple[int, float]]:
    """``fused`` with its first CANDIDATES re-ordered by ``ranker`` (scores replaced by the ranker's, above
    every later candidate's); unchanged without a ranker."""
    if ranker is None or not fused:
        return fused
    head, tail = fused[:CANDIDATES], fused[CANDIDATES:]
    x = features(measures, [r for r, _ in head], [s for _, s in head], legs, query, named, who_leads, cues)
    s = ranker.scores(x)
    floor = (tail[0][1] if tail else 0.0)
    order = sorted(range(len(head)), key=lambda i: (-s[i], measures[head[i][0]].id))
    shift = floor + 1.0 - float(s.min())
    return [(head[i][0], float(s[i]) + shift) for i in order] + tail


def _rr(rank: int | None) -> float:
    return 0.0 if rank is None else 10.0 / (10.0 + rank)


def _rel(score: float, best: float) -> float:
    return score / best if best > 0 else 0.0


def _share(grams: set[str], within: set[str]) -> float:
    return len(grams & within) / len(grams) if grams else 0.0


def warm(measure) -> None:
    """Cut and normalise a measure's sentences before any question meets it (``AskplanService.warm_up``)."""
    _measure_grams(measure.id, measure.text, measure.norm, measure.chapter, measure.title)


@lru_cache(maxsize=2048)
def _measure_grams(mid: str, text: str, norm: str, chapter: tuple[str, ...], title: str | None):
    """A candidate's bigram sets (whole text, each sentence, chapter path and title): the same for every question,
    so the candidates a corpus's questions keep meeting are cut and normalised once (they were 60 % of the
    re-ranker's time). Keyed by id and texts, so a rebuilt corpus never reads a stale entry; bounded, so a large
    corpus holds only its recent candidates."""
    sentences = tuple(frozenset(bigrams(normalize(text[s:e]))) for s, e in sentence_spans(text))
    return frozenset(bigrams(norm)), sentences, frozenset(bigrams(normalize(" ".join((*chapter, title or "")))))
