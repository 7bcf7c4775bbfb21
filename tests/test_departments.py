"""The department view: the registry of responsible units over the real corpus (counts checked by hand against
the clauses), name folding and fuzzy lookup, the exports, ``askplan dept`` and the routing of department
questions in ``ask``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from askplan.cli import main
from askplan.corpus import load_corpus
from askplan.corpus.responsibility import ALIASES
from askplan.departments import (
    CSV_BOM,
    EXPORT_COLUMNS,
    AmbiguousDepartment,
    DepartmentRegistry,
    Duty,
    UnknownDepartment,
    export_rows,
    to_csv,
    to_markdown,
)
from askplan.errors import BadQuery
from askplan.intent import read_intent
from askplan.normalize import normalize
from askplan.render_answer import answer_dict, answer_text
from askplan.service import DEPARTMENT_PAGE

CORPUS = Path(__file__).parents[1] / "corpus"
PLAN = "anhui-yrd-14fyp-action-plan-2021"
RCEP = "anhui-rcep-opening-2022"
NDRC = "省发展改革委"
# Read off the plan's (責任單位:…) clauses by hand: 省發展改革委 listed first / listed later.
NDRC_PLAN_LEADS = ["4", "6", "7", "8", "11", "17", "20", "24", "26"]
NDRC_PLAN_CO = ["10", "12", "14", "18", "19", "21", "23", "28", "29", "30"]
# 省商务厅 in the RCEP opinions: （省商务厅牵头…）/（省商务厅负责） versus （…牵头，…省商务厅…配合）.
MOFCOM_RCEP_LEADS = ["1", "2", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "21", "23", "24"]
MOFCOM_RCEP_CO = ["3", "19"]


@pytest.fixture(scope="module")
def registry(corpus) -> DepartmentRegistry:
    return DepartmentRegistry.from_corpus(corpus)


def keys(duties) -> list[str]:
    return [d.measure.key for d in duties]


# --- registry ---------------------------------------------------------------------------------------------

def test_registry_size_and_order(registry):
    assert len(registry) == 68  # 67 from clauses, 市发展改革部门 from the regulation's prose (第四条)
    top = [(d.name, len(d.led), len(d.co_owned)) for d in list(registry)[:5]]
    assert top == [("省经济和信息化厅", 35, 23), ("各市人民政府", 2, 26), (NDRC, 11, 16), ("省商务厅", 17, 7),
                   ("省财政厅", 1, 18)]
    totals = [d.total for d in registry]
    assert totals == sorted(totals, reverse=True)


def test_ndrc_in_the_plan_counted_by_hand(registry):
    plan = registry.get(NDRC).in_document(PLAN)
    assert keys(plan.led) == NDRC_PLAN_LEADS and keys(plan.co_owned) == NDRC_PLAN_CO
    assert keys(plan.duties) == NDRC_PLAN_LEADS + NDRC_PLAN_CO  # led first, each in reading order
    assert plan.duties[0].clause.text.startswith("(責任單位:省發展改革委、")


def test_mofcom_in_rcep_counted_by_hand(registry):
    rcep = registry.get("省商务厅").in_document(RCEP)
    assert keys(rcep.led) == MOFCOM_RCEP_LEADS and keys(rcep.co_owned) == MOFCOM_RCEP_CO


def test_a_unit_counts_once_per_measure_and_lead_wins(registry):
    # RCEP 1: （合肥海关负责） then （省商务厅牵头，合肥海关配合） -> 合肥海关 leads measure 1, once.
    customs = [d for d in registry.get("合肥海关").duties if d.measure.id == f"{RCEP}/1"]
    assert len(customs) == 1 and customs[0].role == "lead" and len(customs[0].clauses) == 2
    # RCEP 18: 省发展改革委 leads the first clause and assists in the second -> lead, with both clauses.
    ndrc = [d for d in registry.get(NDRC).duties if d.measure.id == f"{RCEP}/18"]
    assert len(ndrc) == 1 and ndrc[0].role == "lead" and ndrc[0].clause.lead == NDRC and len(ndrc[0].clauses) == 2
    for dept in registry:
        ids = [d.measure.id for d in dept.duties]
        assert len(ids) == len(set(ids)), dept.name


def test_names_are_folded_to_one_canonical_form(registry):
    names = {d.name for d in registry}
    assert not names & set(ALIASES)  # 省发改委, 地方金融监管局, 省市场监督局 … folded away
    assert all(normalize(n) == n and not n.endswith("等") for n in names)
    assert set(registry.get(NDRC).printed) == {"省发展改革委", "省發展改革委"}
    assert "省市場監督局" in registry.get("省市场监管局").printed  # the plan's 省市場監督局等 (width, script, 等)
    assert "地方金融监管局" in registry.get("省地方金融监管局").printed


@pytest.mark.parametrize("typed", ["省发改委", "安徽省发展和改革委员会", "省發展改革委", "发改委", "省發改委", " 省发展改革委等 "])
def test_aliases_resolve_to_one_unit(registry, typed):
    assert registry.resolve(typed) is registry.get(NDRC)


@pytest.mark.parametrize(("typed", "name", "how"), [
    ("发改委", NDRC, "exact"),
    ("生态环境", "省生态环境厅", "substring"),
    ("商务", "省商务厅", "substring"),
    ("省商務廳", "省商务厅", "exact"),
    ("安徽省商务厅", "省商务厅", "exact"),
    ("海关", "合肥海关", "substring"),
    ("经信", "省经济和信息化厅", "abbreviation"),
    ("人社厅", "省人力资源社会保障厅", "exact"),
    ("卫健委", "省卫生健康委", "exact"),
    ("省科学技术厅", "省科技厅", "abbreviation"),
    ("省生态环保厅", "省生态环境厅", "overlap"),
])
def test_fuzzy_matching(registry, typed, name, how):
    match = registry.match(typed)
    assert [d.name for d in match.departments] == [name] and match.how == how


@pytest.mark.parametrize(("typed", "some"), [("人民政府", {"各市人民政府", "合肥市人民政府"}),
                                             ("省委", {"省委组织部", "省委编办", "省委政法委"}),
                                             ("合肥", {"合肥海关", "合肥市人民政府"})])
def test_ambiguous_names_list_the_candidates(registry, typed, some):
    with pytest.raises(AmbiguousDepartment) as exc:
        registry.resolve(typed)
    assert some <= set(exc.value.candidates) and typed in str(exc.value)


@pytest.mark.parametrize("typed", ["省宇宙局", "国防部", ""])
def test_unknown_names_suggest_the_nearest(registry, typed):
    with pytest.raises(UnknownDepartment) as exc:
        registry.resolve(typed)
    assert "askplan dept" in str(exc.value)
    if typed == "省宇宙局":
        assert exc.value.suggestions and all(s.endswith("局") for s in exc.value.suggestions)


def test_restricted_to_a_document(registry, corpus):
    rcep = registry.in_document(RCEP)
    assert rcep.get("省商务厅").total == 18 and rcep.get("省委组织部") is None
    assert all(d.measure.doc == RCEP for dept in rcep for d in dept.duties)
    groups = registry.get("省商务厅").by_document()
    assert [doc.slug for doc, _ in groups] == [d.slug for d in corpus.documents if d.slug in {doc.slug for doc, _ in groups}]


# --- exports ----------------------------------------------------------------------------------------------

def test_csv_has_a_bom_and_the_six_columns(registry):
    text = to_csv(EXPORT_COLUMNS, export_rows(registry.get(NDRC).in_document(PLAN), base_url="http://x"))
    assert text.startswith(CSV_BOM)
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == ["文件", "条款号", "任务", "牵头", "配合", "链接"] and len(rows) == 1 + 19
    assert rows[1][:3] == ["安徽省實施長三角一體化發展規劃「十四五」行動方案", "（四）", "形成國內國際雙循環戰略鏈接"]
    assert [r[3] == "省發展改革委" for r in rows[1:]] == [True] * 9 + [False] * 10
    assert rows[1][5] == f"http://x/m/{PLAN}/4" and "省商務廳" in rows[1][4]


def test_export_puts_the_primary_document_first(registry):
    rows = export_rows(registry.get(NDRC), primary=PLAN)
    titles = list(dict.fromkeys(r[0] for r in rows))
    assert titles[0] == "安徽省實施長三角一體化發展規劃「十四五」行動方案" and len(titles) == 3
    assert list(dict.fromkeys(r[0] for r in export_rows(registry.get(NDRC))))[0] != titles[0]


def test_markdown_table_escapes_pipes_and_newlines():
    table = to_markdown(("a", "b"), [("x|y", "line 1\nline 2")])
    assert table.splitlines() == ["| a | b |", "|---|---|", "| x\\|y | line 1<br>line 2 |"]


# --- CLI --------------------------------------------------------------------------------------------------

def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["dept", "--corpus", str(CORPUS), *args])


def test_cli_lists_every_unit_with_counts():
    result = run()
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["牵头", "配合", "合计", "单位"] and len(lines) == 1 + 68
    assert lines[1].split() == ["35", "23", "58", "省经济和信息化厅"]


def test_cli_list_json_is_ndjson():
    result = run("--json", "--doc", PLAN)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 0 and all(r["total"] == r["led"] + r["co_owned"] for r in rows)
    ndrc = next(r for r in rows if r["name"] == NDRC)
    assert (ndrc["led"], ndrc["co_owned"], ndrc["total"]) == (9, 10, 19) and "省發展改革委" in ndrc["printed"]
    assert len(rows) == len({d.name for d in DepartmentRegistry.from_corpus(load_corpus(CORPUS)).in_document(PLAN)})


def test_cli_one_unit_as_text():
    result = run("发改委", "--doc", PLAN)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "省发展改革委：牵头 9 条，配合 10 条，共 19 条"
    assert "《安徽省實施長三角一體化發展規劃「十四五」行動方案》" in lines
    assert f"  [牵头] （四）形成國內國際雙循環戰略鏈接  ({PLAN}/4)" in lines
    assert lines[-1] == f"  [配合] （三十）推動要素市場一體化  ({PLAN}/30)"


def test_cli_one_unit_as_json():
    result = run("省商務廳", "--json")
    body = json.loads(result.stdout)
    assert body["name"] == "省商务厅" and (body["led"], body["co_owned"], body["total"]) == (17, 7, 24)
    assert [m["role"] for m in body["measures"]] == ["lead"] * 17 + ["co"] * 7
    assert {d["slug"]: (d["led"], d["co_owned"]) for d in body["documents"]}[RCEP] == (16, 2)


def test_cli_csv_and_markdown():
    result = run("生态环境", "--doc", PLAN, "--format", "csv")
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbf" + "文件,条款号,任务,牵头,配合,链接\r\n".encode())  # BOM, CRLF
    csv_out = result.stdout_bytes.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(csv_out)))) == 1 + 10
    md = run("生态环境", "--doc", PLAN, "--format", "markdown").stdout.splitlines()
    assert md[:2] == ["| 文件 | 条款号 | 任务 | 牵头 | 配合 | 链接 |", "|---|---|---|---|---|---|"] and len(md) == 2 + 10
    assert md[2].startswith("| 安徽省實施長三角一體化發展規劃「十四五」行動方案 | （二十二） |") and f"| /m/{PLAN}/22 |" in md[2]


@pytest.mark.parametrize(("args", "code", "says"), [
    (["省宇宙局"], 1, "nearest: 省医保局"),
    (["人民政府"], 1, "各市人民政府、"),
    (["商务", "--doc", "nope"], 1, "no document 'nope'"),
    (["商务", "--json", "--format", "csv"], 2, "--json and --format"),
])
def test_cli_errors(args, code, says):
    result = run(*args)
    assert result.exit_code == code and says in result.stderr and not result.stdout


# --- ask routing ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("question", "unit"), [
    ("省发改委牵头哪些工作？", "省发改委"), ("生态环境厅负责哪几条？", "生态环境厅"), ("商务厅都管什么", "商务厅"),
    ("省發改委牽頭哪些工作", "省发改委"), ("请问合肥海关负责的工作有哪些", "合肥海关"),
    ("谁牵头碳达峰工作", None), ("哪个部门负责皖北振兴", None), ("碳达峰牵头哪些工作", None), ("能耗双控谁负责", None),
])
def test_intent_reads_the_unit(question, unit):
    intent = read_intent(normalize(question))
    assert intent.department == unit
    assert not (intent.department and intent.who_leads)


def test_ask_routes_department_questions(hash_service):
    answer = hash_service.ask("省发改委牵头哪些工作？")
    dept = hash_service.departments.get(NDRC)
    assert answer.kind == "department" and answer.answered and answer.department == NDRC
    # the whole list: led first, the plan before the other documents, then reading order
    expected = sorted(dept.duties, key=lambda d: (d.role != "lead", d.measure.doc != PLAN, d.row))
    assert [h.measure.id for h in answer.hits] == [d.measure.id for d in expected]
    assert [h.rank for h in answer.hits] == list(range(1, 28))
    assert all(h.responsibility.lead == NDRC for h in answer.hits[:11])
    assert all(h.responsibility.lead != NDRC for h in answer.hits[11:])


def test_ask_department_in_one_document_renders_roles(hash_service):
    answer = hash_service.ask("生態環境廳負責哪幾條？", doc=PLAN)
    assert answer.department == "省生态环境厅" and [h.measure.key for h in answer.hits][:2] == ["22", "23"]
    text = answer_text(answer)
    assert text.splitlines()[0] == "省生态环境厅：牵头 2 条，配合 8 条"
    assert "1. [牵头] 《安徽省實施長三角一體化發展規劃「十四五」行動方案》（二十二）" in text and "[配合]" in text
    body = answer_dict(answer)
    assert body["kind"] == "department" and body["department"] == "省生态环境厅" and len(body["hits"]) == 10


MIIT = "省经济和信息化厅"  # the bundled corpus's busiest unit: 58 clauses, 35 of them led


def test_a_units_answer_comes_a_page_at_a_time_and_the_pages_make_the_whole_list(hash_service):
    dept = hash_service.departments.get(MIIT)
    expected = sorted(dept.duties, key=lambda d: (d.role != "lead", d.document.slug != PLAN, d.row))
    first = hash_service.ask("省经信厅负责哪些工作？")
    assert (first.kind, first.department, first.total, first.led, first.offset) == ("department", MIIT, 58, 35, 0)
    assert len(first.hits) == DEPARTMENT_PAGE == 50 and first.next_offset == 50
    second = hash_service.ask("省经信厅负责哪些工作？", offset=first.next_offset)
    assert [h.rank for h in second.hits] == list(range(51, 59)) and second.next_offset is None
    assert [h.measure.id for h in first.hits + second.hits] == [d.measure.id for d in expected]
    text = answer_text(second)
    assert text.splitlines()[:2] == [f"{MIIT}：牵头 35 条，配合 23 条", "（第 51–58 条，共 58 条）"]
    assert "（第 1–50 条，共 58 条；下一页：--offset 50）" in answer_text(first)
    body = answer_dict(first)
    assert (body["total"], body["offset"], body["next_offset"], len(body["hits"])) == (58, 0, 50, 50)


def test_a_page_past_the_end_is_empty_and_still_answered(hash_service):
    past = hash_service.ask("省经信厅负责哪些工作？", offset=58)
    assert past.answered and past.hits == () and past.total == 58 and past.next_offset is None
    assert answer_text(past).splitlines()[1] == "（没有更多条款，共 58 条）"


def test_an_unpaged_answer_says_nothing_of_pages(hash_service):
    answer = hash_service.ask("省发改委牵头哪些工作？")
    assert answer.total == 27 and answer.next_offset is None and "条，共" not in answer_text(answer)
    topic = hash_service.ask("谁牵头碳达峰工作")
    assert topic.total is None and topic.count == len(topic.hits)
    assert answer_dict(topic)["total"] == len(topic.hits) and answer_dict(topic)["next_offset"] is None


def test_a_negative_offset_is_refused(hash_service):
    with pytest.raises(BadQuery, match="offset must be 0 or more"):
        hash_service.ask("省经信厅负责哪些工作？", offset=-1)


def test_a_units_page_reads_only_its_own_measures(hash_service, monkeypatch):
    """A unit named in a third of a million measures must not build them all to show fifty: the list is sorted
    and counted from the registry's rows and roles, and a page reads its own measures only."""
    hash_service._duty_cache.clear()
    read = set()
    real = Duty.measure
    monkeypatch.setattr(Duty, "measure", property(lambda duty: read.add(duty.row) or real.fget(duty)))
    answer = hash_service.ask("省经信厅负责哪些工作？", offset=50)
    assert read == {hash_service.corpus.rows[h.measure.id] for h in answer.hits} and len(read) == 8
    read.clear()
    in_plan = hash_service.ask("省经信厅负责哪些工作？", doc=PLAN, offset=1)
    assert len(read) == len(in_plan.hits) == in_plan.total - 1


def test_who_leads_a_topic_is_still_a_lead_question(hash_service):
    answer = hash_service.ask("谁牵头碳达峰工作")
    assert answer.kind == "lead" and answer.department is None
    assert answer_dict(answer)["department"] is None


def test_a_name_that_is_no_unit_is_asked_as_a_topic(hash_service):
    assert hash_service.ask("宇宙局负责哪些工作").kind == "topic"
    assert hash_service.ask("人民政府负责哪些工作").kind == "topic"  # ambiguous: not one unit


def test_csv_cells_cannot_be_formulas():
    text = to_csv(("a", "b"), [("=HYPERLINK(1)", "+1"), ("@SUM(A1)", "省发展改革委")])
    assert "'=HYPERLINK(1)" in text and "'+1" in text and "'@SUM(A1)" in text and ",省发展改革委" in text
