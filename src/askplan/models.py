"""Frozen records shared by every stage: documents, measures and their responsibility clauses."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import lru_cache

from askplan.normalize import normalize

NORM_CACHE = 16_384  # measures whose normalised text is kept (``Measure.norm``): a question reads a few dozen


def pickled_by_fields(cls):
    """Pickle a frozen slotted dataclass as its constructor's arguments: the ``__setstate__`` dataclasses gives it
    calls ``fields()`` for every object, 2 of the 3 s of reading 100,000 cached measures back (parse_cache)."""
    names = tuple(f.name for f in fields(cls))

    def __reduce__(self):
        return cls, tuple(getattr(self, name) for name in names)

    cls.__reduce__ = __reduce__
    return cls


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Responsibility:
    """One responsibility clause such as ``(責任單位:省發展改革委、省商務廳等)`` or ``（省商务厅牵头，合肥海关配合）``.

    ``span`` is the part of the measure text the clause covers (offsets into ``Measure.text``);
    ``clause_span`` is where the clause itself stands in that text. ``prose`` marks a duty read from a sentence
    (市发展改革部门负责…, 由执委会会同…) rather than a marked clause; in a measure that marks none, the actors of
    its sentences (``parse_actors``) answer who-leads questions, without entering the department view or the
    draft checker.
    """

    text: str
    units: tuple[str, ...]
    units_verbatim: tuple[str, ...]
    lead: str | None
    co_units: tuple[str, ...]
    span: tuple[int, int]
    clause_span: tuple[int, int]
    prose: bool = False

    @property
    def lead_verbatim(self) -> str | None:
        """The lead as printed (original script)."""
        return self.units_verbatim[0] if self.units_verbatim else None

    def covers(self, offset: int) -> bool:
        return self.span[0] <= offset < self.clause_span[1]


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Measure:
    """A numbered clause (or a paragraph, article or preamble) as a reader cites it.

    ``text`` is the original body with edit markers removed; ``start``/``end`` are character offsets of that
    body in the source file, so ``strip_edit_markers(source[start:end]) == text``.
    """

    id: str
    doc: str
    key: str
    label: str
    title: str
    chapter: tuple[str, ...]
    text: str
    start: int
    end: int
    line: int
    responsibilities: tuple[Responsibility, ...] = ()
    ordinal: int = 0

    @property
    def display_label(self) -> str:
        """The label in the form used in citations: half-width brackets folded to （…）."""
        return self.label.replace("(", "（").replace(")", "）")

    def heading(self) -> str:
        return f"{self.display_label}{self.title}" if self.label else self.title

    @property
    def norm(self) -> str:
        """The title and text as matched (``normalize``), computed when read and kept for the NORM_CACHE measures
        read last. Held by every measure, it was a third of a loaded corpus's memory (about 1 GB at 1,000,000
        measures), and only the few dozen candidates of a question read it. Code that reads every measure (word
        counts at a build) calls ``normalized`` instead, which does not churn the cache."""
        return _cached_norm(self.title, self.text)

    def responsibility_at(self, offset: int) -> Responsibility | None:
        """The clause whose span covers ``offset`` in ``text`` (a table row's span holds its unit cells), else the
        nearest following one."""
        for resp in self.responsibilities:
            if resp.span[0] <= offset < max(resp.span[1], resp.clause_span[1]):
                return resp
        for resp in self.responsibilities:
            if offset < resp.clause_span[1]:
                return resp
        return self.responsibilities[-1] if self.responsibilities else None


def normalized(title: str, text: str) -> str:
    """A measure's ``norm`` from its title and text."""
    return normalize(f"{title} {text}")


_cached_norm = lru_cache(maxsize=NORM_CACHE)(normalized)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Document:
    slug: str
    title: str
    issuer: str
    date: str
    script: str
    source: str
    path: str
    measures: tuple[Measure, ...] = field(default=(), repr=False)
    role: str = ""  # "primary" where the corpus config says so (front matter ``role`` or askplan.toml)
    region: str = ""  # the region the document governs (front matter ``region``), e.g. 安徽
    aliases: tuple[str, ...] = ()  # short names users call it by (front matter ``aliases``)
    coverage: float = 1.0  # share of the body's text (boilerplate aside) that lands in some measure
    # The short names the text gives units (…委员会（以下简称爱卫会）), read from every measure when it is loaded
    # (``corpus.responsibility.short_names``); None for a document made elsewhere, whose reader reads them itself.
    unit_short_names: tuple[str, ...] | None = None

    def citation(self, measure: Measure) -> str:
        """A paste-ready citation: 《title》（二十五）推進碳達峰碳中和; an article cites as 《title》第十二条."""
        if measure.label.startswith("第") and measure.label.endswith(("条", "條")):
            return f"《{self.title}》{measure.label}"
        return f"《{self.title}》{measure.heading()}"
