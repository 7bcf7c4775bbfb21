"""JSON API: thin, synchronous routes (FastAPI runs them in its threadpool, so retrieval never blocks the
event loop) that call the one service object. Errors are mapped to statuses in ``askplan.web.app``."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from askplan.links import citation_of, links_of
from askplan.normalize import to_simplified_display
from askplan.render import measure_dict
from askplan.render_answer import answer_dict
from askplan.service import DEPARTMENT_PAGE, MAX_K, AskplanService
from askplan.web import deps
from askplan.web.deps import service_of
from askplan.web.schemas import ERROR_RESPONSES, AnswerOut, DocOut, HealthOut, LinksOut, MeasureOut, ReadyOut
from askplan.web.views import ready_links

router = APIRouter()
Service = Annotated[AskplanService, Depends(service_of)]


@router.get("/api/ask", response_model=AnswerOut, responses=ERROR_RESPONSES, tags=["api"])
def ask(request: Request,
        q: str = Query("", description="The question, Simplified or Traditional, at most 500 characters"),
        k: int = Query(5, ge=1, le=MAX_K, description="How many clauses"),
        doc: str | None = Query(None, description="Only this document (slug), see /api/docs"),
        mode: Literal["hybrid", "bm25", "dense"] = "hybrid",
        context: str | None = Query(None, description="The previous answer's clause (its top hit's "
                                    "id): a follow-up such as 那配合单位有哪些？ is answered from it; nothing is kept"),
        offset: int = Query(0, ge=0, description="A unit's list of clauses (kind \"department\") comes "
                            f"{DEPARTMENT_PAGE} at a time: where this page starts (the last answer's next_offset)")
        ) -> dict:
    """Answer a question with cited clauses: the same object as ``askplan ask --json``."""
    return answer_dict(deps.ask(request, q, k=k, doc=doc, mode=mode, context=context, offset=offset))


@router.get("/api/measures/{doc}/{key:path}", response_model=MeasureOut, responses=ERROR_RESPONSES,
            tags=["api"])
def measure(request: Request, doc: str, key: str, service: Service, simplified: bool = False) -> dict:
    """One measure in full (as ``askplan show --json``); ``simplified=true`` converts its text. ``implements`` /
    ``implemented_by``: its links to the national outline (null while the index is being prepared)."""
    m = service.corpus.measure(f"{doc}/{key}")
    data = measure_dict(m, service.corpus.document(m.doc), simplified=simplified)
    table = ready_links(service, request.app.state.readiness)
    if table is not None:
        data.update(links_of(service.corpus, table, m.id, convert=to_simplified_display if simplified else str))
    return data


@router.get("/api/links/{doc}/{key:path}", response_model=LinksOut, responses=ERROR_RESPONSES, tags=["api"])
def links(request: Request, doc: str, key: str, service: Service, simplified: bool = False) -> dict:
    """A plan clause's 上位规划依据 (the outline sections it implements, with score and matching excerpt) and an
    outline section's implementing plan clauses, as ``askplan links ID --json``."""
    m = service.corpus.measure(f"{doc}/{key}")
    request.app.state.readiness.require()
    conv = to_simplified_display if simplified else str
    return {"id": m.id, "citation": conv(citation_of(service.corpus, m)),
            **links_of(service.corpus, service.links(), m.id, convert=conv)}


@router.get("/api/docs", response_model=list[DocOut], tags=["api"])
def docs(service: Service) -> list[dict]:
    """The documents of the corpus."""
    return [{"slug": d.slug, "title": d.title, "issuer": d.issuer, "date": d.date, "script": d.script,
             "source": d.source, "measures": len(d.measures)} for d in service.corpus.documents]


@router.get("/healthz", response_model=HealthOut, tags=["ops"])
def healthz(request: Request, service: Service) -> HealthOut:
    """Liveness: 200 while the process serves requests, whatever the index. ``status`` says how the index is
    (``ok``, ``building``, ``error``); ``/readyz`` is the check that fails (503) while no question can be answered."""
    readiness = request.app.state.readiness
    status = {"idle": "building"}.get(readiness.status, readiness.status)
    return HealthOut(status=status, measures=len(service.corpus.measures), model=service.model_name,
                     detail=str(readiness.error) if status == "error" and readiness.error else None)


@router.get("/readyz", response_model=ReadyOut, responses={503: {"model": ReadyOut}}, tags=["ops"])
def readyz(request: Request, service: Service):
    """Readiness: 200 once a question can really be answered (the index loaded and one search run on it), 503
    with the reason before that and after a search found the index unusable. ``index``: the build in use."""
    readiness = request.app.state.readiness
    if readiness.ready:
        readiness.watch()  # a monitor polling /readyz also makes a rebuilt index load
    status = {"idle": "building"}.get(readiness.status, readiness.status)
    manifest = service.manifest
    body = ReadyOut(ready=readiness.ready, status=status, index=service.loaded_token,
                    built_at=manifest.built_at if manifest else None,
                    detail=str(readiness.error) if readiness.error else readiness.progress or None,
                    reload_error=readiness.reload_error)
    return JSONResponse(body.model_dump(), status_code=200 if readiness.ready else 503,
                        headers=None if readiness.ready else {"Retry-After": "5"})
