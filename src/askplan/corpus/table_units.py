"""Responsible units printed as table columns. A 任务清单 copied out of a web page or a Word table arrives one cell
per line: a header run (分类 / 重点任务 / 牵头部门 / 配合部门 …, a header cell sometimes broken over two lines) and
then, per numbered task, its text cells followed by one cell per unit column. No bracket or label marks those
cells, so the clause patterns of ``responsibility.py`` cannot read them; the header says which trailing cells are
units and which of them leads."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from askplan.corpus.responsibility import canonical_unit, dedupe, split_units
from askplan.models import Responsibility

CELL_SEP = "｜"  # between the cells of a table row, as ``askplan add`` writes HTML and Word tables
# A unit column's header: who leads (or is responsible, or guides: a 推广清单's 指导部门), who assists, who carries
# it out.
_LEAD_WORDS = r"牵头|牽頭|责任|責任|主责|主責|负责|負責|指导|指導"
_UNIT_COLUMN = re.compile(rf"(?P<role>{_LEAD_WORDS}|配合|协同|協同|协办|協辦|参与|參與|实施|實施|支撑|支撐|承办|承辦)"
                          r"(?:部门|部門|单位|單位|处室|處室|科室|主体|主體)")
_LEAD_ROLE = re.compile(_LEAD_WORDS)
_HEADER_CELL_CHARS = 16  # a header cell is short …
_CELL_CHARS = 40  # … and so is a cell of units
_SENTENCE_END = re.compile(r"[。；;！？]")
_NOT_A_UNIT_CELL = re.compile(r"[。；;：:！？\d]")
_UNIT_ENDING = re.compile(r"(?:[省市县縣区區厅廳局委会會办辦部行关關司团團组組院位府处處室队隊所站心]|机构|機構)$")


@dataclass(frozen=True)
class UnitColumns:
    end: int  # offset (into the text searched) just past the header run
    count: int  # how many trailing cells of a row are units
    lead: int  # which of them (0-based) holds the leading unit
    others: tuple[int, ...]  # the assisting / implementing columns, in header order


def unit_columns(text: str) -> list[UnitColumns]:
    """Every header run in ``text`` whose last columns are unit columns, in order."""
    found: list[UnitColumns] = []
    run: list[tuple[str, int]] = []  # short lines in a row, each with the offset just past it
    pos = 0
    for raw in (*text.splitlines(keepends=True), "。"):
        line = raw.strip()
        pos += len(raw)
        if not line:
            continue
        if len(line) <= _HEADER_CELL_CHARS and not _SENTENCE_END.search(line):
            run.append((line, pos))
            continue
        # the header is the longest start of the run that ends with unit columns; rows' short cells may follow
        for k in range(len(run), 1, -1):
            if (cols := _columns("".join(cell for cell, _ in run[:k]))) is not None:
                found.append(UnitColumns(run[k - 1][1], *cols))
                break
        run = []
    return found


def _columns(header: str) -> tuple[int, int, tuple[int, ...]] | None:
    """(count, lead index, other indices) when ``header`` ends with unit columns, one of them leading (a single
    column only after other columns: 序号 / 工作措施 / 责任单位)."""
    labels = list(_UNIT_COLUMN.finditer(header))
    if not labels or labels[-1].end() != len(header) or (len(labels) == 1 and labels[0].start() == 0):
        return None
    tail = [labels[-1]]  # the unit columns are the header's last labels, back to back
    for m in reversed(labels[:-1]):
        if m.end() != tail[0].start():
            break
        tail.insert(0, m)
    leads = [i for i, m in enumerate(tail) if _LEAD_ROLE.fullmatch(m.group("role"))]
    if not leads:
        return None
    return len(tail), leads[0], tuple(i for i in range(len(tail)) if i != leads[0])


def row_responsibility(text: str, columns: UnitColumns) -> Responsibility | None:
    """The responsibility a table row's trailing cells state, or None when they do not look like units. A first
    unit cell broken over several lines (设施运行处 / 设施养护处) keeps all of them, in order."""
    lines: list[tuple[int, int]] = []  # non-blank lines as (start, end) offsets, last first
    pos = len(text)
    for raw in reversed(text.splitlines(keepends=True)):
        start = pos - len(raw)
        if line := raw.strip():
            first = start + raw.index(line[0])
            lines.append((first, first + len(line)))
        pos = start
    cells = lines[:columns.count]
    if len(lines) <= columns.count or any(not _unit_cell(text[s:e]) for s, e in cells):
        return _short_row(text, lines, columns)  # a row holds its task text before the unit cells
    cells.reverse()
    extra = 0
    while len(lines) > columns.count + extra + 1 and _unit_cell(text[slice(*lines[columns.count + extra])], True):
        extra += 1
    head = lines[columns.count: columns.count + extra][::-1]
    unit_cells = [[text[s:e] for s, e in (head + [cells[0]] if i == 0 else [cells[i]])] for i in range(len(cells))]
    if not all(_named_unit(u) for cell in unit_cells[columns.lead] for u in split_units(cell)):
        return None
    return _cells_responsibility(text, unit_cells, columns, (head[0] if head else cells[0])[0], cells[-1][1])


def _cells_responsibility(text: str, unit_cells: list[list[str]], columns: UnitColumns, start: int, end: int
                          ) -> Responsibility | None:
    """The responsibility of a row's unit cells (each column's cell as its lines), from ``start`` to ``end`` of the
    row: the leading column's units first, then the others' in header order (columns past the row's cells are
    blank)."""
    lead_units = [u for cell in unit_cells[columns.lead] for u in split_units(cell)]
    if not lead_units:
        return None
    verbatim = lead_units + [u for i in columns.others if i < len(unit_cells) for cell in unit_cells[i]
                             for u in split_units(cell)]
    units = dedupe(canonical_unit(u) for u in verbatim)
    return Responsibility(text[start:end], units, tuple(verbatim), units[0], units[1:], (0, start), (start, end))


def _short_row(text: str, lines: list[tuple[int, int]], columns: UnitColumns) -> Responsibility | None:
    """A row whose last unit cells are empty, and so dropped when the table was flattened: its text, then fewer
    unit cells than the header has, each naming units; they fill the unit columns from the first (the leading one,
    before the 配合 columns that are often left blank)."""
    k = 0
    while k < min(columns.count - 1, len(lines) - 1) and _unit_cell(text[slice(*lines[k])], True):
        k += 1
    if not k or columns.lead >= k or _unit_cell(text[slice(*lines[k])]):
        return None  # no unit cell, the leading column not among them, or no task text before them
    return _cells_responsibility(text, [[text[s:e]] for s, e in reversed(lines[:k])], columns, lines[k - 1][0],
                                 lines[0][1])


def _unit_cell(cell: str, named: bool = False) -> bool:
    """Short, no sentence, no figure; with ``named``, every unit in it ends like an organisation."""
    if len(cell) > _CELL_CHARS or _NOT_A_UNIT_CELL.search(cell):
        return False
    return not named or all(_named_unit(u) for u in split_units(cell))


def _named_unit(name: str) -> bool:
    return bool(_UNIT_ENDING.search(name)) or name.startswith("各")


_ROW_NUMBER = re.compile(r"^\*?\d{1,3}[.、．]?$")
_EMPTY_CELL = frozenset({"/", "-", "—"})  # a cell that names no unit


def table_rows(text: str) -> tuple[Responsibility, ...]:
    """The rows of task tables printed inside one measure, each row's responsibility covering the row: tables
    flattened with tab-separated cells (``_tab_table_rows``), else one cell a line (an annex 任务分工表: a header
    run, then per row a line holding its number alone and the row's cells). A row without unit cells shares the
    row above's (a merged, row-spanning cell); rows before the first unit cell get none."""
    if not _UNIT_COLUMN.search(text):
        return ()
    if ("\t" in text or CELL_SEP in text) and (rows := _tab_table_rows(text)):
        return rows
    headers = unit_columns(text)
    out: list[Responsibility] = []
    for i, columns in enumerate(headers):
        stop = _run_start(text, headers[i + 1].end) if i + 1 < len(headers) else len(text)
        starts = [m.start() for m in re.finditer(r"^.*$", text[:stop], re.M)
                  if m.start() >= columns.end and _ROW_NUMBER.match(m.group().strip())]
        above: Responsibility | None = None
        for start, end in zip(starts, [*starts[1:], stop][:len(starts)], strict=True):
            body = text.find("\n", start) + 1 or end
            row = text[body:end].rstrip()
            if (resp := row_responsibility(row, columns)) is not None:
                s, e = resp.clause_span
                above = replace(resp, span=(start, body + s), clause_span=(body + s, body + e))
                out.append(above)
            elif above is not None:
                row_end = body + len(row)
                out.append(replace(above, span=(start, row_end), clause_span=(row_end, row_end)))
    return tuple(out)


def _run_start(text: str, header_end: int) -> int:
    """Where the header run that ends at ``header_end`` begins: after the last long or sentence line before it."""
    pos = header_end
    for raw in reversed(text[:header_end].splitlines(keepends=True)):
        line = raw.strip()
        if line and (len(line) > _HEADER_CELL_CHARS or _SENTENCE_END.search(line)):
            break
        pos -= len(raw)
    return pos


@dataclass(frozen=True)
class _TabHeader:
    width: int  # how many cells a full row has
    lead: int  # the leading unit column
    others: tuple[int, ...]  # the other unit columns, in header order


def _cells(line: str) -> list[str]:
    """A row's cells: split at tabs (a table copied out of a page or a spreadsheet), else at ｜, the separator
    ``askplan add`` writes between the cells of an HTML or Word table."""
    return line.split("\t" if "\t" in line else CELL_SEP)


def separated_headers(source: str) -> list[tuple[int, str]]:
    """(offset just past it, the line) of every header line of a table with separated cells (tabs or ｜) in a
    document: its rows may be measures of their own (numbered rows after an annex heading)."""
    if "\t" not in source and CELL_SEP not in source:
        return []
    return [(m.end(), m.group()) for m in re.finditer(r"^.*$", source, re.M)
            if ("\t" in m.group() or CELL_SEP in m.group()) and _tab_header(m.group()) is not None]


def separated_row(text: str, header: str) -> tuple[Responsibility, ...]:
    """The responsibilities of a measure that is one row (or a few) of the separated-cell table ``header`` heads,
    read as if the header stood above it; () when its first line is no row of that table (another cell count)."""
    first = text.split("\n", 1)[0]
    if len(_cells(first)) != len(_cells(header)):
        return ()
    shift = len(header) + 1
    return tuple(replace(r, span=(max(0, r.span[0] - shift), r.span[1] - shift),
                         clause_span=(r.clause_span[0] - shift, r.clause_span[1] - shift))
                 for r in _tab_table_rows(f"{header}\n{text}") if r.clause_span[0] >= shift)


def _tab_header(line: str) -> _TabHeader | None:
    """A header line of a table flattened one row a line with tab-separated cells (序号\t工作事项\t…\t牵头单位\t
    配合单位): the unit columns are the cells that end in a unit label, the first leading one leads."""
    cells = [c.strip() for c in _cells(line)]
    labels = {i: m for i, c in enumerate(cells)
              if len(c) <= _HEADER_CELL_CHARS and (m := _UNIT_COLUMN.search(c)) and m.end() == len(c)}
    leads = [i for i, m in labels.items() if _LEAD_ROLE.search(m.group("role"))]
    if len(cells) < 3 or not leads or 0 in labels:
        return None
    return _TabHeader(len(cells), leads[0], tuple(i for i in labels if i != leads[0]))


def _tab_table_rows(text: str) -> tuple[Responsibility, ...]:
    """Rows of a tab-separated table. A row opens with its number in the first cell; a cell holding line breaks
    continues the row on the next lines, whose cells then fill the row's last columns. Each line with unit cells
    states the responsibility of the row's text from the previous such line on (a row split into sub-rows with
    units of their own); lines after the last go with it; a row with none shares the row above's (a merged cell)."""
    out: list[Responsibility] = []
    header: _TabHeader | None = None
    row: list[Responsibility] = []  # the open row's responsibilities
    row_start = pending = -1  # where the open row starts (-1: none open), where its text not yet covered starts
    table_from = 0  # where the current table's rows start in ``out``

    def close(row_end: int) -> None:
        if row_start < 0:
            return
        if row:
            last = row[-1]
            row[-1] = replace(last, span=(last.span[0], max(row_end, last.clause_span[1])))
        elif len(out) > table_from:  # never the cells of an earlier table
            row.append(replace(out[-1], span=(row_start, row_end), clause_span=(row_end, row_end)))
        out.extend(row)

    for m in re.finditer(r"^.*$", text, re.M):
        start, end, line = m.start(), m.end(), m.group()
        if "\t" not in line and CELL_SEP not in line:
            continue
        if (new := _tab_header(line)) is not None:
            close(start)
            header, row, row_start, table_from = new, [], -1, len(out)
            continue
        if header is None:
            continue
        cells = _cells(line)
        if _ROW_NUMBER.match(cells[0].strip()):
            close(start)
            row, row_start, pending, first = [], start, start, 0
        elif row_start < 0:
            continue
        else:
            first = max(0, header.width - len(cells))  # a continuation line fills the row's last columns
        offsets = [start + sum(len(c) + 1 for c in cells[:k]) for k in range(len(cells))]
        at = {first + k: (offsets[k], cells[k].strip()) for k in range(len(cells))}
        if (resp := _tab_units(at, header, end)) is not None:
            row.append(replace(resp, span=(pending, end)))
            pending = end + 1
    close(len(text))
    return tuple(out)


def _tab_units(at: dict[int, tuple[int, str]], header: _TabHeader, line_end: int) -> Responsibility | None:
    lead_cell = at.get(header.lead, (0, ""))[1]
    lead_units = [u for u in split_units(lead_cell) if u not in _EMPTY_CELL]
    if not lead_units or not all(_named_unit(u) for u in lead_units) or len(lead_cell) > _CELL_CHARS:
        return None
    verbatim = lead_units + [u for i in header.others if i in at for u in split_units(at[i][1]) if _named_unit(u)]
    units = dedupe(canonical_unit(u) for u in verbatim)
    start = at[header.lead][0]
    last = max(i for i in (header.lead, *header.others) if i in at)
    stop = min(at[last][0] + len(at[last][1]) + 1, line_end)
    return Responsibility(lead_cell, units, tuple(verbatim), units[0], units[1:], (0, start), (start, stop))
