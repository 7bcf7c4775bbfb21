"""Links to the national outline: for each clause of the Anhui plan, the sections of
《长江三角洲区域一体化发展规划纲要》 it implements, found by content similarity.

Two signals per (plan clause, outline section) pair, both taken from the built index so nothing is re-encoded:

- dense: cosine of measure vectors, each the re-normalised mean of the measure's passage vectors in FAISS;
- lexical: BM25 (jieba words, the index's own ``bm25_words``) of the clause's text, responsibility clauses
  removed (they name units, not content), against the outline's sections.

Each signal is z-scored across the outline sections for one clause (e5 cosines all sit in 0.93–0.99, BM25 is
unbounded), and ``score = DENSE_WEIGHT * z(dense) + LEXICAL_WEIGHT * z(lexical)``: how far a section stands out
for this clause. A clause keeps at most ``MAX_LINKS`` sections with ``score >= LINK_BAR``, and its best one
whenever that reaches ``FIRST_BAR``. Weights and bars were chosen on ``eval/links_gold.jsonl`` with the real
model (``askplan links --eval eval/links_gold.jsonl --sweep``; figures in ``eval/links_README.md``).

Invariant: row i of the dense and lexical matrices is ``LinkScores.sources[i]``, column j is ``targets[j]``.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import numpy as np

from askplan.corpus import Corpus
from askplan.errors import AskplanError
from askplan.index.passages import sentence_spans
from askplan.models import Document, Measure
from askplan.normalize import normalize
from askplan.search.backends import SearchBackend, backend_for
from askplan.tokenize import bigrams

log = logging.getLogger(__name__)
DENSE_WEIGHT = 0.3
LEXICAL_WEIGHT = 0.7
LINK_BAR = 1.9  # every kept section stands at least this many standard deviations above the clause's mean
FIRST_BAR = 1.5  # the best section is kept from this lower bar on
MAX_LINKS = 3
SWEEP_FIELDS = ("links", "precision", "recall", "f1")
SWEEP_BARS = [round(1.5 + 0.1 * i, 1) for i in range(12)]  # 1.5 … 2.6
_SECTION_KEY = re.compile(r"^\d+\.[1-9]\d*$")  # N.M with M >= 1: a real section, not a chapter intro (N.0)
_CHAPTER_NO = re.compile(r"^第[一二三四五六七八九十百零〇\d]+章")


@dataclass(frozen=True)
class Link:
    """``source`` (a plan clause) implements ``target`` (an outline section). Spans are offsets into each
    measure's ``text``: the sentence of the target that best matches the source, and the reverse."""

    source: str
    target: str
    rank: int  # 1 = the source's best section
    score: float
    dense: float
    lexical: float
    target_excerpt: tuple[int, int]
    source_excerpt: tuple[int, int]


@dataclass(frozen=True)
class LinkScores:
    sources: tuple[Measure, ...]
    targets: tuple[Measure, ...]
    dense: np.ndarray = field(repr=False)  # (sources, targets) cosine
    lexical: np.ndarray = field(repr=False)  # (sources, targets) BM25
    combined: np.ndarray = field(repr=False)  # weighted sum of row-wise z-scores


@dataclass(frozen=True)
class LinkTable:
    links: tuple[Link, ...]  # by source in reading order, then rank
    by_source: dict[str, tuple[Link, ...]] = field(repr=False, compare=False)
    by_target: dict[str, tuple[Link, ...]] = field(repr=False, compare=False)

    def implements(self, measure_id: str) -> tuple[Link, ...]:
        """The outline sections a plan clause implements, best first."""
        return self.by_source.get(measure_id, ())

    def implemented_by(self, measure_id: str) -> tuple[Link, ...]:
        """The plan clauses that implement an outline section, best first."""
        return self.by_target.get(measure_id, ())


def is_section(measure: Measure) -> bool:
    return bool(_SECTION_KEY.match(measure.key))


def measure_vectors(index, n_measures: int) -> np.ndarray:
    """Row i: the mean of measure i's passage vectors, L2-normalised (zeros for a measure without passages)."""
    backend = backend_for(index)
    vectors = backend.passage_vectors()
    rows = np.asarray(backend.passages.rows, dtype=np.int64)
    out = np.zeros((n_measures, vectors.shape[1]), dtype=np.float32)
    np.add.at(out, rows, vectors)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms > 0, norms, 1.0)


def query_text(measure: Measure) -> str:
    """The clause as a lexical query: chapter, title and text without its responsibility clauses, normalised."""
    text, cut = [], 0
    for r in sorted(measure.responsibilities, key=lambda r: r.clause_span[0]):
        text.append(measure.text[cut:r.clause_span[0]])
        cut = max(cut, r.clause_span[1])
    text.append(measure.text[cut:])
    return normalize(" ".join((*measure.chapter[-1:], measure.title, "".join(text))))


def zscore_rows(x: np.ndarray) -> np.ndarray:
    """Each row centred and scaled to unit standard deviation (a constant row becomes zeros)."""
    std = x.std(axis=1, keepdims=True)
    return (x - x.mean(axis=1, keepdims=True)) / np.where(std > 0, std, 1.0)


def link_scores(corpus: Corpus, index, *, plan_doc: str | None = None, outline_doc: str | None = None,
                dense_weight: float = DENSE_WEIGHT, lexical_weight: float = LEXICAL_WEIGHT) -> LinkScores:
    """Score every numbered clause of ``plan_doc`` against every section of ``outline_doc`` (by default the pair
    the corpus config names under [links]; none there: no links)."""
    pair = corpus.config.links or ("", "")
    plan_doc, outline_doc = plan_doc or pair[0], outline_doc or pair[1]
    measures = corpus.measures
    src_rows = [i for i in corpus.document_rows(plan_doc)
                if measures[i].label and not measures[i].key.startswith("annex")]
    tgt_rows = [i for i in corpus.document_rows(outline_doc) if is_section(measures[i])]
    sources, targets = tuple(measures[i] for i in src_rows), tuple(measures[i] for i in tgt_rows)
    if not sources or not targets:
        empty = np.zeros((len(sources), len(targets)), dtype=np.float64)
        return LinkScores(sources, targets, empty, empty, empty)
    vectors = measure_vectors(index, len(measures))
    dense = (vectors[src_rows] @ vectors[tgt_rows].T).astype(np.float64)
    backend = backend_for(index)
    lexical = np.vstack([backend.lexical_scores("bm25_words", query_text(m), tgt_rows) for m in sources])
    combined = dense_weight * zscore_rows(dense) + lexical_weight * zscore_rows(lexical)
    return LinkScores(sources, targets, dense, lexical, combined)


def select(scores: LinkScores, index: SearchBackend | None = None, *, link_bar: float = LINK_BAR,
           first_bar: float = FIRST_BAR, max_links: int = MAX_LINKS) -> LinkTable:
    """Keep, per source, up to ``max_links`` targets scoring ``>= link_bar`` (the best from ``first_bar``),
    ordered by ``(-score, target id)``. With ``index``, each link gets its matching excerpts."""
    spans = _PassageSpans(index) if index is not None else None
    links = []
    for i, source in enumerate(scores.sources):
        order = sorted(range(len(scores.targets)), key=lambda j: (-scores.combined[i, j], scores.targets[j].id))
        for rank, j in enumerate(order[:max_links], start=1):
            if scores.combined[i, j] < (first_bar if rank == 1 else link_bar):
                break
            target = scores.targets[j]
            target_span = spans.best(target, source) if spans else (0, len(target.text))
            source_span = spans.best(source, target) if spans else (0, len(source.text))
            links.append(Link(source.id, target.id, rank, round(float(scores.combined[i, j]), 4),
                              round(float(scores.dense[i, j]), 4), round(float(scores.lexical[i, j]), 4),
                              target_span, source_span))
    return link_table(links)


def link_table(links: list[Link]) -> LinkTable:
    by_source: dict[str, list[Link]] = {}
    by_target: dict[str, list[Link]] = {}
    for link in links:
        by_source.setdefault(link.source, []).append(link)
        by_target.setdefault(link.target, []).append(link)
    ranked = {t: tuple(sorted(ls, key=lambda lk: (-lk.score, lk.source))) for t, ls in by_target.items()}
    return LinkTable(tuple(links), {s: tuple(ls) for s, ls in by_source.items()}, ranked)


def compute_links(corpus: Corpus, index, **kwargs) -> LinkTable:
    """The link table with the calibrated defaults: what the service computes once per loaded index."""
    table = select(link_scores(corpus, index, **kwargs), index)
    log.info("linked %d plan clauses to %d outline sections (%d links)", len(table.by_source),
             len(table.by_target), len(table.links))
    return table


class _PassageSpans:
    """Picks, within one measure, the passage that best matches another measure: the most distinct character
    bigrams shared with the other's text, ties broken by cosine to the other's mean vector, then position."""

    def __init__(self, index):
        self.index: SearchBackend = backend_for(index)
        self.vectors = self.index.passage_vectors()
        self.of_measure: dict[str, list[int]] = {}
        for pid, row in enumerate(self.index.passages.rows.tolist()):
            self.of_measure.setdefault(index.measure_ids[row], []).append(pid)
        self._grams: dict[int, set[str]] = {}
        self._query: dict[str, tuple[set[str], np.ndarray]] = {}

    def best(self, inside: Measure, other: Measure) -> tuple[int, int]:
        candidates = self.of_measure.get(inside.id, [])
        if not candidates:
            return (0, len(inside.text))
        grams, vec = self._other(other)

        def key(pid: int) -> tuple[int, float, int]:
            p = self.index.passages[pid]
            if pid not in self._grams:
                self._grams[pid] = set(bigrams(normalize(inside.text[p.start:p.end])))
            return (-len(self._grams[pid] & grams), -float(self.vectors[pid] @ vec), p.start)

        p = self.index.passages[min(candidates, key=key)]
        sentences = [(p.start + a, p.start + b) for a, b in sentence_spans(inside.text[p.start:p.end])]
        best = max(sentences or [(p.start, p.end)],
                   key=lambda ab: (len(set(bigrams(normalize(inside.text[ab[0]:ab[1]]))) & grams), -ab[0]))
        return _without_responsibility(inside, best)

    def _other(self, measure: Measure) -> tuple[set[str], np.ndarray]:
        if measure.id not in self._query:
            pids = self.of_measure.get(measure.id, [])
            vec = self.vectors[pids].mean(axis=0) if pids else np.zeros(self.vectors.shape[1], dtype=np.float32)
            vec = vec / (float(np.linalg.norm(vec)) or 1.0)
            self._query[measure.id] = (set(bigrams(query_text(measure))), vec)
        return self._query[measure.id]


def _without_responsibility(measure: Measure, span: tuple[int, int]) -> tuple[int, int]:
    """``span`` minus a responsibility clause at its start or end (it names units, not what is done)."""
    start, end = span
    for r in measure.responsibilities:
        cs, ce = r.clause_span
        if cs <= start < ce < end:
            start = ce
        elif start < cs < end <= ce + 1:
            end = cs
    return (start, end) if start < end else span


# --- display ------------------------------------------------------------------------------------------------

def section_citation(doc: Document, measure: Measure) -> str:
    """《长江三角洲区域一体化发展规划纲要》第五章第二节 共同打造数字长三角: chapter number, section, title."""
    if not is_section(measure):
        return doc.citation(measure)
    chapter = _CHAPTER_NO.match(measure.chapter[0]) if measure.chapter else None
    return f"《{doc.title}》{chapter.group(0) if chapter else ''}{measure.display_label} {measure.title}"


def citation_of(corpus: Corpus, measure: Measure) -> str:
    return section_citation(corpus.document(measure.doc), measure)


def link_dict(corpus: Corpus, link: Link, *, reverse: bool = False, convert: Callable[[str], str] = str) -> dict:
    """One link as the API and ``askplan links --json`` show it: the other end (the outline section, or with
    ``reverse`` the plan clause), its citation and page, the scores and a short matching excerpt of it.
    ``convert`` is applied to the texts (e.g. ``to_simplified``)."""
    other = corpus.measure(link.source if reverse else link.target)
    start, end = link.source_excerpt if reverse else link.target_excerpt
    return {"id": other.id, "doc": other.doc, "key": other.key, "citation": convert(citation_of(corpus, other)),
            "url": f"/m/{quote(other.doc)}/{quote(other.key)}", "rank": link.rank, "score": link.score,
            "dense": link.dense, "lexical": link.lexical, "excerpt": convert(other.text[start:end].strip())}



def links_of(corpus: Corpus, table: LinkTable, measure_id: str, *, convert: Callable[[str], str] = str) -> dict:
    """``{"implements": [...], "implemented_by": [...]}`` of one measure, as ``link_dict`` rows."""
    return {"implements": [link_dict(corpus, lk, convert=convert) for lk in table.implements(measure_id)],
            "implemented_by": [link_dict(corpus, lk, reverse=True, convert=convert)
                               for lk in table.implemented_by(measure_id)]}

# --- calibration ----------------------------------------------------------------------------------------------

class GoldError(AskplanError):
    """The gold file of hand-checked links cannot be read."""


@dataclass(frozen=True)
class GoldLinks:
    """Hand-checked links of one plan clause: ``implements`` must be found (recall), ``partial`` may be
    (defensible, not counted wrong), anything else found is wrong; ``wrong`` lists tempting non-links."""

    measure: str
    implements: frozenset[str]
    partial: frozenset[str] = frozenset()
    wrong: frozenset[str] = frozenset()


def load_gold(path: Path) -> list[GoldLinks]:
    out = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GoldError(f"cannot read {path}: {exc}") from None
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out.append(GoldLinks(row["measure"], frozenset(row["implements"]), frozenset(row.get("partial", ())),
                                 frozenset(row.get("not", ()))))
        except (ValueError, KeyError, TypeError) as exc:
            raise GoldError(f"{path}:{n}: not a gold row ({type(exc).__name__}: {exc}); expected "
                            '{"measure": id, "implements": [ids], "partial": [ids], "not": [ids]}') from None
    return out


def evaluate(table: LinkTable, gold: list[GoldLinks]) -> dict:
    """Precision (found links that are ``implements`` or ``partial``), recall (``implements`` found), F1, and
    the wrong and missed pairs, over the gold clauses only."""
    found = correct = hit = expected = 0
    wrong, missed, traps = [], [], []
    for g in gold:
        targets = {link.target for link in table.implements(g.measure)}
        ok = targets & (g.implements | g.partial)
        found, correct = found + len(targets), correct + len(ok)
        hit, expected = hit + len(targets & g.implements), expected + len(g.implements)
        wrong += [(g.measure, t) for t in sorted(targets - ok)]
        traps += [(g.measure, t) for t in sorted(targets & g.wrong)]
        missed += [(g.measure, t) for t in sorted(g.implements - targets)]
    precision = correct / found if found else 0.0
    recall = hit / expected if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"clauses": len(gold), "links": found, "correct": correct, "expected": expected, "recalled": hit,
            "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "wrong": wrong, "wrong_listed_as_not": traps, "missed": missed}


def sweep(scores: LinkScores, gold: list[GoldLinks], bars: list[float], *, first_bar: float = FIRST_BAR) -> list[dict]:
    """Precision, recall and F1 for each ``link_bar`` in ``bars`` (excerpts skipped)."""
    rows = []
    for bar in bars:
        report = evaluate(select(scores, link_bar=bar, first_bar=min(first_bar, bar)), gold)
        rows.append({"link_bar": round(float(bar), 4), **{k: report[k] for k in SWEEP_FIELDS}})
    return rows


def two_fold(scores: LinkScores, gold: list[GoldLinks], bars: list[float]) -> dict:
    """An out-of-sample check of the bar: choose it on every other gold clause, score it on the rest, both ways;
    precision and recall pooled over the two held-out halves. (The weights are not re-chosen.)"""
    halves = (gold[0::2], gold[1::2])
    pooled = {"links": 0, "correct": 0, "recalled": 0, "expected": 0}
    chosen = []
    for tune, test in (halves, halves[::-1]):
        bar = max(sweep(scores, tune, bars), key=lambda row: (row["f1"], row["link_bar"]))["link_bar"]
        report = evaluate(select(scores, link_bar=bar, first_bar=min(FIRST_BAR, bar)), test)
        chosen.append(bar)
        pooled = {k: pooled[k] + report[k] for k in pooled}
    precision = pooled["correct"] / pooled["links"] if pooled["links"] else 0.0
    recall = pooled["recalled"] / pooled["expected"] if pooled["expected"] else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"bars": chosen, **pooled, "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def render_eval(report: dict) -> str:
    """``evaluate`` (plus optional ``sweep`` and ``two_fold``) as text for the terminal."""
    lines = [f"{report['clauses']} hand-checked plan clauses, {report['links']} links: "
             f"{report['correct']} correct, {report['links'] - report['correct']} wrong; "
             f"{report['recalled']} of {report['expected']} expected links found",
             f"precision {report['precision']:.3f}  recall {report['recall']:.3f}  F1 {report['f1']:.3f}"]
    lines += [f"  wrong:  {s} -> {t}" for s, t in report["wrong"]]
    lines += [f"  missed: {s} -> {t}" for s, t in report["missed"]]
    if report.get("sweep"):
        lines.append("link_bar  links  precision  recall  F1")
        lines += [f"{r['link_bar']:8.2f}  {r['links']:5d}  {r['precision']:9.3f}  {r['recall']:6.3f}  {r['f1']:.3f}"
                  for r in report["sweep"]]
    if report.get("two_fold"):
        t = report["two_fold"]
        lines.append(f"two-fold (bar chosen on half the clauses, scored on the other): bars {t['bars']}, "
                     f"precision {t['precision']:.3f}  recall {t['recall']:.3f}  F1 {t['f1']:.3f}")
    return "\n".join(lines)


def render_links(row: dict) -> str:
    """One measure's ``links_of`` row (with ``id`` and ``citation``) as text."""
    lines = [f"{row['id']}\t{row['citation']}"]
    for name, arrow in (("implements", "implements"), ("implemented_by", "implemented by")):
        lines += [f"  {arrow}: {r['citation']}  (score {r['score']:.2f})\n      {r['excerpt']}" for r in row[name]]
    return "\n".join(lines)


def linked_sources(corpus: Corpus) -> list[Measure]:
    """The numbered clauses of the implementing document the corpus config names (none without [links]); an
    annex title (key ``annex…``) is no clause."""
    plan_doc = corpus.config.links[0] if corpus.config.links else None
    return [m for i in corpus.document_rows(plan_doc) if (m := corpus.measures[i]).label
            and not m.key.startswith("annex")]
