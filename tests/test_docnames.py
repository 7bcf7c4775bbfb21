"""A document is named by its aliases, the kind word of its title or a run of its title, from metadata only."""

from __future__ import annotations

from askplan.docnames import RELATIVE_YEAR, DocumentNames, annual_documents
from askplan.models import Document
from askplan.normalize import normalize


def _doc(slug, title, aliases=(), region="", date="2022-01-01"):
    return Document(slug, title, "某单位", date, "simplified", "test", f"{slug}.txt", (), "", region, aliases)


DOCS = (
    _doc("plan", "某省数字经济发展行动方案", ("数字经济方案",)),
    _doc("reg", "某市促进开放条例"),
    _doc("report", "2026年某省政府工作报告", region="某省", date="2026-02-01"),
    _doc("opinion", "关于加快发展的实施意见"),
    _doc("scheme", "某市数据共享实施方案"),
)
NAMES = DocumentNames(DOCS)


def named(q):
    hit = NAMES.named_in(normalize(q))
    return hit.slug if hit else None


def test_alias_names_the_document():
    assert named("数字经济方案里算力怎么建") == "plan"


def test_kind_word_of_a_single_document():
    assert named("条例里对外资有什么规定") == "reg"
    assert named("工作报告提到的民生实事") == "report"


def test_title_run_names_the_document():
    assert named("数据共享实施方案的目标") == "scheme"


def test_a_shared_kind_word_names_none():
    assert named("方案里怎么说的") is None  # 行动方案 and 实施方案 both end in 方案


def test_nothing_named():
    assert named("谁牵头碳达峰工作") is None


def test_strip_cuts_the_name_and_keeps_the_rest():
    hit = NAMES.named_in("条例里对外资有什么规定")
    assert DocumentNames.strip("条例里对外资有什么规定", hit) == "对外资有什么规定"
    assert DocumentNames.strip("条例", hit) == "条例"  # nothing else left: kept whole


def _one_by_one(names: DocumentNames, norm: str):
    """The rule applied to each document in turn: what ``named_in`` must return."""
    scored = sorted(((s, d[0].slug, tuple(spans)) for i, d in enumerate(names.docs)
                     for s, spans in [names._score(i, norm)] if s), key=lambda t: (-t[0], t[1]))
    if not scored or (len(scored) > 1 and scored[1][0] == scored[0][0]):
        return None
    return scored[0][1], scored[0][2]


def test_indexed_lookup_agrees_with_scoring_every_document(corpus):
    import json
    import random

    from askplan.docnames import KIND_WORDS
    from conftest import REPO

    rng = random.Random(3)
    chars = "数字经济发展开放数据共享绿色低碳安徽上海江苏"
    docs = [_doc(f"d{i:03d}", f"{rng.choice(['', '某省', '安徽省'])}{''.join(rng.sample(chars, 4))}{rng.choice(KIND_WORDS)}",
                 tuple(rng.sample(["数字方案", "绿色条例", "共享意见", "低碳规划"], rng.randint(0, 1))),
                 rng.choice(["", "安徽", "上海"]), f"{rng.randint(2019, 2026)}-01-01") for i in range(300)]
    questions = [normalize(json.loads(line)["question"])
                 for line in (REPO / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
    questions += [f"{d.title[:rng.randint(2, 8)]}{rng.choice(['里', '中', '的'])}{rng.choice(KIND_WORDS)}"
                  f"{rng.choice(['2021', '安徽', ''])}{rng.choice(d.aliases or ('',))}讲什么" for d in docs]
    for names in (DocumentNames(tuple(docs)), DocumentNames(corpus.documents), NAMES):
        for q in questions:
            hit = names.named_in(q)
            assert ((hit.slug, hit.spans) if hit else None) == _one_by_one(names, q), q


def test_annual_documents_name_one_year_and_no_span():
    docs = [_doc("a", "2026年安徽省政府工作报告"), _doc("b", "松江区城市更新2025年度实施计划"),
            _doc("c", "上海市交通领域精细化管理三年行动计划(2024-2026年)"),
            _doc("d", "安徽省实施长三角一体化发展规划“十四五”行动方案"),
            _doc("e", "示范区高质量发展条例（2024年9月27日修正本）"), _doc("f", "长江三角洲区域一体化发展规划纲要")]
    assert annual_documents(docs) == {"a", "b"}


def test_relative_year_words():
    assert all(RELATIVE_YEAR.search(normalize(q)) for q in ("今年GDP目标多少", "去年汽车产量", "上年度完成情况"))
    assert not any(RELATIVE_YEAR.search(normalize(q)) for q in ("2025年目标是多少", "年度计划有哪些", "三年行动"))
