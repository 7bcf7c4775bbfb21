"""What a question asks, read from its normalised (Simplified, half-width) text: a clause by number, who
leads, or a plain topic. Patterns live in named, ordered tables."""

from __future__ import annotations

import re
from dataclasses import dataclass

from askplan.numerals import NUMERAL_CHARS, NUMERAL_RUN, parse_cn_numeral
from askplan.tokenize import bigrams

_NUM = NUMERAL_RUN
CLAUSE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("paren", re.compile(rf"\(\s*({_NUM})\s*\)")),               # （二十五） / (25)
    ("ordinal", re.compile(rf"第\s*({_NUM})\s*(?:条|項|项|款|点|个措施|部分)")),  # 第二十五条 / 第25条
    ("measure", re.compile(rf"(?:措施|条款|条目|clause)\s*({_NUM})")),  # 措施二十五
    # 方案第25 / 第25是什么; not 第一时间, 第五航权, 排第一的: the ordinal must stand alone
    ("bare_ordinal", re.compile(rf"(?<!排)第\s*({_NUM})(?=\s*(?:$|[?？!！。,，、]|是|讲|说|写|规定|内容|的内容))")),
    ("count_tiao", re.compile(rf"(?<![{NUMERAL_CHARS}0-9])({_NUM})\s*条(?:讲|说|是|内容|写|规定|的内容)")),  # 二十五条讲什么
)
LEAD_CUES = re.compile(
    r"谁(?:来)?(?:牵头|负责|主抓|来抓|抓|管|主管|落实|承担)|由谁(?:来)?(?:抓|负责|牵头|落实|管)?|归谁|哪(?:个|些|一个|几个)?(?:部门|单位|机构|厅|局)"
    r"|什么(?:部门|单位)|责任(?:单位|部门|主体)|牵头(?:单位|部门)|负责(?:单位|部门)|主管部门|牵头的是|是谁牵头"
)
# 印发给哪些单位 asks who received a notice, not who leads.
RECIPIENTS = re.compile(r"(?:发|送|印发|下发|抄送)(?:给|到|至)了?(?:哪些|哪个|哪几个|什么)(?:部门|单位|机构)")
FILLER = re.compile(r"[?？!！。,，、]|是哪一条|哪一条|是哪条|哪条|第几条|在哪里|在哪|是什么|有哪些|是哪些|是多少|讲的?什么|讲啥|说的?什么|内容|请问|一下|吗|呢|的工作$")


SECTION_REF = re.compile(rf"第\s*({_NUM})\s*章(?:\s*第\s*({_NUM})\s*节)?")
# 第三部分第五项 / 第二部分（一）/ 第（二）部分第2项: an item by its place under a numbered part (a report's 三、 and
# its （五）), keyed X.Y by the parser. Not 附件第二部分: an annex is numbered apart from the body.
PART_REF = re.compile(rf"(?<!附件)(?<!附件\d)第\s*\(?\s*({_NUM})\s*\)?\s*部分\s*(?:的|(?:里|中|当中)(?:的|头|面|面的|头的)?)?\s*"
                      rf"(?:第\s*\(?\s*({_NUM})\s*\)?\s*(?:项|条|点|款)|\(\s*({_NUM})\s*\))")
# 6.4.2那一段 / 4.2.1讲什么 / 第3.2节: a decimal section (an 应急预案's or a 标准's numbering), keyed by its printed
# number. Three levels or more stand alone; two (3.2) only before a word for a part, as 3.5亿元 is an amount.
DECIMAL_REF = re.compile(r"(?<![\d.．])第?\s*(\d{1,2}(?:[.．]\d{1,2}){2,4})(?![\d.．%％])"
                         r"|(?<![\d.．])第?\s*(\d{1,2}[.．]\d{1,2})(?=\s*(?:节|条|款|项|段|部分|小节|那|这|里|中|讲|说))")
# "<a unit> (都)牵头/负责/管 哪些/哪几条/什么(工作)": the measures of one unit (the department view). A who-leads
# question names a topic instead (谁牵头碳达峰工作), so the words before the verb must end like a unit's name.
DEPARTMENT_CUE = re.compile(
    r"^(?:请问|问一下|想问一下?)?(?P<unit>[^\s?？!！。,，、]{2,40}?)(?:都|主要|具体|一共|总共|共|还|分别)?"
    r"(?:牵头|负责|主管|分管|管|抓|承担)(?:了|着)?的?(?:工作|任务|事项|事情|事|条款|措施)?(?:有|是|包括)?"
    r"(?:哪些|哪几条|哪几项|哪几个|几条|多少条|多少项|什么|啥)"
)
UNIT_ENDING = re.compile(r"(?:厅|委|局|办|会|行|关|府|部|院|组|班|司|团|企业|单位|中心|处|室)$")


@dataclass(frozen=True)
class Intent:
    clause_number: int | None
    who_leads: bool
    topic: str  # the question with cue words removed, for retrieval
    section: tuple[int, int] | None = None  # 第五章第二节 -> (5, 2); 第五章 -> (5, 0)
    part: tuple[int, int] | None = None  # 第三部分第五项 -> (3, 5)
    decimal: str | None = None  # 6.4.2那一段 -> "6.4.2"
    department: str | None = None  # 省发改委牵头哪些工作 -> "省发改委" (as typed, normalised)


def read_intent(norm_question: str) -> Intent:
    section = section_ref(norm_question)
    part = None if section else part_ref(norm_question)
    decimal = None if section or part else decimal_ref(norm_question)
    number = None if section or part or decimal else clause_number(norm_question)
    department = department_named(norm_question)
    who = bool(LEAD_CUES.search(norm_question)) and department is None and not RECIPIENTS.search(norm_question)
    topic = LEAD_CUES.sub(" ", norm_question)
    for _, pattern in CLAUSE_PATTERNS:
        topic = pattern.sub(" ", topic) if number is not None else topic
    topic = SECTION_REF.sub(" ", topic) if section else PART_REF.sub(" ", topic) if part else topic
    topic = DECIMAL_REF.sub(" ", topic) if decimal else topic
    topic = re.sub(r"\s+", " ", FILLER.sub(" ", topic)).strip()
    return Intent(number, who, topic, section=section, department=department, part=part, decimal=decimal)


def decimal_ref(norm_question: str) -> str | None:
    """The decimal section a question names (6.4.2那一段 -> "6.4.2"), or None."""
    m = DECIMAL_REF.search(norm_question)
    return (m.group(1) or m.group(2)).replace("．", ".") if m else None


def department_named(norm_question: str) -> str | None:
    """The unit a question asks about (省发改委牵头哪些工作 -> 省发改委), or None."""
    m = DEPARTMENT_CUE.search(norm_question)
    unit = m.group("unit") if m else ""
    if not UNIT_ENDING.search(unit) or re.search(r"谁|哪|什么", unit):
        return None
    return unit


def section_ref(norm_question: str) -> tuple[int, int] | None:
    m = SECTION_REF.search(norm_question)
    if not m:
        return None
    try:
        return parse_cn_numeral(m.group(1)), parse_cn_numeral(m.group(2)) if m.group(2) else 0
    except ValueError:
        return None


def part_ref(norm_question: str) -> tuple[int, int] | None:
    m = PART_REF.search(norm_question)
    if not m:
        return None
    try:
        return parse_cn_numeral(m.group(1)), parse_cn_numeral(m.group(2) or m.group(3))
    except ValueError:
        return None


def clause_number(norm_question: str) -> int | None:
    for _, pattern in CLAUSE_PATTERNS:
        for m in pattern.finditer(norm_question):
            try:
                n = parse_cn_numeral(m.group(1))
            except ValueError:
                continue
            if 0 < n < 1000:
                return n
    return None


@dataclass(frozen=True)
class AskCue:
    name: str
    pattern: re.Pattern[str]
    examples: tuple[str, ...]  # normalised questions (or clauses) it must match
    counter_examples: tuple[str, ...]  # and ones it must not


# What a who-question asks for, read by answer.prose_duty where the text names units only in its prose.
ASK_CUES = (
    # the clause of a question that holds its question word: 这块由谁来监督检查 of 公司…，这块由谁来监督检查？
    AskCue("question_word", re.compile(r"谁|哪|什么(?:部门|单位|机构)|何(?:部门|单位|机构)"),
           ("这块由谁来监督检查", "要报给哪个部门备案", "归什么部门管"), ("公司自有几辆危化品运输车", "条例对常压罐体清洗有要求")),
    # asking where a report, filing or application goes, not who acts: 报给谁备案, 向哪个部门申请, 找哪个部门登记
    AskCue("recipient", re.compile(r"(?:报|交|递|送|找|向|到|设在)给?(?:谁|哪)|(?:谁|哪[^,。?!]{0,6}?)(?:备案|批准|审批|登记|受理)"),
           ("定下来之后报给谁备案", "编好以后要报给哪个部门备案", "找哪个部门登记", "向谁申请", "报谁批准", "办公室设在哪个部门"),
           ("谁牵头碳达峰工作", "这块由谁来监督检查", "渔船的大气污染防治谁管", "印发给哪些单位了")),
)
_ASK = {cue.name: cue.pattern for cue in ASK_CUES}
_CLAUSE_CUT = re.compile(r"[,，。；;:：!！?？\s]")


@dataclass(frozen=True)
class Asked:
    """What a who-question asks: the bigrams of its clause that holds the question word, and whether it asks for
    the unit something goes to (``recipient``) rather than the one that acts."""

    focus: frozenset[str] = frozenset()
    recipient: bool = False


def asked_of(norm_question: str) -> Asked:
    """``Asked`` of a normalised question: its first clause with a question word, else nothing asked."""
    for clause in _CLAUSE_CUT.split(norm_question):
        if _ASK["question_word"].search(clause):
            return Asked(frozenset(bigrams(clause)), bool(_ASK["recipient"].search(clause)))
    return Asked()
