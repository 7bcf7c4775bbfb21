"""One service object that every front-end (CLI, web, eval) calls: corpus + encoder + index -> answers."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

import numpy as np

from askplan.answer import Answer, Hit, best_sentence, coverage, responsibility_for
from askplan.answerability import Answerability
from askplan.config import Settings
from askplan.corpus import Corpus, load_corpus
from askplan.corpus.measure_store import column
from askplan.corpus.responsibility import short_names
from askplan.departments import LEAD, DepartmentRegistry, Duty
from askplan.docnames import RELATIVE_YEAR, DocumentNames, Places, annual_documents
from askplan.errors import BadQuery, IndexMissing, IndexStale, NotFound
from askplan.followup import follow_up_intent, follow_up_reply, suggestions
from askplan.intent import Asked, Intent, asked_of, read_intent
from askplan.links import LinkTable, citation_of, compute_links
from askplan.models import Measure
from askplan.normalize import normalize
from askplan.numerals import NUMERAL_RUN, parse_cn_numeral
from askplan.search.rerank import CANDIDATES, Cues, Ranker, load_ranker, rerank
from askplan.search.rerank import WEIGHTS_DIR as RANKER_DIR
from askplan.search.retriever import MODES, Retriever
from askplan.tense import done_shares, question_tense
from askplan.tokenize import bigrams, use_cache_dir

log = logging.getLogger(__name__)
MAX_QUESTION_CHARS = 500
MAX_K = 50
# The one rank adjustment on top of the fusion, chosen on the development sets and reported on held-out ones
# beside the plain-RRF baseline (eval/README.md). A who-leads penalty for clauses without a responsibility clause
# (×0.7) was dropped in session 4: on the held-out sets it pushed questions about documents that assign duties in
# prose (条例: 市发展改革部门负责…) into other documents, below the baseline.
NAMED_DOC_PRIOR = 1.5  # the question names the document (its alias, kind word or title; see docnames.py)
CUED_CANDIDATES = 3  # measures of a named or placed document kept among the re-ranker's candidates
COUNT_NOTICE = 10_000  # measures from which a build says it is counting words
WARM_LIMIT = 2048  # the per-measure caches' size (rerank._measure_grams, answer._sentence_grams)
DUTY_CACHE = 256  # (unit, document) duty lists kept: the units of a corpus, a few times over
# A unit's answer lists its clauses this many at a time (``offset`` pages on). The bundled corpus's busiest unit
# has 58; in a corpus of a million measures, a unit named in 300,000 of them would have built and sent them all.
DEPARTMENT_PAGE = 50
_LABEL_NUMBER = re.compile(NUMERAL_RUN)
_ARTICLE_ASKED = re.compile(rf"第\s*{NUMERAL_RUN}\s*条")
_normal_title = lru_cache(maxsize=65_536)(lambda title: normalize(title or ""))  # ``_clause_title``


@dataclass(frozen=True)
class Retrieved:
    intent: Intent
    topic: str  # the query the legs searched
    named: str | None  # the slug of the document the question names
    legs: dict
    fused: list[tuple[int, float]]  # plain weighted RRF of the legs, no prior
    cues: Cues = Cues()  # the documents the question points at (its year words, its places) and its tense
    among: frozenset[str] = frozenset()  # when no one document is named: those the naming words fit equally


class AskplanService:
    def __init__(self, settings: Settings, *, encoder=None, corpus: Corpus | None = None):
        self.settings = settings
        use_cache_dir(settings.home / "cache")
        self.corpus = corpus or load_corpus(settings.corpus_dir, cache=settings.home / "cache" / "parsed")
        self._encoder = encoder
        self._retriever: Retriever | None = None
        self._lock = threading.Lock()
        self._links: tuple[Retriever, LinkTable] | None = None  # computed once per loaded index
        primary = self.corpus.primary
        self.primary = primary.slug if primary else None  # from the corpus config; None is fine
        self.names = DocumentNames(self.corpus.documents)
        self._annual = annual_documents(self.corpus.documents)
        self._places = Places(self.corpus.documents)
        self._rows = self.corpus.rows
        # per-row tables from the documents' key, label and chapter columns: no stored measure is built
        documents = self.corpus.documents
        self._doc_code = {d.slug: i for i, d in enumerate(documents)}
        self._doc_of_row = np.repeat(np.arange(len(documents), dtype=np.int32), [len(d.measures) for d in documents])
        self._by_key: dict[str, list[int]] = {}
        labels: list[str] = []
        chapters: dict[tuple[str, ...], str] = {}  # each path normalised once
        paths: list[tuple[str, ...]] = []
        row = 0
        for doc in documents:
            for key in column(doc.measures, "key"):
                self._by_key.setdefault(key, []).append(row)
                row += 1
            labels += column(doc.measures, "label")
            paths += column(doc.measures, "chapter")
        for path in paths:
            if path not in chapters:
                chapters[path] = normalize("".join(path))
        self._clause_chapters = tuple(chapters[path] for path in paths)
        self._numbered = _rows_by_label_number(labels)
        self._article = np.array([label.startswith("第") for label in labels], dtype=bool)
        self._candidates: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # clause number -> rows, keyed
        self._answerability: Answerability | None = None
        self._ranker: tuple[Ranker | None] | None = None  # loaded on first use; (None,) when none is fitted
        self._duty_cache: dict[tuple[str, str | None], tuple[tuple[Duty, ...], int]] = {}
        self._short: dict[str, tuple[str, ...]] = {}  # document -> its short names for units (``_short_of``)

    @cached_property
    def departments(self) -> DepartmentRegistry:
        """Every unit the corpus names with its duties: built when a question or page first needs it (4 s of a
        100,000-measure start), or by ``warm_up``."""
        return DepartmentRegistry.from_corpus(self.corpus)

    @property
    def model_name(self) -> str:
        return self._encoder.name if self._encoder is not None else self.settings.model

    @property
    def answerability(self) -> Answerability:
        """Type checks plus the scorer calibrated for this service's model (none calibrated: type checks only)."""
        if self._answerability is None:
            from askplan.answerability.features import document_frequencies
            from askplan.answerability.scorer import CALIBRATION_DIR, load_calibration

            calibration = load_calibration(self.model_name, self.settings.home / "calibration", CALIBRATION_DIR)
            df = document_frequencies(self.corpus.measures, self.settings.home / "cache",
                                      fingerprint=self.corpus.fingerprint())
            self._answerability = Answerability(self.corpus.measures, calibration, df=df)
        return self._answerability

    def encoder(self, progress: Callable[[str], None] | None = None):
        if self._encoder is None:
            from askplan.encoders import load_encoder

            self._encoder = load_encoder(self.settings.model, self.settings.home, progress=progress,
                                         threads=self.settings.threads)
        return self._encoder

    def build(self, *, factory: str = "auto", progress: bool = False, say=None, force: bool = True):
        """Build the index under the build lock. The lock is taken before the model loads, so an unusable index
        path is named at once and a second builder waits; with ``force=False`` an index another builder made
        fresh meanwhile is kept. ``factory`` "auto": exact search below a size threshold, ANN above. The
        backend is the one asked for, else the existing index's, else FAISS + bm25s."""
        from askplan.index.layout import BuildLock
        from askplan.index.store import require_documents
        from askplan.search.backends import build_for, chosen_backend

        require_documents(self.corpus)  # before the model is loaded
        backend, uri = chosen_backend(self.settings.index_dir, self.settings.backend, self.settings.milvus_uri)
        with BuildLock(self.settings.index_dir, say=say) as lock:
            if not force:
                try:
                    return self._open_index().manifest
                except (IndexMissing, IndexStale):
                    pass
            manifest = build_for(backend, self.corpus, self.encoder(say), self.settings.index_dir, factory=factory,
                                 milvus_uri=uri, progress=progress, lock=lock)
        self._retriever = None
        self._count_words(say)
        return manifest

    def _count_words(self, say=None) -> None:
        """Count the answerability scorer's word frequencies into the cache a first question reads: a build is
        where long work is expected (1 s for the bundled corpus, minutes at 100,000 measures), a first answer
        after ``askplan serve`` starts is not."""
        from askplan.answerability.features import document_frequencies

        if say is not None and len(self.corpus.measures) >= COUNT_NOTICE:
            say(f"counting the words of {len(self.corpus.measures):,} measures for the answerability check")
        document_frequencies(self.corpus.measures, self.settings.home / "cache", fingerprint=self.corpus.fingerprint())

    def _open_index(self):
        from askplan.search.backends import open_index

        return open_index(self.settings.index_dir, self.corpus, self.model_name, milvus_uri=self.settings.milvus_uri,
                          hashed=self._hashed)

    @property
    def _hashed(self):
        """Where the stamps of index files already hashed are kept (``integrity.check_store``)."""
        return self.settings.home / "cache" / "hashed"

    def build_estimate(self) -> tuple[int, float]:
        """(passages to embed, estimated seconds) for a build of this corpus with this model: the passages whose
        vectors the index folder's cache does not hold already."""
        from askplan.encoders import seconds_per_passage
        from askplan.index.store import passage_texts
        from askplan.index.vectors import uncached

        passages = uncached(self.settings.index_dir, self.model_name, passage_texts(self.corpus))
        return passages, passages * seconds_per_passage(self.model_name)

    def retriever(self, *, build_if_missing: bool = False, say=None) -> Retriever:
        with self._lock:
            if self._retriever is None:
                try:
                    loaded = self._open_index()
                except (IndexMissing, IndexStale) as exc:
                    if not build_if_missing:
                        raise
                    if say:
                        say(f"{exc} — building the index now")
                    self.build(progress=True, say=say, force=False)
                    loaded = self._open_index()
                self._retriever = Retriever(loaded, self.encoder(say))
        return self._retriever

    def index_token(self) -> str | None:
        """Which build the index folder holds now (one readlink; see askplan.index.layout.token)."""
        from askplan.index.layout import token

        return token(self.settings.index_dir)

    @property
    def loaded_token(self) -> str | None:
        retriever = self._retriever
        return retriever.token if retriever is not None else None

    @property
    def manifest(self):
        retriever = self._retriever
        return retriever.index.manifest if retriever is not None else None

    def forget_index(self) -> None:
        """Drop the loaded index (found unusable), so the next ``retriever()`` reads the folder again."""
        with self._lock:
            self._retriever = None

    def probe(self, retriever: Retriever | None = None) -> None:
        """One real search on every leg of the loaded index (IndexCorrupt when it cannot answer)."""
        first = self.corpus.measures[0]
        (retriever or self.retriever()).legs(normalize(first.title or first.text[:20]))

    def warm_up(self) -> int:
        """Do now the work a question does the first time it meets a measure: cut its sentences for the re-ranker
        and the best sentence (and, where it marks no unit, its duties for who-leads answers), spell it in pinyin
        for the answerability features (~4 ms a measure, most of a warm question's slow tail). For a server, once
        it is ready; only for a corpus that fits the per-measure caches (WARM_LIMIT measures), since a larger one
        would evict what it warms. How many measures were warmed. The department registry and every document's
        short names are built in any case, and the index's mapped files are read once into the page cache
        (``read_ahead``)."""
        from askplan.answer import warm as warm_sentences
        from askplan.answerability.features import warm as warm_pinyin
        from askplan.search.rerank import warm as warm_grams

        if self._retriever is not None:
            self.read_ahead(self._retriever)
        self.departments  # noqa: B018 - built here, not by the first question that names a unit
        for doc in self.corpus.documents:  # each document's short names, not read by its first answer
            if doc.measures:
                self._short_of(doc.measures[0])
        measures = self.corpus.measures
        if len(measures) > WARM_LIMIT:
            return 0
        for measure in measures:
            warm_grams(measure)
            warm_sentences(measure, self._short_of(measure))
            warm_pinyin(measure)
        return len(measures)

    @staticmethod
    def read_ahead(retriever: Retriever) -> None:
        """The mapped files of ``retriever``'s store (FAISS and BM25 files) read once into the page cache
        (``store.read_ahead``), by a start's warm-up and after a reload; nothing for an index without a store
        folder (Milvus)."""
        from askplan.index import store

        if (folder := getattr(retriever.index, "store", None)) is not None:
            store.read_ahead(folder)

    def reload(self) -> Retriever:
        """Load the index on disk beside the one in use and swap it in with one assignment: requests already
        running finish on the old one. The old one stays in use if the new one fails to load (raised)."""
        from askplan.index.store import load_index

        loaded = load_index(self.settings.index_dir, self.corpus, self.model_name, hashed=self._hashed)
        retriever = Retriever(loaded, self.encoder())
        self.probe(retriever)
        with self._lock:
            self._retriever = retriever
        return retriever

    def reopened(self) -> AskplanService:
        """A service over the corpus as it is on disk now (after ``add_documents``), sharing this one's encoder,
        with the index loaded and probed; raises, leaving this one in use, when they do not match."""
        fresh = AskplanService(self.settings, encoder=self._encoder)
        fresh.probe(fresh.retriever(build_if_missing=False))
        return fresh

    def links(self) -> LinkTable:
        """Which sections of the national outline each plan clause implements (and the reverse), computed
        from the loaded index on first use and kept until the index is rebuilt or reloaded."""
        retriever = self.retriever()
        with self._lock:
            if self._links is None or self._links[0] is not retriever:
                self._links = (retriever, compute_links(self.corpus, retriever.index))
            return self._links[1]

    def ask(self, question: str, *, k: int = 5, doc: str | None = None, mode: str = "hybrid",
            weights: dict[str, float] | None = None, context: str | None = None, offset: int = 0) -> Answer:
        """The answer to ``question``. ``context`` is the previous answer's measure id: a follow-up that refers
        back to it (那配合单位有哪些？) is answered from that clause (see followup.py); the caller keeps it.
        ``offset`` pages through a unit's clauses (a department answer holds DEPARTMENT_PAGE of ``total``)."""
        if offset < 0:
            raise BadQuery(f"offset must be 0 or more, not {offset}")
        answer = self._ask(question, k=k, doc=doc, mode=mode, weights=weights, context=context, offset=offset)
        top = answer.top
        if top is None or answer.kind == "department" or not answer.answered:
            return answer
        return replace(answer, suggestions=suggestions(top.measure, has_basis=self._has_basis(top.measure)))

    def _has_basis(self, measure) -> bool:
        links = self.corpus.config.links
        return bool(links) and measure.doc == links[0]

    def _ask(self, question: str, *, k: int, doc: str | None, mode: str, weights: dict[str, float] | None,
             context: str | None, offset: int) -> Answer:
        norm = validate_question(question)
        if not 1 <= k <= MAX_K:
            raise BadQuery(f"k must be between 1 and {MAX_K}, not {k}")
        if mode not in MODES:
            raise BadQuery(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        if doc:
            self.corpus.document(doc)
        if mode == "baseline":
            return self._baseline(question, norm, k, doc)
        previous = self.corpus.measure(context) if context else None  # NotFound for an unknown id
        if previous is not None and (follow := follow_up_intent(question)):
            return self._follow_up(question, norm, previous, follow.name, offset)
        intent = read_intent(norm)
        if intent.department and (answer := self._department_answer(question, norm, intent.department, doc,
                                                                    offset)):
            return answer
        found = self.retrieve(norm, intent, doc, weights or MODES[mode])
        topic, legs = found.topic, found.legs
        target = doc or found.named
        learned = mode == "hybrid" and weights is None
        fused = self._rank(found, learned=learned)
        pinned = self._clause_row(intent.clause_number, target, norm, fused, found.among)
        if pinned is None and intent.section:
            pinned = self._section_row(intent.section, target)
        if pinned is None and intent.part:
            pinned = self._part_row(intent.part, target, found.among, fused)
        if pinned is None and intent.decimal:
            pinned = self._decimal_row(intent.decimal, target, found.among, fused)
        if pinned is not None:
            fused = [(pinned, float("inf"))] + [(r, s) for r, s in fused if r != pinned]
        hits = self._hits(fused[:k], legs, topic, asked_of(norm))
        kind = "lead" if intent.who_leads else "clause" if pinned is not None else "topic"
        return self._decide(question, norm, kind, hits, topic, legs, pinned is not None)

    def retrieve(self, norm: str, intent: Intent, doc: str | None, weights: dict[str, float]) -> Retrieved:
        """The legs and their plain fusion for a question: the query is the question without its cue words and
        without the words that name a document or a document's place (a named document is a ranking feature, not a
        keyword)."""
        topic = intent.topic or norm
        named, tie = (None, frozenset()) if doc else self.names.read(norm)
        if named:
            topic = DocumentNames.strip(topic, named)
        topic = self._places.strip(topic)  # a place is a cue to its documents (Cues.placed), not a keyword
        retriever = self.retriever()
        legs = retriever.legs(topic, self._allowed(doc))
        annual = self._annual if RELATIVE_YEAR.search(norm) else frozenset()
        tense = question_tense(norm)
        cues = Cues(annual, self._places.named_in(norm), tense, self._done_shares if tense else None)
        numbered = intent.clause_number is not None or intent.part is not None or intent.decimal is not None
        among = tie if numbered else frozenset()
        return Retrieved(intent, topic, named.slug if named else None, legs, retriever.fuse(legs, weights), cues,
                         among)

    @cached_property
    def _done_shares(self):
        """tense.done_shares of every measure, computed on the first question that has a tense."""
        return done_shares(self.corpus.measures)

    @property
    def ranker(self) -> Ranker | None:
        """The learned re-ranking for this model ($ASKPLAN_HOME/ranker first, then the package's), or None."""
        if self._ranker is None:
            self._ranker = (load_ranker(self.model_name, self.settings.home / "ranker", RANKER_DIR),)
        return self._ranker[0]

    def _rank(self, found: Retrieved, *, learned: bool) -> list[tuple[int, float]]:
        """The learned re-ranking of the fused list where one is fitted for the model; otherwise (and for the
        one-family modes) the fusion with the named document's measures ×NAMED_DOC_PRIOR."""
        ranker = self.ranker if learned else None
        if ranker is None:
            return self._adjust(found.fused, found.named)
        return rerank(ranker, self.corpus.measures, self._with_cued(found), found.legs, found.topic, found.named,
                      found.intent.who_leads, found.cues)

    def _with_cued(self, found: Retrieved) -> list[tuple[int, float]]:
        """The fused list with the best measures of the documents the question names (or names the place of)
        among the re-ranker's candidates: the naming words are cut from the query, so those documents may rank
        below the candidates on the rest of it. At most CUED_CANDIDATES are moved up, in fused order; the
        re-ranker then weighs them like any candidate."""
        docs = ({found.named} if found.named else set()) | found.cues.placed
        if not docs:
            return found.fused
        head, tail = found.fused[:CANDIDATES], found.fused[CANDIDATES:]
        need = CUED_CANDIDATES - int(self._in_documents([r for r, _ in head], docs).sum())
        if need <= 0 or not tail:
            return found.fused
        cued = self._in_documents([r for r, _ in tail], docs)
        moved = [tail[i] for i in np.flatnonzero(cued)[:need]]
        if not moved:
            return found.fused
        kept = {r for r, _ in moved}
        cut = len(head) - len(moved)
        return head[:cut] + moved + head[cut:] + [x for x in tail if x[0] not in kept]

    def _follow_up(self, question: str, norm: str, measure, intent: str, offset: int = 0) -> Answer:
        """Answer a follow-up from the previous clause: the clause (or its neighbour, or its lead's duties)
        as hits and a one-line reply."""
        if intent == "same_department" and (lead := next((r.lead for r in measure.responsibilities if r.lead), None)):
            answer = self._department_answer(question, norm, lead, None, offset)
            if answer is not None:
                return replace(answer, follow_up=intent, context=measure.id,
                               reply=f"{lead}牵头或参与的条款共 {answer.total} 条")
        if intent == "neighbours":
            siblings = self.corpus.document(measure.doc).measures
            i = next(n for n, m in enumerate(siblings) if m.id == measure.id)
            want_prev = bool(re.search(r"上一?条|前一条", norm))
            near = [siblings[j] for j in ((i - 1,) if want_prev else (i + 1, i - 1)) if 0 <= j < len(siblings)]
            hits = tuple(self._plain_hit(m, rank) for rank, m in enumerate(near[:1] or [measure], 1))
            reply = f"{'上' if want_prev else '下'}一条是{hits[0].measure.heading()}" if near else "本条已是文件的首尾"
            return Answer(question, norm, "followup", True, hits, follow_up=intent, reply=reply, context=measure.id)
        reply = follow_up_reply(intent, measure, self._basis_citations(measure) if intent == "basis" else ())
        return Answer(question, norm, "followup", True, (self._plain_hit(measure, 1),), follow_up=intent,
                      reply=reply, context=measure.id)

    def _plain_hit(self, measure, rank: int) -> Hit:
        resp = responsibility_for(measure, None, short=self._short_of(measure))
        return Hit(measure, self.corpus.document(measure.doc), rank, float("inf"), {}, None, resp)

    def _basis_citations(self, measure) -> tuple[str, ...]:
        if not self._has_basis(measure):
            return ()
        table = self.links()
        return tuple(citation_of(self.corpus, self.corpus.measure(lk.target)) for lk in table.implements(measure.id))

    def _baseline(self, question: str, norm: str, k: int, doc: str | None) -> Answer:
        """Plain reciprocal-rank fusion of the word, bigram and dense legs over the question as typed: no
        intent, no priors, no clause lookup, no abstention. Every report puts it beside the pipeline."""
        retriever = self.retriever()
        legs = retriever.legs(norm, self._allowed(doc))
        fused = retriever.fuse(legs, MODES["baseline"])
        hits = self._hits(fused[:k], legs, norm, asked_of(norm))
        return Answer(question, norm, "topic", bool(hits), hits)

    def _hits(self, ranked: list[tuple[int, float]], legs, query: str, asked: Asked) -> tuple[Hit, ...]:
        grams = set(bigrams(query))
        return tuple(self._hit(rank, row, score, legs, grams, asked) for rank, (row, score) in enumerate(ranked, 1))

    def _department_answer(self, question: str, norm: str, name: str, doc: str | None,
                           offset: int = 0) -> Answer | None:
        """The measures of the unit a question names (led first, in document and reading order), whatever k:
        DEPARTMENT_PAGE of them from ``offset``, with their total. None when the words name no single unit, so
        the question is asked as a topic."""
        try:
            dept = self.departments.resolve(name)
        except NotFound:
            return None
        duties, led = self._duties(dept.name, doc)
        page = duties[offset:offset + DEPARTMENT_PAGE]
        hits = tuple(Hit(d.measure, d.document, rank, float("inf"), {}, d.covered_span, d.clause)
                     for rank, d in enumerate(page, offset + 1))
        reason = "" if duties else f"{doc} 中没有{dept.name}负责的条款"
        return Answer(question, norm, "department", bool(duties), hits, reason, department=dept.name,
                      total=len(duties), offset=offset, led=led)

    def _duties(self, name: str, doc: str | None) -> tuple[tuple[Duty, ...], int]:
        """A unit's duties, led first, then the primary document's, in reading order, and how many it leads. A
        frequent unit holds a share of a large corpus: the list is sorted once per unit and document, not on every
        question, and no measure is read to sort it."""
        key = (name, doc)
        if (duties := self._duty_cache.get(key)) is None:
            dept = self.departments.get(name)
            found = dept.in_document(doc).duties if doc else dept.duties
            ordered = tuple(sorted(found, key=lambda d: (d.role != LEAD, d.document.slug != self.primary, d.row)))
            duties = (ordered, sum(d.role == LEAD for d in ordered))
            if len(self._duty_cache) >= DUTY_CACHE:
                self._duty_cache.pop(next(iter(self._duty_cache)))
            self._duty_cache[key] = duties
        return duties

    def _decide(self, question, norm, kind, hits, topic, legs, pinned: bool) -> Answer:
        if not hits:
            return Answer(question, norm, kind, False, hits, "语料中没有与问题相关的内容")
        top = hits[0]
        cov = coverage(set(bigrams(topic)), top.measure)
        dense_top = legs["dense"].scores[0] if legs["dense"].scores else 0.0
        sentence = top.measure.text[top.best_sentence[0]:top.best_sentence[1]] if top.best_sentence else None
        verdict = Answerability.always() if pinned else self.answerability.judge(
            norm, topic, top.measure, sentence, self._rows[top.measure.id], legs)
        return Answer(question, norm, kind, verdict.answered, hits, verdict.reason, round(cov, 4),
                      round(float(dense_top), 4), check=verdict.check, confidence=verdict.confidence,
                      features=verdict.features, vector=verdict.vector)

    def _adjust(self, fused: list[tuple[int, float]], named: str | None) -> list[tuple[int, float]]:
        """The named document's measures ×NAMED_DOC_PRIOR; ties broken by id."""
        measures = self.corpus.measures
        out = [(row, score * (NAMED_DOC_PRIOR if measures[row].doc == named else 1.0)) for row, score in fused]
        return sorted(out, key=lambda rs: (-rs[1], measures[rs[0]].id))

    def _section_row(self, section: tuple[int, int], target: str | None) -> int | None:
        """第五章第二节 -> the measure keyed 5.2 in a document of chapters and sections."""
        key = f"{section[0]}.{section[1]}"
        for row in self._by_key.get(key, ()):
            m = self.corpus.measures[row]
            if (m.doc == target or not target) and (section[1] == 0 or m.label.startswith("第")):
                return row
        return None

    def _part_row(self, part: tuple[int, int], target: str | None, among: frozenset[str],
                  fused: list[tuple[int, float]]) -> int | None:
        """第三部分第五项 -> the measure keyed 3.5 (or its first paragraph, 3.5-1) in the named document, else in
        those its naming words fit, else in any; among several, the best ranked."""
        docs = {target} if target else among
        rows = [row for key in (f"{part[0]}.{part[1]}", f"{part[0]}.{part[1]}-1") for row in self._by_key.get(key, ())
                if not docs or self.corpus.measures[row].doc in docs]
        return _best_ranked(rows, fused) if rows else None

    def _decimal_row(self, number: str, target: str | None, among: frozenset[str],
                     fused: list[tuple[int, float]]) -> int | None:
        """6.4.2 -> the measure keyed 6.4.2, else its heading's text (6.4.2.0), else its first item (6.4.2.1): in the
        named document, else in those its naming words fit, else in any; among several, the best ranked."""
        docs = {target} if target else among
        measures = self.corpus.measures
        for rows in (self._by_key.get(number, ()), self._by_key.get(f"{number}.0", ()),
                     self._decimal_heads.get(number, ())):
            rows = [row for row in rows if not docs or measures[row].doc in docs]
            if rows:
                return _best_ranked(rows, fused)
        return None

    def _short_of(self, measure: Measure) -> tuple[str, ...]:
        """The short names ``measure``'s document gives units (…委员会（以下简称爱卫会）): read with the document when
        it was loaded, else from all its measures when one of them is first answered (reading them there built
        every measure of each new document a question met: 30 ms a question at 1,000,000 stored measures)."""
        if (names := self._short.get(measure.doc)) is None:
            doc = self.corpus.document(measure.doc)
            names = doc.unit_short_names
            if names is None:
                names = short_names(m.text for m in doc.measures)
            self._short[measure.doc] = names
        return names

    @cached_property
    def _decimal_heads(self) -> dict[str, list[int]]:
        """Per decimal section that has no measure of its own (a heading over items: 6.4.2 over 6.4.2.1 …), the
        first measure under it in each document. Built on the first decimal question."""
        heads: dict[str, list[int]] = {}
        seen: set[tuple[str, str]] = set()
        for row, m in enumerate(self.corpus.measures):
            parts = m.key.split(".")
            if len(parts) < 3 or not all(p.isdigit() for p in parts):
                continue
            for end in range(2, len(parts)):
                prefix = ".".join(parts[:end])
                if (m.doc, prefix) not in seen:
                    seen.add((m.doc, prefix))
                    heads.setdefault(prefix, []).append(row)
        return heads

    def _in_documents(self, rows, slugs) -> np.ndarray:
        """Per row of ``rows``: whether its measure belongs to one of the documents ``slugs``."""
        return np.isin(self._doc_of_row[rows], [self._doc_code.get(slug, -2) for slug in slugs])

    def _allowed(self, doc: str | None) -> np.ndarray | None:
        """A mask of the measures of ``doc``: one vectorised comparison, not a pass over the measures."""
        if not doc:
            return None
        code = self._doc_code.get(doc, -1)
        return self._doc_of_row == code

    def _clause_row(self, number: int | None, target: str | None, norm: str, fused: list[tuple[int, float]],
                    among: frozenset[str] = frozenset()) -> int | None:
        """The measure a clause number names (its key, or the number in its label: （七） of a chapter), in the
        named document if any. Among several: those whose title the question quotes (第22条加强组织领导), then
        those under a heading it quotes (七项重点工作里的第（四）项), then those keyed by the number, then the
        primary document's (users write 第二十五条 for its （二十五） too), then those whose label has the question's
        form (第十二条 asks for an article), then the best ranked. With no document named but several fitting its
        naming words equally (``among``: 条例第五条 with two 条例), only theirs are candidates."""
        if number is None:
            return None
        rows, keyed = self._clause_candidates(number)
        if target or among:
            inside = self._in_documents(rows, {target} if target else among)
            rows, keyed = rows[inside], keyed[inside]
        if not len(rows):
            return None
        grams = {norm[i:i + 4] for i in range(len(norm) - 3)}  # shared_run(norm, text, 4): any run of 4 in text

        def quoted(text) -> np.ndarray:  # per candidate: the question quotes a run of its text
            return np.fromiter((any(g in text(r) for g in grams) for r in rows), bool, len(rows))

        titled, under = quoted(self._clause_title), quoted(self._clause_chapters.__getitem__)  # its title; its heading
        fused_rows = np.fromiter((r for r, _ in fused), np.int64, len(fused))
        rank = np.full(len(rows), len(set(fused_rows.tolist())))  # unranked candidates after every ranked one
        at = np.minimum(np.searchsorted(rows, fused_rows), len(rows) - 1)
        hit = rows[at] == fused_rows
        rank[at[hit]] = np.flatnonzero(hit)
        article = self._article[rows] != bool(_ARTICLE_ASKED.search(norm))
        other_doc = self._doc_of_row[rows] != self._doc_code.get(self.primary, -2)
        return int(rows[np.lexsort((rows, rank, article, other_doc, ~keyed, ~under, ~titled))[0]])

    def _clause_title(self, row: int) -> str:
        """A measure's title as matched: normalised when a clause number's candidates are compared (every title of
        a start was 0.6 s of 100,000 measures' and a copy of their titles)."""
        return _normal_title(self.corpus.measures[row].title)

    def _clause_candidates(self, number: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows (ascending) a clause number can name — keyed by it, or printing it in their label — and which of
        them are keyed. Kept per number: questions name few numbers."""
        if (found := self._candidates.get(number)) is None:
            measures = self.corpus.measures
            keyed = {self._rows[f"{measures[r].doc}/{number}"] for r in self._by_key.get(str(number), ())}
            rows = np.array(sorted(keyed | set(self._numbered.get(number, ()))), dtype=np.int64)
            found = self._candidates[number] = (rows, np.isin(rows, np.fromiter(keyed, np.int64, len(keyed))))
        return found

    def _hit(self, rank: int, row: int, score: float, legs, grams: set[str], asked: Asked | None = None) -> Hit:
        measure = self.corpus.measures[row]
        leg_info = {name: {"rank": leg.rows.index(row) + 1, "score": leg.scores[leg.rows.index(row)]}
                    for name, leg in legs.items() if row in leg.rows}
        sentence = best_sentence(measure, grams)
        return Hit(measure, self.corpus.document(measure.doc), rank, score, leg_info, sentence,
                   responsibility_for(measure, sentence, grams, asked, self._short_of(measure)))


def _best_ranked(rows: list[int], fused: list[tuple[int, float]]) -> int:
    """Of ``rows``, the one ranked first in ``fused`` (rows it does not rank come after, in corpus order)."""
    order = {row: i for i, (row, _) in enumerate(fused)}
    return min(rows, key=lambda row: (order.get(row, len(order)), row))


def _rows_by_label_number(labels: list[str]) -> dict[int, list[int]]:
    """Rows by the number their label prints: (十七), 第十二条, 21., 专栏11."""
    out: dict[int, list[int]] = {}
    numbers: dict[str, int | None] = {}  # per label as printed: labels repeat in every document
    for row, label in enumerate(labels):
        label = label or ""
        if label not in numbers:
            digits = _LABEL_NUMBER.search(normalize(label))
            try:
                numbers[label] = parse_cn_numeral(digits.group()) if digits else None
            except ValueError:
                numbers[label] = None
        if (number := numbers[label]) is not None:
            out.setdefault(number, []).append(row)
    return out


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
