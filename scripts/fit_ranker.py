"""Fit the shipped re-ranking weights (src/askplan/search/ranker/<model>.json) on the development question sets,
each group over the corpus its gold ids refer to, and print a leave-one-group-out check beside fusion alone.

    .venv/bin/python scripts/fit_ranker.py            # writes the package's weights for the default model
    .venv/bin/python scripts/fit_ranker.py --check    # the leave-one-group-out check only; writes nothing
    .venv/bin/python scripts/fit_ranker.py --work DIR # keep the added-later index in DIR between runs

The groups and why they are development sets: eval/README.md. Held-out sets are never passed here.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

from askplan.config import REPO_ROOT, Settings
from askplan.evaluate.rerank_fit import Lists, fit, save_ranker, top1, training_lists
from askplan.evaluate.runner import load_question_sets, resolve_gold
from askplan.search.rerank import WEIGHTS_DIR
from askplan.service import AskplanService

EVAL = REPO_ROOT / "eval"
GROUPS = {  # name -> (extra corpus folder or None, question files)
    # sessions 1-3: the files named heldout*.jsonl were read too (eval/README.md), but stay out of any fit by name
    "sessions 1-3 (plan)": (None, sorted(p for p in EVAL.glob("*.jsonl") if p.name != "links_gold.jsonl"
                                         and not p.name.startswith("heldout"))),
    "dev-s4 (six bundled)": (None, sorted((EVAL / "blind").glob("dev-s4*.quotes.jsonl"))),
    "later round 1": (EVAL / "later" / "corpus", sorted((EVAL / "later").glob("dev-*.quotes.jsonl"))),
}


def lists_for(extra: Path | None, files: list[Path], work: Path) -> Lists:
    corpus = REPO_ROOT / "corpus"
    if extra is not None:  # the bundled texts and the round's texts in one folder, indexed there
        corpus = work / extra.parent.name
        corpus.mkdir(exist_ok=True)
        for f in [*(REPO_ROOT / "corpus").glob("*.txt"), REPO_ROOT / "corpus" / "askplan.toml", *extra.glob("*.txt")]:
            shutil.copy(f, corpus / f.name)
    service = AskplanService(Settings(corpus_dir=corpus, index_dir=corpus.parent / f"{corpus.name}-index"
                                      if extra is not None else REPO_ROOT / "index"))
    service.retriever(build_if_missing=True, say=lambda m: print(m, file=sys.stderr))
    return training_lists(service, resolve_gold(load_question_sets(files), service.corpus))


def pooled(parts: list[Lists]) -> Lists:
    return Lists([x for p in parts for x in p.x], [y for p in parts for y in p.y], sum(p.unreachable for p in parts))


def main() -> None:
    model = Settings().model
    args = sys.argv[1:]
    keep = Path(args[args.index("--work") + 1]) if "--work" in args else None
    with tempfile.TemporaryDirectory() as tmp:
        work = keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        lists = {name: lists_for(extra, files, work) for name, (extra, files) in GROUPS.items()}
    for name, held in lists.items():
        ranker = fit(pooled([v for k, v in lists.items() if k != name]), model)
        print(f"left out {name:22s} {len(held.x):5d} lists ({held.unreachable} unreachable): "
              f"top-1 fusion {top1(held, None):.3f}  learned {top1(held, ranker):.3f}")
    if "--check" in sys.argv[1:]:
        return
    ranker = fit(pooled(list(lists.values())), model)
    path = save_ranker(ranker, WEIGHTS_DIR, [str(f.relative_to(REPO_ROOT)) for _, fs in GROUPS.values() for f in fs])
    print(f"wrote {path}")
    for name, w in zip(ranker.to_json()["features"], np.round(ranker.weights, 3), strict=True):
        print(f"  {name:15s} {w:+.3f}")


if __name__ == "__main__":
    main()
