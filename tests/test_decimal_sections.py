"""A decimal section named in a question (6.4.2那一段, 第3.2节): an 应急预案's or a 标准's numbering, keyed by the
printed numbers, is looked up like a clause number; a heading with no text of its own gives its first item."""

from __future__ import annotations

import pytest

from askplan.config import Settings
from askplan.corpus import load_corpus
from askplan.intent import read_intent
from askplan.normalize import normalize

PLAN = """---
title: 某市粮食应急预案
issuer: 某市人民政府办公室
date: 2020-01-01
script: simplified
source: synthetic test fixture written for askplan's tests
---
某市人民政府办公室关于印发某市粮食应急预案的通知
各区人民政府：《预案》已经市政府同意，现印发给你们。
1　总则
1.1　编制目的
为了有效监测和控制粮食市场，保证粮食供求总量基本平衡。
1.2　等级划分
1.2.1　市级：两个以上区出现粮食应急状态。
1.2.2　区级：在一个区出现粮食应急状态。
2　组织机构
2.1　指挥部
指挥部职责：
（1）掌握粮食市场形势，提出启动应急措施的建议。
（2）督查和指导各区开展粮食应急工作。
"""


@pytest.mark.parametrize(("question", "number"), [
    ("粮食应急预案6.4.2那一段讲的是什么？", "6.4.2"),
    ("4.2.1讲什么", "4.2.1"),
    ("第3.2节是什么内容", "3.2"),
    ("预案3.2那一条说了啥", "3.2"),
    # counter-examples: amounts, shares and versions are no sections
    ("投资3.5亿元用在哪", None),
    ("粮食产量增长2.5%是哪一条", None),
    ("1.5万元补贴谁发", None),
])
def test_decimal_references(question, number):
    intent = read_intent(normalize(question))
    assert intent.decimal == number
    if number:
        assert intent.clause_number is None and number not in intent.topic


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    from askplan.service import AskplanService

    corpus_dir = tmp_path_factory.mktemp("decimal-corpus")
    (corpus_dir / "city-grain-emergency-plan-2020.txt").write_text(PLAN, encoding="utf-8")
    settings = Settings(corpus_dir=corpus_dir, index_dir=tmp_path_factory.mktemp("decimal-index"),
                        model="hash-bigram-64")
    svc = AskplanService(settings, corpus=load_corpus(corpus_dir))
    svc.build()
    return svc


@pytest.mark.parametrize(("question", "key"), [
    ("1.2.2讲的是什么", "1.2.2"),  # a section with text of its own
    ("预案1.2那一段说什么", "1.2.1"),  # a heading over items: its first item
    ("2.1这一节讲什么", "2.1.0"),  # a heading with a lead-in of its own
])
def test_a_decimal_section_is_looked_up(service, question, key):
    assert [m.key for m in service.corpus.measures] == ["0", "1.1", "1.2.1", "1.2.2", "2.1.0", "2.1.1", "2.1.2"]
    answer = service.ask(question)
    assert answer.kind == "clause" and answer.top.measure.key == key
