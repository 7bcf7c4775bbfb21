"""The department view on the web through FastAPI's TestClient: /dept, /dept/{name}, the CSV and Markdown
downloads, /api/departments[/{name}], the 300/404 answers for ambiguous and unknown names, and department
questions through /api/ask."""

from __future__ import annotations

import csv
import html
import inspect
import io
import re
from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from askplan.answer import Answer
from askplan.config import REPO_ROOT, Settings
from askplan.service import AskplanService
from askplan.web import create_app, routes_dept
from askplan.web.views import _pages

PLAN = "anhui-yrd-14fyp-action-plan-2021"
NDRC = "省发展改革委"
HASH = "hash-bigram-64"


def _settings(index_dir: Path) -> Settings:
    return Settings(corpus_dir=REPO_ROOT / "corpus", index_dir=index_dir, model=HASH)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("dept-web-index")
    AskplanService(_settings(index_dir)).build()
    return create_app(_settings(index_dir), build_if_missing=False)


@pytest.fixture(scope="module")
def client(app):
    """Pages in the original script (cookie script=orig), as the texts print the names."""
    with TestClient(app, cookies={"script": "orig"}) as c:
        assert app.state.readiness.wait(30) == "ok"
        yield c


def main_part(html: str) -> str:
    return html.split("<main>", 1)[1].split("</main>", 1)[0]


# --- pages ------------------------------------------------------------------------------------------------

def test_department_list_page(client):
    r = client.get("/dept")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert '<a href="/dept" class="on" aria-current="page">部门</a>' in r.text  # the header link of every page
    body = main_part(r.text)
    assert body.count("<tr data-name=") == 68  # 市发展改革部门 from the regulation's prose
    assert (f'<td><a href="/dept/{quote(NDRC)}">{NDRC}</a></td><td class="num">11</td><td class="num">16</td>'
            f'<td class="num">27</td></tr>') in body
    assert f'<option value="{PLAN}"' in body
    assert 'id="dept-q"' in body and 'data-filter="dept-table"' in body  # the search box


def test_department_search_keeps_matching_units_in_either_script(client):
    body = main_part(client.get("/dept", params={"q": "發改"}).text)
    assert body.count("<tr data-name=") == 2 and f">{NDRC}</a>" in body and ">市发展改革部门</a>" in body
    assert "显示 <span data-filter-count>2</span> / 68 个单位" in body
    assert "没有名称含“宇宙”的单位" in main_part(client.get("/dept", params={"q": "宇宙"}).text)


def test_department_list_page_for_one_document(client):
    body = main_part(client.get("/dept", params={"doc": PLAN}).text)
    assert f'<option value="{PLAN}" selected>' in body
    assert (f'<a href="/dept/{quote(NDRC)}?doc={PLAN}">{NDRC}</a></td><td class="num">9</td><td class="num">10</td>'
            '<td class="num">19</td>') in body
    assert client.get("/dept", params={"doc": "nope"}).status_code == 404


def test_one_unit_page_groups_measures_by_document_with_badges(client):
    r = client.get(f"/dept/{quote('发改委')}")
    assert r.status_code == 200
    body = main_part(r.text)
    assert f"<h1>{NDRC}</h1>" in body and "省發展改革委" in body
    assert body.count('class="tag badge-lead">牵头</span>') == 11
    assert body.count('class="tag badge-co">配合</span>') == 16
    titles = [part.split("</a></h2>", 1)[0].rsplit(">", 1)[1] for part in body.split('<h2><a href="/d/')[1:]]
    assert titles == ["安徽省實施長三角一體化發展規劃「十四五」行動方案",  # the primary document (corpus config) first
                      "安徽省人民政府办公厅关于印发支持工业互联网发展若干政策和安徽省工业互联网创新发展行动计划（2021-2023年）的通知（皖政办秘〔2021〕82号）",
                      "安徽省关于加快对接《区域全面经济伙伴关系协定》（RCEP）经贸新规则扎实推进高水平开放实施意见（含印发通知，皖开放办〔2022〕6号）"]
    plan = body.split("安徽省實施長三角一體化發展規劃「十四五」行動方案</a></h2>", 1)[1].split("<h2>", 1)[0]
    assert plan.index(f'href="/m/{PLAN}/26"') < plan.index(f'href="/m/{PLAN}/10"')  # led before co-owned
    assert f'href="/dept/{quote(NDRC)}.csv"' in body and f'href="/dept/{quote(NDRC)}.md"' in body
    assert 'data-copy="《安徽省實施長三角一體化發展規劃「十四五」行動方案》（四）形成國內國際雙循環戰略鏈接"' in body


def test_one_unit_page_in_one_document_and_in_simplified(client):
    client.cookies.set("script", "simp")
    try:
        body = main_part(client.get(f"/dept/{quote('省商務廳')}", params={"doc": PLAN}).text)
    finally:
        client.cookies.set("script", "orig")
    assert "<h1>省商务厅</h1>" in body and body.count("<li class=\"dept-duty") == 5
    assert "（十四）建设高能级开放平台" in body and "高能級" not in body.split("<button", 1)[0]
    assert 'class="copy-original" data-copy="《安徽省實施長三角一體化發展規劃「十四五」行動方案》（十四）建設高能級開放平台"' in body
    assert f'href="/dept/{quote("省商务厅")}.csv?doc={PLAN}"' in body


def test_one_unit_page_shows_part_of_a_long_group_and_pages_through_documents(client, monkeypatch):
    """The same rule as for a million measures, at the bundled corpus's size: 省经信厅 has 43 clauses in one
    document, and 3 documents."""
    monkeypatch.setattr(routes_dept, "GROUP_ROWS", 10)
    monkeypatch.setattr(routes_dept, "DOC_GROUPS", 2)
    url = f"/dept/{quote('省经济和信息化厅')}"
    first = main_part(client.get(url).text)
    assert first.count('<section class="dept-doc">') == 2 and "第 1 / 2 页，共 3 个文件" in first
    assert first.count('<li class="dept-duty') == 20 and "查看该文件中的全部 43 条" in first
    more = html.unescape(re.search(r'<a href="([^"]+)">以上是前 10 条，查看该文件中的全部 43 条', first).group(1))
    assert "?doc=" in more and main_part(client.get(more).text).count('<li class="dept-duty') == 43
    second = main_part(client.get(html.unescape(re.search(r'href="([^"]+)" rel="next"', first).group(1))).text)
    assert second.count('<section class="dept-doc">') == 1 and "第 2 / 2 页" in second
    assert 'rel="next"' not in second and 'rel="prev"' in second
    seen = {m for part in (first, second) for m in re.findall(r'<h2><a href="(/d/[^"]+)"', part)}
    assert len(seen) == 3
    assert "第 2 / 2 页" in client.get(url, params={"page": 9}).text  # past the end: the last page
    assert client.get(url, params={"page": 0}).status_code == 422


def test_ambiguous_name_page_lists_candidates(client):
    r = client.get(f"/dept/{quote('人民政府')}", follow_redirects=False)
    assert r.status_code == 300 and "对应多个单位" in r.text
    assert f'<a href="/dept/{quote("各市人民政府")}">各市人民政府</a>' in r.text


def test_unknown_name_page_is_404_with_nearest(client):
    r = client.get(f"/dept/{quote('省宇宙局')}")
    assert r.status_code == 404 and "找不到“省宇宙局”" in r.text
    assert f'<a href="/dept/{quote("省林业局")}">省林业局</a>' in r.text


# --- downloads --------------------------------------------------------------------------------------------

def test_csv_download_is_utf8_with_bom(client):
    r = client.get(f"/dept/{quote('发改委')}.csv", params={"doc": PLAN})
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"].startswith("attachment;")
    assert f"filename*=UTF-8''{quote(NDRC + '-' + PLAN + '.csv')}" in r.headers["content-disposition"]
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["文件", "条款号", "任务", "牵头", "配合", "链接"] and len(rows) == 20
    assert rows[1][:4] == ["安徽省實施長三角一體化發展規劃「十四五」行動方案", "（四）", "形成國內國際雙循環戰略鏈接", "省發展改革委"]
    assert rows[1][4].startswith("省商務廳、") and rows[1][5] == f"http://testserver/m/{PLAN}/4"
    assert [r[3] == "省發展改革委" for r in rows[1:]] == [True] * 9 + [False] * 10  # led first, then co-owned


def test_csv_download_in_simplified_puts_the_primary_document_first(client):
    client.cookies.set("script", "simp")
    try:
        rows = list(csv.reader(io.StringIO(client.get(f"/dept/{quote(NDRC)}.csv").content.decode("utf-8-sig"))))
    finally:
        client.cookies.set("script", "orig")
    assert rows[1][0] == "安徽省实施长三角一体化发展规划“十四五”行动方案" and rows[1][3] == NDRC
    assert rows[-1][0] != rows[1][0]  # the other documents follow


def test_markdown_download(client):
    r = client.get(f"/dept/{quote(NDRC)}.md")
    assert r.status_code == 200 and r.headers["content-type"] == "text/markdown; charset=utf-8"
    lines = r.text.splitlines()
    assert lines[:2] == ["| 文件 | 条款号 | 任务 | 牵头 | 配合 | 链接 |", "|---|---|---|---|---|---|"]
    assert len(lines) == 2 + 27 and lines[2].endswith(f"| http://testserver/m/{PLAN}/4 |")


def test_download_of_unknown_unit_is_404(client):
    assert client.get(f"/dept/{quote('省宇宙局')}.csv").status_code == 404


# --- JSON API ---------------------------------------------------------------------------------------------

def test_api_departments(client):
    r = client.get("/api/departments")
    units = r.json()
    assert r.status_code == 200 and len(units) == 68
    assert units[0] == {"name": "省经济和信息化厅", "printed": ["省经济和信息化厅", "省經濟和信息化廳"], "led": 35,
                        "co_owned": 23, "total": 58}
    plan = client.get("/api/departments", params={"doc": PLAN}).json()
    assert (plan[0]["name"], plan[0]["led"], plan[0]["co_owned"]) == (NDRC, 9, 10)


def test_api_one_department(client):
    body = client.get(f"/api/departments/{quote('省商務廳')}").json()
    assert body["name"] == "省商务厅" and (body["led"], body["co_owned"], body["total"]) == (17, 7, 24)
    first = body["measures"][0]
    assert set(first) == {"id", "doc", "key", "label", "title", "citation", "role", "role_label", "clauses", "text"}
    assert first["role"] == "lead" and first["role_label"] == "牵头"
    assert [d["slug"] for d in body["documents"]] == ["anhui-industrial-internet-2021", "anhui-rcep-opening-2022", PLAN]


@pytest.mark.parametrize(("name", "status", "suggested"), [("省宇宙局", 404, "省林业局"), ("人民政府", 300, "各市人民政府")])
def test_api_unknown_or_ambiguous_department(client, name, status, suggested):
    r = client.get(f"/api/departments/{quote(name)}", follow_redirects=False)
    assert r.status_code == status and r.headers["content-type"].startswith("application/json")
    assert r.json()["detail"] and suggested in r.json()["suggestions"]


def test_api_unknown_document_is_404(client):
    assert client.get("/api/departments", params={"doc": "nope"}).status_code == 404
    assert client.get(f"/api/departments/{quote(NDRC)}", params={"doc": "nope"}).status_code == 404


def test_openapi_lists_the_department_routes(client):
    schema = client.get("/openapi.json").json()
    assert {"/api/departments", "/api/departments/{name}"} <= set(schema["paths"])
    assert not any(p.startswith("/dept") for p in schema["paths"])
    assert "DepartmentOut" in schema["components"]["schemas"]


def test_routes_are_sync_so_they_run_in_the_threadpool():
    for route in (routes_dept.api_departments, routes_dept.api_department, routes_dept.departments_page,
                  routes_dept.department_page, routes_dept.download_csv, routes_dept.download_markdown):
        assert not inspect.iscoroutinefunction(route)


# --- ask ----------------------------------------------------------------------------------------------------

def test_api_ask_answers_department_questions(client):
    body = client.get("/api/ask", params={"q": "省发改委牵头哪些工作？"}).json()
    assert body["kind"] == "department" and body["answered"] and body["department"] == NDRC
    assert len(body["hits"]) == 27 and body["hits"][0]["responsibility"]["lead_canonical"] == NDRC
    assert client.get("/api/ask", params={"q": "谁牵头碳达峰工作"}).json()["kind"] == "lead"


def test_home_page_shows_a_department_answer(client):
    r = client.get("/", params={"q": "商务厅都管什么"})
    assert r.status_code == 200 and 'id="hit-24"' in r.text


def test_api_ask_pages_a_units_list(client):
    asked = {"q": "省经信厅负责哪些工作？", "doc": ""}
    first = client.get("/api/ask", params=asked).json()
    assert (first["total"], first["offset"], first["next_offset"], len(first["hits"])) == (58, 0, 50, 50)
    rest = client.get("/api/ask", params={**asked, "offset": first["next_offset"]}).json()
    assert [h["rank"] for h in rest["hits"]] == list(range(51, 59)) and rest["next_offset"] is None
    ids = [h["id"] for h in first["hits"] + rest["hits"]]
    assert len(set(ids)) == 58
    bad = client.get("/api/ask", params={**asked, "offset": -1})
    assert bad.status_code == 422 and "offset" in bad.text


def test_home_page_pages_a_units_list_forward_and_back(client):
    plan = client.get("/", params={"q": "省经信厅负责哪些工作？"})
    main = main_part(plan.text)
    assert "共 58 条，以下是第 1–50 条" in main and 'id="hit-50"' in main and 'id="hit-51"' not in main
    assert 'rel="next"' in main and 'rel="prev"' not in main
    url = html.unescape(re.search(r'href="([^"]+)" rel="next"', main).group(1))
    assert url.endswith("&offset=50")
    rest = main_part(client.get(url).text)
    assert 'id="hit-51"' in rest and 'id="hit-58"' in rest and 'id="hit-1"' not in rest
    assert "第 51–58 条，共 58 条" in rest and 'rel="next"' not in rest
    back = html.unescape(re.search(r'href="([^"]+)" rel="prev"', rest).group(1))
    assert "offset" not in back and 'id="hit-1"' in client.get(back).text
    short = main_part(client.get("/", params={"q": "省发改委牵头哪些工作？"}).text)
    assert 'class="pager"' not in short and "共 27 条</p>" in short


def test_page_links_keep_the_document_and_the_context():
    middle = Answer("省经信厅负责哪些？", "省经信厅负责哪些？", "department", True, (None,) * 50, total=120, offset=60,
                    context="d/3")
    shown, pages = _pages(middle, "d")
    assert shown == "第 61–110 条"
    assert pages == (("上一页", "/?q=%E7%9C%81%E7%BB%8F%E4%BF%A1%E5%8E%85%E8%B4%9F%E8%B4%A3%E5%93%AA%E4%BA%9B%EF%BC%9F"
                                "&doc=d&context=d/3&offset=10"),
                     ("下一页", "/?q=%E7%9C%81%E7%BB%8F%E4%BF%A1%E5%8E%85%E8%B4%9F%E8%B4%A3%E5%93%AA%E4%BA%9B%EF%BC%9F"
                                "&doc=d&context=d/3&offset=110"))
    assert _pages(replace(middle, offset=0, total=50), "") == ("", ())  # one page: no pager
    assert _pages(replace(middle, kind="topic", total=None), "") == ("", ())


def test_department_pages_answer_while_the_index_is_missing(tmp_path):
    app = create_app(_settings(tmp_path / "no-index"), build_if_missing=False)
    with TestClient(app) as c:
        assert app.state.readiness.wait(30) == "error"
        assert c.get("/dept").status_code == 200
        assert c.get(f"/api/departments/{quote(NDRC)}").status_code == 200
        assert c.get("/api/ask", params={"q": "谁牵头碳达峰工作"}).status_code == 503
