"""Corpus stage: files with front matter -> documents of measures with responsibility clauses."""

from __future__ import annotations

from askplan.corpus.loader import Corpus, Problem, check_corpus, load_corpus, load_document

__all__ = ["Corpus", "Problem", "check_corpus", "load_corpus", "load_document"]
