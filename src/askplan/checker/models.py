"""Frozen records of a draft check: findings on spans of the draft, grouped by sentence, and the report."""

from __future__ import annotations

from dataclasses import dataclass

from askplan.models import Document, Measure
from askplan.normalize import to_simplified_display

KINDS = ("quote_ok", "quote_mismatch", "ref_ok", "ref_missing", "ref_mismatch", "claim_supported",
         "claim_unsupported")
SEVERITIES = ("info", "warning", "error")  # info: confirmed or not checkable; warning/error: flagged
FLAGGED = frozenset({"warning", "error"})
CONFIRMING = frozenset({"quote_ok", "ref_ok", "claim_supported"})
TONES = ("note", "ok", "warning", "error")  # for display: note = an info finding that confirms nothing
DIFF_OPS = ("equal", "replace", "extra", "missing")  # extra: only in the draft; missing: dropped from the source


@dataclass(frozen=True)
class Cited:
    """A clause a finding points to, with its paste-ready citation in both scripts."""

    id: str
    doc: str
    key: str
    citation: str
    citation_simplified: str

    @classmethod
    def of(cls, measure: Measure, document: Document) -> Cited:
        citation = document.citation(measure)
        return cls(measure.id, measure.doc, measure.key, citation, to_simplified_display(citation))


@dataclass(frozen=True)
class DiffPart:
    """One step of a character diff between the draft and the clause, in original characters (``source`` in
    the clause's script, ``source_simplified`` converted)."""

    op: str
    draft: str
    source: str
    source_simplified: str


@dataclass(frozen=True)
class Finding:
    kind: str
    severity: str
    message: str  # Chinese, for the user
    start: int  # [start, end) in the draft
    end: int
    citations: tuple[Cited, ...] = ()  # the clause confirmed, or the one that is right instead
    candidates: tuple[Cited, ...] = ()  # nearest clauses when none supports the text
    source: str | None = None  # the true clause text that was compared, original script
    source_simplified: str | None = None
    diff: tuple[DiffPart, ...] = ()

    @property
    def flagged(self) -> bool:
        return self.severity in FLAGGED

    @property
    def tone(self) -> str:
        """error / warning, ok (confirmed), or note (could not be checked)."""
        return self.severity if self.flagged else "ok" if self.kind in CONFIRMING else "note"


@dataclass(frozen=True)
class SentenceReport:
    index: int
    start: int  # [start, end) in the draft
    end: int
    text: str
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class CheckReport:
    text: str
    doc: str | None
    sentences: tuple[SentenceReport, ...]
    traditional: bool = False  # the draft is in Traditional script (clause text is shown in it)
    scope: tuple[str, ...] = ()  # the documents the draft cites, which alone were compared (empty: all of them)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for s in self.sentences for f in s.findings)

    def count(self, tone: str) -> int:
        """How many findings have this tone (error, warning, ok, note)."""
        return sum(f.tone == tone for f in self.findings)

    @property
    def citations(self) -> tuple[Cited, ...]:
        """Clauses to paste, in order of first mention: those confirmed and those that are right instead
        (never the mere candidates of an unsupported claim)."""
        seen: dict[str, Cited] = {}
        for f in self.findings:
            for c in f.citations:
                seen.setdefault(c.id, c)
        return tuple(seen.values())
