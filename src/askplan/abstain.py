"""Does the top clause answer the question, or only resemble it? Retrieval always returns something; these
checks decide whether to say so. Each check looks for a constraint the question states that the clause
must meet — a year, a place, a quantity, the question's rarer words — so the decision can be explained."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from askplan.models import Measure
from askplan.normalize import normalize
from askplan.tokenize import words

YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# Regions a question can name that a clause must then name too (or by its usual abbreviation): provinces,
# municipalities and countries. Cities are left out: plans name them through projects (江宁—博望 for 南京).
REGIONS: dict[str, tuple[str, ...]] = {
    "上海": ("上海", "沪"), "江苏": ("江苏", "苏浙", "沪苏", "苏皖"), "浙江": ("浙江", "浙"), "安徽": ("安徽", "皖"),
    "北京": ("北京", "京津"), "天津": ("天津",), "河北": ("河北",), "山东": ("山东",), "江西": ("江西",),
    "河南": ("河南",), "湖北": ("湖北",), "湖南": ("湖南",), "福建": ("福建",), "广东": ("广东", "粤港澳"),
    "四川": ("四川",), "重庆": ("重庆",), "香港": ("香港", "港澳"), "澳门": ("澳门", "港澳"), "台湾": ("台湾",),
    "日本": ("日本", "日韩", "中日"), "韩国": ("韩国", "日韩", "中韩"), "新加坡": ("新加坡",), "越南": ("越南",),
    "东盟": ("东盟",),
}
HOME_PLACES = {"安徽"}  # implied by an Anhui document even where its text does not say it
QUANTITY = re.compile(  # 多少钱, 几点开门, 有几个: asks for a figure; 那几个市 / 几个省联手: does not
    r"多少(?!条|处|项)|多大|多长|多高|多远|多久|(?<![哪那这])几(?:种|大|年|岁|天|成|倍|家|批|点)|(?:有|共|是)几个"
    r"|时速|金额|费用|价格|工资|门票|人数|面积"
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
# Calibrated on eval/questions.jsonl (eval/README.md has the sweep): the clause answers when it holds this
# IDF-weighted share of the question's words, or when the dense leg is at least this sure.
MIN_WORD_COVERAGE = 0.3
MIN_DENSE = 0.87


@dataclass(frozen=True)
class Verdict:
    answered: bool
    reason: str = ""


class Answerability:
    def __init__(self, measures: tuple[Measure, ...], anhui_docs: set[str]):
        self.n = len(measures)
        self.df: dict[str, int] = {}
        for m in measures:
            for w in set(words(m.norm)):
                self.df[w] = self.df.get(w, 0) + 1
        self.anhui_docs = anhui_docs

    @staticmethod
    def always() -> Verdict:
        return Verdict(True)

    def idf(self, word: str) -> float:
        return math.log((self.n + 1) / (self.df.get(word, 0) + 0.5))

    def judge(self, topic: str, measure: Measure, sentence: str | None, dense: float = 0.0) -> Verdict:
        text = measure.norm
        for year in YEAR.findall(topic):
            if year not in text:
                return Verdict(False, f"the clause says nothing about {year}")
        for place in self.missing_regions(topic, measure):
            return Verdict(False, f"the clause does not mention {place}")
        if QUANTITY.search(topic) and not NUMBER.search(normalize(sentence or "")):
            return Verdict(False, "the question asks for a figure the clause does not give")
        coverage = self.word_coverage(topic, text)
        if coverage < MIN_WORD_COVERAGE and dense < MIN_DENSE:
            return Verdict(False, f"the clause shares too little with the question ({coverage:.0%} of its key words)")
        return Verdict(True)

    def missing_regions(self, topic: str, measure: Measure) -> list[str]:
        named = set(words(topic))
        return [place for place, forms in REGIONS.items()
                if named & {place, place + "省", place + "市"} and not any(f in measure.norm for f in forms)
                and not (place in HOME_PLACES and measure.doc in self.anhui_docs)]

    def word_coverage(self, topic: str, text: str) -> float:
        """IDF-weighted share of the question's words (two characters or more) found in the text."""
        ws = list(dict.fromkeys(w for w in words(topic) if len(w) >= 2 and w not in NOT_CONTENT))
        total = sum(self.idf(w) for w in ws)
        return sum(self.idf(w) for w in ws if w in text) / total if total else 1.0
