"""A readable table of eval metrics: per group, the pipeline beside the plain-RRF baseline; each check's
precision; the worst misses."""

from __future__ import annotations

from askplan.evaluate.runner import worst_misses

COLUMNS = ("questions", "recall@1", "recall@5", "mrr@10", "lead_accuracy", "lead_unit_accuracy", "abstain_recall",
           "false_abstain_rate")
BASELINE_COLUMNS = ("recall@1", "recall@5", "mrr@10")


def render_report(report: dict, worst: int = 10) -> str:
    baseline = report.get("baseline", {})
    width = max(len(k) for k in report["metrics"]) + 2
    header = f"{'group':<{width}}" + "".join(f"{c:>{_w(c)}}" for c in COLUMNS)
    if baseline:
        header += "  |" + "".join(f"{'base ' + c:>15}" for c in BASELINE_COLUMNS)
    lines = [f"mode: {report['mode']}" + ("   (base = plain RRF of words, bigrams and dense; no priors, "
                                          "no abstention)" if baseline else ""), header]
    for group, metrics in report["metrics"].items():
        line = f"{group:<{width}}" + "".join(f"{_fmt(metrics.get(c)):>{_w(c)}}" for c in COLUMNS)
        if baseline:
            line += "  |" + "".join(f"{_fmt(baseline.get(group, {}).get(c)):>15}" for c in BASELINE_COLUMNS)
        lines.append(line)
    if report.get("checks"):
        lines += ["", "abstention checks (precision = share of their refusals that were unanswerable questions):"]
        for name, c in report["checks"].items():
            lines.append(f"  {name:<10} fired {c['fired']:>4}  on unanswerable {c['on_unanswerable']:>4}  "
                         f"precision {c['precision']:.3f}")
    leads = report.get("leads", {})
    if sum(leads.values()):
        lines += ["", f"who-leads questions with an expected unit ({sum(leads.values())}): "
                  + "; ".join(f"{name} {n}" for name, n in leads.items())]
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


def _w(column: str) -> int:
    return max(11, len(column) + 2)


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)
