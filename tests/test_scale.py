"""The scale benchmark's parts: the synthetic corpus generator (scripts/synth_corpus.py) and the automatic FAISS
factory (Flat below the threshold, an IVF index above it, with its recall checked against exact search), and the
memory a loaded corpus holds."""

from __future__ import annotations

import pickle
import re
import sys
from pathlib import Path

import faiss
import numpy as np
import pytest

from askplan.corpus import load_corpus
from askplan.index import store
from askplan.index.vectors import RowArray
from askplan.numerals import parse_cn_numeral
from conftest import CORPUS, REPO

sys.path.insert(0, str(REPO / "scripts"))
import synth_corpus  # noqa: E402


def _bytes(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.txt"))}


def test_a_documents_repeated_values_are_held_once(corpus):
    """Measures under one chapter share its path, and a unit named by many clauses is one string; the values are
    those the parser produced."""
    from askplan.corpus.loader import _read_text, parse_front_matter
    from askplan.corpus.parser import parse_body

    plan = corpus.document("anhui-yrd-14fyp-action-plan-2021")
    source = _read_text(Path(plan.path))
    _, offset, line = parse_front_matter(source, plan.path)
    assert plan.measures == tuple(parse_body(plan.slug, source, offset, line).measures)
    chapters, units = {}, {}
    for m in plan.measures:
        chapters.setdefault(m.chapter, set()).add(id(m.chapter))
        for r in m.responsibilities:
            for u in (*r.units, *r.units_verbatim):
                units.setdefault(u, set()).add(id(u))
    assert len(chapters) < len(plan.measures) / 3 and all(len(ids) == 1 for ids in chapters.values())
    assert len(units) > 20 and all(len(ids) == 1 for ids in units.values())
    again = pickle.loads(pickle.dumps(plan))  # as the parse cache keeps it: equal, and shared as before
    assert again == plan and again.measures[1].chapter is again.measures[2].chapter == plan.measures[1].chapter
    assert plan.measures[1].chapter is plan.measures[2].chapter


def test_synthetic_corpus_is_deterministic_and_parses(tmp_path):
    a = synth_corpus.generate(tmp_path / "a", 250, per_doc=100, seed=7)
    synth_corpus.generate(tmp_path / "b", 250, per_doc=100, seed=7)
    synth_corpus.generate(tmp_path / "c", 250, per_doc=100, seed=8)
    assert [p.name for p in a] == ["synth-00000.txt", "synth-00001.txt", "synth-00002.txt"]
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")
    assert _bytes(tmp_path / "a") != _bytes(tmp_path / "c")
    corpus = load_corpus(tmp_path / "a")
    assert corpus.problems == ()
    assert len(corpus.measures) == 250
    assert [len(d.measures) for d in corpus.documents] == [100, 100, 50]
    first = corpus.documents[0]
    assert [m.key for m in first.measures] == [str(i) for i in range(100)]
    assert first.measures[99].label == "（九十九）"
    with_clause = sum(bool(m.responsibilities) for m in corpus.measures)
    assert 0.6 * 250 < with_clause < 0.95 * 250  # recombined 责任单位 clauses parse as clauses
    bundled = {s for m in load_corpus(CORPUS).measures for s in m.text.split("。")}
    assert any(s and s in bundled for s in first.measures[5].text.split("。"))


def test_synthetic_corpus_refuses_an_existing_folder(tmp_path):
    (tmp_path / "x").mkdir()
    with pytest.raises(FileExistsError):
        synth_corpus.generate(tmp_path / "x", 10)
    assert synth_corpus.main([str(tmp_path / "y"), "--measures", "10", "--per-doc", "1001"]) == 2
    assert not (tmp_path / "y").exists()  # nothing half-written


def test_clause_numerals_round_trip():
    assert [synth_corpus.cn_numeral(n) for n in (1, 10, 11, 25, 100, 105, 110, 999)] == [
        "一", "十", "十一", "二十五", "一百", "一百零五", "一百一十", "九百九十九"]
    assert all(parse_cn_numeral(synth_corpus.cn_numeral(n)) == n for n in range(1, 1000))


def test_factory_is_flat_below_the_threshold_and_ann_above():
    assert store.choose_factory(1_667) == "Flat"  # the bundled corpus: exact search, figures unchanged
    assert store.choose_factory(store.ANN_MIN_PASSAGES - 1) == "Flat"
    assert store.choose_factory(store.ANN_MIN_PASSAGES) == "IVF512,SQ8"
    assert store.choose_factory(400_000) == "IVF1024,SQ8"
    assert store.choose_factory(5_000_000) == "IVF4096,SQ8"  # PQ96's recall@10 was 0.38 (bench/README.md)


def _clustered(n: int, queries: int, dim: int = 384, clusters: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors and queries around the same ``clusters`` centres, like text embeddings (uniform random vectors
    have no neighbours worth the name in 384 dimensions)."""
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((clusters, dim))
    x = centres[rng.integers(0, clusters, n + queries)] + 0.6 * rng.standard_normal((n + queries, dim))
    x = (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)
    return x[:n], x[n:]


def test_ann_recall_at_10_against_exact_search():
    vectors, queries = _clustered(6000, 100)
    factory = store.ann_factory(len(vectors))
    ann = faiss.index_factory(vectors.shape[1], factory, faiss.METRIC_INNER_PRODUCT)
    store._train_and_add(ann, RowArray(vectors), len(vectors), faiss)
    exact = faiss.IndexFlatIP(vectors.shape[1])
    exact.add(vectors)
    _, want = exact.search(queries, 10)
    _, got = ann.search(queries, 10)
    recall = np.mean([len(set(g) & set(w)) / 10 for g, w in zip(got, want, strict=True)])
    assert factory == "IVF128,SQ8" and faiss.extract_index_ivf(ann).nprobe == 128 // store.NPROBE_SHARE
    assert recall >= 0.9  # 0.98 with faiss 1.15.1


def test_build_chooses_ann_above_the_threshold_and_loads_it_mapped(tmp_path, corpus, monkeypatch):
    from askplan.encoders import HashEncoder
    from askplan.search.retriever import Retriever

    monkeypatch.setattr(store, "ANN_MIN_PASSAGES", 1000)
    encoder = HashEncoder(64)
    manifest = store.build_index(corpus, encoder, tmp_path)
    assert manifest.passages > 1000 and manifest.faiss_factory == store.ann_factory(manifest.passages)
    mapped = store.load_index(tmp_path, corpus, encoder.name)
    copied = store.load_index(tmp_path, corpus, encoder.name, mmap=False)
    assert faiss.extract_index_ivf(mapped.faiss_index).nprobe == faiss.extract_index_ivf(copied.faiss_index).nprobe
    query = "碳达峰碳中和"
    assert Retriever(mapped, encoder).legs(query) == Retriever(copied, encoder).legs(query)


def test_bm25_scores_equal_bm25s_own(hash_service, hash_settings):
    """The index's BM25 arrays (read without bm25s) score exactly as bm25s's own ``get_scores`` over the same
    files: the same float32 sums."""
    import bm25s

    from askplan.index import layout
    from askplan.search.backends import bm25_scores
    from askplan.tokenize import bigrams, pinyin_bigrams, words

    index = hash_service.retriever().index
    store = layout.resolve(hash_settings.index_dir)
    for query in ("谁牵头碳达峰工作", "长三角生态绿色一体化发展示范区", "皖北振兴 科技创新"):
        for name, ours, tokenize in (("bm25_words", index.bm25_words, words),
                                     ("bm25_bigrams", index.bm25_bigrams, bigrams),
                                     ("bm25_pinyin", index.bm25_pinyin, pinyin_bigrams)):
            theirs = bm25s.BM25.load(str(store / name), mmap=True, show_progress=False)
            tokens = [t for t in tokenize(query) if t in ours.vocab_dict]
            want, got = theirs.get_scores(tokens), bm25_scores(ours, tokens)
            assert got.dtype == want.dtype and np.array_equal(got, want) and want.max() > 0


def test_a_bad_factory_string_is_refused_before_anything_is_built(tmp_path, corpus):
    from askplan.encoders import HashEncoder
    from askplan.errors import BadInput

    with pytest.raises(BadInput, match="--faiss-factory auto"):
        store.build_index(corpus, HashEncoder(64), tmp_path, factory="NoSuchIndex7")
    assert not (tmp_path / store.STORE).exists()


def _clause_row_one_by_one(service, number, target, norm, fused, among=frozenset()):
    """The clause-number rule applied to each candidate in Python: what ``_clause_row`` must return."""
    from askplan.docnames import shared_run
    from askplan.service import _ARTICLE_ASKED

    measures = service.corpus.measures
    keyed = {service._rows[f"{d.slug}/{number}"] for d in service.corpus.documents
             if f"{d.slug}/{number}" in service._rows}
    candidates = [r for r in sorted(keyed | set(service._numbered.get(number, ())))
                  if (measures[r].doc == target if target else not among or measures[r].doc in among)]
    if not candidates:
        return None
    article = bool(_ARTICLE_ASKED.search(norm))
    order = {row: i for i, (row, _) in enumerate(fused)}
    titled = {r for r in candidates if shared_run(norm, service._clause_title(r), 4)}
    placed = {r for r in candidates if shared_run(norm, service._clause_chapters[r], 4)}
    return min(candidates, key=lambda r: (r not in titled, r not in placed, r not in keyed,
                                          measures[r].doc != service.primary,
                                          measures[r].label.startswith("第") != article,
                                          order.get(r, len(order)), r))


def test_clause_lookup_agrees_with_the_rule_per_candidate(hash_service):
    import random

    from askplan.normalize import normalize

    rng = random.Random(5)
    service, n = hash_service, len(hash_service.corpus.measures)
    docs = [None, *(d.slug for d in service.corpus.documents)]
    questions = ["第十二条讲什么", "（二十五）", "措施七", "第3条加强组织领导", "推进碳达峰碳中和第二十五条",
                 *(f"{service._clause_title(r)[:6]}第{r % 40 + 1}条" for r in rng.sample(range(n), 20))]
    checked = 0
    for number in range(1, 70):
        for target in docs:
            for q in rng.sample(questions, 4):
                norm = normalize(q)
                fused = [(r, 1.0) for r in rng.sample(range(n), rng.choice((0, 5, 60)))]
                among = frozenset(rng.sample(docs[1:], rng.choice((0, 2))))
                want = _clause_row_one_by_one(service, number, target, norm, fused, among)
                assert service._clause_row(number, target, norm, fused, among) == want, (number, target, q, among)
                checked += want is not None
    assert checked > 300


def test_a_quoted_heading_picks_the_clause_under_it(hash_service):
    """七项重点工作里的第（四）项: the candidate under the quoted heading wins over the primary document's （四）."""
    from askplan.normalize import normalize

    service = hash_service
    measures = service.corpus.measures
    for number in range(2, 20):
        rows, _ = service._clause_candidates(number)
        others = [r for r in rows if measures[r].doc != service.primary and measures[r].chapter]
        if len(rows) < 2 or not others:
            continue
        row = others[0]
        heading = service._clause_chapters[row]
        rivals = [service._clause_chapters[r] + service._clause_title(r) for r in rows if r != row]
        run = next((heading[i:i + 4] for i in range(len(heading) - 3)
                    if not any(heading[i:i + 4] in t for t in rivals) and heading[i:i + 4].isalpha()), None)
        if run is None:
            continue
        assert service._clause_row(number, None, normalize(f"{run}里的第{number}项"), []) == row
        return
    pytest.fail("no clause number with candidates under distinct headings in the test corpus")


def test_an_item_under_a_numbered_part_is_looked_up_by_its_key(hash_service):
    """报告第三部分第五项 -> key 3.5, or 3.5-1 where the item runs over paragraphs; in the named document, or the
    best ranked of those the question's naming words fit."""
    service = hash_service
    measures = service.corpus.measures
    split = next(m for m in measures if m.key.endswith("-1") and m.key.count(".") == 1)
    x, y = (int(n) for n in split.key[:-2].split("."))
    assert service._part_row((x, y), split.doc, frozenset(), []) == service._rows[split.id]
    rows = [r for r, m in enumerate(measures) if m.key in (f"{x}.{y}", f"{x}.{y}-1")]
    if len(rows) > 1:  # the ranking picks among documents holding the key
        fused = [(rows[-1], 2.0), (rows[0], 1.0)]
        assert service._part_row((x, y), None, frozenset(), fused) == rows[-1]
    assert service._part_row((99, 99), None, frozenset(), []) is None
    other = next(d.slug for d in service.corpus.documents if d.slug != split.doc)
    if all(measures[r].doc != other for r in rows):
        assert service._part_row((x, y), None, frozenset({other}), []) is None  # only the fitting documents


def _mapped_kb(folder: Path) -> int:
    """Resident kB of this process's mappings of the BM25 arrays and passage columns under ``folder``
    (/proc/self/smaps); FAISS's own mapping of ``dense.faiss`` is not counted."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()
        if head and re.fullmatch(r"[0-9a-f]+-[0-9a-f]+", head[0]):  # a mapping's first line; a file's has a path
            inside = len(head) >= 6 and head[5].startswith(str(folder)) and not head[5].endswith("dense.faiss")
        elif inside and line.startswith("Rss:"):
            total += int(head[1])
    return total


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="no /proc/self/smaps")
def test_a_load_leaves_no_index_page_resident_until_a_question_reads_it(tmp_path, corpus):
    """The load's value checks read every BM25 page; ``release_pages`` drops them from the process again, and
    the arrays still read the same values."""
    from askplan.encoders import HashEncoder
    from askplan.search.retriever import Retriever

    encoder = HashEncoder(64)
    store.build_index(corpus, encoder, tmp_path)
    loaded = store.load_index(tmp_path, corpus, encoder.name)
    folder = loaded.store
    assert _mapped_kb(folder) == 0
    copied = store.load_index(tmp_path, corpus, encoder.name, mmap=False)
    query = "碳达峰碳中和"
    assert Retriever(loaded, encoder).legs(query) == Retriever(copied, encoder).legs(query)
    assert _mapped_kb(folder) > 0  # the question's postings are mapped in again
