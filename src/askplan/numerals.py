"""Chinese numerals as they appear in clause labels: 一 … 九十九, 一百零一, with 〇/零 and 两."""

from __future__ import annotations

import unicodedata

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
NUMERAL_CHARS = "".join(_DIGITS) + "十百"
NUMERAL_RUN = rf"[{NUMERAL_CHARS}0-9]{{1,5}}"  # regex for a clause number as typed: 二十五, 25


def parse_cn_numeral(text: str) -> int:
    """Parse a Chinese (or Arabic) numeral such as ``二十五``, ``十``, ``一百零五``, ``三〇`` or ``25``.

    Raises ValueError on anything that is not a well-formed numeral.
    """
    s = unicodedata.normalize("NFKC", text).strip()
    if not s:
        raise ValueError("empty numeral")
    if s.isascii() and s.isdigit():
        return int(s)
    if any(ch not in NUMERAL_CHARS for ch in s):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    if "十" not in s and "百" not in s:
        if len(s) == 1:
            return _DIGITS[s]
        if s[0] in "〇零":
            raise ValueError(f"leading zero in numeral: {text!r}")
        return int("".join(str(_DIGITS[ch]) for ch in s))  # positional, e.g. 二〇二五
    if "百" not in s:
        return _tens(s, text, implicit_one=True)
    head, _, rest = s.partition("百")
    total = _nonzero_digit(head, text) * 100
    if not rest:
        return total
    if rest[0] in "〇零":
        return total + _nonzero_digit(rest[1:], text)
    return total + _tens(rest, text, implicit_one=False)


def _nonzero_digit(s: str, original: str) -> int:
    if len(s) != 1 or s not in _DIGITS or _DIGITS[s] == 0:
        raise ValueError(f"malformed numeral: {original!r}")
    return _DIGITS[s]


def _tens(s: str, original: str, *, implicit_one: bool) -> int:
    tens, sep, units = s.partition("十")
    if not sep:
        raise ValueError(f"malformed numeral: {original!r}")
    value = 10 if not tens and implicit_one else _nonzero_digit(tens, original) * 10
    return value + (_nonzero_digit(units, original) if units else 0)


def to_cn_numeral(n: int) -> str:
    """1..999 back to the form used in labels (25 -> 二十五, 10 -> 十, 105 -> 一百零五)."""
    if not 0 < n < 1000:
        raise ValueError(f"out of range for a clause label: {n}")
    digits = "零一二三四五六七八九"
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    out = digits[hundreds] + "百" if hundreds else ""
    if tens:
        out += ("一" if hundreds else "") + "十" if tens == 1 else digits[tens] + "十"
    elif hundreds and units:
        out += "零"
    if units:
        out += digits[units]
    return out
