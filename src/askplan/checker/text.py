"""Draft text on original offsets: script-blind folding that keeps one character per character, content keys
(letters, digits and %) that remember where each character stood, sentences and quotations."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from askplan.normalize import to_simplified, to_traditional

SENTENCE_ENDS = "。！？!?"
# Opening mark -> closing mark; the outermost pair delimits a quotation, inner pairs are part of it.
QUOTE_MARKS = {"「": "」", "“": "”", "『": "』", '"': '"'}
TITLE = re.compile(r"《([^《》\n]{1,120})》")
MASK = "\0"  # stands in a key for characters that must not match (quotations, titles, references)


def fold_aligned(text: str) -> str:
    """``text`` folded like ``askplan.normalize.normalize`` (Simplified, NFKC, lower case) but one character
    per character, so offsets into the folded text are offsets into ``text``."""
    simplified = to_simplified(text)
    if len(simplified) != len(text):  # a phrase conversion changed the length: convert character by character
        simplified = "".join(c if len(c := to_simplified(ch)) == 1 else ch for ch in text)
    out = []
    for ch in simplified:
        folded = unicodedata.normalize("NFKC", ch).lower()
        out.append(folded if len(folded) == 1 else ch)
    return "".join(out)


@dataclass(frozen=True)
class Keyed:
    """The content characters of a folded text (punctuation and spaces dropped) and, for each, its offset in
    the original text: ``pos[i]`` is where ``key[i]`` stands."""

    key: str
    pos: tuple[int, ...]
    end: int  # offset just after the keyed region

    def bound(self, i: int) -> int:
        """Original offset where key position ``i`` starts (``end`` past the last)."""
        return self.pos[i] if i < len(self.pos) else self.end

    def span(self, i: int, j: int) -> tuple[int, int]:
        """Original [start, end) of key range [i, j): punctuation after a character belongs to it."""
        return self.bound(i), self.bound(j)

    def index_at(self, offset: int) -> int:
        """The first key position at or after original ``offset``."""
        lo, hi = 0, len(self.pos)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.pos[mid] < offset:
                lo = mid + 1
            else:
                hi = mid
        return lo


def is_content(ch: str, previous: str) -> bool:
    return ch.isalnum() or (ch in "%.‰" and previous.isdigit())


def keyed(folded: str, start: int = 0, end: int | None = None, masked: tuple[tuple[int, int], ...] = ()) -> Keyed:
    """The key of ``folded[start:end]``; characters inside ``masked`` spans become ``MASK``."""
    end = len(folded) if end is None else end
    chars, pos = [], []
    previous = ""
    for i in range(start, end):
        ch = folded[i]
        if is_content(ch, previous):
            chars.append(MASK if any(a <= i < b for a, b in masked) else ch)
            pos.append(i)
        previous = ch
    return Keyed("".join(chars), tuple(pos), end)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence: cut after 。！？ (and after a quotation closing right after one, or a
    parenthesis right after one: …供给。（省商务厅牵头）) and at line breaks, never inside a quotation;
    whitespace trimmed, sentences without a letter or digit dropped."""
    spans, start, stack, i = [], 0, [], 0
    while i < len(text):
        ch, cut = text[i], None
        if ch == "\n":
            cut, stack = i, []
        elif stack and ch in stack:
            while stack.pop() != ch:
                pass
            if not stack and i > 0 and text[i - 1] in SENTENCE_ENDS:
                cut = i + 1
        elif ch in QUOTE_MARKS:
            stack.append(QUOTE_MARKS[ch])
        elif ch in SENTENCE_ENDS and not stack:
            cut = _after_aside(text, i + 1)
        if cut is not None:
            spans.append((start, cut))
            start = cut + 1 if ch == "\n" else cut
            i = max(i, cut - 1)
        i += 1
    spans.append((start, len(text)))
    return [s for s in (_trim(text, a, b) for a, b in spans) if s and any(c.isalnum() for c in text[s[0]:s[1]])]


def _after_aside(text: str, at: int, longest: int = 160) -> int:
    """Where a sentence ending at ``at`` really ends: after a parenthesis that follows it on the same line."""
    if at >= len(text) or text[at] not in "（(":
        return at
    close = next((j for j in range(at + 1, min(len(text), at + longest)) if text[j] in "）)\n"), None)
    return close + 1 if close is not None and text[close] != "\n" else at


def _trim(text: str, a: int, b: int) -> tuple[int, int] | None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return (a, b) if b > a else None


def quotations(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """[start, end) of the inside of each outermost quotation in ``text[start:end]``; unclosed ones are
    ignored."""
    end = len(text) if end is None else end
    spans, stack, opened = [], [], 0
    for i in range(start, end):
        ch = text[i]
        if stack and ch in stack:
            while stack.pop() != ch:
                pass
            if not stack:
                spans.append((opened, i))
        elif ch in QUOTE_MARKS:
            if not stack:
                opened = i + 1
            stack.append(QUOTE_MARKS[ch])
    return spans


def titles(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """[start, end) of each 《title》, brackets included."""
    end = len(text) if end is None else end
    return [(m.start(), m.end()) for m in TITLE.finditer(text, start, end)]


def is_traditional(text: str) -> bool:
    """Is the draft written in Traditional script (more characters that Simplified would change than the
    other way round)?"""
    hanzi = "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff")
    if not hanzi:
        return False
    simp, trad = to_simplified(hanzi), to_traditional(hanzi)
    traditional = sum(a != b for a, b in zip(hanzi, simp, strict=False))
    simplified = sum(a != b for a, b in zip(hanzi, trad, strict=False))
    return traditional > simplified
