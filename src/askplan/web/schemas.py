"""Pydantic response models of the JSON API: the shapes of ``answer_dict`` and ``measure_dict`` (shared with
the CLI's ``--json``), documents, health and errors. They document ``/docs`` and check what is sent."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ResponsibilityOut(BaseModel):
    text: str = Field(description="The clause as printed, e.g. (責任單位:省發展改革委、省商務廳等)")
    lead: str | None = Field(description="The lead unit as printed (original script)")
    lead_canonical: str | None = Field(description="The lead unit, normalised to Simplified")
    units: list[str]
    units_canonical: list[str]
    co_units: list[str] = Field(description="The other units, as printed")
    covers: list[int] = Field(description="[start, end) of the measure text this clause covers")


class LegOut(BaseModel):
    rank: int
    score: float


class HitOut(BaseModel):
    rank: int
    id: str = Field(description="<doc-slug>/<key>, e.g. my-plan-2021/25")
    doc: str
    key: str
    label: str
    display_label: str
    title: str
    chapter: list[str]
    document_title: str
    text: str
    best_sentence: str | None
    best_sentence_span: list[int] | None
    responsibility: ResponsibilityOut | None = Field(description="The clause covering the best sentence")
    responsibilities: list[ResponsibilityOut]
    citation: str = Field(description="Paste-ready: 《title》（二十五）推進碳達峰碳中和")
    score: float | None = Field(description="Fused score; null for a clause pinned by its number")
    legs: dict[str, LegOut] = Field(description="Rank and score in each retrieval leg that found it")


class AnswerOut(BaseModel):
    question: str
    normalized: str
    kind: Literal["lead", "clause", "topic", "department", "followup"]
    answered: bool = Field(description="false: the corpus does not answer this; hits are the nearest clauses")
    reason: str | None
    responsibility: ResponsibilityOut | None = Field(description="Who leads, for an answered question")
    coverage: float
    dense_top: float
    department: str | None = Field(default=None, description='kind "department": the unit asked about')
    follow_up: str | None = Field(default=None, description='kind "followup": the intent answered from the'
                                  " previous clause: co_units, lead, deadline, basis, neighbours, text, …")
    reply: str | None = Field(default=None, description="A follow-up's answer in one line")
    context: str | None = Field(default=None, description="The previous clause (measure id) a follow-up was "
                                                          "answered from")
    suggestions: list[str] = Field(default=[], description="Follow-up questions the top clause can answer; ask "
                                                           "them with context=<the top hit's id>")
    total: int = Field(description="How many clauses answer in all: a unit's whole list for kind "
                       '"department", whose hits are one page of it; else len(hits)')
    offset: int = Field(description="Where hits start in that list (the offset asked for)")
    next_offset: int | None = Field(description="Ask again with offset=next_offset for the next page of a unit's "
                                    "list; null on its last page and for other kinds")
    hits: list[HitOut]


class MeasureResponsibilityOut(BaseModel):
    text: str
    units: list[str]
    units_verbatim: list[str]
    lead: str | None
    lead_verbatim: str | None
    co_units: list[str]
    span: list[int]
    clause_span: list[int]


class LinkOut(BaseModel):
    id: str = Field(description="The other end of the link, e.g. my-outline-2019/5.2")
    doc: str
    key: str
    citation: str = Field(description="《长江三角洲区域一体化发展规划纲要》第五章第二节 共同打造数字长三角")
    url: str = Field(description="Its page, e.g. /m/my-outline-2019/5.2")
    rank: int = Field(description="1 = the plan clause's best-matching section")
    score: float = Field(description="0.3·z(cosine) + 0.7·z(BM25) across the outline's sections; kept from 1.9")
    dense: float = Field(description="Cosine of the two measures' mean passage vectors")
    lexical: float = Field(description="BM25 of the plan clause's words against the outline section")
    excerpt: str = Field(description="The sentence of the other end that best matches this measure")


class MeasureOut(BaseModel):
    id: str
    doc: str
    key: str
    label: str
    title: str
    chapter: list[str]
    text: str
    start: int
    end: int
    line: int
    ordinal: int
    responsibilities: list[MeasureResponsibilityOut]
    document_title: str
    citation: str
    implements: list[LinkOut] | None = Field(
        default=None, description="A plan clause: the outline sections it implements, best first ([] for none; "
                                  "null while the index is being prepared). See /api/links/{doc}/{key}")
    implemented_by: list[LinkOut] | None = Field(
        default=None, description="An outline section: the plan clauses that implement it, best first")


class LinksOut(BaseModel):
    id: str
    citation: str
    implements: list[LinkOut] = Field(description="Outline sections this plan clause implements")
    implemented_by: list[LinkOut] = Field(description="Plan clauses that implement this outline section")


class DocOut(BaseModel):
    slug: str
    title: str
    issuer: str
    date: str
    script: str
    source: str
    measures: int = Field(description="How many measures the document has")


class HealthOut(BaseModel):
    status: Literal["ok", "building", "error"]
    measures: int
    model: str
    detail: str | None = None


class ReadyOut(BaseModel):
    ready: bool = Field(description="A question can be answered now")
    status: Literal["ok", "building", "error"]
    index: str | None = Field(description="The build in use (its store folder)")
    built_at: str | None
    detail: str | None = Field(description="Why not ready, or the last progress line")
    reload_error: str | None = Field(description="A rebuilt index that did not load; the previous one answers")


class ErrorOut(BaseModel):
    detail: str = Field(description="What is wrong and how to fix it")
    fix: str | None = Field(default=None, description="The command that fixes it, when there is one")
    status: str | None = Field(default=None, description='"building" while the index is being prepared')


ERROR_RESPONSES: dict[int | str, dict] = {
    404: {"model": ErrorOut, "description": "Unknown document or measure"},
    422: {"model": ErrorOut, "description": "Empty, over-long or unusable question; bad k"},
    503: {"model": ErrorOut, "description": "Index being prepared, missing, stale or damaged"},
}
