"""Measures kept in their parse-cache entry and read when used (corpus/measure_store.py): a corpus read back from the
cache answers exactly as the parsed one, without holding its measures as objects."""

from __future__ import annotations

import gc
import pickle
import shutil
from pathlib import Path

import pytest

from askplan.corpus import load_corpus, measure_store, parse_cache
from askplan.corpus.measure_store import CorpusMeasures, CorpusRows, StoredMeasures, column

FIXTURES = Path(__file__).parent / "fixtures"
REPO_CORPUS = Path(__file__).parents[1] / "corpus"


@pytest.fixture
def corpus_dir(tmp_path) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    for path in [*FIXTURES.glob("*.txt"), *REPO_CORPUS.glob("*.txt")]:
        shutil.copy(path, root)
    return root


def test_a_corpus_read_back_equals_the_parsed_one_row_for_row(corpus_dir, tmp_path):
    parsed = load_corpus(corpus_dir)
    first = load_corpus(corpus_dir, cache=tmp_path / "cache")  # parses, writes, reads its entries back
    later = load_corpus(corpus_dir, cache=tmp_path / "cache")
    assert isinstance(parsed.measures, tuple) and len(parsed.measures) > 300
    for corpus in (first, later):
        assert isinstance(corpus.measures, CorpusMeasures) and isinstance(corpus.rows, CorpusRows)
        assert all(isinstance(d.measures, StoredMeasures) for d in corpus.documents)
        assert list(corpus.measures) == list(parsed.measures)
        assert [corpus.measures[r] for r in range(len(parsed.measures))] == list(parsed.measures)
        assert corpus.measures[-1] == parsed.measures[-1] and corpus.measures[3:7] == parsed.measures[3:7]
        assert dict(corpus.rows) == parsed.rows and len(corpus.rows) == len(parsed.rows)
        assert list(corpus.ids) == parsed.ids and corpus.ids == parsed.ids
        assert corpus.documents == parsed.documents
        assert corpus.fingerprint() == parsed.fingerprint()
    with pytest.raises(IndexError):
        later.measures[len(parsed.measures)]
    with pytest.raises(KeyError):
        later.rows["no-such-document/1"]
    with pytest.raises(KeyError):
        later.rows[f"{parsed.documents[0].slug}/no-such-key"]


def test_the_columns_are_read_without_building_a_measure(corpus_dir, tmp_path, monkeypatch):
    parsed = load_corpus(corpus_dir)
    later = load_corpus(corpus_dir, cache=tmp_path / "cache")
    measure_store._built.cache_clear()
    monkeypatch.setattr(StoredMeasures, "build", lambda *_: pytest.fail("built a measure to read a column"))
    for doc, plain in zip(later.documents, parsed.documents, strict=True):
        for name in ("key", "label", "chapter"):
            assert column(doc.measures, name) == [getattr(m, name) for m in plain.measures]
    assert dict(later.rows) == parsed.rows and list(later.ids) == parsed.ids


def test_a_measure_read_twice_is_built_once(corpus_dir, tmp_path, monkeypatch):
    later = load_corpus(corpus_dir, cache=tmp_path / "cache")
    built = []
    real = StoredMeasures.build
    monkeypatch.setattr(StoredMeasures, "build", lambda self, i: built.append(i) or real(self, i))
    measure_store._built.cache_clear()
    assert later.measures[5] is later.measures[5]
    assert len(built) == 1


def test_stored_measures_pickle_as_the_tuple_they_equal(corpus_dir, tmp_path):
    later = load_corpus(corpus_dir, cache=tmp_path / "cache")
    doc = later.documents[0]
    copy = pickle.loads(pickle.dumps(doc))
    assert isinstance(copy.measures, tuple) and copy == doc and copy.measures == doc.measures
    assert doc.measures == copy.measures and doc.measures != copy.measures[:-1]
    assert pickle.loads(pickle.dumps(later.measures)) == tuple(later.measures)


@pytest.mark.parametrize("damage", ["truncated", "magic", "empty"])
def test_a_damaged_entry_is_parsed_again_never_an_error(corpus_dir, tmp_path, damage):
    parsed = load_corpus(corpus_dir)
    cache = tmp_path / "cache"
    load_corpus(corpus_dir, cache=cache)
    for entry in cache.glob("*.pickle"):
        data = entry.read_bytes()
        entry.write_bytes({"truncated": data[:-7], "magic": b"x" + data[1:], "empty": b""}[damage])
        with pytest.raises((ValueError, EOFError, pickle.UnpicklingError)):
            measure_store.read_entry(entry)
    again = load_corpus(corpus_dir, cache=cache)
    assert list(again.measures) == list(parsed.measures)
    assert all(measure_store.read_entry(e) for e in cache.glob("*.pickle"))  # written whole again


def test_an_entry_replaced_while_mapped_keeps_serving_the_old_measures(corpus_dir, tmp_path):
    """Entries are replaced by a rename, never rewritten in place: a process that mapped the old one reads on."""
    cache = tmp_path / "cache"
    before = load_corpus(corpus_dir, cache=cache)
    expected = load_corpus(corpus_dir).measures
    measure_store._built.cache_clear()
    edited = corpus_dir / f"{before.documents[0].slug}.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n补充一段文字。\n", encoding="utf-8")
    after = load_corpus(corpus_dir, cache=cache)  # writes the edited file's entry, drops the old one
    assert len(list(cache.glob(f"{edited.stem}-*.pickle"))) == 1
    assert after.documents[0].measures != before.documents[0].measures
    assert list(before.measures) == list(expected)


def test_an_empty_document_round_trips(tmp_path):
    from askplan.models import Document

    doc = Document("empty-doc", "标题", "", "", "zh-Hans", "", "x.txt")
    entry = tmp_path / "e.pickle"
    measure_store.write_entry(entry, doc, ["warned"])
    back, warnings = measure_store.read_entry(entry)
    assert back == doc and len(back.measures) == 0 and warnings == ["warned"]
    assert column(back.measures, "key") == [] and list(back.measures) == []


def test_parse_cache_read_reports_a_damaged_entry_as_none(tmp_path):
    entry = tmp_path / "x.pickle"
    entry.write_bytes(measure_store.MAGIC + (10).to_bytes(8, "little") + b"garbage")
    assert parse_cache.read(entry, measure_store.read_entry) is None


def test_the_department_registry_holds_rows_not_measures(corpus_dir, tmp_path):
    """The registry keeps each duty's row and clause indices and reads its measure and clauses when asked (the
    same as the parsed corpus's): built over every measure, it held most of a large corpus's objects."""
    import gc

    from askplan.departments import DepartmentRegistry
    from askplan.models import Measure, Responsibility

    parsed = DepartmentRegistry.from_corpus(load_corpus(corpus_dir))
    registry = DepartmentRegistry.from_corpus(load_corpus(corpus_dir, cache=tmp_path / "cache"))
    duties = [duty for department in registry for duty in department.duties]
    assert len(duties) > 100
    assert not [r for duty in duties for r in gc.get_referents(duty) if isinstance(r, Measure | Responsibility)]
    assert [d.name for d in registry] == [d.name for d in parsed]
    for mine, theirs in zip(registry, parsed, strict=True):
        assert [(d.measure, d.role, d.clause, d.clauses, d.row) for d in mine.duties] == \
            [(d.measure, d.role, d.clause, d.clauses, d.row) for d in theirs.duties]


def test_past_max_mapped_entries_are_read_into_memory_and_serve_the_same(corpus_dir, tmp_path, monkeypatch):
    """A corpus of more documents than a process may map (vm.max_map_count) still loads from its cache."""
    parsed = load_corpus(corpus_dir)
    load_corpus(corpus_dir, cache=tmp_path / "cache")
    gc.collect()
    monkeypatch.setattr(measure_store, "MAX_MAPPED", measure_store._mapped[0] + 2)
    later = load_corpus(corpus_dir, cache=tmp_path / "cache")
    kinds = [type(d.measures._mapped).__name__ for d in later.documents if len(d.measures)]
    assert kinds[:2] == ["mmap", "mmap"] and set(kinds[2:]) == {"bytes"} and len(kinds) > 4
    measure_store._built.cache_clear()
    assert list(later.measures) == list(parsed.measures)
    held = measure_store._mapped[0]
    del later, kinds
    gc.collect()
    assert measure_store._mapped[0] == held - 2  # a store's mapping is counted off when it goes
