"""Folded copies in a real browser (Debian's chromium via Playwright): the list opens
without JavaScript, and the switch shows every copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from indexer import sync
from indexer.pipeline import PipelineOptions, process_file

from .helpers import SEEDS, seed_path, COPY_SEED, write_copies
from .test_web_browser import CHROMIUM, CHROMIUM_ARGS
from .web.conftest import LiveServer, make_app


@pytest.fixture(scope="module")
def copies_server(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("copies-browser") / "corpus"
    shutil.copytree(SEEDS, corpus)
    write_copies(corpus, process_file(seed_path(COPY_SEED)))
    root = corpus.parent / "index"
    sync.rebuild(corpus, root, PipelineOptions(ner=False))
    with LiveServer(make_app(root, corpus)) as server:
        yield server


@pytest.fixture(scope="module")
def page(copies_server):
    assert Path(CHROMIUM).exists(), "install Debian's chromium package: apt-get install -y chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=copies_server.url, java_script_enabled=False)
        context.set_default_timeout(10_000)
        yield context.new_page()
        browser.close()


def test_folded_copies_open_on_a_click_and_the_switch_lists_every_copy(page):
    page.goto("/?q=Blinken")
    assert page.locator("li.hit").count() == 1
    copies = page.locator("details.hit-copies")
    assert "3 other copies" in copies.locator("summary").inner_text()
    assert not copies.locator("ul.copy-list").is_visible()
    copies.locator("summary").click()
    assert copies.locator("ul.copy-list li").count() == 3
    assert copies.locator("ul.copy-list").is_visible()
    page.get_by_role("link", name="Show every copy").click()
    page.wait_for_url("**copies=all**")
    assert page.locator("li.hit").count() == 4
    page.get_by_role("link", name="Fold copies").click()
    page.wait_for_url(lambda url: "copies=all" not in url)
    assert page.locator("li.hit").count() == 1
