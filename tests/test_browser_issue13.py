"""Issue 13 in a real browser (Debian chromium through Playwright, the real model and index of the session's
server): pages in Simplified by default, copy that works on a plain-HTTP intranet host name, the draft-check
report and its Word export, follow-ups, the department view, navigation and recent questions. Screenshots of
the main pages, desktop (1366×768) and phone (390×844), go to test-output/."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from askplan.config import REPO_ROOT

pytestmark = pytest.mark.browser

OUT = REPO_ROOT / "test-output"
PLAN = "anhui-yrd-14fyp-action-plan-2021"
PLAN_TITLE = "安徽省实施长三角一体化发展规划“十四五”行动方案"
CITATION = f"《{PLAN_TITLE}》（二十五）推进碳达峰碳中和"
ORIGINAL = "《安徽省實施長三角一體化發展規劃「十四五」行動方案》（二十五）推進碳達峰碳中和"
NDRC = "省发展改革委"
DRAFT = ("关于碳达峰工作的汇报\n根据《安徽省实施长三角一体化发展规划“十四五”行动方案》（二十五），要“实施碳达峰行动，"
         "推进落实碳达峰碳中和政策体系”。方案要求，到2025年，常住人口城镇化率达到70%左右。")
DESKTOP, PHONE = {"width": 1366, "height": 768}, {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def base(live_server) -> str:
    OUT.mkdir(exist_ok=True)
    return f"http://127.0.0.1:{live_server}"


@pytest.fixture
def page(chromium, base):
    context = chromium.new_context(viewport=DESKTOP)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def expect(locator):
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


def ask(page, base: str, question: str) -> None:
    page.goto(base + "/")
    page.fill("#q", question)
    page.press("#q", "Enter")
    page.wait_for_selector("section.answer")


def clipboard(page) -> str:
    return page.evaluate("navigator.clipboard.readText()")


# --- 1. Simplified by default --------------------------------------------------------------------------------

def test_pages_open_in_simplified_and_copy_simplified_citations(page, base):
    ask(page, base, "谁牵头碳达峰工作？")
    expect(page.locator(".script-toggle a[data-script=simp]")).to_have_class("on")
    assert page.inner_text("#hit-1 .title") == "推进碳达峰碳中和"
    assert page.inner_text("#hit-1 .citation") == CITATION  # “十四五”, the official Simplified title
    page.click("#hit-1 .copy-citation")
    expect(page.locator("#hit-1 .copy-status")).to_have_text("已复制")
    assert clipboard(page) == CITATION
    page.click("#hit-1 .copy-original")  # the original script one click away
    expect(page.locator("#hit-1 .copy-wrap")).to_have_attribute("data-copied-by", "clipboard")
    assert clipboard(page) == ORIGINAL
    page.click("#hit-1 .copy-with-text")  # the clause text with its citation, ready for a draft
    pasted = clipboard(page)
    assert pasted.startswith("实施碳达峰行动") and pasted.endswith(f"（{CITATION}）。") and "責任" not in pasted
    page.click(".script-toggle a[data-script=orig]")
    page.wait_for_selector(".script-toggle a[data-script=orig].on")
    assert page.inner_text("#hit-1 .citation") == ORIGINAL


# --- 2. copy on a plain-HTTP intranet host ---------------------------------------------------------------------

def test_copy_over_plain_http_on_an_intranet_host_uses_exec_command(chromium, base, live_server, intranet_host):
    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"http://{intranet_host}:{live_server}/m/{PLAN}/25")
    assert page.evaluate("window.isSecureContext") is False
    assert page.evaluate("typeof navigator.clipboard") == "undefined"  # no Clipboard API here
    page.click(".copy-citation")
    expect(page.locator(".copy-status")).to_have_text("已复制")
    expect(page.locator(".copy-wrap")).to_have_attribute("data-copied-by", "execCommand")
    assert page.locator(".citation-fallback").is_hidden()
    page.screenshot(path=str(OUT / "copy-intranet-phone.png"))
    reader = context.new_page()  # read the system clipboard back from a secure origin of the same browser
    reader.goto(base + "/d")
    assert reader.evaluate("navigator.clipboard.readText()") == CITATION
    context.close()


# --- 3. the draft-check report -------------------------------------------------------------------------------

def test_check_report_reads_draft_then_source_exports_word_and_keeps_the_draft_on_toggle(page, base):
    import docx

    page.goto(base + "/check")
    page.fill("#text", DRAFT)
    page.click("form.check button:has-text('核对')")
    page.wait_for_selector(".check-notes")
    wrong, right = page.locator("mark.draft-wrong").first, page.locator("mark.source-right").first
    assert wrong.evaluate("e => getComputedStyle(e).color") == "rgb(180, 35, 24)"  # draft red
    assert right.evaluate("e => getComputedStyle(e).color") == "rgb(47, 107, 58)"  # source green
    figure = page.locator("li.note", has_text="70%")
    assert figure.locator("mark.draft-wrong").inner_text() == "70%"
    assert figure.locator("mark.source-right").inner_text() == "65%"
    assert "把“70%”改为“65%”" in figure.locator(".fix").inner_text()
    quote_note = page.locator("li.note", has_text="统筹制定并")
    assert quote_note.locator(".source-side mark.source-right").inner_text() == "统筹制定并"
    assert quote_note.locator("del").count() == 0  # words left out are not shown struck through
    citations = page.locator(".check-citations").inner_text()
    assert CITATION in citations and "纲要" not in citations  # only the document the draft cites
    page.screenshot(path=str(OUT / "check-desktop.png"))
    with page.expect_download() as download:
        page.click("#export-docx")
    report = docx.Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = "\n".join(p.text for p in report.paragraphs)
    assert "方案要求，到2025年，常住人口城镇化率达到70%左右。" in text and "修改：把“70%”改为“65%”。" in text
    assert CITATION in text
    page.click(".script-toggle button[data-script=orig]")
    page.wait_for_selector(".script-toggle button[data-script=orig].on")
    assert page.input_value("#text") == DRAFT  # the draft is kept …
    assert page.locator("li.note").count() >= 3  # … and so are the results
    assert ORIGINAL in page.inner_text(".check-citations")


def test_a_traditional_draft_gets_traditional_citations(page, base):
    from askplan.normalize import to_traditional

    page.goto(base + "/check")
    page.fill("#text", to_traditional(DRAFT))
    page.click("form.check button:has-text('核对')")
    page.wait_for_selector(".check-citations")
    assert ORIGINAL in page.inner_text(".check-citations") and CITATION not in page.inner_text(".check-citations")


# --- 4. follow-ups -------------------------------------------------------------------------------------------

def test_follow_up_questions_refer_back_to_the_previous_clause(page, base):
    page.goto(f"{base}/?q={quote('形成国内国际双循环战略链接谁牵头？')}")
    top = page.get_attribute("#hit-1 h3 a", "href")
    chips = page.locator(".suggestions a")
    assert 2 <= chips.count() <= 4
    page.fill("#q", "那配合单位有哪些？")
    page.press("#q", "Enter")
    page.wait_for_selector("section.answer.followup")
    assert "context=" in page.url
    assert page.inner_text(".answer .reply").startswith("配合单位：省商务厅")
    assert page.get_attribute("#hit-1 h3 a", "href") == top
    page.fill("#q", "下一条是什么？")
    page.press("#q", "Enter")
    page.wait_for_selector("section.answer.followup")
    assert page.inner_text(".answer .reply").startswith("下一条是")
    page.locator(".suggestions a", has_text="上位规划依据").first.click()
    page.wait_for_selector("section.answer.followup")
    assert "上位规划依据" in page.inner_text(".answer .reply") or "没有找到" in page.inner_text(".answer .reply")


# --- 5. departments ------------------------------------------------------------------------------------------

def test_department_question_leads_to_the_department_page_with_the_plan_first(page, base):
    ask(page, base, "省发改委牵头哪些工作？")
    page.locator("a.dept-link").first.click()
    page.wait_for_url(f"**/dept/{quote(NDRC)}")
    assert page.inner_text("h1") == NDRC
    assert page.locator(".dept-doc h2").first.inner_text() == PLAN_TITLE
    with page.expect_download() as download:
        page.click("a[href$='.csv']")
    header = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == "文件,条款号,任务,牵头,配合,链接"


def test_a_long_department_answer_pages_forward_and_back(page, base):
    ask(page, base, "省经信厅负责哪些工作？")
    expect(page.locator("section.hits article.hit")).to_have_count(50)
    assert "共 58 条，以下是第 1–50 条" in page.inner_text("section.answer")
    page.click("nav.pager a[rel=next]")
    page.wait_for_url("**offset=50")
    expect(page.locator("section.hits article.hit")).to_have_count(8)
    assert page.locator("article.hit").first.get_attribute("id") == "hit-51"
    page.click("nav.pager a[rel=prev]")
    expect(page.locator("section.hits article.hit")).to_have_count(50)
    assert page.locator("article.hit").first.get_attribute("id") == "hit-1"


def test_department_search_box_and_phone_table(chromium, base):
    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(base + "/dept")
    rows = page.locator("#dept-table tbody tr[data-name]")
    total = rows.count()
    page.fill("#dept-q", "发改")  # the provincial commission and the regulation's 市发展改革部门
    visible = page.locator("#dept-table tbody tr[data-name]:visible")
    expect(visible).to_have_count(2)
    assert sorted(t.split()[0] for t in visible.all_inner_texts()) == sorted([NDRC, "市发展改革部门"])
    page.fill("#dept-q", "")
    expect(page.locator("#dept-table tbody tr[data-name]:visible")).to_have_count(total)
    one_line = page.evaluate("""() => Array.from(document.querySelectorAll('.dept-table th')).every(th => {
        const cs = getComputedStyle(th);
        const inner = th.getBoundingClientRect().height - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom);
        return inner < 1.5 * parseFloat(cs.lineHeight); })""")
    assert one_line  # headers never wrap one character per line
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(OUT / "dept-phone.png"))
    context.close()


# --- 6. navigation, documents, errors, recent questions, 相似度 ------------------------------------------------

def test_header_navigation_documents_index_and_chinese_errors(page, base):
    page.goto(base + "/check")
    labels = page.locator(".site-nav a").all_inner_texts()
    assert labels == ["问答", "部门", "核对草稿", "文件"]
    page.click(".site-nav a:has-text('文件')")
    page.wait_for_url("**/d")
    assert page.locator(".doc-list li").first.locator(".doc-link").inner_text() == PLAN_TITLE
    page.goto(base + "/d/nope")
    assert "找不到这个文件或条款" in page.inner_text("h1") and "不存在" in page.inner_text("main")
    page.goto(base + "/no/such/page")
    assert "找不到这个页面" in page.inner_text("h1")


def test_recent_questions_are_kept_in_the_browser_and_cleared(page, base):
    for q in ("谁牵头碳达峰工作？", "皖北振兴是哪一条？"):
        ask(page, base, q)
    page.goto(base + "/")
    expect(page.locator("#recent")).to_be_visible()
    assert page.locator("#recent li").all_inner_texts()[:2] == ["皖北振兴是哪一条？", "谁牵头碳达峰工作？"]
    page.click("#recent-clear")
    expect(page.locator("#recent")).to_be_hidden()
    assert page.evaluate("window.localStorage.getItem('askplan.recent')") is None


def test_similarity_is_explained(page, base):
    page.goto(f"{base}/m/{PLAN}/25")
    note = page.locator("#implements .similarity-note")
    expect(note).to_be_visible()
    assert re.search(r"语义向量占 30%、关键词占 70%", note.inner_text())


# --- screenshots ---------------------------------------------------------------------------------------------

PAGES = {"home": "/", "answer": f"/?q={quote('谁牵头碳达峰工作？')}", "measure": f"/m/{PLAN}/25",
         "documents": "/d", "dept": "/dept", "dept-unit": f"/dept/{quote(NDRC)}", "check": "/check"}


@pytest.mark.parametrize(("device", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_screenshots_of_the_main_pages(chromium, base, device, viewport):
    context = chromium.new_context(viewport=viewport, is_mobile=device == "phone", has_touch=device == "phone")
    page = context.new_page()
    page.set_default_timeout(30_000)
    for name, path in PAGES.items():
        page.goto(base + path)
        assert page.locator("header .site-nav").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
        page.screenshot(path=str(OUT / f"{name}-{device}.png"))
    page.goto(base + "/check")
    page.fill("#text", DRAFT)
    page.click("form.check button:has-text('核对')")
    page.wait_for_selector(".check-notes")
    if device == "desktop":  # the two pictures of the README (docs/), cropped to the page's column
        _readme_shot(page, ".check-summary", OUT / "readme-check.png", 900)
        page.goto(base + PAGES["answer"])
        _readme_shot(page, "main", OUT / "readme-answer.png")
    else:
        page.locator(".check-notes").scroll_into_view_if_needed()
    page.screenshot(path=str(OUT / f"check-result-{device}.png"))
    context.close()


def _readme_shot(page, top: str, path: Path, height: int = 660) -> None:
    main = page.locator("main").bounding_box()
    start = page.locator(top).first.bounding_box()["y"] + page.evaluate("window.scrollY")
    page.screenshot(path=str(path), full_page=True,
                    clip={"x": main["x"], "y": start, "width": main["width"], "height": height})
