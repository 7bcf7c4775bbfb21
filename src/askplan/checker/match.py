"""Fast approximate search for a span of the draft in the corpus: a character-trigram index over the content
keys of every measure finds diagonals of shared trigrams; runs on nearby diagonals are chained (a changed word
or a dropped phrase shifts the diagonal); ``difflib.SequenceMatcher`` then aligns the draft span with the
chain's window of the clause, and its opcodes, mapped back to original characters, are the diff."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher

from askplan.checker.models import DiffPart
from askplan.checker.text import MASK, Keyed, fold_aligned, keyed
from askplan.models import Measure
from askplan.normalize import to_simplified_display

GRAM = 3
MAX_POSTINGS = 400  # trigrams more common than this carry no evidence of where a span comes from
MIN_RUN = 5  # shortest exact run (characters) that starts or extends a chain
MAX_DRAFT_GAP = 16  # characters of the draft a chain may skip between runs (an inserted or changed phrase)
MAX_SOURCE_GAP = 40  # characters of the clause a chain may skip (a dropped phrase)


@dataclass(frozen=True)
class Source:
    """One measure as searched: its heading and text (original), folded, and keyed."""

    row: int
    measure: Measure
    text: str
    keyed: Keyed


@dataclass(frozen=True)
class Chain:
    row: int
    a: int  # draft key range [a, b)
    b: int
    c: int  # source key range [c, d)
    d: int
    covered: int  # draft characters inside exact runs


@dataclass(frozen=True)
class Alignment:
    """A draft key range aligned with a source key range; ``ratio`` as SequenceMatcher's."""

    source: Source
    a: int
    b: int
    c: int
    d: int
    ratio: float
    exact: bool


def source_text(measure: Measure) -> str:
    return f"{measure.title}\n{measure.text}" if measure.title else measure.text


class TrigramIndex:
    def __init__(self, measures: tuple[Measure, ...]):
        self.sources: list[Source] = []
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for row, m in enumerate(measures):
            text = source_text(m)
            k = keyed(fold_aligned(text))
            self.sources.append(Source(row, m, text, k))
            for j in range(len(k.key) - GRAM + 1):
                self.postings[k.key[j : j + GRAM]].append((row, j))

    def chains(self, key: str, allowed: set[str] | None = None) -> list[Chain]:
        """Chains of exact runs shared with the corpus, best (most draft characters covered) first."""
        diagonals: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i in range(len(key) - GRAM + 1):
            gram = key[i : i + GRAM]
            postings = self.postings.get(gram, ())
            if MASK in gram or len(postings) > MAX_POSTINGS:
                continue
            for row, j in postings:
                if allowed is None or self.sources[row].measure.doc in allowed:
                    diagonals[(row, j - i)].append(i)
        runs: dict[int, list[tuple[int, int, int]]] = defaultdict(list)  # row -> (a, b, diagonal)
        for (row, diag), starts in diagonals.items():
            for a, b in _runs(starts):
                if b - a >= MIN_RUN:
                    runs[row].append((a, b, diag))
        chains = [chain for row, rs in runs.items() for chain in _chains(row, rs, key)]
        return sorted(chains, key=lambda c: (-c.covered, c.row, c.a))

    def align(self, key: str, chain: Chain, *, whole: bool) -> Alignment:
        """Align the draft key (all of it when ``whole``, else the chain's range) with the chain's window."""
        src = self.sources[chain.row]
        a, b = (0, len(key)) if whole else (chain.a, chain.b)
        lo = max(0, chain.c - (chain.a - a) - GRAM)
        hi = min(len(src.keyed.key), chain.d + (b - chain.b) + GRAM)
        part, window = key[a:b], src.keyed.key[lo:hi]
        found = window.find(part)
        if found >= 0:
            return Alignment(src, a, b, lo + found, lo + found + len(part), 1.0, True)
        blocks = [blk for blk in SequenceMatcher(None, part, window, autojunk=False).get_matching_blocks()
                  if blk.size]
        if not blocks:
            return Alignment(src, a, b, lo, lo, 0.0, False)
        c, d = lo + blocks[0].b, lo + blocks[-1].b + blocks[-1].size
        matched = sum(blk.size for blk in blocks)
        return Alignment(src, a, b, c, d, 2 * matched / (len(part) + d - c), False)


def _runs(starts: list[int]) -> list[tuple[int, int]]:
    """Consecutive trigram starts on one diagonal -> key ranges [a, b) matched exactly."""
    out, first, last = [], starts[0], starts[0]
    for i in starts[1:]:
        if i > last + 1:
            out.append((first, last + GRAM))
            first = i
        last = i
    out.append((first, last + GRAM))
    return out


def _chains(row: int, runs: list[tuple[int, int, int]], key: str, most: int = 4) -> list[Chain]:
    """Disjoint chains of one measure, heaviest first: a draft sentence may copy two passages of one clause."""
    out = []
    runs = sorted(runs)
    while runs and len(out) < most:
        chain, used = _best_chain(row, runs, key)
        out.append(chain)
        runs = [r for n, r in enumerate(runs) if n not in used]
    return out


def _best_chain(row: int, runs: list[tuple[int, int, int]], key: str) -> tuple[Chain, set[int]]:
    """The heaviest sequence of runs (sorted) moving forward in both texts with small gaps, never across a
    masked character of ``key`` (dynamic programming), and the indexes of the runs it uses."""
    best: list[tuple[int, int]] = []  # (covered, previous index)
    for n, (a, b, diag) in enumerate(runs):
        score, prev = b - a, -1
        for m in range(n):
            pa, pb, pdiag = runs[m]
            gap_draft, gap_source = a - pb, (a + diag) - (pb + pdiag)
            if not (pa < a and -GRAM < gap_draft <= MAX_DRAFT_GAP and -GRAM < gap_source <= MAX_SOURCE_GAP) \
                    or MASK in key[pb:a]:
                continue
            candidate = best[m][0] + b - max(a, pb)
            if candidate > score:
                score, prev = candidate, m
        best.append((score, prev))
    n = max(range(len(runs)), key=lambda i: best[i][0])
    covered, last, used = best[n][0], runs[n], {n}
    while best[n][1] >= 0:
        n = best[n][1]
        used.add(n)
    first = runs[n]
    return Chain(row, first[0], last[1], first[0] + first[2], last[1] + last[2], covered), used


def diff(draft: str, draft_keyed: Keyed, a: int, b: int, source: Source, c: int, d: int) -> tuple[DiffPart, ...]:
    """Character diff of draft key [a, b) against source key [c, d), as original text of both sides."""
    ours, theirs = draft_keyed.key[a:b], source.keyed.key[c:d]
    parts = []
    names = {"equal": "equal", "replace": "replace", "delete": "extra", "insert": "missing"}
    ops = widen_to_words(merge_ops(SequenceMatcher(None, ours, theirs, autojunk=False).get_opcodes()), theirs)
    for op, i1, i2, j1, j2 in ops:
        mine = draft[draft_keyed.bound(a + i1):_bound_in(draft_keyed, a + i2, b)] if i2 > i1 else ""
        real = source.text[source.keyed.bound(c + j1):_bound_in(source.keyed, c + j2, d)] if j2 > j1 else ""
        parts.append(DiffPart(names[op], mine, real, to_simplified_display(real)))
    return tuple(parts)


def merge_ops(ops: list[tuple[str, int, int, int, int]]) -> list[tuple[str, int, int, int, int]]:
    """Changes separated by at most one equal character become one change (服务[-功-]能{+力+} -> 服务[-功能-]{+能力+}),
    which is how a reader sees a changed word."""
    out: list[tuple[str, int, int, int, int]] = []
    for op in ops:
        if op[0] != "equal" and out and out[-1][0] != "equal":
            out.append(_joined(out.pop(), op))
        elif op[0] != "equal" and len(out) >= 2 and out[-2][0] != "equal" and out[-1][2] - out[-1][1] <= 1:
            equal = out.pop()
            out.append(_joined(_joined(out.pop(), equal), op))
        else:
            out.append(op)
    return out


def widen_to_words(ops: list[tuple[str, int, int, int, int]], theirs: str,
                   most: int = 3) -> list[tuple[str, int, int, int, int]]:
    """Stretch each replacement to the words (jieba, on the clause side) it cuts into, borrowing at most
    ``most`` equal characters a side: 统[-筹-]{+一+} reads 「统一」原文作「统筹」."""
    from askplan.tokenize import _jieba

    starts, ends = {0, len(theirs)}, {0, len(theirs)}
    for _, a, b in _jieba().tokenize(theirs):
        starts.add(a)
        ends.add(b)
    ops = [list(op) for op in ops]
    for k, op in enumerate(ops):
        if op[0] != "replace":
            continue
        before = ops[k - 1] if k > 0 and ops[k - 1][0] == "equal" else None
        after = ops[k + 1] if k + 1 < len(ops) and ops[k + 1][0] == "equal" else None
        head = min(op[3] - max(s for s in starts if s <= op[3]), most, before[2] - before[1] if before else 0)
        tail = min(min(e for e in ends if e >= op[4]) - op[4], most, after[2] - after[1] if after else 0)
        if before and head:
            before[2], before[4] = before[2] - head, before[4] - head
        if after and tail:
            after[1], after[3] = after[1] + tail, after[3] + tail
        op[1:] = [op[1] - head, op[2] + tail, op[3] - head, op[4] + tail]
    return [tuple(op) for op in ops if op[0] != "equal" or op[2] > op[1]]


def _joined(a: tuple[str, int, int, int, int], b: tuple[str, int, int, int, int]) -> tuple[str, int, int, int, int]:
    i1, i2, j1, j2 = a[1], b[2], a[3], b[4]
    tag = "replace" if i2 > i1 and j2 > j1 else "delete" if i2 > i1 else "insert"
    return tag, i1, i2, j1, j2


def _bound_in(k: Keyed, i: int, limit: int) -> int:
    """End offset of key range ending at ``i``: trailing punctuation is kept only inside the compared range."""
    return k.bound(i) if i < limit else k.pos[i - 1] + 1
