"""The draft cut into pieces for inline annotation: each piece is plain text (escaped by the template) with the
numbers of the findings covering it, the most severe of their tones, and the numbers of the findings that
end right after it (where a note marker goes)."""

from __future__ import annotations

from dataclasses import dataclass

from askplan.checker.models import TONES, CheckReport, Finding


@dataclass(frozen=True)
class Piece:
    text: str
    notes: tuple[int, ...]  # 1-based numbers of the findings covering this piece
    tone: str | None  # the most severe of their tones (note < ok < warning < error)
    title: str  # their messages, for a tooltip
    ends: tuple[int, ...]  # findings ending right after this piece


def numbered(report: CheckReport) -> list[tuple[int, Finding]]:
    return list(enumerate(report.findings, 1))


def pieces(report: CheckReport) -> list[Piece]:
    text, notes = report.text, numbered(report)
    cuts = sorted({0, len(text), *(f.start for _, f in notes), *(f.end for _, f in notes)})
    out = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        covering = [(n, f) for n, f in notes if f.start <= a and b <= f.end]
        tone = max((f.tone for _, f in covering), key=TONES.index, default=None)
        title = "\n".join(f"{n}. {f.message}" for n, f in covering)
        ends = tuple(n for n, f in notes if f.end == b)
        out.append(Piece(text[a:b], tuple(n for n, _ in covering), tone, title, ends))
    return out
