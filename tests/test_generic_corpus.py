"""The whole service on a corpus with no Anhui text, no primary document and no corpus config: asking,
clause lookup, who-leads, the department view, the draft checker and links all work (STYLE.md 13)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from askplan.config import Settings
from askplan.corpus import load_corpus
from conftest import REPO

FIXTURES = REPO / "tests" / "fixtures"


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    from askplan.service import AskplanService

    settings = Settings(corpus_dir=FIXTURES, index_dir=tmp_path_factory.mktemp("generic"), model="hash-bigram-64")
    svc = AskplanService(settings, corpus=load_corpus(FIXTURES))
    svc.build()
    return svc


def test_no_anhui_and_no_config(service):
    assert service.primary is None and service.corpus.config.links is None
    assert not any("安徽" in d.title for d in service.corpus.documents)


def test_topic_question(service):
    answer = service.ask("农村厕所革命怎么推进")
    assert answer.top.measure.doc == "county-rural-revitalization-2021"


def test_who_leads_takes_the_responsibility_clause(service):
    answer = service.ask("实际使用外资增长由谁牵头考核")
    assert answer.kind == "lead" and answer.top.responsibility.lead == "市商务局"


def test_article_number_finds_the_article(service):
    answer = service.ask("第二条讲什么")
    assert answer.kind == "clause" and answer.top.measure.label == "第二条"


def test_named_document_by_its_kind_word(service):
    hit = service.names.named_in("办法里数字经济怎么促进")
    assert hit is not None and hit.slug == "province-digital-economy-order-2022"


def test_department_view(service):
    dept = service.departments.resolve("市商务局")
    assert [d.measure.doc for d in dept.duties] == ["city-assessment-list-2023"]


def test_draft_checker_without_a_primary_document(service):
    from askplan.checker import DraftChecker

    report = DraftChecker(service).check("要推进农村厕所革命和生活垃圾分类治理。")
    assert report.sentences


def test_links_are_empty_without_a_links_pair(service):
    assert service.links().links == ()


def test_web_pages_and_api(service):
    from askplan.web import create_app

    client = TestClient(create_app(service=service, build_if_missing=False))
    assert client.get("/", params={"q": "厕所革命"}).status_code == 200
    assert client.get("/api/ask", params={"q": "第二条讲什么"}).json()["hits"][0]["label"] == "第二条"
    assert client.get("/check").status_code == 200


def test_home_page_examples_come_from_the_corpus(service):
    from askplan.web.routes_pages import examples_for

    examples = examples_for(service.corpus)
    assert examples and all("碳达峰" not in e for e in examples)
    assert any(e.endswith("谁牵头？") for e in examples)
