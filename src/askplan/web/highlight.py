"""Server-side highlighting: escape a measure's text, wrap the best sentence in ``<mark class="best">``, the
query's bigrams in ``<mark>`` and responsibility clauses in ``<span class="resp">``. Matching is script-blind
(each character is folded to Simplified before comparing) and works on original offsets, so the display
script can be either."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable

from markupsafe import Markup, escape

from askplan.intent import read_intent
from askplan.models import Measure
from askplan.normalize import normalize, to_simplified
from askplan.tokenize import bigrams

Convert = Callable[[str], str]


def identity(text: str) -> str:
    return text


def query_grams(question: str) -> set[str]:
    """The bigrams the service matched on: the normalised question's topic (cues such as 谁牵头 removed)."""
    norm = normalize(question)
    if not norm:
        return set()
    topic = read_intent(norm).topic or norm
    return {g for g in bigrams(topic) if len(g) >= 2}


def fold_aligned(text: str) -> str:
    """``text`` folded for matching (Simplified, half-width, lower-case), one character per character."""
    out = []
    for ch in display_aligned(text, to_simplified):
        folded = unicodedata.normalize("NFKC", ch).lower()
        out.append(folded if len(folded) == 1 else ch)
    return "".join(out)


def display_aligned(text: str, convert: Convert) -> str:
    """``convert(text)`` when it keeps the length (so offsets still hold), else a per-character conversion."""
    shown = convert(text)
    if len(shown) == len(text):
        return shown
    chars = [convert(ch) for ch in text]
    return "".join(c if len(c) == 1 else ch for c, ch in zip(chars, text, strict=True))


def match_mask(text: str, grams: Iterable[str]) -> list[bool]:
    """For each character of ``text``: is it part of an occurrence of one of ``grams``?"""
    folded = fold_aligned(text)
    mask = [False] * len(text)
    for gram in grams:
        start = folded.find(gram)
        while start >= 0:
            mask[start : start + len(gram)] = [True] * len(gram)
            start = folded.find(gram, start + 1)
    return mask


def resp_mask(measure: Measure) -> list[bool]:
    mask = [False] * len(measure.text)
    for r in measure.responsibilities:
        a, b = r.clause_span
        mask[a:b] = [True] * (b - a)
    return mask


def highlight(measure: Measure, grams: Iterable[str] = (), best: tuple[int, int] | None = None,
              convert: Convert = identity) -> Markup:
    """The measure's text as safe HTML with the marks described in the module docstring."""
    text = measure.text
    shown = display_aligned(text, convert)
    matched = match_mask(text, grams)
    resp = resp_mask(measure)
    cuts = [(0, len(text), False)]
    if best and 0 <= best[0] < best[1] <= len(text):
        cuts = [(0, best[0], False), (best[0], best[1], True), (best[1], len(text), False)]
    parts = []
    for start, end, is_best in cuts:
        if start >= end:
            continue
        inner = _runs(shown, matched, resp, start, end)
        parts.append(f'<mark class="best">{inner}</mark>' if is_best else inner)
    return Markup("".join(parts))


def _runs(shown: str, matched: list[bool], resp: list[bool], start: int, end: int) -> str:
    """Escaped runs of characters sharing the same (matched, responsibility) flags, each wrapped once."""
    out, i = [], start
    while i < end:
        flags = (matched[i], resp[i])
        j = i + 1
        while j < end and (matched[j], resp[j]) == flags:
            j += 1
        chunk = str(escape(shown[i:j]))
        if flags[0]:
            chunk = f"<mark>{chunk}</mark>"
        if flags[1]:
            chunk = f'<span class="resp">{chunk}</span>'
        out.append(chunk)
        i = j
    return "".join(out)
