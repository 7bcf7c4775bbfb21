"""One service object that every front-end (CLI, web, eval) calls: corpus + encoder + index -> answers."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable

import numpy as np

from askplan.abstain import Answerability
from askplan.answer import Answer, Hit, best_sentence, coverage, responsibility_for
from askplan.config import Settings
from askplan.corpus import Corpus, load_corpus
from askplan.departments import LEAD, DepartmentRegistry
from askplan.errors import BadQuery, IndexMissing, IndexStale, NotFound
from askplan.intent import read_intent
from askplan.links import LinkTable, compute_links
from askplan.normalize import normalize
from askplan.search.retriever import MODES, Retriever
from askplan.thesaurus import expand
from askplan.tokenize import bigrams

log = logging.getLogger(__name__)
MAX_QUESTION_CHARS = 500
MAX_K = 50
PRIMARY_DOC = "anhui-yrd-14fyp-action-plan-2021"
TITLE_CUES = ("行动方案", "方案", "条例", "纲要", "意见", "工作报告", "rcep", "工业互联网")
# Rank adjustments on top of the fusion (multipliers of the fused score):
NAMED_DOC_BOOST = 1.5  # the question names the document (方案, 纲要, 条例 …)
PRIMARY_DOC_BOOST = 1.35  # the plan is what users ask about first (tuned on dev sets 1-4)
NO_OWNER_PENALTY = 0.7  # who-leads questions: clauses without a responsibility clause
# 这个行动方案里 / 方案里 say where to look, not what to find: left out of the query unless the question is about
# the document itself (when it was issued, to whom, on what basis), which its notice and preamble (key 0) answer.
DOC_REFERENCE = re.compile(r"(?:这个|这份|本|该|整个)?(?:长三角)?(?:[“\"「]?十四五[”\"」]?)?(?:行动)?方案"
                           r"(?:里|中|上|的)?")
ABOUT_THE_DOCUMENT = re.compile(r"印发|下发|发布|出台|制定|定的|发给|发到|依据|照着|起草|文号|哪天|哪一天|哪一年"
                                r"|什么时候")
TITLE_BOOST = 1.3  # the question quotes a clause's whole title (指导思想, 发展目标), four characters or more


class AskplanService:
    def __init__(self, settings: Settings, *, encoder=None, corpus: Corpus | None = None):
        self.settings = settings
        self.corpus = corpus or load_corpus(settings.corpus_dir)
        self._encoder = encoder
        self._retriever: Retriever | None = None
        self._lock = threading.Lock()
        self._links: tuple[Retriever, LinkTable] | None = None  # computed once per loaded index
        # Normalised titles, the plan first (it wins ties), and each measure's row: looked up on every question.
        docs = sorted(self.corpus.documents, key=lambda d: d.slug != PRIMARY_DOC)
        self._titles = tuple((d.slug, normalize(d.title)) for d in docs)
        self._rows = {m.id: row for row, m in enumerate(self.corpus.measures)}
        self._clause_titles = tuple(normalize(m.title or "") for m in self.corpus.measures)
        anhui = {slug for slug, title in self._titles if "安徽" in title}
        self.answerability = Answerability(self.corpus.measures, anhui, dict(self._titles))
        self.departments = DepartmentRegistry.from_corpus(self.corpus)

    @property
    def model_name(self) -> str:
        return self._encoder.name if self._encoder is not None else self.settings.model

    def encoder(self, progress: Callable[[str], None] | None = None):
        if self._encoder is None:
            from askplan.encoders import load_encoder

            self._encoder = load_encoder(self.settings.model, self.settings.home, progress=progress,
                                         threads=self.settings.threads)
        return self._encoder

    def build(self, *, factory: str = "Flat", progress: bool = False, say=None):
        from askplan.index.store import build_index

        manifest = build_index(self.corpus, self.encoder(say), self.settings.index_dir, factory=factory,
                               progress=progress)
        self._retriever = None
        return manifest

    def retriever(self, *, build_if_missing: bool = False, say=None) -> Retriever:
        with self._lock:
            if self._retriever is None:
                from askplan.index.store import load_index

                try:
                    loaded = load_index(self.settings.index_dir, self.corpus, self.model_name)
                except (IndexMissing, IndexStale) as exc:
                    if not build_if_missing:
                        raise
                    if say:
                        say(f"{exc} — building the index now")
                    self.build(progress=True, say=say)
                    loaded = load_index(self.settings.index_dir, self.corpus, self.model_name)
                self._retriever = Retriever(loaded, self.encoder(say))
        return self._retriever

    def links(self) -> LinkTable:
        """Which sections of the national outline each plan clause implements (and the reverse), computed
        from the loaded index on first use and kept until the index is rebuilt or reloaded."""
        retriever = self.retriever()
        with self._lock:
            if self._links is None or self._links[0] is not retriever:
                self._links = (retriever, compute_links(self.corpus, retriever.index))
            return self._links[1]

    def ask(self, question: str, *, k: int = 5, doc: str | None = None, mode: str = "hybrid",
            weights: dict[str, float] | None = None) -> Answer:
        norm = validate_question(question)
        if not 1 <= k <= MAX_K:
            raise BadQuery(f"k must be between 1 and {MAX_K}, not {k}")
        if mode not in MODES:
            raise BadQuery(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        if doc:
            self.corpus.document(doc)
        intent = read_intent(norm)
        if intent.department and (answer := self._department_answer(question, norm, intent.department, doc)):
            return answer
        retriever = self.retriever()
        allowed = self._allowed(doc)
        topic = expand(intent.topic or norm)
        named = self._doc_named_in(norm)
        if not ABOUT_THE_DOCUMENT.search(norm):
            topic = DOC_REFERENCE.sub(" ", topic).strip() or topic
        legs = retriever.legs(topic, allowed)
        fused = self._adjust(retriever.fuse(legs, weights or MODES[mode]), intent.who_leads, named, norm)
        pinned = self._clause_row(intent.clause_number, doc or named)
        if pinned is None and intent.section:
            pinned = self._section_row(intent.section, doc or named)
        if pinned is not None:
            fused = [(pinned, float("inf"))] + [(r, s) for r, s in fused if r != pinned]
        grams = set(bigrams(topic))
        hits = tuple(self._hit(rank, row, score, legs, grams) for rank, (row, score) in enumerate(fused[:k], 1))
        kind = "lead" if intent.who_leads else "clause" if pinned is not None else "topic"
        return self._decide(question, norm, kind, hits, intent.topic or norm, legs, pinned is not None)

    def _department_answer(self, question: str, norm: str, name: str, doc: str | None) -> Answer | None:
        """Every measure of the unit a question names (led first, in document and reading order; the whole list,
        whatever k), or None when the words name no single unit, so the question is asked as a topic."""
        try:
            dept = self.departments.resolve(name)
        except NotFound:
            return None
        duties = dept.in_document(doc).duties if doc else dept.duties
        duties = sorted(duties, key=lambda d: (d.role != LEAD, d.measure.doc != PRIMARY_DOC, d.row))  # the plan first
        hits = tuple(Hit(d.measure, d.document, rank, float("inf"), {}, d.covered_span, d.clause)
                     for rank, d in enumerate(duties, 1))
        reason = "" if hits else f"{doc} 中没有{dept.name}负责的条款"
        return Answer(question, norm, "department", bool(hits), hits, reason, department=dept.name)

    def _decide(self, question, norm, kind, hits, topic, legs, pinned: bool) -> Answer:
        if not hits:
            return Answer(question, norm, kind, False, hits, "语料中没有与问题相关的内容")
        top = hits[0]
        cov = coverage(set(bigrams(topic)), top.measure)
        dense_top = legs["dense"].scores[0] if legs["dense"].scores else 0.0
        sentence = top.measure.text[top.best_sentence[0]:top.best_sentence[1]] if top.best_sentence else None
        verdict = Answerability.always() if pinned else self.answerability.judge(topic, top.measure, sentence,
                                                                                             dense_top, norm)
        return Answer(question, norm, kind, verdict.answered, hits, verdict.reason, round(cov, 4),
                      round(float(dense_top), 4))

    def _adjust(self, fused: list[tuple[int, float]], who_leads: bool, named: str | None,
                norm: str) -> list[tuple[int, float]]:
        measures = self.corpus.measures
        out = []
        for row, score in fused:
            m = measures[row]
            score *= NAMED_DOC_BOOST if m.doc == named else PRIMARY_DOC_BOOST if m.doc == PRIMARY_DOC else 1.0
            if len(title := self._clause_titles[row]) >= 4 and title in norm:
                score *= TITLE_BOOST
            if who_leads and not m.responsibilities:
                score *= NO_OWNER_PENALTY
            out.append((row, score))
        return sorted(out, key=lambda rs: (-rs[1], measures[rs[0]].id))

    def _section_row(self, section: tuple[int, int], target: str | None) -> int | None:
        """第五章第二节 -> the measure keyed 5.2 in a document of chapters and sections."""
        key = f"{section[0]}.{section[1]}"
        for row, m in enumerate(self.corpus.measures):
            if m.key == key and (m.doc == target or not target) and (section[1] == 0 or m.label.startswith("第")):
                return row
        return None

    def _allowed(self, doc: str | None) -> np.ndarray | None:
        if not doc:
            return None
        return np.array([m.doc == doc for m in self.corpus.measures], dtype=bool)

    def _clause_row(self, number: int | None, target: str | None) -> int | None:
        return None if number is None else self._rows.get(f"{target or PRIMARY_DOC}/{number}")

    def _doc_named_in(self, norm: str) -> str | None:
        """A document whose title's kind word (条例, 纲要, 方案 …) or a 6-character run of whose title the
        question names; the primary plan wins ties."""
        for slug, title in self._titles:
            if any(cue in norm and cue in title for cue in TITLE_CUES) or _shares_run(norm, title, 6):
                return slug
        return None

    def _hit(self, rank: int, row: int, score: float, legs, grams: set[str]) -> Hit:
        measure = self.corpus.measures[row]
        leg_info = {name: {"rank": leg.rows.index(row) + 1, "score": leg.scores[leg.rows.index(row)]}
                    for name, leg in legs.items() if row in leg.rows}
        sentence = best_sentence(measure, grams)
        return Hit(measure, self.corpus.document(measure.doc), rank, score, leg_info, sentence,
                   responsibility_for(measure, sentence))


def _shares_run(a: str, b: str, n: int) -> bool:
    return any(a[i : i + n] in b for i in range(len(a) - n + 1))


def validate_question(question: str) -> str:
    """The normalised question, or BadQuery saying what is wrong."""
    if question is None or not question.strip():
        raise BadQuery("the question is empty; type a question such as 谁牵头碳达峰工作？")
    if len(question) > MAX_QUESTION_CHARS:
        raise BadQuery(f"the question is {len(question)} characters; the limit is {MAX_QUESTION_CHARS}. "
                       "Ask about one thing at a time, or use `askplan check` for a whole draft")
    norm = normalize(question)
    if not re.search(r"\w", norm):
        raise BadQuery("the question has no words in it; type a question such as 谁牵头碳达峰工作？")
    return norm
