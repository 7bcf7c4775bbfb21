"""Jinja2 setup (autoescape always on) and the one ``render`` helper every page and error page goes through:
it adds the display script (cookie ``script=orig|simp``) and the toggle link to each template's context."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from askplan.web.views import SCRIPT_COOKIE, SCRIPTS, Convert, converter

# Pages load nothing but their own CSS and JS (no inline script), so a strict policy costs nothing and
# stops injected markup from running even if escaping were ever missed.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                               "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def make_templates(directory: Path) -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(directory)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return Jinja2Templates(env=env)


DEFAULT_SCRIPT = "simp"  # users write Simplified drafts; the original script is one click away
SECTIONS = ("/dept", "/check", "/d", "/m", "/upload")  # header sections by path prefix; /m belongs to 文件


def script_of(request: Request) -> str:
    value = request.cookies.get(SCRIPT_COOKIE, DEFAULT_SCRIPT)
    return value if value in SCRIPTS else DEFAULT_SCRIPT


def section_of(path: str) -> str:
    """The header link a page belongs to: /dept, /check, /d (documents and clauses) or / (questions)."""
    prefix = next((s for s in SECTIONS if path == s or path.startswith(s + "/") or path.startswith(s + ".")), "/")
    return "/d" if prefix == "/m" else prefix


def convert_for(request: Request) -> Convert:
    return converter(script_of(request))


def here(request: Request) -> str:
    """The current path and query, for the script toggle's ``next``."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def render(request: Request, name: str, *, status_code: int = 200, headers: dict | None = None,
           **context) -> HTMLResponse:
    script = script_of(request)
    back = quote(here(request), safe="")
    base = {"script": script, "script_urls": {s: f"/script/{s}?next={back}" for s in SCRIPTS},
            "section": section_of(request.url.path)}
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code,
                                      headers={**SECURITY_HEADERS, **(headers or {})})
