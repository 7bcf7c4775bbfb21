"""Reading corpus folders: front matter, validation and the ``corpus check`` report. A bad file becomes a
``Problem``; it never stops the other files from loading."""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from askplan.corpus import measure_store, parse_cache
from askplan.corpus.config import CONFIG_NAME, CorpusConfig, load_config
from askplan.corpus.coverage import body_coverage
from askplan.corpus.parser import parse_body
from askplan.corpus.responsibility import short_names
from askplan.errors import CorpusError, NotFound
from askplan.models import Document, Measure

log = logging.getLogger(__name__)

REQUIRED_KEYS = ("title", "issuer", "date", "script", "source")
SCRIPTS = ("traditional", "simplified")
SLUG_MAX = 120
SLUG = re.compile(rf"^[a-z0-9][a-z0-9-]{{0,{SLUG_MAX - 1}}}$")


def slug_problem(slug: str) -> str | None:
    """What is wrong with a document's slug (its file name without .txt), said so that it can be fixed; None
    when it is valid."""
    if SLUG.match(slug):
        return None
    if len(slug) > SLUG_MAX and SLUG.match(slug[:SLUG_MAX]):
        return f"it is {len(slug)} characters long and the limit is {SLUG_MAX}; shorten it"
    return "use lower-case letters, digits and hyphens only, starting with a letter or digit, e.g. anhui-plan-2021"
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


@dataclass(frozen=True)
class Corpus:
    root: Path
    documents: tuple[Document, ...]
    problems: tuple[Problem, ...] = ()
    config: CorpusConfig = field(default_factory=CorpusConfig, repr=False, compare=False)
    known_fingerprint: str | None = field(default=None, repr=False, compare=False)  # read back (``load_corpus``)

    @property
    def primary(self) -> Document | None:
        """The document the corpus config marks ``role: primary``, if any."""
        return next((d for d in self.documents if d.role == "primary"), None)

    @cached_property
    def measures(self) -> Sequence[Measure]:
        """Every measure in a fixed order: documents by slug, measures in reading order (row i = measure i).
        Computed once: callers index it on every question. Documents read back from the parse cache keep their
        measures in its files (``measure_store``), and so does this sequence; otherwise a tuple."""
        if self._stored:
            return measure_store.CorpusMeasures(self.documents, self._starts)
        return tuple(m for d in self.documents for m in d.measures)

    @cached_property
    def rows(self) -> Mapping[str, int]:
        """Each measure's row (its index in ``measures``) by id: the one table from ids, for lookups by id too."""
        if self._stored:
            return measure_store.CorpusRows(self.documents, self._starts, self._part)
        return {m.id: row for row, m in enumerate(self.measures)}

    @property
    def ids(self) -> Sequence[str]:
        """Every measure's id in row order, without building stored measures."""
        if self._stored:
            return measure_store.CorpusIds(self.documents, self._starts)
        return [m.id for m in self.measures]

    def document_rows(self, slug: str | None) -> range:
        """The rows of ``slug``'s measures (empty for a document not in the corpus, or None)."""
        at = self._part.get(slug)
        return range(0) if at is None else range(self._starts[at], self._starts[at + 1])

    @cached_property
    def _stored(self) -> bool:
        return measure_store.stored(self.documents)

    @cached_property
    def _part(self) -> dict[str, int]:
        """Each document's place in ``documents`` by slug."""
        return {d.slug: i for i, d in enumerate(self.documents)}

    @cached_property
    def _starts(self) -> list[int]:
        """Each document's first row, and the number of rows last."""
        return [0, *itertools.accumulate(len(d.measures) for d in self.documents)]

    @cached_property
    def _by_slug(self) -> dict[str, Document]:
        return {d.slug: d for d in self.documents}

    def document(self, slug: str) -> Document:
        if (doc := self._by_slug.get(slug)) is not None:
            return doc
        raise NotFound(f"no document {slug!r}; known: {', '.join(d.slug for d in self.documents)}")

    def measure(self, measure_id: str) -> Measure:
        try:
            return self.measures[self.rows[measure_id]]
        except KeyError:
            doc = measure_id.split("/", 1)[0]
            self.document(doc)
            raise NotFound(f"no measure {measure_id!r}; list them with: askplan measures --doc {doc}") from None

    def fingerprint(self) -> str:
        """sha256 over every file's name and bytes and over how they were cut into measures (ids and spans): the
        index records it to notice a changed corpus, or the same files parsed differently by a newer askplan.
        Computed once (it reads every file: 0.7 s at 1,000,000 measures)."""
        return self._fingerprint

    @cached_property
    def _fingerprint(self) -> str:
        return self.known_fingerprint or fingerprint_of(self.documents, lambda doc: Path(doc.path).read_bytes())


def fingerprint_of(documents, read) -> str:
    """``Corpus.fingerprint`` of ``documents`` (in slug order), ``read(document)`` giving its file's bytes."""
    digest = hashlib.sha256()
    for doc in documents:
        digest.update(doc.slug.encode() + b"\0" + read(doc) + b"\0")
        digest.update("".join(f"{m.id}:{m.start}:{m.end}\n" for m in doc.measures).encode())
    return digest.hexdigest()


def corpus_files(root: Path) -> list[Path]:
    if not root.is_dir():
        raise CorpusError("corpus folder not found; pass --corpus DIR or set ASKPLAN_CORPUS", path=str(root))
    return sorted(p for p in root.glob("*.txt") if p.is_file())


def load_corpus(root: Path, cache: Path | None = None) -> Corpus:
    """Every ``*.txt`` under ``root``; files that fail to parse are skipped and reported in ``problems``. With
    ``cache`` (a folder), an unchanged file's parse is read back from there instead of parsed again
    (``parse_cache``)."""
    docs, problems = [], []
    files = corpus_files(root)
    try:
        config = load_config(root)
    except CorpusError as exc:
        log.info("ignoring %s", exc)
        problems.append(Problem(str(exc.path), exc.line, exc.reason))
        config = CorpusConfig()
    config_bytes = _config_bytes(root) if cache is not None else b""
    wrote, used = [], {}
    digests = parse_cache.Digests(cache) if cache is not None else None
    entries = parse_cache.Entries(cache) if cache is not None else None
    with parse_cache.collector_paused() as collecting:
        for path in files:
            try:
                doc, warnings = _load_file(path, config, cache, config_bytes, wrote, collecting, used, digests,
                                           entries)
            except CorpusError as exc:
                log.info("skipping %s", exc)  # callers report corpus.problems; a warning here printed them twice
                problems.append(Problem(str(path), exc.line, exc.reason))
                continue
            docs.append(doc)
            problems.extend(warnings)
    if digests is not None:
        digests.save()
    if cache is not None and wrote:
        parse_cache.prune(cache)
    docs.sort(key=lambda d: d.slug)
    known = _kept_fingerprint(docs, cache, config_bytes, used) if cache is not None and len(used) == len(docs) else None
    return Corpus(root, tuple(docs), tuple(problems), config, known)


def _kept_fingerprint(docs: list[Document], cache: Path, config_bytes: bytes, used: dict[str, Path]) -> str | None:
    """The fingerprint of documents read through the cache, kept beside their entries (``parse_cache``'s
    ``fingerprint_path``): a later start with the same entries reads it instead of hashing every file again
    (0.7 s at 1,000,000 measures). Computed and kept only when every file still holds the bytes its entry was
    named by (a file rewritten since it was read gives None: ``Corpus.fingerprint`` hashes it as ever)."""
    kept = parse_cache.fingerprint_path(cache, list(used.values()))
    if (value := parse_cache.read_fingerprint(kept)) is not None:
        return value
    changed = False

    def read(doc: Document) -> bytes:
        nonlocal changed
        data = Path(doc.path).read_bytes()
        content = parse_cache.content_digest(data)
        changed = changed or parse_cache.entry_path(cache, Path(doc.path), content, config_bytes) != used[doc.path]
        return data

    try:
        value = fingerprint_of(docs, read)
    except OSError:
        return None
    if changed:
        return None
    parse_cache.write_fingerprint(kept, value)
    return value


def _config_bytes(root: Path) -> bytes:
    try:
        return (root / CONFIG_NAME).read_bytes()
    except OSError:
        return b""


def _load_file(path: Path, config: CorpusConfig, cache: Path | None, config_bytes: bytes, wrote: list[Path],
               collecting: bool = True, used: dict[str, Path] | None = None,
               digests: parse_cache.Digests | None = None,
               entries: parse_cache.Entries | None = None) -> tuple[Document, list[Problem]]:
    """``_load``, read back from ``cache`` (if given) where this file, config and code were parsed before; the
    entries it writes are added to ``wrote``, those of the documents it returns to ``used`` (by path). Called with the
    garbage collector paused (``load_corpus``); ``collecting``: whether it runs while a file is parsed. ``digests``:
    the content digests of files hashed before, by their stat (``parse_cache.Digests``); ``entries``: the cache's
    entries by file, listed once for the load."""
    st = data = content = None
    if cache is not None:
        with contextlib.suppress(OSError):  # unreadable: _load names what is wrong with the file
            st = path.stat()
            if (content := digests.get(path, st) if digests is not None else None) is None:
                data = path.read_bytes()
                content = parse_cache.content_digest(data)
    if content is None:
        with parse_cache.collector_resumed(collecting):
            return _load(path, config)
    entry = parse_cache.entry_path(cache, path, content, config_bytes)
    if (cached := parse_cache.read(entry, measure_store.read_entry)) is not None:
        if used is not None:
            used[str(path)] = entry
        if digests is not None and data is not None:
            digests.put(path, st, content)
        return cached
    if data is None:  # the digest was known but not this entry: read what is parsed
        with contextlib.suppress(OSError):
            data = path.read_bytes()
            entry = parse_cache.entry_path(cache, path, parse_cache.content_digest(data), config_bytes)
    with parse_cache.collector_resumed(collecting):
        loaded = _load(path, config)
    if used is not None:
        used[str(path)] = entry
    with contextlib.suppress(OSError):
        if data is not None and path.read_bytes() == data:  # not rewritten while it was parsed: the entry holds
            parse_cache.write(entry, loaded, _write_entry, entries)  # what its key says
            wrote.append(entry)
            if (stored := parse_cache.read(entry, measure_store.read_entry)) is not None:
                loaded = stored  # its measures left in the file, as every later start reads them
            if digests is not None and st is not None:  # stat taken before the bytes were read: a later write
                digests.put(path, st, parse_cache.content_digest(data))  # changes it, so it is never matched
    return loaded


def _write_entry(entry: Path, loaded: tuple[Document, list[Problem]]) -> None:
    measure_store.write_entry(entry, *loaded)


def load_document(path: Path) -> Document:
    return _load(path, load_config(path.parent))[0]


def check_document(path: Path) -> tuple[Document, list[Problem]]:
    """One file loaded as the corpus would load it, with its warnings (numbering, duplicate keys, lost text)."""
    return _load(path, load_config(path.parent))


def check_corpus(root: Path) -> tuple[Corpus, list[Problem]]:
    """Load and validate: the corpus plus every problem (unreadable files, numbering, duplicate keys)."""
    corpus = load_corpus(root)
    if not corpus.documents and not corpus.problems:
        return corpus, [Problem(str(root), None, "no *.txt files; add documents as described in corpus/README.md")]
    return corpus, list(corpus.problems)


def _load(path: Path, config: CorpusConfig) -> tuple[Document, list[Problem]]:
    source = _read_text(path)
    meta, body_offset, body_line = parse_front_matter(source, str(path))
    slug = path.stem
    if problem := slug_problem(slug):
        raise CorpusError(f"file name {path.name!r} is not a valid slug: {problem}, and rename the file",
                          path=str(path))
    parsed = parse_body(slug, source, body_offset, body_line)
    measures, numbering = parsed.measures, parsed.numbering
    if not measures:
        raise CorpusError("no measures found: the body is empty; add the document's text below the closing '---'",
                          path=str(path), line=body_line)
    problems = [Problem(str(path), line, msg + "; check the source numbering") for line, msg in numbering]
    coverage = body_coverage(source, body_offset, body_line, parsed)
    problems += [Problem(str(path), f.line, f"text in no measure: {f.text[:30]!r}; the parser cannot place this "
                         "line (put it under a heading, or report the layout)") for f in coverage.lost]
    problems += [Problem(str(path), f.line, f"line in {len(f.measures)} measures ({', '.join(f.measures)})")
                 for f in coverage.doubled]
    keys = {m.key for m in measures}
    for m in measures:  # the parser keys a repeated number's second block <key>_2 (parser._measures)
        if (base := _REPEAT.match(m.key)) and base.group(1) in keys:
            problems.append(Problem(str(path), m.line, f"measure key {base.group(1)!r} repeats in the source; "
                                    f"this block is keyed {m.key!r}"))
    try:
        facts = config.facts(slug, meta)
    except CorpusError as exc:
        raise CorpusError(exc.reason, path=str(path)) from None
    doc = Document(slug, meta["title"], meta["issuer"], meta["date"], meta["script"], meta["source"],
                   str(path), shared_values(measures), facts.role, facts.region, facts.aliases,
                   round(coverage.share, 4), short_names(m.text for m in measures))
    return doc, problems


_REPEAT = re.compile(r"^(.+)_\d+$")


def shared_values(measures: list[Measure]) -> tuple[Measure, ...]:
    """The measures with each repeated value held once: a chapter path, a label, a unit's name and a list of
    units recur across a document's measures, and each was its own object as parsed (a sixth of a parsed
    synthetic corpus's memory, bench/README.md). Values are equal before and after; only their identity is shared."""
    pool: dict = {}

    def one(value):
        return pool.setdefault(value, value)

    def names(values: tuple[str, ...]) -> tuple[str, ...]:
        return one(tuple(one(v) for v in values))

    return tuple(
        replace(m, doc=one(m.doc), label=one(m.label), chapter=names(m.chapter), responsibilities=tuple(
            replace(r, text=one(r.text), units=names(r.units), units_verbatim=names(r.units_verbatim),
                    lead=one(r.lead), co_units=names(r.co_units))
            for r in m.responsibilities))
        for m in measures)


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CorpusError(f"not valid UTF-8 (byte {exc.start}); re-save the file as UTF-8",
                          path=str(path), line=line) from None
    return text  # a BOM stays: offsets count it, as any UTF-8 reader of the file does


def parse_front_matter(source: str, where: str) -> tuple[dict[str, str], int, int]:
    """(keys, offset of the body, line number of the body's first line)."""
    bom = 1 if source.startswith("\ufeff") else 0
    if not source[bom:].startswith("---"):
        raise CorpusError("missing front matter: the file must start with a '---' line, then "
                          f"{', '.join(REQUIRED_KEYS)} as 'key: value' lines, then '---'", path=where, line=1)
    lines = source.splitlines(keepends=True)
    meta: dict[str, str] = {}
    offset = len(lines[0])
    for number, line in enumerate(lines[1:], start=2):
        offset += len(line)
        if line.strip() == "---":
            _validate_meta(meta, where, number)
            return meta, offset, number + 1
        key, sep, value = line.partition(":")
        if not sep or not key.strip() or len(key.strip()) > 40:
            raise CorpusError(f"front matter line is not 'key: value': {line.strip()[:40]!r}; if the keys ended "
                              "above, the closing '---' line is missing", path=where, line=number)
        meta[key.strip()] = value.strip()
    raise CorpusError("front matter is not closed: add a '---' line after the keys", path=where, line=1)


def _validate_meta(meta: dict[str, str], where: str, line: int) -> None:
    missing = [k for k in REQUIRED_KEYS if not meta.get(k)]
    if missing:
        raise CorpusError(f"front matter lacks {', '.join(missing)}; add them as 'key: value' lines",
                          path=where, line=line)
    if meta["script"] not in SCRIPTS:
        raise CorpusError(f"script must be one of {', '.join(SCRIPTS)}, not {meta['script']!r}", path=where, line=line)
    if not DATE.match(meta["date"]) or not _real_date(meta["date"]):
        raise CorpusError(f"date must be YYYY-MM-DD, not {meta['date']!r}", path=where, line=line)


def _real_date(text: str) -> bool:
    import datetime

    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True
