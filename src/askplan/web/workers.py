"""Several ``askplan serve`` worker processes on one port. uvicorn starts each worker afresh and builds its app
from an import string, so the settings the CLI resolved travel in one environment variable; every worker then
loads the same built index (read-only files, shared through the page cache)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from fastapi import FastAPI

from askplan.config import Settings

ENV = "ASKPLAN_SERVE_SETTINGS"


def export_settings(settings: Settings) -> None:
    """Put ``settings`` where :func:`worker_app` finds them in each worker process."""
    os.environ[ENV] = json.dumps({"corpus_dir": str(settings.corpus_dir), "index_dir": str(settings.index_dir),
                                  "model": settings.model, "home": str(settings.home),
                                  "threads": settings.threads, "request_threads": settings.request_threads,
                                  "allow_upload": settings.allow_upload, "milvus_uri": settings.milvus_uri})


def worker_app() -> FastAPI:
    """uvicorn's app factory in a worker: the app over the settings the parent exported. The parent has already
    built the index, so a worker only loads it."""
    from askplan.corpus.parse_cache import loads_kept
    from askplan.web import create_app

    raw = json.loads(os.environ[ENV])
    settings = Settings(corpus_dir=Path(raw["corpus_dir"]), index_dir=Path(raw["index_dir"]), model=raw["model"],
                        home=Path(raw["home"]), threads=int(raw["threads"]),
                        request_threads=int(raw["request_threads"]), allow_upload=bool(raw.get("allow_upload")),
                        milvus_uri=raw.get("milvus_uri"))
    with loads_kept():  # a worker keeps its corpus until it stops
        return create_app(settings, build_if_missing=False)
