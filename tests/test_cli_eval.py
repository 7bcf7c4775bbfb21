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
