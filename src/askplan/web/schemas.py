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
    id: str = Field(description="<doc-slug>/<key>, e.g. anhui-yrd-14fyp-action-plan-2021/25")
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
    kind: Literal["lead", "clause", "topic"]
    answered: bool = Field(description="false: the corpus does not answer this; hits are the nearest clauses")
    reason: str | None
    responsibility: ResponsibilityOut | None = Field(description="Who leads, for an answered question")
    coverage: float
    dense_top: float
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


class ErrorOut(BaseModel):
    detail: str = Field(description="What is wrong and how to fix it")
    fix: str | None = Field(default=None, description="The command that fixes it, when there is one")
    status: str | None = Field(default=None, description='"building" while the index is being prepared')


ERROR_RESPONSES: dict[int | str, dict] = {
    404: {"model": ErrorOut, "description": "Unknown document or measure"},
    422: {"model": ErrorOut, "description": "Empty, over-long or unusable question; bad k"},
    503: {"model": ErrorOut, "description": "Index being prepared, missing, stale or damaged"},
}
