"""Does the top clause answer the question, or only resemble it? Retrieval always returns something; these
checks decide whether to say so. Each check looks for a constraint the question states that the clause
must meet — a year, a place, what kind of answer it wants (a person, a date, a sum, a list …), what a figure
measures, the question's rarer words — so the decision can be explained."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from askplan.models import Measure
from askplan.normalize import normalize
from askplan.tokenize import words

YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# A figure the question states with its unit (240小时, 3.5%): the clause must state that number.
FIGURE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(小时|天|公里|万|亿|岁|米|吨|%|个百分点)")
# Regions a question can name that a clause must then name too (or by its usual abbreviation, or one of its cities
# or districts: 浦口—南谯 names 江苏): provinces, municipalities and countries. Cities are not checked themselves:
# plans name them through projects (江宁—博望 for 南京).
REGIONS: dict[str, tuple[str, ...]] = {
    "上海": ("上海", "沪", "长三角", "浦东", "虹桥", "临港", "张江", "青浦", "松江", "嘉定", "金山"),
    "江苏": ("江苏", "苏浙", "沪苏", "苏皖", "长三角", "南京", "苏州", "无锡", "常州", "南通", "扬州", "镇江", "泰州", "盐城",
             "徐州", "淮安", "宿迁", "连云港", "浦口", "江宁", "六合", "吴江"),
    "浙江": ("浙江", "浙", "长三角", "杭州", "宁波", "嘉兴", "湖州", "绍兴", "金华", "舟山", "台州", "温州", "衢州", "丽水", "嘉善"),
    "安徽": ("安徽", "皖"),
    "北京": ("北京", "京津"), "天津": ("天津",), "河北": ("河北",), "山东": ("山东",), "江西": ("江西",),
    "河南": ("河南",), "湖北": ("湖北",), "湖南": ("湖南",), "福建": ("福建",), "广东": ("广东", "粤港澳"),
    "四川": ("四川",), "重庆": ("重庆",), "香港": ("香港", "港澳"), "澳门": ("澳门", "港澳"), "台湾": ("台湾",),
    "日本": ("日本", "日韩", "中日"), "韩国": ("韩国", "日韩", "中韩"), "新加坡": ("新加坡", "中新"), "越南": ("越南",),
    "东盟": ("东盟",),
}
# A province's own document (江苏省的行动方案, 浙江十四五规划): answered only from a document of that province.
OWN_DOCUMENT = re.compile(r"(上海|江苏|浙江|安徽)(?:省|市)?(?:的|自己的|制定的|出台的|印发的)?"
                          r"[^，,。？?]{0,14}?(?:行动方案|实施方案|规划纲要|行动计划|五年规划|条例)")
HOME_PLACES = {"安徽"}  # implied by an Anhui document even where its text does not say it
QUANTITY = re.compile(  # 多少钱, 几点开门, 有几个: asks for a figure; 那几个市 / 几个省联手: does not
    r"多少(?!条|处|项)|多大|多长|多高|多远|多久|(?<![哪那这十好])几(?:种|大|年|岁|天|成|倍|家|批|点|架|辆|台|座|艘|类|次)|(?:有|共|是|了)几个"
    r"|(?:时速|面积|人数|里程|票价)$|什么比例|多大比例|比例是多少|按什么标准|(?:设|建|修|开|办)几(?:个|座|条|所)"
    r"|(?:最低|最高|最少|最多)[^，,。？?]{0,2}(?:规模|金额|标准|限额|额度|比例|年限|门槛|要求|出资|投资)"
)
# Words that name the document or the kind of question, not what the clause must contain.
NOT_CONTENT = frozenset(
    [
        "方案", "行动方案", "纲要", "规划", "条例", "意见", "政策", "文件", "内容", "有关", "相关", "关于", "提到", "提及", "涉及",
        "哪几", "几条", "几处", "具体", "规定", "主要", "要求", "一条", "哪条", "说法", "怎么", "怎么样", "如何", "哪些", "什么",
        "为什么", "时候", "我省", "全省", "安徽", "安徽省"
    ]
)
NUMBER = re.compile(r"\d|[一二三四五六七八九十两百千万]+[个项种大年岁天成倍条处所家批%亿万公里小时平方]")
AROUND = 60  # characters either side of the best sentence that may still hold its date or amount
CITIES = (
    "合肥", "芜湖", "蚌埠", "淮南", "马鞍山", "淮北", "铜陵", "安庆", "黄山", "滁州", "阜阳", "宿州", "六安", "亳州", "池州", "宣城",
    "南京", "苏州", "无锡", "常州", "南通", "扬州", "镇江", "泰州", "盐城", "徐州", "杭州", "宁波", "嘉兴", "湖州", "绍兴", "金华",
    "舟山", "台州", "温州",
)
PLACE = re.compile("|".join(CITIES) + r"|(?<!区)[\u4e00-\u9fff]{2}县(?![域城级])")  # a city, or a county: 凤台县


def _names_a_place(question: str, passage: str) -> bool:
    """The passage names a city or county the question does not."""
    return bool({m.group() for m in PLACE.finditer(passage)} - {m.group() for m in PLACE.finditer(question)})


DEFINE = re.compile(r"(?:是什么|是啥|什么|啥)意思|是个什么|是个啥|是什么东西|是(?:干|做)(?:什么|啥)的|(?:具体)?指(?:的是)?(?:什么|哪些|哪|啥)")
DEFINE_BEFORE = re.compile(r"什么是|什么叫|啥叫|啥是")
LATIN = re.compile(r"(?<![A-Za-z0-9.])[A-Za-z]{3,}(?![A-Za-z0-9.])")  # QDLP, RCEP, APP: a code the clause must name
ATTACHMENT = re.compile(r"附件|附表")  # the plan's attachment (重点工作清单) is not in the corpus, only its title
CODE_WORDS = {"ipo": ("上市",), "gdp": ("生产总值",)}  # codes plans write out in Chinese


def _defines_the_term(question: str, passage: str) -> bool:
    """The clause explains the term the question asks about: the longest run of the term it holds (3+N新型功能区 ->
    新型功能区) stands beside a parenthesis, an 即/是指, a list before a quoted term (合格境外有限合伙人（QFLP）,
    连接沪苏浙、辐射中西部「两个扇面」), or what it is charged with (理事会负责…)."""
    cue, lead_in = DEFINE.search(question), DEFINE_BEFORE.search(question)
    term = question[lead_in.end():lead_in.end() + 12] if lead_in else question[max(0, cue.start() - 12):cue.start()]
    for size in range(len(term), 2, -1):
        for start in range(len(term) - size + 1):
            piece = term[start:start + size]
            for hit in re.finditer(re.escape(piece), passage):
                after, before = passage[hit.end():hit.end() + 4], passage[max(0, hit.start() - 15):hit.start()]
                if re.match(r"[”」\"]?(?:[（(:：]|即|是指|就是|包括)", after) or re.search(r"、[^，,。；;]*[「“\"]$", before):
                    return True
                if re.search(r"负责|承担|职责|统筹", passage[hit.end():hit.end() + 20]):  # what it does: 理事会负责…
                    return True
            if piece in passage:
                return False
    return False


# A full list of a named set (一地六县是哪六个县, 第一批名单里有哪些): the clause must enumerate that set, not others.
PLACES_ASKED = re.compile(r"哪(?:几个|些)(?:城市|市|县|区县|县区|县市|区)")
LIST = re.compile(r"具体(?:包括|包含|是|有|列了)?[^，,。？?]{0,6}?(?:哪些|哪几)|分别(?:指|是|叫)(?:哪些|什么(?:名字)?(?=$|[？?，,。]))|名单|列了哪些"
                  r"|哪[二三四五六七八九十两\d]+(?:个|大|家|所|项)"
                  r"|(?:第一批|首批|[一二三四五六七八九十两\d]+个|清单|目录)[^，,。？?]{0,12}(?:哪些|哪几)"
                  r"|主要[^，,。？?]{0,6}(?:哪些|哪几)|" + PLACES_ASKED.pattern)
ENUM_AFTER = re.compile(r"[」”\"]?(?:(?:[:：（(]|包括|包含|即|分别是|分别为)[^。；;]{0,30}?、"
                        r"|[^。；;]{0,12}[:：][^。；;:：]{1,30}[:：])")  # …：A、B, or a roster 组长:… 副组长:…
ENUM_BEFORE = re.compile(r"、[^。；;，,]*(?:等|和|及|与|在内的|[一二三四五六七八九十两\d]+(?:大|个|类|项|种))[^、。；;，,]{0,12}[「“\"]?$")
UNITS_ASKED = re.compile(r"哪些(?:部门|单位)|(?:负责|牵头)(?:单位|部门)?$")
TITLES = re.compile(r"》[、和及与]?《")  # 《A》《B》: the documents a question about 哪两个文件 wants


def _lists_the_set(question: str, passage: str) -> bool:
    """The passage enumerates the set the question names: a name the question shares with it (3+ characters:
    新型功能区, 一地六县) is followed by a list (…：A、B) or closes one (A、B、C等省际毗邻地区新型功能区)."""
    if "文件" in question and TITLES.search(passage):
        return True
    if UNITS_ASKED.search(question):  # 具体是哪些部门负责: the responsibility clause lists them
        return True
    if PLACES_ASKED.search(question) and len(set(PLACE.findall(passage)) - set(PLACE.findall(question))) >= 2:
        return True  # which cities: it names several others
    text = LIST.sub(" ", question)
    pieces = {text[i:i + n] for n in range(3, 9) for i in range(len(text) - n + 1)}
    for piece in sorted(pieces, key=len, reverse=True):
        if " " in piece or piece in NOT_CONTENT or piece not in passage:
            continue
        for hit in re.finditer(re.escape(piece), passage):
            if ENUM_AFTER.match(passage, hit.end()) or ENUM_BEFORE.search(passage[max(0, hit.start() - 60):hit.start()]):
                return True
    return False


# What a question asks for that a plan clause seldom gives, whatever its topic: a person holding a post, how to
# apply or where to go, a date, an amount, a reason, a full list, a location, a ranking. Each entry: the question
# pattern; what the clause must show for the question to count as answered (a pattern, a test of question and
# passage, or None: plans never do); where to look ("sentence": the best sentence, "around": it and AROUND
# characters either side, "clause": the whole clause); and the reason given when it does not.
COUNTRIES = (r"日本|韩国|新加坡|东盟|美国|德国|法国|英国|意大利|俄罗斯|澳大利亚|新西兰|越南|泰国|马来西亚|印度尼西亚|菲律宾"
             r"|柬埔寨|老挝|缅甸|文莱|以色列|瑞士|荷兰|比利时|西班牙|加拿大|巴西|印度|欧盟|RCEP成员")
ROLE = r"(?:主任|组长|局长|厅长|省长|市长|县长|书记|主席|院长|校长|董事长|总经理|秘书长|部长|处长|委员)"
ASKS_FOR: tuple[tuple[re.Pattern, re.Pattern | Callable[[str, str], bool] | None, str, str], ...] = (
    (re.compile(ROLE + r"(?:是谁|由谁|叫什么|姓什么|是哪位)|(?:谁|哪位)(?:担任|当|出任)" + ROLE
                + r"|由哪(?:一级|个级别|位)?领导(?:担任|兼任)|哪一级领导|什么级别的领导"
                + r"|谁是" + ROLE + r"|叫什么名字|哪(?:位|个)领导(?!小组)|谁(?:起草|执笔|写)的"), None, "clause",
     "问题问的是由谁担任职务；语料只写单位和职务，不写人名"),
    (re.compile(r"(?:怎么|怎样|如何|咋|去哪|到哪|哪里|哪儿|在哪)(?:里|儿)?(?:申请|申报|办理|报名|领取|预约|购买|缴纳)"
                r"|(?:去|到|在)哪(?:里|儿|个)?办"
                r"|(?:什么时候|何时)(?:能|可以)?(?:申请|申报|办理|报名)|去哪个|带什么"
                r"|(?:申请|申报|办理|审批|报名|注册)(?:的)?(?:流程|程序|条件|材料|手续|入口|窗口|网址|时间)"
                r"|(?:向|到|去)哪(?:里|儿|个)?[^，,。？?]{0,10}申请|(?:满足|符合|具备)(?:哪些|什么|啥)(?:条件|要求)|(?:认定|准入|入选|申请|申报)(?:的)?(?:条件|标准)(?:是|有)?(?:啥|什么|哪些)"
                r"|(?:怎么|如何|去哪|在哪)(?:查询|查)(?!找)|(?:办|要办|需要|准备)(?:什么|哪些|啥)手续|(?:要|需要|得|办)(?:哪些|什么|啥)证(?:件|照)?(?![明书])|手续(?:怎么|如何)办|(?:准备|提交|提供|带|携带)(?:哪些|什么)(?:材料|证件)|(?:办公|联系)(?:地点|地址|电话|方式)|地址|(?:咨询|联系)电话|电话号码"
                r"|开放时间|几点|官网|热线|(?:年龄|学历|申报|申请|报名|资格)(?:限制|条件|门槛)"), None, "clause",
     "问题问的是办理流程、地点或联系方式；语料是政策文本，不含办事指南"),
    (re.compile(r"(?:明天|后天|今晚|今天|下周)(?:的)?(?:天气|会下|下雨|下雪|气温|温度)|天气(?:怎么样|如何|预报)"), None, "clause",
     "问题问的是天气等近期实时信息；语料是政策文本"),
    (re.compile(r"什么时候|啥时候|什么时间|何时|几时|哪一年|哪年|几月|哪天|哪一天|截止(?:日期|时间)"),
     re.compile(r"(?:19|20)\d{2}年|\d+月|年底|年内|年前|年初"), "around",
     "问题问的是时间；条款没有给出相应日期"),
    (re.compile(r"多少钱|多少块|花了多少|花多少|多少(?:亿|万)|(?:投资|资金|补贴|奖励|金额|费用|工资|薪资|价格|票价|门票|罚款|预算|经费|收费|税率|出让金)"
                r"(?:标准)?(?:是|有|为|要|共|一共|总共)?(?:多少|几)|多少(?:资金|经费|投资|补贴)"
                r"|费(?:用)?(?:标准)?(?:给|发|补|是|有|为|要|共|一共|总共)?(?:多少|几)"),
     re.compile(r"\d\s*(?:亿|万)?元|[亿万]元"), "around",
     "问题问的是金额；条款没有给出相应数额"),
    (re.compile(r"优惠|减免|免费|免收|补贴|补助|奖补|奖励|打折|折扣|月票|退税|收不收费|要不要(?:买|交|付|收费)|收费吗|过路费|通行费|门票"
                r"|费(?:用)?(?:怎么|如何)收|怎么收费|收费标准|进场费|(?:给不给|有没有|能不能拿到|怎么)补偿"),
     re.compile(r"优惠|减免|免费|免收|补贴|补助|奖补|奖励|资助|折扣|退税|收费|门票|补偿"), "clause",
     "问题问的是收费、优惠或补贴；条款没有此类内容"),
    (re.compile(r"处分|处罚|罚款|问责|追责|怎么罚"), re.compile(r"处分|处罚|罚款|问责|追责|责任追究"), "clause",
     "问题问的是处罚或问责；条款没有相关规定"),
    (re.compile(r"(?:哪些|哪几个|哪个)国家"), re.compile(COUNTRIES), "sentence",
     "问题问的是具体国家；条款没有列出"),
    (re.compile(r"为什么|为何|为啥|凭什么|依据是什么|理由"), re.compile(r"为了|为深入|旨在|因为|由于|目的|依据|根据"), "around",
     "问题问的是原因；条款只写要做什么，没有说明理由"),
    (re.compile(r"排(?:第几|名)|第几名|(?:评估|考核|验收|评选|审批)?(?:结果|结论)(?:怎么样|如何|怎样|是什么|是啥|出来)|评估结果|考核结果"
                r"|(?:成效|效果|进展|完成情况|落实情况)(?:怎么样|如何|怎样|好不好)|滞后|批(?:下来|准|复)了?(?:吗|没有|没)"
                r"|获批了?(?:吗|没有|没)|(?:出来|公布|定下来)了(?:吗|没有|没)|哪些[^，,。？?]{0,6}(?:入选|获批|中标)|(?:成功|评上|选上|实现|达到|完成)了?(?:吗|没有|没)|(?:实际|最终|最后)(?:增长|完成|达到|实现)了?多少"),
     re.compile(r"排名|名次|第[一二三四五六七八九十\d]+位|已(?:经)?(?:完成|建成|实现)"), "clause",
     "问题问的是实施进展或结果；条款只写计划，不含实施结果"),
    (LIST, _lists_the_set, "around",
     "问题要的是完整名单；条款只提到总称，没有逐一列出"),
    (re.compile(r"(?:建|设|落|位于|坐落)在?哪(?:个|里|儿)?(?:县|市|区|城市)|(?:选|定|放|落)(?:址|点)?在哪(?!条|一条|几条|项|部分)|哪个(?:县|市|区|城市)"
                r"|哪个[^，,。？?]{1,6}(?:县|城市)(?:建|办|设)"),
     _names_a_place, "sentence",
     "问题问的是具体地点；条款没有写明在哪个市或县"),
    (re.compile(r"(?<!出)现在|目前|当前|如今|眼下|至今|迄今|(?:通车|建成|开通|完工|投运)了(?:吗|没|马)"
                r"|已经(?:建|有|开|办|完成|确定|落地|入选)"),
     re.compile(r"已经|已|目前|现有|截至|至今|累计"), "clause",
     "问题问的是现状；条款写的是规划目标和任务，不含现状"),
    (re.compile(r"哪个(?:更|比较)|哪个[^，,。？?]{0,8}更|有什么区别|有何区别|区别是什么|区别在哪|和[^，,。？?]{1,14}比(?:较)?(?:起来)?(?:，|,)?(?:哪|谁)|(?:跟|和|与)[^，,。？?]{1,14}一样(?:吗|不|么|嘛)"),
     re.compile(r"高于|低于|超过|相比|差距|平均水平|区别|不同于"), "clause",
     "问题要作比较；条款没有给出比较"),
    (re.compile(r"有(?:什么|哪些|啥)影响|影响大(?:吗|不大)|会不会(?:[^，,。？?]{0,6})(?:涨|跌|降价|挤压|冲击|影响)"),
     re.compile(r"影响|冲击"), "clause",
     "问题问的是影响或后果；条款只写要做什么"),
    (re.compile(r"明年|后年|下半年"), re.compile(r"明年|后年|下半年"), "clause",
     "问题问的是某一年的具体安排；条款没有写到"),
    (re.compile(r"十五五|到期(?:以后|之后|后)|下一轮|新一轮(?:的)?(?:方案|规划)|以后还会不会(?:再)?(?:出|制定)"), None, "clause",
     "问题问的是规划期以后的事；语料没有写"),
    (re.compile(DEFINE.pattern + "|" + DEFINE_BEFORE.pattern), _defines_the_term, "clause",
     "问题问的是名词的含义；条款用到了它，但没有解释"),
)
# Figure questions name what is measured (城镇化率, 铁路网密度, GDP): the clause must name it too.
INDICATOR = re.compile(r"(?:率|密度|强度|比重|占比|总量|总值|产值|gdp|规模|面积|人数|名额|里程|寿命|年限|时速)$")
AREAS = ("皖北", "皖南", "皖西", "皖中", "皖江", "大别山", "江淮", "沿江", "中心区", "示范区")
# Calibrated on eval/questions, dev and dev2 (eval/README.md has the sweep): the clause answers when it holds this
# IDF-weighted share of the question's words, or when the dense leg is at least this sure.
MIN_WORD_COVERAGE = 0.2
MIN_DENSE = 0.87


@dataclass(frozen=True)
class Verdict:
    answered: bool
    reason: str = ""


class Answerability:
    def __init__(self, measures: tuple[Measure, ...], anhui_docs: set[str], titles: dict[str, str] | None = None):
        self.n = len(measures)
        self.df: dict[str, int] = {}
        for m in measures:
            for w in set(words(m.norm)):
                self.df[w] = self.df.get(w, 0) + 1
        self.anhui_docs = anhui_docs
        self.titles = titles or {}  # document slug -> normalised title

    @staticmethod
    def always() -> Verdict:
        return Verdict(True)

    def idf(self, word: str) -> float:
        return math.log((self.n + 1) / (self.df.get(word, 0) + 0.5))

    def judge(self, topic: str, measure: Measure, sentence: str | None, dense: float = 0.0,
              question: str | None = None) -> Verdict:
        """``topic`` and ``question`` normalised (as ``Measure.norm`` is: Simplified, lower-case); ``sentence``
        the best sentence of the clause as printed."""
        text, sentence = measure.norm, normalize(sentence or "")
        question = question or topic
        for year in YEAR.findall(topic):
            if year not in text:
                return Verdict(False, f"条款没有提到{year}年")
        for number, unit in FIGURE.findall(topic):
            if not YEAR.fullmatch(number) and not re.search(rf"(?<![\d.]){re.escape(number)}(?![\d])", text):
                return Verdict(False, f"条款没有提到{number}{unit}")
        for place in self.missing_regions(topic, measure):
            return Verdict(False, f"条款没有提到{place}")
        if (own := OWN_DOCUMENT.search(question)) and own.group(1) not in self.titles.get(measure.doc, own.group(1)):
            return Verdict(False, f"语料中没有{own.group(1)}自己的这份文件")
        for code in LATIN.findall(question):
            if code not in text and not any(w in text for w in CODE_WORDS.get(code, ())):
                return Verdict(False, f"条款没有提到{code.upper()}")
        if ATTACHMENT.search(question) and not ATTACHMENT.search(measure.label):
            return Verdict(False, "问题问的是附件的内容；这一条不是附件（语料只收录了正文里的附件，例如工作组名单）")
        around = _around(text, sentence)
        for asks, shows, where, reason in ASKS_FOR:
            if asks.search(question):
                passage = {"sentence": sentence, "around": around, "clause": text}[where]
                found = shows(question, passage) if callable(shows) else shows and shows.search(passage)
                if not found:
                    return Verdict(False, reason)
        if QUANTITY.search(question):
            if not NUMBER.search(sentence):
                return Verdict(False, "问题问的是具体数字；条款没有给出")
            if missing := self.missing_measured(question, text):
                return Verdict(False, f"问题问的是{missing}的数字；条款没有给出")
        coverage = self.word_coverage(topic, text)
        if coverage < MIN_WORD_COVERAGE and dense < MIN_DENSE:
            return Verdict(False, f"条款与问题的关键词重合太少（{coverage:.0%}）")
        return Verdict(True)

    def missing_regions(self, topic: str, measure: Measure) -> list[str]:
        named = set(words(topic))
        return [place for place, forms in REGIONS.items()
                if named & {place, place + "省", place + "市"} and not any(f in measure.norm for f in forms)
                and not (place in HOME_PLACES and measure.doc in self.anhui_docs)]

    def missing_measured(self, question: str, text: str) -> str | None:
        """For a figure question, what the clause lacks: what is measured (覆盖率, or 森林 of 森林覆盖率), a city
        or area it asks about (合肥, 皖北) in the sentences that hold that measure, or a province named there."""
        ws = [w for w in words(question) if len(w) >= 2]
        measured = [i for i, w in enumerate(ws) if INDICATOR.search(w)]
        for i in measured:
            w = ws[i]
            if not _near(w, text):
                return w
            before = next((p for p in reversed(ws[:i]) if not w.startswith(p) and p not in w), None)
            if (before and before + w in question and before not in NOT_CONTENT and before not in REGIONS
                    and not YEAR.fullmatch(before) and not _near(before + w, text)):
                return before + w
        figure_sentences = [s for s in re.split(r"[。；;]", text) if any(ws[i] in s for i in measured)]
        for place in (*CITIES, *AREAS):
            if place in question and not any(place in s for s in figure_sentences or [text]):
                return place
        for place, forms in REGIONS.items():
            if (place in question and place not in HOME_PLACES and figure_sentences
                    and not any(f in s for f in forms for s in figure_sentences)):
                return place
        return None

    def word_coverage(self, topic: str, text: str) -> float:
        """IDF-weighted share of the question's words (two characters or more) found in the text."""
        ws = list(dict.fromkeys(w for w in words(topic) if len(w) >= 2 and w not in NOT_CONTENT))
        total = sum(self.idf(w) for w in ws)
        return sum(self.idf(w) for w in ws if w in text) / total if total else 1.0


def _near(word: str, text: str) -> bool:
    """The word is in the text, or a typo of it is (one character off, three characters or more: 城真化率, 预其寿命)."""
    if word in text:
        return True
    return len(word) >= 3 and any(re.search(re.escape(word[:i]) + "." + re.escape(word[i + 1:]), text)
                                  for i in range(len(word)))


def _around(text: str, sentence: str) -> str:
    """The best sentence with AROUND characters of the clause either side (a date line after a notice)."""
    at = text.find(sentence) if sentence else -1
    return sentence if at < 0 else text[max(0, at - AROUND): at + len(sentence) + AROUND]
