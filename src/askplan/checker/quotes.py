"""Quotations (「」“”『』) and long unquoted spans that look copied: compared with the corpus script-blind,
confirmed with their clause when exact, flagged with a character diff when near, and checked for a mix of
Traditional and Simplified characters (the only difference script-blind comparison cannot see)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from askplan.checker.match import Alignment, Chain, TrigramIndex, diff
from askplan.checker.models import Cited, DiffPart, Finding
from askplan.checker.text import MASK, Keyed, keyed
from askplan.corpus import Corpus
from askplan.normalize import to_simplified, to_simplified_display

MIN_QUOTE_CHARS = 8  # shorter quotations are terms (“十四五”, “放管服”), not quoted text
NEAR_MISS_RATIO = 0.6  # below this a quotation is "not found" rather than misquoted
MIN_VERBATIM_CHARS = 12  # unquoted spans at least this long that match closely are treated as quotations
MIN_VERBATIM_COVERED = 10
VERBATIM_RATIO = 0.8
MAX_SWAP = 6  # longest swapped word (characters, punctuation included) flagged in unquoted text
EDGE = 6  # characters an unquoted span is stretched to reach the punctuation around it
SEGMENT_MARKS = "，,；;。！？!?、:：\n"
CANDIDATE_CHAINS = 8
MAX_CHANGES_LISTED = 3
ELLIPSIS = re.compile(r"…+|\.{3,}")


@dataclass(frozen=True)
class Located:
    """Where a span of the draft comes from: evidence for the reference check of the same sentence."""

    start: int
    end: int
    alignment: Alignment


@dataclass(frozen=True)
class Context:
    """What the quotation checks need about the draft."""

    text: str
    folded: str
    traditional: bool  # show clause text in Traditional (the draft's script) or Simplified
    corpus: Corpus
    index: TrigramIndex


def shown(text: str, traditional: bool) -> str:
    return text if traditional else to_simplified_display(text)


def quoted_enough(folded: str, start: int, end: int) -> bool:
    """Is the quotation long enough to be checked as quoted text (not a term such as “十四五”)?"""
    return len(keyed(folded, start, end).key) >= MIN_QUOTE_CHARS


def check_quotation(ctx: Context, start: int, end: int, prefer: tuple[str, ...],
                    attributed: bool) -> tuple[Finding | None, Located | None]:
    """The finding for the quotation ``text[start:end]`` (None for a short term) and where it comes from.
    ``attributed``: the sentence names a corpus document, so a quotation found nowhere is a warning."""
    k = keyed(ctx.folded, start, end)
    if len(k.key) < MIN_QUOTE_CHARS:
        return None, None
    al = _elided(ctx, start, end, prefer) or _best(ctx, k, ctx.index.chains(k.key), prefer, whole=True)
    if al is None or al.ratio < NEAR_MISS_RATIO:
        severity = "warning" if attributed else "info"
        return Finding("quote_mismatch", severity, "语料中没有找到这段引文，无法核对；如引自所列文件，请核对原文。",
                       start, end), None
    located = Located(start, end, al)
    return _verdict(ctx, k, al, start, end, quoted=True), located


def check_verbatim(ctx: Context, start: int, end: int, masked: tuple[tuple[int, int], ...],
                   prefer: tuple[str, ...]) -> list[tuple[Finding | None, Located]]:
    """Unquoted spans of the sentence ``text[start:end]`` that match a clause closely (``masked``: quotations,
    titles and references, which are checked on their own). The finding is None for a close paraphrase
    (words added or dropped), which still says where the sentence comes from."""
    k = keyed(ctx.folded, start, end, masked)
    taken: list[tuple[int, int]] = []
    out = []
    for chain in ctx.index.chains(k.key):
        if chain.covered < MIN_VERBATIM_COVERED:
            break
        if chain.b - chain.a < MIN_VERBATIM_CHARS or any(chain.a < b and a < chain.b for a, b in taken):
            continue
        found = _verbatim(ctx, k, chain, prefer)
        if found is None:
            continue
        edge = _verbatim(ctx, k, _to_segment_ends(ctx.text, k, chain, start, end), prefer)
        if edge is not None and edge[0] is not None and (edge[0].flagged or edge[1].alignment.exact):
            found = edge  # a word changed at the very end of the span (…规模五年倍增) shows only with its segment
        taken.append((chain.a, chain.b))
        out.append(found)
    return out


def _verbatim(ctx: Context, k: Keyed, chain: Chain, prefer: tuple[str, ...]) -> tuple[Finding | None, Located] | None:
    al = _best(ctx, k, [chain], prefer, whole=False)
    if al is None or al.ratio < VERBATIM_RATIO:
        return None
    s, e = k.pos[al.a], k.pos[al.b - 1] + 1
    finding = _verdict(ctx, k, al, s, e, quoted=False)
    if finding.flagged and not _changed_words_only(finding.diff):
        finding = None  # words added or left out of unquoted text: a paraphrase, not a misquotation
    return finding, Located(s, e, al)


def _to_segment_ends(text: str, k: Keyed, chain: Chain, start: int, end: int) -> Chain:
    """The chain stretched (by at most EDGE characters a side) to the punctuation around it."""
    left, right = k.pos[chain.a], k.pos[chain.b - 1] + 1
    lb = max((i + 1 for i in range(start, left) if text[i] in SEGMENT_MARKS), default=start)
    rb = next((i for i in range(right, end) if text[i] in SEGMENT_MARKS), end)
    a, b = k.index_at(lb), k.index_at(rb)
    a = a if chain.a - a <= EDGE and MASK not in k.key[a:chain.a] else chain.a
    b = b if b - chain.b <= EDGE and MASK not in k.key[chain.b:b] else chain.b
    return Chain(chain.row, a, b, max(0, chain.c - (chain.a - a)), chain.d + (b - chain.b), chain.covered)


def _changed_words_only(parts: tuple[DiffPart, ...]) -> bool:
    """Every difference is a short word swapped for another (配套服务能力 for 配套服务功能); a changed figure is
    left to the claim check, which names the clause's own figure."""
    changes = [p for p in parts if p.op != "equal"]
    return bool(changes) and all(p.op == "replace" and len(p.draft) <= MAX_SWAP and len(p.source) <= MAX_SWAP
                                 and not any(ch.isdigit() for ch in p.draft + p.source) for p in changes)


def _best(ctx: Context, k: Keyed, chains: list[Chain], prefer: tuple[str, ...], *, whole: bool) -> Alignment | None:
    """The closest alignment among the first chains; exact beats near, then the preferred documents."""
    best, best_rank = None, None
    for chain in chains[:CANDIDATE_CHAINS]:
        al = ctx.index.align(k.key, chain, whole=whole)
        doc = al.source.measure.doc
        rank = (al.ratio, -(prefer.index(doc) if doc in prefer else len(prefer)), -al.source.row)
        if best_rank is None or rank > best_rank:
            best, best_rank = al, rank
    return best


def _elided(ctx: Context, start: int, end: int, prefer: tuple[str, ...]) -> Alignment | None:
    """A quotation with omissions (……): every piece found exactly, in order, in one clause."""
    cuts = [(m.start(), m.end()) for m in ELLIPSIS.finditer(ctx.text, start, end)]
    if not cuts:
        return None
    bounds = [start, *[x for cut in cuts for x in cut], end]
    pieces = [keyed(ctx.folded, bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]
    pieces = [p for p in pieces if p.key]
    if not pieces:
        return None
    longest = max(pieces, key=lambda p: len(p.key))
    for chain in ctx.index.chains(longest.key)[:CANDIDATE_CHAINS]:
        src = ctx.index.sources[chain.row]
        at, first = 0, None
        for p in pieces:
            found = src.keyed.key.find(p.key, at)
            if found < 0:
                break
            first = found if first is None else first
            at = found + len(p.key)
        else:
            whole = keyed(ctx.folded, start, end)
            return Alignment(src, 0, len(whole.key), first, at, 1.0, True)
    return None


def _verdict(ctx: Context, k: Keyed, al: Alignment, start: int, end: int, *, quoted: bool) -> Finding:
    src = al.source
    cited = (Cited.of(src.measure, ctx.corpus.document(src.measure.doc)),)
    s, e = src.keyed.span(al.c, al.d)
    e = src.keyed.pos[al.d - 1] + 1 if al.d > al.c else s
    true_text = src.text[s:e]
    common = dict(citations=cited, source=true_text, source_simplified=to_simplified_display(true_text))
    where = shown(cited[0].citation, ctx.traditional)
    if al.exact:
        mixed = _script_mix(ctx.text, k, al)
        if mixed:
            return Finding("quote_mismatch", "warning", f"引文与{where}一致，但简繁混用（{mixed}），请统一字体。",
                           start, end, **common)
        message = f"引文与{where}原文一致。" if quoted else f"与{where}原文一致（未加引号）。"
        return Finding("quote_ok", "info", message, start, end, **common)
    parts = diff(ctx.text, k, al.a, al.b, src, al.c, al.d)
    changes = describe(parts, ctx.traditional)
    if quoted:
        message = f"引文与{where}原文不一致：{changes}。"
        return Finding("quote_mismatch", "error", message, start, end, diff=parts, **common)
    message = f"这段文字与{where}原文几乎相同但有出入：{changes}。如为引用，请按原文改正。"
    return Finding("quote_mismatch", "warning", message, start, end, diff=parts, **common)


def describe(parts: tuple[DiffPart, ...], traditional: bool) -> str:
    """The changes of a diff in words: 「A」原文作「B」；多出「C」；漏掉「D」."""
    changes = []
    for p in parts:
        if p.op == "replace":
            changes.append(f"「{p.draft}」原文作「{shown(p.source, traditional)}」")
        elif p.op == "extra":
            changes.append(f"原文没有「{p.draft}」")
        elif p.op == "missing":
            changes.append(f"漏掉了「{shown(p.source, traditional)}」")
    listed = "；".join(changes[:MAX_CHANGES_LISTED])
    return listed + (f"等 {len(changes)} 处" if len(changes) > MAX_CHANGES_LISTED else "")


def _script_mix(draft: str, k: Keyed, al: Alignment) -> str | None:
    """For a quotation equal to its Traditional source script-blind: the Simplified and Traditional characters
    it mixes (e.g. "实、践为简体，實、踐为繁体"), or None when it keeps to one script."""
    src = al.source
    if al.d - al.c != al.b - al.a:  # a quotation with omissions: pieces, not one run
        return None
    simp_used, trad_used = [], []
    for i in range(al.b - al.a):
        original = src.text[src.keyed.pos[al.c + i]]
        simplified = to_simplified(original)
        if original == simplified:
            continue
        ours = draft[k.pos[al.a + i]]
        if ours == original and ours not in trad_used:
            trad_used.append(ours)
        elif ours == simplified and ours not in simp_used:
            simp_used.append(ours)
    if not (simp_used and trad_used):
        return None
    return f"“{'、'.join(simp_used[:4])}”为简体，“{'、'.join(trad_used[:4])}”为繁体"
