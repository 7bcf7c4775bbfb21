"""``askplan dept``: responsible units and the measures each leads or co-owns. Thin: it builds the registry from
the corpus, resolves the typed name and prints one of the renderings in ``askplan.departments``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click

from askplan.commands import domain_errors
from askplan.config import default_corpus_dir

FORMATS = ("text", "csv", "markdown")


@click.command()
@click.argument("name", required=False)
@click.option("--corpus", "corpus_dir", type=click.Path(path_type=Path), envvar="ASKPLAN_CORPUS",
              default=default_corpus_dir, show_default="corpus/", help="Folder of corpus texts (env ASKPLAN_CORPUS).")
@click.option("--doc", help="Only this document (slug).")
@click.option("--json", "as_json", is_flag=True,
              help="JSON: one object for NAME; without NAME one object per unit and line (NDJSON).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="csv (UTF-8 with BOM, for Excel) or markdown: columns 条款, 标题, 角色, 条文 for NAME; "
                   "单位, 牵头, 配合, 合计 for the list.")
def dept(name: str | None, corpus_dir: Path, doc: str | None, as_json: bool, fmt: str) -> None:
    """Responsible units: without NAME every unit with the number of measures it leads and co-owns (most
    first); with NAME (partial, abbreviated or Traditional: 发改委, 生态环境, 省商務廳) that unit's measures,
    led first. An ambiguous or unknown NAME exits 1 listing the candidates or the nearest names.

    \b
      askplan dept
      askplan dept 发改委 --doc SLUG
      askplan dept 省商务厅 --format csv > 省商务厅.csv
    """
    if as_json and fmt != "text":
        raise click.UsageError("--json and --format are alternatives; use one of them")
    click.echo(_output(name, corpus_dir, doc, as_json, fmt), nl=False)


@domain_errors
def _output(name: str | None, corpus_dir: Path, doc: str | None, as_json: bool, fmt: str) -> str:
    from askplan import departments as d
    from askplan.corpus import load_corpus

    corpus = load_corpus(corpus_dir)
    if doc:
        corpus.document(doc)
    registry = d.DepartmentRegistry.from_corpus(corpus)
    if name is None:
        units = registry.in_document(doc) if doc else registry
        return ("".join(_json_line(d.summary_dict(u)) for u in units) if as_json
                else _render(fmt, d.SUMMARY_COLUMNS, d.summary_rows(units), lambda: d.summary_text(units)))
    # with --doc the name is resolved among that document's units: 生态环境 means its one 生态环境 unit
    unit = (registry.in_document(doc) if doc else registry).resolve(name)
    return (_json_line(d.department_dict(unit)) if as_json
            else _render(fmt, d.EXPORT_COLUMNS, d.export_rows(unit, primary=corpus.primary and corpus.primary.slug),
                         lambda: d.department_text(unit)))


def _json_line(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False) + "\n"


def _render(fmt: str, columns: tuple[str, ...], rows: list[tuple[str, ...]], text: Callable[[], str]) -> str:
    from askplan.departments import to_csv, to_markdown

    if fmt == "csv":
        return to_csv(columns, rows)
    return to_markdown(columns, rows) if fmt == "markdown" else text() + "\n"
