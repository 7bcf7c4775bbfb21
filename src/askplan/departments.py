"""The department view: every responsible unit named in the corpus (names folded by ``canonical_unit``), the
measures it leads and those it co-owns, a fuzzy lookup for names as people type them, and the exports (text,
JSON records, CSV, Markdown) shared by ``askplan dept`` and the web pages.

Roles: the first unit of a responsibility clause leads it, the others co-own it (``(責任單位:省發展改革委、省商務廳等)``
-> 省发展改革委 leads; ``（省商务厅牵头，合肥海关配合）`` -> 省商务厅 leads). A unit named in several clauses of one
measure counts once for that measure, and leading any of them makes it the measure's lead.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from askplan.corpus import Corpus
from askplan.corpus.responsibility import canonical_unit
from askplan.errors import NotFound
from askplan.models import Document, Measure, Responsibility
from askplan.normalize import normalize
from askplan.thesaurus import EXPANSIONS

LEAD, CO = "lead", "co"
ROLE_LABELS = {LEAD: "牵头", CO: "配合"}
EXPORT_COLUMNS = ("文件", "条款号", "任务", "牵头", "配合", "链接")
SUMMARY_COLUMNS = ("单位", "牵头", "配合", "合计")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_BOM = "\ufeff"  # so that Excel opens the UTF-8 file with its Chinese intact
TASK_CHARS = 40  # a clause with no title: the start of its text as its task
MAX_CANDIDATES = 10
MAX_SUGGESTIONS = 5
TYPO_OVERLAP = 0.8  # character overlap (Dice, 省 ignored) from which a near-miss name is taken as meant
PROVINCE_PREFIX = re.compile(r"^[\u4e00-\u9fff]{2,3}省(?=[\u4e00-\u9fff]{2})")  # 安徽省发改委 -> 省发改委
_TRAILING_DENG = re.compile(r"等(?:单位|部门|單位|部門)?$")


@dataclass(frozen=True)
class Duty:
    """One measure a unit is named in, and its role there. The measure and its clauses are read from the corpus
    when used: a registry of every unit held every measure that names one, most of a large corpus
    (``corpus.measure_store``)."""

    source: Sequence[Measure] = field(repr=False, compare=False)  # ``Corpus.measures``
    document: Document
    row: int  # the measure's row in ``Corpus.measures``: document order, then reading order
    role: str  # LEAD | CO
    clause_at: int  # the clause that gives the role (its index in the measure's responsibilities): the first one
    # the unit leads, else the first naming it
    clauses_at: tuple[int, ...]  # every clause of the measure naming the unit, in text order

    @property
    def measure(self) -> Measure:
        return self.source[self.row]

    @property
    def clause(self) -> Responsibility:
        return self.measure.responsibilities[self.clause_at]

    @property
    def clauses(self) -> tuple[Responsibility, ...]:
        responsibilities = self.measure.responsibilities
        return tuple(responsibilities[i] for i in self.clauses_at)

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def citation(self) -> str:
        return self.document.citation(self.measure)

    @property
    def covered_span(self) -> tuple[int, int] | None:
        """The text the role-giving clause covers, when the measure has several clauses; else None."""
        start, end = self.clause.span
        return (start, end) if len(self.measure.responsibilities) > 1 and start < end else None


@dataclass(frozen=True)
class Department:
    name: str  # canonical (Simplified, folded)
    printed: tuple[str, ...]  # the names as the texts print them, first seen first
    duties: tuple[Duty, ...]  # led first, then co-owned; each in document and reading order

    @property
    def led(self) -> tuple[Duty, ...]:
        return tuple(d for d in self.duties if d.role == LEAD)

    @property
    def co_owned(self) -> tuple[Duty, ...]:
        return tuple(d for d in self.duties if d.role == CO)

    @property
    def total(self) -> int:
        return len(self.duties)

    def in_document(self, slug: str) -> Department:
        return Department(self.name, self.printed, tuple(d for d in self.duties if d.document.slug == slug))

    def by_document(self, primary: str | None = None) -> list[tuple[Document, tuple[Duty, ...]]]:
        """Duties grouped by document (the ``primary`` one first, then corpus order), led first within each."""
        groups: dict[str, list[Duty]] = {}
        for duty in sorted(self.duties, key=lambda d: (d.document.slug != primary, d.row)):
            groups.setdefault(duty.document.slug, []).append(duty)
        return [(duties[0].document, tuple(sorted(duties, key=_duty_order))) for duties in groups.values()]


class UnknownDepartment(NotFound):
    """No responsible unit matches a typed name; ``suggestions`` are the nearest names."""

    def __init__(self, query: str, suggestions: tuple[str, ...]) -> None:
        self.query, self.suggestions = query, suggestions
        near = f"; nearest: {'、'.join(suggestions)}" if suggestions else ""
        super().__init__(f"no responsible unit matches {query!r}{near}; list every unit with: askplan dept")


class AmbiguousDepartment(NotFound):
    """A typed name matches several units; ``candidates`` are their names, best first."""

    def __init__(self, query: str, candidates: tuple[str, ...]) -> None:
        self.query, self.candidates = query, candidates
        super().__init__(f"{query!r} matches {len(candidates)} units: {'、'.join(candidates)}; "
                         "type more of the name")


@dataclass(frozen=True)
class Match:
    query: str
    how: str  # "exact" | "substring" | "abbreviation" | "overlap" | "none"
    departments: tuple[Department, ...]  # none: unknown; one: found; several: ambiguous, best first


class DepartmentRegistry:
    """Every unit of a corpus, most measures first (then most led, then name)."""

    def __init__(self, departments: Iterable[Department], aliases: dict[str, str] | None = None) -> None:
        self.departments = tuple(sorted(departments, key=lambda d: (-d.total, -len(d.led), d.name)))
        self._by_name = {d.name: d for d in self.departments}
        # Only the abbreviations whose full form is part of some unit's name (发改委 -> 发展改革委 …), then the
        # corpus config's own unit aliases ([units] in askplan.toml).
        self._abbreviations = {short: full for short, full in {**EXPANSIONS, **(aliases or {})}.items()
                               if any(full in d.name for d in self.departments)}

    @classmethod
    def from_corpus(cls, corpus: Corpus) -> DepartmentRegistry:
        duties: dict[str, list[Duty]] = {}
        printed: dict[str, dict[str, None]] = {}
        measures = corpus.measures
        for row, measure in enumerate(measures):
            document = corpus.document(measure.doc)
            for unit, clauses in _units_of(measure).items():
                lead = next((i for i in clauses if measure.responsibilities[i].lead == unit), None)
                duties.setdefault(unit, []).append(Duty(measures, document, row, LEAD if lead is not None else CO,
                                                        clauses[0] if lead is None else lead, tuple(clauses)))
            for r in measure.responsibilities:
                for name in r.units_verbatim:
                    printed.setdefault(canonical_unit(name), {}).setdefault(_TRAILING_DENG.sub("", name.strip()))
        return cls((Department(unit, tuple(printed.get(unit, ())), tuple(sorted(found, key=_duty_order)))
                    for unit, found in duties.items()), corpus.config.unit_aliases)

    def __len__(self) -> int:
        return len(self.departments)

    def __iter__(self):
        return iter(self.departments)

    def get(self, name: str) -> Department | None:
        return self._by_name.get(name)

    def in_document(self, slug: str) -> DepartmentRegistry:
        """The units named in one document, each with that document's measures only."""
        return DepartmentRegistry(d.in_document(slug) for d in self.departments
                                  if any(duty.measure.doc == slug for duty in d.duties))

    def search(self, query: str) -> list[Department]:
        """The units whose name holds what was typed, script-blind, as a run or in order (发改 -> 省发展改革委)."""
        typed = normalize(query)
        return [d for d in self if not typed or _in_order(typed, d.name)
                or any(typed in normalize(p) for p in d.printed)]

    def resolve(self, query: str) -> Department:
        """The one unit a typed name means, or UnknownDepartment / AmbiguousDepartment."""
        match = self.match(query)
        if len(match.departments) == 1:
            return match.departments[0]
        if match.departments:
            raise AmbiguousDepartment(query, tuple(d.name for d in match.departments[:MAX_CANDIDATES]))
        raise UnknownDepartment(query, self.suggestions(query))

    def match(self, query: str) -> Match:
        """Tiers, first non-empty wins: exact name (after folding script, width, 等 and aliases, or with 省 /
        a province's name before 省 dropped), a substring either way, an abbreviation (the characters in order, 经信 ->
        经济和信息化厅), then one clearly nearest name by character overlap (typos)."""
        variants = self._variants(query)
        for v in variants:
            if v in self._by_name:
                return Match(query, "exact", (self._by_name[v],))
        for how, test in (("substring", _substring), ("abbreviation", _abbreviation)):
            found = [d for d in self.departments if any(test(v, d.name) for v in variants)]
            if found:
                return Match(query, how, tuple(sorted(found, key=lambda d: -_best_overlap(variants, d.name))))
        scored = self._by_overlap(variants)
        if scored and scored[0][0] >= TYPO_OVERLAP and (len(scored) == 1 or scored[1][0] < scored[0][0]):
            return Match(query, "overlap", (scored[0][1],))
        return Match(query, "none", ())

    def suggestions(self, query: str) -> tuple[str, ...]:
        """The nearest names by character overlap, for an unknown name."""
        return tuple(d.name for score, d in self._by_overlap(self._variants(query))[:MAX_SUGGESTIONS] if score > 0)

    def _by_overlap(self, variants: list[str]) -> list[tuple[float, Department]]:
        scored = [(_best_overlap(variants, d.name), d) for d in self.departments]
        return sorted(scored, key=lambda sd: (-sd[0], -sd[1].total, sd[1].name))

    def _variants(self, query: str) -> list[str]:
        base = canonical_unit(normalize(query or ""))
        if not base:
            return []
        expanded = base
        for short, full in self._abbreviations.items():
            if short in expanded and full not in expanded:
                expanded = expanded.replace(short, full)
        out: dict[str, None] = {}
        for v in (base, expanded):
            for form in (v, PROVINCE_PREFIX.sub("省", v), v if v.startswith("省") else "省" + v):
                out.setdefault(form)
                out.setdefault(canonical_unit(form))
        return list(out)


def _units_of(measure: Measure) -> dict[str, list[int]]:
    """Each canonical unit of a measure and the clauses naming it (indices into its responsibilities), in text
    order."""
    named: dict[str, list[int]] = {}
    for i, r in enumerate(measure.responsibilities):
        for unit in r.units:
            named.setdefault(unit, []).append(i)
    return named


def _duty_order(duty: Duty) -> tuple[bool, int]:
    return duty.role != LEAD, duty.row


def _substring(typed: str, name: str) -> bool:
    return len(typed) >= 2 and (typed in name or name in typed)


def _abbreviation(typed: str, name: str) -> bool:
    """The typed characters appear in order in the name (发改委 in 发展改革委), or — for a long official form
    such as 省科学技术厅 — the name's characters appear in order in what was typed."""
    return len(typed) >= 2 and (_in_order(typed, name) or (len(typed) <= 2 * len(name) and _in_order(name, typed)))


def _in_order(short: str, long: str) -> bool:
    chars = iter(long)
    return all(ch in chars for ch in short)


def _best_overlap(variants: list[str], name: str) -> float:
    return max((_overlap(v, name) for v in variants), default=0.0)


def _overlap(a: str, b: str) -> float:
    """Dice coefficient over the character sets, ignoring the ubiquitous 省."""
    sa, sb = set(a) - {"省"}, set(b) - {"省"}
    return 2 * len(sa & sb) / (len(sa) + len(sb)) if sa and sb else 0.0


# --- exports: records (JSON), text, CSV, Markdown ---------------------------------------------------------

Convert = Callable[[str], str]


def _same(text: str) -> str:
    return text


def summary_dict(dept: Department) -> dict:
    return {"name": dept.name, "printed": list(dept.printed), "led": len(dept.led),
            "co_owned": len(dept.co_owned), "total": dept.total}


def duty_dict(duty: Duty) -> dict:
    m = duty.measure
    return {"id": m.id, "doc": m.doc, "key": m.key, "label": m.display_label, "title": m.title,
            "citation": duty.citation, "role": duty.role, "role_label": duty.role_label,
            "clauses": [r.text for r in duty.clauses], "text": m.text}


def department_dict(dept: Department) -> dict:
    documents = [{"slug": doc.slug, "title": doc.title, "led": sum(d.role == LEAD for d in duties),
                  "co_owned": sum(d.role == CO for d in duties)} for doc, duties in dept.by_document()]
    return {**summary_dict(dept), "documents": documents, "measures": [duty_dict(d) for d in dept.duties]}


def summary_rows(registry: DepartmentRegistry) -> list[tuple[str, ...]]:
    return [(d.name, str(len(d.led)), str(len(d.co_owned)), str(d.total)) for d in registry]


def export_rows(dept: Department, conv: Convert = _same, base_url: str = "",
                primary: str | None = None) -> list[tuple[str, ...]]:
    """One row per measure, by document (``primary`` first), led first within each: 文件 (its title), 条款号
    (the label, or the key where a clause has none), 任务 (the clause title, else the start of its text), 牵头 and
    配合 (the units of the clause that names this unit, as printed) and 链接 (``base_url`` + /m/<doc>/<key>)."""
    rows = []
    for document, duties in dept.by_document(primary):
        for d in duties:
            m = d.measure
            task = m.title or (m.text.strip()[:TASK_CHARS] + ("…" if len(m.text.strip()) > TASK_CHARS else ""))
            link = f"{base_url}/m/{quote(m.doc, safe='')}/{quote(m.key)}"
            rows.append((conv(document.title), m.display_label or m.key, conv(task),
                         conv(d.clause.lead_verbatim or ""), conv("、".join(d.clause.units_verbatim[1:])), link))
    return rows


def to_csv(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """CSV text starting with a byte-order mark (encode it as UTF-8). A cell that a spreadsheet would read as a
    formula (=, +, -, @, tab, carriage return first) is written with a leading apostrophe (OWASP CSV injection)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(tuple(_inert(cell) for cell in row) for row in rows)
    return CSV_BOM + out.getvalue()


def _inert(cell):
    return "'" + cell if isinstance(cell, str) and cell[:1] in FORMULA_START else cell


def to_markdown(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _md_cell(text: str) -> str:
    return re.sub(r"\s*\n\s*", "<br>", text.strip()).replace("|", "\\|")


def summary_text(registry: DepartmentRegistry) -> str:
    lines = ["牵头  配合  合计  单位"]
    lines += [f"{len(d.led):>4}  {len(d.co_owned):>4}  {d.total:>4}  {d.name}" for d in registry]
    return "\n".join(lines)


def department_text(dept: Department) -> str:
    lines = [f"{dept.name}：牵头 {len(dept.led)} 条，配合 {len(dept.co_owned)} 条，共 {dept.total} 条"]
    others = [p for p in dept.printed if p != dept.name]
    if others:
        lines.append(f"原文写作：{'、'.join(others)}")
    for doc, duties in dept.by_document():
        lines += ["", f"《{doc.title}》"]
        lines += [f"  [{d.role_label}] {d.measure.heading()}  ({d.measure.id})" for d in duties]
    return "\n".join(lines)
