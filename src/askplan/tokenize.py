"""Tokenisers for the lexical legs, applied to already-normalised text (see ``askplan.normalize``):
jieba words and CJK character bigrams. Both drop punctuation and question words."""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

from askplan.files import write_atomic

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9][a-z0-9.%+]*")
_PUNCT = re.compile(r"^[\W_]+$")
STOPWORDS = frozenset(
    ["的", "了", "是", "在", "和", "与", "及", "等", "吗", "呢", "吧", "啊", "哪", "哪个", "哪些", "哪条", "哪一条", "什么", "啥", "谁", "怎么", "怎样", "如何", "多少", "几", "几个", "有", "有没有", "要", "我", "我们", "你", "请问", "一下", "这个", "那个", "里", "中", "对", "把", "被", "也", "都", "还", "就", "又", "能", "会", "可以", "为", "以", "之", "其", "个", "条", "项", "吗？"]
)
_BIGRAM_STOP = frozenset({"什么", "哪个", "哪些", "哪条", "怎么", "多少", "如何", "请问", "一下", "有没", "没有"})


_cache_dir: list[str] = []  # where the compiled dictionary is kept; the system temp folder when unset


def use_cache_dir(path) -> None:
    """Keep jieba's compiled dictionary under askplan's home (``ASKPLAN_HOME/cache``) instead of the system temp
    folder, which many machines clear on reboot. Only effective before the first segmentation."""
    _cache_dir[:] = [str(path)]


class TrieFreq:
    """jieba's word-frequency dict (~500k words and prefixes) as a memory-mapped marisa trie. Loading jieba's own
    cache unmarshals the whole dict, ~0.7 s of every cold start on this machine; mapping the trie takes under a
    millisecond. It answers exactly the lookups jieba's segmenter makes (``in``, ``[]``, ``get``), so words are
    segmented identically (``tests/test_tokenize.py``)."""

    def __init__(self, trie, total: int):
        self._trie, self.total = trie, total

    def __contains__(self, word: str) -> bool:
        return word in self._trie

    def __getitem__(self, word: str) -> int:
        return self._trie[word][0][0]

    def get(self, word: str, default=None):
        hit = self._trie.get(word)
        return hit[0][0] if hit else default


def _dictionary_path(jieba, cache_dir: Path) -> Path:
    """The trie's file: keyed by jieba's version and its dictionary file, so an upgrade compiles afresh."""
    import hashlib

    dict_file = Path(jieba.__file__).parent / "dict.txt"
    stat = dict_file.stat()
    key = hashlib.sha256(f"{jieba.__version__}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    return cache_dir / f"jieba-{key}.marisa"


def _load_trie(jieba, cache_dir: Path) -> TrieFreq:
    """Map the compiled trie, compiling it from jieba's dictionary first if absent. Beside it a small file keeps
    the dictionary's total frequency; the trie is written last, so its presence means both are complete."""
    import marisa_trie

    path = _dictionary_path(jieba, cache_dir)
    total_file = path.with_suffix(".total")
    try:
        total = int(total_file.read_text(encoding="ascii"))
        return TrieFreq(marisa_trie.RecordTrie("<Q").mmap(str(path)), total)
    except (OSError, ValueError, RuntimeError):
        pass
    jieba.dt.tmp_dir = str(cache_dir)
    jieba.dt.initialize()  # jieba's own dict (built, or read from its cache)
    trie = marisa_trie.RecordTrie("<Q", ((word, (freq,)) for word, freq in jieba.dt.FREQ.items()))
    try:
        write_atomic(total_file, lambda tmp: Path(tmp).write_text(str(jieba.dt.total), encoding="ascii"))
        write_atomic(path, trie.save)
    except OSError as exc:
        logging.getLogger(__name__).debug("cannot cache the jieba dictionary in %s: %s", cache_dir, exc)
    return TrieFreq(trie, jieba.dt.total)


@lru_cache(maxsize=1)
def _jieba():
    """A jieba segmenter whose dictionary is the memory-mapped trie when ``use_cache_dir`` was called (and
    writable), jieba's default dict otherwise."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    if not _cache_dir:
        jieba.initialize()
        return jieba.dt
    cache_dir = Path(_cache_dir[0])
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError:
        jieba.initialize()
        return jieba.dt
    freq = _load_trie(jieba, cache_dir)
    segmenter = jieba.Tokenizer()
    segmenter.FREQ, segmenter.total, segmenter.initialized = freq, freq.total, True
    return segmenter


def words(text: str) -> list[str]:
    """jieba search-mode words of normalised text, punctuation and stopwords removed."""
    out = []
    for tok in _jieba().cut_for_search(text):
        tok = tok.strip()
        if tok and tok not in STOPWORDS and not _PUNCT.match(tok):
            out.append(tok)
    return out


def bigrams(text: str) -> list[str]:
    """Overlapping CJK character bigrams (single characters for one-character runs) and Latin/number tokens."""
    out = []
    for run in _CJK_RUN.findall(text):
        if not "\u4e00" <= run[0] <= "\u9fff" or len(run) == 1:
            out.append(run)
        else:
            out.extend(b for b in (run[i : i + 2] for i in range(len(run) - 1)) if b not in _BIGRAM_STOP)
    return out


def pinyin_bigrams(text: str) -> list[str]:
    """Bigrams of toneless pinyin syllables of each CJK run: a homophone typo (炭中和, 皖比) still matches."""
    from pypinyin import lazy_pinyin

    out = []
    for run in _CJK_RUN.findall(text):
        if not "\u4e00" <= run[0] <= "\u9fff":
            continue
        syllables = lazy_pinyin(run)
        out.extend(f"{a}_{b}" for a, b in zip(syllables, syllables[1:], strict=False))
    return out
