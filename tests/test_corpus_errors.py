"""Broken corpus files: each becomes a Problem naming the file, the line where sensible and how to fix it,
and never stops the good file next to it from loading."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from askplan.corpus import Problem, check_corpus, load_corpus
from askplan.errors import CorpusError, NotFound

FRONT = "---\ntitle: 测试方案\nissuer: 测试单位\ndate: 2021-01-01\nscript: simplified\nsource: synthetic\n---\n"
BODY = "一、总体要求\n（一）指导思想。坚持稳中求进。\n（二）主要目标。到2025年取得进展。\n"
BODY_LINE = FRONT.count("\n") + 1  # 8: the first body line
HINT = re.compile(r"add|rename|re-save|must|check|paste|as 'key: value'|is not 'key: value'")

# name -> (file name, bytes, line of the problem, words the message must hold)
FATAL = {
    "missing front matter": ("no-front-matter.txt", BODY.encode(), 1, "must start with a '---' line"),
    "unclosed front matter": ("unclosed.txt", b"---\ntitle: x\nissuer: y\n", 1, "add a '---' line"),
    "missing keys": ("missing-keys.txt", f"---\ntitle: 测试\nissuer: 单位\n---\n{BODY}".encode(), 4,
                     "lacks date, script, source"),
    "line not key: value": ("not-key-value.txt", FRONT.replace("issuer: 测试单位", "测试单位").encode(), 3,
                            "not 'key: value'"),
    "bad script": ("bad-script.txt", (FRONT.replace("simplified", "cantonese") + BODY).encode(), 7,
                   "script must be one of traditional, simplified"),
    "bad date": ("bad-date.txt", (FRONT.replace("2021-01-01", "2021年1月1日") + BODY).encode(), 7,
                 "date must be YYYY-MM-DD"),
    "bad utf-8": ("bad-utf8.txt", (FRONT + BODY).encode() + b"\xff\xfe\n", BODY_LINE + 3, "re-save the file as UTF-8"),
    "upper-case file name": ("Anhui-Plan.txt", (FRONT + BODY).encode(), None, "lower-case letters"),
    "space in file name": ("bad name.txt", (FRONT + BODY).encode(), None, "rename the file"),
    # a long but well-formed name says it is too long, not that its letters are wrong
    "file name too long": ("a" * 121 + ".txt", (FRONT + BODY).encode(), None,
                           "121 characters long and the limit is 120; shorten it"),
    "empty body": ("empty-body.txt", (FRONT + "\n\n").encode(), BODY_LINE, "no measures found"),
}


def _folder(tmp_path: Path, name: str, data: bytes) -> tuple[Path, Path]:
    (tmp_path / "good-plan.txt").write_text(FRONT + BODY, encoding="utf-8")
    bad = tmp_path / name
    bad.write_bytes(data)
    return tmp_path, bad


@pytest.mark.parametrize("case", FATAL)
def test_bad_file_is_skipped_and_good_one_loads(tmp_path: Path, case: str) -> None:
    name, data, line, words = FATAL[case]
    folder, bad = _folder(tmp_path, name, data)
    corpus = load_corpus(folder)
    assert [d.slug for d in corpus.documents] == ["good-plan"]
    assert [m.key for m in corpus.documents[0].measures] == ["1", "2"]
    (problem,) = corpus.problems
    assert problem.path == str(bad)
    assert problem.line == line
    assert words in problem.message
    assert str(problem).startswith(f"{bad}:{line}: " if line else f"{bad}: ")


HINTED = list(FATAL)


@pytest.mark.parametrize("case", HINTED)
def test_every_message_says_how_to_fix(tmp_path: Path, case: str) -> None:
    name, data, _, _ = FATAL[case]
    (problem,) = load_corpus(_folder(tmp_path, name, data)[0]).problems
    assert HINT.search(problem.message), problem.message


def test_impossible_date_is_a_problem(tmp_path: Path) -> None:
    folder, _ = _folder(tmp_path, "bad-month.txt", (FRONT.replace("2021-01-01", "2021-13-45") + BODY).encode())
    assert [d.slug for d in load_corpus(folder).documents] == ["good-plan"]


def test_unclosed_front_matter_before_a_body_says_so(tmp_path: Path) -> None:
    folder, _ = _folder(tmp_path, "unclosed-body.txt", (FRONT.rsplit("---", 1)[0] + BODY).encode())
    (problem,) = load_corpus(folder).problems
    assert "'---'" in problem.message


def test_numbering_gap_is_reported_but_the_file_loads(tmp_path: Path) -> None:
    body = "（一）指导思想。坚持稳中求进。\n（三）主要目标。到2025年取得进展。\n"
    folder, bad = _folder(tmp_path, "numbering-gap.txt", (FRONT + body).encode())
    corpus, problems = check_corpus(folder)
    assert [d.slug for d in corpus.documents] == ["good-plan", "numbering-gap"]
    assert [str(p) for p in problems] == [
        f"{bad}:{BODY_LINE + 1}: numbering gap or repeat: （三） after （一）; check the source numbering"]


def test_duplicate_number_is_reported(tmp_path: Path) -> None:
    body = "（一）指导思想。坚持稳中求进。\n（二）主要目标。到2025年取得进展。\n（二）重点任务。推进改革。\n"
    folder, bad = _folder(tmp_path, "duplicate.txt", (FRONT + body).encode())
    _, problems = check_corpus(folder)
    assert {p.path for p in problems} == {str(bad)}
    messages = {(p.line, p.message.split(";")[0]) for p in problems}
    assert (BODY_LINE + 2, "numbering gap or repeat: （二） after （二）") in messages
    assert (BODY_LINE + 2, "measure key '2.0' repeats in the source") in messages
    ids = [m.id for m in load_corpus(folder).measures if m.doc == "duplicate"]
    assert len(ids) == 3 and len(set(ids)) == 3 and ids[2].endswith("_2")  # unique, the repeat keyed <key>_2


def test_two_unnumbered_annex_headings_get_unique_keys(tmp_path: Path) -> None:
    """A published layout (附件：<title> then a bare 附件 line) that once gave two measures one id, so the
    index it built refused to load."""
    source = Path(__file__).parents[1] / "eval/later/corpus/shanghai-soil-remediation-opinions-2025.txt"
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / source.name).write_bytes(source.read_bytes())
    keys = [m.key for m in load_corpus(folder).measures]
    assert len(keys) == len(set(keys))
    assert [k for k in keys if "annex" in k] == ["p1.annex", "p1.annex_2"]


def test_missing_folder_raises_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="--corpus DIR or set ASKPLAN_CORPUS"):
        load_corpus(tmp_path / "nowhere")


def test_empty_folder_is_a_problem(tmp_path: Path) -> None:
    corpus, problems = check_corpus(tmp_path)
    assert corpus.documents == ()
    assert problems == [Problem(str(tmp_path), None, problems[0].message)]
    assert "corpus/README.md" in problems[0].message


def test_unknown_measure_names_the_command_to_list_them(tmp_path: Path) -> None:
    corpus = load_corpus(_folder(tmp_path, "other-plan.txt", (FRONT + BODY).encode())[0])
    with pytest.raises(NotFound, match="askplan measures --doc good-plan"):
        corpus.measure("good-plan/99")
    with pytest.raises(NotFound, match="no document 'nope'"):
        corpus.measure("nope/1")


def test_a_long_slug_within_the_limit_loads(tmp_path: Path) -> None:
    name = "state-council-office-sports-competition-performance-industry-guiding-opinions-2018"  # 83 characters
    (tmp_path / f"{name}.txt").write_text(FRONT + BODY, encoding="utf-8")
    assert [d.slug for d in load_corpus(tmp_path).documents] == [name]
