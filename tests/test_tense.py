"""The tense cues are data with examples: every row matches its examples and none of its counter-examples."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from askplan.normalize import normalize
from askplan.tense import QUESTION_TENSES, done_shares, question_tense


@pytest.mark.parametrize("cue", QUESTION_TENSES, ids=[c.name for c in QUESTION_TENSES])
def test_each_cue_matches_its_examples_and_not_its_counter_examples(cue) -> None:
    assert cue.examples and cue.counter_examples
    assert [q for q in cue.examples if not cue.pattern.search(normalize(q))] == []
    assert [q for q in cue.counter_examples if cue.pattern.search(normalize(q))] == []


def test_question_tense() -> None:
    assert question_tense(normalize("浙江去年打击电信网络诈骗效果怎么样")) == 1
    assert question_tense(normalize("浙江的招投标平台今年要怎么改")) == -1
    assert question_tense(normalize("城市生命线")) == 0
    assert question_tense(normalize("去年做了什么，今年打算做什么")) == 0  # both: no preference


def _m(doc, chapter, text):
    return SimpleNamespace(doc=doc, chapter=(chapter,) if chapter else (), text=text)


def test_a_review_chapter_reports_more_done_work_than_a_chapter_of_tasks() -> None:
    measures = [
        _m("r", "一、2025年工作回顾", "全年地区生产总值增长5.4%，新建保障房2万套，累计完成投资3000亿元。"),
        _m("r", "一、2025年工作回顾", "获批国家级示范区，建成5G基站1万个。"),
        _m("r", "三、2026年重点工作", "要加快推进城市更新，力争新建保障房3万套，确保完成年度目标。"),
        _m("r", None, "各位代表："),
    ]
    shares = done_shares(measures)
    assert shares[0] == shares[1] > 0.5 > shares[2]
    assert shares[3] == 0.0
    assert isinstance(shares, np.ndarray) and shares.shape == (4,)
