"""Generic features of a (question, top clause, legs) triple for the learned answerability scorer. None of
them names a phrase, a topic or a document: they measure how much of the question the clause holds (words
weighted by rarity, character bigrams, pinyin for typos) and how sure and how unanimous the retrieval legs are."""

from __future__ import annotations

import hashlib
import json
import logging
import math
from functools import lru_cache
from pathlib import Path

from askplan.docnames import KIND_WORDS
from askplan.files import write_atomic
from askplan.models import Measure, normalized
from askplan.normalize import NORMALISER, normalize
from askplan.tokenize import bigrams, pinyin_bigrams, words

log = logging.getLogger(__name__)

FEATURES = ("dense_top", "dense_gap", "word_cov", "pinyin_cov", "sentence_cov", "legs_rr", "rare_missing", "length")
LEXICAL_LEGS = ("bm25_words", "bm25_bigrams")
# Words that say what kind of text or statement is meant, not what it is about (方案, 规定, 有关 …).
GENERIC_WORDS = frozenset(KIND_WORDS) | {"文件", "政策", "规划", "内容", "有关", "相关", "关于", "提到", "提及", "涉及",
                                         "具体", "规定", "主要", "要求"}


@lru_cache(maxsize=4096)
def pinyin_string(text: str) -> str:
    """Toneless pinyin syllables of a normalised text, each followed by "_": substring tests stay on syllables."""
    from pypinyin import lazy_pinyin

    return "_" + "_".join(lazy_pinyin(text)) + "_"


def warm(measure: Measure) -> None:
    """A measure's pinyin, before any question meets it (``AskplanService.warm_up``)."""
    pinyin_string(measure.norm)


def document_frequencies(measures: tuple[Measure, ...], cache_dir: Path | None = None, *,
                         fingerprint: str | None = None) -> dict[str, int]:
    """How many measures hold each jieba word. Counting means segmenting every measure (~0.7 s for 334 on this
    machine, paid by every cold ``ask``), so with ``cache_dir`` the counts are kept in a file keyed by what
    determines the measures' normalised texts and by the package version: any change to them counts afresh.
    ``fingerprint``: the corpus's (``Corpus.fingerprint``: its files and how they were cut), which with the code
    stamp of the parse cache determines every title and text; without it, they are hashed one by one (1.2 s of a
    start at 1,000,000 measures)."""
    if cache_dir is None:
        return _count(measures)
    from askplan import __version__
    from askplan.corpus.parse_cache import code_stamp

    digest = hashlib.sha256(f"{__version__}\0{NORMALISER}\0".encode())
    if fingerprint is not None:
        digest.update(code_stamp() + fingerprint.encode())
    else:
        for m in measures:  # a measure at a time: one joined string was a copy of the corpus's text
            digest.update(f"\0{m.title}\0{m.text}".encode())
    key = digest.hexdigest()[:20]
    path = Path(cache_dir) / f"word-df-{key}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    df = _count(measures)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, lambda tmp: Path(tmp).write_text(json.dumps(df, ensure_ascii=False), encoding="utf-8"))
    except OSError as exc:  # a read-only home only costs speed
        log.debug("cannot cache word counts in %s: %s", cache_dir, exc)
    return df


def _count(measures: tuple[Measure, ...]) -> dict[str, int]:
    """The counts of ``document_frequencies``, a slice of measures per core on a large corpus (160 s of one core
    at 100,000 measures)."""
    from askplan.parallel import map_slices

    words("预热")  # the dictionary is loaded before any worker forks, not once in each
    df: dict[str, int] = {}
    for part in map_slices(_count_slice, measures):
        for w, n in part.items():
            df[w] = df.get(w, 0) + n
    return df


def _count_slice(measures) -> dict[str, int]:
    df: dict[str, int] = {}
    for m in measures:
        for w in set(words(normalized(m.title, m.text))):
            df[w] = df.get(w, 0) + 1
    return df


class FeatureMaker:
    def __init__(self, measures: tuple[Measure, ...], df: dict[str, int] | None = None):
        self.n = len(measures)
        self.df = df if df is not None else _count(measures)

    def idf(self, word: str) -> float:
        return math.log((self.n + 1) / (self.df.get(word, 0) + 0.5))

    def __call__(self, topic: str, measure: Measure, sentence: str | None, row: int, legs: dict) -> dict[str, float]:
        """``topic`` normalised; ``legs`` the retrieval legs (name -> LegResult) of the question."""
        text = measure.norm
        ws = list(dict.fromkeys(w for w in words(topic) if len(w) >= 2))
        found = [w for w in ws if self._holds(text, w)]
        grams = set(bigrams(topic))
        dense = legs.get("dense")
        scores = dense.scores if dense is not None and dense.scores else [0.0]
        mine = dense.scores[dense.rows.index(row)] if dense is not None and row in dense.rows else scores[-1]
        rest = scores[1:10] or scores
        missing = [self.idf(w) for w in ws if w not in found]
        rr = [1.0 / (legs[name].rows.index(row) + 1) if name in legs and row in legs[name].rows else 0.0
              for name in (*LEXICAL_LEGS, "dense")]
        return {
            "dense_top": float(mine),
            "dense_gap": float(mine - sum(rest) / len(rest)),
            "word_cov": self._idf_share(ws, found),
            "pinyin_cov": _pinyin_cov(topic, text),
            "sentence_cov": len(grams & set(bigrams(normalize(sentence or "")))) / len(grams) if grams else 0.0,
            "legs_rr": sum(rr) / len(rr),
            "rare_missing": max(missing, default=0.0) / math.log(self.n + 1),
            "length": math.log1p(len(grams)),
        }

    def word_coverage(self, topic: str, text: str) -> float:
        """IDF-weighted share of the topic's content words (two characters or more) found in the text."""
        ws = list(dict.fromkeys(w for w in words(topic) if len(w) >= 2 and w not in GENERIC_WORDS))
        return self._idf_share(ws, [w for w in ws if w in text])

    def _idf_share(self, ws: list[str], found: list[str]) -> float:
        total = sum(self.idf(w) for w in ws)
        return sum(self.idf(w) for w in found) / total if total else 1.0

    @staticmethod
    def _holds(text: str, word: str) -> bool:
        """The word is in the text, or a homophone of it is (炭达峰 for 碳达峰)."""
        return word in text or (len(word) >= 2 and pinyin_string(word) in pinyin_string(text))


def _pinyin_cov(topic: str, text: str) -> float:
    grams = set(pinyin_bigrams(topic))
    if not grams:
        return 0.0
    have = pinyin_string(text)
    return sum(1 for g in grams if f"_{g}_" in have) / len(grams)
