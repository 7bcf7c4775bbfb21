"""Where every line of a body went: into exactly one measure, or dropped as no text of the document (a table of
contents, a site banner). ``corpus check`` reports the share of body text that lands in measures and names any
line that lands nowhere: text in no measure can never be found."""

from __future__ import annotations

from dataclasses import dataclass

from askplan.corpus.layout import split_lines
from askplan.corpus.parser import ParsedBody


@dataclass(frozen=True)
class LineFate:
    line: int
    text: str
    measures: tuple[str, ...]  # ids of the measures holding the line: exactly one unless dropped
    dropped: str = ""  # why the line is no text of the document


@dataclass(frozen=True)
class Coverage:
    fates: tuple[LineFate, ...]

    @property
    def lost(self) -> tuple[LineFate, ...]:
        return tuple(f for f in self.fates if not f.measures and not f.dropped)

    @property
    def doubled(self) -> tuple[LineFate, ...]:
        return tuple(f for f in self.fates if len(f.measures) > 1)

    @property
    def share(self) -> float:
        """Characters of body text in some measure / characters of body text (dropped lines not counted)."""
        kept = [f for f in self.fates if not f.dropped]
        total = sum(len(f.text) for f in kept)
        return sum(len(f.text) for f in kept if f.measures) / total if total else 1.0


def body_coverage(source: str, body_offset: int, first_line: int, parsed: ParsedBody) -> Coverage:
    """One sweep over the lines and the measure spans, both in file order: a span that ends before a line starts
    holds no later line either, so each line is tested against the few spans still open (not against all)."""
    dropped = dict(parsed.dropped)
    spans = sorted((m.start, m.end, m.id) for m in parsed.measures)
    fates, open_spans, nxt = [], [], 0
    for line in split_lines(source[body_offset:], body_offset, first_line):
        while nxt < len(spans) and spans[nxt][0] <= line.start:
            open_spans.append(spans[nxt])
            nxt += 1
        open_spans = [s for s in open_spans if s[1] >= line.start]
        ids = {mid for _, end, mid in open_spans if line.end <= end}
        if line.start in parsed.carriers:
            ids.add(parsed.carriers[line.start])
        reason = dropped.get(line.number, "") if not ids else ""
        fates.append(LineFate(line.number, line.clean, tuple(sorted(ids)), reason))
    return Coverage(tuple(fates))
