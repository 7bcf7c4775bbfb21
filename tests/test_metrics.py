"""Metrics checked against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from askplan.evaluate.metrics import fold_clause, hit_at, mrr_at, ndcg_at, recall_at
from askplan.evaluate.runner import Question, score

RANKED = ["a", "b", "c", "d"]


@pytest.mark.parametrize(("gold", "k", "expected"), [
    (["a"], 1, 1.0),
    (["b"], 1, 0.0),
    (["b"], 5, 1.0),
    (["a", "c"], 1, 1.0),      # capped: min(k, |gold|) = 1
    (["b", "c"], 1, 0.0),
    (["a", "x"], 5, 0.5),      # one of two gold in the top 5
    (["c", "d"], 2, 0.0),
])
def test_recall_at(gold, k, expected):
    assert recall_at(RANKED, gold, k) == expected


def test_recall_needs_gold():
    with pytest.raises(ValueError):
        recall_at(RANKED, [], 1)


def test_mrr_and_hit():
    assert mrr_at(RANKED, ["c"]) == pytest.approx(1 / 3)
    assert mrr_at(RANKED, ["x"]) == 0.0
    assert mrr_at(RANKED, ["d"], k=3) == 0.0
    assert hit_at(RANKED, ["d"], 3) == 0.0 and hit_at(RANKED, ["d"], 4) == 1.0


def test_ndcg_by_hand():
    # gold at ranks 2 and 4: DCG = 1/log2(3) + 1/log2(5); IDCG = 1 + 1/log2(3)
    expected = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert ndcg_at(RANKED, ["b", "d"]) == pytest.approx(expected)
    assert ndcg_at(RANKED, ["a"]) == 1.0
    assert ndcg_at(RANKED, ["x"]) == 0.0


def test_fold_clause_is_script_width_punctuation_blind():
    assert fold_clause("(責任單位:省發展改革委、省商務廳等)") == fold_clause("（责任单位：省发展改革委，省商务厅等）")
    assert fold_clause(None) == ""


def test_score_aggregates_by_kind():
    questions = [Question("1", "q", ("a",), "lead", "(責任單位:甲)"), Question("2", "q", (), "none"),
                 Question("3", "q", ("b",), "topic")]
    results = [
        {"id": "1", "kind": "lead", "gold": ["a"], "ranked": ["a", "b"], "answered": True,
         "responsibility": "（责任单位：甲）"},
        {"id": "2", "kind": "none", "gold": [], "ranked": ["a"], "answered": False, "responsibility": None},
        {"id": "3", "kind": "topic", "gold": ["b"], "ranked": ["a", "b"], "answered": False,
         "responsibility": None},
    ]
    metrics = score(results, questions)
    assert metrics["all"]["recall@1"] == 0.5
    assert metrics["all"]["recall@5"] == 1.0
    assert metrics["all"]["mrr@10"] == 0.75
    assert metrics["all"]["lead_accuracy"] == 1.0
    assert metrics["all"]["abstain_recall"] == 1.0
    assert metrics["all"]["false_abstain_rate"] == 0.5
    assert metrics["topic"]["recall@1"] == 0.0 and metrics["none"]["recall@1"] is None


def test_lead_outcomes_locate_each_miss_without_reading_it():
    from askplan.evaluate.runner import LEAD_OUTCOMES, lead_outcomes

    def row(i, *, lead, ranked=("d/1",), answered=True, responsibility=""):
        return {"id": i, "gold": ["d/1"], "kind": "lead", "lead": lead, "ranked": list(ranked),
                "answered": answered, "responsibility": responsibility}

    results = [
        row("right", lead="省發展改革委"),  # folded alike: script does not matter
        row("refused", lead=None, answered=False),
        row("retrieval", lead="省财政厅", ranked=("d/2", "d/1")),
        row("chose", lead="省财政厅", responsibility="（省财政厅、省发展改革委按职责分工负责）"),
        row("sentence", lead="省财政厅", responsibility="省财政厅负责资金安排"),
        row("none", lead=None),
        row("qualified", lead="县级以上人民政府发展改革委"),  # the same body with its levels before it
        row("cut", lead="发展改革委"),  # …but a shorter name is another unit
        {"id": "topic", "gold": ["d/1"], "kind": "topic", "lead": None, "ranked": ["d/2"], "answered": True},
        row("no-label", lead="x"),  # no expected unit: not counted
    ]
    expected = {i: "省发展改革委" for i in ("right", "refused", "retrieval", "chose", "sentence", "none", "topic",
                                          "cut")}
    expected["qualified"] = "发展改革委"
    out = lead_outcomes(results, expected)
    assert tuple(out) == LEAD_OUTCOMES
    assert out == {"right unit": 1, "abstained": 1, "another clause first": 1, "right clause, the unit qualified": 1,
                   "right clause, unit of its text": 1, "right clause, unit not in its text": 2,
                   "right clause, no unit": 1}
