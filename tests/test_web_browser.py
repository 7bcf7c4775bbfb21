"""End to end in a real browser: ``askplan serve``'s app under uvicorn with the real default model (the index
is built by the app on start, as on a first run), driven through Debian's chromium with Playwright.
Screenshots go to test-output/ (git-ignored)."""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from askplan.config import REPO_ROOT, Settings

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
OUT = REPO_ROOT / "test-output"
PLAN = "anhui-yrd-14fyp-action-plan-2021"
LEAD = "省碳達峰碳中和工作領導小組成員單位"
CITATION = "《安徽省實施長三角一體化發展規劃「十四五」行動方案》（二十五）推進碳達峰碳中和"
BUILD_TIMEOUT = 900


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """uvicorn in a background thread on a free port; yields the base URL once the index is ready."""
    uvicorn = pytest.importorskip("uvicorn")
    from askplan.errors import ModelUnavailable
    from askplan.web import create_app

    app = create_app(Settings(index_dir=tmp_path_factory.mktemp("browser-index")))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.started, "uvicorn did not start"
        status = app.state.readiness.wait(BUILD_TIMEOUT)
        error = app.state.readiness.error
        if isinstance(error, ModelUnavailable):
            pytest.skip(f"the default embedding model cannot be built here: {error}")
        assert status == "ok", f"index not ready: {status} {error}"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    OUT.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


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

    page.click(".script-toggle a[data-script=simp]")
    page.wait_for_selector(".script-toggle a[data-script=simp].on")
    assert page.inner_text("#hit-1 .title") == "推进碳达峰碳中和"
    assert page.locator("#hit-1 mark.best").count() == 1
    page.screenshot(path=str(OUT / "browser-results-simplified.png"), full_page=True)
    page.goto(f"{server}/m/{PLAN}/25")  # the cookie carries the choice to other pages
    assert "推进碳达峰碳中和" in page.inner_text("h1")
    context.close()


def test_copy_citation_falls_back_to_a_selected_field(server, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined});")
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
