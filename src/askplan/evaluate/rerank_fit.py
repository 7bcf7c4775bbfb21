"""Fitting the learned re-ranking (``askplan.search.rerank``) on labelled questions.

Each answerable question gives one list: the features of the fused list's first CANDIDATES measures and which
of them are gold. The weights maximise the likelihood of the gold measures under a softmax over each list
(listwise logistic regression, L2-regularised, plain gradient descent: a few thousand lists of 30 fit in seconds).
Questions whose gold is not among the candidates teach nothing and are counted as such.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from askplan.errors import AskplanError
from askplan.files import write_atomic
from askplan.intent import read_intent
from askplan.search.rerank import CANDIDATES, FEATURES, Ranker, features, ranker_path
from askplan.search.retriever import MODES

L2, STEPS, RATE = 1e-2, 400, 0.5


@dataclass(frozen=True)
class Lists:
    """Per answerable question: its candidates' features and gold flags (reachable: some gold is a candidate)."""

    x: list[np.ndarray]
    y: list[np.ndarray]
    unreachable: int  # questions whose gold is not among the candidates
    weights: list[float] | None = None  # each list's weight in the fit (None: all 1)
    who_leads: list[bool] | None = None  # per list: its question asks who leads (None: not recorded)


def training_lists(service, questions) -> Lists:
    """The candidate lists of ``questions`` (with resolved ``gold``) as the service ranks them today."""
    from askplan.service import validate_question

    xs, ys, leads, unreachable = [], [], [], 0
    measures = service.corpus.measures
    for q in questions:
        if not q.gold:
            continue
        norm = validate_question(q.question)
        intent = read_intent(norm)
        found = service.retrieve(norm, intent, None, MODES["hybrid"])
        head = found.fused[:CANDIDATES]
        rows = [r for r, _ in head]
        gold = np.array([measures[r].id in q.gold for r in rows], dtype=float)
        if not gold.any():
            unreachable += 1
            continue
        xs.append(features(measures, rows, [s for _, s in head], found.legs, found.topic, found.named,
                           intent.who_leads, found.cues))
        ys.append(gold)
        leads.append(intent.who_leads)
    return Lists(xs, ys, unreachable, who_leads=leads)


def fit(lists: Lists, model: str, *, l2: float = L2, steps: int = STEPS) -> Ranker:
    if not lists.x:
        raise AskplanError("no answerable question has its gold among the candidates; nothing to fit")
    stacked = np.vstack(lists.x)
    mean, scale = stacked.mean(axis=0), stacked.std(axis=0)
    scale[scale < 1e-9] = 1.0
    # the lists padded to one (lists, candidates, features) array: one gradient step is a few array operations
    width = max(len(x) for x in lists.x)
    xs = np.zeros((len(lists.x), width, len(FEATURES)))
    targets = np.zeros((len(lists.x), width))
    present = np.zeros((len(lists.x), width), dtype=bool)
    for i, (x, y) in enumerate(zip(lists.x, lists.y, strict=True)):
        xs[i, :len(x)] = (x - mean) / scale
        targets[i, :len(y)] = y / y.sum()
        present[i, :len(x)] = True
    weights = np.ones(len(xs)) if lists.weights is None else np.asarray(lists.weights, dtype=float)
    weights = weights / weights.sum()
    w = np.zeros(len(FEATURES))
    for _ in range(steps):
        s = np.where(present, xs @ w, -np.inf)
        p = np.exp(s - s.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        grad = l2 * w + np.einsum("l,lcf,lc->f", weights, xs, p - targets)
        w -= RATE * grad
    return Ranker(model, w, mean, scale)


def top1(lists: Lists, ranker: Ranker | None) -> float:
    """Share of the reachable lists whose first measure is gold: by the ranker, or by fusion (None)."""
    hits = [y[int(np.argmax(ranker.scores(x)))] > 0 if ranker else y[0] > 0 for x, y in zip(lists.x, lists.y,
                                                                                           strict=True)]
    return float(np.mean(hits)) if hits else 0.0


def save_ranker(ranker: Ranker, directory: Path, trained_on: list[str]) -> Path:
    path = ranker_path(ranker.model, directory)
    data = {**ranker.to_json(), "trained_on": trained_on}
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    except OSError as exc:
        raise AskplanError(f"cannot write the ranker to {path} ({exc.strerror}); pass --out DIR") from None
    return path
