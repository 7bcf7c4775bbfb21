"""Gold passages marked by verbatim quotes, resolved to measure ids against whatever corpus is loaded, so a
question set works with any chunking. A quote in a heading that has no text of its own (6.4.2　有下列行为之一的，…
over its items （1）…) resolves to the first measure under it, which carries the heading in its chapter path. A
quote found in a document's file but in no measure resolves to ``<slug>/?unparsed``: text the parser lost can
never be retrieved, and counts as a miss."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from askplan.corpus import Corpus
from askplan.errors import AskplanError
from askplan.normalize import normalize, strip_edit_markers

UNPARSED = "?unparsed"


def _key(text: str) -> str:
    return re.sub(r"\s+", "", normalize(strip_edit_markers(text)))


class QuoteResolver:
    def __init__(self, corpus: Corpus):
        self.corpus = corpus
        # label + title + text, and label + text for a measure whose text repeats its title (3.关爱儿童方面。…)
        self._measures = [(m.id, m.doc, _key(f"{m.label}{m.title}\n{m.text}") + "\0" + _key(f"{m.label}{m.text}"))
                          for m in corpus.measures]
        self._chapters = [(m.id, m.doc, _key("\n".join(m.chapter))) for m in corpus.measures]  # in reading order
        self._files = {d.slug: d.path for d in corpus.documents}

    def resolve(self, quote: str, doc: str | None) -> str:
        """The id of the measure holding ``quote`` (in ``doc`` if given); AskplanError if no file holds it."""
        key = _key(quote)
        if not key:
            raise AskplanError(f"empty quote {quote!r}")
        for mid, slug, text in self._measures:
            if (doc is None or slug == doc) and key in text:
                return mid
        for mid, slug, chapter in self._chapters:  # a heading's own words: the first measure under it
            if (doc is None or slug == doc) and key in chapter:
                return mid
        for slug, path in self._files.items():
            if (doc is None or slug == doc) and key in _file_key(path):
                return f"{slug}/{UNPARSED}"
        where = f"document {doc!r}" if doc else "any document"
        if doc and doc not in self._files:
            raise AskplanError(f"the question set needs document {doc!r}, which is not in {self.corpus.root}; "
                               "pass --corpus with the folder that holds it")
        raise AskplanError(f"quote {quote[:30]!r} is not in {where}; fix the question set")


@lru_cache(maxsize=64)
def _file_key(path: str) -> str:
    return _key(Path(path).read_text(encoding="utf-8"))
