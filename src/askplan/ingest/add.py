"""``askplan add`` and ``askplan remove`` on the corpus folder: a file becomes ``<slug>.txt`` with front matter,
checked by the corpus loader before it replaces anything. Every file of a call is extracted and checked first;
only then are they moved in (temp file + ``os.replace``), so bad input leaves the corpus as it was."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from askplan.corpus.loader import SLUG, check_document, parse_front_matter, slug_problem
from askplan.errors import BadInput, CorpusError, NotFound
from askplan.ingest.extract import extract
from askplan.ingest.frontmatter import infer

log = logging.getLogger(__name__)
ORIGIN_KEY = "added_from"  # front-matter key naming the file a text was added from, so re-adding replaces it


@dataclass(frozen=True)
class Overrides:
    title: str = ""
    issuer: str = ""
    date: str = ""
    slug: str = ""
    region: str = ""


@dataclass(frozen=True)
class Staged:
    """A checked corpus text waiting in a temporary file."""

    slug: str
    title: str
    measures: int
    with_responsibility: int
    coverage: float
    temp: Path
    target: Path
    replaces: bool
    unchanged: bool
    warnings: tuple[str, ...]


def corpus_text(path: Path, overrides: Overrides) -> tuple[str, str]:
    """(slug, the whole corpus text) for ``path``; BadInput naming what is missing and the flag that gives it."""
    extracted = extract(path)
    found = infer(extracted.lines, extracted.meta)
    meta = {"title": overrides.title or found.title, "issuer": overrides.issuer or found.issuer,
            "date": overrides.date or found.date}
    missing = [k for k, v in meta.items() if not v]
    if missing:
        flags = " ".join(f"--{k} {'YYYY-MM-DD' if k == 'date' else '…'}" for k in missing)
        raise BadInput(f"{path.name}: could not find the {', '.join(missing)} in the text; pass {flags}")
    slug = overrides.slug or slug_for(path, meta["title"], meta["date"])
    if problem := slug_problem(slug):
        raise BadInput(f"slug {slug!r} is not valid: {problem} (pass --slug)")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    header = {**meta, "script": found.script, "source": f"{path.name} (sha256 {digest}), added with askplan add",
              ORIGIN_KEY: path.name}
    if found.doc_number and found.doc_number not in meta["title"]:
        header["doc_number"] = found.doc_number
    if overrides.region:
        header["region"] = overrides.region
    front = "".join(f"{k}: {_one_line(v)}\n" for k, v in header.items())
    return slug, f"---\n{front}---\n" + "\n".join(extracted.lines) + "\n"


def _one_line(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def slug_for(path: Path, title: str, date: str) -> str:
    """The file name if it is already a slug-like ASCII name, else pinyin initials of the title and the year."""
    stem = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    if len(re.sub(r"[^a-z]", "", stem)) >= 3:
        return stem[:60].strip("-")
    from pypinyin import Style, lazy_pinyin

    core = re.sub(r"[^\u4e00-\u9fff]", "", title)[:16]
    initials = "".join(lazy_pinyin(core, style=Style.FIRST_LETTER)).lower()
    initials = re.sub(r"[^a-z0-9]", "", initials) or "doc"
    return f"{initials}-{date[:4]}" if date else initials


def stage(paths: list[Path], corpus_dir: Path, overrides: Overrides, workdir: Path) -> list[Staged]:
    """Extract, write and check every file in ``workdir``; BadInput on the first that fails."""
    if len(paths) > 1 and (overrides.slug or overrides.title):
        raise BadInput("--slug and --title name one document; add the files one at a time")
    staged: list[Staged] = []
    for path in paths:
        slug, text = corpus_text(path, overrides)
        if any(s.slug == slug for s in staged):
            raise BadInput(f"two files would both become {slug}.txt; add them one at a time with --slug")
        target = corpus_dir / f"{slug}.txt"
        replaces = _check_slug_free(target, path)
        temp = workdir / f"{slug}.txt"
        temp.write_text(text, encoding="utf-8")
        try:
            doc, problems = check_document(temp)
        except CorpusError as exc:
            raise BadInput(f"{path.name}: the text does not parse as a corpus document: {exc.reason}") from None
        serious = [p for p in problems if "text in no measure" in p.message or "measures (" in p.message]
        if serious:
            raise BadInput(f"{path.name}: {serious[0].message}")
        unchanged = replaces and target.read_bytes() == temp.read_bytes()
        staged.append(Staged(slug, doc.title, len(doc.measures), sum(bool(m.responsibilities) for m in doc.measures),
                             doc.coverage, temp, target, replaces, unchanged,
                             tuple(p.message for p in problems)))
    return staged


def _check_slug_free(target: Path, source: Path) -> bool:
    """True when ``target`` holds an earlier version of the same file (it will be replaced); BadInput when it
    holds another document."""
    if not target.exists():
        return False
    try:
        meta, _, _ = parse_front_matter(target.read_text(encoding="utf-8"), str(target))
    except (CorpusError, UnicodeDecodeError):
        meta = {}
    if meta.get(ORIGIN_KEY) == source.name:
        return True
    raise BadInput(f"slug {target.stem!r} is taken by another document ({meta.get('title', target.name)}); "
                   f"pass --slug NEW, or take it out first with: askplan remove {target.stem}")


def workdir_in(corpus_dir: Path) -> Path:
    """A temporary folder inside the corpus folder (same file system, so os.replace is atomic; the loader reads
    only ``*.txt`` at the top level, so it never sees it)."""
    if not corpus_dir.is_dir():
        raise BadInput(f"corpus folder {corpus_dir} does not exist; create it or pass --corpus DIR")
    try:
        return Path(tempfile.mkdtemp(prefix=".askplan-add-", dir=corpus_dir))
    except OSError as exc:
        raise BadInput(f"cannot write to the corpus folder {corpus_dir} ({exc.strerror}); pass --corpus with a "
                       "folder you can write") from None


def commit(staged: list[Staged]) -> dict[Path, bytes | None]:
    """Move staged texts into place; returns what each target held before, for ``rollback``."""
    before: dict[Path, bytes | None] = {}
    for s in staged:
        if s.unchanged:
            continue
        before[s.target] = s.target.read_bytes() if s.target.exists() else None
        os.replace(s.temp, s.target)
    return before


def rollback(before: dict[Path, bytes | None]) -> None:
    for target, data in before.items():
        if data is None:
            target.unlink(missing_ok=True)
        else:
            tmp = target.with_suffix(".rollback")
            tmp.write_bytes(data)
            os.replace(tmp, target)


def discard(workdir: Path) -> None:
    shutil.rmtree(workdir, ignore_errors=True)


def remove_text(corpus_dir: Path, slug: str) -> bytes:
    """Delete ``<slug>.txt``; returns its bytes (for a rollback). NotFound lists the known slugs."""
    target = corpus_dir / f"{slug}.txt"
    if not SLUG.match(slug) or not target.is_file():
        known = ", ".join(sorted(p.stem for p in corpus_dir.glob("*.txt"))) if corpus_dir.is_dir() else ""
        raise NotFound(f"no document {slug!r} in {corpus_dir}; known: {known}")
    data = target.read_bytes()
    target.unlink()
    return data
