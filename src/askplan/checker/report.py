"""The check report as JSON (one shape for ``askplan check --json`` and ``POST /api/check``) and as text."""

from __future__ import annotations

from urllib.parse import quote

from askplan.checker.models import CheckReport, Cited, DiffPart, Finding

TONE_NAMES = {"error": "错误", "warning": "提醒", "ok": "确认", "note": "未核对"}
TONE_MARKS = {"error": "✗", "warning": "!", "ok": "✓", "note": "·"}
KIND_NAMES = {"quote_ok": "引文", "quote_mismatch": "引文", "ref_ok": "条款引用", "ref_missing": "条款引用",
              "ref_mismatch": "条款引用", "claim_supported": "目标与分工", "claim_unsupported": "目标与分工"}


def cited_dict(c: Cited) -> dict:
    return {"id": c.id, "doc": c.doc, "key": c.key, "citation": c.citation,
            "citation_simplified": c.citation_simplified, "url": f"/m/{quote(c.doc)}/{quote(c.key)}"}


def finding_dict(f: Finding, text: str) -> dict:
    return {
        "kind": f.kind, "severity": f.severity, "message": f.message, "start": f.start, "end": f.end,
        "span": text[f.start:f.end], "citations": [cited_dict(c) for c in f.citations],
        "candidates": [cited_dict(c) for c in f.candidates], "source": f.source,
        "source_simplified": f.source_simplified,
        "diff": [{"op": p.op, "draft": p.draft, "source": p.source, "source_simplified": p.source_simplified}
                 for p in f.diff] or None,
    }


def summary(report: CheckReport) -> dict:
    return {"characters": len(report.text), "sentences": len(report.sentences), "errors": report.count("error"),
            "warnings": report.count("warning"), "confirmed": report.count("ok"), "unchecked": report.count("note")}


def report_dict(report: CheckReport) -> dict:
    return {
        "doc": report.doc,
        "script": "traditional" if report.traditional else "simplified",
        "summary": summary(report),
        "sentences": [{"index": s.index, "start": s.start, "end": s.end, "text": s.text,
                       "findings": [finding_dict(f, report.text) for f in s.findings]} for s in report.sentences],
        "citations": [cited_dict(c) for c in report.citations],
    }


def inline_diff(parts: tuple[DiffPart, ...], traditional: bool) -> str:
    """The draft's words with the clause's in git word-diff notation: [-原文-]{+草稿+}."""
    out = []
    for p in parts:
        source = p.source if traditional else p.source_simplified
        if p.op == "equal":
            out.append(p.draft)
        else:
            out.append((f"[-{source}-]" if source else "") + (f"{{+{p.draft}+}}" if p.draft else ""))
    return "".join(out)


def report_text(report: CheckReport, *, all_findings: bool = True) -> str:
    s = summary(report)
    lines = [f"核对了 {s['sentences']} 句（{s['characters']} 字）：{s['errors']} 处错误，{s['warnings']} 处提醒，"
             f"{s['confirmed']} 处确认，{s['unchecked']} 处无法核对。"]
    for sentence in report.sentences:
        shown = [f for f in sentence.findings if all_findings or f.flagged]
        if not shown:
            continue
        lines += ["", f"第 {sentence.index + 1} 句 [{sentence.start}–{sentence.end}]：{sentence.text}"]
        for f in shown:
            lines += _finding_lines(f, report)
    if report.citations:
        lines += ["", "可粘贴的引用："] + [f"  {c.citation if report.traditional else c.citation_simplified}"
                                          for c in report.citations]
    return "\n".join(lines)


def _finding_lines(f: Finding, report: CheckReport) -> list[str]:
    span = report.text[f.start:f.end]
    lines = [f"  {TONE_MARKS[f.tone]} {TONE_NAMES[f.tone]}·{KIND_NAMES[f.kind]}（{f.kind}）"
             f"「{span}」", f"    {f.message}"]
    if f.diff:
        lines.append(f"    对照：{inline_diff(f.diff, report.traditional)}")
    if f.candidates:
        lines.append("    最接近的条款：" + "；".join(c.citation for c in f.candidates))
    return lines
