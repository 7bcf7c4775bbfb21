"""Run a question set through the service and aggregate metrics, overall and by kind."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from askplan.errors import AskplanError
from askplan.evaluate.metrics import fold_clause, hit_at, lead_unit_right, mean, mrr_at, ndcg_at, recall_at

DEPTH = 10


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    gold: tuple[str, ...]
    kind: str = "topic"
    answer: str | None = None
    quotes: tuple[str, ...] = ()  # verbatim passages marking the gold, resolved against the loaded corpus
    doc: str | None = None  # the document the quotes come from
    group: str = ""  # the set a pooled question came from
    lead: str | None = None  # a lead question's leading unit as printed (sets from round 3 on)


def load_questions(path: Path) -> list[Question]:
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            quotes = tuple(row.get("quotes") or ())
            gold = tuple(row["gold"]) if "gold" in row or not isinstance(row.get("quotes"), list) else ()
            questions.append(Question(str(row["id"]), row["question"], gold, row.get("kind") or "topic",
                                      row.get("answer"), quotes, row.get("doc"), _set_name(path),
                                      row.get("lead")))
        except (ValueError, KeyError, TypeError) as exc:
            raise AskplanError(f"{path}:{number}: not a question object ({exc}); each line must be "
                               '{"id": …, "question": …, "gold": [measure ids]} or carry "quotes": [verbatim '
                               "passages] instead of gold") from None
    return questions


def _set_name(path: Path) -> str:
    return path.name.removesuffix(".jsonl").removesuffix(".quotes")


def resolve_gold(questions: list[Question], corpus) -> list[Question]:
    """Questions marked by quotes get the ids of the measures holding them (see ``askplan.evaluate.gold``)."""
    from askplan.evaluate.gold import QuoteResolver

    resolver = None
    out = []
    for q in questions:
        if q.quotes and not q.gold:
            resolver = resolver or QuoteResolver(corpus)
            try:
                gold = tuple(dict.fromkeys(resolver.resolve(x, q.doc) for x in q.quotes))
            except AskplanError as exc:
                raise AskplanError(f"{q.group}:{q.id}: {exc}") from None
            q = replace(q, gold=gold)
        out.append(q)
    return out


def load_question_sets(paths: tuple[Path, ...] | list[Path]) -> list[Question]:
    """One set as it is; several pooled, each id prefixed with its file's stem (q001 is in more than one set)."""
    if len(paths) == 1:
        return load_questions(paths[0])
    return [replace(q, id=f"{_set_name(path)}:{q.id}") for path in paths for q in load_questions(path)]


def run_question(service, q: Question, mode: str, doc: str | None = None) -> dict:
    answer = service.ask(q.question, k=DEPTH, mode=mode, doc=doc)
    top = answer.top
    resp = top.responsibility if top else None
    row = {"id": q.id, "set": q.group, "kind": q.kind, "question": q.question, "gold": list(q.gold),
           "ranked": [h.measure.id for h in answer.hits], "answered": answer.answered, "reason": answer.reason,
           "check": answer.check, "confidence": answer.confidence, "answer_kind": answer.kind,
           "responsibility": resp.text if resp else None,
           "lead": (resp.lead_verbatim or resp.lead) if resp else None, "coverage": answer.coverage,
           "dense_top": answer.dense_top}
    if mode != "baseline":
        plain = service.ask(q.question, k=DEPTH, mode="baseline", doc=doc)
        row["baseline_ranked"] = [h.measure.id for h in plain.hits]
    return row


def score(results: list[dict], questions: list[Question]) -> dict:
    """Metrics over all questions, per kind, per gold document and per set (when several are pooled)."""
    by_id = {q.id: q for q in questions}
    groups = {"all": results}
    for kind in sorted({r["kind"] for r in results}):
        groups[kind] = [r for r in results if r["kind"] == kind]
    for doc in sorted({g.split("/")[0] for r in results for g in r["gold"]}):
        groups[f"doc:{doc}"] = [r for r in results if r["gold"] and r["gold"][0].startswith(doc + "/")]
    sets = sorted({r.get("set", "") for r in results} - {""})
    if len(sets) > 1:
        for name in sets:
            groups[f"set:{name}"] = [r for r in results if r.get("set") == name]
    return {name: _aggregate(rows, by_id) for name, rows in groups.items()}


def baseline_score(results: list[dict]) -> dict:
    """The plain-RRF baseline's ranking metrics over the same groups (no abstention: it answers everything)."""
    plain = [{**r, "ranked": r["baseline_ranked"]} for r in results if "baseline_ranked" in r]
    out = {}
    for name, metrics in score(plain, []).items():
        out[name] = {k: metrics[k] for k in ("questions", "recall@1", "recall@5", "mrr@10")}
    return out


def check_precision(results: list[dict]) -> dict:
    """For each check that refused answers: how often it fired, and on how many unanswerable questions."""
    out: dict[str, dict] = {}
    for r in results:
        if not r["answered"] and r.get("check"):
            c = out.setdefault(r["check"], {"fired": 0, "on_unanswerable": 0})
            c["fired"] += 1
            c["on_unanswerable"] += int(not r["gold"])
    for c in out.values():
        c["precision"] = round(c["on_unanswerable"] / c["fired"], 4)
    return dict(sorted(out.items()))


LEAD_OUTCOMES = ("right unit", "abstained", "another clause first", "right clause, the unit qualified",
                 "right clause, unit of its text", "right clause, unit not in its text", "right clause, no unit")


def lead_outcomes(results: list[dict], leads: dict[str, str]) -> dict[str, int]:
    """Where each who-leads question with an expected lead unit (``leads``: id -> unit) ends (LEAD_OUTCOMES): the
    right unit; no answer; another clause ranked first (retrieval); or the right clause with the wrong unit, split by
    whether the unit given is the expected one with a qualifier before it (县级以上人民政府应急管理部门 for
    应急管理部门: a miss by the strict measure, though it names the same body), the expected unit is in the
    responsibility text given (the reader chose among the units it holds) or not (it read the wrong sentence), or
    with none. Counts only, so a held-out set's misses can be located without reading them."""
    out = dict.fromkeys(LEAD_OUTCOMES, 0)
    for r in results:
        if not (r["gold"] and r["kind"] == "lead" and (expected := leads.get(r["id"]))):
            continue
        if lead_unit_right(r.get("lead"), expected):
            out["right unit"] += 1
        elif not r["answered"]:
            out["abstained"] += 1
        elif not r["ranked"] or r["ranked"][0] not in r["gold"]:
            out["another clause first"] += 1
        elif not (given := fold_clause(r.get("lead"))):
            out["right clause, no unit"] += 1
        elif (want := fold_clause(expected)) and given.endswith(want):
            out["right clause, the unit qualified"] += 1
        elif fold_clause(expected) in fold_clause(r.get("responsibility") or ""):
            out["right clause, unit of its text"] += 1
        else:
            out["right clause, unit not in its text"] += 1
    return out


def _aggregate(results: list[dict], by_id: dict[str, Question]) -> dict:
    answerable = [r for r in results if r["gold"]]
    unanswerable = [r for r in results if not r["gold"]]
    leads = [r for r in answerable if r["kind"] == "lead" and r["id"] in by_id and by_id[r["id"]].answer]
    lead_units = [r for r in answerable if r["kind"] == "lead" and r["id"] in by_id and by_id[r["id"]].lead]
    return {
        "questions": len(results),
        "recall@1": mean([recall_at(r["ranked"], r["gold"], 1) for r in answerable]),
        "recall@5": mean([recall_at(r["ranked"], r["gold"], 5) for r in answerable]),
        "hit@5": mean([hit_at(r["ranked"], r["gold"], 5) for r in answerable]),
        "mrr@10": mean([mrr_at(r["ranked"], r["gold"], 10) for r in answerable]),
        "ndcg@10": mean([ndcg_at(r["ranked"], r["gold"], 10) for r in answerable]),
        "lead_accuracy": mean([float(fold_clause(r["responsibility"]) == fold_clause(by_id[r["id"]].answer))
                               for r in leads]),
        "lead_unit_accuracy": mean([float(lead_unit_right(r.get("lead"), by_id[r["id"]].lead)) for r in lead_units]),
        "abstain_recall": mean([float(not r["answered"]) for r in unanswerable]),
        "false_abstain_rate": mean([float(not r["answered"]) for r in answerable]),
    }


def run_eval(service, questions: list[Question], *, mode: str = "hybrid", doc: str | None = None,
             progress: bool = False) -> dict:
    from tqdm import tqdm

    questions = resolve_gold(questions, service.corpus)
    results = [run_question(service, q, mode, doc) for q in tqdm(questions, disable=not progress,
                                                                   desc=f"eval {mode}", unit="q")]
    report = {"mode": mode, "metrics": score(results, questions)}
    if mode != "baseline":
        report["baseline"] = baseline_score(results)
    report["checks"] = check_precision(results)
    report["leads"] = lead_outcomes(results, {q.id: q.lead for q in questions if q.lead})
    report["results"] = results
    return report


def worst_misses(report: dict, n: int = 10) -> list[dict]:
    """Answerable questions whose gold is ranked lowest (absent first), then false abstentions."""
    def rank_of(r):
        ranks = [r["ranked"].index(g) + 1 for g in r["gold"] if g in r["ranked"]]
        return min(ranks) if ranks else 99

    misses = [r for r in report["results"] if r["gold"] and rank_of(r) > 1]
    return sorted(misses, key=lambda r: (-rank_of(r), r["id"]))[:n]
