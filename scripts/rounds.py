"""Run every question round the way eval/README.md's protocol says, and pool the figures per group.

Each round is evaluated over its own corpus: the bundled ``corpus/`` plus, for an added-later round, that
round's ``corpus/`` folder (copied into one folder under ``--work``). Indexes are built once and kept; the
bundled index's vector cache seeds every round's, so a round embeds only its own documents.

    .venv/bin/python scripts/rounds.py run NAME [GROUP ...]    # saves --work/NAME.json, prints the table
    .venv/bin/python scripts/rounds.py table NAME              # the table of a saved run
    .venv/bin/python scripts/rounds.py documents NAME          # per document beside the baseline
    .venv/bin/python scripts/rounds.py leads NAME              # where each group's who-leads questions end
    .venv/bin/python scripts/rounds.py compare A B             # two saved runs, group by group (no question text)

Groups are held out or development as eval/README.md records; the table prints the plain-RRF baseline of the
same run beside the pipeline. Nothing here prints a question: a held-out set stays held out.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "eval"


@dataclass(frozen=True)
class Round:
    name: str
    folder: str | None  # eval/<folder>/corpus is added to the bundled corpus; None: the bundled corpus alone
    sets: tuple[str, ...]  # globs under eval/
    held_out: bool  # never read question by question


ROUNDS = (
    Round("bundled_ho", None, ("blind/heldout-s4-*.jsonl", "round3/*.jsonl", "round4/*.jsonl", "round7/*.jsonl",
                               "round9/*.jsonl"), True),
    Round("bundled_dev", None, ("questions.jsonl", "dev*.jsonl", "heldout*.jsonl", "blind/dev-s4*.jsonl"), False),
    Round("later", "later", ("later/*.jsonl",), False),
    Round("later2", "later2", ("later2/*.jsonl",), True),
    Round("later3", "later3", ("later3/*.jsonl",), False),  # session 16 read its who-leads misses
    Round("later4", "later4", ("later4/*.jsonl",), True),
    Round("later5", "later5", ("later5/*.jsonl",), False),
    Round("later6", "later6", ("later6/*.jsonl",), True),
    Round("later8", "later8", ("later8/*.jsonl",), False),  # session 16 read its who-leads misses
    Round("later9", "later9", ("later9/*.jsonl",), True),
    Round("later10", "later10", ("later10/*.jsonl",), False),
    Round("later11", "later11", ("later11/*.jsonl",), False),
    Round("later12", "later12", ("later12/*.jsonl",), False),
    Round("later13", "later13", ("later13/*.jsonl",), True),
    Round("later14", "later14", ("later14/*.jsonl",), False),  # written to be read: who-leads in prose
    Round("later15", "later15", ("later15/*.jsonl",), True),
    Round("later16", "later16", ("later16/*.jsonl",), False),  # session 16 read its who-leads misses
    Round("later17", "later17", ("later17/*.jsonl",), False),  # session 16 read its who-leads misses
    Round("later18", "later18", ("later18/*.jsonl",), True),
    Round("later19", "later19", ("later19/*.jsonl",), False),  # session 16 read its who-leads misses
    Round("later20", "later20", ("later20/*.jsonl",), False),  # session 16 read its who-leads misses
    Round("later21", "later21", ("later21/*.jsonl",), True),
    Round("later22", "later22", ("later22/*.jsonl",), True),
    Round("later23", "later23", ("later23/*.jsonl",), True),
    Round("later24", "later24", ("later24/*.jsonl",), True),
    Round("later25", "later25", ("later25/*.jsonl",), True),
    Round("later26", "later26", ("later26/*.jsonl",), True),
    Round("later27", "later27", ("later27/*.jsonl",), True),
)
BY_NAME = {r.name: r for r in ROUNDS}
METRICS = ("recall@1", "recall@5", "false_abstain_rate", "abstain_recall", "lead_unit_accuracy")


def _corpus(work: Path, round_: Round) -> Path:
    name = round_.folder or "bundled"
    target = work / f"corpus-{name}"
    sources = [*sorted((ROOT / "corpus").glob("*.txt")), ROOT / "corpus" / "askplan.toml"]
    if round_.folder:
        sources += sorted((EVAL / round_.folder / "corpus").glob("*.txt"))
    wanted = {p.name for p in sources}
    if target.is_dir() and {p.name for p in target.iterdir()} == wanted and all(
            (target / p.name).read_bytes() == p.read_bytes() for p in sources):
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in sources:
        shutil.copyfile(path, target / path.name)
    return target


def service_for(work: Path, round_: Round):
    from askplan.config import Settings
    from askplan.service import AskplanService

    corpus = _corpus(work, round_)
    index = work / f"index-{round_.folder or 'bundled'}"
    seed = work / "index-bundled" / "vectors"
    if round_.folder and seed.is_dir() and not (index / "vectors").exists():
        shutil.copytree(seed, index / "vectors")  # the bundled passages' vectors: embed only the round's
    service = AskplanService(Settings(corpus_dir=corpus, index_dir=index))
    service.retriever(build_if_missing=True, say=lambda m: print(m, file=sys.stderr))
    return service


def run(names: list[str], work: Path) -> dict:
    from askplan.evaluate.runner import load_question_sets, run_eval

    out = {}
    for name in names:
        round_ = BY_NAME[name]
        paths = sorted({p for g in round_.sets for p in EVAL.glob(g)})
        if not paths:
            print(f"{name}: no question files yet", file=sys.stderr)
            continue
        service = service_for(work, round_)
        questions = load_question_sets(paths)
        report = run_eval(service, questions)
        leads = {q.id: q.lead for q in questions if q.lead}
        answers = {q.id: q.answer for q in questions if q.answer}
        for row in report["results"]:
            row["expected_lead"], row["expected_answer"] = leads.get(row["id"]), answers.get(row["id"])
        out[name] = {"held_out": round_.held_out, "files": [str(p.relative_to(ROOT)) for p in paths],
                     "results": report["results"], "checks": report["checks"]}
        print(f"{name}: {len(questions)} questions", file=sys.stderr)
    return out


def pooled(rows: list[dict]) -> dict:
    """Pipeline and baseline figures over ``rows`` (results of any rounds), as ``askplan eval`` computes them."""
    from askplan.evaluate.metrics import lead_unit_right, mean, recall_at

    answerable = [r for r in rows if r["gold"]]
    unanswerable = [r for r in rows if not r["gold"]]
    leads = [r for r in answerable if r["kind"] == "lead" and r.get("expected_lead")]
    return {
        "answerable": len(answerable), "unanswerable": len(unanswerable),
        "recall@1": mean([recall_at(r["ranked"], r["gold"], 1) for r in answerable]),
        "recall@5": mean([recall_at(r["ranked"], r["gold"], 5) for r in answerable]),
        "false_abstain_rate": mean([float(not r["answered"]) for r in answerable]),
        "abstain_recall": mean([float(not r["answered"]) for r in unanswerable]),
        "lead_unit_accuracy": mean([float(lead_unit_right(r.get("lead"), r["expected_lead"])) for r in leads]),
        "leads": len(leads),
        "baseline_recall@1": mean([recall_at(r["baseline_ranked"], r["gold"], 1) for r in answerable]),
        "baseline_recall@5": mean([recall_at(r["baseline_ranked"], r["gold"], 5) for r in answerable]),
    }


def groups(saved: dict) -> dict[str, list[dict]]:
    """Each round, then the pools the issue's targets name."""
    out = {name: data["results"] for name, data in saved.items()}
    later_ho = [r for n, d in saved.items() if n.startswith("later") and d["held_out"] for r in d["results"]]
    all_ho = [r for d in saved.values() if d["held_out"] for r in d["results"]]
    plan = "anhui-yrd-14fyp-action-plan-2021/"
    if "bundled_ho" in saved:
        rows = saved["bundled_ho"]["results"]
        out["= plan (held out)"] = [r for r in rows if r["gold"] and r["gold"][0].startswith(plan)]
        out["= other bundled (held out)"] = [r for r in rows if r["gold"] and not r["gold"][0].startswith(plan)]
    out["= added later (held out)"] = later_ho
    out["= all held out"] = all_ho
    return out


def _f(value) -> str:
    return "—" if value is None else f"{value:.3f}"


def table(saved: dict) -> str:
    lines = ["| group | answerable (unanswerable) | R@1 | R@5 | baseline R@1 / R@5 | false abst. | abst. recall "
             "| lead unit (n) |", "|---|---|---|---|---|---|---|---|"]
    for name, rows in groups(saved).items():
        if not rows:
            continue
        m = pooled(rows)
        held = "" if name.startswith("=") else (" (held out)" if saved[name]["held_out"] else " (dev)")
        lines.append(f"| {name}{held} | {m['answerable']} ({m['unanswerable']}) | {_f(m['recall@1'])} | "
                     f"{_f(m['recall@5'])} | {_f(m['baseline_recall@1'])} / {_f(m['baseline_recall@5'])} | "
                     f"{_f(m['false_abstain_rate'])} | {_f(m['abstain_recall'])} | "
                     f"{_f(m['lead_unit_accuracy'])} ({m['leads']}) |")
    return "\n".join(lines)


def documents(saved: dict) -> str:
    """R@1 and R@5 per document of each round beside the baseline, marking a document below it."""
    from askplan.evaluate.metrics import recall_at

    lines = ["| group | document | answerable | R@1 (baseline) | R@5 (baseline) | |", "|---|---|---|---|---|---|"]
    for name, entry in saved.items():
        by_doc: dict[str, list[dict]] = {}
        for row in entry["results"]:
            if row["gold"]:
                by_doc.setdefault(row["gold"][0].split("/")[0], []).append(row)
        for doc, rows in sorted(by_doc.items()):
            at = {(k, leg): sum(recall_at(r[leg], r["gold"], k) for r in rows) / len(rows)
                  for k in (1, 5) for leg in ("ranked", "baseline_ranked")}
            below = at[(1, "ranked")] < at[(1, "baseline_ranked")] or at[(5, "ranked")] < at[(5, "baseline_ranked")]
            lines.append(f"| {name} | {doc} | {len(rows)} | {_f(at[(1, 'ranked')])} ({_f(at[(1, 'baseline_ranked')])}) "
                         f"| {_f(at[(5, 'ranked')])} ({_f(at[(5, 'baseline_ranked')])}) | {'below' if below else ''} |")
    return "\n".join(lines)


def leads(saved: dict) -> str:
    """Where each group's who-leads questions end (``runner.lead_outcomes``): counts only, no question."""
    from askplan.evaluate.runner import LEAD_OUTCOMES, lead_outcomes

    lines = ["| group | " + " | ".join(LEAD_OUTCOMES) + " |", "|---" * (len(LEAD_OUTCOMES) + 1) + "|"]
    for name, rows in groups(saved).items():
        out = lead_outcomes(rows, {r["id"]: r["expected_lead"] for r in rows if r.get("expected_lead")})
        if sum(out.values()):
            lines.append(f"| {name} | " + " | ".join(str(n) for n in out.values()) + " |")
    return "\n".join(lines)


def compare(a: dict, b: dict) -> str:
    lines = ["| group | " + " | ".join(f"{k} A → B" for k in METRICS) + " | changed first answers |",
             "|---" * (len(METRICS) + 2) + "|"]
    ga, gb = groups(a), groups(b)
    for name in ga:
        if name not in gb or not ga[name]:
            continue
        ma, mb = pooled(ga[name]), pooled(gb[name])
        first = {r["id"]: r["ranked"][:1] for r in ga[name]}
        changed = sum(first.get(r["id"]) != r["ranked"][:1] for r in gb[name])
        cells = [f"{_f(ma[k])} → {_f(mb[k])}" for k in METRICS]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {changed} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("run", "table", "documents", "leads", "compare"))
    parser.add_argument("names", nargs="*", help="run: NAME [GROUP ...]; table / documents / leads: NAME; "
                                                 "compare: A B")
    parser.add_argument("--work", type=Path, default=ROOT / ".rounds", help="corpora, indexes and saved runs")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    if args.command == "run":
        if not args.names:
            parser.error("run NAME [GROUP ...]")
        chosen = args.names[1:] or [r.name for r in ROUNDS]
        unknown = [n for n in chosen if n not in BY_NAME]
        if unknown:
            parser.error(f"unknown groups {unknown}; known: {', '.join(BY_NAME)}")
        saved = run(chosen, work)
        (work / f"{args.names[0]}.json").write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
        print(table(saved))
    elif args.command in ("table", "documents", "leads"):
        saved = json.loads((work / f"{args.names[0]}.json").read_text(encoding="utf-8"))
        print({"table": table, "documents": documents, "leads": leads}[args.command](saved))
    else:
        a, b = (json.loads((work / f"{n}.json").read_text(encoding="utf-8")) for n in args.names[:2])
        print(compare(a, b))


if __name__ == "__main__":
    main()
