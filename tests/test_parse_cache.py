"""The parsed-document cache (corpus/parse_cache.py): an unchanged file is read back, never stale, never an error."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from askplan.corpus import load_corpus, loader, parse_cache

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def corpus_dir(tmp_path) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    for path in FIXTURES.glob("*.txt"):
        shutil.copy(path, root)
    return root


def _no_parsing(monkeypatch) -> None:
    def refuse(*_):
        raise AssertionError("parsed again although the file, config and code did not change")

    monkeypatch.setattr(loader, "_load", refuse)


def test_an_unchanged_corpus_is_read_back_equal_without_parsing(corpus_dir, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    parsed = load_corpus(corpus_dir)  # no cache: parsed as ever
    assert load_corpus(corpus_dir, cache=cache).documents == parsed.documents
    assert len(list(cache.glob("*.pickle"))) == len(parsed.documents) == 3
    _no_parsing(monkeypatch)
    again = load_corpus(corpus_dir, cache=cache)
    assert again.documents == parsed.documents and again.problems == parsed.problems
    assert again.measures == parsed.measures


def test_an_edited_text_is_parsed_again_and_its_old_entry_dropped(corpus_dir, tmp_path):
    cache = tmp_path / "cache"
    load_corpus(corpus_dir, cache=cache)
    path = next(corpus_dir.glob("county-*.txt"))
    text = path.read_text(encoding="utf-8")
    first = load_corpus(corpus_dir).document(path.stem).measures[-1]
    path.write_text(text.replace(first.text[:12], "改过的文字改过的文字改过", 1), encoding="utf-8")
    edited = load_corpus(corpus_dir, cache=cache).document(path.stem).measures[-1]
    assert "改过的文字改过的文字改过" in edited.text and edited.text != first.text
    assert len(list(cache.glob(f"{path.stem}-*.pickle"))) == 1


def test_a_first_load_lists_the_cache_folder_once_however_many_documents(tmp_path, monkeypatch):
    """A file's older entries were found by globbing the folder on each write: n documents, n listings of up to n
    names (a first start over 70,000 short documents spent most of half an hour listing)."""
    corpus = tmp_path / "many"
    corpus.mkdir()
    for i in range(30):
        (corpus / f"doc-{i:02d}.txt").write_text(
            f"---\ntitle: 第{i}号通知\nissuer: 测试市人民政府\ndate: 2022-01-01\nscript: simplified\n"
            f"source: test\n---\n一、加强第{i}项工作。（责任单位：市发展改革委）\n二、做好保障。\n", encoding="utf-8")
    cache = tmp_path / "cache"
    real, listed = os.scandir, []
    monkeypatch.setattr(os, "scandir", lambda path=".": listed.append(Path(path)) or real(path))
    assert len(load_corpus(corpus, cache=cache).documents) == 30
    assert listed.count(cache) == 3 and len(list(cache.glob("*.pickle"))) == 30  # the entries once, prune twice
    (corpus / "doc-07.txt").write_text((corpus / "doc-07.txt").read_text(encoding="utf-8") + "三、其他。\n",
                                       encoding="utf-8")
    listed.clear()
    assert len(load_corpus(corpus, cache=cache).document("doc-07").measures) == 3
    assert listed.count(cache) == 3 and len(list(cache.glob("doc-07-*.pickle"))) == 1  # the old entry dropped


def test_an_edited_config_is_parsed_again(corpus_dir, tmp_path):
    cache = tmp_path / "cache"
    slug = next(corpus_dir.glob("province-*.txt")).stem
    assert load_corpus(corpus_dir, cache=cache).document(slug).role == ""
    (corpus_dir / "askplan.toml").write_text(f'[documents.{slug}]\nrole = "primary"\n', encoding="utf-8")
    assert load_corpus(corpus_dir, cache=cache).document(slug).role == "primary"


def test_a_changed_parser_is_parsed_again(corpus_dir, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    load_corpus(corpus_dir, cache=cache)
    monkeypatch.setattr(parse_cache, "code_stamp", lambda: b"another version of askplan")
    calls = []
    real = loader._load
    monkeypatch.setattr(loader, "_load", lambda *a: calls.append(a) or real(*a))
    load_corpus(corpus_dir, cache=cache)
    assert len(calls) == 3


def test_a_damaged_entry_or_an_unwritable_cache_is_no_error(corpus_dir, tmp_path):
    cache = tmp_path / "cache"
    expected = load_corpus(corpus_dir, cache=cache)
    for entry in cache.glob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert load_corpus(corpus_dir, cache=cache).documents == expected.documents
    blocked = tmp_path / "afile"
    blocked.write_text("")
    assert load_corpus(corpus_dir, cache=blocked / "cache").documents == expected.documents


def test_a_file_that_fails_is_reported_every_time(corpus_dir, tmp_path):
    cache = tmp_path / "cache"
    (corpus_dir / "broken.txt").write_text("no front matter here\n", encoding="utf-8")
    for _ in range(2):
        corpus = load_corpus(corpus_dir, cache=cache)
        assert any(p.path.endswith("broken.txt") for p in corpus.problems)
    assert not list(cache.glob("broken-*.pickle"))


def test_copies_of_one_file_in_two_folders_keep_their_own_paths(corpus_dir, tmp_path):
    cache = tmp_path / "cache"
    other = tmp_path / "other"
    shutil.copytree(corpus_dir, other)
    for _ in range(2):
        a, b = load_corpus(corpus_dir, cache=cache), load_corpus(other, cache=cache)
        assert all(d.path.startswith(str(corpus_dir)) for d in a.documents)
        assert all(d.path.startswith(str(other)) for d in b.documents)
    assert len(list(cache.glob("*.pickle"))) == 6


def test_a_corpus_named_another_way_keeps_the_paths_it_was_named_by(corpus_dir, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.chdir(corpus_dir.parent)
    relative = load_corpus(Path(corpus_dir.name), cache=cache)
    absolute = load_corpus(corpus_dir, cache=cache)
    assert all(not Path(d.path).is_absolute() for d in relative.documents)
    assert all(d.path.startswith(str(corpus_dir)) for d in absolute.documents)
    monkeypatch.chdir(tmp_path.parent)  # the relative name now points nowhere: no entry may answer for it
    assert load_corpus(corpus_dir, cache=cache).fingerprint() == absolute.fingerprint()


def test_entries_no_start_has_read_for_a_month_are_dropped(corpus_dir, tmp_path):
    import os
    import time

    cache = tmp_path / "cache"
    load_corpus(corpus_dir, cache=cache)
    forgotten = cache / "gone-000000000000-00000000000000000000000000000000.pickle"
    forgotten.write_bytes(b"")
    month_ago = time.time() - parse_cache.STALE_SECONDS - 60
    os.utime(forgotten, (month_ago, month_ago))
    for entry in cache.glob("province-*.pickle"):
        os.utime(entry, (month_ago, month_ago))
    load_corpus(corpus_dir, cache=cache)  # reads every entry back (refreshing them), writes none
    assert forgotten.exists()
    (corpus_dir / "new-text.txt").write_text(next(corpus_dir.glob("county-*.txt")).read_text(encoding="utf-8"),
                                             encoding="utf-8")
    load_corpus(corpus_dir, cache=cache)  # writes the new file's entry, and prunes
    assert not forgotten.exists() and len(list(cache.glob("province-*.pickle"))) == 1


def test_a_file_rewritten_while_it_is_parsed_is_not_kept(corpus_dir, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    path = next(corpus_dir.glob("county-*.txt"))
    real = loader._load

    def parse_while_an_editor_saves(p, config):
        out = real(p, config)
        if p == path:
            p.write_text(p.read_text(encoding="utf-8") + "\n（九）新加的一条。\n", encoding="utf-8")
        return out

    monkeypatch.setattr(loader, "_load", parse_while_an_editor_saves)
    load_corpus(corpus_dir, cache=cache)
    assert not list(cache.glob(f"{path.stem}-*.pickle")) and len(list(cache.glob("*.pickle"))) == 2


def test_reading_back_pauses_cyclic_collection_and_parsing_does_not(corpus_dir, tmp_path, monkeypatch):
    """The collector is off while an entry is read back (it only walks objects that live on) and on while a file is
    parsed (the parser's trees are cyclic garbage), and as it was afterwards, also after a read that fails."""
    import gc

    from askplan.corpus import measure_store

    parsing, reading = [], []
    real_load, real_read = loader._load, measure_store.read_entry

    def parse(*args, **kwargs):
        parsing.append(gc.isenabled())
        return real_load(*args, **kwargs)

    def read(entry):
        reading.append(gc.isenabled())
        return real_read(entry)

    monkeypatch.setattr(loader, "_load", parse)
    monkeypatch.setattr(measure_store, "read_entry", read)
    before = gc.isenabled()
    load_corpus(corpus_dir, tmp_path / "cache")
    load_corpus(corpus_dir, tmp_path / "cache")
    assert parsing and all(parsing) and reading and not any(reading) and gc.isenabled() == before

    def broken(entry):
        raise EOFError

    monkeypatch.setattr(measure_store, "read_entry", broken)
    load_corpus(corpus_dir, tmp_path / "cache")  # unreadable entries: parsed again, no error
    assert gc.isenabled() == before


def test_a_load_read_back_resumes_the_collector_once_not_after_each_entry(corpus_dir, tmp_path, monkeypatch):
    """Resumed after each entry, the collections that followed walked everything read so far (3.4 of 7 s at
    1,000,000 measures)."""
    import gc
    import types

    load_corpus(corpus_dir, tmp_path / "cache")
    enabled = []
    monkeypatch.setattr(parse_cache, "gc", types.SimpleNamespace(
        isenabled=gc.isenabled, disable=gc.disable, enable=lambda: enabled.append(1) or gc.enable(),
        freeze=gc.freeze, unfreeze=gc.unfreeze, get_freeze_count=gc.get_freeze_count, collect=gc.collect))
    _no_parsing(monkeypatch)
    if not gc.isenabled():
        gc.enable()
    assert len(load_corpus(corpus_dir, tmp_path / "cache").documents) == 3
    assert enabled == [1] and gc.isenabled() and gc.get_freeze_count() == 0


def test_the_fingerprint_is_kept_beside_the_entries_and_read_back(corpus_dir, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    plain = load_corpus(corpus_dir).fingerprint()
    assert load_corpus(corpus_dir, cache=cache).fingerprint() == plain
    assert len(list(cache.glob("fingerprint-*"))) == 1
    monkeypatch.setattr(loader, "fingerprint_of", lambda *_: pytest.fail("hashed every file again"))
    assert load_corpus(corpus_dir, cache=cache).fingerprint() == plain
    monkeypatch.undo()
    edited = next(corpus_dir.glob("*.txt"))
    edited.write_text(edited.read_text(encoding="utf-8") + "\n补充一段文字。\n", encoding="utf-8")
    assert load_corpus(corpus_dir, cache=cache).fingerprint() == load_corpus(corpus_dir).fingerprint() != plain


def test_a_file_rewritten_after_it_was_read_keeps_no_fingerprint(corpus_dir, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    load_corpus(corpus_dir, cache=cache)
    for kept in cache.glob("fingerprint-*"):
        kept.unlink()
    edited = next(corpus_dir.glob("*.txt"))
    real = parse_cache.read

    def read_then_rewrite(entry, load=None):
        value = real(entry, load)
        if entry.name.startswith(edited.stem):
            edited.write_text(edited.read_text(encoding="utf-8") + "\n补充一段文字。\n", encoding="utf-8")
        return value

    monkeypatch.setattr(parse_cache, "read", read_then_rewrite)
    corpus = load_corpus(corpus_dir, cache=cache)
    assert not list(cache.glob("fingerprint-*")) and corpus.known_fingerprint is None


def test_a_kept_load_freezes_what_is_alive_until_the_next_load(corpus_dir, tmp_path):
    """``askplan serve`` and ``ask`` keep their corpus out of cyclic collection; any later load makes it
    collectable again first, so nothing stays frozen past the load that replaced it."""
    import gc

    load_corpus(corpus_dir, tmp_path / "cache")
    collections = []
    real_collect = gc.collect
    try:
        gc.collect = lambda *a: collections.append(a) or real_collect(*a)
        with parse_cache.loads_kept():
            kept = load_corpus(corpus_dir, tmp_path / "cache")
        gc.collect = real_collect
        assert len(collections) == 1  # once a load, not once an entry read back
        assert gc.get_freeze_count() > 0 and gc.isenabled() and not parse_cache._keep_loaded
        assert load_corpus(corpus_dir, tmp_path / "cache").documents == kept.documents
        assert gc.get_freeze_count() == 0 and gc.isenabled()
    finally:
        gc.collect = real_collect
        gc.unfreeze()


def test_a_file_hashed_before_and_untouched_since_is_not_hashed_again(corpus_dir, tmp_path, monkeypatch):
    """Its digest is kept by what stat says of it (digests.json); an edit changes the stat and is hashed again,
    and a damaged digests.json only costs the hashing."""
    cache = tmp_path / "cache"
    hashed = []
    real = parse_cache.content_digest
    monkeypatch.setattr(parse_cache, "content_digest", lambda data: hashed.append(1) or real(data))
    first = load_corpus(corpus_dir, cache=cache)
    assert hashed
    hashed.clear()
    assert load_corpus(corpus_dir, cache=cache).documents == first.documents and hashed == []
    edited = next(corpus_dir.glob("*.txt"))
    edited.write_text(edited.read_text(encoding="utf-8") + "\n补充一段文字。\n", encoding="utf-8")
    again = load_corpus(corpus_dir, cache=cache)
    assert len(hashed) >= 1 and again.documents != first.documents
    assert again.documents == load_corpus(corpus_dir).documents
    (cache / "digests.json").write_text("{damaged", encoding="utf-8")
    hashed.clear()
    assert load_corpus(corpus_dir, cache=cache).documents == again.documents and len(hashed) == 3
