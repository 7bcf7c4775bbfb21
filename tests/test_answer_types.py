"""Every answer-type row matches its examples and none of its counter-examples, and refuses only when the
clause lacks its evidence."""

from __future__ import annotations

import pytest

from askplan.answerability.types import ANSWER_TYPES, refusing_type
from askplan.normalize import normalize

ROWS = {t.name: t for t in ANSWER_TYPES}


@pytest.mark.parametrize(("name", "question"), [(t.name, q) for t in ANSWER_TYPES for q in t.examples])
def test_row_matches_its_examples(name, question):
    assert ROWS[name].asks.search(normalize(question)), (name, question)


@pytest.mark.parametrize(("name", "question"), [(t.name, q) for t in ANSWER_TYPES for q in t.counter_examples])
def test_row_leaves_its_counter_examples_alone(name, question):
    assert not ROWS[name].asks.search(normalize(question)), (name, question)


def test_every_row_has_examples_both_ways():
    assert all(t.examples and t.counter_examples and t.reason for t in ANSWER_TYPES)


@pytest.mark.parametrize(("question", "with_evidence", "without"), [
    ("企业上云能补贴多少钱", "按设备购置额的10%给予奖补,最高500万元。", "鼓励企业上云上平台。"),
    ("条例何时施行", "本条例自2024年5月1日起施行。", "本条例适用于示范区。"),
    ("领导小组组长是谁", "组长:省长 王清宪。", "成立领导小组,统筹推进。"),
    ("要建多少个充电桩", "新建充电桩2万个。", "加快充电设施建设。"),
    # a number of the unit asked for, not any number
    ("一年开展几次督查", "每年开展2次专项督查。", "每年开展专项督查,覆盖10个市。"),
    ("地铁几点收车", "运营时间为6时至23时。", "运营时间由运营单位确定,2025年起实施。"),
    ("要治理多少平方公里", "治理水土流失1200平方公里。", "治理水土流失面积达到30%。"),
])

def test_refuses_only_without_evidence(question, with_evidence, without):
    q = normalize(question)
    assert refusing_type(q, normalize(with_evidence)) is None
    assert refusing_type(q, normalize(without)) is not None


def test_every_unit_asked_for_has_its_evidence():
    for t in ANSWER_TYPES:
        if t.units is not None:
            assert "(?P<unit>" in t.asks.pattern and "{unit}" in t.evidence.pattern
            asked = t.asks.pattern.split("(?P<unit>")[1].split(")")[0].split("|")
            assert sorted(asked) == sorted(t.units), t.name


def test_a_topic_question_is_never_refused_by_type():
    assert refusing_type(normalize("谁牵头碳达峰工作"), "推进碳达峰") is None
