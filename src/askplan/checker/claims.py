"""Claims a draft makes about the plans: figures with units (65%, 507公里/万平方公里), target years (到2025年)
and who leads or is responsible (省发展改革委牵头). A figure is supported when a clause segment about the same
thing (IDF-weighted character bigrams) states the same figure; when the closest segment states another
figure, or another target year, the claim contradicts the clause and the clause's own words are shown."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from askplan.checker.text import fold_aligned
from askplan.models import Measure
from askplan.tokenize import bigrams

UNITS = ("个百分点|公里/万平方公里|公里/百平方公里|平方公里|万亿元|亿元|万元|元|万人次|人次|万人|人|万吨|吨|万千瓦|千瓦"
         "|公里|千米|岁|个|家|项|所|座|条|倍|小时|天|户|套|辆|台|张|处|米|亩|公顷|gw|mw|%|‰|万|亿")
FIGURE = re.compile(rf"(?<![\d.])(\d+(?:\.\d+)?)\s*({UNITS}|[∶:]\s*1(?![\d.]))(左右|以上|以内|以下|多)?")
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")
TARGET_YEAR = re.compile(r"(?:到|至|于|在)\s*((?:19|20)\d{2})\s*年(?:前|底|末)?")
TARGET_VERBS = re.compile(r"达到|实现|完成|力争|建成|突破|超过|提高到|提升至|提升到|增长|翻番|倍增|控制在"
                          r"|基本|全面|形成|显著")
RESP_CUE = re.compile(r"牵头|负责|主抓")
SEGMENT_CUT = re.compile(r"[,，;；。！？!?\n]|(?<!\d)[:：](?!\d)")
UNIT_ENDING = re.compile(r"[厅委局办会行关府部院组位司团处室心]$")
UNIT_SPLIT = re.compile(r"、|和|及|与|会同|联合")
MIN_SHARED = 3  # bigrams a clause segment must share with the claim's context
MIN_COVERAGE = 0.5  # IDF-weighted share of the context's bigrams a supporting segment must hold
NEAR_BEST = 0.15  # a segment this close to the best one may support the figure instead
SAME_FIGURE_COVERAGE = 0.3  # a segment stating the very figure needs less of the subject's words


@dataclass(frozen=True)
class Figure:
    value: str  # "65", "2.8"
    unit: str
    qualifier: str
    start: int  # in the folded sentence's coordinates (= draft offsets)
    end: int

    @property
    def shown(self) -> str:
        return f"{self.value}{'∶1' if self.unit == ':1' else self.unit}{self.qualifier}"

    def same(self, other: Figure) -> bool:
        return float(self.value) == float(other.value) and self.unit == other.unit


def figures(folded: str, start: int = 0, end: int | None = None) -> list[Figure]:
    """Figures with units in ``folded[start:end]``; years (2025年) are not figures."""
    out = []
    for m in FIGURE.finditer(folded, start, len(folded) if end is None else end):
        unit = ":1" if m.group(2)[0] in "∶:" else m.group(2)  # a ratio such as 2.2∶1
        out.append(Figure(m.group(1), unit, m.group(3) or "", m.start(), m.end()))
    return out


def target_years(folded: str, start: int, end: int) -> list[str]:
    return [m.group(1) for m in TARGET_YEAR.finditer(folded, start, end)]


def asserts_target(folded: str, start: int, end: int, seg: tuple[int, int]) -> bool:
    """Does a figure's segment state a target or an achievement (达到, 增长, 到2025年, 目标 …) rather than a
    plain count (全省16个市)?"""
    return bool(TARGET_VERBS.search(folded, *seg) or TARGET_YEAR.search(folded, start, end)
                or "目标" in folded[start:end])


def is_target(folded: str, start: int, end: int) -> bool:
    """A sentence that sets a dated target: 到2025年 … 达到/实现/基本形成 …"""
    return bool(TARGET_YEAR.search(folded, start, end)) and bool(TARGET_VERBS.search(folded, start, end))


def segments(folded: str, start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) of the comma/semicolon-separated segments of ``folded[start:end]``."""
    out, a = [], start
    for m in SEGMENT_CUT.finditer(folded, start, end):
        if m.start() > a:
            out.append((a, m.start()))
        a = m.end()
    if end > a:
        out.append((a, end))
    return out


def context_grams(text: str) -> set[str]:
    """Character bigrams of a segment without its figures and years: what the segment is about."""
    return {g for g in bigrams(YEAR.sub(" ", FIGURE.sub(" ", text))) if not any(ch.isdigit() for ch in g)}


@dataclass(frozen=True)
class Segment:
    row: int  # measure row
    start: int  # offsets into measure.text
    end: int
    grams: frozenset[str]
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Support:
    segment: Segment
    coverage: float
    same_figure: Figure | None  # the segment's figure equal to the claim's, if any


class SegmentIndex:
    """Every comma-separated segment of every measure, with its bigrams and figures, and bigram IDF."""

    def __init__(self, measures: tuple[Measure, ...]):
        self.measures = measures
        self.segments: list[Segment] = []
        for row, m in enumerate(measures):
            folded = fold_aligned(m.text)
            for a, b in segments(folded, 0, len(folded)):
                grams = frozenset(context_grams(folded[a:b]))
                if grams:
                    self.segments.append(Segment(row, a, b, grams, tuple(figures(folded, a, b))))
        self.position = {(s.row, s.start): i for i, s in enumerate(self.segments)}
        df = Counter(g for s in self.segments for g in s.grams)
        n = len(self.segments)
        self.idf = {g: math.log((n + 1) / (c + 0.5)) for g, c in df.items()}
        self.default_idf = math.log(n + 1)

    def weight(self, grams: set[str]) -> float:
        return sum(self.idf.get(g, self.default_idf) for g in grams)

    def about(self, grams: set[str], docs: set[str] | None = None, *, min_coverage: float = MIN_COVERAGE,
              min_shared: int = MIN_SHARED) -> list[tuple[float, Segment]]:
        """Segments about the same thing as ``grams``, best first: (IDF-weighted coverage, segment)."""
        total = self.weight(grams)
        if not total:
            return []
        out = []
        for s in self.segments:
            shared = grams & s.grams
            if len(shared) < min_shared or (docs and self.measures[s.row].doc not in docs):
                continue
            coverage = self.weight(shared) / total
            if coverage >= min_coverage:
                out.append((coverage, s))
        return sorted(out, key=lambda cs: (-cs[0], cs[1].row, cs[1].start))

    def support(self, figure: Figure, grams: set[str], docs: set[str] | None = None) -> Support | None:
        """The segment supporting ``figure`` (same figure, about the same thing), else the closest segment
        about the same thing (whose figures then contradict the claim), else None."""
        about = self.about(grams, docs)
        best = about[0][0] if about else 0.0
        for coverage, s in about:
            if coverage < best - NEAR_BEST:
                break
            if same := self._same_figure(s, figure):
                return Support(s, coverage, same)
        if about and any(f.unit == figure.unit for f in about[0][1].figures):
            return Support(about[0][1], about[0][0], None)  # the closest segment states another figure
        # The same figure under a looser match of its subject (城镇化率 for 常住人口城镇化率) still supports it.
        for coverage, s in self.about(grams, docs, min_coverage=SAME_FIGURE_COVERAGE, min_shared=2):
            if same := self._same_figure(s, figure):
                return Support(s, coverage, same)
        return Support(about[0][1], about[0][0], None) if about else None

    def _same_figure(self, segment: Segment, figure: Figure) -> Figure | None:
        """``figure`` in the segment or next to it (给予奖补，最高3000万元: the figure may follow its subject)."""
        for near in (segment, *self.neighbours(segment)):
            if same := next((f for f in near.figures if f.same(figure)), None):
                return same
        return None

    def neighbours(self, segment: Segment) -> list[Segment]:
        """The segments just before and after ``segment`` in the same measure."""
        i = self.position[(segment.row, segment.start)]
        return [self.segments[j] for j in (i - 1, i + 1)
                if 0 <= j < len(self.segments) and self.segments[j].row == segment.row]


def claimed_units(folded: str, start: int, cue: int) -> tuple[int, list[str]]:
    """The units named before a 牵头/负责 cue at ``cue`` (由省发展改革委、省商务厅牵头 -> two units) and where
    the first begins; empty when the words before the cue do not end like a unit's name."""
    before = folded[start:cue]
    cut = max(before.rfind(ch) for ch in ",，;；:：。 (（")
    a = start + cut + 1
    text = folded[a:cue]
    if "由" in text:
        a += text.rindex("由") + 1
    else:
        first = min((i for i in (text.find("省"), text.find("各"), text.find("市")) if i >= 0), default=0)
        a += first
    names = [n for part in folded[a:cue].rstrip("等").split("、") for n in _split_unit(part) if n]
    if not names or not all(UNIT_ENDING.search(n) for n in names):
        return a, []
    return a, names


def _split_unit(part: str) -> list[str]:
    """省商务厅和合肥海关 -> two units; 省节能减排及应对气候变化工作领导小组 stays one."""
    pieces = [p for p in UNIT_SPLIT.split(part) if p]
    return pieces if len(pieces) > 1 and all(UNIT_ENDING.search(p) for p in pieces) else [part]


def unit_matches(claimed: str, unit: str) -> bool:
    """Loose equality of canonical unit names: one contains the other (省碳达峰碳中和工作领导小组 and its
    成员单位)."""
    return claimed == unit or (len(claimed) >= 3 and (claimed in unit or unit in claimed))
