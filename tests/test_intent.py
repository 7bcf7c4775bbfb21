from __future__ import annotations

import pytest

from askplan.intent import ASK_CUES, Asked, asked_of, read_intent
from askplan.normalize import normalize


@pytest.mark.parametrize(("question", "number"), [
    ("（二十五）讲什么", 25), ("(25)", 25), ("第二十五条", 25), ("第25条", 25), ("措施二十五", 25),
    ("二十五条讲什么", 25), ("方案第十条是什么", 10), ("（三十六）", 36),
    ("十四五规划", None), ("2025年城镇化率目标是多少", None), ("第一章讲什么", None), ("两高项目", None),
    ("扩区升级的责任单位有哪些，排第一的是谁", None), ("第一时间报告", None), ("第五航权在纲要里怎么提的", None), ("方案第25是什么", 25),
])
def test_clause_numbers(question, number):
    assert read_intent(normalize(question)).clause_number == number


@pytest.mark.parametrize("question", ["谁牵头碳达峰工作?", "能耗双控谁负责", "哪个部门负责皖北振兴",
                                      "由谁来抓海外仓建设", "责任单位是哪些", "誰負責皖北振興", "碳达峰的牵头单位"])
def test_who_leads(question):
    intent = read_intent(normalize(question))
    assert intent.who_leads
    assert "谁" not in intent.topic and "部门" not in intent.topic


def test_topic_keeps_content_words():
    assert read_intent(normalize("谁牵头碳达峰工作?")).topic == "碳达峰工作"
    assert not read_intent(normalize("皖北振兴是哪一条?")).who_leads


def test_recipients_of_a_notice_are_not_who_leads():
    assert not read_intent(normalize("这个行动方案是哪天印发的？发给了哪些单位")).who_leads
    assert read_intent(normalize("碳达峰由哪些单位负责")).who_leads


@pytest.mark.parametrize(("question", "part"), [
    ("报告第三部分第五项讲的啥", (3, 5)),
    ("福建政府工作报告第二部分（一）讲什么", (2, 1)),
    ("林业意见第（二）部分第2项说了什么", (2, 2)),
    ("第四部分里的第三条是什么", (4, 3)),
    ("报告第三部分里头（七）那一块讲的啥", (3, 7)),
])
def test_an_item_under_a_numbered_part(question, part):
    intent = read_intent(normalize(question))
    assert intent.part == part
    assert intent.clause_number is None
    assert "部分" not in intent.topic


@pytest.mark.parametrize("question", ["附件第二部分第9条说的是啥", "附件2第二部分第4点说的啥", "第三部分讲什么",
                                      "第二十五条讲什么", "第五章第二节"])
def test_no_part_path(question):
    assert read_intent(normalize(question)).part is None


@pytest.mark.parametrize("cue", ASK_CUES, ids=[c.name for c in ASK_CUES])
def test_ask_cues_are_data_with_examples(cue) -> None:
    for example in cue.examples:
        assert cue.pattern.search(normalize(example)), example
    for counter in cue.counter_examples:
        assert not cue.pattern.search(normalize(counter)), counter


def test_asked_reads_the_clause_with_the_question_word() -> None:
    asked = asked_of(normalize("公司自有几辆危化品运输车，条例对常压罐体清洗有要求，这块由谁来监督检查？"))
    assert "监督" in asked.focus and "罐体" not in asked.focus and not asked.recipient
    assert asked_of(normalize("公司有防汛任务，定下来之后报给谁备案？")).recipient
    assert asked_of(normalize("碳达峰")) == Asked()
