"""A document is named by its aliases, the kind word of its title or a run of its title, from metadata only."""

from __future__ import annotations

from askplan.docnames import RELATIVE_YEAR, DocumentNames, Places, annual_documents, document_places
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


def test_an_alias_another_title_holds_stops_naming():
    """An alias written for the corpus's one 条例 would keep pulling every 条例 question to it after a second
    条例 is added; the kind word then ties and names none, and a place the question names breaks the tie."""
    reg = _doc("reg", "某市促进开放条例", ("开放条例", "条例"))
    assert DocumentNames((reg,)).named_in(normalize("条例第五条讲什么")).slug == "reg"
    docs = (reg, _issued("rail", "洛阳市城市轨道交通条例", "洛阳市人民代表大会常务委员会"))
    names = DocumentNames(docs)
    assert names.named_in(normalize("条例第五条讲什么")) is None
    assert names.named_in(normalize("开放条例第五条讲什么")).slug == "reg"  # an alias no other title holds
    assert names.named_in(normalize("洛阳的条例第五条讲什么")).slug == "rail"
    assert names.tied_in(normalize("条例第五条讲什么")) == {"reg", "rail"}
    assert names.tied_in(normalize("洛阳的条例第五条讲什么")) == frozenset()  # one is named
    assert names.tied_in(normalize("第五条讲什么")) == frozenset()  # nothing named at all


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


def _issued(slug, title, issuer, region=""):
    return Document(slug, title, issuer, "2024-01-01", "simplified", "test", f"{slug}.txt", (), "", region, ())


PLACED = (
    _issued("fj", "2026年福建省政府工作报告", "福建省人民政府（省长 某某作报告）"),
    _issued("sj", "松江区城市更新2025年度实施计划", "上海市松江区人民政府办公室、松江区建设管理委"),
    _issued("lh", "上海市花推广应用三年行动计划", "上海市绿化和市容管理局"),
    _issued("nm", "2026年内蒙古自治区政府工作报告", "内蒙古自治区人民政府"),
    _issued("tz", "台州市电梯安全管理规定", "浙江省台州市人民代表大会常务委员会"),
    _issued("nat", "市场主体登记管理条例实施细则", "国家市场监督管理总局（总局令第52号）"),
    _issued("law", "道路交通安全违法行为记分管理办法", "中华人民共和国公安部"),
    _issued("cfg", "某行动方案", "某某委员会", region="安徽"),
    _issued("gy", "政府工作报告（2018年1月31日在高阳县第十七届人民代表大会第二次会议上）",
            "高阳县人民政府（县长 某某），河北省保定市"),
    _issued("sd", "关于做好村和社区“两委”换届工作的意见", "中共山东省委组织部、山东省民政厅"),
    _issued("cc", "关于某项工作的意见", "中共中央办公厅"),
)


def test_places_come_from_the_region_and_the_issuers_leading_place_names():
    places = document_places(PLACED)
    assert places["fj"] == {"福建"}
    assert places["sj"] == {"上海", "松江"}  # the district counts: the title names it
    assert places["lh"] == {"上海"}  # not 绿化和: below a 市 only a 区 or 县 is a place
    assert places["nm"] == {"内蒙古"}
    assert places["tz"] == {"浙江", "台州"}
    assert places["nat"] == places["law"] == frozenset()  # national issuers name no place
    assert places["cfg"] == {"安徽"}
    assert places["gy"] == {"高阳", "河北"}  # a county's own body; 保定 is not in the title
    assert places["sd"] == {"山东"}  # 中共山东省委: the place after the party's name
    assert places["cc"] == frozenset()


def test_a_question_naming_a_place_picks_that_places_documents():
    places = Places(PLACED)
    assert places.named_in(normalize("福建去年在提振消费这块都搞了哪些活动")) == {"fj"}
    assert places.named_in(normalize("上海的城市更新项目")) == {"sj", "lh"}
    assert places.named_in(normalize("电梯维保多久一次")) == frozenset()


def test_places_that_name_documents_are_no_search_words():
    places = Places(PLACED)
    assert places.strip(normalize("高阳县医院搬迁弄到哪一步了")) == "县医院搬迁弄到哪一步了"
    assert places.strip(normalize("福建的招投标平台今年要怎么改")) == "招投标平台今年要怎么改"  # with its 的
    assert places.strip(normalize("上海松江区城市更新")) == "区城市更新"  # the longer place first, then the rest
    assert places.strip(normalize("合肥的地铁怎么建")) == "合肥的地铁怎么建"  # a place no document has stays
    assert places.strip(normalize("福建")) == "福建"  # nothing else left: the question stays whole
