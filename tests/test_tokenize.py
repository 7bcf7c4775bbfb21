"""The memory-mapped jieba dictionary must segment exactly as jieba's own does."""

from __future__ import annotations

import logging

import jieba
import pytest

from askplan import tokenize
from askplan.normalize import normalize


@pytest.fixture(scope="module")
def trie_segmenter(tmp_path_factory):
    tokenize._jieba.cache_clear()
    saved = list(tokenize._cache_dir)
    tokenize.use_cache_dir(tmp_path_factory.mktemp("cache"))
    try:
        yield tokenize._jieba()
    finally:
        tokenize._cache_dir[:] = saved
        tokenize._jieba.cache_clear()


def test_trie_is_cached_and_reloaded(trie_segmenter, tmp_path) -> None:
    assert isinstance(trie_segmenter.FREQ, tokenize.TrieFreq)
    files = list(tokenize.Path(tokenize._cache_dir[0] if tokenize._cache_dir else tmp_path).glob("jieba-*.marisa"))
    assert len(files) == 1 and not list(files[0].parent.glob("*.tmp"))
    again = tokenize._load_trie(jieba, files[0].parent)  # the second load maps the saved file
    assert (files[0].with_suffix(".total")).is_file()
    assert again.total == trie_segmenter.total > 0
    assert again.get("碳达峰") == trie_segmenter.FREQ.get("碳达峰")


def test_same_words_as_jieba_on_the_corpus(trie_segmenter, corpus) -> None:
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    texts = [m.norm for m in corpus.measures] + [normalize(q) for q in (
        "谁牵头碳达峰工作?", "皖北振兴是哪一条", "临港新片区跨境数据怎么管", "炭达峰", "RCEP原产地规则")]
    for text in texts:
        assert list(trie_segmenter.cut_for_search(text)) == list(jieba.dt.cut_for_search(text)), text


def test_lookups_match_the_dict(trie_segmenter) -> None:
    jieba.initialize()
    freq = trie_segmenter.FREQ
    for word in ("长三角", "长", "一体化发展", "不存在的词语xyz", ""):
        assert (word in freq) == (word in jieba.dt.FREQ)
        assert freq.get(word) == jieba.dt.FREQ.get(word)
    assert freq.total == jieba.dt.total


def test_unwritable_cache_falls_back_to_jieba(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    tokenize._jieba.cache_clear()
    saved = list(tokenize._cache_dir)
    tokenize.use_cache_dir(blocker / "cache")
    try:
        segmenter = tokenize._jieba()
        assert segmenter is jieba.dt
        assert tokenize.words("推进碳达峰") == ["推进", "碳达峰"]
    finally:
        tokenize._cache_dir[:] = saved
        tokenize._jieba.cache_clear()
