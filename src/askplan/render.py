"""Plain-text and JSON renderings of records, shared by the CLI (and golden-file tests)."""

from __future__ import annotations

from dataclasses import asdict

from askplan.models import Document, Measure
from askplan.normalize import to_simplified_display


def measure_dict(measure: Measure, doc: Document, *, simplified: bool = False) -> dict:
    conv = to_simplified_display if simplified else (lambda s: s)
    data = asdict(measure)
    data["responsibilities"] = [
        {**asdict(r), "text": conv(r.text), "lead_verbatim": r.lead_verbatim} for r in measure.responsibilities
    ]
    data.update(title=conv(measure.title), text=conv(measure.text), chapter=[conv(c) for c in measure.chapter],
                label=measure.label, document_title=conv(doc.title), citation=conv(doc.citation(measure)))
    return data


def measure_line(measure: Measure) -> str:
    lead = measure.responsibilities[0].lead_verbatim if measure.responsibilities else "-"
    return f"{measure.id}\t{measure.heading()}\t{lead}"


def measure_full(measure: Measure, doc: Document, *, simplified: bool = False) -> str:
    conv = to_simplified_display if simplified else (lambda s: s)
    lines = [conv(doc.citation(measure)), f"id: {measure.id}"]
    if measure.chapter:
        lines.append("chapter: " + conv(" > ".join(measure.chapter)))
    lines += ["", conv(measure.text.strip()), ""]
    if not measure.responsibilities:
        lines.append("responsibility: (none stated)")
    for i, r in enumerate(measure.responsibilities, start=1):
        covered = measure.text[r.span[0]:r.span[1]].strip()
        lines.append(f"responsibility {i}: {conv(r.text)}")
        co_units = "、".join(r.units_verbatim[1:]) or "-"
        lines.append(f"  lead: {conv(r.lead_verbatim or '-')}; co-units: {conv(co_units)}")
        lines.append(f"  covers: {conv(covered[:60])}{'…' if len(covered) > 60 else ''}")
    lines.append(f"citation: {conv(doc.citation(measure))}")
    return "\n".join(lines)
