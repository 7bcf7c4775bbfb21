"""The upload page in a real browser (Debian chromium through Playwright) against uvicorn over a copy of the
fixture corpus and a hash-bigram-64 index: choose a file, submit, watch the progress the page polls, follow the
result link; a title with markup stays text. Screenshot to test-output/upload.png."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from askplan.config import REPO_ROOT, Settings
from askplan.service import AskplanService
from conftest import serving_in_thread

pytestmark = pytest.mark.browser
FIXTURES = Path(__file__).parent / "fixtures"
XSS = "<script>alert(1)</script>"
NOTICE = (f"某市人民政府关于加强古树名木保护{XSS}的通知\n某市人民政府\n2022年5月6日\n一、严格保护\n"
          "（一）建立古树名木电子档案。为每株古树挂牌并定期巡查。（责任单位：市绿化市容局）\n")


@pytest.fixture
def upload_server(tmp_path):
    pytest.importorskip("uvicorn")
    from askplan.web import create_app

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in FIXTURES.glob("*.txt"):
        shutil.copy(path, corpus)
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", model="hash-bigram-64",
                        home=tmp_path / "home", allow_upload=True)
    AskplanService(settings).build()
    app = create_app(settings, build_if_missing=False)
    with serving_in_thread(app, "uvicorn-upload") as port:
        yield f"http://127.0.0.1:{port}"


def test_upload_in_the_browser_shows_progress_and_the_result(chromium, upload_server, tmp_path) -> None:
    from playwright.sync_api import expect

    file = tmp_path / "old-trees.txt"
    file.write_text(NOTICE, encoding="utf-8")
    page = chromium.new_page()
    page.set_default_timeout(30_000)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(upload_server + "/")
    page.click("nav.site-nav >> text=上传文件")
    page.set_input_files("input[name=file]", str(file))
    page.click(".upload-form button")
    expect(page.locator("#upload-status")).to_have_attribute("data-state", "done")
    expect(page.locator(".upload-state")).to_contain_text("已加入")
    assert XSS in page.inner_text(".upload-state")  # shown as text, never run
    (REPO_ROOT / "test-output").mkdir(exist_ok=True)
    page.screenshot(path=str(REPO_ROOT / "test-output" / "upload.png"), full_page=True)
    page.click(".upload-result a")
    expect(page.locator("main")).to_contain_text("建立古树名木电子档案")
    assert not dialogs, "markup in an uploaded title must not run"
    page.close()
