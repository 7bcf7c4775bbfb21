"""Tokenisers for the lexical legs, applied to already-normalised text (see ``askplan.normalize``):
jieba words and CJK character bigrams. Both drop punctuation and question words."""

from __future__ import annotations

import logging
import re
from functools import lru_cache

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9][a-z0-9.%+]*")
_PUNCT = re.compile(r"^[\W_]+$")
STOPWORDS = frozenset(
    ["的", "了", "是", "在", "和", "与", "及", "等", "吗", "呢", "吧", "啊", "哪", "哪个", "哪些", "哪条", "哪一条", "什么", "啥", "谁", "怎么", "怎样", "如何", "多少", "几", "几个", "有", "有没有", "要", "我", "我们", "你", "请问", "一下", "这个", "那个", "里", "中", "对", "把", "被", "也", "都", "还", "就", "又", "能", "会", "可以", "为", "以", "之", "其", "个", "条", "项", "吗？"]
)
_BIGRAM_STOP = frozenset({"什么", "哪个", "哪些", "哪条", "怎么", "多少", "如何", "请问", "一下", "有没", "没有"})


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


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
