"""Every non-blank body line of every corpus text lands in exactly one measure or is reported as no text of the
document (a table of contents, a site banner): text in no measure can never be found. Also the boilerplate
table: each row matches its example and leaves its look-alike alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from askplan.corpus.boilerplate import BOILERPLATE, boilerplate_kind
from askplan.corpus.coverage import body_coverage
from askplan.corpus.loader import parse_front_matter
from askplan.corpus.parser import parse_body

REPO = Path(__file__).resolve().parents[1]
TEXTS = sorted([*REPO.glob("corpus/*.txt"), *REPO.glob("eval/later*/corpus/*.txt"), *REPO.glob("tests/fixtures/*.txt")])


def coverage_of(path: Path):
    source = path.read_text(encoding="utf-8")
    _, offset, line = parse_front_matter(source, str(path))
    return body_coverage(source, offset, line, parse_body(path.stem, source, offset, line))


def test_there_are_texts_of_every_folder() -> None:
    assert {p.parent.relative_to(REPO).as_posix() for p in TEXTS} >= {
        "corpus", "eval/later/corpus", "eval/later2/corpus", "eval/later3/corpus", "eval/later4/corpus",
        "eval/later5/corpus", "eval/later6/corpus", "eval/later8/corpus", "eval/later9/corpus", "tests/fixtures"}


@pytest.mark.parametrize("path", TEXTS, ids=[p.stem for p in TEXTS])
def test_every_line_lands_in_exactly_one_measure_or_is_boilerplate(path: Path) -> None:
    cov = coverage_of(path)
    assert cov.fates
    assert [(f.line, f.text[:30]) for f in cov.lost] == []
    assert [(f.line, f.measures) for f in cov.doubled] == []
    assert all(len(f.measures) == 1 or (not f.measures and f.dropped) for f in cov.fates)
    assert cov.share == 1.0


def test_wikisource_banner_is_dropped_with_the_title_printed_above_it() -> None:
    cov = coverage_of(REPO / "corpus/anhui-yrd-14fyp-action-plan-2021.txt")
    dropped = {f.text: f.dropped for f in cov.fates if f.dropped}
    assert dropped == {"安徽省實施長三角一體化發展規劃「十四五」行動方案": "page title above a site banner, printed again below it",
                       "維基文庫,自由的圖書館": "site banner"}


def test_banner_with_a_title_printed_once_stays_in_the_text() -> None:
    front = "---\ntitle: t\nissuer: i\ndate: 2024-01-01\nscript: simplified\nsource: s\n---\n"
    body = "某市行动方案\n维基文库，自由的图书馆\n一、总体要求\n（一）加强领导。\n"
    parsed = parse_body("t", front + body, len(front), 8)
    assert "维基文库" in parsed.measures[0].text and parsed.dropped == ()


def test_masthead_and_table_of_contents_are_reported() -> None:
    cov = coverage_of(REPO / "corpus/yrd-integration-outline-2019.txt")
    reasons = {f.dropped for f in cov.fates if f.dropped}
    assert reasons == {"masthead before a table of contents", "table of contents"}


def test_heading_without_text_is_carried_not_lost() -> None:
    """A 附件 heading at the end of a file becomes a measure of its own line; a sub-heading with nothing but
    sub-items is carried by the first measure below it."""
    front = "---\ntitle: t\nissuer: i\ndate: 2024-01-01\nscript: simplified\nsource: s\n---\n"
    body = "三、2026年重点工作\n（一）加力扩内需稳增长\n1.实施提振消费专项行动。\n2.扩大有效投资。\n附件：十方面民生实事清单\n"
    source = front + body
    parsed = parse_body("t", source, len(front), 8)
    cov = body_coverage(source, len(front), 8, parsed)
    assert cov.lost == () and cov.doubled == ()
    fate = {f.text: f.measures for f in cov.fates}
    assert fate["三、2026年重点工作"] == fate["（一）加力扩内需稳增长"] == fate["1.实施提振消费专项行动。"]
    assert fate["附件：十方面民生实事清单"] == ("t/annex",)


@pytest.mark.parametrize("row", BOILERPLATE, ids=[r.name for r in BOILERPLATE])
def test_boilerplate_row_matches_its_example_only(row) -> None:
    assert boilerplate_kind(row.example) == row.name
    assert boilerplate_kind(row.counter) is None


@pytest.mark.parametrize("line", ["第3页 共12页", "- 12 -", "12", "维基文库，自由的图书馆", "【字体：大 中 小】【打印】【关闭】",
                                  "分享：", ">", "来源：解放日报", "来源:", "时间：2026-02-09 08:00", "发表时间：",
                                  "2026年02月10日 07时41分", "浏览次数：1024",
                                  "省长刘小涛代表省人民政府向大会作政府工作报告。本报记者 朱江 摄"])
def test_more_boilerplate(line: str) -> None:
    assert boilerplate_kind(line)


@pytest.mark.parametrize("line", ["1.加强组织领导。", "第三条 本办法自发布之日起施行。", "2025年", "一、总体要求",
                                  "资金来源：省级财政专项资金", "完成时间：2025年12月底前", "2026年2月3日", "时间：2025年",
                                  "分享：各地典型经验", "新闻记者采访拍摄时应当遵守现场秩序。",
                                  "2022-03-15", "时间：2026-02-09"])
def test_document_lines_are_no_boilerplate(line: str) -> None:
    assert boilerplate_kind(line) is None
