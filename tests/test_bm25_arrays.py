"""The BM25 arrays read without bm25s give what bm25s itself reads from the same files: vocabulary, score
matrix, and every document's score for a query (the legs' ranking rests on it)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from askplan.index import layout
from askplan.index.store import LEXICAL, Bm25Arrays
from askplan.normalize import normalize


@pytest.mark.parametrize("mmap", [True, False])
def test_the_arrays_score_like_bm25s(hash_service, hash_settings, mmap):
    import bm25s

    store = layout.resolve(hash_settings.index_dir)
    query = normalize("推进碳达峰碳中和 工业互联网平台 皖北振兴")
    for name, tokenize in LEXICAL.items():
        ours = Bm25Arrays(store / name, mmap=mmap)
        theirs = bm25s.BM25.load(str(store / name), mmap=mmap, show_progress=False)
        assert ours.vocab_dict == theirs.vocab_dict and ours.dtype == theirs.dtype
        assert ours.scores["num_docs"] == theirs.scores["num_docs"] == len(hash_service.corpus.measures)
        tokens = [t for t in tokenize(query) if t in ours.vocab_dict]
        assert tokens, name
        assert ours.get_tokens_ids(tokens) == theirs.get_tokens_ids(tokens)
        assert np.array_equal(ours.get_scores(tokens), theirs.get_scores(tokens))


def test_answering_imports_neither_bm25s_nor_scipy(hash_service, hash_settings):
    """A fresh process that loads the index and answers stays clear of bm25s and the scipy.sparse it imports."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from askplan.config import Settings\n"
        "from askplan.service import AskplanService\n"
        f"s = AskplanService(Settings(corpus_dir=Path({str(hash_settings.corpus_dir)!r}), "
        f"index_dir=Path({str(hash_settings.index_dir)!r}), model='hash-bigram-64'))\n"
        "assert s.ask('谁牵头碳达峰工作').hits\n"
        "print(sorted(m for m in ('bm25s', 'scipy') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_indexing_token_ids_scores_as_indexing_token_lists(corpus, tmp_path):
    """The build gives bm25s each measure's token ids (store.token_ids) instead of its token lists: every
    measure's score for every question of a set is the same as from the lists, on every leg."""
    import json

    import bm25s

    from askplan.config import REPO_ROOT
    from askplan.index.store import bm25_scores, lexical_text, token_ids

    texts = [lexical_text(m) for m in corpus.measures]
    lines = (REPO_ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [normalize(json.loads(line)["question"]) for line in lines if line.strip()][:60]
    for name, tokenize in LEXICAL.items():
        built = {}
        for how, corpus_form in (("lists", [tokenize(t) for t in texts]),
                                 ("ids", token_ids(tokenize(t) for t in texts))):
            bm = bm25s.BM25()
            bm.index(corpus_form, show_progress=False)
            bm.save(str(tmp_path / f"{name}-{how}"), show_progress=False)
            built[how] = Bm25Arrays(tmp_path / f"{name}-{how}", mmap=False)
        assert set(built["ids"].vocab_dict) == set(built["lists"].vocab_dict)
        for q in questions:
            tokens = [t for t in tokenize(q) if t in built["lists"].vocab_dict]
            if tokens:
                assert np.array_equal(bm25_scores(built["ids"], tokens), bm25_scores(built["lists"], tokens)), q


def test_the_lean_build_writes_bm25s_own_arrays(corpus, tmp_path):
    """``LeanBM25`` (the build's) and bm25s's own build give the same CSC arrays, dtypes and vocabulary for every
    leg, and the same saved files."""
    import bm25s

    from askplan.index.bm25_build import LeanBM25
    from askplan.index.store import lexical_text, token_ids

    texts = [lexical_text(m) for m in corpus.measures]
    texts += ["", texts[0] + texts[0]]  # an empty document and one with every token twice
    for name, tokenize in LEXICAL.items():
        built = {}
        for kind in (bm25s.BM25, LeanBM25):
            bm = kind()
            bm.index(token_ids(tokenize(t) for t in texts), show_progress=False)
            bm.save(str(tmp_path / kind.__name__ / name), show_progress=False)
            built[kind] = bm
        theirs, ours = built[bm25s.BM25], built[LeanBM25]
        assert ours.vocab_dict == theirs.vocab_dict
        for key in ("data", "indices", "indptr"):
            assert ours.scores[key].dtype == theirs.scores[key].dtype, (name, key)
            assert np.array_equal(ours.scores[key], theirs.scores[key]), (name, key)
        for file in sorted((tmp_path / "BM25" / name).iterdir()):
            assert file.read_bytes() == (tmp_path / "LeanBM25" / name / file.name).read_bytes(), (name, file.name)
