"""The department view: ``/dept`` (every responsible unit), ``/dept/{name}`` (one unit's measures by document,
led first, with downloads ``/dept/{name}.csv`` and ``/dept/{name}.md``) and the JSON API
``/api/departments[/{name}]``. Names may be partial, abbreviated or Traditional (发改委, 省商務廳); an unknown name
is a 404 listing the nearest names, an ambiguous one a 300 listing the candidates. Nothing here needs the search
index, so these pages answer while it is being prepared."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from askplan.departments import (
    EXPORT_COLUMNS,
    AmbiguousDepartment,
    Department,
    DepartmentRegistry,
    UnknownDepartment,
    department_dict,
    export_rows,
    summary_dict,
    to_csv,
    to_markdown,
)
from askplan.web.deps import service_of
from askplan.web.highlight import Convert
from askplan.web.templating import SECURITY_HEADERS, convert_for, render
from askplan.web.views import doc_options, measure_url, prev_next

router = APIRouter()
DOC_QUERY = Query(None, description="Only this document (slug), see /api/docs")
DOWNLOADS = {"csv": "text/csv; charset=utf-8", "md": "text/markdown; charset=utf-8"}
# A unit's page over several documents shows at most GROUP_ROWS of its clauses in each (the rest one click away,
# on the page for that document, which lists them all) and DOC_GROUPS documents a page. The bundled corpus's busiest
# unit has 43 clauses in one document and appears in 3; a unit named in a third of a million measures of a thousand
# documents would have been one page of every clause. The downloads and the JSON stay whole.
GROUP_ROWS = 50
DOC_GROUPS = 20


class DepartmentSummaryOut(BaseModel):
    name: str = Field(description="Canonical name (Simplified; aliases, width and 等 folded), e.g. 省发展改革委")
    printed: list[str] = Field(description="The name as the texts print it, e.g. 省發展改革委")
    led: int = Field(description="Measures whose responsibility clause lists this unit first")
    co_owned: int = Field(description="Measures that list it after the lead")
    total: int


class DepartmentDocOut(BaseModel):
    slug: str
    title: str
    led: int
    co_owned: int


class DutyOut(BaseModel):
    id: str = Field(description="<doc-slug>/<key>; the page is /m/<doc-slug>/<key>")
    doc: str
    key: str
    label: str
    title: str
    citation: str
    role: Literal["lead", "co"]
    role_label: Literal["牵头", "配合"]
    clauses: list[str] = Field(description="The measure's responsibility clauses that name this unit")
    text: str


class DepartmentOut(DepartmentSummaryOut):
    documents: list[DepartmentDocOut]
    measures: list[DutyOut] = Field(description="Led first, then co-owned; each in document and reading order")


class DepartmentErrorOut(BaseModel):
    detail: str
    suggestions: list[str] = Field(description="404: the nearest names; 300: the units the name matches")


DEPT_ERRORS: dict[int | str, dict] = {
    300: {"model": DepartmentErrorOut, "description": "The name matches several units; pick one of suggestions"},
    404: {"model": DepartmentErrorOut, "description": "No unit matches the name (or unknown document)"},
}


# --- JSON API ---------------------------------------------------------------------------------------------

@router.get("/api/departments", response_model=list[DepartmentSummaryOut], responses=DEPT_ERRORS, tags=["api"])
def api_departments(request: Request, doc: str | None = DOC_QUERY) -> list[dict]:
    """Every responsible unit with how many measures it leads and co-owns, most first (as ``askplan dept --json``)."""
    return [summary_dict(d) for d in _registry(request, doc)]


@router.get("/api/departments/{name}", response_model=DepartmentOut, responses=DEPT_ERRORS, tags=["api"])
def api_department(request: Request, name: str, doc: str | None = DOC_QUERY):
    """One unit (partial, abbreviated or Traditional names match) and its measures."""
    try:
        return department_dict(_lookup(request, name, doc))
    except (UnknownDepartment, AmbiguousDepartment) as exc:
        return _miss(request, exc, as_json=True)


# --- pages and downloads (the downloads first: /dept/{name} would match them too) -------------------------

@router.get("/dept/{name}.csv", include_in_schema=False)
def download_csv(request: Request, name: str, doc: str | None = None) -> Response:
    """The unit's measures as CSV (UTF-8 with a BOM, so that Excel shows the Chinese): 文件, 条款号, 任务, 牵头,
    配合, 链接."""
    return _download(request, name, doc, "csv")


@router.get("/dept/{name}.md", include_in_schema=False)
def download_markdown(request: Request, name: str, doc: str | None = None) -> Response:
    """The unit's measures as a Markdown table, for pasting into a report."""
    return _download(request, name, doc, "md")


@router.get("/dept", response_class=HTMLResponse, include_in_schema=False)
def departments_page(request: Request, doc: str | None = None, q: str = "") -> HTMLResponse:
    """Every unit; ``q`` keeps those whose name (either script, any width) holds it (the page also filters as
    one types)."""
    conv, registry = convert_for(request), _registry(request, doc)
    rows = [UnitRow(conv(d.name), dept_url(d.name, doc), len(d.led), len(d.co_owned), d.total,
                    " ".join(dict.fromkeys([d.name, *d.printed]))) for d in registry.search(q)]
    return render(request, "dept.html", rows=rows, total=len(registry), q=q, doc=doc or "",
                  docs=doc_options(service_of(request).corpus, conv))


@router.get("/dept/{name}", response_class=HTMLResponse, include_in_schema=False)
def department_page(request: Request, name: str, doc: str | None = None,
                    page: int = Query(1, ge=1)) -> HTMLResponse:
    try:
        dept = _lookup(request, name, doc)
    except (UnknownDepartment, AmbiguousDepartment) as exc:
        return _miss(request, exc)
    primary = service_of(request).corpus.primary
    return render(request, "dept_unit.html",
                  u=unit_view(dept, doc, convert_for(request), primary and primary.slug, page))


# --- helpers ----------------------------------------------------------------------------------------------

def _registry(request: Request, doc: str | None) -> DepartmentRegistry:
    service = service_of(request)
    if doc:
        service.corpus.document(doc)  # NotFound: 404
        return service.departments.in_document(doc)
    return service.departments


def _lookup(request: Request, name: str, doc: str | None) -> Department:
    service = service_of(request)
    if doc:
        service.corpus.document(doc)
    dept = service.departments.resolve(name)
    return dept.in_document(doc) if doc else dept


def _miss(request: Request, exc: UnknownDepartment | AmbiguousDepartment, *, as_json: bool = False) -> Response:
    ambiguous = isinstance(exc, AmbiguousDepartment)
    names = exc.candidates if ambiguous else exc.suggestions
    status = 300 if ambiguous else 404
    if as_json:
        return JSONResponse({"detail": str(exc), "suggestions": list(names)}, status_code=status)
    conv = convert_for(request)
    return render(request, "dept_missing.html", status_code=status, query=exc.query, ambiguous=ambiguous,
                  names=[(conv(n), dept_url(n)) for n in names])


def _download(request: Request, name: str, doc: str | None, ext: str) -> Response:
    try:
        dept = _lookup(request, name, doc)
    except (UnknownDepartment, AmbiguousDepartment) as exc:
        return _miss(request, exc)
    primary = service_of(request).corpus.primary
    rows = export_rows(dept, convert_for(request), str(request.base_url).rstrip("/"), primary and primary.slug)
    body = to_csv(EXPORT_COLUMNS, rows) if ext == "csv" else to_markdown(EXPORT_COLUMNS, rows)
    filename = f"{dept.name}-{doc}.{ext}" if doc else f"{dept.name}.{ext}"
    disposition = f"attachment; filename=\"department.{ext}\"; filename*=UTF-8''{quote(filename)}"
    return Response(body.encode("utf-8"), media_type=DOWNLOADS[ext],
                    headers={**SECURITY_HEADERS, "Content-Disposition": disposition})


def dept_url(name: str, doc: str | None = None, ext: str = "") -> str:
    url = f"/dept/{quote(name, safe='')}{'.' + ext if ext else ''}"
    return f"{url}?doc={quote(doc, safe='')}" if doc else url


@dataclass(frozen=True)
class UnitRow:
    name: str
    url: str
    led: int
    co_owned: int
    total: int
    names: str = ""  # every spelling, for the search box


@dataclass(frozen=True)
class DutyRow:
    role: str
    role_label: str
    url: str
    heading: str
    citation: str
    clauses: tuple[str, ...]
    original: str = ""  # the citation in the original script, where it differs


@dataclass(frozen=True)
class UnitView:
    name: str
    printed: tuple[str, ...]
    led: int
    co_owned: int
    doc: str
    downloads: dict[str, str]
    api_url: str
    groups: tuple[DutyGroup, ...]
    pages: tuple[tuple[str, str], ...] = ()  # (上一页 / 下一页, url) when the documents take several pages
    page_note: str = ""  # 第 2 / 5 页 …


@dataclass(frozen=True)
class DutyGroup:
    title: str  # the document's
    url: str  # the document's page
    rows: tuple[DutyRow, ...]  # the unit's clauses there, at most GROUP_ROWS unless the page is for this document
    total: int  # the unit's clauses in this document
    all_url: str = ""  # the unit's page for this document, when ``rows`` holds only part of them


def unit_view(dept: Department, doc: str | None, conv: Convert, primary: str | None = None,
              page: int = 1) -> UnitView:
    by_document = dept.by_document(primary)
    pages = max(1, -(-len(by_document) // DOC_GROUPS))
    page = min(page, pages)
    shown = by_document if doc else by_document[(page - 1) * DOC_GROUPS:page * DOC_GROUPS]
    groups = tuple(_group(document, duties if doc else duties[:GROUP_ROWS], len(duties), dept.name, conv)
                   for document, duties in shown)
    api = f"/api/departments/{quote(dept.name, safe='')}" + (f"?doc={quote(doc, safe='')}" if doc else "")
    here = dept_url(dept.name, doc)
    links = prev_next(here + (f"?page={page - 1}" if page > 2 else "") if page > 1 else None,
                      f"{here}?page={page + 1}" if page < pages else None)
    note = f"第 {page} / {pages} 页，共 {len(by_document)} 个文件" if pages > 1 else ""
    return UnitView(conv(dept.name), tuple(conv(p) for p in dept.printed if p != dept.name), len(dept.led),
                    len(dept.co_owned), doc or "", {ext: dept_url(dept.name, doc, ext) for ext in DOWNLOADS},
                    api, groups, links, note)


def _group(document, duties, total: int, name: str, conv: Convert) -> DutyGroup:
    rows = tuple(DutyRow(d.role, d.role_label, measure_url(d.measure), conv(d.measure.heading()), conv(d.citation),
                         tuple(conv(r.text) for r in d.clauses), d.citation if conv(d.citation) != d.citation else "")
                 for d in duties)
    return DutyGroup(conv(document.title), f"/d/{quote(document.slug)}", rows, total,
                     dept_url(name, document.slug) if len(rows) < total else "")
