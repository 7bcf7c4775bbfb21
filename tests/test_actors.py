"""Actors read from sentences (由执委会会同…, 州数据资源主管部门应当…): the who-leads answer of a measure that marks
no responsible unit, and nothing more."""

from __future__ import annotations

from dataclasses import replace

import pytest

from askplan.answer import best_sentence, responsibility_for
from askplan.corpus.responsibility import (
    ACTOR_PATTERNS,
    head_name,
    named_units,
    parse_actors,
    parse_responsibilities,
    short_names,
    split_units,
)
from askplan.intent import asked_of
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
    ("平潭动车站：组织辖区铁路单位开展低温天气防范应对工作。", "平潭动车站", ()),  # a station that acts
    ("急救站应当按照市急救中心的指令出车。", "急救站", ()),
    ("市泗河管理机构具体负责河道工程的日常管理。", "市泗河管理机构", ()),  # an adverb before the duty
    # names opening a sentence, separated by commas, before their duty: the first leads
    ("沿河县（市、区）水行政主管部门，太白湖新区管委会相应管理机构，负责所辖河段的河道管理。",
     "沿河县(市、区)水行政主管部门", ("太白湖新区管委会相应管理机构",)),  # (folded as every unit is)
    ("由市政府办公室负责。", "市政府办公室", ()),  # not 市政府 of 市政府办公室
    # a list after 由 is read whole, not cut inside its first name (not 街道办 of 街道办事处)
    ("由所在地街道办事处、乡（镇）人民政府负责。", "所在地街道办事处", ("乡(镇)人民政府",)),
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
    # 按 (by what authority) and 不得/不予 open a duty too; 按 never stands inside a name
    ("国资委等行业主管部门按法定权限，对交易活动进行有效监督管理。", "国资委等行业主管部门", ()),
    ("交易服务费由公共资源交易服务中心按物价部门核定的标准收取。", "公共资源交易服务中心", ()),
    ("公共资源交易服务中心不得从事招标代理等中介服务。", "公共资源交易服务中心", ()),
    ("市不动产登记中心负责办理登记。", "市不动产登记中心", ()),  # 不 inside a name
    ("证监会应当加强监管。", "证监会", ()),  # 监会 ends a name
    ("各市（州）、县（市、区）人民政府要从本地实际出发，实行奖惩制度。", "各市(州)、县(市、区)人民政府", ()),
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
    "依托市级光伏分布式电站开展试点。",  # a verb of means opens no name
    "情节严重的，移交公安机关依法处理。",  # …nor one of handing over (the body after it is where the case goes)
    "在政府网站公开。",  # a website is no station
    "领导小组办公室设在国家发展改革委。",  # where an office sits is no duty
    "市交通运输主管部门是城市轨道交通行业主管部门，负责运营监管。",  # 是 ends a name: no list of two
])
def test_no_actor(text) -> None:
    assert parse_actors(text) == ()


def _measure(text: str, chapter: tuple[str, ...] = ()) -> Measure:
    return Measure(id="d/1", doc="d", key="1", label="第一条", title="", chapter=chapter, text=text, start=0,
                   end=len(text), line=1, responsibilities=parse_responsibilities(text))


def _who(m: Measure, question: str):
    """The unit the pipeline names for ``question`` on ``m``, as ``AskplanService._hit`` asks for it."""
    norm = normalize(question)
    grams = set(bigrams(norm))
    return responsibility_for(m, best_sentence(m, grams), grams, asked_of(norm))


def test_who_leads_falls_back_to_the_actor_of_the_best_sentence() -> None:
    m = _measure("市规划资源部门负责编制规划。\n市生态环境部门应当会同执委会建立生态环境分区管控制度。")
    assert all(r.prose for r in m.responsibilities)  # 市规划资源部门负责 is read, but in prose
    resp = _who(m, "生态环境分区管控谁牵头")
    assert (resp.lead, resp.co_units) == ("市生态环境部门", ("执委会",))
    assert _who(m, "规划由谁编制").lead == "市规划资源部门"


def test_of_two_actors_in_one_sentence_the_one_whose_duty_matches_leads() -> None:
    m = _measure("北京市大数据工作推进小组负责总体指导和重大问题决策，北京市大数据工作推进小组办公室负责组织推进决策落实。")
    assert _who(m, "重大问题决策归谁").lead == "北京市大数据工作推进小组"
    assert _who(m, "决策落实由谁组织推进").lead == "北京市大数据工作推进小组办公室"


def test_an_article_lead_in_carries_its_items() -> None:
    m = _measure("管委会履行以下职责：\n（一）组织编制新片区发展规划；\n（二）统筹新片区产业布局。")
    assert _who(m, "新片区产业布局谁统筹").lead == "管委会"


def test_without_a_question_the_first_actor_stands() -> None:
    m = _measure("市规划资源部门负责编制规划。\n市生态环境部门应当会同执委会建立生态环境分区管控制度。")
    assert responsibility_for(m, None).lead == "市规划资源部门"


# Who does what in prose (answer.prose_duty): the unit whose stated duty matches the question, among every
# organisation a sentence makes act. Texts from development documents (eval/later14, later10, later, later5).
@pytest.mark.parametrize(("text", "question", "lead"), [
    # items of one sentence, each with its own unit: the item that matches (渔船 ~ 渔业船舶 by its characters)
    ("交通运输主管部门、海事管理机构在各自职责范围内负责运输船舶大气污染防治的监督管理，渔业主管部门负责渔业船舶大气"
     "污染防治的监督管理。", "渔船的大气污染防治谁管", "渔业主管部门"),
    # a unit named inside its clause: what comes before it is its duty (日常工作由X承担)
    ("三防指挥部指挥长由本级人民政府负责人担任，成员单位由本级人民政府确定，日常工作由同级应急管理部门承担。",
     "三防指挥部日常工作由哪个部门承担", "同级应急管理部门"),
    # the asking clause weighs most: 由谁来监督检查, not the 所有者 the rest of the question describes
    ("危化品运输车辆的所有者或者经营者应当对常压罐体进行清洗作业并记录。生态环境主管部门和交通运输主管部门应当根据"
     "各自职责加强监督检查。", "公司自有几辆危化品运输车，条例对常压罐体清洗有要求，这块由谁来监督检查？", "生态环境主管部门"),
    # where a filing goes (报X备案), when that is what is asked
    ("有防汛任务的部门和单位应当明确防汛责任人，报本级三防指挥部备案，并向社会公布。",
     "公司有防汛任务，要明确防汛责任人，定下来之后报给谁备案？", "本级三防指挥部"),
    ("有防汛任务的部门和单位应当明确防汛责任人，报本级三防指挥部备案，并向社会公布。",
     "防汛责任人由谁来明确", "有防汛任务的部门和单位"),
    # the sentences after a subject that have none of their own are its duty too (海关总署要…。要…，会同…)
    ("海关总署要继续做好牵头工作，进一步优化区域布局。要加大统筹协调力度，会同有关部门建立完善促进综合保税区发展的部门"
     "协调机制。\n各省、自治区、直辖市人民政府作为综合保税区的申请设立和运行管理主体，促进综合保税区高质量发展。",
     "促进综保区发展的部门协调机制由谁牵头建立", "海关总署"),
    # …but not a sentence with a subject of its own (除国家另有规定外，州、县（市）政务部门不得…)
    ("州数据资源主管部门负责全州统一的电子政务外网的建设和运行管理。除国家另有规定外，州、县（市）政务部门不得新建"
     "数据中心。\n县（市）数据资源主管部门负责统筹本辖区电子政务外网的建设和运行管理。",
     "县（市）一级电子政务外网的建设和运行管理归谁统筹？", "县(市)数据资源主管部门"),
    # 由X牵头，组织…: the verb 组织 opens no name
    ("由国网龙岩供电公司牵头，组织各县(市、区)供电公司对辖区内的电力杆塔进行全面的摸底排查。",
     "电线杆谁牵头去排查", "国网龙岩供电公司"),
    # a sentence with no verb of duty after its unit: the unit after 由 / before 予以
    ("各牵头考核单位自身工作及考核分值由市政府办公室数字政府专班予以核实。", "考核分值由谁核实", "市政府办公室数字政府专班"),
    # a unit after a condition (…情节严重的，由X处理): the condition is its duty, not the previous actor's alone
    ("乘客无票乘车的，城市轨道交通经营单位可以补收票款；情节严重的，由公安机关依法处理。", "逃票情节严重的谁来处理",
     "公安机关"),
    ("乘客无票乘车的，城市轨道交通经营单位可以补收票款；情节严重的，由公安机关依法处理。", "无票乘车谁来补收票款",
     "城市轨道交通经营单位"),
    # a condition opening its sentence (经营者违反…，未…的，由X…) is X's duty; the party in it only breaks the rule
    ("餐饮服务经营者违反本规定，未设置“光盘行动”标识，未提示适量点餐、取餐的，由市场监督管理部门责令改正，给予警告。",
     "没贴光盘标志谁来罚", "市场监督管理部门"),
    # …but not a condition after a duty of the sentence's own (违反…的，进行劝阻和制止，情节严重的，由X处理)
    ("由城市轨道交通经营单位按照下列规定进行处罚：\n违反第四十七条规定的，进行劝阻和制止，情节严重的，由公安机关依法处理。",
     "违反第四十七条的谁来劝阻制止", "城市轨道交通经营单位"),
    # X是…主管部门，负责…: X acts
    ("市交通运输主管部门是城市轨道交通行业主管部门，负责城市轨道交通运营的监督管理工作；市自然资源和规划主管部门负责"
     "城市轨道交通规划的监督管理工作。", "地铁运营归哪个部门监督管理", "市交通运输主管部门"),
    # a list of short names ending in 等部门 is led by its first (not 人防等部门)
    ("市发展和改革、公安、财政、人防等部门，按照各自职责做好城市轨道交通的监督管理工作。", "轨道交通监督管理还有哪些部门参与",
     "市发展和改革"),
    # what the sentence says of a unit is no part of its name (预警范围内的…, …等单位)
    ("预警范围内的乡镇人民政府、街道办事处应当组织防灾避险。", "防灾避险谁来组织", "乡镇人民政府"),
    ("公安派出所等单位要及时提供相关人员信息。", "人员信息谁提供", "公安派出所"),
    # units labelling lines of their duties (区公安局：…), every sentence of the line theirs
    ("区气象局：加强监测预警预报，及时发布降温预警信息。及时提供气象服务。\n区公安局：维护灾区社会治安。视情况实施交通管制。",
     "交通管制谁负责", "区公安局"),
    ("区气象局：加强监测预警预报，及时发布降温预警信息。及时提供气象服务。\n区公安局：维护灾区社会治安。视情况实施交通管制。",
     "气象服务由谁提供", "区气象局"),
    # …or under a heading of their duties (2.2.2区减灾办职责)
    ("2.2.1区减灾委职责\n负责统筹、指挥全区防范应对工作。\n2.2.2区减灾办职责\n收集汇总灾情。\n对外发布有关信息。",
     "灾情信息谁对外发布", "区减灾办"),
    # a unit after 会同 joins the labelled unit's duty; it acts in none of its own
    ("区执法应急局：牵头组织应急救助工作，会同相关部门协调紧急转移受灾群众；负责全区地震应急避难场所的业务指导。",
     "地震应急避难场所的业务指导交给哪个部门", "区执法应急局"),
    # a name opening a sentence before its verb is the sentence's subject
    ("本市各级人民政府应当加强对反食品浪费工作的领导。\n发展改革部门整体部署反食品浪费工作。\n教育部门应当加强对学校开展反食品浪费工作的指导。",
     "反食品浪费工作由哪个部门整体部署", "发展改革部门"),
    # where a filing goes, asked: the unit it goes to, though the actor's part shares more words with the question
    ("停车场向社会提供停车服务并收取费用的，经营者应当自领取营业执照之日起十五日内向所在地的区城市管理行政主管部门备案。",
     "开停车场收费去哪备案", "区城市管理行政主管部门"),
    ("停车场向社会提供停车服务并收取费用的，经营者应当自领取营业执照之日起十五日内向所在地的区城市管理行政主管部门备案。",
     "停车场收费谁来备案", "经营者"),
    ("试点工作小组办公室设在国家医保局，具体负责组织开展试点。", "试点小组办公室设在哪个部门", "国家医保局"),
    # a verb of setting up before a name is no part of it; an office's 所 ends a name
    ("地方各级人民政府要切实加强组织领导，出台具体实施办法，建立市场监管部门牵头的联席会议制度，根据实际情况确定参与部门。",
     "地方上联席会议哪个部门牵头", "市场监管部门"),
    ("由上海市医药集中招标采购事务管理所承担联合采购办公室日常工作。", "联合采购办公室的日常工作由谁承担",
     "上海市医药集中招标采购事务管理所"),
    ("由物业所在地街道办事处协调相关行政主管部门联合执法。", "联合执法由谁协调", "街道办事处"),  # 所在地 qualifies
    # 由X in a clause of its own: the clause before it (the thing done) is its duty; levels joined by 和 are one name
    ("确因保护需要，无法按照相关标准设置的，由相关主管部门会同同级城乡规划主管部门制定专项措施予以解决。\n历史文化街区"
     "防火安全保障方案，由所在地市和县（市）区公安消防机构会同同级城乡规划主管部门制定。", "防火安全保障方案由谁来制定",
     "市和县(市)区公安消防机构"),
])
def test_prose_duty(text, question, lead) -> None:
    assert _who(_measure(text), question).lead == lead


def test_a_unit_labelling_a_line_performs_the_duties_it_takes_on() -> None:
    """履行X职责: the labelled unit does X's duties, so it, not X, answers for them; its duty, as given, runs on
    to the end of its line (or the next actor on it)."""
    text = ("平潭海事局：负责辖区内海上交通安全监督；履行海上搜救中心办公室职责，组织、协调和指挥海上搜救行动。\n"
            "区公安局：维护灾区社会治安；区交通局负责运力调度。")
    assert [n.name for n in named_units("履行海上搜救中心办公室职责，组织搜救。") if n.role == "actor"] == []
    who = _who(_measure(text), "海上搜救行动由哪个单位组织协调指挥")
    assert who.lead == "平潭海事局" and who.text.endswith("组织、协调和指挥海上搜救行动")
    spans = {r.lead: text[r.span[0]:r.span[1]] for r in parse_actors(text)}
    assert spans["区公安局"] == "区公安局：维护灾区社会治安" and spans["区交通局"] == "区交通局负责运力调度"


def test_a_marked_clause_wins_over_prose() -> None:
    m = _measure("支持企业开展技术改造。（责任单位：省经济和信息化厅、省财政厅）")
    resp = _who(m, "技术改造谁牵头")
    assert resp.lead == "省经济和信息化厅" and not resp.prose


@pytest.mark.parametrize(("text", "names"), [
    ("由市政府办公室数字政府专班予以核实。", [("市政府办公室数字政府专班", "actor")]),  # a name goes on into a close one
    ("会同有关部门建立完善促进综合保税区发展的部门协调机制。", [("有关部门", "")]),  # …but not over a clause
    ("报本级三防指挥部备案", [("本级三防指挥部", "recipient")]),
    ("向生态环境主管部门备案", [("生态环境主管部门", "recipient")]),
    ("市、县（区）人民政府负责组织。", [("市、县（区）人民政府", "actor")]),  # levels of government are no cut
    ("加强经济运行监测。", []),  # 经济 is no 经
    # longer level words too, and they do not count toward a name's length
    ("各省、自治区、直辖市人民政府负责组织实施。", [("各省、自治区、直辖市人民政府", "actor")]),
    ("由省、自治区、直辖市药品监督管理部门或者技术机构出具", [("省、自治区、直辖市药品监督管理部门或者技术机构", "actor")]),
    ("在机构所在地县级以上机构编制部门注册登记", [("县级以上机构编制部门", "")]),  # not 地县级…
    ("向所在地的县级以上卫生健康部门备案", [("县级以上卫生健康部门", "recipient")]),
    # 移交/移送/接受 never stand inside a name: what is handed over goes to the name after them
    ("情节严重的，移交公安机关依法处理。", [("公安机关", "actor")]),  # handed a case to deal with: its duty
    ("将有关材料移交档案管理部门。", [("档案管理部门", "recipient")]),  # handed papers only: where they go
    ("资金接受市财政、审计等部门的监督。", [("市财政、审计等部门", "")]),
    ("移出地和接受地的区生态环境主管部门", [("移出地和接受地的区生态环境主管部门", "")]),  # 接受地 is a place
    ("汛期，负责人和防汛责任人应当组织撤离。", [("负责人和防汛责任人", "actor")]),  # 负责人 is no 负责
    # what belongs to a body goes on its name (所属的), and 要 after a name opens its duty
    ("暴雨预警信号由县级以上气象主管机构所属的气象台站统一发布。", [("县级以上气象主管机构所属的气象台站", "actor")]),
    ("区气象局要与区执法应急局等部门加强会商。", [("区气象局", "actor"), ("区执法应急局等部门", "")]),
    ("做好车站和5G基站的防护。", []),
    # a long list of departments ending 等主管部门, then its duty after a comma: one name, an actor
    ("发展改革、财政、卫生健康、水文等主管部门，应当在各自职责范围内做好相关工作。",
     [("发展改革、财政、卫生健康、水文等主管部门", "actor")]),
    ("各省（区、市）人民政府要高度重视本地区消费扶贫工作。", [("各省（区、市）人民政府", "actor")]),
    ("并征求市城乡规划、文物等行政主管部门的意见。", [("市城乡规划、文物等行政主管部门", "")]),  # a station is a place, not a body, unless it acts (below)
])
def test_named_units(text, names) -> None:
    assert [(n.name, n.role) for n in named_units(text)] == names


@pytest.mark.parametrize(("raw", "units"), [
    ("各省、自治区、直辖市人民政府", ["各省、自治区、直辖市人民政府"]),
    ("市、县（区）人民政府", ["市、县（区）人民政府"]),
    ("税务总局、财政部、海关总署", ["税务总局", "财政部", "海关总署"]),
    # a bracket's 、 separates alternatives of one level, not units
    ("市发展改革委、各县（市、区）人民政府", ["市发展改革委", "各县（市、区）人民政府"]),
    ("县(市、区)党委", ["县(市、区)党委"]),
    ("市、沿河县（市、区）人民政府", ["市、沿河县（市、区）人民政府"]),  # a level list before any name
    ("各区、各部门", ["各区", "各部门"]),  # …but not before another 各
    ("省、市", ["省", "市"]),  # levels alone, with no name after them, are two
    # departments listed after their government: the government's prefix is shared, the first department leads
    ("县级以上人民政府环境保护、农业等部门", ["环境保护", "农业等部门"]),
    # …but a first item that is a name of its own, or the government itself with its departments, stays whole
    ("县级以上人民政府卫生主管部门、财政部门", ["县级以上人民政府卫生主管部门", "财政部门"]),
    ("县级以上人民政府及其有关部门、单位", ["县级以上人民政府及其有关部门", "单位"]),
    ("市人民政府和历史文化名城、街区", ["市人民政府和历史文化名城", "街区"]),
    ("各市（州）、县（市、区）人民政府", ["各市（州）、县（市、区）人民政府"]),  # levels with their alternatives
])
def test_levels_of_government_stay_one_name(raw, units) -> None:
    assert split_units(raw) == units


@pytest.mark.parametrize(("clause", "lead", "units"), [
    # a note after the list: （…负责，排在第一位的部门为牵头部门，下同）
    ("（税务总局、财政部、海关总署负责，排在第一位的部门为牵头部门，下同）", "税务总局", 3),
    # a list longer than sixty characters
    ("（扶贫办、中央统战部、中央和国家机关工委、教育部、卫生健康委、人民银行、国资委、国管局、中央军委政治工作部、"
     "全国总工会等和各省级人民政府负责）", "扶贫办", 10),
    # the generic label 负责部门 (as 责任部门)
    ("（负责部门：商务部、海关总署）", "商务部", 2),
    # another label after the units: a scope, a deadline
    ("（负责部门：商务部、海关总署；适用范围：所有自贸试验区）", "商务部", 2),
    ("（牵头单位：省发展改革委；配合单位：省财政厅；完成时限：2022年底）", "省发展改革委", 2),
    # 及 joins two units; 等国务院相关部门 after a list names no unit of its own
    ("（银保监会及各地区按职责分工负责）", "银保监会", 2),
    ("（工业和信息化部等国务院相关部门及各地区按职责分工负责）", "工业和信息化部", 2),
    ("（市场监管总局牵头，国家发展改革委、海关总署等国务院相关部门及各地区按职责分工负责）", "市场监管总局", 4),
    ("（县级以上人民政府及其有关部门负责）", "县级以上人民政府", 2),  # as in prose: the government leads
    # …but in a list separated by 、 a 及 joins one item
    ("（责任单位：各区市县政府及园区管委会、市财政局）", "各区市县政府及园区管委会", 2),
    # X会同Y: X leads, Y works with it
    ("（国家发展改革委会同有关部门负责）", "国家发展改革委", 2),
    # counter-examples: 和 inside a name, 高等 before 教育
    ("（省经济和信息化厅负责）", "省经济和信息化厅", 1),
    ("（省高等教育主管部门负责）", "省高等教育主管部门", 1),
])
def test_long_bracketed_lists(clause, lead, units) -> None:
    (resp,) = parse_responsibilities("推动消费扶贫。" + clause)
    assert (resp.lead, len(resp.units), resp.prose) == (lead, units, False)


def test_street_offices_act() -> None:
    (actor,) = parse_actors("乡镇人民政府、街道办事处对辖区内露天焚烧行为组织巡查。")
    assert actor.units == ("乡镇人民政府", "街道办事处")


@pytest.mark.parametrize(("name", "head"), [
    ("预警范围内的乡镇人民政府", "乡镇人民政府"),
    ("受理注册申请的药品监督管理部门", "药品监督管理部门"),
    ("公安派出所等单位", "公安派出所"),
    ("特种设备安全监督管理等部门", "特种设备安全监督管理"),
    # counter-examples: names that hold 的, and qualifiers without which nothing specific is left
    ("设区的市人民政府", "设区的市人民政府"),
    ("县级以上气象主管机构所属的气象台站", "县级以上气象主管机构所属的气象台站"),
    ("有关区域的人民政府", "有关区域的人民政府"),
    ("有防汛任务的部门和单位", "有防汛任务的部门和单位"),
    ("设区的市级负责药品监督管理的部门", "设区的市级负责药品监督管理的部门"),
    ("有关政务部门", "有关政务部门"),
])
def test_head_name(name, head) -> None:
    assert head_name(name) == head


@pytest.mark.parametrize(("heading", "text", "lead"), [
    # an item under a heading that names whose duties follow, and that names no actor of its own
    ("2.1.1\u3000国家粮食应急工作指挥部职责", "（2）对省级人民政府和有关部门开展粮食应急工作进行督查和指导。", "国家粮食应急工作指挥部"),
    ("（三）市教育局的主要职责", "2.向市应急管理局报送学校安全隐患排查情况。", "市教育局"),
    # counter-examples: an item with an actor of its own; a heading that names no unit
    ("2.1.1\u3000国家粮食应急工作指挥部职责", "（5）由省级人民政府负责本地区粮食市场监测。", "省级人民政府"),
    ("（二）明确职责", "1.市财政局负责资金保障。", "市财政局"),
    # a heading that is only a unit's name, over that unit's duties
    ("（四）区旅游与文化体育局", "持续推动各类公共体育设施开放。会同教育部门组织开展阳光体育比赛。", "区旅游与文化体育局"),
])
def test_a_duty_heading_leads_its_items(heading, text, lead) -> None:
    m = _measure(text, ("2\u3000组织机构和职责", heading))
    assert _who(m, "督查指导谁负责").lead == lead


def test_a_measure_titled_with_a_unit_name_gives_its_duties() -> None:
    m = replace(_measure("充分发挥电视、网络、新媒体等作用，宣传推广近视防治知识。", ("五、职责分工",)), title="区宣传与影视发展部")
    assert _who(m, "宣传近视防治知识是哪个部门负责").lead == "区宣传与影视发展部"
    assert _who(replace(m, title="宣传推广"), "宣传近视防治知识是哪个部门负责") is None  # a title naming no unit


def test_a_hospital_acts_and_two_way_is_no_recipient() -> None:
    """医院 ends a name (牵头医院 too); the 向 of 双向 sends nothing anywhere."""
    names = named_units("医联体牵头医院牵头、成员单位共同参与，成立双向转诊管理中心。")
    assert [(n.name, n.role) for n in names][:1] == [("医联体牵头医院", "actor")]
    assert all(n.role != "recipient" for n in names)
    assert [(n.name, n.role) for n in named_units("报告向市卫生健康委报送。")] == [("市卫生健康委", "recipient")]


def test_a_name_ends_before_by_what_standard() -> None:
    """按 never stands inside a name: 公共资源交易服务中心按物价部门… is two names, not one."""
    assert [n.name for n in named_units("交易服务费由公共资源交易服务中心按物价部门核定的标准收取。")] == [
        "公共资源交易服务中心", "物价部门"]


def test_a_conjunction_before_a_name_is_no_part_of_it() -> None:
    assert [n.name for n in named_units("施工单位应当落实防尘措施，并与住房和城乡建设主管部门联网。")] == [
        "施工单位", "住房和城乡建设主管部门"]
    assert [n.name for n in named_units("市自然资源与规划局负责。")] == ["市自然资源与规划局"]  # 与 inside a name


def test_deploying_is_no_ministry() -> None:
    """部署 ends no name (国务院决策部署 is no 部); 财政部 still does."""
    assert [n.name for n in named_units("确保党中央、国务院决策部署落实到位。")] == []
    assert [n.name for n in named_units("由财政部负责。")] == ["财政部"]


def test_short_names_a_document_gives_units() -> None:
    texts = ["县级以上人民政府设立的爱国卫生运动委员会（以下简称爱卫会）在同级人民政府的领导下开展工作。",
             "区减灾委员会办公室（设在区执法应急局，以下简称“区减灾办”）承担日常工作。",
             "本条例所称病媒生物（以下简称病媒）是指传播疾病的生物。",  # no organisation: no short name for a unit
             "长三角生态绿色一体化发展示范区执行委员会（以下简称执委会）负责。"]  # 执委会 is read as a name anyway
    assert short_names(texts) == ("爱卫会", "区减灾办")
    assert [(n.name, n.role) for n in named_units("由县级以上爱卫会责令限期改正。", ("爱卫会",))] == [
        ("县级以上爱卫会", "actor")]
    assert named_units("由县级以上爱卫会责令限期改正。") == ()
    m = _measure("爱卫会应当公开举报电话。卫生主管部门负责健康教育。")
    norm = normalize("举报电话谁公开")
    grams = set(bigrams(norm))
    assert responsibility_for(m, best_sentence(m, grams), grams, asked_of(norm), ("爱卫会",)).lead == "爱卫会"


@pytest.mark.parametrize(("text", "names"), [
    # levels of government standing for their governments, as a subject
    ("乡镇(街道)要指导监督新老班子及时办理工作交接。", [("乡镇(街道)", "actor")]),
    ("各市要加强组织领导。", [("各市", "actor")]),
    ("各区市县（园区）要建立健全慈善工作机构。", [("各区市县（园区）", "actor")]),
    # counter-examples: words that begin like a level, and a level with no verb of duty after it
    ("市场要发挥决定性作用。", []),
    ("城市要更新。", []),
    ("市县两级财力有限。", []),
    # …and the verbs a level takes as a subject when it opens a clause (also where a cut word follows it)
    ("市级举办示范培训班，县级抓好主职干部培训。", [("市级", "actor"), ("县级", "actor")]),
    ("省、市组建巡回督查组。", [("省、市", "actor")]),
    ("乡镇(街道)向每个村(社区)派驻指导组。", [("乡镇(街道)", "actor")]),
    # counter-examples: a level after a verb is its object, and a slogan's 落实/统筹 are no duty of a level
    ("推进各区落实交通领域光伏建设要求。", []),
    ("坚持省级统筹、市县落实。", []),
    # levels made to act by 由 (a level alone, the run ending with it), not a level opening a longer name
    ("对获得省级以上林木良种审（认）定的，由各县（市、区）、园区根据实际情况出台相关扶持政策。", [("各县（市、区）", "actor")]),
    ("由各区负责组织实施。", [("各区", "actor")]),
    ("由市财政局负责。", [("市财政局", "actor")]),
    ("由省统一部署。", []),
    ("经市同意后实施。", []),
])
def test_levels_as_subjects(text, names) -> None:
    assert [(n.name, n.role) for n in named_units(text)] == names


def test_a_level_opening_a_bracketed_name_is_no_name_of_its_own() -> None:
    """由区县（自治县）规划自然资源主管部门…: 区县 begins a longer name, not levels made to act."""
    assert "区县" not in [n.name for n in named_units("地质灾害临灾预报由区县（自治县）规划自然资源主管部门发布。")]
    assert "履行好本级党委和政府" not in [n.name for n in named_units("履行好本级党委和政府职责。")]


def test_a_bare_word_for_a_unit_is_no_ones_name() -> None:
    # 以县（市、区）为单位 says how work is divided; 单位 alone named "单位" as the lead of a gov.cn notice's item
    assert named_units("各地以县（市、区）为单位，对城镇小区配套幼儿园情况进行全面摸底排查。") == ()
    # a unit with its name, or a list of them, is still one: 有关部门, 建设单位, 文物保护单位
    assert [u.name for u in named_units("由有关部门负责，建设单位应当配合。")] == ["有关部门", "建设单位"]


def test_a_situation_or_a_layout_is_no_bureau() -> None:
    """局 ends a bureau's name (统计局, 邮政管理局), not 大局, 格局 or 布局: 在国家现代化建设大局…中 named
    国家现代化建设大局 as the organisation answering 临港新片区跨境数据怎么管."""
    text = "在国家现代化建设大局和全方位开放格局中具有举足轻重的战略地位，要服从全国发展大局，优化产业布局，开创新局。"
    assert named_units(text) == ()
    assert [n.name for n in named_units("由市统计局负责，铁路局、邮政管理局、当局配合。")][:3] == ["市统计局", "铁路局", "邮政管理局"]
    assert [r.lead for r in parse_actors("市大数据局负责数据汇总。")] == ["市大数据局"]
    assert named_units("开创工作新局面，稳定市场局势。") == ()
    assert [n.name for n in named_units("市应急局部署防汛工作。")] == ["市应急局"]


def test_a_part_or_the_centre_of_a_place_is_no_body() -> None:
    """零部件 is no 部 (ministry), 中心城市 and 中心区 no 中心 (a centre that is a body), and 中心 alone no one's name;
    数据中心, 财政部 and 市政府 still are."""
    for text in ("推动中心城市建设，发展汽车零部件产业。", "中心区重点布局总部。"):
        assert named_units(text) == ()
    assert [n.name for n in named_units("由市大数据中心负责，财政部、市政府配合。")] == ["市大数据中心", "财政部", "市政府"]
