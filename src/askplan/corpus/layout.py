"""Structure patterns of Chinese official documents, in one named, ordered table.

Each line of a body is tried against ``HEADING_PATTERNS`` in order; the first match decides what the line is.
``rank`` orders the levels (smaller = higher): a heading closes every open heading of the same or a lower
level. Articles (第X条) are terminal: inside an article, （一）/1. lines are its items, not headings.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from askplan.normalize import strip_edit_markers
from askplan.numerals import NUMERAL_CHARS, parse_cn_numeral

_N = f"[{NUMERAL_CHARS}]{{1,5}}"


@dataclass(frozen=True)
class Pattern:
    kind: str
    rank: int
    regex: re.Pattern[str]
    example: str


HEADING_PATTERNS: tuple[Pattern, ...] = (
    Pattern("annex", 0, re.compile(r"^(附件\s*(\d*))\s*(?:[:：]|(?<=\d)[.．、](?!\d))?\s*(.*)$"), "附件:重點工作清單"),
    Pattern("part", 1, re.compile(rf"^(第({_N})[编編])[\s\u3000]*(.*)$"), "第一编 总则"),
    Pattern("zhang", 2, re.compile(rf"^(第({_N})章)[\s\u3000]*(.*)$"), "第三章　推动形成区域协调发展新格局"),
    Pattern("jie", 3, re.compile(rf"^(第({_N})[节節])[\s\u3000]*(.*)$"), "第一节　发展基础"),
    Pattern("article", 9, re.compile(rf"^(第({_N})[条條])[\s\u3000]*(.*)$"), "第十二条 本市有关行政机关可以……"),
    Pattern("cn_chapter", 4, re.compile(rf"^(({_N})、)(.*)$"), "七、共同建設綠色美麗長三角"),
    Pattern("cn_paren", 5, re.compile(rf"^([（(]({_N})[）)])(.*)$"), "(二十五)推進碳達峰碳中和。"),
    Pattern("box", 6, re.compile(r"^((?:专栏|專欄)\s*(\d{1,3}))[\s\u3000:：]*(.*)$"), "专栏1  工业互联网网络互联互通工程"),
    Pattern("arabic", 6, re.compile(r"^((\d{1,3})\s*[.．﹒、](?!\d))\s*(.*)$"), "13﹒开展工业互联网新模式推广。"),
    Pattern("arabic_paren", 7, re.compile(r"^([（(](\d{1,3})[）)])(.*)$"), "（1）加强组织领导"),
    # Decimal sections (an 应急预案, a 标准): 1　总则 / 1.1　编制目的 / 1.2.1　国家级…, the number apart from its title by
    # a space. A bare top-level number needs a short title alone on its line (not 2025 年…, not a table row).
    Pattern("section", 4, re.compile(r"^((\d{1,2}))[ \u3000]+((?![年月日号时点个万亿元岁])[\u4e00-\u9fff]{2,20})$"), "1　总则"),
    Pattern("section2", 5, re.compile(r"^((?:\d{1,2}[.．])(\d{1,2}))[ \u3000]+(\S.*)$"), "1.1　编制目的及依据"),
    Pattern("section3", 6, re.compile(r"^((?:\d{1,2}[.．]){2}(\d{1,2}))[ \u3000]+(\S.*)$"), "2.1.1　国家粮食应急工作指挥部"),
    # A 答记者问 or 政策解读: each question with its answer is one measure, numbered in order (the text prints no
    # number); like an article, what its answer enumerates stays inside it.
    Pattern("question", 9, re.compile(r"^((?:问|問)()\s*[:：])\s*(.*)$"), "问：公开征求意见及吸收情况如何？"),
)
TERMINAL_KINDS = {"article", "question"}
KINDS_INSIDE_TERMINAL = {"annex", "part", "zhang", "jie", "article", "question"}
HEADING_ONLY_MAX = 40
_MD_HEADING = re.compile(r"^#{1,6}\s*")
_OWNER_CUE = re.compile(r"责任单位|責任單位|牵头|牽頭|负责|負責")
_LEAD_WS = re.compile(r"^[\s\u3000\ufeff]+")


@dataclass(frozen=True)
class Line:
    number: int  # 1-based line number in the file
    start: int  # offset of the first non-blank character in the file
    end: int  # offset just past the last non-blank character
    content: str  # the raw content between start and end (edit markers still in)
    markdown: bool = False

    @property
    def clean(self) -> str:
        return strip_edit_markers(self.content).strip()


@dataclass(frozen=True)
class Heading:
    kind: str
    rank: int
    number: int | None
    label: str
    title: str
    line: Line
    body_start: int | None  # offset where text on the heading line itself starts, if the line carries a body


def split_lines(text: str, offset: int, first_line: int) -> list[Line]:
    """Non-blank lines of ``text`` (which starts at ``offset`` in the file) with exact offsets."""
    lines, pos = [], 0
    for i, raw in enumerate(text.splitlines(keepends=True)):
        body = raw.rstrip("\r\n")
        lead = _LEAD_WS.match(body)
        skip = lead.end() if lead else 0
        stripped = body[skip:].rstrip()
        md = _MD_HEADING.match(stripped)
        if md:
            skip, stripped = skip + md.end(), stripped[md.end():]
        if strip_edit_markers(stripped).strip():
            start = offset + pos + skip
            line = Line(first_line + i, start, start + len(stripped), stripped, bool(md))
            lines.extend(run_together(line) if len(stripped) >= RUN_TOGETHER_CHARS else (line,))
        pos += len(raw)
    return lines


# A body printed as one line (a web page scraped without its line breaks: 一、总体要求（一）指导思想。…（二）基本原则。…)
# is cut before each heading it runs together. No paragraph of a laid-out text in any corpus here reaches 1,200
# characters; the run-together bodies are 4,900 and more.
RUN_TOGETHER_CHARS = 3000
_INLINE_MARKERS = (
    ("zhang", re.compile(rf"第({_N})章")),
    ("article", re.compile(rf"第({_N})[条條]")),
    ("cn_chapter", re.compile(rf"({_N})、")),
    ("cn_paren", re.compile(rf"[（(]({_N})[）)]")),
    ("arabic", re.compile(r"(?<![\d.．])(\d{1,2})[.．](?!\d)")),
    ("arabic_paren", re.compile(r"[（(](\d{1,2})[）)]")),
)
_SENTENCE_END_BEFORE = re.compile(r"[。；;！？!?：:][\s\u3000”’」』]*$")


def run_together(line: Line) -> list[Line]:
    """One long line cut into the lines it ran together: before a heading marker that continues its numbering
    (the next number of its kind, or 1, starting a new list) and follows a sentence end (or, for the next number,
    a closing bracket) — or follows, with no sentence end between, a heading cut within ``HEADING_ONLY_MAX``
    characters (一、总体要求（一）…; 第二章　网络建设第五条…). Markers inside a sentence (依照第三十条,
    坚持“一、二”) continue no numbering or follow no sentence end.
    The pieces keep the line's number and their exact offsets in the file."""
    text = line.content
    candidates = sorted((m.start(), kind, m.group(1)) for kind, rx in _INLINE_MARKERS for m in rx.finditer(text))
    last: dict[str, int] = {}
    cuts: list[int] = []
    for at, kind, raw in candidates:
        if cuts and at == cuts[-1]:
            continue
        number = _number(kind, raw)
        if number is None or number not in (1, last.get(kind, 0) + 1):
            continue
        before = text[cuts[-1] if cuts else 0:at]
        after_heading = bool(cuts) and len(before) <= HEADING_ONLY_MAX and not re.search(r"[。；;！？!?]", before)
        # an item's closing bracket ends it too (…（责任单位：市教育体育局）（四）…), where the numbering goes on
        closed = number > 1 and text[at - 1:at] in "）)"
        if at and not (_SENTENCE_END_BEFORE.search(text[:at]) or after_heading or closed):
            continue
        last[kind] = number
        cuts.append(at)
    if len(cuts) < 3:  # not a run-together body: a long paragraph with an enumeration or two
        return [line]
    bounds = [0, *(c for c in cuts if c), len(text)]
    pieces = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        piece = text[a:b].rstrip()
        if strip_edit_markers(piece).strip():
            pieces.append(Line(line.number, line.start + a, line.start + a + len(piece), piece, line.markdown))
    return pieces


def classify(line: Line, *, in_terminal: bool) -> Heading | None:
    """The heading this line is, or None for a body paragraph."""
    clean = line.clean
    for pattern in HEADING_PATTERNS:
        if in_terminal and pattern.kind not in KINDS_INSIDE_TERMINAL:
            continue
        m = pattern.regex.match(clean)
        if not m:
            continue
        number = _number(pattern.kind, m.group(2))
        if number is None and pattern.kind != "annex":
            continue
        return _heading(pattern, m, number, line)
    if line.markdown:
        return Heading("named", 2, None, "", line.clean, line, None)
    return None


def _number(kind: str, raw: str) -> int | None:
    if kind == "question":
        return 0  # numbered in order by the parser
    if kind == "annex":
        return int(raw) if raw else None
    try:
        return parse_cn_numeral(unicodedata.normalize("NFKC", raw))
    except ValueError:
        return None


def _heading(pattern: Pattern, m: re.Match[str], number: int | None, line: Line) -> Heading:
    label, rest = m.group(1), m.group(3).strip()
    heading_only = (len(rest) <= HEADING_ONLY_MAX and "。" not in rest.rstrip("。；;") and pattern.kind != "article"
                    and not _OWNER_CUE.search(rest))
    if heading_only or not rest:
        return Heading(pattern.kind, pattern.rank, number, label, rest.rstrip("。；;:："), line, None)
    body_start = _offset_of_rest(line, label)
    return Heading(pattern.kind, pattern.rank, number, label, first_sentence(rest), line, body_start)


def _offset_of_rest(line: Line, label: str) -> int:
    """File offset of the first non-blank character after the label on a heading line."""
    idx = line.content.find(label) + len(label) if label in line.content else 0
    rest = line.content[idx:]
    return line.start + idx + (len(rest) - len(rest.lstrip(" \u3000\t:：")))


def first_sentence(text: str, limit: int = 40) -> str:
    """The first sentence of a paragraph, used as a title where the layout prints none; a tab ends it too (a
    table row flattened with tab-separated cells: its first text cell is its title)."""
    text = strip_edit_markers(text).strip().split("\n", 1)[0].strip()
    m = re.search(r"[。；;！？!?\t]", text)
    sentence = text[: m.start()] if m else text
    return sentence if len(sentence) <= limit else sentence[:limit] + "…"
