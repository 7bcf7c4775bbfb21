"""HTML pages: the question page (results at ``/?q=…&doc=…`` so they can be bookmarked), one measure, one
document's contents, and the 原文/简体 toggle. Thin routes over the service; views do the shaping."""

from __future__ import annotations

import itertools
from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from askplan.corpus.measure_store import column
from askplan.errors import BadQuery
from askplan.links import DENSE_WEIGHT, FIRST_BAR, LEXICAL_WEIGHT, LINK_BAR
from askplan.service import MAX_K, MAX_QUESTION_CHARS
from askplan.web import deps
from askplan.web.deps import clean_query, service_of
from askplan.web.templating import convert_for, render
from askplan.web.views import (
    SCRIPT_COOKIE,
    answer_view,
    doc_options,
    document_rows,
    links_view,
    measure_view,
    ready_links,
    toc_rows,
)

router = APIRouter(include_in_schema=False)
# What the 相似度 of an outline link means, from the constants that compute it (links.py).
SIMILARITY = {"dense": DENSE_WEIGHT, "lexical": LEXICAL_WEIGHT, "first": FIRST_BAR, "bar": LINK_BAR}
ASK_FOR_QUESTION = "请输入一个问题"
MAX_EXAMPLES = 5
ONE_YEAR = 365 * 24 * 3600


def examples_for(corpus) -> tuple[str, ...]:
    """The corpus config's example questions ([ui] examples in askplan.toml), else questions made from the
    corpus itself: who leads a clause that names its units, and what a numbered clause says."""
    if corpus.config.examples:
        return corpus.config.examples[:MAX_EXAMPLES]
    led = itertools.islice((f"{m.title.rstrip('。.')}谁牵头？" for m in corpus.measures
                            if m.responsibilities and 2 < len(m.title) <= 14), 3)  # read up to the third only
    numbered = itertools.islice((f"{label}讲什么？" for doc in corpus.documents
                                 for label in column(doc.measures, "label") if label and len(label) <= 6), 1)
    return tuple(dict.fromkeys([*led, *numbered]))


def bad_query_message(question: str, exc: BadQuery) -> str:
    if len(question) > MAX_QUESTION_CHARS:
        return (f"问题太长：共 {len(question)} 个字符，上限是 {MAX_QUESTION_CHARS} 个。"
                "请一次只问一件事，或删减后再试。")
    return f"无法处理这个问题：问题里没有可检索的文字。请换一种问法。（{exc}）"


@router.get("/", response_class=HTMLResponse)
def home(request: Request, q: str | None = None, doc: str | None = None,
         k: int = Query(5, ge=1, le=MAX_K), context: str | None = None,
         offset: int = Query(0, ge=0)) -> HTMLResponse:
    service = service_of(request)
    question = clean_query(q)
    conv, primary = convert_for(request), service.corpus.primary
    page = {"q": question, "doc": doc or "", "docs": doc_options(service.corpus, conv),
            "examples": examples_for(service.corpus), "answer": None, "message": None,
            "primary": conv(primary.title) if primary else ""}
    if doc:
        service.corpus.document(doc)
    request.app.state.readiness.require()
    if q is None:
        return render(request, "index.html", **page)
    if not question.strip():
        hint = f"{ASK_FOR_QUESTION}，例如：{page['examples'][0]}" if page["examples"] else ASK_FOR_QUESTION
        return render(request, "index.html", **{**page, "message": hint})
    try:
        answer = deps.ask(request, question, k=k, doc=doc, context=context, offset=offset)
    except BadQuery as exc:
        message = bad_query_message(question, exc)
        return render(request, "index.html", status_code=422, **{**page, "message": message})
    return render(request, "index.html", **{**page, "answer": answer_view(answer, conv, doc or "")})


@router.get("/m/{doc}/{key:path}", response_class=HTMLResponse)
def measure_page(request: Request, doc: str, key: str) -> HTMLResponse:
    service = service_of(request)
    corpus, conv = service.corpus, convert_for(request)
    measure = corpus.measure(f"{doc}/{key}")
    links = links_view(corpus, measure, ready_links(service, request.app.state.readiness), conv)
    return render(request, "measure.html", m=measure_view(corpus, measure, conv), links=links,
                  permalink=str(request.url.replace(query="")), similarity=SIMILARITY)


@router.get("/d", response_class=HTMLResponse)
def documents_page(request: Request) -> HTMLResponse:
    """Every document of the corpus, the primary one (corpus config) first."""
    corpus, conv = service_of(request).corpus, convert_for(request)
    return render(request, "documents.html", docs=document_rows(corpus, conv))


@router.get("/d/{doc}", response_class=HTMLResponse)
def document_page(request: Request, doc: str) -> HTMLResponse:
    document = service_of(request).corpus.document(doc)
    conv = convert_for(request)
    return render(request, "document.html", d=document, title=conv(document.title),
                  issuer=conv(document.issuer), rows=toc_rows(document, conv))


@router.get("/script/{mode}")
def set_script(mode: Literal["orig", "simp"], back: str = Query("/", alias="next")) -> RedirectResponse:
    """Remember the display script in a cookie and go back to ``next`` (a path on this site only)."""
    target = back if back.startswith("/") and not back.startswith("//") and "\\" not in back else "/"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SCRIPT_COOKIE, mode, max_age=ONE_YEAR, samesite="lax")
    return response
