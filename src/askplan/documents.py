"""Adding and removing documents: the texts written (or removed) first, then the index updated with only the new
passages embedded; a failed index build puts the corpus back as it was."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from askplan.config import Settings


@dataclass(frozen=True)
class Added:
    """What ``add_documents`` / ``remove_document`` did: the texts written or removed and the index built."""

    documents: tuple[dict, ...]
    manifest: object | None
    seconds: float


def add_documents(settings: Settings, paths: list[Path], overrides, *, encoder=None, say=None) -> Added:
    """Extract, check and write every file as a corpus text, then update the index (only new passages are
    embedded). Bad input raises before anything is written; an index failure puts the corpus back."""
    from askplan.ingest import add as ingest

    t0 = time.perf_counter()
    workdir = ingest.workdir_in(settings.corpus_dir)
    try:
        staged = ingest.stage(paths, settings.corpus_dir, overrides, workdir)
        for s in staged if say else ():
            say(f"{s.slug}: {s.measures} measures read ({s.with_responsibility} with a responsible unit), "
                f"coverage {s.coverage:.0%}")
        before = ingest.commit(staged)
        if before and say:
            say("indexing: only the new passages are embedded …")
        manifest = _reindex(settings, encoder, say, lambda: ingest.rollback(before)) if before else None
    finally:
        ingest.discard(workdir)
    docs = tuple({"slug": s.slug, "title": s.title, "path": str(s.target), "measures": s.measures,
                  "with_responsibility": s.with_responsibility, "coverage": s.coverage,
                  "status": "unchanged" if s.unchanged else "replaced" if s.replaces else "added",
                  "warnings": list(s.warnings)} for s in staged)
    return Added(docs, manifest, round(time.perf_counter() - t0, 2))


def remove_document(settings: Settings, slug: str, *, encoder=None, say=None) -> Added:
    """Take ``<slug>.txt`` out of the corpus and the index; an index failure puts the file back."""
    from askplan.ingest import add as ingest

    t0 = time.perf_counter()
    target = settings.corpus_dir / f"{slug}.txt"
    data = ingest.remove_text(settings.corpus_dir, slug)
    manifest = _reindex(settings, encoder, say, lambda: ingest.rollback({target: data}))
    seconds = round(time.perf_counter() - t0, 2)
    return Added(({"slug": slug, "path": str(target), "status": "removed"},), manifest, seconds)


def _reindex(settings: Settings, encoder, say, undo: Callable[[], None]):
    """Rebuild the index over the changed corpus (vectors of unchanged passages reused); ``undo`` on failure."""
    try:
        from askplan.service import AskplanService

        service = AskplanService(settings, encoder=encoder)
        if not service.corpus.documents:
            return None  # nothing left to index: the old index stays until the next build
        return service.build(say=say)
    except BaseException:
        undo()
        raise
