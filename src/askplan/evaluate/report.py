"""A readable table of eval metrics (overall and by kind) and the worst misses."""

from __future__ import annotations

from askplan.evaluate.runner import worst_misses

COLUMNS = ("questions", "recall@1", "recall@5", "mrr@10", "ndcg@10", "lead_accuracy", "abstain_recall",
           "false_abstain_rate")


def render_report(report: dict, worst: int = 10) -> str:
    width = max(len(k) for k in report["metrics"]) + 2
    header = f"{'group':<{width}}" + "".join(f"{c:>19}" for c in COLUMNS)
    lines = [f"mode: {report['mode']}", header]
    for kind, metrics in report["metrics"].items():
        lines.append(f"{kind:<{width}}" + "".join(f"{_fmt(metrics.get(c)):>19}" for c in COLUMNS))
    misses = worst_misses(report, worst)
    if misses:
        lines += ["", f"worst misses (gold ranked lowest; {len(misses)} shown):"]
        for r in misses:
            lines.append(f"  {r['id']} [{r['kind']}] {r['question']}  gold={','.join(r['gold'])}  "
                         f"got={','.join(x.split('/')[-1] for x in r['ranked'][:3])}")
    abstained = [r for r in report["results"] if r["gold"] and not r["answered"]]
    if abstained:
        lines += ["", "answerable but abstained: " + ", ".join(r["id"] for r in abstained[:20])]
    return "\n".join(lines)


def _fmt(value) -> str:
    return "-" if value is None else str(value)
