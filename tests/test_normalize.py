"""The one normalisation shared by measures and queries: t2s, width folding, whitespace folding, lower case."""

from __future__ import annotations

import pytest

from askplan.normalize import normalize, strip_edit_markers, to_simplified

SAMPLES = [
    "碳達峰",
    "(責任單位:省發展改革委、省商務廳等)",
    "ＡＢＣ１２３（二十五）：",
    "  a \u3000\n\t b  ",
    "RCEP 與 5G＋工業互聯網",
    "「兩高」項目",
]


@pytest.mark.parametrize(("traditional", "simplified"), [
    ("碳達峰", "碳达峰"),
    ("發展改革委", "发展改革委"),
    ("推進碳達峰碳中和。", "推进碳达峰碳中和。"),
    ("(責任單位:省商務廳)", "(责任单位:省商务厅)"),
])
def test_traditional_to_simplified(traditional: str, simplified: str) -> None:
    assert normalize(traditional) == simplified


def test_to_simplified_keeps_width_and_spaces() -> None:
    assert to_simplified("ＡＢ  碳達峰") == "ＡＢ  碳达峰"


def test_full_width_folds_to_half_width_and_lower_case() -> None:
    assert normalize("ＡＢＣ１２３（二十五）：") == "abc123(二十五):"


def test_whitespace_folds_to_single_spaces() -> None:
    assert normalize("  a \u3000\n\t b  ") == "a b"


@pytest.mark.parametrize("text", SAMPLES)
def test_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@pytest.mark.parametrize(("text", "expected"), [
    ("a\ud800b", "ab"),  # lone surrogate dropped
    ("x\x00y\x07z", "x y z"),  # control characters become spaces
    ("\u200b零宽", "零宽"),
    ("", ""),
])
def test_odd_characters_do_not_raise(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("一、總體要求[編輯]", "一、總體要求"),
    ("(一)指導思想。[编辑]", "(一)指導思想。"),
    ("見[1]和[編 輯]", "見[1]和[編 輯]"),  # only the exact Wikisource markers go
])
def test_strip_edit_markers(text: str, expected: str) -> None:
    assert strip_edit_markers(text) == expected


def test_a_lone_surrogate_does_not_break_folding():
    from askplan.checker.text import fold_aligned
    from askplan.normalize import to_simplified

    assert to_simplified("\ud800abc") == "\ufffdabc"
    assert len(fold_aligned("\ud800推進")) == 3


def test_simplified_display_uses_simplified_quotation_marks() -> None:
    from askplan.normalize import to_simplified_display

    title = "安徽省實施長三角一體化發展規劃「十四五」行動方案"
    assert to_simplified_display(title) == "安徽省实施长三角一体化发展规划“十四五”行动方案"
    assert to_simplified_display("「甲『乙』丙」") == "“甲‘乙’丙”"
    assert len(to_simplified_display(title)) == len(title)  # one for one: highlight offsets still hold
