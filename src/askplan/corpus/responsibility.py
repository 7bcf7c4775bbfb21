"""Responsibility clauses — （責任單位：…）, （省商务厅牵头，合肥海关配合）, （省商务厅负责）, 牵头考核单位：… —
and the folding of unit names to one canonical form."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from askplan.models import Responsibility
from askplan.normalize import to_simplified

_UNIT_CHARS = r"[^（）()。\n]"
_OPEN, _CLOSE = r"[（(]", r"[）)]"
_LIST_LABEL = r"(?:責任單位|责任单位|責任部門|责任部门|牵头单位|牽頭單位|牵头部门|牽頭部門|牵头考核单位|牽頭考核單位|責任主體|责任主体)"


@dataclass(frozen=True)
class ClausePattern:
    name: str
    regex: re.Pattern[str]
    example: str


# Ordered: the first pattern that matches at a position wins.
CLAUSE_PATTERNS: tuple[ClausePattern, ...] = (
    ClausePattern("listed", re.compile(rf"{_OPEN}\s*{_LIST_LABEL}\s*[:：]\s*(?P<units>{_UNIT_CHARS}+?){_CLOSE}"),
                  "(責任單位:省發展改革委、省商務廳等)"),
    ClausePattern("lead_and_assist", re.compile(
        rf"{_OPEN}(?P<lead>{_UNIT_CHARS}{{2,80}}?)(?:牵头|牽頭)(?:[,，;；、]\s*(?P<co>{_UNIT_CHARS}{{2,160}}?)"
        rf"(?:按职责分工|按職責分工)?(?:配合|參與|参与|协同|協同|负责|負責))?{_CLOSE}"), "（省商务厅牵头，合肥海关配合）"),
    ClausePattern("sole", re.compile(rf"{_OPEN}(?P<lead>{_UNIT_CHARS}{{2,60}}?)(?:负责|負責){_CLOSE}"), "（省商务厅负责）"),
    ClausePattern("trailing", re.compile(rf"{_LIST_LABEL}\s*[:：]\s*(?P<units>[^。\n（）()]+?)\s*。?\s*$", re.M),
                  "牵头考核单位：市发展改革委"),
)

_SPLIT = re.compile(r"[、,，;；/]|\s+")
_CITY_GOVERNMENT = re.compile(r"^([\u4e00-\u9fff]{2,3}?)等?(市人民政府|市政府|县人民政府|縣人民政府)$")
_BARE_PLACE = re.compile(r"^[\u4e00-\u9fff]{2,3}$")
_ORG_ENDING = re.compile(r"[省市县縣厅廳局委会會办辦部行关關司团團组組院位府处處室队隊所站心]$")
ALIASES: dict[str, str] = {
    "省发改委": "省发展改革委",
    "省发展改革委员会": "省发展改革委",
    "省发展和改革委员会": "省发展改革委",
    "省经信厅": "省经济和信息化厅",
    "省人力资源和社会保障厅": "省人力资源社会保障厅",
    "省人社厅": "省人力资源社会保障厅",
    "省住建厅": "省住房城乡建设厅",
    "省住房和城乡建设厅": "省住房城乡建设厅",
    "地方金融监管局": "省地方金融监管局",
    "省市场监督局": "省市场监管局",
    "省市场监督管理局": "省市场监管局",
    "省生态环境保护厅": "省生态环境厅",
    "省卫健委": "省卫生健康委",
    "省应急管理厅": "省应急厅",
    "省文化旅游厅": "省文化和旅游厅",
}


def canonical_unit(name: str) -> str:
    """Fold a unit name: Simplified script, half-width, no spaces, no trailing 等, known aliases."""
    s = to_simplified(unicodedata.normalize("NFKC", name))
    s = re.sub(r"\s+", "", s).strip("、,，;；。.")
    s = re.sub(r"(?:等(?:单位|部门)?)$", "", s)
    return ALIASES.get(s, s)


def split_units(raw: str) -> list[str]:
    """Verbatim unit names from a clause's list, expanding 合肥、蕪湖等市人民政府 into one name per city."""
    parts = [re.sub(r"(?:按职责分工|按職責分工)$", "", p.strip()) for p in _SPLIT.split(raw)]
    parts = [p for p in parts if p and p not in ("等", "和")]
    for i, part in enumerate(parts):
        m = _CITY_GOVERNMENT.match(part)
        if not m:
            continue
        parts[i] = m.group(1) + m.group(2)
        j = i - 1
        while j >= 0 and _BARE_PLACE.match(parts[j]) and not _ORG_ENDING.search(parts[j]):
            parts[j] += m.group(2)
            j -= 1
    return parts


def find_clauses(text: str) -> list[tuple[int, int, list[str], list[str]]]:
    """(start, end, lead-group units, co-units) for every clause in ``text``, in order."""
    found: list[tuple[int, int, list[str], list[str]]] = []
    taken: list[tuple[int, int]] = []
    for pattern in CLAUSE_PATTERNS:
        for m in pattern.regex.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            groups = m.groupdict()
            leads = split_units(groups.get("units") or groups.get("lead") or "")
            co = split_units(groups.get("co") or "")
            if leads and all(_looks_like_unit(u) for u in leads):
                found.append((m.start(), m.end(), leads, co))
                taken.append((m.start(), m.end()))
    return sorted(found)


def _looks_like_unit(name: str) -> bool:
    return 2 <= len(name) <= 40 and not re.search(r"[。！？]|简称|簡稱|以下", name)


def parse_responsibilities(text: str) -> tuple[Responsibility, ...]:
    """Every responsibility clause of a measure's text, each with the span of text it covers: from the end of the
    previous clause (or the start of the text) to the clause itself."""
    out, covered_from = [], 0
    for start, end, leads, co in find_clauses(text):
        verbatim = leads + co
        units = _dedupe(canonical_unit(u) for u in verbatim)
        lead = units[0] if units else None
        span_start = covered_from
        while span_start < start and text[span_start] in " \u3000\n\r\t":
            span_start += 1
        out.append(Responsibility(text[start:end], units, tuple(verbatim), lead, units[1:],
                                  (span_start, start), (start, end)))
        covered_from = end
    return tuple(out)


def _dedupe(items) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for item in items:
        if item:
            seen.setdefault(item)
    return tuple(seen)
