"""The draft checker on the web: ``/check`` (a form that POSTs the draft, so it never lands in a URL, a log line
or the browser history; the annotated draft comes back in the response and is stored nowhere) and
``POST /api/check`` (JSON in, the report of ``askplan check --json`` out). Thin routes over one
``DraftChecker``, built on first use and kept on the app."""

from __future__ import annotations

import threading
from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from askplan.checker.annotate import numbered, pieces
from askplan.checker.core import MAX_DRAFT_CHARS, BadDraft, DraftChecker, validate_draft
from askplan.checker.docx_export import DOCX_MEDIA_TYPE, report_docx
from askplan.checker.report import KIND_NAMES, TONE_NAMES, draft_and_source, fix_line, report_dict, summary
from askplan.normalize import replace_surrogates
from askplan.web.deps import service_of
from askplan.web.readiness import Preparing
from askplan.web.schemas import ERROR_RESPONSES
from askplan.web.templating import SECURITY_HEADERS, render, script_of
from askplan.web.views import SCRIPT_COOKIE, SCRIPTS, converter, doc_options

router = APIRouter()
_build_lock = threading.Lock()
DOCX_NAME = "草稿核对报告.docx"
PREPARING = "正在准备索引（首次启动需要几十秒到几分钟），草稿已保留在上面，请稍后再点“核对”。"


class CheckIn(BaseModel):
    text: str = Field(description=f"The draft, Simplified or Traditional, at most {MAX_DRAFT_CHARS} characters")
    doc: str | None = Field(default=None, description="Document that bare references and claims refer to "
                                                      "(slug, see /api/docs); default: the plan")


class CitedOut(BaseModel):
    id: str
    doc: str
    key: str
    citation: str = Field(description="Paste-ready, in the clause's script")
    citation_simplified: str
    url: str


class DiffOut(BaseModel):
    op: Literal["equal", "replace", "extra", "missing"] = Field(
        description="extra: only in the draft; missing: in the clause but dropped from the draft")
    draft: str
    source: str
    source_simplified: str


class FindingOut(BaseModel):
    kind: Literal["quote_ok", "quote_mismatch", "ref_ok", "ref_missing", "ref_mismatch", "claim_supported",
                  "claim_unsupported"]
    severity: Literal["info", "warning", "error"] = Field(description="info: confirmed or not checkable")
    message: str = Field(description="What was found, in Chinese")
    fix: str = Field(description="One line saying what to change (empty unless flagged), in the draft's script")
    start: int = Field(description="[start, end) of the span in the draft")
    end: int
    span: str
    citations: list[CitedOut] = Field(description="The clause confirmed, or the one that is right instead")
    candidates: list[CitedOut] = Field(description="Nearest clauses when none supports the text")
    source: str | None = Field(description="The true clause text compared, original script")
    source_simplified: str | None
    diff: list[DiffOut] | None = Field(description="Character diff of the span against source")


class SentenceOut(BaseModel):
    index: int
    start: int
    end: int
    text: str
    findings: list[FindingOut]


class SummaryOut(BaseModel):
    characters: int
    sentences: int
    errors: int
    warnings: int
    confirmed: int = Field(description="quote_ok, ref_ok and claim_supported findings")
    unchecked: int = Field(description="Other info findings: what could not be checked")


class CheckOut(BaseModel):
    doc: str | None
    script: Literal["traditional", "simplified"] = Field(description="The draft's script")
    scope: list[str] = Field(description="The documents the draft cites (slugs), the only ones compared; "
                                         "empty: it cites none and the whole corpus was searched")
    summary: SummaryOut
    sentences: list[SentenceOut]
    citations: list[CitedOut] = Field(description="Clauses to paste: confirmed ones and corrections")


def checker_of(request: Request) -> DraftChecker:
    """The app's checker (indexes the corpus once, on the first check)."""
    state = request.app.state
    with _build_lock:
        if getattr(state, "draft_checker", None) is None:
            state.draft_checker = DraftChecker(service_of(request))
    return state.draft_checker


def run_check(request: Request, text: str, doc: str | None):
    """Check the draft first (a bad one is a 422 even while the index is being prepared), then wait for
    readiness and check it."""
    validate_draft(text)
    if doc:
        service_of(request).corpus.document(doc)
    request.app.state.readiness.require()
    return checker_of(request).check(text, doc=doc or None)


@router.post("/api/check", response_model=CheckOut, responses=ERROR_RESPONSES, tags=["api"])
def api_check(request: Request, body: CheckIn) -> dict:
    """Check a draft: quotations, clause references and claims, sentence by sentence. Nothing is stored."""
    return report_dict(run_check(request, replace_surrogates(body.text), body.doc))


@router.get("/check", response_class=HTMLResponse, include_in_schema=False)
def check_page(request: Request) -> HTMLResponse:
    return _page(request, "", "", script=script_of(request))


@router.post("/check", response_class=HTMLResponse, include_in_schema=False)
def check_submit(request: Request, text: str = Form(""), doc: str = Form(""),
                 script: str = Form("")) -> HTMLResponse:
    """Check the posted draft. ``script`` is set by the 简体/原文 buttons, which resubmit the draft (so a toggle
    keeps the draft and its results); without it the report answers in the draft's own script."""
    text, chosen = replace_surrogates(text), script if script in SCRIPTS else ""
    if chosen and not text.strip():
        return _page(request, text, doc, script=chosen, remember=chosen)
    try:
        report = run_check(request, text, doc)
    except BadDraft as exc:
        return _page(request, text, doc, message=_message(text, exc), status_code=422,
                     script=chosen or script_of(request))
    except Preparing:  # not the self-refreshing page: a refresh would lose the draft, which is kept nowhere
        return _page(request, text, doc, message=PREPARING, status_code=503, headers={"Retry-After": "5"},
                     script=chosen or script_of(request))
    shown = chosen or ("orig" if report.traditional else "simp")
    return _page(request, text, doc, report=report, script=shown, remember=chosen)


@router.post("/check.docx", include_in_schema=False)
def check_docx(request: Request, text: str = Form(""), doc: str = Form(""), script: str = Form("")) -> Response:
    """The report of the posted draft as a Word file, built in memory (the draft is checked again: nothing of
    an earlier check is kept on the server)."""
    text = replace_surrogates(text)
    try:
        report = run_check(request, text, doc)
    except BadDraft as exc:
        return _page(request, text, doc, message=_message(text, exc), status_code=422, script=script_of(request))
    simplified = (script == "simp") if script in SCRIPTS else None
    body = report_docx(report, simplified=simplified)
    disposition = f"attachment; filename=\"check-report.docx\"; filename*=UTF-8''{quote(DOCX_NAME)}"
    return Response(body, media_type=DOCX_MEDIA_TYPE,
                    headers={**SECURITY_HEADERS, "Content-Disposition": disposition, "Cache-Control": "no-store"})


def _message(text: str, exc: BadDraft) -> str:
    if len(text) > MAX_DRAFT_CHARS:
        return f"草稿太长：共 {len(text)} 个字符，上限是 {MAX_DRAFT_CHARS} 个。请分章节核对。"
    return "请先粘贴要核对的草稿。"


def _page(request: Request, text: str, doc: str, *, script: str, report=None, message: str | None = None,
          status_code: int = 200, headers: dict | None = None, remember: str = "") -> HTMLResponse:
    service = service_of(request)
    conv = converter(script)
    context = {"text": text, "doc": doc, "docs": doc_options(service.corpus, conv), "script": script, "conv": conv,
               "message": message, "max_chars": MAX_DRAFT_CHARS, "report": report, "kind_names": KIND_NAMES,
               "tone_names": TONE_NAMES}
    if report is not None:
        simp = script == "simp"
        notes = [(n, f, *draft_and_source(f, report.text, simp), fix_line(f, simp)) for n, f in numbered(report)]
        scope = [conv(service.corpus.document(slug).title) for slug in report.scope]
        context.update(pieces=pieces(report), notes=notes, summary=summary(report), scope=scope)
    response = render(request, "check.html", status_code=status_code, headers=headers, **context)
    if remember:
        response.set_cookie(SCRIPT_COOKIE, remember, max_age=365 * 24 * 3600, samesite="lax")
    return response
