"""Abbreviations that civil servants type and the full forms the texts print (Simplified, normalised).
Applied to questions only: the expansion is appended, so the original words still count."""

from __future__ import annotations

EXPANSIONS: dict[str, str] = {
    "能耗": "能源消费",
    "双碳": "碳达峰碳中和",
    "两高": "高耗能高排放",
    "高耗能": "两高",
    "战新": "战略性新兴",
    "新基建": "新型基础设施",
    "科创": "科技创新",
    "发改委": "发展改革委",
    "经信厅": "经济和信息化厅",
    "人社厅": "人力资源社会保障厅",
    "住建厅": "住房城乡建设厅",
    "卫健委": "卫生健康委",
    "长三角": "长江三角洲",
    "沪苏浙": "上海 江苏 浙江",
    "高铁": "高速铁路",
    "医保": "医疗保障",
    "社保": "社会保障",
    "营商": "营商环境",
    "一网通办": "政务服务",
    "淮河以北": "皖北",
    "淮北地区": "皖北",
}


def expand(norm_query: str) -> str:
    """The query plus the full forms of the abbreviations it contains."""
    extra = [full for short, full in EXPANSIONS.items() if short in norm_query and full not in norm_query]
    return " ".join([norm_query, *extra]) if extra else norm_query
