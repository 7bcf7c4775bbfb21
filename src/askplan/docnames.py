"""Which document a question names, read from the corpus's own metadata: a document's aliases (corpus config),
the kind word its title ends in (条例, 纲要, 工作报告 …), a six-character run of its title, and, to break ties,
its region and year. A named document is a ranking prior, not a search keyword: the words that name it are cut
from the query. Nothing here knows any particular document."""

from __future__ import annotations

import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Named:
    slug: str
    spans: tuple[str, ...]  # the normalised words that named it, to cut from the query


class DocumentNames:
    def __init__(self, documents: tuple[Document, ...]):
        self.docs = tuple((d, normalize(d.title), tuple(normalize(a) for a in d.aliases if a.strip()),
                           normalize(d.region) if d.region else "", d.date[:4]) for d in documents)

    def named_in(self, norm: str) -> Named | None:
        """The one document the question names best, or None (nothing named, or a tie)."""
        scored = []
        for doc, title, aliases, region, year in self.docs:
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
            if score and ((region and region in norm) or year in norm):
                score += TIE_WEIGHT
            if score:
                scored.append((score, doc.slug, tuple(spans)))
        if not scored:
            return None
        scored.sort(key=lambda s: (-s[0], s[1]))
        if len(scored) > 1 and scored[1][0] == scored[0][0]:
            return None
        return Named(scored[0][1], scored[0][2])

    @staticmethod
    def strip(norm: str, named: Named) -> str:
        """The question without the words that name the document (kept whole if nothing else is left)."""
        out = norm
        for span in sorted(named.spans, key=len, reverse=True):
            out = re.sub(_AROUND.format(re.escape(span)), " ", out)
        out = re.sub(r"\s+", " ", out).strip()
        return out if re.search(r"\w", out) else norm


def _qualifier(norm: str, kind: str, title: str) -> str | None:
    """The two to four characters right before the kind word in the question, where the title holds them."""
    at = norm.find(kind)
    before = re.sub(r"^.*(?:这个|这份|那个|那份|的|该|本)", "", norm[max(0, at - 4):at])
    for size in range(len(before), 1, -1):
        piece = before[-size:]
        if re.fullmatch(r"[\u4e00-\u9fffa-z0-9]+", piece) and piece in title:
            return piece
    return None


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
