"""Which document a question names, read from the corpus's own metadata: a document's aliases (corpus config),
the kind word its title ends in (条例, 纲要, 工作报告 …), a six-character run of its title, and, to break ties,
its region and year. A named document is a ranking prior, not a search keyword: the words that name it are cut
from the query. Nothing here knows any particular document."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from askplan.models import Document
from askplan.normalize import normalize

# Kinds of Chinese policy documents, longest first; a question naming one names a document of that kind.
KIND_WORDS = ("规划纲要", "行动方案", "实施方案", "工作方案", "行动计划", "实施意见", "指导意见", "工作报告",
              "若干措施", "若干政策", "实施细则", "管理办法", "纲要", "方案", "条例", "意见", "报告", "计划", "办法",
              "细则", "决定", "通知", "措施", "规定")
TITLE_RUN = 6  # characters of a title quoted in a question that name it
# Words around a document's name that only say where to look: 这个方案里, 纲要中, 该条例的.
_AROUND = r"(?:这个|这份|那个|那份|本|该|整个)?{}(?:里面|里|中|上|的)?"
ALIAS_WEIGHT, KIND_WEIGHT, RUN_WEIGHT, TIE_WEIGHT = 3.0, 2.0, 3.0, 0.5
# A question about this year, last year or next year asks about a document of one year (a work report, a 年度
# plan), not about a five-year plan or a standing regulation.
RELATIVE_YEAR = re.compile(r"今年|去年|明年|前年|本年度|上一?年度|上年|当年")
_ONE_YEAR = re.compile(r"(?:19|20)\d{2}\s*年(?!\s*\d{1,2}\s*月)")  # a year, not a date
_SPAN_OF_YEARS = re.compile(r"(?:19|20)\d{2}\s*[-—–~至到]\s*(?:19|20)?\d{2}|十[一二三四五六七八九]五")


def annual_documents(documents) -> frozenset[str]:
    """Slugs of the documents about one year: the title names one year (2026年…政府工作报告, …2025年度实施计划)
    and no span of years (2024-2026年, “十四五”)."""
    titles = ((d.slug, normalize(d.title)) for d in documents)
    return frozenset(slug for slug, t in titles if len(_ONE_YEAR.findall(t)) == 1 and not _SPAN_OF_YEARS.search(t))


# A place that issues a document: the 省/市/区 names an issuer begins with (福建省人民政府 → 福建,
# 上海市嘉定区人民政府办公室 → 上海, 嘉定). National issuers (国务院, 国家…局, 中华人民共和国…部) name no place.
_NAME = r"([^\W\d_]{2,4}?)"
_PLACE_LEVELS = re.compile(rf"^{_NAME}(省|自治区|市|自治州|州|盟)"  # 福建省, 上海市, 内蒙古自治区
                           rf"(?:(?<=[省区]){_NAME}(?:市|自治州|州|盟))?"  # a city below a province: 台州市
                           rf"(?:{_NAME}(?:区|县|旗))?")  # a district or county: 嘉定区
_COUNTY = re.compile(rf"^{_NAME}(?:县|旗)")  # an issuer that is a county's own body: 高阳县人民政府
_NATIONAL = re.compile(r"^(?:国家|国务院|中华人民共和国|中共中央|全国)")
_PARTY = re.compile(r"^(?:中共|中国共产党)")  # 中共山东省委组织部: the place follows the party's name


def document_places(documents) -> dict[str, frozenset[str]]:
    """Each document's places: its region (front matter or corpus config) and the places its issuers begin with."""
    out = {}
    for d in documents:
        places = {normalize(d.region)} if d.region else set()
        title = normalize(d.title)
        for part in re.split(r"[、，,；;\s]+", normalize(re.sub(r"[（(].*?[）)]", "", d.issuer))):
            if not part or _NATIONAL.match(part):
                continue
            part = _PARTY.sub("", part)
            if m := _PLACE_LEVELS.match(part):
                places.add(m.group(1))  # a lower level counts where the title names it too (松江区城市更新…)
                places.update(g for g in (m.group(3), m.group(4)) if g and g in title)
            elif m := _COUNTY.match(part):
                places.add(m.group(1))
        out[d.slug] = frozenset(places)
    return out


class Places:
    """The documents whose place a question names (福建去年… → the 福建 documents)."""

    def __init__(self, documents):
        self._docs: dict[str, set[str]] = {}
        for slug, places in document_places(documents).items():
            for place in places:
                self._docs.setdefault(place, set()).add(slug)

    def _in(self, norm: str) -> list[str]:
        return [place for place in self._docs if place in norm]

    def named_in(self, norm: str) -> frozenset[str]:
        return frozenset(slug for place in self._in(norm) for slug in self._docs[place])

    def strip(self, norm: str) -> str:
        """The question without the places that name documents: a place is a cue to the document (the re-ranker's
        ``place_named``), not a search keyword (洛阳地铁… matched the title lines of the 条例's preamble, where the
        place is printed, not the article that answers). Kept whole if nothing else is left."""
        return _cut(norm, self._in(norm))


@dataclass(frozen=True)
class Named:
    slug: str
    spans: tuple[str, ...]  # the normalised words that named it, to cut from the query


class DocumentNames:
    """Scores every document for a question without a pass over the documents in Python: aliases and title runs are
    looked up by the question's substrings, kind words, qualifiers, regions and years through small indexes and
    numpy masks. ``_score`` is the rule for one document; ``named_in`` returns what scoring each document with it
    would (a test checks both on the same questions)."""

    def __init__(self, documents: tuple[Document, ...]):
        titles = [normalize(d.title) for d in documents]
        places = document_places(documents)
        joined = "\0".join(titles)  # every title, for ``_distinct_aliases``
        self.docs = tuple((d, title, _distinct_aliases(d, title, joined), places[d.slug], d.date[:4])
                          for d, title in zip(documents, titles, strict=True))
        self._aliases: dict[str, set[int]] = {}
        self._grams: dict[str, list[int]] = {}  # runs of 2-4 characters (qualifiers) and TITLE_RUN (title runs)
        self._places: dict[str, list[int]] = {}  # places (region, issuers' places) and years
        for i, (_, title, aliases, where, year) in enumerate(self.docs):
            for alias in aliases:
                self._aliases.setdefault(alias, set()).add(i)
            for gram in {title[j:j + n] for n in (2, 3, 4, TITLE_RUN) for j in range(len(title) - n + 1)}:
                self._grams.setdefault(gram, []).append(i)
            for place in {*where, year} - {""}:
                self._places.setdefault(place, []).append(i)
        self._kinds = np.array([[k in title for k in KIND_WORDS] for _, title, *_ in self.docs], dtype=bool)
        self._kinds = self._kinds.reshape(len(self.docs), len(KIND_WORDS))
        self._kind_len = np.array([len(k) / 10 for k in KIND_WORDS])
        self._alias_lengths = {len(a) for a in self._aliases}

    def named_in(self, norm: str) -> Named | None:
        """The one document the question names best, or None (nothing named, or a tie)."""
        return self.read(norm)[0]

    def tied_in(self, norm: str) -> frozenset[str]:
        """The documents that share the best score when the question names none alone (条例 with two 条例 in the
        corpus): a clause number it gives is looked up among them, not in every document."""
        return self.read(norm)[1]

    def read(self, norm: str) -> tuple[Named | None, frozenset[str]]:
        """``named_in`` and ``tied_in`` from one scoring of the documents."""
        scores = self._scores(norm)
        best = scores.max(initial=0.0)
        top = np.flatnonzero(scores == best) if best > 0 else ()
        if len(top) == 1:
            _, spans = self._score(int(top[0]), norm)
            return Named(self.docs[top[0]][0].slug, tuple(spans)), frozenset()
        return None, frozenset(self.docs[i][0].slug for i in top)

    def _score(self, i: int, norm: str) -> tuple[float, list[str]]:
        """Document ``i``'s score for the question and the words that name it."""
        _, title, aliases, where, year = self.docs[i]
        score, spans = 0.0, []
        for alias in aliases:
            if alias in norm:
                score, spans = score + ALIAS_WEIGHT + len(alias) / 10, [*spans, alias]
        kind = next((k for k in KIND_WORDS if k in norm and k in title), None)
        if kind and not any(kind in a for a in spans):
            score, spans = score + KIND_WEIGHT + len(kind) / 10, [*spans, kind]
            if qualifier := _qualifier(norm, kind, title):  # 土壤意见: 土壤 is in this 意见's title
                score, spans = score + RUN_WEIGHT, [*spans, qualifier + kind]
        if run := shared_run(norm, title, TITLE_RUN):
            score, spans = score + RUN_WEIGHT, [*spans, run]
        if score and (any(place in norm for place in where) or year in norm):
            score += TIE_WEIGHT
        return score, spans

    def _scores(self, norm: str) -> np.ndarray:
        """``_score`` of every document, the same additions in the same order (so ties stay exact ties)."""
        n = len(self.docs)
        scores = np.zeros(n)
        asked = np.array([k in norm for k in KIND_WORDS])
        has = self._kinds & asked
        some, first = has.any(axis=1), has.argmax(axis=1)
        scores = scores + np.where(some, KIND_WEIGHT, 0.0) + np.where(some, self._kind_len[first], 0.0)
        qualified = np.zeros(n, dtype=bool)
        for k in np.unique(first[some]):
            for piece in _pieces(norm, KIND_WORDS[k]):
                rows = np.array(self._grams.get(piece, ()), dtype=np.int64)
                qualified[rows] |= some[rows] & (first[rows] == k)
        scores = scores + np.where(qualified, RUN_WEIGHT, 0.0)
        runs = _mask(n, self._grams, (norm[j:j + TITLE_RUN] for j in range(len(norm) - TITLE_RUN + 1)))
        scores = scores + np.where(runs, RUN_WEIGHT, 0.0)
        places = _mask(n, self._places, (place for place in self._places if place in norm))
        scores = scores + np.where((scores > 0) & places, TIE_WEIGHT, 0.0)
        for i in {i for alias in self._aliases_in(norm) for i in self._aliases[alias]}:
            scores[i] = self._score(i, norm)[0]  # a document an alias names: the rule itself (spans change kinds)
        return scores

    def _aliases_in(self, norm: str) -> set[str]:
        return {norm[j:j + m] for m in self._alias_lengths for j in range(len(norm) - m + 1)} & self._aliases.keys()

    @staticmethod
    def strip(norm: str, named: Named) -> str:
        """The question without the words that name the document (kept whole if nothing else is left)."""
        return _cut(norm, named.spans)


def _cut(norm: str, words) -> str:
    """``norm`` without ``words`` (longest first, with the demonstratives and particles around them); kept whole
    if nothing else is left."""
    out = norm
    for word in sorted(words, key=len, reverse=True):
        out = re.sub(_AROUND.format(re.escape(word)), " ", out)
    out = re.sub(r"\s+", " ", out).strip()
    return out if re.search(r"\w", out) else norm


def _distinct_aliases(document: Document, title: str, titles: str) -> tuple[str, ...]:
    """The document's aliases that no other document's title holds (``titles``: every normalised title, joined by
    NULs; ``title``: this document's). An alias written when the corpus had one 条例 or one 政府工作报告 would
    otherwise keep naming that document after a second one is added; such a word still names a document as its
    title's kind word, which then ties between the two. One pass over the titles a document with aliases: a list
    of the other titles for every document was quadratic (1 s of a start with 1,000 documents)."""
    aliases = (normalize(a) for a in document.aliases if a.strip())
    return tuple(a for a in aliases if titles.count(a) == title.count(a))


def _mask(n: int, index: dict[str, list[int]], keys) -> np.ndarray:
    """Documents listed in ``index`` under any of ``keys``."""
    mask = np.zeros(n, dtype=bool)
    for key in keys:
        if key in index:
            mask[index[key]] = True
    return mask


def _qualifier(norm: str, kind: str, title: str) -> str | None:
    """The two to four characters right before the kind word in the question, where the title holds them."""
    return next((piece for piece in _pieces(norm, kind) if piece in title), None)


def _pieces(norm: str, kind: str) -> list[str]:
    """The runs of two to four characters right before the kind word in the question, longest first."""
    at = norm.find(kind)
    before = re.sub(r"^.*(?:这个|这份|那个|那份|的|该|本)", "", norm[max(0, at - 4):at])
    return [piece for size in range(len(before), 1, -1)
            if re.fullmatch(r"[\u4e00-\u9fffa-z0-9]+", piece := before[-size:])]


def shared_run(a: str, b: str, n: int) -> str | None:
    """The longest run of ``a`` of at least ``n`` characters that occurs in ``b``."""
    best = None
    for i in range(len(a) - n + 1):
        j = i + n
        if a[i:j] not in b:
            continue
        while j < len(a) and a[i:j + 1] in b:
            j += 1
        if best is None or j - i > len(best):
            best = a[i:j]
    return best
