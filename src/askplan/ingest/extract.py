"""Text out of a user's file, in reading order, one paragraph (or table row) a line, boilerplate dropped.

Word (.docx, python-docx: body paragraphs and tables in order, automatic numbering written out, headers and
footers left out), PDF with a text layer (pypdf: running headers, footers and page numbers dropped, wrapped
lines joined), HTML (BeautifulSoup: navigation, scripts and site chrome dropped) and text (.txt/.md in UTF-8,
UTF-16 or GB18030). Every failure is a ``BadInput`` that says what to do instead.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from askplan.corpus.boilerplate import boilerplate_kind
from askplan.corpus.table_units import CELL_SEP  # the parser reads such rows
from askplan.errors import BadInput

log = logging.getLogger(__name__)
EXTENSIONS = (".docx", ".pdf", ".html", ".htm", ".txt", ".md")
MAX_FILE_BYTES = 20 * 1024 * 1024
MIN_TEXT_CHARS = 20  # less text than this in a whole PDF: no text layer
_SENTENCE_END = "。；;！？!?：:"


@dataclass(frozen=True)
class Extracted:
    lines: tuple[str, ...]
    meta: dict[str, str] = field(default_factory=dict)  # title/issuer/date the file's own metadata states
    dropped: int = 0  # boilerplate lines left out


def extract(path: Path) -> Extracted:
    """The text of ``path`` by its extension; BadInput for anything that cannot be read."""
    suffix = path.suffix.lower()
    if suffix not in EXTENSIONS:
        raise BadInput(f"{path.name}: cannot read {suffix or 'files without an extension'}; askplan add "
                       f"reads {', '.join(EXTENSIONS)} (save the document in one of these formats)")
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise BadInput(f"{path.name} is {size / 2**20:.0f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB "
                       "(split the document, or add its text as .txt)")
    if size == 0:
        raise BadInput(f"{path.name} is empty")
    reader = {".docx": _docx, ".pdf": _pdf, ".html": _html, ".htm": _html}.get(suffix, _text)
    raw, meta = reader(path)
    lines, dropped = clean_lines(raw)
    if sum(len(line) for line in lines) < MIN_TEXT_CHARS:
        raise BadInput(f"{path.name} holds no text to add")
    return Extracted(tuple(lines), meta, dropped)


FONT_SIZES = frozenset("大中小")  # a page's font-size switch, printed one size a line


def clean_lines(raw: list[str]) -> tuple[list[str], int]:
    """Lines stripped of blanks and boilerplate (site banners, page numbers, page tools). A page's font-size
    switch printed one size a line (大 / 中 / 小, in either order) goes too: one such character alone is no
    boilerplate (a table cell), the three in a row are."""
    out, dropped = [], 0
    for line in raw:
        line = re.sub(r"[ \t\u3000\xa0]+", " ", line).strip()
        if not line:
            continue
        if boilerplate_kind(line):
            dropped += 1
            continue
        out.append(line)
        if len(out) >= 3 and set(out[-3:]) == FONT_SIZES:
            del out[-3:]
            dropped += 3
    return out, dropped


# --- text ---------------------------------------------------------------------------------------------


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030 (a superset of GBK and GB2312)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadInput(f"{name}: not UTF-8, UTF-16 or GB18030 text; re-save it as UTF-8")


def _text(path: Path) -> tuple[list[str], dict[str, str]]:
    text = decode_text(path.read_bytes(), path.name).replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise BadInput(f"{path.name} is binary, not text; save it as .txt or .docx")
    meta: dict[str, str] = {}
    if text.startswith("---\n") and "\n---\n" in text[4:]:  # a corpus file: keep its front matter
        head, body = text[4:].split("\n---\n", 1)
        meta = {k.strip(): v.strip() for k, _, v in (ln.partition(":") for ln in head.splitlines()) if v.strip()}
        text = body
    text = _HTML_COMMENT.sub("", text)  # Markdown carries notes for its tools: <!-- INFO END -->
    lines = [re.sub(r"^#{1,6}\s+", "", line) for line in text.splitlines()]
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if first.startswith("# ") and "title" not in meta:  # a Markdown file's top heading is its title
        meta["title"] = first[2:].strip()
    return lines, meta


# --- Word ---------------------------------------------------------------------------------------------


def _docx(path: Path) -> tuple[list[str], dict[str, str]]:
    import zipfile

    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError:  # pragma: no cover - a dependency
        raise BadInput("reading .docx needs python-docx: pip install python-docx") from None
    if not zipfile.is_zipfile(path):
        raise BadInput(f"{path.name} is not a Word .docx file (damaged, encrypted, or an old .doc: open it in "
                       "Word or WPS and save as .docx without a password)")
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise BadInput(f"{path.name} cannot be read as .docx ({exc}); save it again as .docx") from None
    from askplan.ingest.docx_numbering import Numbering

    numbering = Numbering(document)
    lines: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(numbering.label(block) + "".join(t.text or "" for t in block.iter(_W + "t")))
        elif tag == "tbl":
            lines.extend(_table_rows(block))
    props = document.core_properties
    meta = {"title": props.title or ""}
    return lines, {k: v for k, v in meta.items() if v}


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _table_rows(table) -> list[str]:
    rows = []
    for tr in table.iter(_W + "tr"):
        cells = []
        for tc in tr.iter(_W + "tc"):
            text = " ".join("".join(t.text or "" for t in p.iter(_W + "t")) for p in tc.iter(_W + "p")).strip()
            if text and (not cells or cells[-1] != text):  # merged cells repeat their text
                cells.append(text)
        if cells:
            rows.append(CELL_SEP.join(cells))
    return rows


# --- PDF ----------------------------------------------------------------------------------------------


def _pdf(path: Path) -> tuple[list[str], dict[str, str]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise BadInput(f"{path.name} is encrypted; remove the password (e.g. qpdf --decrypt) and add it again")
        pages = [(page.extract_text() or "").splitlines() for page in reader.pages]
    except BadInput:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        if "decrypt" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise BadInput(f"{path.name} is encrypted; remove the password and add it again") from None
        raise BadInput(f"{path.name} is not a readable PDF ({type(exc).__name__}); save it again as PDF") from None
    if sum(len("".join(p).strip()) for p in pages) < MIN_TEXT_CHARS:
        raise BadInput(f"{path.name} has no text layer (a scanned PDF?); askplan does not do OCR: run OCR "
                       "first (e.g. ocrmypdf), or add a Word or text version")
    meta = {}
    info = reader.metadata or {}
    if info.get("/Title") and re.search(r"[\u4e00-\u9fff]", str(info.get("/Title"))):
        meta["title"] = str(info["/Title"])
    return _join_wrapped(_drop_running_lines(pages)), meta


def _drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Lines that recur at the top or bottom of most pages (digits aside) are running headers and footers."""
    if len(pages) < 2:
        return pages
    shape = lambda s: re.sub(r"\d+", "#", s.strip())  # noqa: E731
    edges = Counter(shape(s) for p in pages for s in {x for x in (*p[:2], *p[-2:]) if x.strip()})
    running = {s for s, n in edges.items() if n >= max(2, len(pages) * 0.6)}
    return [[s for i, s in enumerate(p) if not ((i < 2 or i >= len(p) - 2) and shape(s) in running)] for p in pages]


def _join_wrapped(pages: list[list[str]]) -> list[str]:
    """PDF lines wrap at the page width: a line as long as the longest ones on its page, with no sentence end,
    continues on the next line."""
    out: list[str] = []
    joining = False
    for page in pages:
        lines = [s.strip() for s in page if s.strip()]
        width = max((len(s) for s in lines), default=0)
        for line in lines:
            if joining and out and not _starts_item(line):
                out[-1] += line
            else:
                out.append(line)
            joining = len(line) >= 0.85 * width and width >= 15 and line[-1] not in _SENTENCE_END
    return out


_ITEM = re.compile(r"^(?:第[一二三四五六七八九十百零〇\d]+[章节条編编]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.．、]|附件)")


def _starts_item(line: str) -> bool:
    return bool(_ITEM.match(line))


# --- HTML ---------------------------------------------------------------------------------------------

_CHROME_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "button",
                "select", "svg")
_CHROME_NAME = re.compile(r"(?:^|[-_\s])(?:nav|navbar|menu|footer|header|breadcrumb|crumbs?|share|sidebar|"
                          r"toolbar|topbar|copyright|search|login)(?:$|[-_\s\d])", re.I)
_BLOCKS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "section", "article", "blockquote",
           "pre", "dd", "dt", "td", "th", "table", "ul", "ol")
_PARAGRAPHS = ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "blockquote", "pre")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
_META_KEYS = {"articletitle": "title", "contentsource": "issuer", "pubdate": "date", "firstpublishedtime": "date",
              "og:title": "title", "dc.title": "title", "dc.date": "date", "publishdate": "date"}


def _html(path: Path) -> tuple[list[str], dict[str, str]]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_bytes(), "html.parser")
    meta = {}
    for tag in soup.find_all("meta"):
        key = (tag.get("name") or tag.get("property") or "").lower()
        if key in _META_KEYS and tag.get("content") and _META_KEYS[key] not in meta:
            meta[_META_KEYS[key]] = tag["content"].strip()
    if "title" not in meta and soup.title and soup.title.string:
        meta["page_title"] = soup.title.string.strip()
    for tag in soup.find_all(_CHROME_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed or tag.name in ("html", "body", "main", "article"):
            continue
        names = " ".join([*(tag.get("class") or []), tag.get("id") or ""])
        if names.strip() and _CHROME_NAME.search(names) and len(tag.get_text(strip=True)) < 400:
            tag.decompose()
    root = soup.find("article") or soup.find("main") or soup.body or soup
    for tr in reversed(root.find_all("tr")):  # inner tables first: a row of a table in a cell is a row of its own
        cells = tr.find_all(("td", "th"), recursive=False) or tr.find_all(("td", "th"))
        texts = [c.get_text(" ", strip=True) for c in cells]
        filled = [c for c, t in zip(cells, texts, strict=True) if t]
        if len(filled) == 1 and len(filled[0].find_all(_PARAGRAPHS, limit=2)) == 2:
            # a page laid out in a table (gov.cn puts a whole article in one cell): its paragraphs stay lines
            continue
        tr.replace_with(soup.new_string("\n" + CELL_SEP.join(t for t in texts if t) + "\n"))
    for tag in root.find_all(_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    return root.get_text().splitlines(), meta
