"""The web UI in a real browser: headless Chromium (Debian's `chromium` package)
driven by Playwright, against a real HTTP server on 127.0.0.1 over an index of
the repository's seeds built in a temporary folder.

Chromium is never downloaded (no `playwright install`): CI installs the Debian
package (.ci/run). Set UPDATE_SCREENSHOT=1 to rewrite docs/screenshot-search.png.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from .web.conftest import REPO, live_server  # noqa: F401  (fixture)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCREENSHOT = REPO / "docs" / "screenshot-search.png"
KOREA_TIMES = "827e01d4f28e677d"


@pytest.fixture(scope="module")
def browser() -> Browser:
    assert Path(CHROMIUM).exists(), "install Debian's chromium package: apt-get install -y chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Watched:
    """A page that records every request it makes and every console error (a CSP violation is one)."""

    def __init__(self, page: Page):
        self.page = page
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))


@pytest.fixture
def watched(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = Watched(context.new_page())
    yield page
    context.close()
    assert page.errors == []
    assert [url for url in page.requests if not url.startswith(live_server.url + "/")] == []


def query_of(page: Page) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(page.url).query)


def outlet_counts(page: Page) -> dict[str, int]:
    items = page.locator(".facet-outlet .facet-value")
    return {item.get_attribute("data-name"): int(item.locator(".facet-count").inner_text()) for item in items.all()}


def test_query_outlet_facets_article_and_back(watched, live_server):
    page = watched.page
    page.goto("/")
    expect(page.locator(".results-count")).to_have_text("5 articles in the archive")

    page.keyboard.press("/")  # the shortcut focuses the search box
    expect(page.locator("#q")).to_be_focused()
    page.keyboard.type("seoul")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"\?q=seoul$"))
    expect(page.locator(".results-count")).to_have_text("5 articles matching seoul")
    assert outlet_counts(page) == {"medium": 1, "south china morning post": 1, "the hankyoreh": 1,
                                   "the korea times": 1, "unknown": 1}

    page.locator('.facet-outlet .facet-value[data-name="the korea times"] .facet-toggle').click()
    page.wait_for_url(re.compile(r"outlet="))
    assert query_of(page) == [("q", "seoul"), ("outlet", "The Korea Times")]
    expect(page.locator(".results-count")).to_have_text("1 article matching seoul")
    expect(page.locator(".chip")).to_have_text(["Outlet The Korea Times ×Remove filter outlet The Korea Times"])
    # Disjunctive: the other outlets keep their counts, so a second one can be added.
    assert outlet_counts(page) == {"the korea times": 1, "medium": 1, "south china morning post": 1,
                                   "the hankyoreh": 1, "unknown": 1}
    page.locator('.facet-outlet .facet-value[data-name="medium"] .facet-toggle').click()
    page.wait_for_url(re.compile(r"outlet=Medium"))
    assert query_of(page) == [("q", "seoul"), ("outlet", "The Korea Times"), ("outlet", "Medium")]
    expect(page.locator(".results-count")).to_have_text("2 articles matching seoul")
    expect(page.locator(".hit-title")).to_have_count(2)

    page.get_by_role("link", name="Seoul-Moscow ties likely stuck in limbo amid blame game").click()
    page.wait_for_url(f"**/articles/{KOREA_TIMES}")
    expect(page.locator("h1")).to_have_text("Seoul-Moscow ties likely stuck in limbo amid blame game")
    expect(page.locator(".similar li").first).to_be_visible()

    page.go_back()
    page.wait_for_url(re.compile(r"outlet=Medium$"))
    expect(page.locator(".results-count")).to_have_text("2 articles matching seoul")
    page.go_back()
    assert query_of(page) == [("q", "seoul"), ("outlet", "The Korea Times")]
    expect(page.locator(".results-count")).to_have_text("1 article matching seoul")


def test_histogram_bar_filters_by_month_and_chip_removes_it(watched):
    page = watched.page
    page.goto("/")
    page.get_by_role("link", name="2023-11: 1 article").click()
    page.wait_for_url(re.compile(r"from="))
    assert query_of(page) == [("from", "2023-11"), ("to", "2023-11")]
    expect(page.locator(".results-count")).to_have_text("1 article")
    expect(page.locator(".histogram a.bar.is-selected")).to_have_count(1)
    page.get_by_role("link", name="Clear all").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator(".results-count")).to_have_text("5 articles in the archive")


def test_date_inputs_and_undated_toggle(watched):
    page = watched.page
    page.goto("/?q=seoul")
    page.get_by_label("From").fill("2024")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"from=2024$"))  # the empty "to" is dropped from the address
    expect(page.locator(".results-count")).to_have_text("1 article matching seoul")
    page.locator('.facet-date .facet-value[data-name="undated"] .facet-toggle').click()
    page.wait_for_url(re.compile(r"undated=1"))
    assert query_of(page) == [("q", "seoul"), ("from", "2024"), ("undated", "1")]
    expect(page.locator(".results-count")).to_have_text("4 articles matching seoul")


def test_actor_box_filters_the_lists_while_typing_and_enter_adds_the_actor(watched):
    page = watched.page
    page.goto("/")
    box = page.get_by_label("Find an actor")
    box.fill("kim")
    visible = page.locator("#actor-lists .facet-value:visible .facet-name")
    expect(visible).to_have_text(["Kim Jong Un", "Kim Joon-hyung"])  # the second was behind "more"
    expect(page.locator('.actor-group[data-group="country"]')).to_be_hidden()
    box.fill("zzz")
    expect(page.locator(".no-match")).to_be_visible()
    box.fill("")
    expect(page.locator('.actor-group[data-group="country"]')).to_be_visible()
    box.fill("Putin")  # an alias
    box.press("Enter")
    page.wait_for_url(re.compile(r"actor=Putin"))
    expect(page.locator(".results-count")).to_have_text("3 articles")
    expect(page.locator(".chip-label")).to_have_text(["Vladimir Putin"])


def test_exclude_link_leaves_an_outlet_out(watched):
    page = watched.page
    page.goto("/")
    page.get_by_role("link", name="Exclude outlet unknown").click()
    page.wait_for_url(re.compile(r"not_outlet=unknown"))
    expect(page.locator(".results-count")).to_have_text("4 articles")
    expect(page.locator(".chip.chip-not .chip-label")).to_have_text("unknown")


def test_bad_query_shows_a_message_on_the_page(watched):
    page = watched.page
    response = page.goto('/?q="K9')
    assert response.status == 400
    expect(page.locator(".error-message")).to_have_text('query has an unclosed quote (")')
    expect(page.locator("#q")).to_have_value('"K9')
    assert watched.errors == ["Failed to load resource: the server responded with a status of 400 (BAD REQUEST)"]
    watched.errors.clear()


def test_pages_work_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    try:
        page.goto("/")
        page.locator("#q").fill("howitzer")
        page.locator("#q").press("Enter")
        page.wait_for_url(re.compile(r"q=howitzer"))
        expect(page.locator(".results-count")).to_have_text("1 article matching howitzer")
        page.locator('.facet-actor .facet-value[data-name="japan"] .facet-toggle').click()
        page.wait_for_url(re.compile(r"actor=Japan"))
        expect(page.locator(".chip-label")).to_have_text(["Japan"])
        page.locator(".facet-more summary").first.click()  # "more" opens without JavaScript
        expect(page.locator(".facet-more").first).to_have_attribute("open", "")
    finally:
        context.close()


def test_keyboard_reaches_skip_link_then_search_box(watched):
    page = watched.page
    page.goto("/")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    expect(page.locator(".skip-link")).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("#q")).to_be_focused()


def selected_hit(page: Page) -> str | None:
    selected = page.locator("li.hit.is-selected-hit .hit-title a")
    return selected.inner_text() if selected.count() == 1 else None


def test_j_and_k_move_between_hits_and_o_opens_the_selected_one(watched):
    page = watched.page
    page.goto("/?q=seoul&sort=newest")
    titles = page.locator("li.hit .hit-title a").all_inner_texts()
    assert len(titles) >= 3
    page.keyboard.press("j")
    assert selected_hit(page) == titles[0]
    expect(page.locator("li.hit .hit-title a").first).to_be_focused()
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert selected_hit(page) == titles[2]
    page.keyboard.press("k")
    assert selected_hit(page) == titles[1]
    expect(page.locator("li.hit.is-selected-hit")).to_have_attribute("aria-current", "true")
    page.keyboard.press("o")
    page.wait_for_url(re.compile(r"/articles/[0-9a-f]{16}$"))
    expect(page.locator("h1")).to_have_text(titles[1])


def test_enter_opens_the_hit_selected_with_j(watched):
    page = watched.page
    page.goto("/?q=seoul&sort=newest")
    second = page.locator("li.hit .hit-title a").nth(1).inner_text()
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/articles/[0-9a-f]{16}$"))
    expect(page.locator("h1")).to_have_text(second)


def test_letters_typed_in_the_search_box_are_not_taken_as_shortcuts(watched):
    page = watched.page
    page.goto("/?q=seoul")
    page.keyboard.press("/")
    page.keyboard.press("Control+a")
    page.keyboard.type("joke o? k")
    expect(page.locator("#q")).to_have_value("joke o? k")
    assert selected_hit(page) is None
    expect(page.locator("#shortcuts")).not_to_be_visible()
    page.keyboard.press("Escape")  # leaves the box; now j works
    page.keyboard.press("j")
    assert selected_hit(page) is not None


def test_question_mark_shows_the_shortcuts_and_escape_closes_them(watched):
    page = watched.page
    page.goto("/")
    page.keyboard.press("j")
    focused = page.locator("li.hit .hit-title a").first
    expect(focused).to_be_focused()
    page.keyboard.press("?")
    dialog = page.locator("#shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Next and previous hit")
    page.keyboard.press("j")  # the list is open: keys do not move the selection behind it
    page.keyboard.press("Escape")
    expect(dialog).not_to_be_visible()
    expect(focused).to_be_focused()  # focus goes back where it was


def test_tab_alone_reaches_hits_and_facets_and_enter_applies_a_facet(watched):
    page = watched.page
    page.goto("/?q=seoul")
    reached = []
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.closest('li.hit') ? 'hit' : "
                                     "document.activeElement.closest('.facet-outlet') ? 'outlet' : "
                                     "document.activeElement.id || document.activeElement.tagName"))
        if reached[-1] == "outlet":
            break
    assert "q" in reached and "hit" in reached and reached[-1] == "outlet"
    name = page.evaluate("document.activeElement.closest('.facet-value').getAttribute('data-name')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"outlet="))
    assert ("outlet", name) in [(k, v.lower()) for k, v in query_of(page)]


# -- accessibility: axe-core from tests/browser/node_modules (npm ci), never from a CDN ---------
AXE = REPO / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
AXE_PAGES = [
    "/?q=seoul&outlet=The+Korea+Times&outlet=Medium&actor=South+Korea&from=2023&to=2024&undated=1",
    f"/articles/{KOREA_TIMES}",
    "/actors/South%20Korea",
    "/help",
    "/articles/0000000000000000",  # the 404 page
]


@pytest.fixture(scope="module")
def axe_page(browser, live_server):
    assert AXE.exists(), "run `make install-test` (npm ci in tests/browser) to install axe-core"
    # bypass_csp: the app's Content-Security-Policy (default-src 'self') rightly refuses the
    # script we inject; only this test context lifts it, the other tests check it holds.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url, bypass_csp=True)
    yield context.new_page()
    context.close()


def serious_violations(page: Page, url: str) -> list[str]:
    """axe-core's serious and critical WCAG 2 A/AA violations on URL, one line each."""
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("url", AXE_PAGES)
def test_no_serious_accessibility_violations(axe_page, url):
    assert serious_violations(axe_page, url) == []


def test_axe_finds_a_violation_when_there_is_one(axe_page):
    # The check above can fail: an image without a text alternative is a critical violation.
    axe_page.goto("/help")
    axe_page.evaluate("() => { const img = document.createElement('img'); img.src = '/static/favicon.svg';"
                      " document.querySelector('main').append(img); }")
    axe_page.add_script_tag(path=str(AXE))
    result = axe_page.evaluate("() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a']}})")
    assert "image-alt" in {v["id"] for v in result["violations"]}


def test_phone_width_has_no_horizontal_scrolling(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, base_url=live_server.url)
    page = context.new_page()
    try:
        for url in ("/?q=seoul&outlet=Medium&actor=Japan", f"/articles/{KOREA_TIMES}", "/help", "/actors/South%20Korea"):
            page.goto(url)
            assert page.evaluate("document.documentElement.scrollWidth") <= 375, url
    finally:
        context.close()


def test_search_page_screenshot(browser, live_server, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    try:
        page.goto("/?q=seoul&outlet=Medium&outlet=South+China+Morning+Post&outlet=The+Korea+Times")
        expect(page.locator(".hit")).to_have_count(3)
        shot = tmp_path / "screenshot-search.png"
        page.screenshot(path=str(shot))
    finally:
        context.close()
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 20_000
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)
