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


def finding_dict(f: Finding, text: str, simplified: bool = True) -> dict:
    return {
        "fix": fix_line(f, simplified),
        "kind": f.kind, "severity": f.severity, "message": f.message, "start": f.start, "end": f.end,
        "span": text[f.start:f.end], "citations": [cited_dict(c) for c in f.citations],
        "candidates": [cited_dict(c) for c in f.candidates], "source": f.source,
        "source_simplified": f.source_simplified,
        "diff": [{"op": p.op, "draft": p.draft, "source": p.source, "source_simplified": p.source_simplified}
                 for p in f.diff] or None,
    }


Piece = tuple[str, bool]  # (text, differs from the other side)
MAX_FIXES = 3


def draft_and_source(f: Finding, draft: str, simplified: bool) -> tuple[tuple[Piece, ...], tuple[Piece, ...]]:
    """The draft's words and the source's words of a finding, each split into pieces flagged where they differ:
    what the report shows as the draft (red where wrong) and then 应为 (green where the source differs). No
    source: the draft's words only. Words a misquote left out are green on the source side, never struck."""
    if not f.diff:
        source = (f.source_simplified if simplified else f.source) or ""
        return ((draft[f.start:f.end], False),), (((source, False),) if source else ())
    ours, theirs = [], []
    for p in f.diff:
        source = p.source_simplified if simplified else p.source
        changed = p.op != "equal"
        if p.draft:
            ours.append((p.draft, changed))
        if source:
            theirs.append((source, changed))
    return tuple(ours), tuple(theirs)


def fix_line(f: Finding, simplified: bool) -> str:
    """One line saying what to change, for a flagged finding (empty for a confirmed or uncheckable one)."""
    if not f.flagged:
        return ""
    edits = []
    for p in f.diff:
        source = p.source_simplified if simplified else p.source
        if p.op == "replace":
            edits.append(f"把“{p.draft}”改为“{source}”")
        elif p.op == "extra":
            edits.append(f"删去“{p.draft}”")
        elif p.op == "missing":
            edits.append(f"补上“{source}”")
    if edits:
        more = f"等 {len(edits)} 处" if len(edits) > MAX_FIXES else ""
        return "；".join(edits[:MAX_FIXES]) + more + "。"

    def cite(c: Cited) -> str:
        return c.citation_simplified if simplified else c.citation

    if f.kind == "ref_mismatch" and (right := (f.candidates or f.citations)):
        return f"改引{cite(right[0])}，或改写句子使其与所引条款相符。"
    if f.kind == "ref_missing":
        return (f"核对条款号；内容最接近的是{cite(f.candidates[0])}。" if f.candidates
                else "核对条款号，或删去这一引用。")
    if f.kind == "claim_unsupported":
        return "核对数字或单位的出处，改为原文的说法，或删去。"
    return "对照原文改正。"


def summary(report: CheckReport) -> dict:
    return {"characters": len(report.text), "sentences": len(report.sentences), "errors": report.count("error"),
            "warnings": report.count("warning"), "confirmed": report.count("ok"), "unchecked": report.count("note")}


def report_dict(report: CheckReport) -> dict:
    return {
        "doc": report.doc,
        "script": "traditional" if report.traditional else "simplified",
        "scope": list(report.scope),
        "summary": summary(report),
        "sentences": [{"index": s.index, "start": s.start, "end": s.end, "text": s.text,
                       "findings": [finding_dict(f, report.text, not report.traditional) for f in s.findings]}
                      for s in report.sentences],
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
    if fix := fix_line(f, not report.traditional):
        lines.append(f"    修改：{fix}")
    if f.candidates:
        lines.append("    最接近的条款：" + "；".join(c.citation if report.traditional else c.citation_simplified
                                                  for c in f.candidates))
    return lines
