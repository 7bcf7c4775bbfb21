"""Follow-ups without a language model: the intent table's examples and counter-examples (STYLE rule 14), the
replies built from a clause, the suggestions, and the service answering from the previous clause."""

from __future__ import annotations

import pytest

from askplan.followup import FOLLOW_UP_INTENTS, follow_up_intent, follow_up_reply, suggestions

PLAN = "anhui-yrd-14fyp-action-plan-2021"
ROWS = [(i.name, e) for i in FOLLOW_UP_INTENTS for e in i.examples]
COUNTER = [(i.name, e) for i in FOLLOW_UP_INTENTS for e in i.counter_examples]


def test_every_intent_has_examples_and_counter_examples():
    assert all(i.examples and i.counter_examples for i in FOLLOW_UP_INTENTS)
    assert len({i.name for i in FOLLOW_UP_INTENTS}) == len(FOLLOW_UP_INTENTS)


@pytest.mark.parametrize(("name", "question"), ROWS)
def test_examples_are_follow_ups_of_their_intent(name, question):
    intent = follow_up_intent(question)
    assert intent is not None and intent.name == name


@pytest.mark.parametrize(("name", "question"), COUNTER)
def test_counter_examples_are_new_questions(name, question):
    assert follow_up_intent(question) is None


def test_replies_come_from_the_clause(corpus):
    carbon, loop = corpus.measure(f"{PLAN}/25"), corpus.measure(f"{PLAN}/4")
    assert follow_up_reply("co_units", loop).startswith("配合单位：省商務廳、")
    assert follow_up_reply("co_units", loop).endswith("（牵头：省發展改革委）")
    # two clauses, one unit each: two leads and no co-unit, said so
    assert follow_up_reply("co_units", carbon).endswith("省節能減排及應對氣候變化工作領導小組成員單位，没有配合单位")
    assert follow_up_reply("lead", carbon).startswith("牵头单位：省碳達峰碳中和工作領導小組成員單位")
    goals = corpus.measure(f"{PLAN}/2")
    assert "2025年" in follow_up_reply("deadline", goals)
    assert follow_up_reply("text", carbon).startswith("（二十五）推進碳達峰碳中和：實施碳達峰行動")
    assert follow_up_reply("basis", carbon).endswith("没有找到对应的上位规划条款")
    assert follow_up_reply("basis", carbon, ("《纲要》第五章第二节",)) == "上位规划依据：《纲要》第五章第二节"


def test_suggestions_are_built_from_what_the_clause_holds(corpus):
    asks = suggestions(corpus.measure(f"{PLAN}/4"), has_basis=True)
    assert 2 <= len(asks) <= 4
    assert asks[:3] == ("那配合单位有哪些？", "这条的上位规划依据是什么？", "省发展改革委还牵头哪些工作？")
    assert "那配合单位有哪些？" not in suggestions(corpus.measure(f"{PLAN}/25"), has_basis=True)
    # each suggestion that refers back is read as a follow-up; the department one is a new question
    assert all((follow_up_intent(q) is None) == q.endswith("还牵头哪些工作？") for q in asks)
    bare = next(m for m in corpus.measures if not m.responsibilities and "年" not in m.text)
    assert suggestions(bare, has_basis=False) == ("这条的原文是什么？", "下一条是什么？")


def test_service_answers_follow_ups_from_the_previous_clause(hash_service):
    previous = f"{PLAN}/25"
    co = hash_service.ask("那配合单位有哪些？", context=previous)
    assert co.kind == "followup" and co.follow_up == "co_units" and co.top.measure.id == previous
    nxt = hash_service.ask("下一条是什么？", context=previous)
    assert nxt.top.measure.id == f"{PLAN}/26" and nxt.reply.startswith("下一条是（二十六）")
    prev = hash_service.ask("那上一条呢？", context=previous)
    assert prev.top.measure.id == f"{PLAN}/24"
    dept = hash_service.ask("牵头单位还负责哪些工作？", context=previous)
    assert dept.kind == "department" and dept.follow_up == "same_department"
    text = hash_service.ask("原文呢？", context=previous)
    assert text.follow_up == "text" and "实施碳达峰行动" in text.reply.replace("實施碳達峰行動", "实施碳达峰行动")
    fresh = hash_service.ask("那配合单位有哪些？")  # no context: a new question
    assert fresh.kind != "followup"
    assert hash_service.ask("谁牵头碳达峰工作？", context=previous).kind == "lead"
