"""What the page templates show: answers, measures and documents turned into display records in the chosen
script (original or Simplified, converted server-side) with highlighted, escaped text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from markupsafe import Markup

from askplan.answer import Answer, Hit
from askplan.corpus import Corpus
from askplan.links import LinkTable, links_of
from askplan.models import Document, Measure, Responsibility
from askplan.normalize import to_simplified_display
from askplan.render_answer import page_shown
from askplan.service import DEPARTMENT_PAGE
from askplan.web.highlight import Convert, highlight, identity, query_grams

SCRIPT_COOKIE = "script"
SCRIPTS = ("orig", "simp")


def converter(script: str) -> Convert:
    return to_simplified_display if script == "simp" else identity


def measure_url(measure: Measure) -> str:
    return f"/m/{quote(measure.doc)}/{quote(measure.key)}"


def clause_body(measure: Measure) -> str:
    """The measure's text without its responsibility clauses, whitespace folded: what a draft quotes."""
    text, cuts = measure.text, sorted(r.clause_span for r in measure.responsibilities)
    kept, at = [], 0
    for a, b in cuts:
        kept.append(text[at:a])
        at = max(at, b)
    kept.append(text[at:])
    return re.sub(r"\s+", "", "".join(kept)).strip()


def quote_with_citation(measure: Measure, citation: str, conv: Convert) -> str:
    """The clause text followed by its citation in brackets, ready to paste into a draft."""
    return f"{conv(clause_body(measure)).rstrip('。；;')}（{citation}）。"


@dataclass(frozen=True)
class Copyable:
    """What the copy buttons offer for one clause: the citation in the shown script, the citation in the
    original script (when it differs), and the clause text with its citation."""

    citation: str
    original: str
    with_text: str = ""


def copyable(measure: Measure, document: Document, conv: Convert, *, with_text: bool = True) -> Copyable:
    citation = document.citation(measure)
    shown = conv(citation)
    return Copyable(shown, citation if citation != shown else "",
                    quote_with_citation(measure, shown, conv) if with_text else "")


@dataclass(frozen=True)
class RespView:
    text: str
    lead: str | None
    co_units: tuple[str, ...]
    covered: str
    prose: bool = False  # read from a sentence (X负责…, 由X会同…), not a marked clause


@dataclass(frozen=True)
class HitView:
    rank: int
    url: str
    id: str
    document_title: str
    document_url: str
    chapter: str
    label: str
    title: str
    heading: str
    text_html: Markup
    best_sentence: str | None
    responsibility: RespView | None
    citation: str
    copy: Copyable


@dataclass(frozen=True)
class AnswerView:
    kind: str
    answered: bool
    top: HitView | None
    hits: tuple[HitView, ...]
    lead: RespView | None
    reason: str = ""  # why nothing answers (unanswered only)
    reply: str = ""  # a follow-up's one-line answer
    context: str = ""  # the clause the next question may refer back to (the top hit's id)
    suggestions: tuple[tuple[str, str], ...] = ()  # (question, url asking it with this context)
    department: tuple[str, str] | None = None  # (name, /dept/name) for a department answer
    total: int = 0  # clauses in all (a department answer's hits are one page of them)
    shown: str = ""  # which of them this page shows (第 51–58 条), when they are paged
    pages: tuple[tuple[str, str], ...] = ()  # (上一页 / 下一页, url) of a paged department answer


def resp_view(measure: Measure, r: Responsibility, conv: Convert) -> RespView:
    covered = measure.text[r.span[0]:r.clause_span[0]].strip()
    short = covered if len(covered) <= 80 else covered[:80] + "…"
    return RespView(conv(r.text), conv(r.lead_verbatim) if r.lead_verbatim else None,
                    tuple(conv(u) for u in r.units_verbatim[1:]), conv(short), r.prose)


def hit_view(hit: Hit, grams: set[str], conv: Convert) -> HitView:
    m = hit.measure
    best = m.text[hit.best_sentence[0]:hit.best_sentence[1]].strip() if hit.best_sentence else None
    return HitView(
        rank=hit.rank, url=measure_url(m), id=m.id, document_title=conv(hit.document.title),
        document_url=f"/d/{quote(m.doc)}", chapter=conv(" › ".join(m.chapter)), label=m.display_label,
        title=conv(m.title), heading=conv(m.heading()),
        text_html=highlight(m, grams, hit.best_sentence, conv),
        best_sentence=conv(best) if best else None,
        responsibility=resp_view(m, hit.responsibility, conv) if hit.responsibility else None,
        citation=conv(hit.citation), copy=copyable(m, hit.document, conv),
    )


def answer_view(answer: Answer, conv: Convert, doc: str = "") -> AnswerView:
    grams = query_grams(answer.normalized)
    hits = tuple(hit_view(h, grams, conv) for h in answer.hits)
    top = hits[0] if hits else None
    lead = top.responsibility if top and answer.answered and answer.kind == "lead" else None
    context = top.id if top and answer.kind != "department" else ""
    asks = tuple((conv(q), f"/?q={quote(q)}&context={quote(context)}" if context else f"/?q={quote(q)}")
                 for q in answer.suggestions)
    dept = (conv(answer.department), f"/dept/{quote(answer.department, safe='')}") if answer.department else None
    shown, pages = _pages(answer, doc)
    return AnswerView(answer.kind, answer.answered, top, hits, lead, "" if answer.answered else answer.reason,
                      conv(answer.reply), context, asks, dept, answer.count, shown, pages)


def _pages(answer: Answer, doc: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """Which clauses a paged department answer shows, and links to the pages before and after it."""
    if answer.total is None or (answer.offset == 0 and answer.next_offset is None):
        return "", ()
    asked = f"/?q={quote(answer.question)}" + (f"&doc={quote(doc)}" if doc else "") + (
        f"&context={quote(answer.context)}" if answer.context else "")
    before = max(0, min(answer.offset, answer.count) - DEPARTMENT_PAGE)
    return page_shown(answer), prev_next(asked + (f"&offset={before}" if before else "") if answer.offset > 0 else None,
                            f"{asked}&offset={answer.next_offset}" if answer.next_offset is not None else None)


def prev_next(before: str | None, after: str | None) -> tuple[tuple[str, str], ...]:
    """(上一页 / 下一页, url) for the pages there are before and after this one (``templates/_macros.html``'s pager)."""
    return tuple((label, url) for label, url in (("上一页", before), ("下一页", after)) if url is not None)


@dataclass(frozen=True)
class MeasureView:
    id: str
    url: str
    document: Document
    document_title: str
    document_url: str
    chapter: tuple[str, ...]
    heading: str
    text_html: Markup
    responsibilities: tuple[RespView, ...]
    citation: str
    copy: Copyable
    prev: tuple[str, str] | None  # (url, heading)
    next: tuple[str, str] | None


def measure_view(corpus: Corpus, measure: Measure, conv: Convert) -> MeasureView:
    doc = corpus.document(measure.doc)
    siblings = doc.measures
    i = next(n for n, m in enumerate(siblings) if m.id == measure.id)
    prev = siblings[i - 1] if i > 0 else None
    nxt = siblings[i + 1] if i + 1 < len(siblings) else None
    return MeasureView(
        id=measure.id, url=measure_url(measure), document=doc, document_title=conv(doc.title),
        document_url=f"/d/{quote(doc.slug)}", chapter=tuple(conv(c) for c in measure.chapter),
        heading=conv(measure.heading()), text_html=highlight(measure, convert=conv),
        responsibilities=tuple(resp_view(measure, r, conv) for r in measure.responsibilities),
        citation=conv(doc.citation(measure)), copy=copyable(measure, doc, conv),
        prev=(measure_url(prev), conv(prev.heading())) if prev else None,
        next=(measure_url(nxt), conv(nxt.heading())) if nxt else None,
    )


EXCERPT_CHARS = 90


@dataclass(frozen=True)
class LinkView:
    citation: str
    url: str
    score: float
    excerpt: str


@dataclass(frozen=True)
class LinksView:
    """上位规划依据 of a plan clause (outline sections it implements) and, on an outline section, the plan
    clauses that implement it."""

    implements: tuple[LinkView, ...]
    implemented_by: tuple[LinkView, ...]


def ready_links(service, readiness) -> LinkTable | None:
    """The service's link table once the index is loaded; None while it is prepared (pages do not wait)."""
    return service.links() if readiness.status == "ok" else None


def links_view(corpus: Corpus, measure: Measure, table: LinkTable | None, conv: Convert) -> LinksView | None:
    if table is None:
        return None
    rows = links_of(corpus, table, measure.id, convert=conv)

    def view(row: dict) -> LinkView:
        excerpt = row["excerpt"]
        short = excerpt if len(excerpt) <= EXCERPT_CHARS else excerpt[:EXCERPT_CHARS] + "…"
        return LinkView(row["citation"], row["url"], row["score"], short)

    return LinksView(tuple(map(view, rows["implements"])), tuple(map(view, rows["implemented_by"])))


@dataclass(frozen=True)
class TocRow:
    level: int
    text: str
    url: str | None = None  # None: a chapter heading
    lead: str | None = None


def toc_rows(doc: Document, conv: Convert) -> list[TocRow]:
    """Chapters as headings (emitted where the chapter path changes) and measures as links beneath them."""
    rows: list[TocRow] = []
    previous: tuple[str, ...] = ()
    for m in doc.measures:
        same = 0
        while same < min(len(previous), len(m.chapter)) and previous[same] == m.chapter[same]:
            same += 1
        rows += [TocRow(level, conv(m.chapter[level])) for level in range(same, len(m.chapter))]
        lead = m.responsibilities[0].lead_verbatim if m.responsibilities else None
        rows.append(TocRow(len(m.chapter), conv(m.heading()), measure_url(m), conv(lead) if lead else None))
        previous = m.chapter
    return rows


def primary_first(corpus: Corpus) -> list[Document]:
    """The corpus's documents with the primary one (corpus config ``role = "primary"``) first."""
    primary = corpus.primary
    return sorted(corpus.documents, key=lambda d: primary is None or d.slug != primary.slug)


def doc_options(corpus: Corpus, conv: Convert) -> list[tuple[str, str]]:
    return [(d.slug, conv(d.title)) for d in primary_first(corpus)]


@dataclass(frozen=True)
class DocRow:
    slug: str
    url: str
    title: str
    issuer: str
    date: str
    measures: int
    primary: bool


def document_rows(corpus: Corpus, conv: Convert) -> list[DocRow]:
    primary = corpus.primary
    return [DocRow(d.slug, f"/d/{quote(d.slug)}", conv(d.title), conv(d.issuer), d.date, len(d.measures),
                   primary is not None and d.slug == primary.slug) for d in primary_first(corpus)]
