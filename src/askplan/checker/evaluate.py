"""Score the checker on drafts with known errors (``eval/drafts/drafts.jsonl``): precision and recall of its
flags (warnings and errors) against the labelled error spans, and how many known-correct spans it confirms
without flagging. Pure scoring functions; ``run_eval`` returns numbers, ``render_scores`` writes them.

    python -m askplan.checker.evaluate eval/drafts/drafts.jsonl [--json]
    askplan check --eval eval/drafts/drafts.jsonl [--json]
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from askplan.checker.models import KINDS, CheckReport, Finding
from askplan.errors import AskplanError


class DraftSetError(AskplanError):
    """A drafts file that cannot be scored (bad JSON, unknown kind, a span not in its text)."""


@dataclass(frozen=True)
class Label:
    kind: str
    start: int
    end: int
    span: str
    expected: str | None = None


@dataclass(frozen=True)
class Draft:
    id: str
    text: str
    doc: str | None
    errors: tuple[Label, ...]
    ok: tuple[Label, ...]  # spans that are right and must be confirmed, not flagged


def family(kind: str) -> str:
    return kind.split("_", 1)[0]


def load_drafts(path: Path) -> list[Draft]:
    drafts = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            drafts.append(Draft(row["id"], row["text"], row.get("doc"), _labels(row, "errors"), _labels(row, "ok")))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise DraftSetError(f"{path}:{n}: not a draft record ({exc}); each line needs id, text and errors") \
                from None
        except ValueError as exc:
            raise DraftSetError(f"{path}:{n}: {exc}") from None
    return drafts


def _labels(row: dict, field: str) -> tuple[Label, ...]:
    out = []
    for item in row.get(field, []):
        if item["kind"] not in KINDS:
            raise ValueError(f"unknown kind {item['kind']!r}; one of {', '.join(KINDS)}")
        start = row["text"].find(item["span"])
        if start < 0 or not item["span"]:
            raise ValueError(f"span {item['span']!r} is not in the text of {row['id']}")
        out.append(Label(item["kind"], start, start + len(item["span"]), item["span"], item.get("expected")))
    return tuple(out)


def overlaps(f: Finding, label: Label) -> bool:
    return f.start < label.end and label.start < f.end


def score_draft(draft: Draft, report: CheckReport) -> dict:
    """Counts for one draft: flags that hit a labelled error (any kind), errors found (same family of kind,
    and any kind), known-correct spans confirmed or wrongly flagged."""
    flags = [f for f in report.findings if f.flagged]
    infos = [f for f in report.findings if not f.flagged]
    true_flags = [f for f in flags if any(overlaps(f, e) for e in draft.errors)]
    found = [e for e in draft.errors if any(overlaps(f, e) and family(f.kind) == family(e.kind) for f in flags)]
    found_any = [e for e in draft.errors if any(overlaps(f, e) for f in flags)]
    confirmed = [o for o in draft.ok if any(overlaps(f, o) and f.kind == o.kind for f in infos)
                 and not any(overlaps(f, o) for f in flags)]
    flagged_ok = [o for o in draft.ok if any(overlaps(f, o) for f in flags)]
    return {
        "id": draft.id, "flags": len(flags), "true_flags": len(true_flags), "errors": len(draft.errors),
        "found": len(found), "found_any_kind": len(found_any), "ok": len(draft.ok), "confirmed": len(confirmed),
        "flagged_ok": len(flagged_ok),
        "missed": [{"kind": e.kind, "span": e.span} for e in draft.errors if e not in found],
        "false_flags": [{"kind": f.kind, "span": report.text[f.start:f.end], "message": f.message}
                        for f in flags if f not in true_flags],
        "by_kind": {e.kind: [int(e in found), 1] for e in draft.errors},
    }


def aggregate(rows: list[dict]) -> dict:
    """Precision = flags on a labelled error / all flags; recall = labelled errors flagged with a finding of
    the same family (quote/ref/claim) / all labelled errors."""
    total = Counter()
    by_kind: dict[str, list[int]] = {}
    for r in rows:
        total.update({k: r[k] for k in ("flags", "true_flags", "errors", "found", "found_any_kind", "ok",
                                        "confirmed", "flagged_ok")})
        for kind, (hit, n) in r["by_kind"].items():
            acc = by_kind.setdefault(kind, [0, 0])
            acc[0] += hit
            acc[1] += n
    precision = total["true_flags"] / total["flags"] if total["flags"] else 1.0
    recall = total["found"] / total["errors"] if total["errors"] else 1.0
    return {
        "drafts": len(rows), "errors": total["errors"], "flags": total["flags"],
        "precision": round(precision, 4), "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
        "recall_any_kind": round(total["found_any_kind"] / total["errors"], 4) if total["errors"] else 1.0,
        "ok_spans": total["ok"], "ok_confirmed": total["confirmed"], "ok_flagged": total["flagged_ok"],
        "recall_by_kind": {k: f"{hit}/{n}" for k, (hit, n) in sorted(by_kind.items())},
    }


def run_eval(checker, drafts: list[Draft], *, doc: str | None = None) -> dict:
    rows = [score_draft(d, checker.check(d.text, doc=d.doc or doc)) for d in drafts]
    return {"metrics": aggregate(rows), "drafts": rows}


def render_scores(scores: dict) -> str:
    m = scores["metrics"]
    lines = [f"drafts {m['drafts']}  labelled errors {m['errors']}  flags {m['flags']}",
             f"precision {m['precision']:.3f}  recall {m['recall']:.3f}  F1 {m['f1']:.3f}  "
             f"(recall, any kind of flag: {m['recall_any_kind']:.3f})",
             f"correct spans confirmed {m['ok_confirmed']}/{m['ok_spans']}, wrongly flagged {m['ok_flagged']}",
             "recall by kind: " + ", ".join(f"{k} {v}" for k, v in m["recall_by_kind"].items())]
    for r in scores["drafts"]:
        for e in r["missed"]:
            lines.append(f"  missed   {r['id']} {e['kind']}: {e['span']}")
        for f in r["false_flags"]:
            lines.append(f"  spurious {r['id']} {f['kind']}: {f['span']} — {f['message']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    import argparse

    from askplan.checker.core import DraftChecker
    from askplan.config import Settings
    from askplan.service import AskplanService

    parser = argparse.ArgumentParser(prog="python -m askplan.checker.evaluate", description=__doc__.split("\n")[0])
    parser.add_argument("drafts", type=Path)
    parser.add_argument("--json", action="store_true", help="print the scores as one JSON object")
    parser.add_argument("--model", default=None, help="embedding model (default: the bundled e5-small)")
    args = parser.parse_args(argv)
    service = AskplanService(Settings(**({"model": args.model} if args.model else {})))
    service.retriever(build_if_missing=True)
    scores = run_eval(DraftChecker(service), load_drafts(args.drafts))
    print(json.dumps(scores, ensure_ascii=False) if args.json else render_scores(scores))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
