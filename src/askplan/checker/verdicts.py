"""Findings for the clause references and the claims of one sentence (quotations: ``checker.quotes``).
Messages are Chinese, for the person drafting; clause text is shown in the draft's script."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from askplan.checker.claims import (
    RESP_CUE,
    Figure,
    Support,
    asserts_target,
    claimed_units,
    context_grams,
    figures,
    is_target,
    segments,
    target_years,
    unit_matches,
)
from askplan.checker.match import diff
from askplan.checker.models import Finding
from askplan.checker.quotes import Located, shown
from askplan.checker.refs import Reference, clauses_for, heading_named, numbered_range
from askplan.checker.text import keyed
from askplan.corpus.responsibility import canonical_unit
from askplan.models import Measure
from askplan.normalize import to_simplified_display

if TYPE_CHECKING:
    from askplan.checker.core import Sentence, _Run

LOCATED_RATIO = 0.8  # a quotation this close to a clause says which clause the sentence is about
FITS = 0.5  # word coverage at which the cited clause fits the sentence whatever else fits better
MARGIN = 0.15  # the best clause must beat the cited one by more than this for a mismatch
TOP_RANKS = 3  # the cited clause among the first retrieved ones fits
MIN_TOPIC_CHARS = 4  # fewer content characters: only the clause's existence is checked
MIN_LEAD_COVERAGE = 0.3  # a retrieved clause about the same work as a responsibility claim
COPIED_RATIO = 0.9  # a sentence this close to a clause over COPIED_SHARE of its characters (and at least
COPIED_SHARE = 0.6  # COPIED_CHARS of them) copies it; shorter matches are common phrases, not copies
COPIED_CHARS = 20
CANDIDATES = 3  # nearest clauses offered for a claim nothing supports
ANAPHORA = re.compile(r"(?:这|该|此|上述|以上|相关|这些|这一)(?:项|些)?(?:工作|任务|事项)")


def ref_findings(run: _Run, sent: Sentence, located: list[Located]) -> list[Finding]:
    """One finding per reference: the clause is missing, confirmed, or another clause fits the sentence (as
    its heading, its copied words or, less surely, retrieval says)."""
    return [_ref(run, sent, ref, located) for ref in sent.refs]


def _ref(run: _Run, sent: Sentence, ref: Reference, located: list[Located]) -> Finding:
    ctx, label = run.ctx, run.ctx.text[ref.start:ref.end]
    if ref.doc is None:
        return Finding("ref_missing", "info", f"语料中没有《{ref.title}》，无法核对{label}。", ref.start, ref.end)
    title = shown(ref.doc.title, ctx.traditional)
    clauses = clauses_for(ref.doc, ref)
    if not clauses:
        span = numbered_range(ref.doc)
        extent = f"（该文件的条款为{shown(span, ctx.traditional)}）" if span else ""
        best = _best_in(run, sent, ref.doc.slug)
        hint = f"内容最接近的是{shown(run.checker.cited(best).citation, ctx.traditional)}。" if best else ""
        return Finding("ref_missing", "error", f"《{title}》中没有{label}{extent}。{hint}", ref.start, ref.end,
                       candidates=(run.checker.cited(best),) if best else ())
    verdict = _fit(run, sent, ref, clauses, located)
    cited = run.checker.cited(clauses[0])
    if verdict is None:
        return Finding("ref_ok", "info", f"{shown(cited.citation, ctx.traditional)}：条款存在，内容相符。",
                       ref.start, ref.end, citations=(cited,))
    severity, better, why = verdict
    right = run.checker.cited(better)
    heading = f"（{shown(clauses[0].title, ctx.traditional)}）" if clauses[0].title else ""
    if severity == "error":  # the heading or the quoted words say which clause is meant
        message = f"{label}{heading}与这句话不符：{why}，应为{shown(right.citation, ctx.traditional)}。"
        return Finding("ref_mismatch", severity, message, ref.start, ref.end, citations=(right,))
    message = f"{label}{heading}与这句话不大相符：{why}，请核对是否应为{shown(right.citation, ctx.traditional)}。"
    return Finding("ref_mismatch", severity, message, ref.start, ref.end, citations=(cited,), candidates=(right,))


def _fit(run: _Run, sent: Sentence, ref: Reference, clauses: list[Measure],
         located: list[Located]) -> tuple[str, Measure, str] | None:
    """None when the sentence fits the cited clause(s); else (severity, the clause that fits, why)."""
    ctx = run.ctx
    ids = {m.id for r in sent.refs if r.doc == ref.doc for m in clauses_for(r.doc, r)} | {m.id for m in clauses}
    named = heading_named(ref.doc, ref.after)
    if named is not None:
        return None if named.id in ids else ("error", named, f"「{shown(named.title, ctx.traditional)}」是另一条的标题")
    evidence = [loc.alignment.source.measure for loc in located
                if loc.alignment.ratio >= LOCATED_RATIO and loc.alignment.source.measure.doc == ref.doc.slug]
    if evidence:
        return None if any(m.id in ids for m in evidence) else ("error", evidence[0], "句中的原文出自另一条")
    topic = sent.outside(ctx.text)
    if len(keyed(topic).key) < MIN_TOPIC_CHARS:
        return None
    answer = run.ask(topic, ref.doc.slug)
    if answer is None or not answer.hits:
        return None
    if any(h.measure.id in ids for h in answer.hits[:TOP_RANKS]):
        return None
    best = answer.hits[0].measure
    cited_cov = max(run.checker.word_coverage(topic, m) for m in clauses)
    best_cov = run.checker.word_coverage(topic, best)
    if cited_cov >= FITS or best_cov - cited_cov <= MARGIN:
        return None
    return "warning", best, f"句子的关键词只有 {cited_cov:.0%} 见于该条，而另一条有 {best_cov:.0%}"


def _best_in(run: _Run, sent: Sentence, doc: str) -> Measure | None:
    answer = run.ask(sent.outside(run.ctx.text), doc)
    return answer.hits[0].measure if answer and answer.hits else None


def _candidates(run: _Run, sent: Sentence, drop=()) -> tuple:
    answer = run.ask(sent.outside(run.ctx.text, drop=drop), run.search_doc)
    if answer is None:
        return ()
    return tuple(run.checker.cited(h.measure) for h in answer.hits[:CANDIDATES])


# --- claims ---------------------------------------------------------------------------------------------------

def claim_findings(run: _Run, sent: Sentence, located: list[Located]) -> list[Finding]:
    folded = run.ctx.folded
    copied = _copied_from(run, sent, located)
    figs = [f for f in figures(folded, sent.start, sent.end)
            if not any(a < f.end and f.start < b for a, b in sent.removed)]
    out = [_figure(run, sent, f, copied) for f in figs]
    for cue in RESP_CUE.finditer(folded, sent.start, sent.end):
        if finding := _responsibility(run, sent, cue.start(), cue.end(), copied):
            out.append(finding)
    if not out and is_target(folded, sent.start, sent.end):
        out.append(_target(run, sent, copied))
    return out


def _copied_from(run: _Run, sent: Sentence, located: list[Located]) -> Located | None:
    """The clause the sentence copies (most of its words, nearly verbatim, quoted or not): its claims are that
    clause's. Returned as one span from the first to the last copied piece."""
    size = len(keyed(run.ctx.folded, sent.start, sent.end).key)
    by_measure: dict[str, list[Located]] = {}
    for loc in located:
        if loc.alignment.ratio >= COPIED_RATIO:
            by_measure.setdefault(loc.alignment.source.measure.id, []).append(loc)
    for pieces in by_measure.values():
        covered = sum(len(keyed(run.ctx.folded, p.start, p.end).key) for p in pieces)
        if covered >= max(COPIED_SHARE * size, COPIED_CHARS):
            first = max(pieces, key=lambda p: p.end - p.start)
            return Located(min(p.start for p in pieces), max(p.end for p in pieces), first.alignment)
    return None


def _fallback(run: _Run) -> set[str] | None:
    """Where claims are looked up when the sentence's own documents say nothing about them: the documents the
    draft cites (or the one chosen for it), else the whole corpus (None)."""
    return set(run.scope) if run.scope else ({run.doc} if run.doc else None)


def _context(run: _Run, sent: Sentence, at: int) -> tuple[tuple[int, int], set[str]]:
    """The segment of the sentence around offset ``at`` and its bigrams (previous segments added while the
    segment alone says too little: 其中，…达到65%)."""
    segs = segments(run.ctx.folded, sent.start, sent.end)
    i = next((n for n, (a, b) in enumerate(segs) if a <= at < b), len(segs) - 1)
    grams = context_grams(sent.outside(run.ctx.folded, *segs[i]))
    j = i
    while len(grams) < 3 and j > 0:
        j -= 1
        grams |= context_grams(sent.outside(run.ctx.folded, *segs[j]))
    return segs[i], grams


def _figure(run: _Run, sent: Sentence, fig: Figure, copied: Located | None) -> Finding:
    """Supported by the sentence's documents (the one it copies, else the ones it names, else the default),
    else contradicted by them (another figure in the same unit), else supported by any document, else only
    mentioned, else unsupported."""
    ctx, segs = run.ctx, run.checker.segments
    (a, b), grams = _context(run, sent, fig.start)
    preferred = {copied.alignment.source.measure.doc} if copied else set(sent.docs)
    own = segs.support(fig, grams, preferred)
    anywhere = segs.support(fig, grams, _fallback(run))
    if own is not None and own.same_figure is not None:
        return _figure_supported(run, sent, own, a, b)
    if own is not None and any(f.unit == fig.unit for f in own.segment.figures):
        theirs = "、".join(f.shown for f in own.segment.figures if f.unit == fig.unit)
        note = ""
        if anywhere is not None and anywhere.same_figure is not None:
            note = f"（另：{_where(run, anywhere)}写有“{_clause_text(run, anywhere)}”。）"
        return Finding("claim_unsupported", "error",
                       f"数字与原文不符：{_where(run, own)}写的是“{_clause_text(run, own)}”（{theirs}），"
                       f"而不是{fig.shown}。{note}", a, b, citations=(_cited(run, own),), **_diff_of(run, a, b, own))
    if anywhere is not None and anywhere.same_figure is not None:
        return _figure_supported(run, sent, anywhere, a, b)
    if own or anywhere:
        near = own or anywhere
        message = (f"{_where(run, near)}提到这项内容（“{_clause_text(run, near)}”），"
                   f"但没有写明{fig.shown}；请核对数字来源。")
        return Finding("claim_unsupported", "warning", message, a, b, candidates=(_cited(run, near),),
                       **_diff_of(run, a, b, near))
    if not asserts_target(ctx.folded, sent.start, sent.end, (a, b)):
        message = f"语料中没有找到“{ctx.text[a:b]}”的出处（不像规划目标，未作标记）。"
        return Finding("claim_unsupported", "info", message, a, b)
    return Finding("claim_unsupported", "warning", f"语料中没有找到写明“{ctx.text[a:b]}”的条款；请核对数字来源。",
                   a, b, candidates=_candidates(run, sent))


def _figure_supported(run: _Run, sent: Sentence, support: Support, a: int, b: int) -> Finding:
    measure = run.checker.measures[support.segment.row]
    where, cited, extra = _where(run, support), _cited(run, support), _diff_of(run, a, b, support)
    wrong_year = _wrong_year(run, sent, measure)
    if wrong_year:
        return Finding("claim_unsupported", "error", f"目标年份与原文不符：{where}{wrong_year}。", a, b,
                       citations=(cited,), **extra)
    return Finding("claim_supported", "info", f"与{where}一致：“{_clause_text(run, support)}”。", a, b,
                   citations=(cited,), **extra)


def _cited(run: _Run, support: Support):
    return run.checker.cited(run.checker.measures[support.segment.row])


def _where(run: _Run, support: Support) -> str:
    return shown(_cited(run, support).citation, run.ctx.traditional)


def _clause_text(run: _Run, support: Support) -> str:
    seg = support.segment
    return shown(run.checker.measures[seg.row].text[seg.start:seg.end], run.ctx.traditional)


def _diff_of(run: _Run, a: int, b: int, support: Support) -> dict:
    seg = support.segment
    return _source_diff(run, a, b, run.checker.measures[seg.row], seg.start, seg.end)


def _wrong_year(run: _Run, sent: Sentence, measure: Measure) -> str | None:
    years = target_years(run.ctx.folded, sent.start, sent.end)
    theirs = sorted(set(target_years(measure.norm, 0, len(measure.norm))))
    missing = [y for y in years if y not in measure.norm]
    if missing and theirs:
        return f"的目标年份是{'、'.join(theirs)}年，而不是{'、'.join(missing)}年"
    return None


def _source_diff(run: _Run, a: int, b: int, measure: Measure, start: int, end: int) -> dict:
    """source/diff fields comparing the draft's [a, b) with the clause's text [start, end)."""
    checker = run.checker
    src = checker.index.sources[checker.row_of[measure.id]]
    shift = len(src.text) - len(measure.text)
    c, d = src.keyed.index_at(start + shift), src.keyed.index_at(end + shift)
    mine = keyed(run.ctx.folded, a, b)
    if not mine.key or d <= c:
        return {}
    parts = diff(run.ctx.text, mine, 0, len(mine.key), src, c, d)
    text = measure.text[start:end]
    return {"source": text, "source_simplified": to_simplified_display(text), "diff": parts}


def _responsibility(run: _Run, sent: Sentence, cue: int, cue_end: int, copied: Located | None) -> Finding | None:
    ctx, checker = run.ctx, run.checker
    a, names = claimed_units(ctx.folded, sent.start, cue)
    if not names:
        return None
    if copied and copied.start <= a and cue_end <= copied.end:  # the responsibility clause is copied too
        cited = checker.cited(copied.alignment.source.measure)
        message = f"与{shown(cited.citation, ctx.traditional)}一致。"
        return Finding("claim_supported", "info", message, a, cue_end, citations=(cited,))
    claimed = [canonical_unit(n) for n in names]
    leads = ctx.folded[cue:cue_end] in ("牵头", "主抓")
    topic = sent.outside(ctx.text, drop=((a, cue_end),))
    if len(keyed(ANAPHORA.sub("", topic)).key) < MIN_TOPIC_CHARS and sent.previous:
        topic = ctx.text[sent.previous[0]:sent.previous[1]] + topic  # 这项工作由…负责: the work is the one before
    answer = run.ask(topic, run.search_doc)
    # The first clause about this work that either assigns it (a responsibility clause) or names the unit in
    # its own words (条例: 执委会负责…).
    hit = next((h for h in (answer.hits if answer else ())
                if checker.word_coverage(topic, h.measure) >= MIN_LEAD_COVERAGE
                and (h.measure.responsibilities or any(_names(n, h.measure.norm) for n in claimed))), None)
    if hit is None:
        message = f"语料中没有找到写明这项工作由{'、'.join(names)}{ctx.text[cue:cue_end]}的条款。"
        return Finding("claim_unsupported", "warning", message, a, cue_end,
                       candidates=_candidates(run, sent, ((a, cue_end),)))
    if not hit.measure.responsibilities:
        cited = checker.cited(hit.measure)
        message = f"{shown(cited.citation, ctx.traditional)}写明了{names[0]}的这项职责。"
        return Finding("claim_supported", "info", message, a, cue_end, citations=(cited,))
    r = hit.responsibility or hit.measure.responsibilities[0]
    cited = checker.cited(hit.measure)
    where, clause = shown(cited.citation, ctx.traditional), shown(r.text, ctx.traditional)
    common = {"citations": (cited,), "source": r.text, "source_simplified": to_simplified_display(r.text)}
    lead = r.lead or ""
    if leads and unit_matches(claimed[0], lead) or not leads and all(
            any(unit_matches(c, u) for u in r.units) for c in claimed):
        return Finding("claim_supported", "info", f"与{where}一致：{clause}。", a, cue_end, **common)
    if leads and any(unit_matches(claimed[0], u) for u in r.units):
        return Finding("claim_unsupported", "warning", f"{where}中{names[0]}是配合单位，牵头单位是"
                       f"{shown(r.lead_verbatim or lead, ctx.traditional)}：{clause}。", a, cue_end, **common)
    return Finding("claim_unsupported", "error", f"责任单位与原文不符：{where}写的是{clause}。", a, cue_end, **common)


def _names(unit: str, text: str) -> bool:
    """Does ``text`` name the unit (its last five characters will do: 示范区执行委员会 for the full name)?"""
    return unit in text or len(unit) > 5 and unit[-5:] in text


def _target(run: _Run, sent: Sentence, copied: Located | None) -> Finding:
    ctx, checker = run.ctx, run.checker
    preferred = {copied.alignment.source.measure.doc} if copied else set(sent.docs)
    best = None
    for a, b in segments(ctx.folded, sent.start, sent.end):
        grams = context_grams(sent.outside(ctx.folded, a, b))
        about = checker.segments.about(grams, preferred) or checker.segments.about(grams, _fallback(run))
        if about and (best is None or about[0][0] > best[0]):
            best = (about[0][0], about[0][1], a, b)
    if best is None:
        return Finding("claim_unsupported", "warning", "语料中没有找到写明这一目标的条款；请核对出处。",
                       sent.start, sent.end, candidates=_candidates(run, sent))
    _, seg, a, b = best
    measure = checker.measures[seg.row]
    cited = checker.cited(measure)
    where = shown(cited.citation, ctx.traditional)
    wrong_year = _wrong_year(run, sent, measure)
    if wrong_year:
        return Finding("claim_unsupported", "error", f"目标年份与原文不符：{where}{wrong_year}。", sent.start, sent.end,
                       citations=(cited,))
    clause_text = shown(measure.text[seg.start:seg.end], ctx.traditional)
    return Finding("claim_supported", "info", f"与{where}一致：“{clause_text}”。", a, b, citations=(cited,))
