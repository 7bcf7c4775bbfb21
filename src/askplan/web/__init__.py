"""Web UI and JSON API (FastAPI + Jinja2): ``create_app(settings)``; run it with ``askplan serve``."""

from __future__ import annotations

from askplan.web.app import create_app

__all__ = ["create_app"]
