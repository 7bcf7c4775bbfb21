"""``askplan eval`` end to end with the fake encoder: the JSON report's shape, pooled sets, bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from askplan.cli import main
from conftest import CORPUS, PLAN, REPO


@pytest.fixture(scope="module")
def index_args(tmp_path_factory) -> list[str]:
    return ["--corpus", str(CORPUS), "--index", str(tmp_path_factory.mktemp("eval-index")), "--model", "hash-bigram-64"]


def _set(tmp_path: Path, name: str, rows: list[dict]) -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


ROWS = [
    {"id": "q001", "question": "（二十五）讲什么", "gold": [f"{PLAN}/25"], "kind": "clause"},
    {"id": "q002", "question": "谁牵头碳达峰工作", "gold": [f"{PLAN}/25"], "kind": "lead",
     "answer": "(責任單位:省碳達峰碳中和工作領導小組成員單位)"},
    {"id": "q003", "question": "省长三角办的主任是谁", "gold": [], "kind": "unanswerable"},
]


def test_json_report_has_metrics_by_kind_and_results(tmp_path, index_args):
    result = CliRunner().invoke(main, ["eval", *index_args, str(_set(tmp_path, "a.jsonl", ROWS)), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["mode"] == "hybrid"
    assert set(report["metrics"]) >= {"all", "clause", "lead", "unanswerable", f"doc:{PLAN}"}
    assert report["metrics"]["clause"]["recall@1"] == 1.0  # a clause number is answered directly, whatever the encoder
    assert report["metrics"]["unanswerable"]["abstain_recall"] == 1.0  # a person: never in the corpus
    assert [r["id"] for r in report["results"]] == ["q001", "q002", "q003"]
    assert report["results"][0]["ranked"][0] == f"{PLAN}/25"


def test_several_sets_are_pooled_with_prefixed_ids(tmp_path, index_args):
    a, b = _set(tmp_path, "a.jsonl", ROWS[:2]), _set(tmp_path, "b.jsonl", ROWS[:1])
    result = CliRunner().invoke(main, ["eval", *index_args, str(a), str(b), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [r["id"] for r in report["results"]] == ["a:q001", "a:q002", "b:q001"]
    assert report["metrics"]["all"]["questions"] == 3


def test_text_report_and_a_bundled_set(index_args):
    result = CliRunner().invoke(main, ["eval", *index_args, str(REPO / "eval" / "heldout4.jsonl"), "--mode", "bm25"])
    assert result.exit_code == 0, result.output
    assert "recall@1" in result.stdout


def test_a_malformed_line_is_named_with_its_number(tmp_path, index_args):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(ROWS[0]) + "\n{not json\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", *index_args, str(path)])
    assert result.exit_code == 1
    assert "bad.jsonl:2" in result.output and "Traceback" not in result.output


def test_no_file_is_a_usage_error(index_args):
    result = CliRunner().invoke(main, ["eval", *index_args])
    assert result.exit_code == 2


def test_report_puts_the_baseline_beside_every_group_and_check_precision(tmp_path, index_args):
    result = CliRunner().invoke(main, ["eval", *index_args, str(_set(tmp_path, "b.jsonl", ROWS)), "--json"])
    report = json.loads(result.stdout)
    assert set(report["baseline"]) == set(report["metrics"])
    assert all("baseline_ranked" in r for r in report["results"])
    assert report["checks"]["person"] == {"fired": 1, "on_unanswerable": 1, "precision": 1.0}  # 主任是谁
    assert set(report["leads"]) >= {"right unit", "another clause first"}


def test_quote_marked_sets_and_text_report(tmp_path, index_args):
    rows = [{"id": "a", "question": "碳达峰谁牵头", "doc": PLAN, "quotes": ["推進碳達峰碳中和"], "kind": "lead",
             "lead": "省碳达峰碳中和工作领导小组成员单位"},
            {"id": "b", "question": "主任是谁", "quotes": [], "kind": "unanswerable"}]
    result = CliRunner().invoke(main, ["eval", *index_args, str(_set(tmp_path, "c.quotes.jsonl", rows))])
    assert result.exit_code == 0, result.output
    assert "base recall@1" in result.stdout and "doc:anhui-yrd-14fyp-action-plan-2021" in result.stdout
    assert "who-leads questions with an expected unit (1): right unit" in result.stdout  # where each one ended


def test_calibrate_writes_a_calibration_for_the_model(tmp_path, index_args):
    rows = [{"id": f"p{i}", "question": q, "gold": [f"{PLAN}/25"], "kind": "topic"}
            for i, q in enumerate(["推进碳达峰碳中和", "碳达峰行动", "能源消费双控", "碳中和试点示范"])]
    rows += [{"id": f"n{i}", "question": q, "gold": [], "kind": "unanswerable"}
             for i, q in enumerate(["合肥明天天气", "足球比赛结果", "电影票价格", "火锅哪家好吃"])]
    out = tmp_path / "cal"
    result = CliRunner().invoke(main, ["calibrate", *index_args, str(_set(tmp_path, "t.jsonl", rows)),
                                       "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    cal = json.loads(result.stdout)
    assert cal["model"] == "hash-bigram-64" and (out / "hash-bigram-64.json").is_file()
    assert 0 < cal["threshold"] < 1


def test_calibrate_needs_both_kinds(tmp_path, index_args):
    rows = [{"id": "p", "question": "推进碳达峰", "gold": [f"{PLAN}/25"], "kind": "topic"}]
    result = CliRunner().invoke(main, ["calibrate", *index_args, str(_set(tmp_path, "u.jsonl", rows)),
                                       "--out", str(tmp_path / "cal")])
    assert result.exit_code == 1 and "both answerable and unanswerable" in result.output


def test_ask_simplified_prints_the_plan_in_simplified_script(index_args):
    result = CliRunner().invoke(main, ["ask", *index_args, "（二十五）讲什么", "--simplified"])
    assert result.exit_code == 0, result.output
    assert "推进碳达峰碳中和" in result.stdout and "推進" not in result.stdout
    plain = CliRunner().invoke(main, ["ask", *index_args, "（二十五）讲什么"])
    assert "推進碳達峰碳中和" in plain.stdout  # the original script by default
    assert "“十四五”" in result.stdout and "「十四五」" not in result.stdout  # Simplified title punctuation


def test_ask_with_context_answers_a_follow_up(index_args):
    result = CliRunner().invoke(main, ["ask", *index_args, "下一条是什么？", "--context", f"{PLAN}/25", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["kind"] == "followup" and body["hits"][0]["id"] == f"{PLAN}/26"
    unknown = CliRunner().invoke(main, ["ask", *index_args, "下一条是什么？", "--context", f"{PLAN}/999"])
    assert unknown.exit_code == 1 and "no measure" in unknown.output


def test_ask_offset_pages_a_units_list(index_args):
    result = CliRunner().invoke(main, ["ask", *index_args, "省经信厅负责哪些工作？", "--offset", "50", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert (body["total"], body["offset"], body["next_offset"]) == (58, 50, None)
    assert [h["rank"] for h in body["hits"]] == list(range(51, 59))
    text = CliRunner().invoke(main, ["ask", *index_args, "省经信厅负责哪些工作？"]).stdout
    assert "（第 1–50 条，共 58 条；下一页：--offset 50）" in text
    bad = CliRunner().invoke(main, ["ask", *index_args, "省经信厅负责哪些工作？", "--offset", "-1"])
    assert bad.exit_code == 2 and "--offset" in bad.output
