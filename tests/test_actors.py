"""Actors read from sentences (由执委会会同…, 州数据资源主管部门应当…): the who-leads answer of a measure that marks
no responsible unit, and nothing more."""

from __future__ import annotations

import pytest

from askplan.answer import best_sentence, responsibility_for
from askplan.corpus.responsibility import ACTOR_PATTERNS, parse_actors, parse_responsibilities
from askplan.models import Measure
from askplan.normalize import normalize
from askplan.tokenize import bigrams


@pytest.mark.parametrize("pattern", ACTOR_PATTERNS, ids=[p.name for p in ACTOR_PATTERNS])
def test_actor_pattern_example_and_counter_example(pattern) -> None:
    assert pattern.regex.search(pattern.example) and parse_actors(pattern.example)
    assert parse_actors(pattern.counter) == ()


@pytest.mark.parametrize(("text", "lead", "co"), [
    ("由本级数据资源主管部门会同有关政务部门协调处理。", "本级数据资源主管部门", ("有关政务部门",)),
    ("州人民政府授权州数据资源主管部门负责统筹全州政务数据资源管理工作。", "州数据资源主管部门", ()),
    ("网信部门、保密部门和公安部门按照各自职责负责政务数据安全。", "网信部门", ("保密部门", "公安部门")),
    ("北京市经济和信息化局会同专区监管部门、数据提供部门和运营单位建立反馈机制。", "北京市经济和信息化局",
     ("专区监管部门", "数据提供部门", "运营单位")),
    ("由管委会集中行使本市有关行政审批权。", "管委会", ()),  # not 管委 of 管委会
    ("由市政府办公室负责。", "市政府办公室", ()),  # not 市政府 of 市政府办公室
    ("产业类科创项目原则上由企业牵头。", "企业", ()),
    ("登记机关对申请人提交的登记材料实行形式审查。", "登记机关", ()),
    ("市有关部门和相关区人民政府按照各自职责承担其他事务。", "市有关部门", ("相关区人民政府",)),
    # the levels a name applies to stay part of it (not 市 / 县（市 / 区）特种…)
    ("市、县（市、区）特种设备安全监督管理部门负责本辖区内的电梯安全监督管理工作。", "市、县(市、区)特种设备安全监督管理部门", ()),
    ("州、县（市）政务部门应当会同有关部门建立目录。", "州、县(市)政务部门", ("有关部门",)),
    # duties owed (负有, 确保) and parties that are no organisation (土壤污染责任人, 土地使用权人)
    ("土壤污染责任人负有实施风险管控和修复的义务。", "土壤污染责任人", ()),
    ("建设单位确保后续开发不破坏风险管控设施。", "建设单位", ()),
    ("未明确后期管理责任的，由原土地使用权人承担。", "原土地使用权人", ()),
    ("土壤污染责任人或土地使用权人应当实施后期管理。", "土壤污染责任人", ("土地使用权人",)),
    ("建设单位、电梯所有权人和电信业务经营者应当保障电梯井道的通讯信号覆盖。", "建设单位",
     ("电梯所有权人", "电信业务经营者")),
    ("各牵头考核单位对各部门承担的重点任务进行考核。", "各牵头考核单位", ()),  # a 牵头 that is part of a name
    # a short name given before the verb; 自由 inside a name is no 由
    ("相关行业主管部门和相关区政府（以下统称专区监管部门）负责监管。", "相关行业主管部门", ("相关区政府",)),
    ("中国（上海）自由贸易试验区临港新片区管理委员会（以下简称管委会）作为派出机构，负责落实改革任务。",
     "中国(上海)自由贸易试验区临港新片区管理委员会", ()),
    # 组织 after a government is its verb, not part of its name
    ("青浦区人民政府组织编制国民经济和社会发展规划纲要。", "青浦区人民政府", ()),
    # national bodies: a ministry, a bank, a general administration
    ("公安部负责维护粮食供应场所的治安秩序。", "公安部", ()),
    ("中国农业发展银行负责落实应急粮食所需贷款。", "中国农业发展银行", ()),
    ("海关总署负责进出口环节的监管。", "海关总署", ()),
    ("公安部门负责维护秩序。", "公安部门", ()),  # not 公安部 of 公安部门
])
def test_actor_forms(text, lead, co) -> None:
    (actor,) = parse_actors(text)
    assert (actor.lead, actor.co_units, actor.prose) == (lead, co, True)
    assert actor.text == text[actor.clause_span[0]:].rstrip("。")  # the actor's sentence from its name on


@pytest.mark.parametrize("text", [
    "由于相关部门配合不够，进展较慢。",  # 由于 is no 由
    "坚持自由贸易试验区管理委员会统一领导。",  # the 由 of 自由
    "（责任单位要加强协调）",  # a label is no actor
    "要充分发挥企业作用。",  # 企业 opening a clause is an object, not an actor
    "鼓励运营单位对反哺数据进行审核。",  # a verb of encouragement opens no name
    "支持龙头企业牵头组建创新联合体。",
    "企业主要负责人是安全生产第一责任人。",  # 负责人 is a person
    "市交通委局长负责协调。",  # 局长 is a person
    "政府引导、企业主体、社会参与。",
    "确保2025年前完成改造任务。",  # 确保 with no one before it
    "加快建设自由贸易试验区管理委员会大楼。",  # a verb opens no name, 自由 or not
    "一要促进东中西部协调发展。",  # 西部, 底部, 干部 … name no ministry
    "基层干部要深入群众。",
    "全体合伙人签署的决定书。",  # 签署 is no 总署
])
def test_no_actor(text) -> None:
    assert parse_actors(text) == ()


def _measure(text: str) -> Measure:
    return Measure(id="d/1", doc="d", key="1", label="第一条", title="", chapter=(), text=text, start=0,
                   end=len(text), line=1, norm=normalize(text), responsibilities=parse_responsibilities(text))


def test_who_leads_falls_back_to_the_actor_of_the_best_sentence() -> None:
    m = _measure("市规划资源部门负责编制规划。\n市生态环境部门应当会同执委会建立生态环境分区管控制度。")
    assert all(r.prose for r in m.responsibilities)  # 市规划资源部门负责 is read, but in prose
    sentence = best_sentence(m, set(bigrams(normalize("生态环境分区管控谁牵头"))))
    resp = responsibility_for(m, sentence)
    assert (resp.lead, resp.co_units) == ("市生态环境部门", ("执委会",))


def test_of_two_actors_in_one_sentence_the_one_whose_duty_matches_leads() -> None:
    m = _measure("北京市大数据工作推进小组负责总体指导和重大问题决策，北京市大数据工作推进小组办公室负责组织推进决策落实。")
    question = set(bigrams(normalize("重大问题决策归谁")))
    sentence = best_sentence(m, question)
    assert responsibility_for(m, sentence, question).lead == "北京市大数据工作推进小组"
    later = set(bigrams(normalize("决策落实由谁组织推进")))
    assert responsibility_for(m, best_sentence(m, later), later).lead == "北京市大数据工作推进小组办公室"


def test_an_article_lead_in_carries_its_items() -> None:
    m = _measure("管委会履行以下职责：\n（一）组织编制新片区发展规划；\n（二）统筹新片区产业布局。")
    sentence = best_sentence(m, set(bigrams(normalize("新片区产业布局谁统筹"))))
    assert responsibility_for(m, sentence).lead == "管委会"


def test_a_marked_clause_wins_over_prose() -> None:
    m = _measure("支持企业开展技术改造。（责任单位：省经济和信息化厅、省财政厅）")
    resp = responsibility_for(m, best_sentence(m, set(bigrams(normalize("技术改造谁牵头")))))
    assert resp.lead == "省经济和信息化厅" and not resp.prose
