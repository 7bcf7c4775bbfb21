"""Chinese numerals of clause labels: one parser that raises on anything malformed, and its inverse."""

from __future__ import annotations

import pytest

from askplan.numerals import parse_cn_numeral, to_cn_numeral

GOOD = [
    ("一", 1),
    ("十", 10),
    ("十一", 11),
    ("二十", 20),
    ("二十五", 25),
    ("三十六", 36),
    ("九十九", 99),
    ("一百", 100),
    ("一百零五", 105),
    ("一百一十", 110),
    ("一百二十", 120),
    ("两", 2),
    ("兩", 2),
    ("〇", 0),
    ("零", 0),
    ("二〇二五", 2025),
    ("25", 25),
    (" 十二 ", 12),
]

BAD = ["", "  ", "十十", "百", "零五", "abc", "二二十", "一百零", "十零", "十一百", "一千", "-1"]


@pytest.mark.parametrize(("text", "value"), GOOD, ids=[t.strip() or "blank" for t, _ in GOOD])
def test_parse_good(text: str, value: int) -> None:
    assert parse_cn_numeral(text) == value


@pytest.mark.parametrize("text", BAD, ids=[repr(t) for t in BAD])
def test_parse_bad_raises(text: str) -> None:
    with pytest.raises(ValueError):
        parse_cn_numeral(text)


@pytest.mark.parametrize(("value", "text"), [(1, "一"), (10, "十"), (25, "二十五"), (100, "一百"),
                                             (105, "一百零五"), (110, "一百一十"), (999, "九百九十九")])
def test_to_cn_numeral_forms(value: int, text: str) -> None:
    assert to_cn_numeral(value) == text


def test_round_trip_1_to_999() -> None:
    assert [parse_cn_numeral(to_cn_numeral(n)) for n in range(1, 1000)] == list(range(1, 1000))


@pytest.mark.parametrize("value", [0, 1000, -1])
def test_to_cn_numeral_out_of_range(value: int) -> None:
    with pytest.raises(ValueError):
        to_cn_numeral(value)
