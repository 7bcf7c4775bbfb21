"""``askplan add`` and ``askplan remove``: put a Word, PDF, HTML or text file into the corpus (or take one out)
and update the index. Thin: options -> one library call -> a summary on stdout (``--json``: one object)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from askplan.commands import domain_errors
from askplan.config import default_corpus_dir, default_index_dir


def _store_options(f):
    f = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")(f)
    f = click.option("--model", envvar="ASKPLAN_MODEL", default=None, help="Embedding model (env ASKPLAN_MODEL).")(f)
    f = click.option("--index", "index_dir", type=click.Path(path_type=Path), envvar="ASKPLAN_INDEX",
                     default=default_index_dir, show_default="index/", help="Index folder (env ASKPLAN_INDEX).")(f)
    return click.option("--corpus", "corpus_dir", type=click.Path(path_type=Path), envvar="ASKPLAN_CORPUS",
                        default=default_corpus_dir, show_default="corpus/",
                        help="Folder of corpus texts (env ASKPLAN_CORPUS).")(f)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--title", default="", help="The document's title (default: read from the text).")
@click.option("--issuer", default="", help="The issuing body (default: the signature, or the body the title names).")
@click.option("--date", default="", help="Date issued, YYYY-MM-DD (default: the signature date).")
@click.option("--slug", default="", help="File name in the corpus without .txt (default: from the file name or title).")
@click.option("--region", default="", help="The region the document governs, e.g. 安徽.")
@_store_options
@domain_errors
def add(paths: tuple[Path, ...], title: str, issuer: str, date: str, slug: str, region: str, corpus_dir: Path,
        index_dir: Path, model: str | None, as_json: bool) -> None:
    """Add .docx, .pdf (with a text layer), .html/.htm, .txt or .md files to the corpus and index them.

    Title, 文号, issuer and date are read from the text; the flags override them. Re-adding a changed file
    replaces its text; bad input changes nothing (exit 1 with the reason).

    \b
      askplan add 通知.docx
      askplan add page.html --slug my-city-plan-2024 --region 安徽
    """
    from askplan.cli import _say, _settings
    from askplan.documents import add_documents
    from askplan.ingest.add import Overrides

    result = add_documents(_settings(corpus_dir, index_dir, model), list(paths),
                           Overrides(title, issuer, date, slug, region), say=_say)
    _report(result, as_json)


@click.command()
@click.argument("slug")
@_store_options
@domain_errors
def remove(slug: str, corpus_dir: Path, index_dir: Path, model: str | None, as_json: bool) -> None:
    """Take the document SLUG (its file name without .txt) out of the corpus and the index."""
    from askplan.cli import _say, _settings
    from askplan.documents import remove_document

    _report(remove_document(_settings(corpus_dir, index_dir, model), slug.strip(), say=_say), as_json)


def _report(result, as_json: bool) -> None:
    manifest = result.manifest
    index = None if manifest is None else {"measures": manifest.measures, "passages": manifest.passages,
                                           "embedded": manifest.embedded, "seconds": manifest.build_seconds}
    if as_json:
        click.echo(json.dumps({"documents": list(result.documents), "index": index, "seconds": result.seconds},
                              ensure_ascii=False))
        return
    for d in result.documents:
        if d["status"] == "removed":
            click.echo(f"removed {d['slug']} ({d['path']})")
            continue
        click.echo(f"{d['status']} {d['slug']}: {d['title']} — {d['measures']} measures, "
                   f"{d['with_responsibility']} with a responsible unit, coverage {d['coverage']:.0%} ({d['path']})")
        for warning in d["warnings"]:
            click.echo(f"  warning: {warning}", err=True)
    if index:
        click.echo(f"index: {index['measures']} measures, {index['passages']} passages "
                   f"({index['embedded']} embedded, the rest reused) in {index['seconds']}s")
