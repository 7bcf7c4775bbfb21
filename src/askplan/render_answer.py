"""Answers as JSON objects (the one shape shared by ``askplan ask --json`` and ``GET /api/ask``) and as text."""

from __future__ import annotations

from askplan.answer import Answer, Hit
from askplan.models import Responsibility


def responsibility_dict(r: Responsibility | None) -> dict | None:
    if r is None:
        return None
    return {"text": r.text, "lead": r.lead_verbatim, "lead_canonical": r.lead, "units": list(r.units_verbatim),
            "units_canonical": list(r.units), "co_units": list(r.units_verbatim[1:]),
            "covers": list(r.span), "in_prose": r.prose}


def hit_dict(hit: Hit) -> dict:
    m = hit.measure
    sentence = m.text[hit.best_sentence[0]:hit.best_sentence[1]] if hit.best_sentence else None
    return {
        "rank": hit.rank, "id": m.id, "doc": m.doc, "key": m.key, "label": m.label,
        "display_label": m.display_label, "title": m.title, "chapter": list(m.chapter),
        "document_title": hit.document.title, "text": m.text, "best_sentence": sentence,
        "best_sentence_span": list(hit.best_sentence) if hit.best_sentence else None,
        "responsibility": responsibility_dict(hit.responsibility),
        "responsibilities": [responsibility_dict(r) for r in m.responsibilities],
        "citation": hit.citation, "score": None if hit.score == float("inf") else round(hit.score, 6),
        "legs": hit.legs,
    }


def answer_dict(answer: Answer) -> dict:
    top = answer.top
    return {
        "question": answer.question, "normalized": answer.normalized, "kind": answer.kind,
        "answered": answer.answered, "reason": answer.reason or None,
        "responsibility": responsibility_dict(top.responsibility) if top and answer.answered else None,
        "coverage": answer.coverage, "dense_top": answer.dense_top, "department": answer.department,
        "follow_up": answer.follow_up or None, "reply": answer.reply or None, "context": answer.context,
        "suggestions": list(answer.suggestions),
        "total": answer.count, "offset": answer.offset, "next_offset": answer.next_offset,
        "hits": [hit_dict(h) for h in answer.hits],
    }


def answer_text(answer: Answer) -> str:
    lines = []
    if not answer.answered:
        lines.append(f"未找到直接回答此问题的条款（{answer.reason}）。最接近的条款：")
    top = answer.top
    if answer.reply:
        lines.append(answer.reply)
    if answer.answered and top and answer.kind == "lead":
        r = top.responsibility
        if r:
            lines.append(f"牵头：{r.lead_verbatim}" + (f"；配合：{'、'.join(r.units_verbatim[1:])}"
                                                      if len(r.units_verbatim) > 1 else ""))
            lines.append(f"依据：{top.citation} {r.text}")
        else:
            lines.append(f"{top.citation} 未列明责任单位。")
    if answer.answered and answer.kind == "department":
        lines.append(f"{answer.department}：牵头 {answer.led} 条，配合 {answer.count - answer.led} 条")
        if len(answer.hits) < answer.count:
            more = f"；下一页：--offset {answer.next_offset}" if answer.next_offset is not None else ""
            lines.append(f"（{page_shown(answer)}，共 {answer.count} 条{more}）")
    for hit in answer.hits:
        m = hit.measure
        role = ("[牵头] " if _leads(hit, answer.department) else "[配合] ") if answer.kind == "department" else ""
        lines.append("")
        lines.append(f"{hit.rank}. {role}{hit.citation}  [{m.id}]")
        if m.chapter:
            lines.append("   " + " > ".join(m.chapter))
        if hit.best_sentence:
            lines.append("   » " + m.text[hit.best_sentence[0]:hit.best_sentence[1]].strip())
        if r := hit.responsibility:
            lines.append(f"   {'正文所述' if r.prose else '责任单位'}: {r.text}")
    return "\n".join(lines)


def page_shown(answer: Answer) -> str:
    """Which of a unit's clauses a page of its answer holds: 第 51–58 条 (or 没有更多条款 past the end)."""
    size = len(answer.hits)
    return f"第 {answer.offset + 1}–{answer.offset + size} 条" if size else "没有更多条款"


def _leads(hit: Hit, department: str | None) -> bool:
    return bool(department) and hit.responsibility is not None and hit.responsibility.lead == department
