"""The web app through FastAPI's TestClient, over a hash-bigram-64 index built once for this module: every
route, every bad input, and the 404/422/500/503 edges."""

from __future__ import annotations

import dataclasses
import inspect
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from askplan.cli import main
from askplan.config import REPO_ROOT, Settings
from askplan.index.layout import resolve
from askplan.models import Measure, Responsibility
from askplan.normalize import to_simplified
from askplan.service import AskplanService
from askplan.web import create_app, routes_api, routes_pages
from askplan.web.app import _local_swagger_ui
from askplan.web.highlight import highlight, query_grams

PLAN = "anhui-yrd-14fyp-action-plan-2021"
CARBON = "谁牵头碳达峰工作？"
LEAD = "省碳達峰碳中和工作領導小組成員單位"
CITATION = "《安徽省實施長三角一體化發展規劃「十四五」行動方案》（二十五）推進碳達峰碳中和"
HASH = "hash-bigram-64"


def _settings(index_dir: Path) -> Settings:
    return Settings(corpus_dir=REPO_ROOT / "corpus", index_dir=index_dir, model=HASH)


@pytest.fixture(scope="module")
def built_index(tmp_path_factory) -> Path:
    index_dir = tmp_path_factory.mktemp("web-index")
    AskplanService(_settings(index_dir)).build()
    return index_dir


@pytest.fixture(scope="module")
def app(built_index):
    return create_app(_settings(built_index), build_if_missing=False)


@pytest.fixture(scope="module")
def client(app):
    """Pages in the original script (cookie script=orig): what the texts print. The default is tested apart."""
    with TestClient(app, cookies={"script": "orig"}) as c:
        assert app.state.readiness.wait(30) == "ok"
        yield c


@pytest.fixture
def fresh_client(app):
    """A client with its own (empty) cookie jar, for the script toggle."""
    with TestClient(app) as c:
        yield c


def _broken_copy(built_index: Path, tmp_path: Path, breaker) -> Path:
    index_dir = tmp_path / "index"
    shutil.copytree(built_index, index_dir, symlinks=True)
    breaker(resolve(index_dir))
    return index_dir


# --- pages ------------------------------------------------------------------------------------------------

def test_home_has_question_box_examples_and_document_filter(client, app):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert 'name="q"' in r.text and "placeholder=" in r.text
    assert f'href="/?q={quote(CARBON)}"' in r.text
    for doc in app.state.service.corpus.documents:
        assert f'<option value="{doc.slug}"' in r.text
    assert "https://" not in r.text.split("<body>")[0]  # no external CSS, fonts or scripts
    assert "default-src 'self'" in r.headers["content-security-policy"]


def test_lead_question_shows_lead_unit_label_highlight_and_citation(client):
    r = client.get("/", params={"q": CARBON})
    assert r.status_code == 200
    answer = r.text.split('class="answer', 1)[1].split("</section>", 1)[0]
    assert "牵头单位" in answer and LEAD in answer
    first = r.text.split('id="hit-1"', 1)[1].split("</article>", 1)[0]
    assert '<span class="label">（二十五）</span><span class="title">推進碳達峰碳中和</span>' in first
    assert '<mark class="best">' in first and "<mark>碳達峰</mark>" in first
    assert f'data-copy="{CITATION}"' in first and 'class="citation-fallback"' in first
    assert '<span class="resp">' in first


def test_results_are_bookmarkable_and_filtered_by_document(client):
    doc = "anhui-rcep-opening-2022"
    r = client.get("/", params={"q": "扩大进口", "doc": doc})
    assert r.status_code == 200
    assert f'<option value="{doc}" selected>' in r.text
    assert 'value="扩大进口"' in r.text
    hits = client.get("/api/ask", params={"q": "扩大进口", "doc": doc, "k": 10}).json()["hits"]
    assert hits and all(h["doc"] == doc for h in hits)


def test_clause_question_answers_with_the_clause(client):
    r = client.get("/", params={"q": "第二十五条讲什么？"})
    assert r.status_code == 200
    answer = r.text.split('class="answer', 1)[1].split("</section>", 1)[0]
    assert "条款" in answer and "（二十五）推進碳達峰碳中和" in answer


class NoAnswerService(AskplanService):
    """Whatever the retrieval finds, the answer is "not answered" (abstention itself is tested elsewhere)."""

    def ask(self, *args, **kwargs):
        return dataclasses.replace(super().ask(*args, **kwargs), answered=False, reason="问题问的是金额；条款没有给出相应数额")


def test_unanswerable_question_says_so_then_lists_nearest(built_index):
    app = create_app(service=NoAnswerService(_settings(built_index)), build_if_missing=False)
    with TestClient(app) as c:
        app.state.readiness.wait(30)
        r = c.get("/", params={"q": CARBON})
        assert c.get("/api/ask", params={"q": CARBON}).json()["answered"] is False
    answer = r.text.split('class="answer', 1)[1].split("</section>", 1)[0]
    assert "语料中没有直接回答这个问题的条款" in answer and "牵头单位" not in answer
    assert "原因：问题问的是金额；条款没有给出相应数额" in answer  # the user sees why
    assert 'id="hit-1"' in r.text and "（二十五）" in r.text


@pytest.mark.parametrize("q", ["", "+++", "%00", "%07", "%09%20"])
def test_empty_question_page_asks_for_a_question_without_searching(client, q):
    r = client.get(f"/?q={q}")
    assert r.status_code == 200
    assert "请输入一个问题" in r.text and 'id="hit-1"' not in r.text


def test_over_long_question_page_says_so(client):
    r = client.get("/", params={"q": "碳" * 501})
    assert r.status_code == 422
    assert "问题太长" in r.text and "501" in r.text and 'id="hit-1"' not in r.text


def test_script_in_question_is_shown_as_text(client):
    attack = "<script>alert(1)</script>谁牵头碳达峰"
    for url in ("/", "/?doc="):
        r = client.get(url, params={"q": attack})
        assert r.status_code == 200
        assert "<script>alert(1)</script>" not in r.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    r = client.get("/", params={"q": '"><img src=x onerror=alert(1)>'})
    assert "<img src=x" not in r.text and "&lt;img src=x onerror=alert(1)&gt;" in r.text


def test_measure_page(client):
    r = client.get(f"/m/{PLAN}/25")
    assert r.status_code == 200
    assert "（二十五）推進碳達峰碳中和" in r.text and "七、共同建設綠色美麗長三角" in r.text
    assert LEAD in r.text and "省節能減排及應對氣候變化工作領導小組成員單位" in r.text
    assert f'href="/m/{PLAN}/24"' in r.text and f'href="/m/{PLAN}/26"' in r.text
    assert f'data-copy="{CITATION}"' in r.text
    assert f"http://testserver/m/{PLAN}/25" in r.text  # permalink


def test_measure_page_with_dotted_key(client):
    r = client.get("/m/anhui-industrial-internet-2021/p2.box1")
    assert r.status_code == 200 and "工业互联网网络互联互通工程" in r.text


def test_document_page_lists_contents_and_metadata(client):
    r = client.get(f"/d/{PLAN}")
    assert r.status_code == 200
    for text in ("安徽省發展改革委員會", "2021-12-26", "zh.wikisource.org", "一、總體要求",
                 f'href="/m/{PLAN}/25"', "（二十五）推進碳達峰碳中和"):
        assert text in r.text


@pytest.mark.parametrize("url", ["/m/nope/1", f"/m/{PLAN}/999", "/d/nope", "/?q=碳达峰&doc=nope", "/no/such/page"])
def test_unknown_things_are_real_404_pages(client, url):
    r = client.get(url)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "404" in r.text and "Traceback" not in r.text


def test_script_toggle_sets_cookie_and_converts_text(fresh_client):
    c = fresh_client
    r = c.get("/script/simp", params={"next": f"/m/{PLAN}/25"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/m/{PLAN}/25"
    assert "script=simp" in r.headers["set-cookie"]
    page = c.get(f"/m/{PLAN}/25").text
    h1 = page.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert "推进碳达峰碳中和" in h1
    assert 'data-script="simp" class="on"' in page
    results = c.get("/", params={"q": "推進碳達峰"}).text  # Traditional query, Simplified display
    assert "<mark>碳达峰</mark>" in results
    c.get("/script/orig", params={"next": "/"})
    assert "推進碳達峰碳中和</h1>" in c.get(f"/m/{PLAN}/25").text


def test_pages_open_in_simplified_with_official_quotes_and_both_citations(fresh_client):
    page = fresh_client.get(f"/m/{PLAN}/25").text
    simplified = "《安徽省实施长三角一体化发展规划“十四五”行动方案》（二十五）推进碳达峰碳中和"
    assert 'data-script="simp" class="on"' in page and "推進碳達峰碳中和</h1>" not in page
    assert f'class="copy-citation" data-copy="{simplified}"' in page  # “十四五”, not 「十四五」
    assert f'class="copy-original" data-copy="{CITATION}"' in page  # the original script one click away
    with_text = page.split('class="copy-with-text" data-copy="', 1)[1].split('"', 1)[0]
    assert with_text.startswith("实施碳达峰行动") and with_text.endswith(f"（{simplified}）。")
    assert "责任单位" not in with_text  # the clause text without its responsibility clauses


def test_header_links_every_section_and_documents_index(fresh_client, app):
    page = fresh_client.get("/d").text
    nav = page.split('class="site-nav"', 1)[1].split("</nav>", 1)[0]
    assert [re.sub("<.*?>", "", a) for a in re.findall(r"<a [^>]*>[^<]*</a>", nav)] == ["问答", "部门", "核对草稿", "文件"]
    assert 'href="/d" class="on"' in nav
    docs = re.findall(r'class="doc-link">([^<]+)<', page)
    corpus = app.state.service.corpus
    assert len(docs) == len(corpus.documents) and docs[0] == to_simplified(corpus.primary.title).replace("「", "“").replace("」", "”")


def test_error_pages_are_in_chinese(fresh_client):
    r = fresh_client.get("/no/such/page")
    assert r.status_code == 404 and "地址里的页面、文件或条款不存在" in r.text and "没有这个页面：/no/such/page" in r.text
    r = fresh_client.get("/m/nope/1")
    assert r.status_code == 404 and "找不到这个文件或条款" in r.text
    r = fresh_client.post("/")
    assert r.status_code == 405 and "不支持的请求方法" in r.text


def test_follow_up_through_the_api_and_the_page(client):
    first = client.get("/api/ask", params={"q": CARBON}).json()
    top = first["hits"][0]["id"]
    assert 2 <= len(first["suggestions"]) <= 4
    follow = client.get("/api/ask", params={"q": "那配合单位有哪些？", "context": top}).json()
    assert follow["kind"] == "followup" and follow["follow_up"] == "co_units" and follow["context"] == top
    assert follow["hits"][0]["id"] == top and follow["reply"]
    new = client.get("/api/ask", params={"q": "皖北振兴是哪一条？", "context": top}).json()
    assert new["kind"] != "followup"  # a new question with a context is still a new question
    assert client.get("/api/ask", params={"q": "那配合单位有哪些？", "context": f"{PLAN}/999"}).status_code == 404
    page = client.get("/", params={"q": CARBON}).text
    assert f'name="context" value="{top}"' in page and 'class="suggestions"' in page


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_script_toggle_never_redirects_off_site(fresh_client, target):
    r = fresh_client.get("/script/simp", params={"next": target}, follow_redirects=False)
    assert r.headers["location"] == "/"


def test_script_toggle_rejects_unknown_script(fresh_client):
    assert fresh_client.get("/script/klingon").status_code == 422


def test_static_files_are_local(client):
    assert client.get("/static/askplan.css").status_code == 200
    js = client.get("/static/askplan.js").text
    assert "navigator.clipboard" in js and "citation-fallback" in js


# --- JSON API ---------------------------------------------------------------------------------------------

def test_api_ask_returns_the_answer_object(client):
    r = client.get("/api/ask", params={"q": CARBON})
    assert r.status_code == 200
    data = r.json()
    assert data["kind"] == "lead" and data["answered"] is True
    assert data["responsibility"]["lead"] == LEAD
    assert len(data["hits"]) == 5
    top = data["hits"][0]
    assert top["id"] == f"{PLAN}/25" and top["citation"] == CITATION


@pytest.mark.parametrize("k", [1, 50])
def test_api_ask_k_bounds(client, k):
    assert len(client.get("/api/ask", params={"q": "碳达峰", "k": k}).json()["hits"]) == k


@pytest.mark.parametrize("k", ["0", "51", "abc", "-1", "1.5"])
def test_api_ask_bad_k_is_422_with_a_message(client, k):
    r = client.get("/api/ask", params={"q": "碳达峰", "k": k})
    assert r.status_code == 422 and "k" in r.json()["detail"]


@pytest.mark.parametrize("q", ["", "   ", "%00", "%07", "%ED%A0%80", "%00%00%0B", "？？？"])
def test_api_ask_unusable_question_is_422_with_a_message(client, q):
    r = client.get(f"/api/ask?q={q}")
    assert r.status_code == 422
    assert isinstance(r.json()["detail"], str) and "question" in r.json()["detail"]


def test_api_ask_control_characters_inside_a_question_are_harmless(client):
    r = client.get("/api/ask?q=%07%E8%B0%81%E7%89%B5%E5%A4%B4%E7%A2%B3%E8%BE%BE%E5%B3%B0%00")  # \a谁牵头碳达峰\0
    assert r.status_code == 200 and r.json()["hits"][0]["id"] == f"{PLAN}/25"
    assert client.get("/?q=%ED%A0%80%E7%A2%B3").status_code == 200  # lone surrogate bytes + 碳


def test_api_ask_over_long_question_is_422_not_truncated(client):
    r = client.get("/api/ask", params={"q": "碳" * 501})
    assert r.status_code == 422 and "500" in r.json()["detail"]
    assert client.get("/api/ask", params={"q": "碳" * 500}).status_code == 200


def test_api_ask_script_injection_is_returned_as_data(client):
    r = client.get("/api/ask", params={"q": "<script>alert(1)</script>碳达峰"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert r.json()["question"] == "<script>alert(1)</script>碳达峰"


def test_api_ask_unknown_document_is_404(client):
    r = client.get("/api/ask", params={"q": "碳达峰", "doc": "nope"})
    assert r.status_code == 404 and "nope" in r.json()["detail"]


def test_api_measure(client):
    r = client.get(f"/api/measures/{PLAN}/25")
    assert r.status_code == 200
    data = r.json()
    assert data["id"] == f"{PLAN}/25" and data["citation"] == CITATION
    assert data["responsibilities"][0]["lead_verbatim"] == LEAD
    simp = client.get(f"/api/measures/{PLAN}/25", params={"simplified": "true"}).json()
    assert simp["title"] == "推进碳达峰碳中和"


@pytest.mark.parametrize("mid", ["yrd-integration-outline-2019/5.2", "anhui-industrial-internet-2021/p2.box1"])
def test_api_measure_dotted_keys(client, mid):
    assert client.get(f"/api/measures/{mid}").json()["id"] == mid


@pytest.mark.parametrize("url", ["/api/measures/nope/1", f"/api/measures/{PLAN}/999", "/api/nope"])
def test_api_unknown_is_json_404(client, url):
    r = client.get(url)
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/json")
    assert r.json()["detail"]


def test_api_docs_lists_documents_with_counts(client, app):
    docs = client.get("/api/docs").json()
    corpus = app.state.service.corpus
    assert [d["slug"] for d in docs] == [d.slug for d in corpus.documents]
    plan = next(d for d in docs if d["slug"] == PLAN)
    assert plan["script"] == "traditional" and plan["measures"] == len(corpus.document(PLAN).measures)
    assert set(plan) == {"slug", "title", "issuer", "date", "script", "source", "measures"}


def test_healthz_ok(client, app):
    assert client.get("/healthz").json() == {"status": "ok", "measures": len(app.state.service.corpus.measures),
                                             "model": HASH, "detail": None}


def test_openapi_docs(client):
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    if _local_swagger_ui():  # swagger-ui-py installed: /docs works offline
        assert "cdn" not in docs.text and client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    schema = client.get("/openapi.json").json()
    assert {"/api/ask", "/api/docs", "/api/measures/{doc}/{key}", "/healthz"} <= set(schema["paths"])
    assert "AnswerOut" in schema["components"]["schemas"]


def test_routes_that_search_are_sync_so_they_run_in_the_threadpool():
    for route in (routes_api.ask, routes_api.measure, routes_pages.home, routes_pages.measure_page):
        assert not inspect.iscoroutinefunction(route)


# --- 503: index missing, damaged or being prepared --------------------------------------------------------

@pytest.mark.parametrize("breaker", [
    lambda store: (store / "dense.faiss").write_bytes(b"garbage" * 100),
    lambda store: (store / "manifest.json").unlink(),
    lambda store: (store / "manifest.json").write_text("{not json", encoding="utf-8"),
    lambda store: (store / "passages.jsonl").write_text("", encoding="utf-8"),
], ids=["faiss-garbage", "no-manifest", "bad-manifest", "empty-passages"])
def test_broken_index_is_503_naming_the_fix(built_index, tmp_path, breaker):
    app = create_app(_settings(_broken_copy(built_index, tmp_path, breaker)), build_if_missing=False)
    with TestClient(app) as c:
        assert app.state.readiness.wait(30) == "error"
        r = c.get("/api/ask", params={"q": CARBON})
        assert r.status_code == 503 and "askplan index" in r.json()["detail"]
        assert r.json()["fix"] == "askplan index --force"
        page = c.get("/", params={"q": CARBON})
        assert page.status_code == 503 and "askplan index --force" in page.text and "Traceback" not in page.text
        health = c.get("/healthz")  # liveness: the process is fine
        assert health.status_code == 200 and health.json()["status"] == "error"
        ready = c.get("/readyz")
        assert ready.status_code == 503 and not ready.json()["ready"] and "askplan index" in ready.json()["detail"]
        assert c.get(f"/m/{PLAN}/25").status_code == 200  # reading the corpus needs no index


def test_server_recovers_once_the_index_is_rebuilt(built_index, tmp_path):
    index_dir = _broken_copy(built_index, tmp_path, lambda store: (store / "manifest.json").unlink())
    app = create_app(_settings(index_dir), build_if_missing=False)
    with TestClient(app) as c:
        app.state.readiness.wait(30)
        assert c.get("/api/ask", params={"q": CARBON}).status_code == 503
        app.state.service.build()  # what `askplan index --force` does in another terminal
        app.state.readiness.retry_seconds = 0
        assert c.get("/api/ask", params={"q": CARBON}).status_code == 200
        assert c.get("/healthz").json()["status"] == "ok"


def test_missing_index_is_built_on_start_when_allowed(tmp_path):
    app = create_app(_settings(tmp_path / "new-index"))
    with TestClient(app) as c:
        assert app.state.readiness.wait(60) == "ok"
        assert c.get("/api/ask", params={"q": CARBON}).status_code == 200
    assert (resolve(tmp_path / "new-index") / "manifest.json").exists()


class SlowService(AskplanService):
    """Loads its index only once ``release`` is set, to show the app while it is being prepared."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.release = threading.Event()

    def retriever(self, *, build_if_missing=False, say=None):
        if say:
            say("embedding passages 3/14")
        assert self.release.wait(30)
        return super().retriever(build_if_missing=build_if_missing, say=say)


def test_preparing_page_while_the_index_is_built(built_index):
    service = SlowService(_settings(built_index))
    app = create_app(service=service)
    with TestClient(app) as c:
        try:
            page = c.get("/", params={"q": CARBON})
            assert page.status_code == 503 and "正在准备索引" in page.text
            assert 'http-equiv="refresh"' in page.text and page.headers["retry-after"]
            assert "embedding passages 3/14" in page.text
            api = c.get("/api/ask", params={"q": CARBON})
            assert api.status_code == 503 and api.json()["status"] == "building"
            assert c.get("/api/ask", params={"q": " "}).status_code == 422  # bad input is still 422
            assert c.get("/healthz").json()["status"] == "building"
            assert c.get(f"/m/{PLAN}/25").status_code == 200
        finally:
            service.release.set()
        assert app.state.readiness.wait(30) == "ok"
        assert c.get("/", params={"q": CARBON}).status_code == 200


# --- 500 ---------------------------------------------------------------------------------------------------

class BrokenService(AskplanService):
    def ask(self, *args, **kwargs):
        raise RuntimeError("secret internal detail")


def test_unexpected_errors_are_logged_500s_without_traceback(built_index, caplog):
    app = create_app(service=BrokenService(_settings(built_index)), build_if_missing=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        app.state.readiness.wait(30)
        api = c.get("/api/ask", params={"q": CARBON})
        page = c.get("/", params={"q": CARBON})
    assert api.status_code == 500 and api.json() == {"detail": "internal error; it has been logged on the server"}
    assert page.status_code == 500 and "服务器内部错误" in page.text
    for text in (api.text, page.text):
        assert "secret internal detail" not in text and "Traceback" not in text
    assert "secret internal detail" in caplog.text


# --- highlighting and the serve command -----------------------------------------------------------------

def _measure(text: str, clause: str = "") -> Measure:
    full = text + clause
    resp = (Responsibility(clause, ("省发展改革委",), ("省發展改革委",), "省发展改革委", (), (0, len(full)),
                           (len(text), len(full))),) if clause else ()
    return Measure("d/1", "d", "1", "(一)", "題", (), full, 0, len(full), 1, resp)


def test_highlight_escapes_and_nests_marks():
    m = _measure("<b>推進碳達峰</b>。其他工作。", "(責任單位:省發展改革委)")
    html = str(highlight(m, query_grams("碳达峰"), (0, 13)))
    assert html.startswith('<mark class="best">&lt;b&gt;推進<mark>碳達峰</mark>&lt;/b&gt;。</mark>')
    assert '<span class="resp">(責任單位:省發展改革委)</span>' in html and "<b>" not in html


def test_highlight_in_simplified_keeps_offsets():
    m = _measure("推進碳達峰碳中和。加強聯合攻關。")
    html = str(highlight(m, query_grams("碳達峰"), (0, 9), to_simplified))
    assert html == '<mark class="best">推进<mark>碳达峰</mark>碳中和。</mark>加强联合攻关。'


def test_serve_command_is_listed_with_its_options():
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0 and "--port" in result.output and "正在准备索引" in result.output
