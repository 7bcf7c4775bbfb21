"""The question-side thesaurus can only add matches: every form it appends occurs in the bundled corpus."""

from __future__ import annotations

from askplan.thesaurus import EXPANSIONS, expand


def test_every_printed_form_is_in_the_corpus(corpus):
    text = "\n".join(m.norm for m in corpus.measures)
    missing = {short: form for short, full in EXPANSIONS.items() for form in full.split() if form not in text}
    assert not missing


def test_expansion_is_appended_and_keeps_the_question():
    assert expand("宿州阜阳那边喝水难") == "宿州阜阳那边喝水难 皖北"  # two cities, one area, named once
    assert expand("新基建") == "新基建 新型基础设施"
    assert expand("碳达峰") == "碳达峰"


def test_no_expansion_when_the_full_form_is_already_there():
    assert expand("皖北和淮北地区") == "皖北和淮北地区"
