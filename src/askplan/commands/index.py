"""``askplan index``: build the index (refusing to start a build that would take long without --yes, waiting
for another builder), or ``--verify`` one without loading a model. Thin: the work is in ``askplan.index``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from askplan.commands import domain_errors
from askplan.errors import AskplanError


def index_options(f):
    from askplan.cli import _index_options

    return _index_options(f)


def _settings(*args, **kwargs):
    from askplan.cli import _settings as settings

    return settings(*args, **kwargs)


@click.command()
@index_options
@click.option("--force", is_flag=True, help="Rebuild even if the index is up to date.")
@click.option("--faiss-factory", default="auto", show_default=True,
              help="FAISS index_factory string; auto: exact (Flat) below 100,000 passages, IVF with SQ8 codes above.")
@click.option("--skip-bad", "--allow-skips", "skip_bad", is_flag=True,
              help="Index the files that load even if others cannot be read (exit 0).")
@click.option("--verify", is_flag=True, help="Check the built index (checksums, counts) without loading a model; "
                                             "exit 1 when damaged.")
@click.option("--yes", "-y", is_flag=True, help="Build even when embedding is estimated to take long.")
@click.option("--backend", type=click.Choice(["faiss", "milvus"]), default=None,
              help="Where the index lives: FAISS + bm25s files in --index (the default), or Milvus "
                   "(default: the existing index's backend).")
@click.option("--milvus-uri", envvar="ASKPLAN_MILVUS_URI", default=None,
              help="With --backend milvus: a server (http://host:19530) or a milvus-lite file "
                   "(env ASKPLAN_MILVUS_URI; default: milvus.db in the index folder).")
@click.option("--json", "as_json", is_flag=True, help="Print the manifest (with --verify: the report) as JSON.")
@domain_errors
def index(corpus_dir: Path, index_dir: Path, model: str | None, force: bool, faiss_factory: str,
          skip_bad: bool, verify: bool, yes: bool, backend: str | None, milvus_uri: str | None,
          as_json: bool) -> None:
    """Build the search index (FAISS + BM25, or Milvus) from the corpus. Atomic: a crash, a kill or Ctrl-C keeps the old
    index; a second build waits for the first.

    A file that cannot be read stops the build (exit 1) unless --skip-bad; numbering warnings do not."""
    from dataclasses import asdict

    from askplan.cli import _emit_json, _say, _warn_problems
    from askplan.errors import CorpusError, IndexMissing, IndexStale
    from askplan.index.store import check_manifest, read_manifest
    from askplan.service import AskplanService

    if verify:
        _verify(corpus_dir, index_dir, model, as_json)
        return
    service = AskplanService(_settings(corpus_dir, index_dir, model, backend=backend, milvus_uri=milvus_uri))
    _warn_problems(service.corpus.problems)
    loaded = {d.path for d in service.corpus.documents}
    skipped = sorted({p.path for p in service.corpus.problems} - loaded)
    if skipped and not skip_bad:
        raise CorpusError(f"{len(skipped)} file(s) could not be read (see the warnings above); fix them, "
                          "or pass --skip-bad to index the others")
    if not force:
        try:
            manifest = read_manifest(index_dir)
            check_manifest(manifest, service.corpus, service.settings.model)
            if backend and backend != manifest.backend:
                raise IndexStale(f"the index uses {manifest.backend}")
            if manifest.backend == "milvus":  # the collections must still be there, too
                from askplan.search.backends import open_index

                open_index(index_dir, service.corpus, service.settings.model, milvus_uri=service.settings.milvus_uri)
            _say(f"index is up to date ({manifest.measures} measures, {manifest.passages} passages); "
                 "use --force to rebuild")
            if as_json:
                _emit_json(asdict(manifest))
            return
        except (IndexMissing, IndexStale):
            pass
    _confirm_long_build(service, yes)
    manifest = service.build(factory=faiss_factory, progress=True, say=_say)
    if as_json:
        _emit_json(asdict(manifest))
    else:
        where = f" in Milvus ({manifest.backend_uri})" if manifest.backend == "milvus" else ""
        _say(f"built {index_dir}{where}: {manifest.measures} measures, {manifest.passages} passages, "
             f"model {manifest.model} (dim {manifest.dim}), {manifest.build_seconds}s")


WARN_BUILD_SECONDS = 5 * 60  # say how long embedding will take
CONFIRM_BUILD_SECONDS = 15 * 60  # and ask first (refuse without --yes when nobody can answer)


def _confirm_long_build(service, yes: bool) -> None:
    from askplan.cli import _say

    passages, seconds = service.build_estimate()
    if seconds < WARN_BUILD_SECONDS:
        return
    _say(f"warning: {passages:,} passages to embed with {service.model_name}, about {seconds / 60:.0f} min "
         f"on this kind of machine")
    if seconds < CONFIRM_BUILD_SECONDS or yes:
        return
    if not sys.stdin.isatty():
        raise AskplanError(f"embedding {passages:,} passages would take about {seconds / 60:.0f} min; pass --yes "
                           "to build anyway, or split the long texts out of the corpus")
    click.confirm("build anyway?", abort=True, err=True)


def _verify(corpus_dir: Path, index_dir: Path, model: str | None, as_json: bool) -> None:
    from askplan.cli import _emit_json, _say
    from askplan.corpus import load_corpus
    from askplan.index.verify import verify_index

    settings = _settings(corpus_dir, index_dir, model)
    corpus = load_corpus(corpus_dir) if corpus_dir.is_dir() else None
    report = verify_index(index_dir, corpus, settings.model)
    if as_json:
        _emit_json(report)
    else:
        state = "ok" if report["ok"] else "no index" if report["store"] is None else "DAMAGED"
        _say(f"{index_dir}: {state}; {report['files']} files, {report['bytes']:,} bytes checked in "
             f"{report['seconds']}s ({report['layout'] or 'no index'})")
        for line in report["problems"]:
            _say(f"problem: {line}")
        if report["stale"]:
            _say(f"stale: {report['stale']}")
        if report["store"] and not report["checksums"]:
            _say("no checksums: this index was built before they were added; askplan index --force adds them")
        if report["fix"]:
            _say(f"fix: {report['fix']}")
    if not report["ok"]:
        sys.exit(1)
