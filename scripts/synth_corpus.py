"""A synthetic corpus for scale benchmarks: realistic measures recombined from a real corpus's sentences,
responsibility clauses, titles and figures, written as ordinary corpus files (front matter + numbered clauses,
corpus/README.md) so the normal loader parses them. Deterministic: the same seed and sizes give the same bytes.

Each document is a notice paragraph (key ``0``) followed by ``一、``… chapters of ``（一）``… clauses numbered
straight through (keys ``1`` … ``per_doc - 1``), so it holds exactly ``per_doc`` measures.

    python scripts/synth_corpus.py OUT_DIR --measures 10000 [--per-doc 1000] [--seed 0] [--source corpus]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

MAX_PER_DOC = 1000  # clause labels go up to （九百九十九）, the largest the numeral parser reads
_FIGURE = re.compile(r"\d+(?:\.\d+)?")
_DIGITS = "零一二三四五六七八九"
_LABEL = re.compile(r"^(?:第\S{1,5}?[编章节條条]|\S{1,5}?、|[（(]\S{1,5}?[)）]|\d{1,3}[.．﹒])\s*")
_OWNER_CUE = re.compile(r"责任|牵头|负责|配合")  # a title with one would read as a clause on the heading line


@dataclass(frozen=True)
class Pools:
    """What a generated measure is made of, all in Simplified script as printed (full-width punctuation)."""

    sentences: tuple[str, ...]
    clauses: tuple[str, ...]  # responsibility clauses as printed: （责任单位：…） / （…牵头，…配合）
    titles: tuple[str, ...]  # clause titles
    chapters: tuple[str, ...]  # chapter titles
    issuers: tuple[str, ...]
    figures: tuple[str, ...]  # numbers that occur in the texts: 2025, 65, 2.8 …


def cn_numeral(n: int) -> str:
    """1..999 as printed in clause labels: 一, 十, 十一, 二十五, 一百, 一百零五, 九百九十九."""
    if not 0 < n < 1000:
        raise ValueError(f"clause numbers run from 1 to 999, not {n}")
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    out = f"{_DIGITS[hundreds]}百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else _DIGITS[tens]) + "十"
    elif hundreds and units:
        out += "零"
    return out + (_DIGITS[units] if units else "")


def pools_from(corpus_dir: Path) -> Pools:
    """Sentences (responsibility clauses cut out), clauses, titles and figures of every measure of a corpus."""
    from askplan.corpus import load_corpus
    from askplan.index.passages import sentence_spans
    from askplan.normalize import to_simplified_display

    corpus = load_corpus(corpus_dir)
    if not corpus.measures:
        raise SystemExit(f"synth_corpus: no measures in {corpus_dir}; pass --source with a corpus folder")
    sentences, clauses, titles, chapters = {}, {}, {}, {}
    for m in corpus.measures:
        text = m.text
        for r in sorted(m.responsibilities, key=lambda r: -r.clause_span[0]):
            clauses[to_simplified_display(r.text.strip())] = None
            text = text[: r.clause_span[0]] + text[r.clause_span[1]:]
        for start, end in sentence_spans(text):
            piece = to_simplified_display(re.sub(r"\s+", "", text[start:end]))
            if 8 <= len(piece) <= 200 and piece.endswith(("。", "；")) and not piece.startswith(("（", "(")):
                sentences[piece] = None
        title = _LABEL.sub("", to_simplified_display(m.title or "")).rstrip("。；")
        if 4 <= len(title) <= 30 and "。" not in title and not _OWNER_CUE.search(title):
            titles[title] = None
        chapter = _LABEL.sub("", to_simplified_display(m.chapter[-1] if m.chapter else "")).rstrip("。；")
        if 2 <= len(chapter) <= 30 and not _OWNER_CUE.search(chapter):
            chapters[chapter] = None
    figures = {f: None for s in sentences for f in _FIGURE.findall(s)}
    pools = Pools(*(tuple(sorted(p)) for p in (sentences, clauses, titles, chapters)),
                  tuple(sorted({to_simplified_display(d.issuer) for d in corpus.documents})), tuple(sorted(figures)))
    if not (pools.sentences and pools.titles and pools.chapters):
        raise SystemExit(f"synth_corpus: {corpus_dir} has too little text to recombine (sentences, titles, chapters)")
    return pools


def _sentence(rng: random.Random, pools: Pools) -> str:
    """A sentence of the pool, its figures swapped for others of the pool half of the time."""
    s = rng.choice(pools.sentences)
    if pools.figures and rng.random() < 0.5:
        s = _FIGURE.sub(lambda _: rng.choice(pools.figures), s)
    return s


def _clause(rng: random.Random, pools: Pools) -> str:
    title = rng.choice(pools.titles)
    body = "".join(_sentence(rng, pools) for _ in range(rng.randint(2, 5)))
    if pools.clauses and rng.random() < 0.8:
        body += rng.choice(pools.clauses)
    return f"{title}。\n\n{body}"


def document_text(index: int, per_doc: int, rng: random.Random, pools: Pools, seed: int) -> str:
    """One corpus file of exactly ``per_doc`` measures: a notice paragraph and ``per_doc - 1`` clauses."""
    if not 1 <= per_doc <= MAX_PER_DOC:
        raise ValueError(f"--per-doc must be between 1 and {MAX_PER_DOC}, not {per_doc}")
    year = rng.randint(2019, 2026)
    title = f"关于{rng.choice(pools.chapters)}的行动方案（合成第{index + 1}号）"
    front = (f"---\ntitle: {title}\nissuer: {rng.choice(pools.issuers)}\ndate: {year}-{rng.randint(1, 12):02d}-"
             f"{rng.randint(1, 28):02d}\nscript: simplified\nsource: synthetic, scripts/synth_corpus.py seed {seed} "
             f"document {index}\n---\n")
    lines = [title, "", "".join(_sentence(rng, pools) for _ in range(2)), ""]
    clauses = per_doc - 1
    chapters = max(1, min(99, clauses // 100 + (clauses % 100 > 0)))
    chapter_titles: list[str] = []
    for n in range(1, clauses + 1):
        if (n - 1) * chapters // max(clauses, 1) == len(chapter_titles):
            chapter_titles.append(rng.choice(pools.chapters))
            lines += [f"{cn_numeral(len(chapter_titles))}、{chapter_titles[-1]}", ""]
        lines += [f"（{cn_numeral(n)}）{_clause(rng, pools)}", ""]
    return front + "\n".join(lines)


def generate(out_dir: Path, measures: int, *, per_doc: int = MAX_PER_DOC, seed: int = 0,
             source: Path | None = None) -> list[Path]:
    """Write ``measures`` measures (``per_doc`` per file, the last file the remainder) into ``out_dir``, which
    must not exist yet: files are written in a temporary sibling, then moved in one rename."""
    if measures < 1:
        raise ValueError("--measures must be at least 1")
    if not 1 <= per_doc <= MAX_PER_DOC:
        raise ValueError(f"--per-doc must be between 1 and {MAX_PER_DOC}, not {per_doc}")
    if out_dir.exists():
        raise FileExistsError(f"{out_dir} exists; remove it or pick another folder")
    pools = pools_from(source or Path(__file__).resolve().parents[1] / "corpus")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        sizes = [per_doc] * (measures // per_doc) + ([measures % per_doc] if measures % per_doc else [])
        for i, size in enumerate(sizes):
            rng = random.Random(f"{seed}/{i}")  # one stream per file: a file's bytes do not depend on the others
            (tmp / f"synth-{i:05d}.txt").write_text(document_text(i, size, rng, pools, seed), encoding="utf-8")
        os.replace(tmp, out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return sorted(out_dir.glob("*.txt"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to create (must not exist)")
    parser.add_argument("--measures", type=int, required=True)
    parser.add_argument("--per-doc", type=int, default=MAX_PER_DOC)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--source", type=Path, default=None, help="corpus to recombine (default: corpus/)")
    args = parser.parse_args(argv)
    try:
        files = generate(args.out, args.measures, per_doc=args.per_doc, seed=args.seed, source=args.source)
    except (ValueError, FileExistsError) as exc:
        print(f"synth_corpus: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {len(files)} files, {args.measures} measures, to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
