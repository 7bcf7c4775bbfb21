"""Follow-up questions without a language model: a question that refers back to the previous answer's clause
(那配合单位有哪些？ 这条的完成时限呢？ 原文呢？) is answered from that clause — its units, its text, its dates, its
neighbours, its outline links — instead of being searched as a new question. The previous clause travels with
the question (``context`` = its measure id); nothing is stored on the server.

What counts as a follow-up is one table of intents, each with examples it must match and counter-examples it
must not (tests/test_followup.py runs both). A question is a follow-up when it matches an intent and either
starts with a word that refers back (那, 这条, 它 …) or says nothing else (配合单位呢？)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from askplan.models import Measure
from askplan.normalize import normalize


@dataclass(frozen=True)
class FollowUpIntent:
    name: str
    pattern: re.Pattern[str]
    examples: tuple[str, ...]  # follow-ups it must recognise (with a previous clause)
    counter_examples: tuple[str, ...]  # new questions it must leave alone


# Ordered: the first intent that matches wins (同一部门的任务 before 牵头, 牵头 before 配合).
FOLLOW_UP_INTENTS: tuple[FollowUpIntent, ...] = (
    FollowUpIntent("same_department", re.compile(
        r"(?:牵头单位|牵头部门|它|他们|该单位|这个单位|这个部门)还(?:牵头|负责|承担|管)|同一(?:个)?(?:部门|单位)的?(?:其他|其它)?(?:任务|工作)|还(?:牵头|负责)了?(?:哪些|什么|别的)"),
        ("牵头单位还负责哪些工作？", "同一部门的其他任务有哪些？", "那它还牵头什么？"),
        ("省发改委牵头哪些工作？", "谁牵头碳达峰工作？")),
    FollowUpIntent("co_units", re.compile(
        r"配合(?:单位|部门)|协同(?:单位|部门)|参与(?:单位|部门)|还有(?:哪些|谁|什么)(?:单位|部门)|哪些(?:单位|部门)(?:配合|参与)"),
        ("那配合单位有哪些？", "配合部门呢？", "这条还有哪些单位参与？", "那么哪些部门配合？"),
        ("碳达峰的配合单位有哪些？", "能耗双控谁负责？", "皖北振兴是哪一条？")),
    FollowUpIntent("lead", re.compile(r"谁(?:来)?(?:牵头|负责|主抓)|牵头(?:单位|部门)|责任(?:单位|部门)|由谁"),
                   ("那这条谁牵头？", "它的牵头单位是？", "责任单位呢？"),
                   ("谁牵头碳达峰工作？", "数字长三角由谁负责？")),
    FollowUpIntent("deadline", re.compile(r"时限|期限|什么时候|何时|哪一年|时间节点|完成时间|截止|到哪年"),
                   ("这条的完成时限呢？", "那什么时候完成？", "时间节点是？"),
                   ("碳达峰什么时候实现？", "城镇化率到哪年达到65%？")),
    FollowUpIntent("basis", re.compile(r"上位|依据|出处|落实(?:了)?(?:纲要|哪)|对应纲要|纲要(?:哪|的哪)"),
                   ("这条的上位规划依据是什么？", "它依据纲要哪一节？", "出处呢？"),
                   ("能耗双控的依据是什么？", "示范区条例的立法依据是什么？")),
    FollowUpIntent("neighbours", re.compile(r"(?:上|下|前|后)一条|(?:上|下)条|前后(?:条款|两条)?"),
                   ("下一条是什么？", "那上一条呢？", "这条的前后两条讲什么？"),
                   ("第二十五条讲什么？", "上海的示范区条例有多少条？")),
    FollowUpIntent("text", re.compile(r"原文|全文|原话|怎么(?:写|说|规定)的?|具体(?:内容|怎么说|要求)|讲(?:了)?(?:什么|啥)|内容是什么"),
                   ("这条的原文是什么？", "原文呢？", "它具体怎么写的？", "那这条讲了什么？"),
                   ("行动方案的原文在哪里下载？", "第二十五条讲什么？", "碳达峰碳中和具体要求是什么？")),
)
REFERS_BACK = re.compile(r"^(?:请问|那么?|那这|这一?条|该条|本条|此条|这项|这个|它|其|上面|上述|刚才|那条|同一)")
# Words that say nothing on their own: what is left of a follow-up once its intent and these are removed.
FILLER = re.compile(r"[?？!！。,，、.\s]|的|了|呢|吗|啊|是|有|哪些|什么|哪|一节|那么|那|这条|这|它|其|还|条款|工作|任务|单位|部门")
YEARS = re.compile(r"(?:到|至|于|在|从)?(?:20\d\d|19\d\d)年(?:底|前|以前|末|年底|上半年|下半年)?(?:[-—至到](?:20\d\d)年)?")


def follow_up_intent(question: str) -> FollowUpIntent | None:
    """The intent of a question that refers back to the previous clause, or None for a new question."""
    norm = normalize(question)
    for intent in FOLLOW_UP_INTENTS:
        m = intent.pattern.search(norm)
        if m is None:
            continue
        rest = FILLER.sub("", norm[:m.start()] + norm[m.end():])
        if REFERS_BACK.search(norm) or len(rest) <= 1:
            return intent
        return None
    return None


def years_in(measure: Measure) -> list[str]:
    """The sentences of a measure that name a year (到2025年…), shortened, in reading order."""
    out = []
    for sentence in re.split(r"(?<=[。；;])", measure.text):
        if YEARS.search(sentence) and sentence.strip():
            s = sentence.strip()
            out.append(s if len(s) <= 90 else s[:90] + "…")
    return out


def co_units(measure: Measure) -> list[str]:
    """Every unit named after the lead in the measure's responsibility clauses, as printed, first seen first."""
    return list(dict.fromkeys(u for r in measure.responsibilities for u in r.units_verbatim[1:]))


def leads(measure: Measure) -> list[str]:
    return list(dict.fromkeys(r.lead_verbatim for r in measure.responsibilities if r.lead_verbatim))


def follow_up_reply(intent: str, measure: Measure, basis: tuple[str, ...] = ()) -> str:
    """One line answering ``intent`` from ``measure`` (texts as printed: the caller converts the script)."""
    heading = measure.heading()
    if intent == "co_units":
        units, lead = co_units(measure), "、".join(leads(measure))
        if units:
            return f"配合单位：{'、'.join(units)}" + (f"（牵头：{lead}）" if lead else "")
        return f"{heading}只列了牵头单位{lead}，没有配合单位" if lead else f"{heading}未列明责任单位"
    if intent == "lead":
        lead = "、".join(leads(measure))
        return f"牵头单位：{lead}" + (f"；配合：{'、'.join(co_units(measure))}" if co_units(measure) else "") \
            if lead else f"{heading}未列明责任单位"
    if intent == "deadline":
        dated = years_in(measure)
        return ("本条写明的时间：" + "；".join(dated)) if dated else f"{heading}没有写明完成时限"
    if intent == "basis":
        return ("上位规划依据：" + "；".join(basis)) if basis else f"{heading}没有找到对应的上位规划条款"
    body = re.sub(r"\s+", "", measure.text)
    return f"{heading}：{body}"


def suggestions(measure: Measure, *, has_basis: bool, limit: int = 4) -> tuple[str, ...]:
    """2–4 follow-up questions the clause can answer: its co-units, its outline basis, its lead's other work,
    its dates; 原文 and 下一条 fill up when it holds fewer."""
    out = []
    if co_units(measure):
        out.append("那配合单位有哪些？")
    if has_basis:
        out.append("这条的上位规划依据是什么？")
    lead = next((r.lead for r in measure.responsibilities if r.lead), None)
    if lead:
        out.append(f"{lead}还牵头哪些工作？")  # a department question: answered by the department view
    if years_in(measure):
        out.append("这条的完成时限呢？")
    for filler in ("这条的原文是什么？", "下一条是什么？"):
        if len(out) < 2:
            out.append(filler)
    return tuple(out[:limit])
