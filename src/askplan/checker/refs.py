"""Clause references in a draft — 《…行动方案》（二十五）, 第二十五条, 方案第25条, 措施二十五, 纲要第五章第二节 —
and the document each names: the 《title》 before it (matched script-blind and loosely against the corpus
titles), a kind word right before it (方案, 纲要, 条例 …), or the default document."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from askplan.checker.text import fold_aligned, keyed
from askplan.corpus import Corpus
from askplan.intent import SECTION_REF
from askplan.models import Document, Measure
from askplan.numerals import NUMERAL_RUN, parse_cn_numeral

_NUM = NUMERAL_RUN


@dataclass(frozen=True)
class RefPattern:
    name: str
    regex: re.Pattern[str]
    example: str


# Ordered: a later pattern never matches inside an earlier one's match. Applied to folded text (Simplified,
# half-width), so （二十五） is (二十五) and 條 is 条.
REF_PATTERNS: tuple[RefPattern, ...] = (
    RefPattern("section", SECTION_REF, "纲要第五章第二节"),  # the one pattern questions use too
    RefPattern("ordinal_paren", re.compile(rf"第\s*\(\s*({_NUM})\s*\)\s*(?:条|项)"), "第（二十五）条"),
    RefPattern("ordinal", re.compile(rf"第\s*({_NUM})\s*(?:条|项|款)"), "第二十五条 / 方案第25条"),
    RefPattern("measure", re.compile(rf"措施\s*({_NUM})"), "措施二十五"),
    RefPattern("paren", re.compile(rf"\(\s*({_NUM})\s*\)"), "（二十五）"),
)
KIND_WORDS = ("行动方案", "方案", "规划纲要", "纲要", "条例", "实施意见", "意见", "政府工作报告", "工作报告",
              "行动计划")
LIST_MARKER_BEFORE = ":;："  # （一） after these (or at the start of a sentence) numbers the draft's own list
# Words that name a document anywhere in a sentence (纲要提出…): claims there are checked against it first.
MENTION_WORDS = ("行动方案", "规划纲要", "纲要", "条例", "实施意见", "政府工作报告", "工作报告")
MIN_TITLE_COVERAGE = 0.75
TITLE_LOOKAHEAD = 30


@dataclass(frozen=True)
class Reference:
    start: int  # [start, end) in the draft
    end: int
    pattern: str
    number: int | None  # the clause number, or None for a chapter/section reference
    section: tuple[int, int] | None  # 第五章第二节 -> (5, 2); 第五章 -> (5, 0)
    title: str | None  # the 《title》 or kind word that names the document, as written
    doc: Document | None  # None: the title names no document of the corpus
    after: str  # folded text right after the reference, to compare with the clause's heading


def find_references(text: str, folded: str, start: int, end: int, corpus: Corpus, default: Document | None,
                    titles: list[tuple[int, int]]) -> list[Reference]:
    """The clause references of the sentence ``text[start:end]`` in reading order."""
    found: list[tuple[int, int, RefPattern, re.Match[str]]] = []
    for pattern in REF_PATTERNS:
        for m in pattern.regex.finditer(folded, start, end):
            if any(m.start() < b and a < m.end() for a, b, _, _ in found) or _inside(m.start(), titles):
                continue
            found.append((m.start(), m.end(), pattern, m))
    refs = []
    for a, b, pattern, m in sorted(found, key=lambda f: f[0]):
        ref = _reference(text, folded, start, end, corpus, default, titles, a, b, pattern, m)
        if ref is not None:
            refs.append(ref)
    return refs


def _inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= offset < b for a, b in spans)


def _reference(text, folded, start, end, corpus, default, titles, a, b, pattern, m) -> Reference | None:
    try:
        first = parse_cn_numeral(m.group(1))
        second = parse_cn_numeral(m.group(2)) if pattern.name == "section" and m.group(2) else 0
    except ValueError:
        return None
    kind = _kind_word_before(folded, start, a)
    named = _title_before(text, titles, a)
    if not (kind or named) and _is_heading(folded, start, a, b, end, pattern.name, m.group(1)):
        return None
    title = kind or named
    doc = (match_title(corpus, title) if title else default)
    after = folded[b:min(end, b + TITLE_LOOKAHEAD)]
    if pattern.name == "section":
        return Reference(a, b, pattern.name, None, (first, second), title, doc, after)
    if not 0 < first < 1000:
        return None
    return Reference(a, b, pattern.name, first, None, title, doc, after)


def _is_heading(folded: str, start: int, at: int, after: int, end: int, pattern: str, number: str) -> bool:
    """Is the match the draft's own numbering rather than a reference? （一） starting a sentence or a list item
    (after ：or ；), (1) anywhere; 第一章 starting a sentence; 第九条 starting a sentence and followed by a space."""
    before = folded[start:at].rstrip()
    if pattern == "paren":
        return not before or before[-1] in LIST_MARKER_BEFORE or number.isascii()
    if pattern == "section":
        return not before
    return pattern == "ordinal" and not before and (after >= end or folded[after].isspace())


def _kind_word_before(folded: str, start: int, at: int) -> str | None:
    before = folded[max(start, at - 8):at].rstrip("的 ")
    return next((w for w in KIND_WORDS if before.endswith(w)), None)


def _title_before(text: str, titles: list[tuple[int, int]], at: int) -> str | None:
    before = [(a, b) for a, b in titles if b <= at]
    if not before:
        return None
    a, b = before[-1]
    return text[a + 1 : b - 1]


def docs_mentioned(folded: str, start: int, end: int, corpus: Corpus) -> list[Document]:
    """Documents a sentence names without a 《title》: 纲要提出…, 条例规定…"""
    text = folded[start:end]
    return [d for w in MENTION_WORDS if w in text and (d := match_title(corpus, w)) is not None]


def match_title(corpus: Corpus, title: str) -> Document | None:
    """The document a title names, script-blind and loosely: the one holding the largest share of the title's
    characters in order (runs of two or more), if that share is at least three quarters."""
    wanted = keyed(fold_aligned(title)).key
    if not wanted:
        return None
    best, best_score = None, (0.0, 0.0)
    for d in corpus.documents:
        have = keyed(fold_aligned(d.title)).key
        blocks = SequenceMatcher(None, wanted, have, autojunk=False).get_matching_blocks()
        matched = sum(blk.size for blk in blocks if blk.size >= 2 or len(wanted) == 1)
        score = (matched / len(wanted), matched / max(1, len(have)))
        if score > best_score:
            best, best_score = d, score
    return best if best_score[0] >= MIN_TITLE_COVERAGE else None


def clauses_for(doc: Document, ref: Reference) -> list[Measure]:
    """The measures a reference points to in ``doc`` (empty when there is no such clause)."""
    if ref.section:
        key = f"{ref.section[0]}.{ref.section[1]}"
        return [m for m in doc.measures if m.key == key]
    by_key = [m for m in doc.measures if m.key == str(ref.number)]
    return by_key or [m for m in doc.measures if label_number(m.label) == ref.number]


def label_number(label: str) -> int | None:
    core = re.sub(r"[\s()（）第条條章节節、.．]", "", label)
    try:
        return parse_cn_numeral(core) if core else None
    except ValueError:
        return None


def numbered_range(doc: Document) -> str | None:
    """How the document's numbered clauses run, e.g. （一）至（三十六）."""
    numbered = [m for m in doc.measures if m.key.isdigit() and m.key != "0" and m.label]
    if not numbered:
        return None
    return f"{numbered[0].display_label}至{numbered[-1].display_label}"


def heading_named(doc: Document, after: str) -> Measure | None:
    """The measure whose heading the text right after a reference repeats (（二十五）推进碳达峰碳中和), for
    documents whose clauses have headings of their own."""
    after_key = keyed(after).key
    best, best_len = None, 0
    for m in doc.measures:
        if not m.title or m.text.startswith(m.title[:8]):
            continue
        title_key = keyed(fold_aligned(m.title)).key
        if len(title_key) < 4 or len(after_key) < 4:
            continue
        head = after_key[: len(title_key)]
        close = head == title_key or len(title_key) >= 6 and SequenceMatcher(None, head, title_key).ratio() >= 0.8
        if close and len(title_key) > best_len:
            best, best_len = m, len(title_key)
    return best
