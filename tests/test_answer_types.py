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
])
def test_refuses_only_without_evidence(question, with_evidence, without):
    q = normalize(question)
    assert refusing_type(q, normalize(with_evidence)) is None
    assert refusing_type(q, normalize(without)) is not None


def test_a_topic_question_is_never_refused_by_type():
    assert refusing_type(normalize("谁牵头碳达峰工作"), "推进碳达峰") is None


def _judge(texts: list[str]):
    from askplan.answerability.judge import Answerability
    from askplan.models import Measure

    measures = tuple(Measure(id=f"d/{i}", doc="d", key=str(i), label="", title="", chapter=(), text=t, start=0,
                             end=len(t), line=1, norm=normalize(t)) for i, t in enumerate(texts))
    return Answerability(measures, None), measures


FILLER = ["推进产业园区建设。", "加强人才队伍建设。", "完善公共服务体系。", "优化营商环境。"]


@pytest.mark.parametrize(("question", "clause", "refused"), [
    # the only figure is about something else than what the question asks a figure of
    ("皖北振兴安排了多少专项资金", "推进皖北振兴，承接产业转移。到2025年建成10个产业园区。", True),
    # the figure shares a sentence with the question's rarest word the clause holds
    ("皖北振兴承接产业转移要建多少个园区", "推进皖北振兴，承接产业转移。到2025年建成10个产业园区。", False),
    # no asking for a type: nothing to anchor
    ("皖北振兴怎么推进", "推进皖北振兴，承接产业转移。", False),
])
def test_evidence_must_share_a_sentence_with_the_questions_rare_words(question, clause, refused):
    judge, measures = _judge([clause, *FILLER])
    kind = judge.unanchored_type(normalize(question), measures[0].norm)
    assert bool(kind) is refused
    verdict = judge.judge(normalize(question), normalize(question), measures[0], None, 0, {})
    assert verdict.answered is not refused and (verdict.check.endswith("-anchor") or not refused)
