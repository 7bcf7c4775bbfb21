"""From fused rankings to an answer: clause references answered directly, the responsibility clause that
covers the best-matching sentence for who-leads questions, and abstention when nothing answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from askplan.corpus.responsibility import parse_actors
from askplan.index.passages import sentence_spans
from askplan.models import Document, Measure, Responsibility
from askplan.normalize import normalize
from askplan.tokenize import bigrams


@dataclass(frozen=True)
class Hit:
    measure: Measure
    document: Document
    rank: int
    score: float
    legs: dict[str, dict[str, float]] = field(default_factory=dict)  # leg -> {"rank": r, "score": s}
    best_sentence: tuple[int, int] | None = None  # offsets into measure.text
    responsibility: Responsibility | None = None

    @property
    def citation(self) -> str:
        return self.document.citation(self.measure)


@dataclass(frozen=True)
class Answer:
    question: str
    normalized: str
    kind: str  # "clause" | "lead" | "topic" | "department" | "followup"
    answered: bool
    hits: tuple[Hit, ...]
    reason: str = ""
    coverage: float = 0.0
    dense_top: float = 0.0
    department: str | None = None  # kind "department": the unit (canonical name)
    check: str = ""  # what refused the answer: an answer type's name or "scorer" (empty when answered)
    confidence: float | None = None  # the answerability scorer's p(answerable), where it ran
    features: dict[str, float] = field(default_factory=dict, compare=False, repr=False)
    vector: tuple[float, ...] = field(default=(), compare=False, repr=False)  # the question's (askplan calibrate)
    follow_up: str = ""  # kind "followup": the intent answered (co_units, deadline, text …; see followup.py)
    reply: str = ""  # kind "followup": the answer in one line, from the previous clause
    context: str | None = None  # the previous clause's measure id the question was asked about
    suggestions: tuple[str, ...] = ()  # follow-up questions the top clause can answer

    @property
    def top(self) -> Hit | None:
        return self.hits[0] if self.hits else None


def clause_spans(measure: Measure) -> list[tuple[int, int]]:
    """Sentences of a measure, also cut at the end of each responsibility clause."""
    return _clause_spans(measure.text, measure.responsibilities)


def _clause_spans(text: str, responsibilities: tuple[Responsibility, ...]) -> list[tuple[int, int]]:
    cuts = sorted(r.clause_span[1] for r in responsibilities)
    spans = []
    for start, end in sentence_spans(text):
        for cut in cuts:
            if start < cut < end:
                spans.append((start, cut))
                start = cut
        spans.append((start, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _grams(measure: Measure, start: int, end: int) -> set[str]:
    return set(bigrams(normalize(measure.text[start:end])))


def best_sentence(measure: Measure, query_grams: set[str]) -> tuple[int, int] | None:
    """The sentence sharing most query bigrams (responsibility clauses themselves excluded); earliest on ties."""
    best, best_score = None, 0.0
    for start, end, grams in _sentence_grams(measure.id, measure.text, measure.responsibilities):
        score = len(grams & query_grams)
        if score > best_score:
            best, best_score = (start, end), score
    return best


def warm(measure: Measure) -> None:
    """Cut a measure into its sentences before any question meets it (``AskplanService.warm_up``)."""
    _sentence_grams(measure.id, measure.text, measure.responsibilities)


@lru_cache(maxsize=2048)
def _sentence_grams(mid: str, text: str, responsibilities: tuple) -> tuple[tuple[int, int, frozenset[str]], ...]:
    """(start, end, bigrams) of each sentence of a measure but its responsibility clauses: the same for every
    question, so a hit's sentences are cut and normalised once. Keyed by id, text and clauses (a rebuilt corpus
    reads no stale entry); bounded."""
    clause_starts = {r.clause_span[0] for r in responsibilities}
    return tuple((start, end, frozenset(bigrams(normalize(text[start:end]))))
                 for start, end in _clause_spans(text, responsibilities) if start not in clause_starts)


def coverage(query_grams: set[str], measure: Measure) -> float:
    if not query_grams:
        return 0.0
    return len(query_grams & set(bigrams(measure.norm))) / len(query_grams)


def responsibility_for(measure: Measure, sentence: tuple[int, int] | None,
                       query_grams: set[str] | None = None) -> Responsibility | None:
    """The responsibility clause covering ``sentence``; in a measure that marks none (no bracket, label or table
    cell), the actor its sentences name: of the sentence's own actors the one whose part of it (up to the next
    actor) shares most query bigrams, else the nearest actor before it."""
    if any(not r.prose for r in measure.responsibilities):
        return measure.responsibility_at(sentence[0]) if sentence else measure.responsibilities[0]
    actors = _actors(measure.text)
    if not actors:
        return None
    if sentence is None:
        return actors[0]
    inside = [a for a in actors if sentence[0] <= a.clause_span[0] < sentence[1]]
    if query_grams and len(inside) > 1:
        ends = [a.clause_span[0] for a in inside[1:]] + [sentence[1]]
        shared = [len(query_grams & _grams(measure, a.clause_span[0], end))
                  for a, end in zip(inside, ends, strict=True)]
        return inside[shared.index(max(shared))]
    # the actor of the sentence itself, else the nearest one before it (an article's lead-in 管委会履行以下职责：
    # carries its items), else the first after it
    before = [a for a in actors if a.clause_span[0] < sentence[1]]
    return before[-1] if before else actors[0]


_actors = lru_cache(maxsize=8192)(parse_actors)
