"""Long measures are embedded as several passages; every passage cites its measure (row of the measures file)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from askplan.models import Measure
from askplan.normalize import normalize

MAX_PASSAGE_CHARS = 60
_SENTENCE_END = re.compile(r"(?<=[。；;！？!?\n])")


@dataclass(frozen=True)
class Passage:
    measure_row: int
    start: int  # offsets into Measure.text
    end: int
    text: str  # normalised, with the measure's title and chapter as context


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, whitespace trimmed, in order."""
    spans, pos = [], 0
    for piece in _SENTENCE_END.split(text):
        start, end = pos, pos + len(piece)
        pos = end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def passages_for(row: int, measure: Measure) -> list[Passage]:
    context = normalize(" ".join((*measure.chapter[-1:], measure.title)))
    windows: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    for start, end in sentence_spans(measure.text) or [(0, len(measure.text))]:
        if current and end - current[0] > MAX_PASSAGE_CHARS:
            windows.append(current)
            current = None
        current = (current[0], end) if current else (start, end)
    if current:
        windows.append(current)
    return [Passage(row, s, e, f"{context}。{normalize(measure.text[s:e])}") for s, e in windows]
