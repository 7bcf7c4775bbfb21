"""Whether a question asks about what was done or about what is to be done, and how much of a chapter reports
work already done. A work report, a review or a mid-term assessment puts both in one text (一、2025年工作回顾 …
三、2026年重点工作), in the same words; the re-ranker weighs the two against each other (feature ``tense_match``).

The cues are grammar and time words, not topics: each row of ``QUESTION_TENSES`` carries questions it must match
and questions it must not, and ``tests/test_tense.py`` runs both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TenseCue:
    name: str
    sign: int  # +1 the question asks about the past, -1 about this year or later
    pattern: re.Pattern
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...]


QUESTION_TENSES = (
    TenseCue("past", +1, re.compile(
        r"去年|上一?年度?|前年|过去(?:一|五|几|的)?年|这几年|近年来|已经|(?:做|搞|干|办|完成|取得|开展)了|"
        r"有(?:什么|哪些|啥)(?:进展|成效|成绩)|(?:进展|成效|效果)(?:怎么样|如何)"),
        ("福建去年在提振消费这块都搞了哪些活动", "过去五年GDP增长多少", "打击电诈效果怎么样", "上年度完成了多少"),
        ("今年要新建多少保障房", "谁牵头碳达峰工作", "年度计划怎么安排")),
    TenseCue("now", -1, re.compile(
        r"今年|明年|本年度?|下一步|今后|未来|接下来|打算|准备|要(?:怎么|如何|干什么|做什么|搞什么)|将要|计划(?:怎么|如何)"),
        ("今年要新建多少保障房", "下一步怎么推进城市更新", "招投标平台要怎么改", "明年的目标"),
        ("去年新建了多少保障房", "谁牵头碳达峰工作", "未成年人保护")),
)

# Markers of reported work (…了, 已…, 累计, 同比, 增长8%) and of tasks (要, 将, 力争, 加快 …) in a measure's text.
_DONE = re.compile(r"了|已经|已|累计|同比|比上年|获批|建成|增长\d|下降\d|达到|完成")
_TODO = re.compile(r"要|将|力争|确保|加快|推动|实施|深化|打造|推进|着力|持续|全面")


def question_tense(norm: str) -> int:
    """+1 (the past), -1 (this year or later) or 0 (neither, or both)."""
    signs = {cue.sign for cue in QUESTION_TENSES if cue.pattern.search(norm)}
    return signs.pop() if len(signs) == 1 else 0


def done_shares(measures) -> np.ndarray:
    """Per measure row, the share of work-done markers among all markers of its document's top chapter (of its own
    text when it has no chapter): about 0.4-0.6 in a review chapter, 0.05-0.2 in a chapter of tasks."""
    groups: dict[tuple, list[int]] = {}
    for row, m in enumerate(measures):
        groups.setdefault((m.doc, m.chapter[0]) if m.chapter else (m.doc, None, row), []).append(row)
    out = np.zeros(len(measures))
    for rows in groups.values():
        text = "".join(measures[r].text for r in rows)
        done, todo = len(_DONE.findall(text)), len(_TODO.findall(text))
        out[rows] = done / (done + todo) if done + todo else 0.0
    return out
