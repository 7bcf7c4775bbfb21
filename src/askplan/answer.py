"""From fused rankings to an answer: clause references answered directly, the responsibility clause that
covers the best-matching sentence for who-leads questions, and abstention when nothing answers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache

from askplan.corpus.responsibility import (
    DUTIES_OF,
    NamedUnit,
    canonical_unit,
    dedupe,
    head_name,
    named_units,
    parse_actors,
    split_joined,
    split_units,
)
from askplan.index.passages import sentence_spans
from askplan.intent import Asked
from askplan.models import Document, Measure, Responsibility
from askplan.normalize import normalize
from askplan.tokenize import bigrams


@dataclass(frozen=True)
class Hit:
    measure: Measure
    document: Document
    rank: int
    score: float
    legs: dict[str, dict[str, float]] = field(default_factory=dict)  # leg -> {"rank": r, "score": s}
    best_sentence: tuple[int, int] | None = None  # offsets into measure.text
    responsibility: Responsibility | None = None

    @property
    def citation(self) -> str:
        return self.document.citation(self.measure)


@dataclass(frozen=True)
class Answer:
    question: str
    normalized: str
    kind: str  # "clause" | "lead" | "topic" | "department" | "followup"
    answered: bool
    hits: tuple[Hit, ...]
    reason: str = ""
    coverage: float = 0.0
    dense_top: float = 0.0
    department: str | None = None  # kind "department": the unit (canonical name)
    check: str = ""  # what refused the answer: an answer type's name or "scorer" (empty when answered)
    confidence: float | None = None  # the answerability scorer's p(answerable), where it ran
    features: dict[str, float] = field(default_factory=dict, compare=False, repr=False)
    vector: tuple[float, ...] = field(default=(), compare=False, repr=False)  # the question's (askplan calibrate)
    follow_up: str = ""  # kind "followup": the intent answered (co_units, deadline, text …; see followup.py)
    reply: str = ""  # kind "followup": the answer in one line, from the previous clause
    context: str | None = None  # the previous clause's measure id the question was asked about
    suggestions: tuple[str, ...] = ()  # follow-up questions the top clause can answer
    total: int | None = None  # kind "department": the unit's clauses in all; ``hits`` is one page of them
    offset: int = 0  # kind "department": where the page starts in that list
    led: int = 0  # kind "department": how many of the ``total`` the unit leads

    @property
    def top(self) -> Hit | None:
        return self.hits[0] if self.hits else None

    @property
    def count(self) -> int:
        """How many clauses answer in all: ``total`` for a unit's paged list, else the hits."""
        return len(self.hits) if self.total is None else self.total

    @property
    def next_offset(self) -> int | None:
        """Where the next page of a unit's list starts, or None on its last page."""
        end = self.offset + len(self.hits)
        return end if self.total is not None and self.hits and end < self.total else None


def clause_spans(measure: Measure) -> list[tuple[int, int]]:
    """Sentences of a measure, also cut at the end of each responsibility clause."""
    return _clause_spans(measure.text, measure.responsibilities)


def _clause_spans(text: str, responsibilities: tuple[Responsibility, ...]) -> list[tuple[int, int]]:
    cuts = sorted(r.clause_span[1] for r in responsibilities)
    spans = []
    for start, end in sentence_spans(text):
        for cut in cuts:
            if start < cut < end:
                spans.append((start, cut))
                start = cut
        spans.append((start, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def best_sentence(measure: Measure, query_grams: set[str]) -> tuple[int, int] | None:
    """The sentence sharing most query bigrams (responsibility clauses themselves excluded); earliest on ties."""
    best, best_score = None, 0.0
    for start, end, grams in _sentence_grams(measure.id, measure.text, measure.responsibilities):
        score = len(grams & query_grams)
        if score > best_score:
            best, best_score = (start, end), score
    return best


def warm(measure: Measure, short: tuple[str, ...] = ()) -> None:
    """Cut a measure into its sentences, and a measure that marks no unit into its duties, before any question
    meets it (``AskplanService.warm_up``); ``short``: its document's short names for units."""
    _sentence_grams(measure.id, measure.text, measure.responsibilities)
    if all(r.prose for r in measure.responsibilities):
        _duty_parts(measure.text, False, short)


@lru_cache(maxsize=2048)
def _sentence_grams(mid: str, text: str, responsibilities: tuple) -> tuple[tuple[int, int, frozenset[str]], ...]:
    """(start, end, bigrams) of each sentence of a measure but its responsibility clauses: the same for every
    question, so a hit's sentences are cut and normalised once. Keyed by id, text and clauses (a rebuilt corpus
    reads no stale entry); bounded."""
    clause_starts = {r.clause_span[0] for r in responsibilities}
    return tuple((start, end, frozenset(bigrams(normalize(text[start:end]))))
                 for start, end in _clause_spans(text, responsibilities) if start not in clause_starts)


def coverage(query_grams: set[str], measure: Measure) -> float:
    if not query_grams:
        return 0.0
    return len(query_grams & set(bigrams(measure.norm))) / len(query_grams)


def responsibility_for(measure: Measure, sentence: tuple[int, int] | None, query_grams: set[str] | None = None,
                       asked: Asked | None = None, short: tuple[str, ...] = ()) -> Responsibility | None:
    """The responsibility clause covering ``sentence``; in a measure that marks none (no bracket, label or table
    cell), the organisation its prose gives the duty the question asks about (``prose_duty``)."""
    if any(not r.prose for r in measure.responsibilities):
        return measure.responsibility_at(sentence[0]) if sentence else measure.responsibilities[0]
    if (duty := heading_duty(measure, short)) and not _actors(measure.text) and not any(
            n.role == "actor" for n in _named(measure.text, short)):
        return duty  # an item of 2.1.1　国家粮食应急工作指挥部职责 that names no actor of its own
    if query_grams:
        return headed(prose_duty(measure.text, query_grams, asked or Asked(), short))
    actors = _actors(measure.text)
    return headed(actors[0]) if actors else None


# A heading that says whose duties follow (2.1.1　国家粮食应急工作指挥部职责, （三）市教育局的主要职责), or that is
# only a unit's name, over its duties (五、职责分工 / （二）区宣传与影视发展部 / 充分发挥电视、网络…)
_NUMERAL = r"[一二三四五六七八九十百\d]+"
_DUTY_HEADING = re.compile(rf"^(?:[\d.]+|第{_NUMERAL}[章节條条]|[（(]?{_NUMERAL}[)）、．.]?)?[\s\u3000]*"
                           rf"(?P<unit>[\u4e00-\u9fff（）()、]{{2,30}}?)(?:{DUTIES_OF})?[:：]?$")


def heading_duty(measure: Measure, short: tuple[str, ...] = ()) -> Responsibility | None:
    """The unit whose duties the heading of ``measure`` (its own title, else the heading over it) announces, if it
    announces one (``_DUTY_HEADING``)."""
    for heading in (measure.title, measure.chapter[-1] if measure.chapter else ""):
        if not (m := _DUTY_HEADING.match(heading.strip())):
            continue
        names = _named(m.group("unit"), short)
        if len(names) != 1 or names[0].end != len(m.group("unit")):  # the heading is one unit's name and no more
            continue
        unit = names[0].name
        return Responsibility(heading.strip(), (canonical_unit(unit),), (unit,), canonical_unit(unit), (),
                              (0, len(measure.text)), (0, 0), prose=True)
    return None


def headed(r: Responsibility | None) -> Responsibility | None:
    """A duty read from prose, its units named without what the sentence says of them (``head_name``)."""
    if r is None:
        return None
    verbatim = tuple(head_name(u) for u in r.units_verbatim)
    if verbatim == r.units_verbatim:
        return r
    units = dedupe(canonical_unit(u) for u in verbatim)
    return replace(r, units=units, units_verbatim=verbatim, lead=units[0] if units else None, co_units=units[1:])


_PART_CUT = re.compile(r"[，,；;。：:\n！？!?]")


def prose_duty(text: str, query_grams: set[str], asked: Asked, short: tuple[str, ...] = ()) -> Responsibility | None:
    """The organisation whose duty, as the prose states it, best matches the question.

    Candidates are the actors of the text's sentences (``parse_actors``) and the organisations it makes act
    (由X…, X负责…; ``named_units``); for a question asking where something goes (报给谁备案), also those things go
    to (报X备案, 向X申请). A candidate's part is the clause it stands in and those after it, to the end of its
    sentence (or on over sentences with no subject of their own) but not into the next candidate's clause; for a
    name inside its clause (日常工作由X承担, 编制方案，向X备案), also what comes before it in its sentence. Its own
    name is left out. A name after a condition that opens its sentence (经营者违反…，未…的，由X责令改正) has the
    whole condition in its part, and the parties named in it are no candidates: they break the rule X enforces.
    The part sharing most bigrams with the question wins (those of the asking clause counted twice), then most
    shared characters, then an actor, then the earliest. A question asking where something goes is answered by a unit
    things go to, where the text names one."""
    chars = {c for c in "".join(query_grams)} - _FUNCTION_CHARS - _GENERIC_CHARS
    best, best_key = None, None
    for i, (r, grams, part_chars, actor, goes_to) in enumerate(_duty_parts(text, asked.recipient, short)):
        key = (goes_to, 2 * len(asked.focus & grams) + len(query_grams & grams), len(chars & part_chars), actor, -i)
        if best_key is None or key > best_key:
            best, best_key = r, key
    return best


@lru_cache(maxsize=4096)
def _duty_parts(text: str, recipients: bool, short: tuple[str, ...] = ()
                ) -> tuple[tuple[Responsibility, frozenset[str], frozenset[str], bool, bool], ...]:
    """(candidate, its part's bigrams, its part's characters, an actor?, a unit things go to, where asked?) of
    ``prose_duty``, in reading order: the
    same for every question (but for whether units things go to compete), so cut and normalised once."""
    actors = list(_actors(text))
    names = _named(text, short)
    for i, a in enumerate(actors):  # an actor's shortest name that goes on into a close one: 市政府办公室数字政府专班
        start = text.find(a.units_verbatim[0], a.clause_span[0])
        longer = next((n for n in names if n.start == start and n.end > start + len(a.units_verbatim[0])), None)
        if longer and len(a.units_verbatim) == 1:
            actors[i] = _named_responsibility(text, longer)
    cands = list(actors)
    goes_to = set()
    for n in names:
        wanted = n.role == "actor" or (recipients and n.role == "recipient")
        if wanted and not any(a.clause_span[0] <= n.start < a.clause_span[1] or n.start <= a.clause_span[0] < n.end
                              for a in actors):
            cands.append(_named_responsibility(text, n))
            if n.role == "recipient":
                goes_to.add(n.start)
    if not cands:  # a text that makes no one act: any organisation it names
        cands = [_named_responsibility(text, n) for n in names]
    cands.sort(key=lambda r: r.clause_span[0])
    cuts = [m.end() for m in _PART_CUT.finditer(text)]
    starts = [max((c for c in cuts if c <= r.clause_span[0]), default=0) for r in cands]
    out, conditioned = [], set()
    for i, (r, start) in enumerate(zip(cands, starts, strict=True)):
        following = next((s for s in starts[i + 1:] if s > start), len(text))
        closing = text[r.clause_span[1] - 1:r.clause_span[1]]  # the last character of the candidate's clause
        if closing in ("：", ":"):  # a unit labelling a line: 区气象局：…。…。
            end = min(line_end if (line_end := text.find("\n", r.clause_span[1])) >= 0 else len(text), following)
        elif closing == "\n":  # a heading over its duties: 区减灾委职责⏎…
            end = following
        else:
            end = min(_sentence_end(text, r.clause_span[1], following), following)
        part = text[start:end]
        previous = cands[i - 1].clause_span[1] if i else 0
        if text[start:r.clause_span[0]].strip():
            # a name inside its clause (…由X承担, 编制方案，向X备案): what comes before it in its sentence is its
            # duty too, back to the previous candidate's name
            part = text[max(_sentence_start(text, r.clause_span[0]), previous):start] + part
        elif (condition := _CONDITION_BEFORE.search(text, 0, start)) and not _DUTY_IN.search(
                text, sentence_start := _sentence_start(text, start), condition.start()):
            # a name after a condition that opens its sentence (经营者违反本规定，未设置…标识的，由X责令改正): the
            # condition is X's duty too, and a party named in it (经营者) only breaks the rule X enforces
            part = text[sentence_start:start] + part
            conditioned.update(j for j in range(i) if cands[j].clause_span[0] >= sentence_start)
        elif condition or (
                text.startswith("由", r.clause_span[0]) and (condition := _CLAUSE_BEFORE.search(text, 0, start))):
            # a name after a condition following a duty (…负责…；情节严重的，由X处理), or after 由 in a clause of its
            # own (…保障方案，由X制定): the clause before is its duty too
            clause_start = max((m.end() for m in _PART_CUT.finditer(text, 0, condition.start())), default=0)
            part = text[max(clause_start, previous):start] + part
        for name in r.units_verbatim:
            part = part.replace(name, "\u3000")
        norm = normalize(_ALIAS_NOTE.sub("", part))
        grams = frozenset(g for g in bigrams(norm) if not _FUNCTION_CHARS.intersection(g))
        out.append((r, grams, frozenset(norm), r in actors, r.clause_span[0] in goes_to))
    return tuple(part for j, part in enumerate(out) if j not in conditioned)


_FUNCTION_CHARS = frozenset("的了是和与及或谁哪个么呢吗吧啊")  # bigrams with these match by accident (的大 of 的大气)
_GENERIC_CHARS = frozenset("部门单位机构政府局委厅办到底归管理负责牵头")  # in every part that names a unit or duty
_GOES_ON = re.compile(r"\s*(?:要|应当|應當|应|應|并|並|同时|同時|还|還|负责|負責|会同|會同"
                      r"|统筹|統籌|加强|加強|推动|推動|做好)")
_FULL_STOP = re.compile(r"[。！？!?\n]")  # a duty's sentence goes on over ；: 应急管理部门统筹…；组织指导…；依法监督…
_SENTENCE_CUT = re.compile(r"[。；;！？!?\n]")
_CONDITION_BEFORE = re.compile(r"的\s*[，,]\s*$")  # a clause ending in 的 states a condition: 违反…规定的，
_CLAUSE_BEFORE = re.compile(r"(?<![。；;！？!?\n])[，,]\s*$")  # a clause of the same sentence ends just before
# a duty stated before a condition (X负责…，发现…的，由Y处理; 违反…的，进行劝阻，情节严重的，由Y处理): the condition
# is not the whole sentence
_DUTY_IN = re.compile(r"负责|負責|牵头|牽頭|承担|承擔|会同|會同|应当|應當|组织|組織|的\s*[，,]")


def _sentence_start(text: str, at: int) -> int:
    return max((m.end() for m in _SENTENCE_CUT.finditer(text, 0, at)), default=0)

_ALIAS_NOTE = re.compile(r"[（(](?:以下|下同)?(?:简称|簡稱|统称|統稱)[^（）()]{0,20}[）)]")


def _sentence_end(text: str, at: int, limit: int) -> int:
    """Where the duty stated from ``at`` ends: at the end of its sentence, or further on while the next sentences
    of the line go on without a subject of their own (海关总署要…。要加大统筹协调力度，会同…), or to ``limit`` after a
    lead-in ending in a colon (…履行下列职责：)."""
    end = at
    while (m := _FULL_STOP.search(text, end)) and m.end() < limit:
        if text[:m.start()].rstrip().endswith(("：", ":")):
            return limit
        end = m.end()
        if text[m.start()] == "\n" or not _GOES_ON.match(text, end):
            return end
    return limit


def _named_responsibility(text: str, n: NamedUnit) -> Responsibility:
    """A named organisation as a prose duty covering its sentence from the name on, like ``parse_actors``'s."""
    units = [u for part in split_units(n.name) for u in split_joined(part)]
    folded = dedupe(canonical_unit(u) for u in units)
    stop = m.start() if (m := _SENTENCE_CUT.search(text, n.end)) else len(text)
    return Responsibility(text[n.start:stop], folded, tuple(units), folded[0] if folded else None, folded[1:],
                          (n.start, stop), (n.start, n.end), prose=True)


_actors = lru_cache(maxsize=8192)(parse_actors)
_named = lru_cache(maxsize=8192)(named_units)
