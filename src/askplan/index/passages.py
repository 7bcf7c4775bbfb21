"""Long measures are embedded as several passages; every passage cites its measure (row of the measures file)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from askplan.models import Measure
from askplan.normalize import normalize

MAX_PASSAGE_CHARS = 60
_SENTENCE_END = re.compile(r"(?<=[。；;！？!?\n])")


@dataclass(frozen=True, slots=True)
class Passage:
    measure_row: int
    start: int  # offsets into Measure.text
    end: int
    text: str  # normalised, with the measure's title and chapter as context


@dataclass(frozen=True, slots=True)
class Span:
    """A passage as a loaded index reads it back: where in which measure (its text is only needed to embed it)."""

    measure_row: int
    start: int
    end: int


class PassageTable:
    """A loaded index's passages as three int32 columns (measure row, start, end), ``passages.npy`` mapped from the
    store: one object per passage, each with its text, was most of a large index's load time and a third of its
    memory (bench/README.md). Row j is FAISS vector j; ``table[j]`` is that passage's ``Span``."""

    def __init__(self, columns: np.ndarray):
        if columns.ndim != 2 or columns.shape[1] != 3:
            raise ValueError(f"passage columns of shape {columns.shape}, not (n, 3)")
        self.columns = columns

    @classmethod
    def of(cls, passages) -> PassageTable:
        """The table of ``passages`` (``Passage`` or ``Span`` records)."""
        data = [(p.measure_row, p.start, p.end) for p in passages]
        return cls(np.asarray(data, dtype=np.int32).reshape(len(data), 3))

    @property
    def rows(self) -> np.ndarray:
        """Each passage's measure row."""
        return self.columns[:, 0]

    def __len__(self) -> int:
        return len(self.columns)

    def __getitem__(self, j: int) -> Span:
        row, start, end = self.columns[j].tolist()
        return Span(row, start, end)

    def __iter__(self):
        return (Span(*c) for c in self.columns.tolist())


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
