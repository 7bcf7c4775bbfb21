"""End to end in a real browser: ``askplan serve``'s app under uvicorn with the real default model and index
(built once per session, conftest.live_server), driven through Debian's chromium with Playwright.
Screenshots go to test-output/ (git-ignored)."""

from __future__ import annotations

import re

import pytest

from askplan.config import REPO_ROOT

pytestmark = pytest.mark.browser

OUT = REPO_ROOT / "test-output"
PLAN = "anhui-yrd-14fyp-action-plan-2021"
LEAD = "省碳达峰碳中和工作领导小组成员单位"
CITATION = "《安徽省实施长三角一体化发展规划“十四五”行动方案》（二十五）推进碳达峰碳中和"


@pytest.fixture(scope="module")
def server(live_server):
    """The session's server over the real model and index (conftest.live_server)."""
    return f"http://127.0.0.1:{live_server}"


@pytest.fixture(scope="module")
def browser(chromium):
    OUT.mkdir(exist_ok=True)
    return chromium


def _copied_citation(page) -> str:
    """The clipboard's text, or the fallback field's when the page had to use it."""
    # A locator assertion, not wait_for_function: polling a string predicate needs eval, which the page's CSP forbids.
    from playwright.sync_api import expect

    expect(page.locator("#hit-1 .copy-status")).to_have_text(re.compile(r"\S"))
    fallback = page.locator("#hit-1 .citation-fallback")
    if fallback.is_visible():
        return fallback.input_value()
    return page.evaluate("navigator.clipboard.readText()")


def test_ask_copy_citation_and_toggle_script(server, browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(server + "/")
    page.fill("#q", "谁牵头碳达峰工作")
    page.press("#q", "Enter")
    page.wait_for_selector("#hit-1")
    assert "q=" in page.url  # results are bookmarkable
    assert page.inner_text("#hit-1 .label") == "（二十五）"
    assert LEAD in page.inner_text(".answer .lead-unit")
    page.click("#hit-1 .copy-citation")
    assert _copied_citation(page) == CITATION
    page.screenshot(path=str(OUT / "browser-results.png"), full_page=True)
    assert page.inner_text("#hit-1 .title") == "推进碳达峰碳中和"  # Simplified by default

    page.click(".script-toggle a[data-script=orig]")
    page.wait_for_selector(".script-toggle a[data-script=orig].on")
    assert page.inner_text("#hit-1 .title") == "推進碳達峰碳中和"
    assert page.locator("#hit-1 mark.best").count() == 1
    page.screenshot(path=str(OUT / "browser-results-original.png"), full_page=True)
    page.goto(f"{server}/m/{PLAN}/25")  # the cookie carries the choice to other pages
    assert "推進碳達峰碳中和" in page.inner_text("h1")
    context.close()


def test_copy_citation_falls_back_to_a_selected_field(server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined});"
                            "document.execCommand = function () { return false; };")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{server}/m/{PLAN}/25")
    page.click(".copy-citation")
    field = page.locator(".citation-fallback")
    field.wait_for(state="visible")
    assert field.input_value() == CITATION
    selected = page.evaluate("(() => { const f = document.querySelector('.citation-fallback');"
                             " return f.value.substring(f.selectionStart, f.selectionEnd); })()")
    assert selected == CITATION
    page.screenshot(path=str(OUT / "browser-measure-phone.png"), full_page=True)
    context.close()
