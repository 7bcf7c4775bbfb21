"""Answer types a question can ask for, as data. A row fires when the question asks for its type and the top
clause holds no evidence of it: a question asking for a sum of money is not answered by a clause without one.
A row stays only while its refusals are right on held-out sets (``askplan eval`` reports each check's precision);
``status`` (进展如何, 完成了没有 against a clause without 已/累计/建成 …) was removed in session 7: 2 of its 7 held-out
refusals were right, since a question about work done now ranks a review chapter's clause first where one exists.

Every row carries examples its ``asks`` pattern must match and counter-examples it must not;
``tests/test_answer_types.py`` runs both. The patterns name kinds of answers, never topics or documents, and
questions and clauses are both normalised (Simplified, half-width, lower-case) before they are matched."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_CN_NUM = "一二三四五六七八九十百千万亿两零〇"


@dataclass(frozen=True)
class AnswerType:
    name: str
    asks: re.Pattern[str]
    evidence: re.Pattern[str]
    reason: str
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...]
    # For a row whose ``asks`` names the unit it wants (group ``unit``): what counts as that unit in a clause.
    # The evidence is then a number followed by it (``evidence`` holds ``{unit}``): 几次 needs 2次, not any digit.
    units: dict[str, str] | None = None

    def refuses(self, question: str, clause: str) -> bool:
        asked = self.asks.search(question)
        if not asked:
            return False
        if self.units is None:
            return not self.evidence.search(clause)
        return not _unit_evidence(self.evidence.pattern, self.units[asked.group("unit")]).search(clause)


@lru_cache(maxsize=64)
def _unit_evidence(template: str, unit: str) -> re.Pattern[str]:
    return re.compile(template.replace("{unit}", unit))


ANSWER_TYPES: tuple[AnswerType, ...] = (
    AnswerType(
        "person",
        re.compile(r"叫什么名字|姓名|是哪位|哪(?:一|几)?位[省市区县]?(?:领导|同志|专家|负责人)|(?:负责人|组长|理事长|主任|局长|厅长|省长|市长|书记|院长)"
                   r"[^，,。？?]{0,4}(?:是谁|叫什么)|谁(?:担任|来当|当)"),
        re.compile(rf"同志|先生|女士|(?:省长|市长|主任|书记|组长|局长|厅长|理事长)\s*[\u4e00-\u9fff]{{2,3}}(?![{_CN_NUM}\u4e00-\u9fff])"),
        "问题问的是人名；条款只写单位和职务，不写人名",
        ("示范区理事会的理事长叫什么名字", "领导小组组长是谁", "由哪位领导分管", "谁担任工作专班的组长", "执委会主任现在是谁",
         "联席会议由哪位市领导担任召集人", "专家组里派了哪几位专家"),
        ("谁牵头碳达峰工作", "哪个部门负责数据跨境", "责任单位是哪些", "由谁负责统筹协调"),
    ),
    AnswerType(
        "money",
        re.compile(r"多少钱|多少资金|多少经费|多少补贴|(?:补贴|奖励|奖补|补助|资助|扶持|支持|投资|投入|出资|拨款|给)(?:了|资金)?"
                   r"(?:多少|几(?:万|千|百|亿))|金额|资金规模|预算(?:是)?多少|罚款(?:是)?多少|罚多少|多少(?:万|亿)?(?:元|块)"
                   r"|多少(?:补助|奖励|奖金)"),
        re.compile(rf"\d[\d.,]*\s*(?:万|亿)?(?:元|美元)|[{_CN_NUM}]+(?:万|亿)?元|万元|亿元|美元"),
        "问题问的是金额；条款没有写金额",
        ("企业上云能补贴多少钱", "每年安排多少资金", "奖补金额是多少", "省里给多少万", "违规的罚款多少",
         "三年计划的总投资规模是多少亿元", "服务费每人每年多少元", "重建一户能拿多少补助"),
        ("补贴政策有哪些", "资金怎么管", "投资项目谁负责", "有多少个园区"),
    ),
    AnswerType(
        "date",
        re.compile(r"什么时候|何时|哪天|哪一天|几月几(?:日|号)|哪(?:一)?年(?:前|底|能|会|建成|通车|完成|实现)?(?=$|[?？，,]|建|通|完|实|投)"
                   r"|截止(?:日期|时间)|几号|具体日期|几月(?:底|份|初|中旬|下旬)?前|哪个月"),
        re.compile(rf"\d{{4}}\s*年|\d{{1,2}}\s*月|[{_CN_NUM}]+月|年底|年前|年内|月底|月前|到期|期间|以前|之前|以后|之后|\d{{4}}-\d"),
        "问题问的是具体日期；条款没有写日期",
        ("这个文件什么时候印发的", "条例何时施行", "申报截止日期是哪天", "几月几号开会", "高铁预计哪年通车",
         "每年公布工作情况须在几月底前完成", "哪个月开始申报"),
        ("到2025年要达到多少", "什么是飞地经济", "有哪些时间要求吗", "哪年的数据", "几个月内办结"),
    ),
    AnswerType(
        "contact",
        re.compile(r"电话|联系方式|热线|网址|邮箱|官网|二维码|公众号|(?:办公)?地址(?:在哪|是)"),
        re.compile(r"\d{7,}|@|https?://|www\.|电话|热线|网址"),
        "问题问的是联系方式；条款没有写",
        ("咨询电话是多少", "申报网址是什么", "有没有联系方式", "办公地址在哪"),
        ("数据中心建在哪", "哪个部门负责", "电力设施怎么建"),
    ),
    AnswerType(
        "procedure",
        re.compile(r"(?:怎么|如何|怎样|到哪|去哪|在哪)(?:里)?(?:申请|申报|报名|办理|提交|备案|登记)|(?:申请|申报|办理|审批)(?:的)?(?:流程|程序|手续|步骤)"
                   r"|(?:需要|要)(?:准备|提交|交)?(?:哪些|什么)(?:材料|资料|证件)|(?:具备|取得|需要)(?:什么|哪些)资质"),
        re.compile(r"申请|申报|提交|材料|流程|程序|手续|办理|受理|报名|备案|登记|审批|认定|资质"),
        "问题问的是办理手续；条款没有写",
        ("企业怎么申请补贴", "去哪里报名", "申报流程是什么", "需要提交哪些材料", "公司需要取得什么资质"),
        ("谁负责审批改革", "审批制度怎么改", "怎么推进一体化"),
    ),
    AnswerType(
        "figure",
        re.compile(r"多少(?!钱|资金|经费|补贴)|(?<!哪)几(?:个|家|项|座|条|年)|百分之几|占比|比重是|比例是|增长了?几|多大|多长|多高|多远|多久"),
        re.compile(rf"\d|[{_CN_NUM}]+(?:个|家|项|座|条|年|倍|成|%|万|亿|大|类|批|所|次|公里|千米|米|吨|人|天|小时)|翻一番|翻番|过半|全覆盖"),
        "问题问的是具体数字；条款没有给出",
        ("要建多少个充电桩", "森林覆盖率达到多少", "有几家企业", "占比是多少"),
        ("有哪些重点任务", "由谁负责", "怎么推进", "归哪几个部门管", "示范区包括哪几个地方"),
    ),
    AnswerType(
        "measured",
        # how many of a unit of measure: 几次, 多少吨, 多少平方公里, 几点 (not 哪几个, not 有几辆 = a few)
        re.compile(r"(?:(?<![哪那这])多少|(?<![哪那这有])几)(?:万|千|百|亿)?"
                   r"(?P<unit>个工作日|人次|次|吨|平方公里|平方米|公里|千米|公顷|亩|份|点|台|辆|套|架|艘|床|张|名|位|户|场|届)"),
        re.compile(rf"(?:\d|[{_CN_NUM}])\s*(?:万|千|百|亿)?\s*(?:{{unit}})"),
        "问题问的是某个计量单位的数；条款没有给出",
        ("一年开展几次督查", "几个工作日内办结", "要治理多少平方公里", "储备粮存了多少吨", "地铁几点收车", "新建多少公里高速", "参会的有多少人次"),
        ("有哪几个城市", "公司有几辆车要年检，归谁管", "有多少个园区", "要培育多少家企业", "这几次会议的精神是什么"),
        units={"个工作日": "个?工作日", "人次": "人次", "次": "次", "吨": "吨", "平方公里": "平方公里", "平方米": "平方米|平米", "公里": "公里|千米",
               "千米": "公里|千米", "公顷": "公顷", "亩": "亩", "份": "份", "点": "点|时|:", "台": "台", "辆": "辆",
               "套": "套", "架": "架", "艘": "艘", "床": "床|张", "张": "张", "名": "名|人", "位": "位|人", "户": "户",
               "场": "场", "届": "届"},
    ),
    AnswerType(
        "list",
        # a 名单 asked for (入选名单有哪些), not a blacklist talked about (黑名单, 红名单)
        re.compile(rf"具体(?:是|指|包括)?(?:指)?哪(?:[0-9{_CN_NUM}]+|几)(?:个|项|条|家|所|类|大|座|批)"
                   r"|(?<![黑红紅白])名单|分别是(?:哪些|什么)"
                   # which named entities exactly (firms, places, projects), not 具体有哪些要求
                   r"|(?:具体|第一批|首批)(?:都)?(?:有|是|包括)?哪些(?:企业|公司|单位|机构|街道|乡镇|镇|村|地区|地方|城市|省份|省|市|县"
                   r"|区|园区|项目|学校|高校|医院|产品|品种)"),
        re.compile(r"(?:包括|包含|分别是|分别为|即|[:：])[^。；;]{0,60}、"),
        "问题要一份名单；条款没有列出",
        ("一地六县具体是指哪六个县", "30项举措具体是哪30条", "入选名单有哪些企业", "三个平台分别是什么", "首批试点具体是哪些城市",
         "具体包括哪些乡镇"),
        ("有哪些重点任务", "示范区包括哪几个地方", "都有哪些支持政策", "具体有哪些要求", "哪些企业可以申请",
         "欠薪黑名单能跨省共享吗", "红名单企业有什么激励"),
    ),
)


def refusing_type(question: str, clause: str) -> AnswerType | None:
    """The first answer type the question asks for that the clause gives no evidence of, or None."""
    return next((t for t in ANSWER_TYPES if t.refuses(question, clause)), None)
