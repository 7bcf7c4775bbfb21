"""Run a question set through the service and aggregate metrics, overall and by kind."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from askplan.errors import AskplanError
from askplan.evaluate.metrics import fold_clause, hit_at, mean, mrr_at, ndcg_at, recall_at

DEPTH = 10


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    gold: tuple[str, ...]
    kind: str = "topic"
    answer: str | None = None


def load_questions(path: Path) -> list[Question]:
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            questions.append(Question(str(row["id"]), row["question"], tuple(row["gold"]),
                                      row.get("kind") or "topic", row.get("answer")))
        except (ValueError, KeyError, TypeError) as exc:
            raise AskplanError(f"{path}:{number}: not a question object ({exc}); each line must be "
                               '{"id": …, "question": …, "gold": [measure ids]}') from None
    return questions


def load_question_sets(paths: tuple[Path, ...] | list[Path]) -> list[Question]:
    """One set as it is; several pooled, each id prefixed with its file's stem (q001 is in more than one set)."""
    if len(paths) == 1:
        return load_questions(paths[0])
    return [replace(q, id=f"{path.stem}:{q.id}") for path in paths for q in load_questions(path)]


def run_question(service, q: Question, mode: str, doc: str | None = None) -> dict:
    answer = service.ask(q.question, k=DEPTH, mode=mode, doc=doc)
    top = answer.top
    resp = top.responsibility if top else None
    return {"id": q.id, "kind": q.kind, "question": q.question, "gold": list(q.gold),
            "ranked": [h.measure.id for h in answer.hits], "answered": answer.answered, "reason": answer.reason,
            "answer_kind": answer.kind, "responsibility": resp.text if resp else None,
            "coverage": answer.coverage, "dense_top": answer.dense_top}


def score(results: list[dict], questions: list[Question]) -> dict:
    """Metrics over all questions and per kind."""
    by_id = {q.id: q for q in questions}
    out = {"all": _aggregate(results, by_id)}
    for kind in sorted({r["kind"] for r in results}):
        out[kind] = _aggregate([r for r in results if r["kind"] == kind], by_id)
    for doc in sorted({g.split("/")[0] for r in results for g in r["gold"]}):
        out[f"doc:{doc}"] = _aggregate([r for r in results if r["gold"] and r["gold"][0].startswith(doc + "/")], by_id)
    return out


def _aggregate(results: list[dict], by_id: dict[str, Question]) -> dict:
    answerable = [r for r in results if r["gold"]]
    unanswerable = [r for r in results if not r["gold"]]
    leads = [r for r in answerable if r["kind"] == "lead" and by_id[r["id"]].answer]
    return {
        "questions": len(results),
        "recall@1": mean([recall_at(r["ranked"], r["gold"], 1) for r in answerable]),
        "recall@5": mean([recall_at(r["ranked"], r["gold"], 5) for r in answerable]),
        "hit@5": mean([hit_at(r["ranked"], r["gold"], 5) for r in answerable]),
        "mrr@10": mean([mrr_at(r["ranked"], r["gold"], 10) for r in answerable]),
        "ndcg@10": mean([ndcg_at(r["ranked"], r["gold"], 10) for r in answerable]),
        "lead_accuracy": mean([float(fold_clause(r["responsibility"]) == fold_clause(by_id[r["id"]].answer))
                               for r in leads]),
        "abstain_recall": mean([float(not r["answered"]) for r in unanswerable]),
        "false_abstain_rate": mean([float(not r["answered"]) for r in answerable]),
    }


def run_eval(service, questions: list[Question], *, mode: str = "hybrid", doc: str | None = None,
             progress: bool = False) -> dict:
    from tqdm import tqdm

    results = [run_question(service, q, mode, doc) for q in tqdm(questions, disable=not progress,
                                                                   desc=f"eval {mode}", unit="q")]
    return {"mode": mode, "metrics": score(results, questions), "results": results}


def worst_misses(report: dict, n: int = 10) -> list[dict]:
    """Answerable questions whose gold is ranked lowest (absent first), then false abstentions."""
    def rank_of(r):
        ranks = [r["ranked"].index(g) + 1 for g in r["gold"] if g in r["ranked"]]
        return min(ranks) if ranks else 99

    misses = [r for r in report["results"] if r["gold"] and rank_of(r) > 1]
    return sorted(misses, key=lambda r: (-rank_of(r), r["id"]))[:n]
