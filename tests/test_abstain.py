"""Answerability checks on real clauses, without a model: each question states something the clause must show
(a year, a place, a date, an amount, what a figure measures); the clause answers only when it does."""

from __future__ import annotations

import pytest

from askplan.abstain import Answerability
from askplan.intent import read_intent
from askplan.normalize import normalize
from conftest import PLAN

SURE = 0.95  # a dense score high enough that the word-coverage check never decides


@pytest.fixture(scope="module")
def judge(corpus):
    anhui = {d.slug for d in corpus.documents if "安徽" in normalize(d.title)}
    answerability = Answerability(corpus.measures, anhui, {d.slug: normalize(d.title) for d in corpus.documents})
    by_id = {m.id: m for m in corpus.measures}

    def run(question: str, measure_id: str, sentence_with: str | None = None):
        measure = by_id[measure_id]
        sentence = None
        if sentence_with:
            sentence = next(s for s in measure.text.replace("。", "。\n").splitlines() if sentence_with in s)
        norm = normalize(question)
        return answerability.judge(read_intent(norm).topic or norm, measure, sentence, SURE, norm)

    return run


@pytest.mark.parametrize(("question", "key", "sentence_with", "reason"), [
    ("省长三角办的主任是谁", "0", "為深入貫徹", "person"),
    ("长三角一体化发展领导小组的组长由谁担任？", "3", None, "person"),
    ("申报省际产业合作园区要准备哪些材料？", "8", None, "procedure"),
    ("长三角居民服务一卡通去哪里办", "27", None, "procedure"),
    ("滁宁城际铁路哪一年建成通车？", "17", "滁寧", "date"),
    ("引江济淮二期工程总投资是多少钱？", "21", None, "money"),
    ("跨省高速公路通行费有没有减免政策？", "2", None, "concession"),
    ("到2025年安徽森林覆盖率要达到多少？", "2", "城鎮化率", "覆盖率"),
    ("合肥市到2025年常住人口城镇化率目标是多少？", "2", "城鎮化率", "合肥"),
    ("上海2025年研发投入强度目标是多少", "2", "研發投入強度", "上海"),
    ("安徽2035年城镇化率要达到多少", "2", "城鎮化率", "2035"),
    ("江苏省实施长三角一体化行动方案提出了哪些任务", "0", None, "江苏"),
    ("人均预期寿命目标为什么定在78.8岁", "2", "人均預期壽命", "why"),
    ("长三角三省一市一体化发展考核，安徽排第几名？", "0", None, "went"),
    ("质量提升六大工程是哪六大工程？", "3", None, "list"),
    ("G60科创走廊的总部设在哪个城市", "12", "G60", "where"),
    ("长三角皖北可再生能源生产基地选址在哪个县？", "21", "皖北可再生", "where"),
    ("合肥明天会下雨吗", "22", None, "days ahead"),
    ("皖北地区常住人口城镇化率2025年的目标是多少", "2", "城鎮化率", "皖北"),
    ("这个行动方案是哪位领导牵头起草的", "35", None, "person"),
    ("婚姻登记跨省通办，去办的时候要带哪些材料", "26", None, "procedure"),
    ("外地博士后来安徽工作，安家费给多少", "13", None, "money"),
    ("在长三角坐高铁通勤，有没有月票或者票价打折？", "17", None, "concession"),
    ("方案里的任务要是没按时完成，责任单位会被怎么问责处分？", "35", None, "处罚或问责"),
    ("144小时过境免签，哪些国家的人能用", "15", "144", "具体国家"),
    ("安徽目前的常住人口城镇化率是多少？", "2", "城鎮化率", "现状"),
    ("上海和合肥的人才引进政策相比，哪个力度更大？", "13", None, "比较"),
    ("碳排放权交易对普通老百姓的生活有什么影响", "25", None, "影响"),
    ("这个行动方案到期以后，还会不会再出新一轮的方案？", "0", None, "规划期以后"),
    ("田长制是个什么制度", "22", None, "含义"),
    ("安徽有没有开展QDLP试点", "15", None, "QDLP"),
    ("駱崗中央公園進去要不要買門票", "22", None, "收费"),
    ("江淮英才计划对申报人有没有年龄限制", "13", None, "办理流程"),
    ("「一地六县」具体是哪六个县？", "6", "一地六縣", "完整名单"),  # the sentence lists other things
    ("一枢十支里面的十个支线机场是哪几个？", "19", "一樞十支", "完整名单"),
    ("长三角药品和医用耗材联合采购，第一批包括哪些品种", "27", None, "完整名单"),
    ("方案附件里的重点工作清单一共列了多少项任务", "35", None, "附件"),
    ("合肥争创国际消费中心城市，最后批下来没有", "3", None, "实施进展"),
    ("这个行动方案中期评估的结果怎么样？哪些任务滞后了", "35", None, "实施进展"),
    ("长三角老字号博览会明年还办不办", "3", None, "某一年"),
    ("孩子想转学去上海读初中，跨省转学要办什么手续", "26", None, "办理流程"),
    ("QFLP试点对单只基金的最低规模有什么要求？", "30", None, "具体数字"),
    ("科大硅谷主要聚焦哪些產業方向？", "10", "科大硅谷", "完整名单"),  # names it, lists none of its fields
    ("皖北战略性新兴产业三年倍增的目标最后实现了没有", "5", None, "实施进展"),
    ("长三角公共海外仓集散中心最后选在哪个中欧班列城市建？", "4", "海外倉集散中心", "具体地点"),
    ("在上海看门诊，医保跨省报销按什么比例", "26", None, "具体数字"),
    ("在大别山景区里办民宿要哪些证", "22", None, "办理流程"),
    ("两高项目被叫停，企业已经投进去的设备省里给不给补偿？", "5", None, "补贴"),
    ("外国人来安徽能不能享受240小时过境免签？", "15", None, "240小时"),  # the clause says 144小时
    ("宁马市域铁路在马鞍山境内设几个站", "17", "寧馬", "具体数字"),
    ("企業怎麼接入「長三角徵信鏈」?要不要收費", "28", None, "收费"),
    ("长三角G60科创走廊安徽有哪几个城市是成员", "12", "G60", "完整名单"),
    ("QFLP试点对境外有限合伙人的最低出资额有什么要求？", "30", None, "具体数字"),
    ("合肥的保障性租赁住房申请要满足哪些条件", "16", None, "办理流程"),
    ("長三角徵信鏈上，企業怎麼查自己的信用報告", "28", None, "办理流程"),
    ("生态环境保护专项监督长由哪一级领导担任", "22", None, "由谁担任"),
    ("在上海看门诊异地结算，报销比例跟在安徽本地一样吗", "26", None, "比较"),
    ("苏皖合作示范区实施成效评估的结论是什么？", "6", None, "实施进展"),
    ("皖南—浙西南生态屏障具体包括黄山市哪几个区县", "22", None, "完整名单"),
    ("安徽在上海已经建了几个“人才飞地”", "13", None, "现状"),
    ("人才飞地在上海一共建了几个", "13", None, "具体数字"),
    ("哪几所“双一流”高校已经确定在安徽设立分支机构？", "27", None, "现状"),
    ("首批合作办学的职业院校名单出来了吗", "27", None, "实施进展"),
    ("江苏户籍的员工跟滁州企业发生劳动争议，应该向哪里的劳动仲裁委申请仲裁", "28", None, "办理流程"),
    ("加入专科联盟以后，上海专家每个月来我们医院坐诊几次？", "27", None, "具体数字"),
])
def test_abstains_and_says_why(judge, question, key, sentence_with, reason):
    reasons = {"person": "由谁担任", "procedure": "办理流程", "date": "时间", "money": "金额", "concession": "收费",
               "why": "原因", "went": "实施进展", "list": "完整名单", "where": "具体地点", "days ahead": "天气"}
    verdict = judge(question, f"{PLAN}/{key}", sentence_with)
    assert not verdict.answered
    assert reasons.get(reason, reason) in verdict.reason


@pytest.mark.parametrize(("question", "key", "sentence_with"), [
    ("2025年城镇化率目标是多少?", "2", "城鎮化率"),
    ("研发投入强度要达到多少", "2", "研發投入強度"),
    ("到2025年全省人均GDP和沪苏浙差距怎么变", "2", "人均GDP"),
    ("鐵路網密度目標是多少", "2", "鐵路網密度"),
    ("谁牵头碳达峰工作", "25", None),
    ("这个行动方案是哪天印发的", "0", "印發給你們"),
    ("皖北地区怎么振兴", "5", None),
    ("让皖北老百姓喝上好水的工程在哪一条", "5", None),
    ("方案里跟新安江有关的有哪些条", "23", None),
    ("“外电入皖”、引江济淮二期这些能源水利项目的责任单位有哪些？", "21", None),
    ("颳風下雨這類天氣災害的監測預警，長三角一起弄的那條", "32", None),
    ("为什么要制定这个行动方案", "0", "為深入貫徹"),
    ("省际毗邻地区的新型功能区有哪几个", "7", "頂山"),
    ("淮北市跟沪苏浙哪个城市合作", "9", "蘇錫常"),
    ("管住能耗总量和强度、不让两高项目乱上，牵头的是哪个领导小组？", "25", None),
    ("实验室成果转化找不到中试的地方怎么办", "12", None),
    ("干部能不能去上海江苏那边交流挂职", "34", None),  # 长三角 names them all
    ("QFLP是什么意思？", "30", None),
    ("方案说的两个扇面指什么", "1", None),
    ("3+N新型功能区里的3个具体是哪几个？", "7", "頂山"),
    ("安徽人均公共财政支出增速跟长三角平均水平比，目标是什么", "2", "人均公共財政支出"),
    ("碳排放權交易在方案裡出現在哪幾處", "25", None),  # 出现在 is not 现在
    ("我们公司打算去上交所科创板IPO，省里有什么支持", "30", None),  # IPO: 上市
    ("方案是依据哪两个文件制定的", "0", "為深入貫徹"),  # 《A》《B》
    ("重点推进的省际毗邻地区新型功能区具体是哪几个", "7", "頂山"),  # A、B、C等…新型功能区
    ("住房保障体系具体包括哪几类住房", "16", "住房保障體系"),  # A、B和C为主体的住房保障体系
    ("工业互联网专项工作组的附件名单里有哪些单位", "anhui-industrial-internet-2021/p2.annex", "王清宪"),
    ("到2025年安徽人均预其寿命的目标是多少岁", "2", "人均預期壽命"),  # a typo of what is measured
    ("144小时过境免签在安徽哪些机场能用", "15", None),
    ("支持中新苏滁高新区扩区升级，具体是哪些部门负责", "8", None),  # the responsibility clause lists them
    ("中科大那边搞的“硅谷”和量子中心建设放在哪条", "10", None),  # 放在哪条 is no place
    ("安徽综合交通枢纽体系以哪个城市为中心，哪些城市做支撑", "19", "為中心"),  # names several cities
    ("老年人拿着安徽发的卡去浙江坐公交、逛景点，能享受和当地人一样的待遇吗", "27", None),
    ("到2025年安徽常住人口城真化率要达到多少", "2", "城鎮化率"),
    ("在浙江打工十几年，想回六安老家开个小厂，省里有没有鼓励回乡创业的说法？", "29", None),  # 十几年: no figure asked
    ("江苏和安徽交界的地方，像浦口和南谯那样搞的跨省新功能区是怎么回事", "7", "頂山"),  # 浦口 is in 江苏
    ("我们厂在蚌埠，方案里蚌埠在港口航运和综合交通枢纽上分别是什么定位", "18", None),
])
def test_answers_what_the_clause_holds(judge, question, key, sentence_with):
    verdict = judge(question, key if "/" in key else f"{PLAN}/{key}", sentence_with)  # a bare key is the plan's
    assert verdict.answered, verdict.reason


def test_a_provinces_own_document_only_from_that_province(judge):
    assert not judge("浙江省的十四五长三角行动方案主要目标有哪些", f"{PLAN}/2").answered
    assert judge("上海的示范区条例适用于哪些活动", "shanghai-yrd-demo-zone-regulation-2024/2").answered
