"""The Anhui YRD 14th-FYP action plan (Traditional script, Wikisource): 36 numbered clauses (一)…(三十六)
under 一、…十一、 chapters, with (責任單位:…) clauses. The reference document of the corpus stage."""

from __future__ import annotations

from pathlib import Path

import pytest

from askplan.corpus import load_document
from askplan.corpus.responsibility import ALIASES, canonical_unit, parse_responsibilities, split_units
from askplan.models import Document, Measure
from askplan.normalize import strip_edit_markers

CORPUS = Path(__file__).parents[1] / "corpus"
PLAN = CORPUS / "anhui-yrd-14fyp-action-plan-2021.txt"
TITLE = "安徽省實施長三角一體化發展規劃「十四五」行動方案"


@pytest.fixture(scope="module")
def plan() -> Document:
    return load_document(PLAN)


@pytest.fixture(scope="module")
def m25(plan: Document) -> Measure:
    return plan.measures[25]


def test_keys_are_0_to_36_in_order(plan: Document) -> None:
    assert [m.key for m in plan.measures] == [str(n) for n in range(37)] + ["annex"]  # 附件: its title line
    assert [m.ordinal for m in plan.measures] == list(range(38))
    assert all(m.id == f"{plan.slug}/{m.key}" for m in plan.measures)


def test_front_matter(plan: Document) -> None:
    assert (plan.slug, plan.title, plan.script, plan.date) == (PLAN.stem, TITLE, "traditional", "2021-12-26")


@pytest.mark.parametrize(("key", "title"), [
    (1, "指導思想"),
    (5, "着力推動皖北振興"),
    (17, "共同建設軌道上的長三角"),
    (25, "推進碳達峰碳中和"),
    (36, "營造濃厚輿論氛圍"),
])
def test_titles(plan: Document, key: int, title: str) -> None:
    assert plan.measures[key].title == title


def test_labels_as_printed_and_for_citation(m25: Measure) -> None:
    assert m25.label == "(二十五)"
    assert m25.display_label == "（二十五）"


def test_chapter_of_25(m25: Measure) -> None:
    assert m25.chapter == ("七、共同建設綠色美麗長三角",)


def test_citation(plan: Document, m25: Measure) -> None:
    assert plan.citation(m25) == f"《{TITLE}》（二十五）推進碳達峰碳中和"


def test_measure_25_has_two_clauses_with_units_and_leads(m25: Measure) -> None:
    first, second = m25.responsibilities
    assert first.text == "(責任單位:省碳達峰碳中和工作領導小組成員單位)"
    assert first.units_verbatim == ("省碳達峰碳中和工作領導小組成員單位",)
    assert first.lead == "省碳达峰碳中和工作领导小组成员单位"
    assert first.lead_verbatim == "省碳達峰碳中和工作領導小組成員單位"
    assert second.text == "(責任單位:省節能減排及應對氣候變化工作領導小組成員單位)"
    assert second.units == ("省节能减排及应对气候变化工作领导小组成员单位",)
    assert first.co_units == second.co_units == ()


def test_measure_25_clause_spans(m25: Measure) -> None:
    first, second = m25.responsibilities
    covered1 = m25.text[first.span[0]:first.span[1]]
    covered2 = m25.text[second.span[0]:second.span[1]]
    assert "碳達峰行動" in covered1 and "雙控" not in covered1
    assert "能源消費總量和強度雙控" in covered2 and "「兩高」" in covered2 and "碳達峰行動" not in covered2
    assert m25.text[first.clause_span[0]:first.clause_span[1]] == first.text
    assert first.span == (0, first.clause_span[0])
    assert second.span == (first.clause_span[1], second.clause_span[0])
    assert m25.responsibility_at(m25.text.index("「兩高」")) is second


@pytest.mark.parametrize("key", [1, 2, 34, 35, 36])
def test_no_clause(plan: Document, key: int) -> None:
    assert plan.measures[key].responsibilities == ()


def test_every_other_clause_has_a_lead(plan: Document) -> None:
    owned = [m.key for m in plan.measures if m.responsibilities]
    assert owned == [str(n) for n in range(3, 34)]
    assert all(r.lead for m in plan.measures for r in m.responsibilities)


def test_offsets_point_into_the_file(plan: Document) -> None:
    source = PLAN.read_bytes().decode("utf-8")
    for m in plan.measures:
        assert strip_edit_markers(source[m.start:m.end]) == m.text, m.id


def test_no_edit_markers_left(plan: Document) -> None:
    assert not [m.id for m in plan.measures if "[編輯]" in m.text or "[編輯]" in m.title or
                any("[編輯]" in c for c in m.chapter)]


def test_preamble_is_the_notice_only(plan: Document) -> None:
    preamble = plan.measures[0]
    assert preamble.label == "" and preamble.title == "前言及通知"
    assert "關於印發" in preamble.text
    assert "總體要求" not in preamble.text


def test_plan_unit_folds_to_simplified(plan: Document) -> None:
    clause = plan.measures[4].responsibilities[0]
    assert clause.lead_verbatim == "省發展改革委"
    assert clause.lead == "省发展改革委"
    assert canonical_unit("省發展改革委") == "省发展改革委"


@pytest.mark.parametrize(("alias", "canonical"), [
    ("省发改委", "省发展改革委"),
    ("省人力资源和社会保障厅", "省人力资源社会保障厅"),
    ("省市場監督局等", "省市场监管局"),
    (" 省商務廳等 ", "省商务厅"),
])
def test_canonical_unit_aliases(alias: str, canonical: str) -> None:
    assert canonical_unit(alias) == canonical


def test_every_alias_target_is_canonical() -> None:
    assert all(canonical_unit(target) == target for target in ALIASES.values())


@pytest.mark.parametrize("text", [
    "推進合作。(責任單位:省發展改革委、省商務廳)",
    "推进合作。（责任单位：省发展改革委、省商务厅）",
])
def test_half_and_full_width_listed_clauses(text: str) -> None:
    (clause,) = parse_responsibilities(text)
    assert clause.units == ("省发展改革委", "省商务厅")
    assert clause.lead == "省发展改革委" and clause.co_units == ("省商务厅",)
    assert text[clause.span[0]:clause.span[1]] == text[:text.index("。") + 1]


def test_city_group_expands_to_one_unit_per_city() -> None:
    units = split_units("合肥、馬鞍山、黃山等市人民政府")
    assert len(units) == 3
    assert units[:2] == ["合肥市人民政府", "馬鞍山市人民政府"]


def test_trailing_deng_dropped_from_unit() -> None:
    assert split_units("省發展改革委、省商務廳等") == ["省發展改革委", "省商務廳等"]
    assert [canonical_unit(u) for u in split_units("省發展改革委、省商務廳等")] == ["省发展改革委", "省商务厅"]


def test_city_group_drops_deng_from_last_city(plan: Document) -> None:
    assert split_units("合肥、馬鞍山、黃山等市人民政府")[-1] == "黃山市人民政府"
    assert "黄山市人民政府" in plan.measures[22].responsibilities[0].units


def test_unit_before_a_city_government_is_left_alone() -> None:
    assert split_units("省發展改革委、合肥市人民政府") == ["省發展改革委", "合肥市人民政府"]
