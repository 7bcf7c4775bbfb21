"""What every route needs: the service (ready or not) and a question made safe to handle and echo."""

from __future__ import annotations

from fastapi import Request

from askplan.answer import Answer
from askplan.service import AskplanService, validate_question


def clean_query(text: str | None) -> str:
    """Lone surrogates and control characters (other than tab/newline) become spaces, so they can neither
    break encoding nor hide in an echoed question; the service then validates what is left."""
    if not text:
        return ""
    return "".join(" " if ("\ud800" <= ch <= "\udfff") or (ord(ch) < 32 and ch not in "\t\n")
                   or ch == "\x7f" else ch for ch in text)


def service_of(request: Request) -> AskplanService:
    return request.app.state.service


def ask(request: Request, q: str | None, *, k: int = 5, doc: str | None = None,
        mode: str = "hybrid", context: str | None = None, offset: int = 0) -> Answer:
    """Clean and check the question first (a bad one is a 422 even while the index is being prepared), then
    wait for readiness (raising ``Preparing`` or the load error) and ask the service."""
    question = clean_query(q)
    validate_question(question)
    service = service_of(request)
    if doc:
        service.corpus.document(doc)
    if context:
        service.corpus.measure(context)
    request.app.state.readiness.require()
    return service.ask(question, k=k, doc=doc or None, mode=mode, context=context or None, offset=offset)
