"""The answerability scorer's word counts, kept under ASKPLAN_HOME/cache (answerability/features.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from askplan.answerability import features
from askplan.corpus import load_corpus

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def measures():
    return load_corpus(FIXTURES).measures


def test_counts_are_kept_per_fingerprint_and_counted_again_for_another(measures, tmp_path, monkeypatch):
    counted = features._count(measures)
    assert counted and all(n >= 1 for n in counted.values())
    assert features.document_frequencies(measures, tmp_path, fingerprint="a") == counted
    assert len(list(tmp_path.glob("word-df-*.json"))) == 1

    def refuse(_):
        raise AssertionError("counted again for an unchanged corpus")

    monkeypatch.setattr(features, "_count", refuse)
    assert features.document_frequencies(measures, tmp_path, fingerprint="a") == counted
    with pytest.raises(AssertionError, match="counted again"):
        features.document_frequencies(measures, tmp_path, fingerprint="b")


def test_without_a_fingerprint_the_texts_key_the_counts(measures, tmp_path, monkeypatch):
    features.document_frequencies(measures, tmp_path)
    features.document_frequencies(measures, tmp_path)
    assert len(list(tmp_path.glob("word-df-*.json"))) == 1
    features.document_frequencies(measures[1:], tmp_path)
    assert len(list(tmp_path.glob("word-df-*.json"))) == 2


def test_a_cache_that_cannot_be_written_only_costs_the_counting(measures, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert features.document_frequencies(measures, blocker, fingerprint="a") == features._count(measures)
