"""How well askplan reads who does what from prose, against duties labelled by hand in development texts.

eval/leads/dev-duties.jsonl holds one object a labelled duty: {"doc", "quote" (a verbatim phrase of the duty),
"units" (every unit the text makes responsible for it, as printed), "lead" (the one that leads), "how" (bracket,
label or prose)}. Blind annotators labelled every duty of eight development texts (session 14; the texts had
been development texts since their rounds were read), then of three more texts they found themselves, in layouts
that give each unit its own label or heading (eval/leads/corpus/; no question set asks about them). For each
duty this asks the pipeline's who-leads reader
(``answer.responsibility_for``) the question "<the duty, without its units>，谁负责？" on the measure that holds
the quote, and compares the unit it names first with the label, as ``askplan eval``'s lead accuracy does.

    .venv/bin/python scripts/lead_labels.py [--misses]      # accuracy per document and per "how"

Development only: the texts are development texts and their misses are read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import rounds  # noqa: E402

LABELS = rounds.EVAL / "leads" / "dev-duties.jsonl"
# texts labelled for this only (no question set asks about them), in eval/leads/corpus/
LABELLED_ONLY = rounds.Round("leads", "leads", (), False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=rounds.ROOT / ".rounds", help="rounds.py's working folder")
    parser.add_argument("--misses", action="store_true", help="print each duty read wrong")
    parser.add_argument("--labels", type=Path, default=LABELS, help="the labelled duties (JSONL)")
    args = parser.parse_args()

    from askplan.answer import responsibility_for
    from askplan.config import Settings
    from askplan.evaluate.gold import QuoteResolver
    from askplan.evaluate.metrics import fold_clause
    from askplan.intent import asked_of
    from askplan.normalize import normalize
    from askplan.service import AskplanService
    from askplan.tokenize import bigrams

    labels = [json.loads(line) for line in args.labels.read_text(encoding="utf-8").splitlines() if line.strip()]
    round_of = {p.stem: r for r in (*rounds.ROUNDS, LABELLED_ONLY) if r.folder and not r.held_out
                for p in (rounds.EVAL / r.folder / "corpus").glob("*.txt")}
    loaded: dict[str, tuple] = {}
    by: Counter = Counter()
    for label in labels:
        round_ = round_of[label["doc"]]
        if round_.name not in loaded:
            corpus_dir = rounds._corpus(args.work, round_)
            service = AskplanService(Settings(corpus_dir=corpus_dir, index_dir=args.work / f"index-{round_.folder}"))
            loaded[round_.name] = ({m.id: m for m in service.corpus.measures}, QuoteResolver(service.corpus),
                                   service._short_names)
        measures, resolver, short = loaded[round_.name]
        measure = measures.get(resolver.resolve(label["quote"], label["doc"]))
        if measure is None:  # a quote in text the parser keeps in no measure (?unparsed) counts as a miss
            by[("all", False)] += 1
            by[(f"how:{label['how']}", False)] += 1
            by[(f"doc:{label['doc']}", False)] += 1
            continue
        duty = label["quote"]
        for unit in label["units"]:
            duty = duty.replace(unit, "")
        question = normalize(duty + "，谁负责？")
        at = measure.text.find(label["quote"])
        resp = responsibility_for(measure, (at, at + len(label["quote"])) if at >= 0 else None,
                                  set(bigrams(question)), asked_of(question), short.get(measure.doc, ()))
        got = (resp.lead_verbatim or resp.lead) if resp else None
        right = bool(got) and fold_clause(got) == fold_clause(label["lead"])
        for key in ("all", f"how:{label['how']}", f"doc:{label['doc']}"):
            by[(key, right)] += 1
        if args.misses and not right:
            print(f"{label['doc']} | {label['quote']} | want {label['lead']} | got {got}")
    for key in sorted({k for k, _ in by}):
        n = by[(key, True)] + by[(key, False)]
        print(f"{key}: {by[(key, True)] / n:.3f} ({n})")


if __name__ == "__main__":
    main()
