"""``askplan add`` / ``askplan remove`` end to end on real files (Word, PDF, HTML, text in several encodings):
the text lands in the corpus with inferred front matter, is indexed, and ``askplan ask`` finds the new clause.
Bad input exits 1 with one line and leaves the corpus folder and the index byte for byte as they were."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from askplan.cli import main
from askplan.corpus import load_corpus
from ingest_files import write_docx, write_html, write_pdf

FIXTURES = Path(__file__).parent / "fixtures"
FAKE = "hash-bigram-64"


@pytest.fixture
def store(tmp_path: Path) -> tuple[Path, Path]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in FIXTURES.glob("*.txt"):
        shutil.copy(path, corpus)
    return corpus, tmp_path / "index"


def run(store, *args: str):
    corpus, index = store
    return CliRunner().invoke(main, [*args, "--corpus", str(corpus), "--index", str(index), "--model", FAKE])


def add(store, *args: str) -> dict:
    result = run(store, "add", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def ask(store, question: str) -> dict:
    result = run(store, "ask", question, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def tree_hash(*folders: Path) -> str:
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")) if folder.exists() else ():
            digest.update(str(path.relative_to(folder)).encode())
            if path.is_file():
                digest.update(path.read_bytes())
    return digest.hexdigest()


def test_docx_notice_with_numbering_and_table(store, tmp_path) -> None:
    out = add(store, str(write_docx(tmp_path / "rural-toilets.docx")))
    (doc,) = out["documents"]
    assert doc["slug"] == "rural-toilets" and doc["status"] == "added" and doc["coverage"] == 1.0
    text = (store[0] / "rural-toilets.txt").read_text(encoding="utf-8")
    assert "title: 某县人民政府办公室关于印发某县农村人居环境整治提升方案的通知\n" in text
    assert "issuer: 某县人民政府办公室\n" in text and "date: 2023-06-18\n" in text
    assert "doc_number: 某政办〔2023〕7号\n" in text
    assert "1.加强组织领导。由县农业农村局牵头" in text and "城关镇｜420" in text  # numbering, table row
    assert "— 1 —" not in text and "某县人民政府办公室文件" not in text  # footer, header
    answer = ask(store, "农村户用卫生厕所改建谁负责？")
    top = answer["hits"][0]
    assert top["id"].startswith("rural-toilets/") and "县农业农村局" in json.dumps(top, ensure_ascii=False)
    assert out["index"]["measures"] == sum(len(d.measures) for d in load_corpus(store[0]).documents)


def test_pdf_with_running_header_and_page_numbers(store, tmp_path) -> None:
    out = add(store, str(write_pdf(tmp_path / "data-market.pdf")))
    assert out["documents"][0]["with_responsibility"] >= 7
    text = (store[0] / "data-market.txt").read_text(encoding="utf-8")
    assert "某市人民政府文件" not in text and "— 2 —" not in text
    assert "培育数据商和第三方专业服务机构。加快推进" in text  # wrapped lines joined
    assert "date: 2024-03-05\n" in text and "issuer: 某市人民政府\n" in text
    doc = load_corpus(store[0]).document("data-market")
    leads = {m.label: m.responsibilities[0].lead for m in doc.measures if m.responsibilities}
    assert leads["（六）"] == "市数据局" and leads["（七）"] == "市数据局"
    assert ask(store, "数据交易服务中心设在哪里？")["hits"][0]["id"] == "data-market/6"


def test_html_page_without_site_chrome(store, tmp_path) -> None:
    add(store, str(write_html(tmp_path / "low-altitude.html")), "--region", "某省")
    text = (store[0] / "low-altitude.txt").read_text(encoding="utf-8")
    for chrome in ("当前位置", "分享到", "打印本页", "版权所有", "维基文库", "政务公开", "机构"):
        assert chrome not in text.split("---\n", 2)[2], chrome
    assert "title: 某省关于支持低空经济高质量发展的若干措施\n" in text and "region: 某省\n" in text
    assert "date: 2025-04-02\n" in text and "issuer: 某省人民政府办公厅\n" in text
    assert "低空航线（条）｜300" in text
    hit = ask(store, "无人机配送航线奖励")["hits"][0]
    assert hit["id"] == "low-altitude/2"


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-8-sig"])
def test_text_in_any_common_encoding(store, tmp_path, encoding) -> None:
    body = "某市关于加强古树名木保护的通知\n某市人民政府\n2022年5月6日\n一、严格保护\n（一）建立古树名木档案。（责任单位：市绿化局）\n"
    path = tmp_path / "old-trees.txt"
    path.write_bytes(body.encode(encoding))
    add(store, str(path))
    doc = load_corpus(store[0]).document("old-trees")
    assert doc.date == "2022-05-06" and doc.measures[-1].responsibilities[0].lead == "市绿化局"


def test_corpus_text_with_crlf_front_matter_keeps_its_keys(store, tmp_path) -> None:
    path = tmp_path / "county-plan.txt"
    path.write_bytes("---\r\ntitle: 某县行动计划\r\nissuer: 某县人民政府\r\ndate: 2021-03-04\r\nscript: simplified\r\n"
                     "source: s\r\n---\r\n一、总体要求\r\n（一）加强领导。（责任单位：县发展改革委）\r\n".encode())
    add(store, str(path))
    doc = load_corpus(store[0]).document("county-plan")
    assert (doc.title, doc.issuer, doc.date) == ("某县行动计划", "某县人民政府", "2021-03-04")


def test_flags_override_and_missing_keys_are_named(store, tmp_path) -> None:
    path = tmp_path / "note.md"
    path.write_text("# 工作要点\n一、加强统筹\n（一）建立月调度机制。\n", encoding="utf-8")
    result = run(store, "add", str(path))
    assert result.exit_code == 1
    assert "could not find the issuer, date" in result.output and "--date YYYY-MM-DD" in result.output
    out = add(store, str(path), "--issuer", "某局", "--date", "2024-01-02", "--slug", "work-points-2024",
              "--title", "某局2024年工作要点")
    assert out["documents"][0]["slug"] == "work-points-2024"
    assert load_corpus(store[0]).document("work-points-2024").title == "某局2024年工作要点"


def test_readd_replaces_remove_takes_out_and_only_new_passages_are_embedded(store, tmp_path) -> None:
    first = add(store, str(write_html(tmp_path / "low-altitude.html")))
    total = first["index"]["passages"]
    assert first["index"]["embedded"] == total  # a first build embeds everything
    again = add(store, str(tmp_path / "low-altitude.html"))
    assert again["documents"][0]["status"] == "unchanged" and again["index"] is None
    (tmp_path / "low-altitude.html").write_bytes(
        (tmp_path / "low-altitude.html").read_bytes().replace("2000万元".encode("gb18030"), "3000万元".encode("gb18030")))
    changed = add(store, str(tmp_path / "low-altitude.html"))
    assert changed["documents"][0]["status"] == "replaced"
    assert 0 < changed["index"]["embedded"] <= 2  # the changed article's passage(s) only
    assert "3000万元" in (store[0] / "low-altitude.txt").read_text(encoding="utf-8")
    docx_added = add(store, str(write_docx(tmp_path / "rural-toilets.docx")))
    new = [m for m in load_corpus(store[0]).document("rural-toilets").measures]
    assert 0 < docx_added["index"]["embedded"] <= 2 * len(new) < docx_added["index"]["passages"]
    removed = run(store, "remove", "rural-toilets", "--json")
    assert removed.exit_code == 0, removed.output
    assert json.loads(removed.stdout)["index"]["embedded"] == 0
    assert not (store[0] / "rural-toilets.txt").exists()
    assert all(not h["id"].startswith("rural-toilets/") for h in ask(store, "农村户用卫生厕所")["hits"])
    assert run(store, "remove", "rural-toilets").exit_code == 1


def _encrypted_pdf(path: Path, tmp_path: Path) -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(str(write_pdf(tmp_path / "plain.pdf"))))
    writer.encrypt(user_password="secret", owner_password="owner")
    writer.write(str(path))
    return path


def _blank_pdf(path: Path, tmp_path: Path) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_blank_page(width=595, height=842)
    writer.write(str(path))
    return path


def _bytes(data: bytes):
    def make(path: Path, tmp_path: Path) -> Path:
        path.write_bytes(data)
        return path

    return make


def _big(path: Path, tmp_path: Path) -> Path:
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)
    return path


BAD = {
    "scan.pdf": (_blank_pdf, "no text layer"),
    "locked.pdf": (_encrypted_pdf, "encrypted"),
    "broken.docx": (_bytes(b"PK\x03\x04 not really a zip"), "not a Word .docx"),
    "broken.pdf": (_bytes(b"%PDF-1.4\n garbage"), "PDF"),
    "table.xls": (_bytes(b"\xd0\xcf\x11\xe0"), "cannot read .xls"),
    "huge.txt": (_big, "the limit is 20 MB"),
    "empty.txt": (_bytes(b""), "is empty"),
    "binary.txt": (_bytes(b"\x00\x01\x02" * 20), "binary"),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_input_changes_nothing(store, tmp_path, name) -> None:
    add(store, str(write_html(tmp_path / "low-altitude.html")))  # an index to keep intact
    make, message = BAD[name]
    path = make(tmp_path / name, tmp_path)
    before = tree_hash(*store)
    result = run(store, "add", str(path))
    assert result.exit_code == 1 and message in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert tree_hash(*store) == before


def test_slug_of_another_document_is_refused(store, tmp_path) -> None:
    add(store, str(write_html(tmp_path / "low-altitude.html")))
    before = tree_hash(*store)
    result = run(store, "add", str(write_docx(tmp_path / "other.docx")), "--slug", "low-altitude")
    assert result.exit_code == 1 and "slug 'low-altitude' is taken by another document" in result.output
    assert "askplan remove low-altitude" in result.output and tree_hash(*store) == before


def test_unwritable_corpus_is_one_line(store, tmp_path, monkeypatch) -> None:
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    before = tree_hash(*store)
    result = run(store, "add", str(write_html(tmp_path / "low-altitude.html")))
    assert result.exit_code == 1 and "cannot write to the corpus folder" in result.output
    assert tree_hash(*store) == before


def test_index_failure_puts_the_corpus_back(store, tmp_path, monkeypatch) -> None:
    from askplan import service

    def broken_build(self, **kwargs):
        raise OSError("disk full")

    add(store, str(write_html(tmp_path / "low-altitude.html")))
    before = tree_hash(store[0])
    monkeypatch.setattr(service.AskplanService, "build", broken_build)
    result = run(store, "add", str(write_docx(tmp_path / "rural-toilets.docx")))
    assert result.exit_code == 1 and "disk full" in result.output
    assert tree_hash(store[0]) == before


@pytest.mark.model
def test_real_model_add_then_ask(tmp_path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in FIXTURES.glob("*.txt"):
        shutil.copy(path, corpus)
    runner = CliRunner()
    args = ["--corpus", str(corpus), "--index", str(tmp_path / "index")]
    result = runner.invoke(main, ["add", str(write_pdf(tmp_path / "data-market.pdf")), "--json", *args])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["ask", "数据交易服务中心由谁牵头考核？", "--json", *args])
    assert result.exit_code == 0, result.output
    hit = json.loads(result.stdout)["hits"][0]
    assert hit["id"] == "data-market/6" and "市数据局" in json.dumps(hit, ensure_ascii=False)
