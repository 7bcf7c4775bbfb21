"""The corpus commands of the CLI: ``measures``, ``show`` and ``corpus check`` (results on stdout, problems on
stderr; exit 1 for a domain error, 2 for usage)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from askplan.cli import main
from conftest import COUNTS

CORPUS = Path(__file__).parents[1] / "corpus"
FIXTURES = Path(__file__).parent / "fixtures"
PLAN = "anhui-yrd-14fyp-action-plan-2021"
CITATION = "《安徽省實施長三角一體化發展規劃「十四五」行動方案》（二十五）推進碳達峰碳中和"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    (tmp_path / "no-front-matter.txt").write_text("一、总体要求\n（一）指导思想。坚持稳中求进。\n", encoding="utf-8")
    return tmp_path


def test_measures_lists_one_line_per_measure() -> None:
    result = run("measures", "--corpus", str(CORPUS), "--doc", PLAN)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 38
    assert lines[0] == f"{PLAN}/0\t前言及通知\t-"
    assert lines[25] == f"{PLAN}/25\t（二十五）推進碳達峰碳中和\t省碳達峰碳中和工作領導小組成員單位"


def test_measures_json_is_ndjson() -> None:
    result = run("measures", "--corpus", str(CORPUS), "--doc", PLAN, "--json")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 38
    assert all(set(row) == {"id", "label", "title", "lead"} for row in rows)
    assert rows[25] == {"id": f"{PLAN}/25", "label": "(二十五)", "title": "推進碳達峰碳中和",
                        "lead": "省碳達峰碳中和工作領導小組成員單位"}
    assert rows[36]["lead"] is None


def test_show_prints_citation_and_both_clauses() -> None:
    result = run("show", "--corpus", str(CORPUS), f"{PLAN}/25")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.splitlines()[0] == CITATION
    assert f"citation: {CITATION}" in out
    assert "chapter: 七、共同建設綠色美麗長三角" in out
    assert "responsibility 1: (責任單位:省碳達峰碳中和工作領導小組成員單位)" in out
    assert "responsibility 2: (責任單位:省節能減排及應對氣候變化工作領導小組成員單位)" in out


def test_show_simplified() -> None:
    result = run("show", "--corpus", str(CORPUS), "--simplified", f"{PLAN}/25")
    assert result.exit_code == 0, result.output
    assert "推进碳达峰碳中和" in result.stdout
    assert "推進碳達峰碳中和" not in result.stdout


def test_show_json() -> None:
    result = run("show", "--corpus", str(CORPUS), "--json", f"{PLAN}/25")
    data = json.loads(result.stdout)
    assert data["citation"] == CITATION
    assert [r["lead_verbatim"] for r in data["responsibilities"]] == [
        "省碳達峰碳中和工作領導小組成員單位", "省節能減排及應對氣候變化工作領導小組成員單位"]


@pytest.mark.parametrize(("measure_id", "message"), [
    (f"{PLAN}/99", f"no measure '{PLAN}/99'; list them with: askplan measures --doc {PLAN}"),
    ("nope/1", "no document 'nope'"),
])
def test_show_unknown_id_exits_1_without_traceback(measure_id: str, message: str) -> None:
    result = run("show", "--corpus", str(CORPUS), measure_id)
    assert result.exit_code == 1
    assert message in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_unknown_option_is_a_usage_error() -> None:
    assert run("measures", "--corpus", str(CORPUS), "--no-such-option").exit_code == 2


def test_corpus_check_passes_on_the_repo_corpus() -> None:
    result = run("corpus", "check", str(CORPUS))
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["document", "measures", "with-responsibility", "coverage", "script"]
    assert {row.split()[0]: int(row.split()[1]) for row in rows} == COUNTS
    assert result.stderr == ""


def test_corpus_check_fails_on_a_broken_file(broken: Path) -> None:
    result = run("corpus", "check", str(broken))
    assert result.exit_code == 1
    assert f"{broken / 'no-front-matter.txt'}:1: missing front matter" in result.stderr
    assert "Traceback" not in result.output


def test_corpus_check_json(broken: Path) -> None:
    result = run("corpus", "check", "--json", str(broken))
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False and data["documents"] == []
    assert data["problems"][0].startswith(f"{broken / 'no-front-matter.txt'}:1: ")


def test_corpus_option_and_env_var_agree() -> None:
    by_option = run("measures", "--corpus", str(FIXTURES))
    by_env = run("measures", env={"ASKPLAN_CORPUS": str(FIXTURES)})
    assert by_option.exit_code == by_env.exit_code == 0
    assert by_option.stdout == by_env.stdout
    assert "county-rural-revitalization-2021/1\t（一）發展特色產業\t縣農業農村局" in by_option.stdout.splitlines()


def test_corpus_check_reads_the_option_and_the_env_var(broken: Path) -> None:
    assert run("corpus", "check", "--corpus", str(broken)).exit_code == 1
    assert run("corpus", "check", env={"ASKPLAN_CORPUS": str(broken)}).exit_code == 1
    assert run("corpus", "check", env={"ASKPLAN_CORPUS": str(FIXTURES)}).exit_code == 0


def test_index_of_an_empty_corpus_names_the_fix(tmp_path):
    from click.testing import CliRunner

    from askplan.cli import main

    (tmp_path / "corpus").mkdir()
    result = CliRunner().invoke(main, ["index", "--corpus", str(tmp_path / "corpus"), "--index", str(tmp_path / "i"),
                                       "--model", "hash-bigram-64"])
    assert result.exit_code == 1 and "no documents to index" in result.output and "corpus/README.md" in result.output
    assert not (tmp_path / "i").exists() or not any((tmp_path / "i").iterdir())


def test_index_stops_on_an_unreadable_file_unless_told_to_skip_it(tmp_path):
    import shutil

    from click.testing import CliRunner

    from askplan.cli import main

    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(CORPUS / "anhui-rcep-opening-2022.txt", folder)
    (folder / "bad-one.txt").write_text("no front matter\n", encoding="utf-8")
    args = ["index", "--corpus", str(folder), "--index", str(tmp_path / "i"), "--model", "hash-bigram-64"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and "--skip-bad" in result.output
    assert result.output.count("bad-one.txt") == 1  # each problem once
    result = CliRunner().invoke(main, [*args, "--skip-bad"])
    assert result.exit_code == 0, result.output


def test_index_prints_no_library_debug_lines(tmp_path):
    """bm25s sets its own logger to DEBUG on import; at the default level none of that reaches the terminal."""
    import subprocess
    import sys

    fixtures = Path(__file__).parent / "fixtures"
    out = subprocess.run([sys.executable, "-m", "askplan", "index", "--corpus", str(fixtures), "--index",
                          str(tmp_path / "i"), "--model", "hash-bigram-64"], capture_output=True, text=True,
                         env={**os.environ, "ASKPLAN_HOME": str(tmp_path / "home")}, check=True)
    assert "DEBUG" not in out.stderr and "built" in out.stdout + out.stderr
