"""Fit the shipped re-ranking weights (src/askplan/search/ranker/<model>.json) on the development question sets,
each group over the corpus its gold ids refer to, and print a leave-one-group-out check beside fusion alone.

    .venv/bin/python scripts/fit_ranker.py            # writes the package's weights for the default model
    .venv/bin/python scripts/fit_ranker.py --check    # the leave-one-group-out check only; writes nothing
    .venv/bin/python scripts/fit_ranker.py --balance none|sqrt|equal  # a group's total weight: its size, its
                                                      # square root, or one each (default none)
    .venv/bin/python scripts/fit_ranker.py --without-later-rounds  # only the bundled sets and round 1 (as shipped
                                                      # before session 20); by default every development round
    .venv/bin/python scripts/fit_ranker.py --work DIR # where the rounds' corpora and indexes are kept
                                                      # (default .rounds, shared with scripts/rounds.py)

The groups and why they are development sets: eval/README.md. Held-out sets are never passed here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from rounds import ROUNDS, Round, service_for  # noqa: E402  (the rounds' shared corpora and indexes)

from askplan.config import REPO_ROOT, Settings  # noqa: E402
from askplan.evaluate.rerank_fit import Lists, fit, save_ranker, top1, training_lists  # noqa: E402
from askplan.evaluate.runner import load_question_sets, resolve_gold  # noqa: E402
from askplan.search.rerank import WEIGHTS_DIR  # noqa: E402

EVAL = REPO_ROOT / "eval"
GROUPS = {  # name -> (added-later folder under eval/ or None, question files): the shipped weights' groups
    # sessions 1-3: the files named heldout*.jsonl were read too (eval/README.md), but stay out of any fit by name
    "sessions 1-3 (plan)": (None, sorted(p for p in EVAL.glob("*.jsonl") if p.name != "links_gold.jsonl"
                                         and not p.name.startswith("heldout"))),
    "dev-s4 (six bundled)": (None, sorted((EVAL / "blind").glob("dev-s4*.quotes.jsonl"))),
    "later round 1": ("later", sorted((EVAL / "later").glob("dev-*.quotes.jsonl"))),
}
# Every added-later round that is a development set (rounds.py marks it not held out; round 1 is above).
# Session 11 fitted on rounds 5 and 10-12 too: not better on the held-out rounds, so not shipped; session 20
# fitted on all eleven (eval/README.md).
LATER_GROUPS = {f"later round {r.folder.removeprefix('later')}": (r.folder, sorted(p for g in r.sets
                                                                                  for p in EVAL.glob(g)))
                for r in ROUNDS if not r.held_out and r.folder and r.folder != "later"}


def lists_for(folder: str | None, files: list[Path], work: Path) -> Lists:
    service = service_for(work, Round(folder or "bundled", folder, (), False))
    return training_lists(service, resolve_gold(load_question_sets(files), service.corpus))


def who_leads(lists: Lists) -> Lists:
    """The lists of ``lists`` whose questions ask who leads."""
    keep = [i for i, lead in enumerate(lists.who_leads or ()) if lead]
    return Lists([lists.x[i] for i in keep], [lists.y[i] for i in keep], 0)


BALANCE = {"none": lambda n: n, "sqrt": lambda n: n ** 0.5, "equal": lambda n: 1.0}  # a group's total weight


def pooled(parts: list[Lists], balance: str = "none") -> Lists:
    """The lists of ``parts`` in one; a part of n lists weighs BALANCE[balance](n) in total."""
    scale = [BALANCE[balance](len(p.x)) / len(p.x) if p.x else 0.0 for p in parts]
    weights = [s for p, s in zip(parts, scale, strict=True) for _ in p.x]
    return Lists([x for p in parts for x in p.x], [y for p in parts for y in p.y],
                 sum(p.unreachable for p in parts), weights)


def main() -> None:
    model = Settings().model
    args = sys.argv[1:]
    work = Path(args[args.index("--work") + 1]) if "--work" in args else REPO_ROOT / ".rounds"
    balance = args[args.index("--balance") + 1] if "--balance" in args else "none"
    groups = GROUPS if "--without-later-rounds" in args else {**GROUPS, **LATER_GROUPS}
    work.mkdir(parents=True, exist_ok=True)
    lists = {name: lists_for(folder, files, work) for name, (folder, files) in groups.items()}
    for name, held in lists.items():
        ranker = fit(pooled([v for k, v in lists.items() if k != name], balance), model)
        leads = who_leads(held)
        print(f"left out {name:22s} {len(held.x):5d} lists ({held.unreachable} unreachable): "
              f"top-1 fusion {top1(held, None):.3f}  learned {top1(held, ranker):.3f}; "
              f"who-leads ({len(leads.x)}) {top1(leads, None):.3f} → {top1(leads, ranker):.3f}")
    if "--check" in args:
        return
    ranker = fit(pooled(list(lists.values()), balance), model)
    path = save_ranker(ranker, WEIGHTS_DIR, [str(f.relative_to(REPO_ROOT)) for _, fs in groups.values() for f in fs])
    print(f"wrote {path}")
    for name, w in zip(ranker.to_json()["features"], np.round(ranker.weights, 3), strict=True):
        print(f"  {name:15s} {w:+.3f}")


if __name__ == "__main__":
    main()
