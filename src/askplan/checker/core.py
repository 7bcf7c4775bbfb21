"""``DraftChecker(service).check(text, doc)``: each sentence of a draft checked for quotations, clause
references and claims; one ``CheckReport`` back. Nothing is written or logged: the draft lives only in memory
for the duration of the call (log lines carry counts, never text)."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from askplan.answer import Answer
from askplan.checker.claims import SegmentIndex
from askplan.checker.match import TrigramIndex
from askplan.checker.models import CheckReport, Cited, Finding, SentenceReport
from askplan.checker.quotes import Context, Located, check_quotation, check_verbatim, quoted_enough
from askplan.checker.refs import Reference, docs_mentioned, find_references, match_title
from askplan.checker.text import fold_aligned, is_traditional, quotations, split_sentences, titles
from askplan.checker.verdicts import claim_findings, ref_findings
from askplan.corpus import Corpus
from askplan.docnames import KIND_WORDS, DocumentNames, Named
from askplan.errors import BadQuery
from askplan.models import Document, Measure
from askplan.normalize import normalize
from askplan.service import MAX_QUESTION_CHARS

log = logging.getLogger(__name__)
MAX_DRAFT_CHARS = 20_000


class BadDraft(BadQuery):
    """An empty or over-long draft (HTTP 422, CLI exit 1)."""


def validate_draft(text: str | None) -> str:
    if text is None or not text.strip():
        raise BadDraft("the draft is empty; paste the text to check (up to 20,000 characters)")
    if len(text) > MAX_DRAFT_CHARS:
        raise BadDraft(f"the draft is {len(text)} characters; the limit is {MAX_DRAFT_CHARS}. "
                       "Check it in parts, one chapter at a time")
    return text


@dataclass(frozen=True)
class Sentence:
    """One sentence under check, with the spans other checks must not read as content."""

    start: int
    end: int
    refs: tuple[Reference, ...]
    removed: tuple[tuple[int, int], ...]  # titles and references: not content for claims and questions
    docs: tuple[str, ...]  # the documents the sentence names, else the default one: claims are checked there first
    previous: tuple[int, int] | None = None  # the sentence before, for 这项工作由…负责

    def outside(self, text: str, a: int | None = None, b: int | None = None, drop=()) -> str:
        """``text[a:b]`` (default: the sentence) without removed spans and ``drop``."""
        a, b = self.start if a is None else a, self.end if b is None else b
        cut = (*self.removed, *drop)
        return "".join(" " if any(x <= i < y for x, y in cut) else text[i] for i in range(a, b))


class DraftChecker:
    """Built once per service (indexes the corpus for approximate search); ``check`` is thread-safe."""

    def __init__(self, service):
        self.service = service
        self.corpus: Corpus = service.corpus
        self.measures: Sequence[Measure] = self.corpus.measures
        self.row_of = self.corpus.rows
        self.index = TrigramIndex(self.measures)
        self.segments = SegmentIndex(self.measures)
        self.names = DocumentNames(self.corpus.documents)

    def check(self, text: str, doc: str | None = None) -> CheckReport:
        """The report on ``text``; BadDraft when it is empty or too long, NotFound for an unknown ``doc``."""
        validate_draft(text)
        default = self.corpus.document(doc) if doc else self.corpus.primary  # None: no document assumed
        folded = fold_aligned(text)
        ctx = Context(text, folded, is_traditional(text), self.corpus, self.index)
        asked: dict[tuple[str, str | None], Answer | None] = {}
        spans = split_sentences(text)
        scope = self.scope(ctx, spans, default, doc)
        run = _Run(self, ctx, default, doc, asked, scope)
        reports = []
        for n, (s, e) in enumerate(spans):
            found = [f for f in map(lambda f: _within(f, scope), run.sentence(s, e)) if f is not None]
            reports.append(SentenceReport(n, s, e, text[s:e], tuple(sorted(found, key=lambda f: (f.start, f.end)))))
        report = CheckReport(text, doc, tuple(reports), ctx.traditional,
                             tuple(d.slug for d in self.corpus.documents if scope and d.slug in scope))
        log.debug("checked a draft: %d characters, %d sentences, %d findings, %d questions asked",
                  len(text), len(reports), len(report.findings), len(asked))
        return report

    def scope(self, ctx: Context, spans, default: Document | None, doc: str | None) -> frozenset[str] | None:
        """The documents a draft cites anywhere (by 《title》, a clause reference, or a short name such as 纲要 or
        方案) plus the one chosen for it: findings and citations come only from these. None when it cites
        none and none was chosen: then the whole corpus is searched."""
        slugs = {doc} if doc else set()
        for s, e in spans:
            named = titles(ctx.text, s, e)
            slugs |= {d.slug for a, b in named if (d := match_title(self.corpus, ctx.text[a + 1:b - 1]))}
            slugs |= {r.doc.slug for r in find_references(ctx.text, ctx.folded, s, e, self.corpus, default, named)
                      if r.doc}
            slugs |= {d.slug for d in docs_mentioned(ctx.folded, s, e, self.corpus)}
            quoted = quotations(ctx.text, s, e)
            own_words = "".join(" " if any(a <= i < b for a, b in quoted) else ctx.text[i] for i in range(s, e))
            if (short := self.names.named_in(normalize(own_words))) and _names_a_document(short):
                slugs.add(short.slug)  # 方案要求…, 纲要提出…, RCEP意见…
        return frozenset(slugs) or None

    def ask(self, question: str, doc: str | None, asked: dict, k: int = 5) -> Answer | None:
        """``service.ask`` on text taken from the draft (None when nothing askable is left); cached per run."""
        question = re.sub(r"\s+", " ", question).strip()[:MAX_QUESTION_CHARS]
        if (question, doc) not in asked:
            try:
                asked[(question, doc)] = self.service.ask(question, k=k, doc=doc)
            except BadQuery:
                asked[(question, doc)] = None
        return asked[(question, doc)]

    def cited(self, measure: Measure) -> Cited:
        return Cited.of(measure, self.corpus.document(measure.doc))

    def word_coverage(self, text: str, measure: Measure) -> float:
        return self.service.answerability.word_coverage(normalize(text), measure.norm)


class _Run:
    """One check of one draft: the per-sentence steps, sharing the draft context and the question cache."""

    def __init__(self, checker: DraftChecker, ctx: Context, default: Document | None, doc: str | None,
                 asked: dict, scope: frozenset[str] | None = None):
        self.checker, self.ctx, self.default, self.doc, self.asked = checker, ctx, default, doc, asked
        self.scope = scope  # the documents the draft cites (None: it cites none; the whole corpus)
        self.previous: tuple[int, int] | None = None

    @property
    def search_doc(self) -> str | None:
        """The one document to search for candidates: the chosen one, else the draft's only cited one."""
        return self.doc or (next(iter(self.scope)) if self.scope and len(self.scope) == 1 else None)

    def sentence(self, s: int, e: int) -> list[Finding]:
        ctx = self.ctx
        named = titles(ctx.text, s, e)
        refs = find_references(ctx.text, ctx.folded, s, e, ctx.corpus, self.default, named)
        quotes = quotations(ctx.text, s, e)
        removed = tuple(sorted([*named, *((r.start, r.end) for r in refs)]))
        cited_docs = [r.doc.slug for r in refs if r.doc] + [d.slug for a, b in named
                                                            if (d := match_title(ctx.corpus, ctx.text[a + 1:b - 1]))]
        cited_docs += [d.slug for d in docs_mentioned(ctx.folded, s, e, ctx.corpus)]
        prefer = tuple(dict.fromkeys([*cited_docs, *([self.default.slug] if self.default else [])]))
        sent = Sentence(s, e, tuple(refs), removed,
                        tuple(dict.fromkeys(cited_docs)) or ((self.default.slug,) if self.default else ()),
                        self.previous)
        self.previous = (s, e)
        findings: list[Finding] = []
        located: list[Located] = []
        for qs, qe in quotes:
            finding, where = check_quotation(ctx, qs, qe, prefer, attributed=bool(cited_docs))
            findings += [finding] if finding else []
            located += [where] if where else []
        # Quotations long enough to be checked on their own are masked; short quoted terms (「两高」) are part
        # of the text around them.
        masked = (*removed, *((qs - 1, qe + 1) for qs, qe in quotes if quoted_enough(ctx.folded, qs, qe)))
        verbatim = check_verbatim(ctx, s, e, masked, prefer)
        located += [where for _, where in verbatim]
        findings += ref_findings(self, sent, located)
        claims = claim_findings(self, sent, located)
        # An unquoted span confirmed verbatim says less than a claim check on the same words: keep the claim.
        findings += [f for f, _ in verbatim
                     if f and (f.flagged or not any(c.start < f.end and f.start < c.end for c in claims))]
        return findings + claims

    def ask(self, question: str, doc: str | None, k: int = 5) -> Answer | None:
        return self.checker.ask(question, doc, self.asked, k)


def _names_a_document(named: Named) -> bool:
    """Was the document named as a document — by a short name or a kind word (方案, 纲要, RCEP意见) — and not only
    by words its title shares with a body or a place (示范区执行委员会 is no citation of the 示范区条例)?"""
    return any(span.endswith(KIND_WORDS) for span in named.spans)


def _within(finding: Finding, scope: frozenset[str] | None) -> Finding | None:
    """``finding`` with its citations and candidates kept to ``scope``; None when every clause it rests on is
    in a document the draft does not cite (a comparison the writer never asked for)."""
    if scope is None:
        return finding
    citations = tuple(c for c in finding.citations if c.doc in scope)
    candidates = tuple(c for c in finding.candidates if c.doc in scope)
    if finding.citations and not citations:
        return None
    if (citations, candidates) == (finding.citations, finding.candidates):
        return finding
    return replace(finding, citations=citations, candidates=candidates)


def check_draft(service, text: str, doc: str | None = None) -> CheckReport:
    """One-off check (builds the corpus indexes each time; keep a ``DraftChecker`` to check many drafts)."""
    return DraftChecker(service).check(text, doc)


