"""``askplan check``: check a draft's quotations, clause references and claims against the corpus. Thin: it
reads the draft (a file or stdin), calls ``DraftChecker.check`` and prints the report; ``--eval`` scores the
checker on a JSONL set of drafts with known errors. The draft is never written anywhere."""

from __future__ import annotations

import json
from pathlib import Path

import click

from askplan.commands import domain_errors
from askplan.config import default_corpus_dir, default_index_dir


def _say(message: str) -> None:
    click.echo(message, err=True)


@click.command()
@click.argument("draft", required=False, type=click.File("r", encoding="utf-8"))
@click.option("--corpus", "corpus_dir", type=click.Path(path_type=Path), envvar="ASKPLAN_CORPUS",
              default=default_corpus_dir, show_default="corpus/", help="Folder of corpus texts (env ASKPLAN_CORPUS).")
@click.option("--index", "index_dir", type=click.Path(path_type=Path), envvar="ASKPLAN_INDEX",
              default=default_index_dir, show_default="index/", help="Index folder (env ASKPLAN_INDEX).")
@click.option("--model", envvar="ASKPLAN_MODEL", default=None,
              help="sentence-transformers model name or path (env ASKPLAN_MODEL).")
@click.option("--doc", help="Document that bare references (（二十五）, 第25条) and claims refer to (slug); "
                            "default: the plan.")
@click.option("--json", "as_json", is_flag=True, help="Print the report (or the evaluation) as one JSON object.")
@click.option("--flagged", is_flag=True, help="Text output: only errors and warnings, not confirmations.")
@click.option("--eval", "eval_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Score the checker on a JSONL file of drafts with known errors (eval/drafts/drafts.jsonl).")
def check(draft, corpus_dir: Path, index_dir: Path, model: str | None, doc: str | None, as_json: bool,
          flagged: bool, eval_file: Path | None) -> None:
    """Check a draft (FILE, or - for stdin; at most 20,000 characters): quotations against the clause text,
    clause references (《…》（二十五）, 第二十五条) against the clauses, figures, target years and lead units
    against the clauses that state them. Exit 0 with the report, 1 if the draft is empty or too long.

    \b
      askplan check draft.txt
      pbpaste | askplan check - --json
      askplan check --eval eval/drafts/drafts.jsonl
    """
    if (draft is None) == (eval_file is None):
        raise click.UsageError("give a draft FILE (or - for stdin), or --eval FILE")
    _check(draft, corpus_dir, index_dir, model, doc, as_json, flagged, eval_file)


@domain_errors
def _check(draft, corpus_dir: Path, index_dir: Path, model: str | None, doc: str | None, as_json: bool,
           flagged: bool, eval_file: Path | None) -> None:
    from askplan.checker.core import validate_draft

    text = None
    if draft is not None:
        try:
            text = validate_draft(draft.read())
        except UnicodeDecodeError:
            raise click.ClickException("the draft is not UTF-8 text; save it as UTF-8 and try again") from None
    checker = _checker(corpus_dir, index_dir, model)
    if eval_file is not None:
        from askplan.checker.evaluate import load_drafts, render_scores, run_eval

        scores = run_eval(checker, load_drafts(eval_file), doc=doc)
        click.echo(json.dumps(scores, ensure_ascii=False) if as_json else render_scores(scores))
        return
    from askplan.checker.report import report_dict, report_text

    report = checker.check(text, doc=doc)
    click.echo(json.dumps(report_dict(report), ensure_ascii=False) if as_json
               else report_text(report, all_findings=not flagged))


def _checker(corpus_dir: Path, index_dir: Path, model: str | None):
    from askplan.checker.core import DraftChecker
    from askplan.config import Settings
    from askplan.service import AskplanService

    settings = Settings(corpus_dir=corpus_dir, index_dir=index_dir, **({"model": model} if model else {}))
    service = AskplanService(settings)
    service.retriever(build_if_missing=True, say=_say)
    return DraftChecker(service)
