"""The learned re-ranking: features, fitting, loading, and its place in the service."""

from __future__ import annotations

import importlib.util
import json
import logging
import sys
from pathlib import Path

import numpy as np
import pytest

from askplan.config import DEFAULT_MODEL
from askplan.evaluate.rerank_fit import Lists, fit, save_ranker, top1, training_lists
from askplan.evaluate.runner import load_question_sets, resolve_gold
from askplan.search.rerank import CANDIDATES, FEATURES, WEIGHTS_DIR, Ranker, features, load_ranker, rerank
from askplan.search.retriever import MODES

REPO = Path(__file__).parents[1]


def _lists(n: int = 60, seed: int = 0) -> Lists:
    """Lists where only feature 'cover_text' tells the gold apart (it is 1 for the gold, noise elsewhere)."""
    rng = np.random.default_rng(seed)
    col = FEATURES.index("cover_text")
    xs, ys = [], []
    for _ in range(n):
        x = rng.normal(size=(CANDIDATES, len(FEATURES)))
        x[:, col] = rng.uniform(0, 0.6, CANDIDATES)
        gold = rng.integers(1, CANDIDATES)  # never first: fusion alone is always wrong here
        x[gold, col] = 1.0
        y = np.zeros(CANDIDATES)
        y[gold] = 1
        xs.append(x)
        ys.append(y)
    return Lists(xs, ys, 0)


def test_fit_learns_the_feature_that_separates_gold() -> None:
    train, test = _lists(seed=1), _lists(seed=2)
    ranker = fit(train, "m")
    assert top1(test, None) == 0.0
    assert top1(test, ranker) == 1.0
    assert int(np.argmax(ranker.weights)) == FEATURES.index("cover_text")


def test_fit_over_lists_of_any_length_is_plain_listwise_descent() -> None:
    """The fit pads the lists into one array; a list shorter than the rest (a small corpus's, or one cut short)
    counts only its own candidates: the weights are those of the plain per-list softmax descent."""
    from askplan.evaluate.rerank_fit import L2, RATE

    rng = np.random.default_rng(4)
    lengths = [CANDIDATES, 5, 12] * 7
    xs = [rng.normal(size=(n, len(FEATURES))) for n in lengths]
    ys = [np.eye(n)[i % n] for i, n in enumerate(lengths)]
    lists = Lists(xs, ys, 0, [1.0 + i % 3 for i in range(len(xs))])
    stacked = np.vstack(lists.x)
    mean, scale = stacked.mean(axis=0), stacked.std(axis=0)
    share = np.asarray(lists.weights) / sum(lists.weights)
    w = np.zeros(len(FEATURES))
    for _ in range(50):
        grad = L2 * w
        for x, y, s in zip(lists.x, lists.y, share, strict=True):
            z = (x - mean) / scale
            p = np.exp(z @ w - (z @ w).max())
            grad += s * (z.T @ (p / p.sum() - y / y.sum()))
        w -= RATE * grad
    assert np.allclose(fit(lists, "m", steps=50).weights, w, atol=1e-12)


def test_list_weights_decide_each_lists_pull() -> None:
    """Weights of 1 change nothing; a part weighted near zero leaves the fit to the others (scripts/fit_ranker.py
    --balance weighs each question group by its size, its square root or one each)."""
    a, b = _lists(n=40, seed=1), _lists(n=40, seed=2)
    b = Lists([x[:, ::-1].copy() for x in b.x], b.y, 0)  # gold told apart by another feature
    plain = fit(a, "m")
    assert np.allclose(fit(Lists(a.x, a.y, 0, [1.0] * len(a.x)), "m").weights, plain.weights)
    test = _lists(n=40, seed=3)
    a_counts = fit(Lists(a.x + b.x, a.y + b.y, 0, [1.0] * len(a.x) + [1e-9] * len(b.x)), "m")
    b_counts = fit(Lists(a.x + b.x, a.y + b.y, 0, [1e-9] * len(a.x) + [1.0] * len(b.x)), "m")
    assert top1(test, a_counts) == 1.0
    assert top1(test, b_counts) < 0.5


def test_saved_weights_load_and_score_alike(tmp_path: Path) -> None:
    ranker = fit(_lists(), "some/model")
    path = save_ranker(ranker, tmp_path / "ranker", ["eval/x.jsonl"])
    assert path.name == "some_model.json" and json.loads(path.read_text())["trained_on"] == ["eval/x.jsonl"]
    loaded = load_ranker("some/model", tmp_path / "ranker")
    x = _lists(n=1, seed=3).x[0]
    assert np.allclose(loaded.scores(x), ranker.scores(x), atol=1e-4)
    assert not list((tmp_path / "ranker").glob("*.tmp"))


def test_weights_for_other_features_are_not_trusted(tmp_path: Path, caplog) -> None:
    data = {**fit(_lists(), "m").to_json(), "features": ["fused", "something_else"]}
    (tmp_path / "m.json").write_text(json.dumps(data))
    (tmp_path / "broken.json").write_text("{not json")
    with caplog.at_level(logging.WARNING):
        assert load_ranker("m", tmp_path) is None
        assert load_ranker("broken", tmp_path) is None
    assert "other features" in caplog.text and "cannot be read" in caplog.text
    assert load_ranker("absent", tmp_path) is None


def test_rerank_without_weights_keeps_the_fusion() -> None:
    fused = [(3, 0.5), (1, 0.4)]
    assert rerank(None, [], fused, {}, "q", None, False) is fused


def test_rerank_orders_the_head_and_keeps_it_above_the_tail(hash_service) -> None:
    service = hash_service
    from askplan.intent import read_intent

    norm = "碳达峰碳中和"
    found = service.retrieve(norm, read_intent(norm), None, MODES["hybrid"])
    assert len(found.fused) > CANDIDATES
    col = FEATURES.index("log_length")
    w = np.zeros(len(FEATURES))
    w[col] = 1.0  # a ranker that wants the longest text first
    ranker = Ranker("hash", w, np.zeros(len(FEATURES)), np.ones(len(FEATURES)))
    out = rerank(ranker, service.corpus.measures, found.fused, found.legs, found.topic, None, False)
    head = [r for r, _ in out[:CANDIDATES]]
    assert sorted(head) == sorted(r for r, _ in found.fused[:CANDIDATES])
    lengths = [len(service.corpus.measures[r].text) for r in head]
    assert lengths == sorted(lengths, reverse=True)
    assert out[CANDIDATES:] == found.fused[CANDIDATES:]
    assert min(s for _, s in out[:CANDIDATES]) > out[CANDIDATES][1]


def test_features_are_generic_facts_of_each_candidate(hash_service) -> None:
    from askplan.intent import read_intent

    service = hash_service
    norm = "谁牵头碳达峰工作"
    intent = read_intent(norm)
    found = service.retrieve(norm, intent, None, MODES["hybrid"])
    rows = [r for r, _ in found.fused[:5]]
    x = features(service.corpus.measures, rows, [s for _, s in found.fused[:5]], found.legs, found.topic,
                 service.corpus.measures[rows[1]].doc, intent.who_leads)
    assert x.shape == (5, len(FEATURES))
    f = {name: x[:, i] for i, name in enumerate(FEATURES)}
    assert f["named_doc"][1] == 1.0
    assert np.all((f["cover_text"] >= 0) & (f["cover_text"] <= 1)) and np.all(f["dense_gap"] <= 1e-9)
    owned = [bool(service.corpus.measures[r].responsibilities) for r in rows]
    assert list(f["lead_owned"]) == [float(o) for o in owned]


def _held_out_files() -> set[str]:
    """Every question file scripts/rounds.py marks held out (never read), as paths from the repository root."""
    spec = importlib.util.spec_from_file_location("rounds_registry", REPO / "scripts" / "rounds.py")
    rounds = sys.modules["rounds_registry"] = importlib.util.module_from_spec(spec)  # its dataclass looks itself up
    spec.loader.exec_module(rounds)
    return {str(p.relative_to(REPO)) for r in rounds.ROUNDS if r.held_out for g in r.sets
            for p in (REPO / "eval").glob(g)}


def test_shipped_weights_were_fitted_on_development_sets_only() -> None:
    data = json.loads((WEIGHTS_DIR / f"{DEFAULT_MODEL}.json").read_text())
    assert tuple(data["features"]) == FEATURES
    held_out = _held_out_files()
    assert len(held_out) >= 20 and "eval/round3/heldout-r3-f.quotes.jsonl" in held_out
    assert data["trained_on"] and not set(data["trained_on"]) & held_out
    assert all((REPO / p).is_file() for p in data["trained_on"])


@pytest.mark.model
def test_service_answers_in_the_learned_order(real_service) -> None:
    """The hybrid answer is the fusion re-ranked by the shipped weights (the named-document prior is not applied
    on top); the baseline is untouched."""
    from askplan.intent import read_intent
    from askplan.service import validate_question

    service = real_service
    assert service.ranker is not None
    for question in ("谁牵头碳达峰工作？", "示范区条例里水源保护怎么规定的", "RCEP意见里原产地规则谁牵头"):
        norm = validate_question(question)
        intent = read_intent(norm)
        found = service.retrieve(norm, intent, None, MODES["hybrid"])
        want = rerank(service.ranker, service.corpus.measures, found.fused, found.legs, found.topic, found.named,
                      intent.who_leads, found.cues)
        got = [h.measure.id for h in service.ask(question, k=10).hits]
        assert got == [service.corpus.measures[r].id for r, _ in want[:10]]


@pytest.mark.model
def test_training_lists_come_from_the_service(real_service) -> None:
    questions = resolve_gold(load_question_sets([REPO / "eval/blind/dev-s4.quotes.jsonl"]), real_service.corpus)
    lists = training_lists(real_service, questions[:40])
    answerable = sum(bool(q.gold) for q in questions[:40])
    assert len(lists.x) + lists.unreachable == answerable
    assert all(x.shape[1] == len(FEATURES) and y.sum() >= 1 for x, y in zip(lists.x, lists.y, strict=True))
