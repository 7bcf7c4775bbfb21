"""``askplan index --verify``: check a built index without loading a model (or the corpus, unless given)."""

from __future__ import annotations

import time
from pathlib import Path

from askplan.errors import AskplanError
from askplan.index import integrity, layout
from askplan.index.store import check_manifest, read_parts, read_store_manifest


def verify_index(index_dir: Path, corpus=None, model: str | None = None) -> dict:
    """A report: ``ok`` (every checksum and value holds), ``problems``, ``stale`` (with a corpus and model:
    why the index no longer fits them), ``leftovers`` of killed builds, ``seconds`` taken."""
    t0 = time.perf_counter()
    report: dict = {"index": str(index_dir), "store": None, "layout": None, "files": 0, "bytes": 0,
                    "checksums": False, "ok": False, "problems": [], "stale": None, "leftovers": [],
                    "fix": None}
    try:
        _verify(index_dir, report, corpus, model)
    except AskplanError as exc:
        report["problems"].append(str(exc))
    if index_dir.is_dir():
        report["leftovers"] = sorted(p.name for p in index_dir.iterdir() if p.name.startswith((".build-", ".old-",
                                                                                              ".current-")))
    report["ok"] = not report["problems"]
    if not report["ok"] or report["stale"] or not report["checksums"]:
        report["fix"] = "askplan index --force" if report["store"] else "askplan index"
    report["seconds"] = round(time.perf_counter() - t0, 3)
    return report


def _verify(index_dir: Path, report: dict, corpus, model: str | None) -> None:
    store = layout.resolve(index_dir)
    if store is None:
        report["problems"].append(f"no index in {index_dir}; build it with: askplan index")
        return
    report["store"], report["layout"] = store.name, "legacy" if store.name == layout.LEGACY else "pointer"
    manifest, raw = read_store_manifest(store)
    report["checksums"] = bool(manifest.files)
    report["files"] = len(manifest.files)
    report["bytes"] = sum(f["size"] for f in manifest.files.values()) + len(raw)
    if manifest.files:
        try:
            integrity.check_store(store, raw, manifest.files)
        except AskplanError:
            report["problems"] += _store_problems(store, raw, manifest.files)
            return
    ids, passages, dense, lexical = read_parts(store)
    integrity.check_values(store, manifest, ids, passages, dense, lexical)
    if corpus is not None and model:
        try:
            check_manifest(manifest, corpus, model)
        except AskplanError as exc:
            report["stale"] = str(exc)


def _store_problems(store: Path, raw: bytes, table: dict) -> list[str]:
    problems = integrity.file_problems(store, table)
    if store.name[len(layout.STORE_PREFIX):] != integrity.manifest_digest(raw):
        problems.insert(0, f"{layout.MANIFEST} was changed after the build")
    return problems
