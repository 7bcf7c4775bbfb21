"""The draft checker on the web (``/check`` and ``POST /api/check``) through TestClient over the hash-encoder
service: the annotated page, the API shape, the 422/404 edges, escaping of hostile drafts, and privacy — a
checked draft ends up in no log record and no file."""

from __future__ import annotations

import logging
import os
import re
import tempfile
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from askplan.checker import MAX_DRAFT_CHARS
from askplan.config import REPO_ROOT
from askplan.web import create_app

PLAN = "anhui-yrd-14fyp-action-plan-2021"
DRAFT = ("关于碳达峰的汇报\n根据《安徽省实施长三角一体化发展规划“十四五”行动方案》（二十五），要“实施碳达峰行动，统筹制定并推进落实"
         "碳达峰碳中和政策体系”。到2025年，常住人口城镇化率达到70%左右。方案第40条要求加强港口资源整合。")
CITATION = "《安徽省實施長三角一體化發展規劃「十四五」行動方案》（二十五）推進碳達峰碳中和"
SIMPLIFIED = "《安徽省实施长三角一体化发展规划“十四五”行动方案》（二十五）推进碳达峰碳中和"


@pytest.fixture(scope="module")
def app(hash_service):
    return create_app(service=hash_service, build_if_missing=False)


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app) as c:
        assert app.state.readiness.wait(30) == "ok"
        yield c


def test_check_page_is_a_post_form_linked_from_every_page(client):
    r = client.get("/check")
    assert r.status_code == 200 and 'method="post"' in r.text and 'action="/check"' in r.text
    assert '<textarea id="text" name="text"' in r.text and "/static/check.css" in r.text
    assert 'href="/check"' in client.get("/").text
    assert client.get("/static/check.css").status_code == 200


def test_draft_in_a_query_string_is_never_checked(client):
    r = client.get("/check", params={"text": "到2025年，常住人口城镇化率达到70%左右。"})
    assert r.status_code == 200 and "逐条说明" not in r.text and 'class="chk' not in r.text
    assert "常住人口" not in r.text.split("<main>", 1)[1]  # not even put into the form


def test_checked_draft_is_annotated_with_notes_and_citations(client):
    r = client.post("/check", data={"text": DRAFT})
    assert r.status_code == 200
    annotated = r.text.split('class="draft-text">', 1)[1].split("</div>", 1)[0]
    assert '<mark class="chk sev-error"' in annotated and '<mark class="chk sev-ok"' in annotated
    assert '<sup class="fn"><a href="#note-1">1</a></sup>' in annotated
    assert "65%左右" in annotated  # the tooltip says what the clause states
    notes = r.text.split('class="notes">', 1)[1].split("</ol>", 1)[0]
    assert notes.count('<li id="note-') == 4 and "<del" not in notes and "<ins" not in notes
    # the draft's words (red where wrong), then 应为 and the source's (green where they differ), then a fix
    assert '<mark class="draft-wrong">70%</mark>' in notes and '<mark class="source-right">65%</mark>' in notes
    assert notes.index("draft-wrong") < notes.index("应为") < notes.index("source-right")
    assert "把“70%”改为“65%”" in notes
    # a Simplified draft gets Simplified citations, with the original script's beside them
    assert f'data-copy="{SIMPLIFIED}"' in r.text and f'data-copy="{CITATION}"' in r.text
    assert r.text.index(f'data-copy="{SIMPLIFIED}"') < r.text.index(f'data-copy="{CITATION}"')
    assert 'class="check-citations"' in r.text
    assert DRAFT.split("\n")[1][:10] in r.text  # the textarea keeps the draft for editing


def test_page_answers_in_the_drafts_script_and_the_toggle_keeps_the_draft(client):
    from askplan.normalize import to_traditional

    r = client.post("/check", data={"text": to_traditional(DRAFT)})
    assert f'data-copy="{CITATION}"' in r.text and SIMPLIFIED not in r.text  # a Traditional draft: Traditional
    assert re.search(r'data-script="orig"[^>]*class="on"', r.text)  # the toggle shows the script answered in
    toggled = client.post("/check", data={"text": to_traditional(DRAFT), "script": "simp"})
    assert toggled.status_code == 200 and f'data-copy="{SIMPLIFIED}"' in toggled.text
    assert to_traditional(DRAFT).split("\n")[1][:10] in toggled.text and 'class="notes"' in toggled.text
    assert toggled.cookies.get("script") == "simp"
    client.cookies.delete("script")


def test_docx_export_holds_sentences_findings_and_citations(client):
    import io

    import docx

    r = client.post("/check.docx", data={"text": DRAFT})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert r.headers["content-disposition"].startswith("attachment;") and r.headers["cache-control"] == "no-store"
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(r.content)).paragraphs)
    assert "第 3 句：到2025年，常住人口城镇化率达到70%左右。" in text
    assert "草稿：常住人口城镇化率达到70%左右　应为：常住人口城镇化率达到65%左右" in text
    assert "修改：把“70%”改为“65%”。" in text and SIMPLIFIED in text
    assert client.post("/check.docx", data={"text": ""}).status_code == 422


@pytest.mark.parametrize(("text", "message"), [("", "请先粘贴"), ("碳" * (MAX_DRAFT_CHARS + 1), "草稿太长")])
def test_page_refuses_empty_or_over_long_drafts(client, text, message):
    r = client.post("/check", data={"text": text})
    assert r.status_code == 422 and message in r.text and "逐条说明" not in r.text


def test_page_keeps_the_draft_while_the_index_is_prepared(hash_service, monkeypatch):
    from askplan.web.readiness import Preparing

    app = create_app(service=hash_service, build_if_missing=False)
    with TestClient(app) as c:
        app.state.readiness.wait(30)

        def preparing():
            raise Preparing("building")

        monkeypatch.setattr(app.state.readiness, "require", preparing)
        r = c.post("/check", data={"text": "到2025年，常住人口城镇化率达到70%左右。"})
        assert r.status_code == 503 and "正在准备索引" in r.text and "常住人口城镇化率达到70%" in r.text
        assert 'http-equiv="refresh"' not in r.text
        assert c.post("/api/check", json={"text": "一句话。"}).json()["status"] == "building"


def test_api_returns_the_report(client):
    r = client.post("/api/check", json={"text": DRAFT})
    assert r.status_code == 200
    data = r.json()
    assert data["summary"]["errors"] == 2 and data["script"] == "simplified"
    kinds = [f["kind"] for s in data["sentences"] for f in s["findings"]]
    assert sorted(kinds) == ["claim_unsupported", "quote_ok", "ref_missing", "ref_ok"]
    claim = next(f for s in data["sentences"] for f in s["findings"] if f["kind"] == "claim_unsupported")
    assert DRAFT[claim["start"]:claim["end"]] == claim["span"] and claim["citations"][0]["id"] == f"{PLAN}/2"
    assert any(d["op"] == "replace" for d in claim["diff"])
    assert data["citations"][0]["citation"] == CITATION


@pytest.mark.parametrize(("body", "status"), [
    ({"text": ""}, 422), ({"text": "碳" * (MAX_DRAFT_CHARS + 1)}, 422), ({}, 422), ({"text": 5}, 422),
    ({"text": "一句话。", "doc": "nope"}, 404),
])
def test_api_edges(client, body, status):
    r = client.post("/api/check", json=body)
    assert r.status_code == status and "detail" in r.json()


def test_api_is_post_only_and_documented(client):
    assert client.get("/api/check", params={"text": "x"}).status_code == 405
    assert "/api/check" in client.get("/openapi.json").json()["paths"]


def test_hostile_draft_is_escaped_everywhere(client):
    attack = '<script>alert(1)</script>方案要求“实施碳达峰行动，<img src=x onerror=alert(1)>统筹制定”" onmouseover="x'
    r = client.post("/check", data={"text": attack})
    assert r.status_code == 200
    assert "<script>alert(1)</script>" not in r.text and "<img src=x" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text and "&lt;img src=x onerror=alert(1)&gt;" in r.text
    assert '" onmouseover="x' not in r.text
    assert "default-src 'self'" in r.headers["content-security-policy"]


def test_hostile_closing_textarea_cannot_escape(client):
    r = client.post("/check", data={"text": "</textarea><script>alert(2)</script>到2025年，常住人口城镇化率达到70%左右。"})
    assert "<script>alert(2)</script>" not in r.text and r.text.count("</textarea>") == r.text.count("<textarea")


# --- privacy ------------------------------------------------------------------------------------------------

def _snapshot(roots: list[Path]) -> dict[Path, tuple[int, int]]:
    files = {}
    for root in roots:
        for folder, _, names in os.walk(root):
            for name in names:
                path = Path(folder) / name
                try:
                    st = path.lstat()
                except OSError:
                    continue
                if path.is_file() and not path.is_symlink():
                    files[path] = (st.st_mtime_ns, st.st_size)
    return files


def test_a_checked_draft_is_stored_nowhere(app, hash_service, caplog):
    """Check drafts with a unique marker through the page and the API (and a refused one) while capturing every
    log record at DEBUG and watching the repository, the index folder and the temp folder: the marker comes
    back in the responses only."""
    marker = uuid.uuid4().hex
    draft = f"{marker}。到2025年，常住人口城镇化率达到70%左右。方案第40条要求“{marker}加强港口资源整合”。"
    roots = [REPO_ROOT, hash_service.settings.index_dir, Path(tempfile.gettempdir())]
    before = _snapshot(roots)
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    with TestClient(app) as c:
        app.state.readiness.wait(30)
        answers = [c.post("/check", data={"text": draft}), c.post("/api/check", json={"text": draft}),
                   c.post("/check", data={"text": draft * 400}), c.post("/api/check", json={"text": draft * 400})]
    assert [r.status_code for r in answers] == [200, 200, 422, 422]
    assert marker in answers[0].text and marker in answers[1].text
    assert caplog.records, "logging was not captured"
    for record in caplog.records:
        assert marker not in record.getMessage() and marker not in str(record.args)
        assert marker not in (record.exc_text or "")
    after = _snapshot(roots)
    changed = [p for p, stamp in after.items() if before.get(p) != stamp]
    for path in changed:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        assert marker.encode() not in data, f"the draft was written to {path}"


def test_a_lone_surrogate_in_a_draft_is_checked_not_a_500(client):
    r = client.post("/api/check", content=b'{"text": "\\ud800abc\xe3\x80\x82"}', headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
