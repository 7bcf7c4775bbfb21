"""The check report as a Word file (.docx, python-docx): the draft sentence by sentence, each finding under its
sentence (the draft's words in red, then 应为 and the source's words in green, and a one-line fix), and the
citations to paste. Built in memory and returned as bytes: nothing is written to disk."""

from __future__ import annotations

import io

from askplan.checker.models import CheckReport, Cited, Finding
from askplan.checker.report import KIND_NAMES, TONE_NAMES, draft_and_source, fix_line, summary
from askplan.normalize import to_simplified_display

DRAFT_RED, SOURCE_GREEN, MUTED = (0xB4, 0x23, 0x18), (0x2F, 0x6B, 0x3A), (0x5F, 0x6B, 0x7A)
EAST_ASIAN_FONT = "SimSun"  # what Word on a Chinese desktop has; other systems substitute their own
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def report_docx(report: CheckReport, *, simplified: bool | None = None, flagged_only: bool = False) -> bytes:
    """The .docx bytes of ``report``; texts in the draft's script unless ``simplified`` says otherwise."""
    import docx  # python-docx: imported here so that the checker works without it

    simp = (not report.traditional) if simplified is None else simplified
    document = docx.Document()
    _east_asian(document)
    document.add_heading("草稿核对报告", level=1)
    s = summary(report)
    document.add_paragraph(f"共 {s['sentences']} 句、{s['characters']} 字：{s['errors']} 处错误，"
                           f"{s['warnings']} 处提醒，{s['confirmed']} 处确认，{s['unchecked']} 处无法核对。")
    document.add_heading("逐句核对", level=2)
    for sentence in report.sentences:
        shown = [f for f in sentence.findings if f.flagged or not flagged_only]
        document.add_paragraph(f"第 {sentence.index + 1} 句：{sentence.text.strip()}")
        for f in shown:
            _finding(document, f, report.text, simp)
    if report.citations:
        document.add_heading("可粘贴的引用", level=2)
        for c in report.citations:
            document.add_paragraph(_citation(c, simp), style="List Bullet")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _finding(document, f: Finding, draft: str, simp: bool) -> None:
    from docx.shared import Pt, RGBColor

    head = document.add_paragraph(style="List Number")
    head.add_run(f"【{TONE_NAMES[f.tone]}·{KIND_NAMES[f.kind]}】").bold = True
    head.add_run(to_simplified_display(f.message) if simp else f.message)
    ours, theirs = draft_and_source(f, draft, simp)
    if f.flagged and theirs:
        line = document.add_paragraph()
        line.paragraph_format.left_indent = Pt(18)
        line.add_run("草稿：").font.color.rgb = RGBColor(*MUTED)
        for text, changed in ours:
            run = line.add_run(text)
            run.font.color.rgb = RGBColor(*DRAFT_RED)
            run.bold = changed
        line.add_run("　应为：").font.color.rgb = RGBColor(*MUTED)
        for text, changed in theirs:
            run = line.add_run(text)
            run.font.color.rgb = RGBColor(*SOURCE_GREEN)
            run.bold = changed
    if fix := fix_line(f, simp):
        line = document.add_paragraph()
        line.paragraph_format.left_indent = Pt(18)
        line.add_run("修改：").bold = True
        line.add_run(fix)
    for c in f.citations:
        line = document.add_paragraph(_citation(c, simp))
        line.paragraph_format.left_indent = Pt(18)


def _citation(c: Cited, simp: bool) -> str:
    return c.citation_simplified if simp else c.citation


def _east_asian(document) -> None:
    """Set the East Asian font of the Normal style, so Chinese text is not drawn in a Latin fallback."""
    from docx.oxml.ns import qn

    style = document.styles["Normal"]
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)
