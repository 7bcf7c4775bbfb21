"""The draft checker: each sentence of a draft checked against the corpus — quotations (exact, near-miss with a
character diff, Traditional/Simplified mixed), clause references (the clause exists in the named document and
fits the sentence) and claims (figures, target years and lead units stated by a clause). Stages: ``text``
(folding on original offsets, sentences, quotations) -> ``match`` (trigram search, alignment, diff) ->
``quotes`` / ``refs`` / ``claims`` -> ``verdicts`` -> ``core.DraftChecker`` -> ``report`` (JSON, text) and
``evaluate`` (precision and recall on eval/drafts)."""

from __future__ import annotations

from askplan.checker.core import MAX_DRAFT_CHARS, BadDraft, DraftChecker, check_draft, validate_draft
from askplan.checker.models import CheckReport, Cited, DiffPart, Finding, SentenceReport

__all__ = ["MAX_DRAFT_CHARS", "BadDraft", "CheckReport", "Cited", "DiffPart", "DraftChecker", "Finding",
           "SentenceReport", "check_draft", "validate_draft"]
