"""Body text -> measures. Headings from ``layout`` form a tree; every heading with text of its own becomes a
measure (or, where a block is a run of separately-owned paragraphs, one measure per paragraph).

Keys (stable across rebuilds, derived from the numbering only):
- text before the first heading: ``0``;
- the dominant clause level, numbered 1..N without restarting (the plan's （一）…（三十六）, 第X条, 1.–24.): the number;
- anything else: the dotted path of heading numbers (第五章第二节 -> ``5.2``), ``.0`` for a heading's own text
  before its sub-headings, ``-N`` for the N-th paragraph of a split block, ``boxN`` for 专栏N, ``annexN``;
- a file holding several documents (numbering restarting at 一、) prefixes ``pN.`` to every key of part N>1 and
  of part 1 alike, except the preamble ``0``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from askplan.corpus.boilerplate import boilerplate_kind
from askplan.corpus.layout import TERMINAL_KINDS, Heading, Line, classify, first_sentence, split_lines
from askplan.corpus.responsibility import find_clauses, parse_responsibilities
from askplan.corpus.table_units import (
    row_responsibility,
    separated_headers,
    separated_row,
    table_rows,
    unit_columns,
)
from askplan.models import Measure, Responsibility
from askplan.normalize import strip_edit_markers

SPLIT_MIN_MEAN_CHARS = 100
MERGE_BELOW_CHARS = 20  # in a split block, a paragraph this short (各位代表！) joins the next one
TOC_TITLES = {"目录", "目錄"}
PREAMBLE_TITLE = "前言及通知"
HEAD_BANNER_LINES = 5  # a banner this close to the top of a body is page chrome


@dataclass
class Node:
    heading: Heading | None
    parent: Node | None = None
    paragraphs: list[Line] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.heading.kind if self.heading else "root"

    def path(self) -> list[Node]:
        node, out = self, []
        while node is not None and node.heading is not None:
            out.append(node)
            node = node.parent
        return out[::-1]


@dataclass(frozen=True)
class Block:
    """Text that will become one or more measures."""

    node: Node
    lines: tuple[Line, ...]
    body_start: int
    key: str
    split: bool
    heading_only: bool = False  # a heading with no text and nothing below it: its line is the measure
    carry: tuple[Node, ...] = ()  # heading-only nodes whose line this block's first measure carries


def build_tree(lines: list[Line], dropped: list[tuple[int, str]] | None = None) -> list[Node]:
    """Parts (each a root Node) of headings and paragraphs. Lines that are no text of the document (a table of
    contents, a masthead before it, a site banner at the head) go to ``dropped`` as (line number, reason)."""
    dropped = [] if dropped is None else dropped
    parts = [Node(None)]
    stack: list[Node] = []
    skipping = False
    toc = _listed_contents(lines)
    attachments = _attachment_lists(lines)
    for i, line in enumerate(lines):
        if toc[0] <= i < toc[1]:
            dropped.append((line.number, "table of contents"))
            continue
        in_terminal = any(n.kind in TERMINAL_KINDS for n in stack)
        heading = None if i in attachments else classify(line, in_terminal=in_terminal)
        if heading is not None and heading.kind == "named":
            skipping = heading.title.replace(" ", "") in TOC_TITLES
            heading = None
            if skipping:
                if not stack:  # a masthead (title, news lead) before a table of contents is no measure
                    dropped.extend((p.number, "masthead before a table of contents") for p in parts[-1].paragraphs)
                    parts[-1].paragraphs.clear()
                dropped.append((line.number, "table of contents"))
                continue
        if heading is None:
            if skipping:
                dropped.append((line.number, "table of contents"))
            elif not stack and len(parts) == 1 and _head_banner(parts[0], line, lines[i + 1:], dropped):
                continue
            else:
                (stack[-1] if stack else parts[-1]).paragraphs.append(line)
            continue
        skipping = False
        if _restarts_part(heading, parts[-1]):
            parts.append(_new_part(parts[-1], stack))
            stack = []
        while stack and stack[-1].heading.rank >= heading.rank:
            stack.pop()
        parent = stack[-1] if stack else parts[-1]
        if heading.kind == "question":  # 问：… prints no number: its place among its siblings
            heading = replace(heading, number=1 + sum(c.kind == "question" for c in parent.children))
        node = Node(heading, parent)
        parent.children.append(node)
        stack.append(node)
    return parts


TOC_LOOKAHEAD = 400  # lines a table of contents may run before the body repeats its first entry
TOC_TITLE_MAX = 12  # 目　　录 spaced out, with room for a markdown mark


def _listed_contents(lines: list[Line]) -> tuple[int, int]:
    """The lines [start, end) of a table of contents whose entries are headings (目录, then 1　总则 / 1.1　编制目的 …):
    from the 目录 line to where the body repeats its first entry. (0, 0) where there is none, or the first entry
    never comes again (a contents list of plain lines ends at the first heading, as before)."""
    for i, line in enumerate(lines):
        if len(line.content) > TOC_TITLE_MAX or _bare(line) not in TOC_TITLES:  # most lines: one length test
            continue
        first = next((j for j in range(i + 1, min(len(lines), i + 1 + TOC_LOOKAHEAD))
                      if classify(lines[j], in_terminal=False) is not None), None)
        if first is None:
            return 0, 0
        again = next((k for k in range(first + 1, min(len(lines), first + TOC_LOOKAHEAD))
                      if _bare(lines[k]) == _bare(lines[first])), None)
        return (i, again) if again is not None else (0, 0)
    return 0, 0


_ATTACHMENTS_FIRST = re.compile(r"^附件\s*[:：]?\s*1\s*[.．、]\s*\S")
_LIST_ENTRY = re.compile(r"^(\d{1,2})\s*[.．、]\s*\S")


def _attachment_lists(lines: list[Line]) -> set[int]:
    """The lines that list what a notice attaches: 附件：1.X (or 附件1.X) and then 2.Y, 3.Z … on the lines after it.
    They are the notice's own text (its signature follows them), not an annex heading and its items: read as
    headings, the second entry was a measure whose text was the signature. One entry alone, or entries that do
    not go on from 2, are headings as ever (附件1.重点任务清单 over its items 1. 2. …)."""
    out: set[int] = set()
    for i, line in enumerate(lines):
        if "附件" not in line.content[:12] or not _ATTACHMENTS_FIRST.match(line.clean):
            continue
        end, number = i + 1, 2
        while end < len(lines) and (entry := _LIST_ENTRY.match(lines[end].clean)) and int(entry.group(1)) == number:
            end, number = end + 1, number + 1
        if number > 2:
            out.update(range(i, end))
    return out


def _bare(line: Line) -> str:
    return re.sub(r"\s", "", line.clean)


def _head_banner(root: Node, line: Line, rest: list[Line], dropped: list[tuple[int, str]]) -> bool:
    """A site banner among the first lines of a body is dropped, with the lines above it when the page prints
    them again below (维基文库 prints the title, the banner, then the title again). True if ``line`` was dropped."""
    if len(root.paragraphs) > HEAD_BANNER_LINES or not (kind := boilerplate_kind(line.clean)):
        return False
    below = {r.clean for r in rest[:HEAD_BANNER_LINES]}
    if not all(p.clean in below for p in root.paragraphs):
        return False  # text above the banner that is printed once stays; so does the banner, inside it
    dropped.extend((p.number, "page title above a site banner, printed again below it") for p in root.paragraphs)
    dropped.append((line.number, kind.replace("_", " ")))
    root.paragraphs.clear()
    return True


def _restarts_part(heading: Heading, root: Node) -> bool:
    top = [c for c in root.children if c.heading.kind == heading.kind]
    return heading.number == 1 and len(top) > 1 and top[-1].heading.number > 1


def _new_part(previous: Node, stack: list[Node]) -> Node:
    """A new part; title-like lines ending the previous part (its title and intro) move to its preamble."""
    part = Node(None)
    last = stack[-1] if stack else previous
    paras = last.paragraphs
    for i in range(len(paras) - 1, -1, -1):
        clean = paras[i].clean
        if len(clean) <= 60 and not clean.endswith(("。", "；", "，", ";", ",", "：", ":")):
            part.paragraphs, last.paragraphs = paras[i:], paras[:i]
            break
    return part


def blocks_of(parts: list[Node]) -> list[Block]:
    multi = len(parts) > 1
    out: list[Block] = []
    for index, root in enumerate(parts, start=1):
        prefix = f"p{index}." if multi else ""
        if root.paragraphs:
            key = "0" if index == 1 else f"{prefix}0"
            out.append(Block(root, tuple(root.paragraphs), root.paragraphs[0].start, key, _should_split(root)))
        dominant = _dominant_kind(root)
        continuous = _is_continuous(root, dominant)
        for node in _walk(root):
            block = _block(node, prefix, dominant if continuous else None)
            if block:
                out.append(block)
    return _carry_duplicate_headings(out)


def _carry_duplicate_headings(blocks: list[Block]) -> list[Block]:
    """A heading-only block whose key another block has (附件： before the 附件 itself) is no measure of its
    own: the next block carries its line."""
    counts = Counter(b.key for b in blocks)
    out: list[Block] = []
    pending: list[Node] = []
    for i, block in enumerate(blocks):
        if block.heading_only and counts[block.key] > 1 and i + 1 < len(blocks):
            pending.append(block.node)
            counts[block.key] -= 1
            continue
        out.append(replace(block, carry=tuple(pending)) if pending else block)
        pending = []
    return out


def _walk(node: Node):
    for child in node.children:
        yield child
        yield from _walk(child)


def _leaves_with_text(root: Node) -> list[Node]:
    return [n for n in _walk(root) if not n.children and (n.paragraphs or n.heading.body_start is not None)]


def _dominant_kind(root: Node) -> str | None:
    counts = Counter(n.kind for n in _leaves_with_text(root) if n.heading.number is not None)
    return counts.most_common(1)[0][0] if counts else None


def _is_continuous(root: Node, kind: str | None) -> bool:
    numbers = [n.heading.number for n in _walk(root) if n.kind == kind]
    return bool(numbers) and numbers == list(range(1, len(numbers) + 1))


def _block(node: Node, prefix: str, bare_kind: str | None) -> Block | None:
    h = node.heading
    if not node.paragraphs and h.body_start is None:
        if node.children:
            return None  # its heading is carried by the first measure below it
        return Block(node, (h.line,), h.line.start, prefix + _key(node, bare_kind), False, True)
    key = _key(node, bare_kind)
    lines = ((h.line,) if h.body_start is not None else ()) + tuple(node.paragraphs)
    start = h.body_start if h.body_start is not None else node.paragraphs[0].start
    return Block(node, lines, start, prefix + key, _should_split(node))


def _key(node: Node, bare_kind: str | None) -> str:
    h = node.heading
    if h.kind == "box":
        return f"box{h.number}"
    if h.kind == "annex":
        return f"annex{h.number or ''}"
    if h.kind == bare_kind and not node.children:
        return str(h.number)
    key = ".".join(str(n.heading.number or 0) for n in node.path() if n.kind not in ("box", "named"))
    return f"{key}.0" if node.children or "." not in key else key


def _should_split(node: Node) -> bool:
    """Split a block into one measure per paragraph when its paragraphs are separately owned (two or more
    carry their own responsibility clause), or when it is report prose under 一、/（一） headings."""
    paras = ([node.heading.line] if node.heading and node.heading.body_start is not None else []) + node.paragraphs
    if len(paras) < 2:
        return False
    if sum(bool(find_clauses(p.clean, prose=False)) for p in paras) >= 2:
        return True
    kinds = {n.kind for n in _walk(_root(node))}
    report = kinds <= {"cn_chapter", "cn_paren", "named"} and node.kind in ("cn_chapter", "cn_paren")
    return report and sum(len(p.clean) for p in paras) / len(paras) >= SPLIT_MIN_MEAN_CHARS


def _root(node: Node) -> Node:
    while node.parent is not None:
        node = node.parent
    return node


def numbering_problems(parts: list[Node]) -> list[tuple[int, str]]:
    """(line, message) for every numbered heading that does not follow its predecessor of the same kind:
    numbers go up by one, either continuing across parents or restarting at 1 under a new parent."""
    problems = []
    for root in parts:
        last: dict[str, Node] = {}
        for node in _walk(root):
            h = node.heading
            if h.number is None or h.kind == "annex":
                continue
            prev = last.get(h.kind)
            expected = {1} if prev is None else {prev.heading.number + 1}
            if prev is not None and prev.parent is not node.parent:
                expected.add(1)
            if h.number not in expected:
                after = f" after {prev.heading.label}" if prev else ""
                problems.append((h.line.number, f"numbering gap or repeat: {h.label}{after}"))
            last[h.kind] = node
    return problems


@dataclass(frozen=True)
class ParsedBody:
    measures: list[Measure]
    numbering: list[tuple[int, str]]  # (line, message) of numbering gaps and repeats
    dropped: tuple[tuple[int, str], ...]  # (line, reason) of lines that are no text of the document
    carriers: dict[int, str]  # heading line's offset -> id of the measure that carries it (its own, or the first below)


def parse_body(slug: str, source: str, body_offset: int, first_line: int) -> ParsedBody:
    """Measures in reading order, numbering problems, and where every line went, of one file's body."""
    dropped: list[tuple[int, str]] = []
    parts = build_tree(split_lines(source[body_offset:], body_offset, first_line), dropped)
    carriers: dict[int, str] = {}
    measures = _measures(slug, source, parts, carriers)
    return ParsedBody(measures, numbering_problems(parts), tuple(dropped), carriers)


def _measures(slug: str, source: str, parts: list[Node], carriers: dict[int, str]) -> list[Measure]:
    measures: list[Measure] = []
    seen: dict[str, int] = {}
    for block in blocks_of(parts):
        # A key the source repeats (two unnumbered 附件 headings, a clause number printed twice) gets _2, _3 … in
        # reading order, so every id is unique and stays the same across rebuilds; the loader still warns.
        seen[block.key] = seen.get(block.key, 0) + 1
        key = block.key if seen[block.key] == 1 else f"{block.key}_{seen[block.key]}"
        if block.split:
            for i, group in enumerate(_paragraph_groups(block.lines), start=1):
                start = block.body_start if group[0] is block.lines[0] else group[0].start
                measures.append(_measure(slug, source, block, f"{key}-{i}", group, start, len(measures)))
        else:
            measures.append(_measure(slug, source, block, key, block.lines, block.body_start, len(measures)))
        first = measures[-1] if not block.split else next(m for m in measures if m.key.startswith(f"{key}-"))
        for node in (*block.carry, *block.node.path()):
            carriers.setdefault(node.heading.line.start, first.id)
    return _table_rows(source, measures)


def _table_rows(source: str, measures: list[Measure]) -> list[Measure]:
    """Measures under a task table's header that carry no responsibility clause read it from their unit cells. A
    row without unit cells right after one with them shares its cells (a merged, row-spanning cell). A measure
    that holds a whole table (an annex 任务分工表 of numbered rows) reads one responsibility per row."""
    headers = unit_columns(source)
    separated = separated_headers(source)
    out: list[Measure] = []
    above: tuple[object, Responsibility] | None = None  # the previous row's header and responsibility
    for m in measures:
        if not m.responsibilities and (rows := table_rows(m.text)):
            out.append(replace(m, responsibilities=rows))
            above = None
            continue
        header = next((line for end, line in reversed(separated) if end <= m.start), None)
        if not m.responsibilities and header is not None and (rows := separated_row(m.text, header)):
            out.append(replace(m, responsibilities=rows))  # a row of a tab- or ｜-separated table, as a measure
            above = None
            continue
        columns = next((h for h in reversed(headers) if h.end <= m.start), None)
        resp = None
        if columns is not None and not m.responsibilities:
            resp = row_responsibility(m.text, columns)
            if resp is None and above is not None and above[0] is columns:
                end = len(m.text)
                resp = replace(above[1], span=(0, end), clause_span=(end, end))
            if resp is not None:
                m = replace(m, responsibilities=(resp,))
        above = (columns, resp) if resp is not None else None
        out.append(m)
    return out


def _paragraph_groups(lines: tuple[Line, ...]) -> list[tuple[Line, ...]]:
    """Paragraphs of a split block, a very short one joined to the next (or, at the end, to the previous)."""
    groups: list[list[Line]] = []
    pending: list[Line] = []
    for line in lines:
        pending.append(line)
        if len(line.clean) >= MERGE_BELOW_CHARS:
            groups.append(pending)
            pending = []
    if pending:
        (groups[-1].extend(pending) if groups else groups.append(pending))
    return [tuple(g) for g in groups]


def _measure(slug: str, source: str, block: Block, key: str, lines: tuple[Line, ...], start: int,
             ordinal: int) -> Measure:
    end = lines[-1].end
    text = strip_edit_markers(source[start:end])
    h = block.node.heading
    own_heading = h is not None and (not block.split or (h.body_start is not None and lines[0] is h.line))
    chapter = tuple(n.heading.line.clean for n in block.node.path()[:-1] if n.heading)
    if h is not None and not own_heading:
        chapter += (h.line.clean,)
    if own_heading:
        label, title = h.label, h.title or first_sentence(text)
    else:
        label, title = "", (PREAMBLE_TITLE if h is None and key.endswith("0") else first_sentence(text))
    return Measure(id=f"{slug}/{key}", doc=slug, key=key, label=label, title=title, chapter=chapter, text=text,
                   start=start, end=end, line=(h.line.number if own_heading else lines[0].number),
                   responsibilities=parse_responsibilities(text),
                   ordinal=ordinal)
