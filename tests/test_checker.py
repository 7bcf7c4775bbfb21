"""The draft checker: sentence splitting, quotations, diffs, reference parsing, claims, the report, the eval
scorer and ``askplan check`` — on hand-made drafts over the bundled corpus with the hash encoder (the real
model only for the precision/recall figures of eval/drafts, marked ``model``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from askplan.checker import MAX_DRAFT_CHARS, BadDraft, DraftChecker
from askplan.checker.annotate import pieces
from askplan.checker.claims import claimed_units, figures, segments
from askplan.checker.evaluate import DraftSetError, aggregate, load_drafts, run_eval, score_draft
from askplan.checker.match import merge_ops
from askplan.checker.refs import REF_PATTERNS, find_references, match_title
from askplan.checker.report import inline_diff, report_dict, report_text
from askplan.checker.text import fold_aligned, keyed, quotations, split_sentences, titles
from askplan.cli import main
from askplan.errors import NotFound

REPO = Path(__file__).resolve().parents[1]
DRAFTS = REPO / "eval" / "drafts"
PLAN = "anhui-yrd-14fyp-action-plan-2021"
OUTLINE = "yrd-integration-outline-2019"
PLAN_TITLE = "《安徽省实施长三角一体化发展规划“十四五”行动方案》"
CARBON_QUOTE = "实施碳达峰行动，统筹制定并推进落实碳达峰碳中和政策体系"


@pytest.fixture(scope="module")
def checker(hash_service) -> DraftChecker:
    return DraftChecker(hash_service)


def kinds(report, severity: str | None = None) -> list[str]:
    return [f.kind for f in report.findings if severity is None or f.severity == severity]


def only(report, kind: str):
    found = [f for f in report.findings if f.kind == kind]
    assert len(found) == 1, [(f.kind, f.message) for f in report.findings]
    return found[0]


# --- text: folding, sentences, quotations -------------------------------------------------------------------

def test_fold_aligned_keeps_offsets_and_folds_script_and_width():
    text = "實施碳達峰行動，ＧＤＰ達到６５％"
    folded = fold_aligned(text)
    assert len(folded) == len(text)
    assert folded == "实施碳达峰行动,gdp达到65%"


def test_keyed_drops_punctuation_and_remembers_offsets():
    text = "到2025年，达到2.8%左右。"
    k = keyed(fold_aligned(text))
    assert k.key == "到2025年达到2.8%左右"
    assert [text[p] for p in k.pos] == list(k.key)
    masked = keyed(fold_aligned(text), masked=((0, 7),))
    assert masked.key.startswith("\0" * 6) and masked.key.endswith("达到2.8%左右")


@pytest.mark.parametrize(("text", "expected"), [
    ("第一句。第二句！第三句？", ["第一句。", "第二句！", "第三句？"]),
    ("他说：“建设。强化。”然后继续。", ["他说：“建设。强化。”", "然后继续。"]),
    ("标题\n正文第一句。  \n\n正文第二句", ["标题", "正文第一句。", "正文第二句"]),
    ("扩大进口。（省商务厅牵头）下一句。", ["扩大进口。（省商务厅牵头）", "下一句。"]),
    ("……。\n一句", ["一句"]),
    ("没有句号的草稿", ["没有句号的草稿"]),
])
def test_split_sentences(text, expected):
    assert [text[a:b] for a, b in split_sentences(text)] == expected


def test_unclosed_quotation_does_not_swallow_the_next_line():
    text = "他说：“没有结束。\n第二行。"
    assert [text[a:b] for a, b in split_sentences(text)] == ["他说：“没有结束。", "第二行。"]


def test_quotations_are_outermost_and_closed():
    text = "要求「加快『人才飛地』建設」，又说“数字江淮”，还有'单引号'和\"直引号\"，“没有闭合"
    assert [text[a:b] for a, b in quotations(text)] == ["加快『人才飛地』建設", "数字江淮", "直引号"]
    named = "依据《行动方案》和《纲要》"
    assert [named[a:b] for a, b in titles(named)] == ["《行动方案》", "《纲要》"]


# --- diffs --------------------------------------------------------------------------------------------------

def test_merge_ops_turns_split_changes_into_one_replacement():
    from difflib import SequenceMatcher

    ops = SequenceMatcher(None, "服务能力和", "服务功能和", autojunk=False).get_opcodes()
    assert merge_ops(ops) == [("equal", 0, 2, 0, 2), ("replace", 2, 4, 2, 4), ("equal", 4, 5, 4, 5)]
    ops = SequenceMatcher(None, "12345", "1x3y5z", autojunk=False).get_opcodes()
    merged = merge_ops(ops)
    assert merged[0][1] == 0 and merged[-1][2] == 5 and merged[-1][4] == 6  # still a partition of both


def test_changed_word_is_diffed_against_the_original_script(checker):
    draft = f"《行动方案》要求“{CARBON_QUOTE.replace('统筹制定', '统一制定')}”。"
    f = only(checker.check(draft), "quote_mismatch")
    assert f.severity == "error" and "原文作「统筹」" in f.message and "（二十五）" in f.message
    changed = [p for p in f.diff if p.op != "equal"]
    assert [(p.op, p.draft, p.source, p.source_simplified) for p in changed] == [("replace", "统一", "統籌", "统筹")]
    assert "實施碳達峰行動" in f.source and "实施碳达峰行动" in f.source_simplified
    assert "".join(p.draft for p in f.diff) == draft[f.start:f.end].rstrip("。")
    assert inline_diff(f.diff, traditional=False).count("[-统筹-]{+统一+}") == 1


def test_dropped_phrase_is_reported_missing(checker):
    draft = "方案要求“强化能源消费总量和强度双控制度，严格实施煤炭消费减量替代”。"
    f = only(checker.check(draft), "quote_mismatch")
    missing = [p for p in f.diff if p.op == "missing"]
    assert missing and "遏制" in missing[0].source_simplified and "漏掉了" in f.message


# --- quotations ---------------------------------------------------------------------------------------------

def test_exact_quote_in_simplified_confirms_the_traditional_clause(checker):
    f = only(checker.check(f"{PLAN_TITLE}要求“{CARBON_QUOTE}”。"), "quote_ok")
    assert f.severity == "info" and f.citations[0].id == f"{PLAN}/25"
    assert f.citations[0].citation == "《安徽省實施長三角一體化發展規劃「十四五」行動方案》（二十五）推進碳達峰碳中和"


def test_traditional_quote_with_nested_marks_is_exact(checker):
    report = checker.check("要「深入推進江淮英才計劃，加快『人才飛地』建設」。")
    assert only(report, "quote_ok").citations[0].id == f"{PLAN}/13"


def test_script_mix_inside_a_quote_is_flagged(checker):
    f = only(checker.check("引文“實施碳达峰行動，統籌制定並推進落實碳達峰碳中和政策體系”。"), "quote_mismatch")
    assert f.severity == "warning" and "简繁混用" in f.message and "达" in f.message


def test_quote_with_ellipsis_matches_its_pieces_in_order(checker):
    report = checker.check("要求“实施碳达峰行动……共同推动全国碳排放权交易市场建设”。")
    assert only(report, "quote_ok").citations[0].id == f"{PLAN}/25"


def test_short_quoted_terms_are_not_checked(checker):
    assert kinds(checker.check("深化“放管服”改革，落实“十四五”规划。")) == []


def test_quote_found_nowhere_is_a_warning_only_when_attributed(checker):
    invented = "全面推进人工智能与量子传送在乡村振兴中的深度应用"
    attributed = only(checker.check(f"《行动方案》提出“{invented}”。"), "quote_mismatch")
    loose = only(checker.check(f"专家指出“{invented}”。"), "quote_mismatch")
    assert attributed.severity == "warning" and loose.severity == "info" and "没有找到" in loose.message


def test_unquoted_copy_with_a_swapped_word_is_a_warning(checker):
    report = checker.check("全面提升园区基础设施条件、配套服务能力和产业承载能力。")
    f = only(report, "quote_mismatch")
    assert f.severity == "warning" and "「能力」原文作「功能」" in f.message


def test_unquoted_paraphrase_with_added_words_is_not_flagged(checker):
    report = checker.check("到2025年，全省铁路网密度达到507公里/万平方公里。")
    assert "quote_mismatch" not in kinds(report)


# --- references ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("pattern", REF_PATTERNS, ids=lambda p: p.name)
def test_each_reference_pattern_matches_its_example(pattern):
    example = fold_aligned(pattern.example.split(" / ")[0])
    assert pattern.regex.search(example), (pattern.name, example)


def _refs(corpus, text):
    folded = fold_aligned(text)
    return find_references(text, folded, 0, len(text), corpus, corpus.document(PLAN), titles(text))


@pytest.mark.parametrize(("text", "number", "section", "doc"), [
    ("《安徽省實施長三角一體化發展規劃「十四五」行動方案》（二十五）提出", 25, None, PLAN),
    ("按照《行动方案》第二十五条", 25, None, PLAN),
    ("方案第25条要求", 25, None, PLAN),
    ("落实措施二十五", 25, None, PLAN),
    ("《长三角一体化发展规划纲要》第五章第二节提出", None, (5, 2), OUTLINE),
    ("纲要第五章要求", None, (5, 0), OUTLINE),
    ("条例第十二条规定", 12, None, "shanghai-yrd-demo-zone-regulation-2024"),
    ("根据（二十五）的部署", 25, None, PLAN),
])
def test_references_and_the_documents_they_name(corpus, text, number, section, doc):
    (ref,) = _refs(corpus, text)
    assert (ref.number, ref.section, ref.doc.slug) == (number, section, doc)


@pytest.mark.parametrize("text", ["（一）推进碳达峰。", "主要包括：（二）扩大开放", "其中（1）为重点", "第一章 发展背景",
                                  "第九条 本市与江苏省", "第一批试点", "第二产业增加值"])
def test_the_drafts_own_numbering_is_not_a_reference(corpus, text):
    assert _refs(corpus, text) == []


def test_titles_match_loosely_and_script_blind(corpus):
    assert match_title(corpus, "安徽省實施長三角一體化發展規劃「十四五」行動方案").slug == PLAN
    assert match_title(corpus, "安徽省实施长三角一体化发展规划十四五实施方案").slug == PLAN
    assert match_title(corpus, "长三角一体化发展规划纲要").slug == OUTLINE
    assert match_title(corpus, "中华人民共和国宪法") is None


def test_correct_reference_is_confirmed(checker):
    report = checker.check(f"根据{PLAN_TITLE}（二十五）推进碳达峰碳中和，坚决遏制“两高”项目盲目发展。")
    assert only(report, "ref_ok").citations[0].id == f"{PLAN}/25"


def test_missing_clause_names_the_range(checker):
    f = only(checker.check("方案第四十条要求进一步加强港口资源整合。"), "ref_missing")
    assert f.severity == "error" and "没有第四十条" in f.message and "（一）至（三十六）" in f.message
    assert f.candidates and not f.citations


def test_reference_to_an_unknown_document_cannot_be_checked(checker):
    f = only(checker.check("《中华人民共和国宪法》第十条规定土地归国家所有。"), "ref_missing")
    assert f.severity == "info" and "无法核对" in f.message


def test_wrong_number_with_the_right_heading_is_corrected(checker):
    f = only(checker.check("按照《行动方案》（二十四）推进碳达峰碳中和的要求，加强绿色低碳科技攻关。"), "ref_mismatch")
    assert f.severity == "error" and f.citations[0].id == f"{PLAN}/25"


def test_wrong_number_for_copied_words_is_corrected(checker):
    f = only(checker.check("《行动方案》（十七）提出，深化新一轮林长制改革，推深做实河湖长制、田长制。"), "ref_mismatch")
    assert f.citations[0].id == f"{PLAN}/22" and "（二十二）" in f.message


# --- claims -------------------------------------------------------------------------------------------------

def test_figures_units_qualifiers_and_ratios():
    text = "到2025年，城镇化率达到65%左右，铁路网密度达到507公里/万平方公里，差距控制在2.2∶1以内，建成5G基站20万个"
    assert [f.shown for f in figures(fold_aligned(text))] == ["65%左右", "507公里/万平方公里", "2.2∶1以内", "20万"]
    assert [text[a:b] for a, b in segments(text, 0, len(text))][:2] == ["到2025年", "城镇化率达到65%左右"]


@pytest.mark.parametrize(("text", "units"), [
    ("碳达峰工作由省发展改革委牵头", ["省发展改革委"]),
    ("由省商务厅和合肥海关负责", ["省商务厅", "合肥海关"]),
    ("双控由省节能减排及应对气候变化工作领导小组成员单位负责", ["省节能减排及应对气候变化工作领导小组成员单位"]),
    ("各地要切实负责", []),
])
def test_claimed_units(text, units):
    cue = max(text.rfind("牵头"), text.rfind("负责"))
    assert claimed_units(fold_aligned(text), 0, cue)[1] == units


def test_target_with_the_plans_figure_is_supported(checker):
    f = only(checker.check("到2025年，常住人口城镇化率达到65%左右。"), "claim_supported")
    assert f.citations[0].id == f"{PLAN}/2"


def test_target_with_another_figure_shows_the_clauses_figure(checker):
    f = only(checker.check("到2025年，常住人口城镇化率达到70%左右。"), "claim_unsupported")
    assert f.severity == "error" and "65%左右" in f.message and f.citations[0].id == f"{PLAN}/2"
    assert [(p.draft, p.source) for p in f.diff if p.op == "replace"] == [("70%", "65%")]
    assert "纲要" in f.message  # the outline's 70% is pointed out


def test_target_named_in_the_outline_is_checked_there(checker):
    report = checker.check("纲要明确，到2025年研发投入强度达到3%以上。")
    assert only(report, "claim_supported").citations[0].doc == OUTLINE


def test_wrong_target_year(checker):
    f = only(checker.check("到2030年，常住人口城镇化率达到65%左右。"), "claim_unsupported")
    assert f.severity == "error" and "2025" in f.message


def test_invented_target_is_unsupported_and_plain_counts_are_not_flagged(checker):
    invented = only(checker.check("到2025年，全省新能源汽车年产量达到200万辆。"), "claim_unsupported")
    assert invented.severity == "warning" and "没有找到" in invented.message
    count = only(checker.check("我省16个市都要结合实际抓好落实。"), "claim_unsupported")
    assert count.severity == "info" and count.tone == "note" and not count.flagged


def test_wrong_lead_unit_names_the_real_one(checker):
    f = only(checker.check("碳达峰工作由省发展改革委牵头。"), "claim_unsupported")
    assert f.severity == "error" and "省碳达峰碳中和工作领导小组成员单位" in f.message


def test_right_lead_unit_and_this_work_refers_back(checker):
    report = checker.check("强化能源消费总量和强度双控制度。这项工作由省节能减排及应对气候变化工作领导小组成员单位负责。")
    assert only(report, "claim_supported").citations[0].id == f"{PLAN}/25"


# --- the whole report ---------------------------------------------------------------------------------------

def test_offsets_spans_and_sentences_are_consistent(checker):
    draft = (f"关于碳达峰的汇报\n根据{PLAN_TITLE}（二十五），要“{CARBON_QUOTE}”。到2025年，常住人口城镇化率达到70%左右。"
             "方案第40条要求加强港口资源整合。")
    report = checker.check(draft)
    assert [s.text for s in report.sentences] == [draft[s.start:s.end] for s in report.sentences]
    for s in report.sentences:
        assert all(s.start <= f.start < f.end <= s.end for f in s.findings)
    assert sorted(kinds(report)) == ["claim_unsupported", "quote_ok", "ref_missing", "ref_ok"]
    data = report_dict(report)
    json.dumps(data, ensure_ascii=False)
    assert data["summary"] == {"characters": len(draft), "sentences": 4, "errors": 2, "warnings": 0, "confirmed": 2,
                               "unchecked": 0}
    finding = data["sentences"][1]["findings"][0]
    assert set(finding) >= {"kind", "severity", "message", "start", "end", "span", "citations", "diff", "source"}
    assert data["citations"][0]["url"] == f"/m/{PLAN}/25"
    text = report_text(report)
    assert "2 处错误" in text and "可粘贴的引用" in text and "✗" in text
    assert "✓" not in report_text(report, all_findings=False)
    cut = pieces(report)
    assert "".join(p.text for p in cut) == draft
    assert {p.tone for p in cut if p.notes} == {"ok", "error"}


def test_traditional_draft_gets_clause_text_in_traditional(checker):
    report = checker.check("到2025年，常住人口城鎮化率達到70%左右。")
    assert report.traditional and "常住人口城鎮化率達到65%左右" in only(report, "claim_unsupported").message


@pytest.mark.parametrize("text", ["", "   \n\t", "碳" * (MAX_DRAFT_CHARS + 1)])
def test_empty_or_too_long_draft_is_refused(checker, text):
    with pytest.raises(BadDraft):
        checker.check(text)


def test_unknown_document_is_not_found(checker):
    with pytest.raises(NotFound):
        checker.check("一句话。", doc="nope")


def test_markup_is_text_to_the_checker(checker):
    report = checker.check('<script>alert(1)</script>“实施碳达峰行动，<b>统筹</b>制定"')
    assert report.sentences and report.sentences[0].text.startswith("<script>")


# --- evaluation ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(DRAFTS.glob("*.jsonl")), ids=lambda p: p.name)
def test_draft_sets_load(path):
    drafts = load_drafts(path)
    assert drafts and len({d.id for d in drafts}) == len(drafts)


def test_bad_draft_sets_say_where(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": "一句话", "errors": [{"kind": "quote_ok", "span": "两句"}]}\n', encoding="utf-8")
    with pytest.raises(DraftSetError, match="bad.jsonl:1"):
        load_drafts(bad)
    bad.write_text('{"id": "x", "text": "一句话", "errors": [{"kind": "typo", "span": "一句"}]}\n', encoding="utf-8")
    with pytest.raises(DraftSetError, match="unknown kind"):
        load_drafts(bad)


def test_scoring_counts_flags_errors_and_confirmations(checker, tmp_path):
    path = tmp_path / "d.jsonl"
    text = "到2025年，常住人口城镇化率达到70%左右。到2025年，全社会研发投入强度达到2.8%左右。"
    path.write_text(json.dumps({"id": "t", "text": text,
                                "errors": [{"kind": "claim_unsupported", "span": "70%"}],
                                "ok": [{"kind": "claim_supported", "span": "2.8%"}]}, ensure_ascii=False),
                    encoding="utf-8")
    (draft,) = load_drafts(path)
    row = score_draft(draft, checker.check(text))
    assert (row["flags"], row["true_flags"], row["found"], row["confirmed"], row["flagged_ok"]) == (1, 1, 1, 1, 0)
    metrics = aggregate([row, {**row, "flags": 2, "true_flags": 1, "found": 0, "by_kind": {}}])
    assert metrics["precision"] == pytest.approx(2 / 3, abs=1e-4) and metrics["recall"] == 0.5


def test_dev_drafts_with_the_hash_encoder(checker):
    metrics = run_eval(checker, load_drafts(DRAFTS / "drafts.jsonl"))["metrics"]
    assert metrics["precision"] >= 0.9 and metrics["recall"] >= 0.9


@pytest.mark.model
def test_draft_sets_with_the_real_model(real_service):
    """The figures written in eval/drafts/README.md."""
    checker = DraftChecker(real_service)
    for path in sorted(DRAFTS.glob("*.jsonl")):
        metrics = run_eval(checker, load_drafts(path))["metrics"]
        assert metrics["precision"] >= 0.9 and metrics["recall"] >= 0.9, (path.name, metrics)


# --- CLI ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cli_args(hash_service) -> list[str]:
    settings = hash_service.settings
    return ["--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir), "--model", settings.model]


def run_cli(args, input=None):
    return CliRunner().invoke(main, ["check", *args], input=input)


def test_cli_reads_stdin_and_prints_text(cli_args):
    result = run_cli(["-", *cli_args], input="到2025年，常住人口城镇化率达到70%左右。")
    assert result.exit_code == 0, result.output
    assert "1 处错误" in result.output and "65%左右" in result.output and "[-65%-]{+70%+}" in result.output


def test_cli_reads_a_file_and_prints_json(cli_args, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(f"{PLAN_TITLE}（二十五）要求“{CARBON_QUOTE}”。", encoding="utf-8")
    result = run_cli([str(draft), "--json", *cli_args])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [f["kind"] for s in data["sentences"] for f in s["findings"]] == ["ref_ok", "quote_ok"]
    assert data["citations"][0]["id"] == f"{PLAN}/25"


@pytest.mark.parametrize(("text", "message"), [("碳" * (MAX_DRAFT_CHARS + 1), "limit is 20000"), ("  \n", "empty")])
def test_cli_refuses_too_long_or_empty_drafts(cli_args, text, message):
    result = run_cli(["-", *cli_args], input=text)
    assert result.exit_code == 1 and message in result.output


def test_cli_needs_a_draft_or_eval(cli_args):
    assert run_cli(cli_args).exit_code == 2
    assert run_cli(["-", "--eval", str(DRAFTS / "drafts.jsonl"), *cli_args], input="x").exit_code == 2


def test_cli_eval_prints_precision_and_recall(cli_args):
    result = run_cli(["--eval", str(DRAFTS / "drafts.jsonl"), "--json", *cli_args])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)["metrics"]
    assert metrics["drafts"] == 15 and 0 <= metrics["precision"] <= 1 and 0 <= metrics["recall"] <= 1


# --- issue 13: a report a reviewer can act on ---------------------------------------------------------------

def test_a_draft_citing_one_document_is_compared_with_it_alone(checker, corpus):
    report = checker.check("方案要求，到2025年，常住人口城镇化率达到70%左右。")
    assert report.scope == ("anhui-yrd-14fyp-action-plan-2021",)
    assert report.findings and all(c.doc in report.scope for f in report.findings for c in (*f.citations, *f.candidates))
    outline = next(d for d in corpus.documents if d.slug == "yrd-integration-outline-2019")
    assert not any(outline.title in f.message for f in report.findings)  # no “另：纲要…” aside
    cited_outline = checker.check("纲要提出，到2025年，常住人口城镇化率达到70%。")
    assert cited_outline.scope == ("yrd-integration-outline-2019",)
    assert checker.check("到2025年，常住人口城镇化率达到70%左右。").scope == ()  # cites none: the whole corpus
    # a body whose name shares words with a title (示范区执行委员会, 示范区条例) does not cite that document
    assert checker.check("长三角生态绿色一体化发展示范区执行委员会负责项目审批。").scope == ()


def test_findings_read_draft_then_source_with_a_one_line_fix(checker):
    from askplan.checker.report import draft_and_source, fix_line

    report = checker.check(f"{PLAN_TITLE}（二十五）提出“实施碳达峰行动，推进落实碳达峰碳中和政策体系”。")
    f = only(report, "quote_mismatch")
    ours, theirs = draft_and_source(f, report.text, simplified=True)
    assert "".join(t for t, _ in ours) == "实施碳达峰行动，推进落实碳达峰碳中和政策体系"  # nothing struck through
    assert ("统筹制定并", True) in theirs and "".join(t for t, _ in theirs).replace(",", "，") == CARBON_QUOTE
    assert fix_line(f, simplified=True) == "补上“统筹制定并”。"
    figure = checker.check("方案要求，到2025年，常住人口城镇化率达到70%左右。").findings[0]
    ours, theirs = draft_and_source(figure, "方案要求，到2025年，常住人口城镇化率达到70%左右。", simplified=True)
    assert ("70%", True) in ours and ("65%", True) in theirs
    assert fix_line(figure, simplified=True) == "把“70%”改为“65%”。"
    assert fix_line(only(checker.check(f"{PLAN_TITLE}（二十五）要求推进碳达峰碳中和。"), "ref_ok"), True) == ""
