"""Gold marked by verbatim quotes resolves to measure ids against the loaded corpus."""

from __future__ import annotations

import json

import pytest

from askplan.errors import AskplanError
from askplan.evaluate.gold import QuoteResolver
from askplan.evaluate.runner import load_questions, resolve_gold
from conftest import REPO

PLAN = "anhui-yrd-14fyp-action-plan-2021"


def test_quote_in_a_clause_resolves_in_either_script(corpus):
    r = QuoteResolver(corpus)
    assert r.resolve("推進碳達峰碳中和", PLAN) == f"{PLAN}/25"
    assert r.resolve("推进碳达峰碳中和", PLAN) == f"{PLAN}/25"  # Simplified against the Traditional text
    assert r.resolve("共同建設軌道上的長三角", PLAN) == f"{PLAN}/17"  # a clause's own heading


def test_a_quote_with_the_item_label_resolves_where_the_text_repeats_the_title(tmp_path):
    from askplan.corpus import load_corpus

    head = "---\ntitle: 测试报告\nissuer: 某省人民政府\ndate: 2026-01-01\nscript: simplified\nsource: test\n---\n"
    body = "一、民生实事\n1.关爱儿童方面。为全省儿童免费开展孤独症筛查。\n2.养老服务方面。新建老年食堂100家。\n"
    (tmp_path / "t-report-2026.txt").write_text(head + body, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    got = QuoteResolver(corpus).resolve("1.关爱儿童方面。为全省儿童免费", "t-report-2026")
    assert not got.endswith("?unparsed")
    assert "孤独症" in next(m.text for m in corpus.measures if m.id == got)


def test_a_quote_in_a_heading_without_text_resolves_to_the_first_measure_under_it(tmp_path):
    from askplan.corpus import load_corpus

    head = "---\ntitle: 测试预案\nissuer: 某省人民政府\ndate: 2026-01-01\nscript: simplified\nsource: test\n---\n"
    body = ("一、奖励和处罚\n（一）有下列行为之一的，依照有关法律法规处理。\n1.不按照本预案采取应急措施的。\n"
            "2.囤积居奇、哄抬物价的。\n（二）其他。\n")
    (tmp_path / "t-plan-2026.txt").write_text(head + body, encoding="utf-8")
    corpus = load_corpus(tmp_path)
    got = QuoteResolver(corpus).resolve("有下列行为之一的，依照有关法律法规处理", "t-plan-2026")
    assert "不按照本预案" in next(m.text for m in corpus.measures if m.id == got)  # it carries the heading
    assert QuoteResolver(corpus).resolve("囤积居奇、哄抬物价", "t-plan-2026") != got  # text of its own: its measure


def test_quote_outside_every_document_is_an_error(corpus):
    with pytest.raises(AskplanError, match="not in"):
        QuoteResolver(corpus).resolve("这句话不在任何文件里出现过", None)


def test_a_set_needing_a_missing_document_says_so(corpus):
    with pytest.raises(AskplanError, match="--corpus"):
        QuoteResolver(corpus).resolve("任何一句话都可以的", "no-such-doc")


def test_quote_sets_load_and_resolve(tmp_path, corpus):
    path = tmp_path / "s.quotes.jsonl"
    rows = [{"id": "a", "question": "碳达峰谁牵头", "doc": PLAN, "quotes": ["推進碳達峰碳中和"], "kind": "lead"},
            {"id": "b", "question": "省长叫什么", "quotes": [], "kind": "unanswerable"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    qs = resolve_gold(load_questions(path), corpus)
    assert [q.gold for q in qs] == [(f"{PLAN}/25",), ()]
    assert qs[0].group == "s"


QUOTE_SETS = sorted((REPO / "eval").glob("**/*.quotes.jsonl"))


@pytest.mark.parametrize("path", QUOTE_SETS, ids=lambda p: str(p.relative_to(REPO / "eval")))
def test_every_quote_set_resolves_against_its_corpus(path, corpus, tmp_path):
    """Bundled sets against corpus/, added-later sets against corpus/ plus the corpus/ folder beside them."""
    import shutil

    from askplan.corpus import load_corpus

    own = path.parent / "corpus"
    target = corpus
    if own.is_dir():
        for f in [*(REPO / "corpus").iterdir(), *own.glob("*.txt")]:
            shutil.copy(f, tmp_path / f.name)
        target = load_corpus(tmp_path)
    questions = resolve_gold(load_questions(path), target)
    docs = {q.doc for q in questions if q.doc}
    assert len(questions) >= max(30, 7 * len(docs))  # round 7: 7 a document over six; round 12: 10 over three
    assert all(q.gold for q in questions if q.quotes)
    if any(q.kind != "lead" for q in questions):  # a who-leads-only set aside, every set carries unanswerable ones
        assert any(not q.gold for q in questions)
