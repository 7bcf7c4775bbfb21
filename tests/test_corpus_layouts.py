"""Every layout the parser knows: the six bundled documents, one case per structure pattern and per clause
pattern, and three unseen layouts kept as small synthetic files in tests/fixtures/."""

from __future__ import annotations

from pathlib import Path

import pytest

from askplan.corpus import Corpus, check_corpus, load_corpus, load_document
from askplan.corpus.layout import HEADING_PATTERNS, KINDS_INSIDE_TERMINAL, Line, classify, first_sentence
from askplan.corpus.parser import parse_body
from askplan.corpus.responsibility import CLAUSE_PATTERNS, parse_responsibilities
from askplan.models import Document
from askplan.normalize import strip_edit_markers
from conftest import COUNTS

CORPUS = Path(__file__).parents[1] / "corpus"
FIXTURES = Path(__file__).parent / "fixtures"
FRONT = "---\ntitle: 测试方案\nissuer: 测试单位\ndate: 2021-01-01\nscript: simplified\nsource: synthetic\n---\n"


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return load_corpus(CORPUS)


def keys(doc: Document) -> list[str]:
    return [m.key for m in doc.measures]


# --- the bundled corpus -----------------------------------------------------------------------------------


def test_bundled_documents_and_counts(corpus: Corpus) -> None:
    assert {d.slug: len(d.measures) for d in corpus.documents} == COUNTS
    assert corpus.problems == ()


@pytest.mark.parametrize("slug", sorted(COUNTS))
def test_keys_unique_and_offsets_exact(corpus: Corpus, slug: str) -> None:
    doc = corpus.document(slug)
    assert len(set(keys(doc))) == len(doc.measures)
    source = Path(doc.path).read_bytes().decode("utf-8")
    for m in doc.measures:
        assert strip_edit_markers(source[m.start:m.end]) == m.text, m.id
        assert m.text.strip() and m.title, m.id


@pytest.mark.parametrize(("slug", "head", "tail"), [
    ("anhui-yrd-14fyp-action-plan-2021", ["0", "1", "2"], ["36", "annex"]),
    ("yrd-integration-outline-2019", ["0", "1.0", "1.1", "1.2", "1.3", "2.1"], ["12.4", "12.5"]),
    ("shanghai-yrd-demo-zone-regulation-2024", ["0", "1", "2"], ["65", "66"]),
    ("anhui-rcep-opening-2022", ["0", "1.0", "1", "2"], ["23", "24"]),
    ("anhui-industrial-internet-2021", ["0", "p1.1-1", "p1.1-2", "p1.2-1"], ["p2.4.4", "p2.annex"]),
    ("anhui-government-work-report-2026", ["0", "1.0-1", "1.1", "1.2-1"], ["3.11-5", "3.11-6"]),
])
def test_key_scheme_ends(corpus: Corpus, slug: str, head: list[str], tail: list[str]) -> None:
    ks = keys(corpus.document(slug))
    assert ks[:len(head)] == head and ks[-len(tail):] == tail


def test_continuous_clause_levels_have_bare_keys(corpus: Corpus) -> None:
    articles = corpus.document("shanghai-yrd-demo-zone-regulation-2024")
    assert keys(articles)[1:] == [str(n) for n in range(1, 67)]
    assert [m.label for m in articles.measures[1:4]] == ["第一条", "第二条", "第三条"]
    rcep = corpus.document("anhui-rcep-opening-2022")
    assert keys(rcep)[2:] == [str(n) for n in range(1, 25)]


def test_two_documents_in_one_file_are_prefixed(corpus: Corpus) -> None:
    ks = set(keys(corpus.document("anhui-industrial-internet-2021")))
    assert {f"p2.{n}" for n in range(1, 25)} <= ks
    assert {f"p2.box{n}" for n in range(1, 13)} <= ks
    assert {"0", "p2.0", "p2.annex"} <= ks
    assert all(k == "0" or k.startswith(("p1.", "p2.")) for k in ks)


SPOT = [
    ("anhui-yrd-14fyp-action-plan-2021/17", "(十七)", "共同建設軌道上的長三角", ("六、加強基礎設施互聯互通",),
     ("省发展改革委",)),
    ("yrd-integration-outline-2019/1.0", "第一章", "发展背景", (), ()),
    ("yrd-integration-outline-2019/3.2", "第二节", "加快都市圈一体化发展", ("第三章\u3000推动形成区域协调发展新格局",),
     ()),
    ("shanghai-yrd-demo-zone-regulation-2024/66", "第六十六条", "本条例自2024年5月1日起施行", ("第九章 附 则",), ()),
    ("anhui-rcep-opening-2022/1", "1.", "扩大优势产品出口", ("二、重点任务", "（一）大力发展货物贸易"),
     ("合肥海关", "省商务厅", "省商务厅")),
    ("anhui-rcep-opening-2022/24", "24.", "加强风险应对", ("三、保障措施",), ("省商务厅",)),
    ("anhui-industrial-internet-2021/p1.1-1", "", "培育各类工业互联网平台", ("一、支持工业互联网平台建设",),
     ("省经济和信息化厅",)),
    ("anhui-industrial-internet-2021/p2.19", "19﹒", "推动工业互联网标准体系建设",
     ("二、行动步骤", "（七）技术能力提升行动。"), ("省市场监管局",)),
    ("anhui-industrial-internet-2021/p2.box1", "专栏1", "工业互联网网络互联互通工程",
     ("二、行动步骤", "（一）网络体系强基行动。"), ()),
    ("anhui-government-work-report-2026/1.1", "（一）", "精准施策稳经济，回升向好态势巩固拓展",
     ("一、2025年工作和“十四五”发展回顾",), ()),
    ("anhui-government-work-report-2026/3.1-2", "", "深入实施提振消费专项行动",
     ("三、2026年重点工作", "（一）加力扩内需稳增长"), ()),
]


@pytest.mark.parametrize(("measure_id", "label", "title", "chapter", "leads"), SPOT, ids=[s[0] for s in SPOT])
def test_spot_checks(corpus: Corpus, measure_id: str, label: str, title: str, chapter: tuple[str, ...],
                     leads: tuple[str, ...]) -> None:
    m = corpus.measure(measure_id)
    assert (m.label, m.title, m.chapter) == (label, title, chapter)
    assert tuple(r.lead for r in m.responsibilities) == leads


def test_rcep_lead_and_assist_clauses(corpus: Corpus) -> None:
    first, second, third = corpus.measure("anhui-rcep-opening-2022/1").responsibilities
    assert (first.text, first.co_units) == ("（合肥海关负责）", ())
    assert (second.text, second.co_units) == ("（省商务厅牵头，合肥海关配合）", ("合肥海关",))
    assert third.co_units == ("省农业农村厅",)


def test_industrial_lead_is_canonical_but_verbatim_kept(corpus: Corpus) -> None:
    (clause,) = corpus.measure("anhui-industrial-internet-2021/p2.19").responsibilities
    assert (clause.lead, clause.lead_verbatim) == ("省市场监管局", "省市场监督管理局")


def test_items_inside_an_article_stay_in_the_article(corpus: Corpus) -> None:
    article = corpus.measure("shanghai-yrd-demo-zone-regulation-2024/10")
    assert article.label == "第十条" and article.chapter == ("第二章 治理体制",)
    assert "（一）负责示范区发展规划" in article.text and "（四）" in article.text
    doc = corpus.document(article.doc)
    assert doc.citation(article) == f"《{doc.title}》第十条"


def test_report_has_no_responsibility_clauses(corpus: Corpus) -> None:
    doc = corpus.document("anhui-government-work-report-2026")
    assert not any(m.responsibilities for m in doc.measures)


# --- one case per structure pattern and per clause pattern ----------------------------------------------

# kind -> (number, label, title, carries a body on its own line)
HEADING_EXPECTED = {
    "annex": (None, "附件", "重點工作清單", False),
    "part": (1, "第一编", "总则", False),
    "zhang": (3, "第三章", "推动形成区域协调发展新格局", False),
    "jie": (1, "第一节", "发展基础", False),
    "article": (12, "第十二条", "本市有关行政机关可以……", True),
    "cn_chapter": (7, "七、", "共同建設綠色美麗長三角", False),
    "cn_paren": (25, "(二十五)", "推進碳達峰碳中和", False),
    "box": (1, "专栏1", "工业互联网网络互联互通工程", False),
    "arabic": (13, "13﹒", "开展工业互联网新模式推广", False),
    "arabic_paren": (1, "（1）", "加强组织领导", False),
    "section": (1, "1", "总则", False),
    "section2": (1, "1.1", "编制目的及依据", False),
    "section3": (1, "2.1.1", "国家粮食应急工作指挥部", False),
    "question": (0, "问：", "公开征求意见及吸收情况如何？", False),  # 0: numbered in order by the parser
}


def test_every_heading_pattern_has_a_case() -> None:
    assert [p.kind for p in HEADING_PATTERNS] == list(HEADING_EXPECTED)


@pytest.mark.parametrize("pattern", HEADING_PATTERNS, ids=[p.kind for p in HEADING_PATTERNS])
def test_heading_pattern_example(pattern) -> None:
    line = Line(1, 0, len(pattern.example), pattern.example)
    heading = classify(line, in_terminal=False)
    number, label, title, has_body = HEADING_EXPECTED[pattern.kind]
    assert heading is not None
    assert (heading.kind, heading.rank, heading.number, heading.label, heading.title) == (
        pattern.kind, pattern.rank, number, label, title)
    assert (heading.body_start is not None) == has_body
    inside = classify(line, in_terminal=True)
    assert (inside is not None) == (pattern.kind in KINDS_INSIDE_TERMINAL)


def test_body_paragraph_is_no_heading() -> None:
    text = "2025年，全省地区生产总值增长5.5%。"
    assert classify(Line(1, 0, len(text), text), in_terminal=False) is None


# name -> (lead, co-units)
CLAUSE_EXPECTED = {
    "listed": ("省发展改革委", ("省商务厅",)),
    "lead_and_co_labels": ("经济技术开发区", ("九里亭街道", "区规划资源局", "区建设管理委")),
    "after_deadline": ("市审批服务局", ()),
    "lead_and_assist": ("省商务厅", ("合肥海关",)),
    "sole": ("省商务厅", ()),
    "trailing": ("市发展改革委", ()),
    "prose_led_by": ("市交通委", ()),
    "prose_responsible": ("省经济和信息化主管部门", ()),
}


def test_every_clause_pattern_has_a_case() -> None:
    assert [p.name for p in CLAUSE_PATTERNS] == list(CLAUSE_EXPECTED)


@pytest.mark.parametrize("pattern", CLAUSE_PATTERNS, ids=[p.name for p in CLAUSE_PATTERNS])
def test_clause_pattern_example(pattern) -> None:
    first_match = next(p for p in CLAUSE_PATTERNS if p.regex.search(pattern.example))
    assert first_match is pattern
    (clause,) = parse_responsibilities(pattern.example)
    assert (clause.lead, clause.co_units) == CLAUSE_EXPECTED[pattern.name]
    assert clause.text in pattern.example and clause.clause_span[0] in (0, 1)


@pytest.mark.parametrize("pattern", CLAUSE_PATTERNS, ids=[p.name for p in CLAUSE_PATTERNS])
def test_clause_pattern_counter_example_is_no_clause(pattern) -> None:
    assert pattern.counter
    assert parse_responsibilities(pattern.counter) == ()


@pytest.mark.parametrize("text", ["基层干部负责联系群众。", "全部负责到底。", "内部负责审核。"])
def test_words_ending_in_bu_that_name_no_body(text) -> None:
    assert parse_responsibilities(text) == ()


@pytest.mark.parametrize(("text", "lead", "co"), [
    ("（6月底完成，牵头考核单位：市政府办公室、市公安局）", "市政府办公室", ("市公安局",)),
    ("（完成时限：2022年底；牵头单位：市发展改革委；配合单位：市财政局）", "市发展改革委", ("市财政局",)),
    ("（牵头单位：区经委；责任单位：各街镇）", "区经委", ("各街镇",)),
    ("成立由市交通委牵头，市发展改革委参加的工作专班。", "市交通委", ()),
    # national bodies named in prose: a ministry, an office, a bank, a state company
    ("公安部负责维护粮食供应场所的治安秩序。", "公安部", ()),
    ("中国农业发展银行负责落实应急粮食所需贷款。", "中国农业发展银行", ()),
    ("中国储备粮管理总公司负责中央储备粮动用计划的执行。", "中国储备粮管理总公司", ()),
])
def test_clause_forms_in_other_layouts(text, lead, co) -> None:
    (clause,) = parse_responsibilities(text)
    assert (clause.lead, clause.co_units) == (lead, co)


def test_prose_clauses_do_not_split_a_block() -> None:
    """Two paragraphs that each state a duty in prose stay one measure: only marked clauses split a block."""
    measures, _ = _parse("第七条 数据使用\n数据提供部门负责数据质量。\n数据使用部门负责数据安全。\n")
    assert len(measures) == 1 and len(measures[0].responsibilities) == 2


# --- unseen layouts (tests/fixtures) --------------------------------------------------------------------


def test_fixture_folder_checks_clean() -> None:
    loaded, problems = check_corpus(FIXTURES)
    assert problems == []
    assert [d.slug for d in loaded.documents] == [
        "city-assessment-list-2023", "county-rural-revitalization-2021", "province-digital-economy-order-2022"]


def test_assessment_list_items_with_trailing_lead() -> None:
    doc = load_document(FIXTURES / "city-assessment-list-2023.txt")
    assert keys(doc) == ["0", "1", "2", "3", "4", "5"]
    assert [m.responsibilities[0].lead for m in doc.measures[1:]] == [
        "市发展改革委", "市经济和信息化局", "市商务局", "市人力资源社会保障局", "市教育局"]
    item1 = doc.measures[1]
    assert (item1.label, item1.title, item1.chapter) == ("1．", "地区生产总值增长6%以上", ("一、经济发展",))
    assert item1.responsibilities[0].units == ("市发展改革委", "市统计局")
    assert doc.measures[4].chapter == ("二、民生保障",)
    assert "关于印发" in doc.measures[0].text and not doc.measures[0].responsibilities


def test_government_order_articles_are_measures() -> None:
    doc = load_document(FIXTURES / "province-digital-economy-order-2022.txt")
    assert keys(doc) == ["0", "1", "2", "3", "4", "5"]
    assert [m.label for m in doc.measures[1:]] == ["第一条", "第二条", "第三条", "第四条", "第五条"]
    article3 = doc.measures[3]
    assert article3.chapter == ("第二章\u3000促进措施",)
    assert "（一）加强数字基础设施建设" in article3.text and "（三）培育数据要素市场" in article3.text
    assert doc.citation(article3) == "《某省促进数字经济发展办法》第三条"
    assert "第100号" in doc.measures[0].text


def test_traditional_plan_with_full_width_labels() -> None:
    doc = load_document(FIXTURES / "county-rural-revitalization-2021.txt")
    assert doc.script == "traditional"
    assert keys(doc) == ["0", "1", "2", "3", "4"]
    assert [m.label for m in doc.measures[1:]] == ["（一）", "（二）", "（三）", "（四）"]
    leads = [m.responsibilities[0].lead if m.responsibilities else None for m in doc.measures[1:]]
    assert leads == ["县农业农村局", "县住房城乡建设局", "县委农办", None]
    first = doc.measures[1].responsibilities[0]
    assert first.units_verbatim == ("縣農業農村局", "縣發展改革委")
    heading_alone = doc.measures[3]  # （三）加強組織領導 on its own line, the body below it
    assert heading_alone.title == "加強組織領導" and heading_alone.text.startswith("各鄉鎮要建立")
    assert "发展特色产业" in doc.measures[1].norm


def test_crlf_file_parses_like_lf(tmp_path: Path) -> None:
    text = (FIXTURES / "county-rural-revitalization-2021.txt").read_bytes().decode("utf-8")
    crlf = tmp_path / "crlf-plan.txt"
    crlf.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    lf, doc = load_document(FIXTURES / "county-rural-revitalization-2021.txt"), load_document(crlf)
    assert [(m.key, m.title, m.line) for m in doc.measures] == [(m.key, m.title, m.line) for m in lf.measures]
    assert [r.lead for m in doc.measures for r in m.responsibilities] == [
        r.lead for m in lf.measures for r in m.responsibilities]


# --- known parser bugs (strict xfail: they flip to failures once fixed) ---------------------------------


def _parse(body: str):
    parsed = parse_body("t", FRONT + body, len(FRONT), FRONT.count("\n") + 1)
    return parsed.measures, parsed.numbering


def test_questions_and_answers_are_one_measure_each_numbered_in_order() -> None:
    """A 答记者问: each 问：… with its 答：… paragraphs is a measure keyed by its place; what an answer enumerates
    (（一）…, 1.…) stays in it; the lead paragraph before the first question is the preamble."""
    measures, numbering = _parse("日前，有关负责人就《意见》回答了记者提问。\n"
                                 "问：制定出台《意见》的背景是什么？\n答：近年来，资管业务快速发展。\n"
                                 "（一）规范不足。\n（二）刚性兑付。\n"
                                 "問：過渡期如何設置？\n答：过渡期为《意见》发布之日起至2020年底。\n"
                                 "问：如何规范杠杆水平？答：分类设置负债杠杆。\n")
    assert [(m.key, m.label, m.title) for m in measures[:3]] == [
        ("0", "", "前言及通知"), ("1", "问：", "制定出台《意见》的背景是什么？"), ("2", "問：", "過渡期如何設置？")]
    assert (measures[3].key, measures[3].label) == ("3", "问：")  # the answer on the question's own line
    assert "（二）刚性兑付。" in measures[1].text and "2020年底" in measures[2].text
    assert not numbering


def test_decimal_sections_after_a_contents_list_of_them() -> None:
    """An 应急预案 numbered 1 / 1.1 / 1.2.1 after a 目录 that lists the same headings: the list is no measure, keys
    follow the printed numbers, and what a section enumerates (（1）…) is its items."""
    measures, numbering = _parse("国务院办公厅关于印发国家粮食应急预案的函\n《预案》已经国务院同意，现印发给你们。\n"
                                 "目　　录\n1　总则\n　　1.1　编制目的\n　　1.2　等级划分\n2　组织机构\n"
                                 "1　总则\n1.1　编制目的\n为了有效监测和控制粮食市场。\n1.2　等级划分\n"
                                 "1.2.1　国家级：两个以上省出现粮食应急状态。\n1.2.2　省级：在一个省出现粮食应急状态。\n"
                                 "2　组织机构\n2.1　指挥部\n指挥部职责：\n（1）掌握粮食市场形势。\n（2）督查和指导。\n")
    assert [(m.key, m.title) for m in measures] == [
        ("0", "前言及通知"), ("1.1", "编制目的"), ("1.2.1", "国家级：两个以上省出现粮食应急状态"),
        ("1.2.2", "省级：在一个省出现粮食应急状态"), ("2.1.0", "指挥部"), ("2.1.1", "掌握粮食市场形势"),
        ("2.1.2", "督查和指导")]
    assert "目" not in measures[0].text  # the contents list is in no measure
    assert not numbering


def test_a_contents_list_whose_first_entry_never_comes_again_is_kept() -> None:
    parsed = parse_body("t", FRONT + "目录\n1　总则\n2　附则\n第一条 为了规范管理，制定本办法。\n", len(FRONT),
                        FRONT.count("\n") + 1)
    assert any("为了规范管理" in m.text for m in parsed.measures)
    assert not any(reason == "table of contents" for _, reason in parsed.dropped)  # nothing dropped on a guess


def test_a_bare_number_before_words_is_no_section() -> None:
    for text in ("2025 年全省地区生产总值增长5.5%。", "12　月底前完成", "1\t地区生产总值\t市统计局"):
        assert classify(Line(1, 0, len(text), text), in_terminal=False) is None, text


def test_short_assessment_item_without_full_stop_is_kept() -> None:
    measures, _ = _parse("一、经济发展\n1．地区生产总值增长6%以上，牵头考核单位：市发展改革委\n"
                         "2．规上工业增加值增长8%。牵头考核单位：市经济和信息化局\n")
    assert [(m.key, m.responsibilities[0].lead) for m in measures] == [
        ("1", "市发展改革委"), ("2", "市经济和信息化局")]


def test_full_width_digit_labels() -> None:
    measures, _ = _parse("一、经济发展\n１．地区生产总值增长6%以上。牵头考核单位：市发展改革委\n"
                         "２．规上工业增加值增长8%。牵头考核单位：市经济和信息化局\n")
    assert [(m.key, m.label) for m in measures] == [("1", "１．"), ("2", "２．")]


def test_split_item_keys_do_not_collide_with_dotted_paths() -> None:
    measures, _ = _parse(
        "一、总体要求\n（一）指导思想。坚持稳中求进工作总基调。\n二、重点任务\n"
        "1．推进外网建设。支持基础电信企业加强网络建设。（责任单位：省通信管理局）\n"
        "加快5G和千兆光网建设，实现全面覆盖。（责任单位：省经济和信息化厅）\n"
        "2．推进内网改造。支持工业企业改造企业内网。（责任单位：省经济和信息化厅）\n"
        "3．建设标识解析体系。引导龙头企业建设二级节点。（责任单位：省通信管理局）\n")
    ks = [m.key for m in measures]
    assert len(ks) == 5 and len(set(ks)) == len(ks), ks


def test_offsets_exact_in_a_file_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom-plan.txt"
    path.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "county-rural-revitalization-2021.txt").read_bytes())
    source = path.read_bytes().decode("utf-8")
    doc = load_document(path)
    assert [strip_edit_markers(source[m.start:m.end]) for m in doc.measures] == [m.text for m in doc.measures]


def test_a_title_ends_at_the_first_sentence_or_table_cell() -> None:
    assert first_sentence("优化转诊服务。统筹区域资源。") == "优化转诊服务"
    # a row of a table flattened with tab-separated cells: no tab in a title, hence none in a citation
    assert first_sentence("签约服务覆盖率\t每年增加1-3个百分点。\t家庭医生签约服务覆盖率=签约居民人数") == "签约服务覆盖率"


# --- a body printed as one line (a web page scraped without its line breaks) --------------------------------

def _one_line_body(filler: str) -> str:
    return ("各县（市、区）人民政府，市级有关部门：现就推进测试工作提出如下意见。"
            f"一、总体要求（一）指导思想。{filler}（二）发展目标。到2025年，覆盖率达到90%。{filler}"
            f"二、重点任务（三）加强组织。{filler}依照本条例第三十条规定，坚持“一、二”两个原则。"
            f"（责任单位：市教育局、市财政局）（四）强化保障。1.落实资金。{filler}2.加强督查。{filler}"
            "三、保障措施（五）加强宣传。" + filler)


def test_a_body_run_together_on_one_line_is_cut_at_its_headings():
    filler = "推进各项工作落实落细，确保取得实效。" * 40
    source = FRONT + _one_line_body(filler) + "\n"
    parsed = parse_body("t", source, len(FRONT), 8)
    titles = [(m.key, m.title) for m in parsed.measures]
    assert titles == [("0", "前言及通知"), ("1", "指导思想"), ("2", "发展目标"), ("3", "加强组织"),
                      ("2.4.1", "落实资金"), ("2.4.2", "加强督查"), ("5", "加强宣传")]
    third = next(m for m in parsed.measures if m.key == "3")
    # the references inside a sentence stay in their clause, and the clause keeps its units
    assert "依照本条例第三十条规定，坚持“一、二”两个原则" in third.text
    assert third.responsibilities[0].lead == "市教育局"
    assert parse_body("t", source, len(FRONT), 8).measures == parsed.measures  # keys stable across parses


def test_a_long_paragraph_with_an_enumeration_stays_one_line():
    """Only a run-together body is cut: a paragraph under 3,000 characters, or one whose markers do not go on
    numbering after sentence ends (a work report's 一是…二是, an inline 1. 2.), stays whole."""
    from askplan.corpus.layout import RUN_TOGETHER_CHARS, run_together, split_lines

    short = "（一）加强统筹。主要目标：1.提高效率。2.降低成本。3.改善服务。" + "推进工作。" * 100
    assert len(split_lines(short, 0, 1)) == 1
    long = ("过去一年，一是经济稳中有进。二是民生持续改善。" + "推进工作落实。" * 600)
    assert len(long) >= RUN_TOGETHER_CHARS
    line = split_lines(long, 0, 1)
    assert len(line) == 1 and run_together(line[0]) == line


_NOTICE = "湖北省人民政府：\n你省请示收悉。现将有关意见转复你省。\n{first}\n2.专家组调查意见\n3.补充材料\n国务院办公厅\n二〇〇四年十一月四日\n"


@pytest.mark.parametrize("first", ["附件：1.国土资源部关于险情调研情况的报告", "附件1.深圳湾口岸查验区界址点坐标",
                                   "附件:1、专家组意见", "附件：1．地质险情调研情况"])
def test_a_list_of_attachments_stays_in_the_notice_with_its_signature(first) -> None:
    """附件：1.X / 2.Y at a notice's end lists what is attached: the notice's own text, with the signature after
    it. Read as headings, its second entry became a measure whose text was the signature (国务院办公厅 / date)."""
    measures, _ = _parse(_NOTICE.format(first=first) + "附件1\n关于险情调研情况的报告\n一、基本情况\n马鬃山村属巴东县。\n")
    notice = measures[0]
    assert notice.key == "0" and first in notice.text and "3.补充材料" in notice.text
    assert "二〇〇四年十一月四日" in notice.text
    assert not [m for m in measures if m.label.startswith(("2", "3"))]
    assert "马鬃山村属巴东县。" in measures[-1].text and measures[-1].key != "0"


@pytest.mark.parametrize(("body", "keys"), [
    # the annex's own items start at 1: measures under annex 1, as ever
    ("现印发给你们。\n附件1.重点任务清单\n1.推进碳达峰。\n2.建设数字政府。\n", ["0", "1.1", "1.2"]),
    ("现印发给你们。\n附件：1.重点任务清单\n请认真执行。\n", ["0", "annex"]),  # one entry, no list after it
])
def test_an_annex_heading_with_a_number_is_no_list_of_attachments(body, keys) -> None:
    measures, _ = _parse(body)
    assert [m.key for m in measures] == keys


def test_an_annex_number_followed_by_a_full_stop_is_its_label() -> None:
    """附件1. alone on its line, or 附件1．重点任务清单: the stop belongs to the label, not to the title."""
    measures, _ = _parse("现印发给你们。\n附件1.\n重点任务清单\n一、推进碳达峰。\n附件2．配套政策\n一、财政支持。\n")
    annexes = {m.key: m for m in measures if m.key.startswith("annex") and "." not in m.key}
    assert not any(m.title.startswith((".", "．")) for m in measures)
    assert annexes.get("annex2") is None or annexes["annex2"].title == "配套政策"
