"""The one normalisation used for measures and queries alike: OpenCC Traditional->Simplified (phrase-aware
``t2s`` config), NFKC width folding, whitespace folding, lower-case Latin. Originals are never replaced:
callers keep the source text for display and citation."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

NORMALISER = "opencc:t2s+nfkc+ws+lower"
_WS = re.compile(r"\s+")
_SURROGATE = re.compile("[\ud800-\udfff]")
_KEPT_CONTROLS = {ord("\n"): None, ord("\t"): None}  # not printable, but kept by ``normalize``
_EDIT_MARKER = re.compile(r"\[(?:編輯|编辑)\]")


@lru_cache(maxsize=1)
def _converter(config: str = "t2s"):
    import opencc

    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Traditional -> Simplified only (no width or space folding): for display in Simplified. A lone surrogate
    (which OpenCC cannot encode) becomes U+FFFD, one character for one, so offsets still line up."""
    return _converter("t2s").convert(replace_surrogates(text))


# Simplified Chinese typography (GB/T 15834) quotes with “” and ‘’ where Traditional texts use 「」 and 『』: the
# official Simplified title of a Traditional text's 「十四五」 is “十四五”. One character for one, so offsets hold.
SIMPLIFIED_QUOTES = str.maketrans({"「": "“", "」": "”", "『": "‘", "』": "’"})


def to_simplified_display(text: str) -> str:
    """``to_simplified`` plus Simplified quotation marks: for text shown or copied in Simplified (never for
    matching, which goes through ``normalize``)."""
    return to_simplified(text).translate(SIMPLIFIED_QUOTES)


def to_traditional(text: str) -> str:
    return _converter("s2t").convert(replace_surrogates(text))


def replace_surrogates(text: str) -> str:
    """Lone surrogates (which no UTF-8 encoder accepts) as U+FFFD, one character for one."""
    return _SURROGATE.sub("\ufffd", text) if _has_surrogates(text) else text


def normalize(text: str) -> str:
    """Normalise text for matching. Idempotent; safe on any str (lone surrogates are dropped)."""
    text = text.encode("utf-8", "ignore").decode("utf-8") if _has_surrogates(text) else text
    text = unicodedata.normalize("NFKC", text)
    if not text.translate(_KEPT_CONTROLS).isprintable():  # the per-character pass only where it changes something
        text = "".join(ch if ch.isprintable() or ch in "\n\t " else " " for ch in text)
    text = to_simplified(text)
    return _WS.sub(" ", text).strip().lower()


def _has_surrogates(text: str) -> bool:
    return _SURROGATE.search(text) is not None


def strip_edit_markers(text: str) -> str:
    """Remove Wikisource ``[編輯]`` edit markers."""
    return _EDIT_MARKER.sub("", text)
