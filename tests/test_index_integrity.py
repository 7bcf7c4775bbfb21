"""Checksums and value checks: every file of a built index is covered, so a flipped byte anywhere, or a
manifest edited into other valid JSON, is an ``IndexCorrupt`` naming the fix — never a silent answer.
``askplan index --verify`` reports the same without loading a model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from askplan.config import REPO_ROOT
from askplan.corpus import load_corpus
from askplan.encoders import HashEncoder
from askplan.errors import IndexCorrupt
from askplan.index.layout import resolve
from askplan.index.store import build_index, load_index
from askplan.index.verify import verify_index
from conftest import to_legacy_layout

FIXTURES = Path(__file__).parent / "fixtures"
HASH = "hash-bigram-64"


@pytest.fixture(scope="module")
def small_corpus():
    return load_corpus(FIXTURES)


@pytest.fixture
def index_dir(tmp_path, small_corpus) -> Path:
    build_index(small_corpus, HashEncoder(64), tmp_path / "index")
    return tmp_path / "index"


def _files(store: Path) -> list[str]:
    return sorted(p.relative_to(store).as_posix() for p in store.rglob("*") if p.is_file())


def flip(path: Path, where: float = 0.5) -> None:
    data = bytearray(path.read_bytes())
    at = min(int(len(data) * where), len(data) - 1)
    data[at] ^= 0x5A
    path.write_bytes(bytes(data))


def test_the_manifest_covers_every_file(index_dir):
    store = resolve(index_dir)
    manifest = json.loads((store / "manifest.json").read_text())
    assert sorted(manifest["files"]) == [f for f in _files(store) if f != "manifest.json"]
    assert all(len(v["sha256"]) == 64 and v["size"] > 0 for v in manifest["files"].values())


def test_a_flipped_byte_in_any_file_is_detected(index_dir, small_corpus):
    store = resolve(index_dir)
    originals = {f: (store / f).read_bytes() for f in _files(store)}
    for rel in originals:
        flip(store / rel)
        with pytest.raises(IndexCorrupt, match="askplan index --force") as exc:
            load_index(index_dir, small_corpus, HASH)
        assert (rel if rel != "manifest.json" else "manifest.json") in str(exc.value)
        report = verify_index(index_dir)
        assert not report["ok"] and report["fix"] == "askplan index --force"
        (store / rel).write_bytes(originals[rel])
    load_index(index_dir, small_corpus, HASH)


@pytest.mark.parametrize("edit", [
    lambda m: m.update(built_at="2020-01-01T00:00:00"),
    lambda m: m.update(passages=m["passages"] - 1),
    lambda m: m["files"]["dense.faiss"].update(sha256="0" * 64),
], ids=["date", "count", "checksum"])
def test_a_manifest_edited_into_other_valid_json_is_detected(index_dir, small_corpus, edit):
    path = resolve(index_dir) / "manifest.json"
    manifest = json.loads(path.read_text())
    edit(manifest)
    path.write_text(json.dumps(manifest, indent=2))
    with pytest.raises(IndexCorrupt, match="manifest.json was changed after the build"):
        load_index(index_dir, small_corpus, HASH)


def test_an_extra_or_missing_file_is_detected(index_dir, small_corpus):
    store = resolve(index_dir)
    (store / "notes.txt").write_text("hi")
    with pytest.raises(IndexCorrupt, match="notes.txt is not part of the index"):
        load_index(index_dir, small_corpus, HASH)
    (store / "notes.txt").unlink()
    (store / "bm25_pinyin" / "vocab.index.json").unlink()
    with pytest.raises(IndexCorrupt, match="vocab.index.json is missing"):
        load_index(index_dir, small_corpus, HASH)


def test_a_load_hashes_each_file_once_and_again_after_any_write(index_dir, small_corpus, tmp_path, monkeypatch):
    """With a stamp folder (a service's), the first load hashes every file and a load of the same untouched files
    checks their sizes only; a file written since (same size, one flipped byte) is hashed again and caught."""
    import askplan.index.integrity as integrity

    hashed, calls = tmp_path / "hashed", []
    real = integrity.sha256_file
    monkeypatch.setattr(integrity, "sha256_file", lambda path: calls.append(path.name) or real(path))
    store = resolve(index_dir)
    files = [f for f in _files(store) if f != "manifest.json"]
    load_index(index_dir, small_corpus, HASH, hashed=hashed)
    assert len(calls) == len(files) and len(list(hashed.iterdir())) == 1
    calls.clear()
    load_index(index_dir, small_corpus, HASH, hashed=hashed)
    assert calls == []
    load_index(index_dir, small_corpus, HASH)  # without stamps: every load hashes
    assert len(calls) == len(files)
    calls.clear()
    flip(store / "bm25_words" / "params.index.json")
    with pytest.raises(IndexCorrupt, match="params.index.json does not match its checksum"):
        load_index(index_dir, small_corpus, HASH, hashed=hashed)
    assert len(calls) == len(files)
    flip(store / "bm25_words" / "params.index.json")  # flipped back: written again, hashed again, whole again
    calls.clear()
    load_index(index_dir, small_corpus, HASH, hashed=hashed)
    assert len(calls) == len(files)


def test_a_store_written_wrong_is_refused_on_every_load_and_never_stamped(index_dir, small_corpus, tmp_path):
    """Checksums that match values that do not (a store written wrong in the first place): every load refuses it,
    and no stamp is written, so a later load cannot skip the value checks. A good store's second load checks
    counts and lengths only (``check_values(seen=True)``)."""
    import shutil

    import numpy as np

    import askplan.index.integrity as integrity
    from askplan.index import layout

    hashed = tmp_path / "hashed"
    build = index_dir / ".build-wrong"
    shutil.copytree(resolve(index_dir), build)
    data = build / "bm25_words" / "data.csc.index.npy"
    values = np.load(data)
    values[0] = np.nan
    np.save(data, values)
    manifest = json.loads((build / "manifest.json").read_text())
    manifest["files"] = integrity.file_table(build)
    raw = json.dumps(manifest, indent=2).encode()
    (build / "manifest.json").write_bytes(raw)
    layout.commit(index_dir, build, integrity.manifest_digest(raw))
    for _ in range(2):
        with pytest.raises(IndexCorrupt, match="bm25_words: its score arrays are out of order or not finite"):
            load_index(index_dir, small_corpus, HASH, hashed=hashed)
    assert not hashed.exists() or not list(hashed.iterdir())


def test_a_stamped_load_checks_counts_not_every_value(index_dir, small_corpus, tmp_path, monkeypatch):
    import askplan.index.integrity as integrity

    hashed, seen = tmp_path / "hashed", []
    real = integrity._bm25_problems
    monkeypatch.setattr(integrity, "_bm25_problems", lambda bm, rows, values=True: seen.append(values) or
                        real(bm, rows, values=values))
    first = load_index(index_dir, small_corpus, HASH, hashed=hashed)
    second = load_index(index_dir, small_corpus, HASH, hashed=hashed)
    assert seen == [True] * 3 + [False] * 3
    assert first.measure_ids == second.measure_ids == [m.id for m in small_corpus.measures]


def test_a_stamp_folder_that_cannot_be_written_costs_only_the_hashing(index_dir, small_corpus, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the stamp folder would be")
    load_index(index_dir, small_corpus, HASH, hashed=blocker / "hashed")
    load_index(index_dir, small_corpus, HASH, hashed=blocker / "hashed")
    assert blocker.is_file()


def test_read_ahead_reads_the_mapped_files_only(index_dir, monkeypatch):
    """A server's warm-up reads FAISS and the .npy arrays once (a load no longer reads them to hash them), so the
    page cache holds them; never the passage texts or the measures, which no question reads."""
    from pathlib import Path as RealPath

    from askplan.index.store import read_ahead

    store = resolve(index_dir)
    opened = []
    real_open = RealPath.open
    monkeypatch.setattr(RealPath, "open", lambda self, *a, **k: opened.append(self.name) or real_open(self, *a, **k))
    mapped = [store / "dense.faiss", *store.rglob("*.npy")]
    assert read_ahead(store) == sum(p.stat().st_size for p in mapped)
    assert sorted(opened) == sorted(p.name for p in mapped) and len(mapped) >= 4
    assert read_ahead(index_dir / "no-such-store") == 0


def test_values_checksums_cannot_see_are_checked(index_dir, small_corpus):
    """In a store without checksums (the old layout), a num_docs edited in a BM25 params file used to load
    and then fail every question with a 500; now the load says what is wrong."""
    store = to_legacy_layout(index_dir)
    params = store / "bm25_words" / "params.index.json"
    good = params.read_text()
    params.write_text(good.replace(f'"num_docs": {len(small_corpus.measures)}', '"num_docs": 9999'))
    with pytest.raises(IndexCorrupt, match="bm25_words: num_docs is 9999, not 17"):
        load_index(index_dir, small_corpus, HASH)
    params.write_text(good)
    lines = (store / "passages.jsonl").read_text().splitlines()
    row = json.loads(lines[0])
    row["measure_row"] = 500
    (store / "passages.jsonl").write_text("\n".join([json.dumps(row), *lines[1:]]) + "\n")
    with pytest.raises(IndexCorrupt, match="passages point outside the measures"):
        load_index(index_dir, small_corpus, HASH)


def _verify_cli(index_dir: Path, home: Path) -> subprocess.CompletedProcess:
    # The default model and an empty home: verifying must not load (or build) any model.
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src"), "ASKPLAN_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "askplan", "index", "--verify", "--json", "--index", str(index_dir),
                           "--corpus", str(FIXTURES)], env=env, capture_output=True, text=True, timeout=60)


def test_verify_command_checks_without_a_model(index_dir, tmp_path):
    good = _verify_cli(index_dir, tmp_path / "home")
    assert good.returncode == 0, good.stderr
    report = json.loads(good.stdout)
    assert report["ok"] and report["checksums"] and report["layout"] == "pointer" and report["files"] == 19
    assert "model" in report["stale"]  # built with the hash encoder, checked against the default model
    flip(resolve(index_dir) / "dense.faiss", 0.9)
    bad = _verify_cli(index_dir, tmp_path / "home")
    assert bad.returncode == 1
    report = json.loads(bad.stdout)
    assert report["problems"] == ["dense.faiss does not match its checksum"]
    assert report["fix"] == "askplan index --force"
    assert not (tmp_path / "home" / "models").exists()
