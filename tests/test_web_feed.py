"""Atom feeds of searches (GET /feed): valid Atom, the search's filters, newest first,
entry ids that survive updates and rebuilds, and article text that stays text.

Feeds are parsed twice: by feedparser (what feed readers use; `bozo` flags any
well-formedness or encoding problem) and by ElementTree, to look at the exact XML.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree as ET

import feedparser
import pytest
from bs4 import BeautifulSoup

from indexer import sync
from webui.feeds import FEED_ENTRIES, xml_text

from .helpers import script
from .web.conftest import (  # noqa: F401  (fixtures)
    IMG,
    SCRIPT,
    hostile,
    hostile_app,
    hostile_corpus,
    hostile_index,
    make_app,
    seed_index,
    web,
    web_app,
)

ATOM = "{http://www.w3.org/2005/Atom}"

NEW_ARTICLE = """Seoul and Moscow reopen their ferry route after two years

By Kim Min-ji

Seoul, March 3, 2025

South Korea and Russia agreed on Monday to reopen the ferry route between Donghae and Vladivostok, officials in Seoul said, two years after it was suspended.

The foreign ministry said the decision did not change its position on sanctions, and that Washington had been told in advance.
"""


def parsed(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/atom+xml"
    assert response.mimetype_params.get("charset") == "utf-8"
    feed = feedparser.parse(response.data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def api_ids(client, **params) -> list[str]:
    data = client.get("/api/search", query_string={"per_page": 100, **params}).get_json()
    return [hit["id"] for hit in data["hits"]]


def article_ids(feed) -> list[str]:
    return [urlsplit(entry.link).path.rsplit("/", 1)[1] for entry in feed.entries]


# -- what a feed holds ----------------------------------------------------------------------
def test_feed_of_every_article_is_valid_atom_newest_first_undated_last(web):
    feed = parsed(web.get("/feed"))
    assert len(feed.entries) == 5
    assert article_ids(feed) == api_ids(web, sort="newest")
    dated = [entry.published for entry in feed.entries if "published" in entry]
    assert dated == ["2024-06-23T00:00:00Z", "2023-11-07T00:00:00Z"]
    assert ["published" in entry for entry in feed.entries] == [True, True, False, False, False]
    assert feed.feed.title == "News archive: every article"
    assert feed.feed.id.startswith("urn:uuid:")


def test_each_entry_has_id_title_absolute_link_dates_author_summary_and_categories(web):
    feed = parsed(web.get("/feed", query_string={"q": "howitzer"}))
    (entry,) = feed.entries
    assert entry.id.startswith("urn:uuid:")
    assert entry.title == "Seoul raises stakes in confrontation with Moscow"
    assert entry.link.startswith("http://localhost/articles/")
    assert web.get(urlsplit(entry.link).path).status_code == 200
    assert "updated" in entry and "published" not in entry  # an undated article: no publication date is made up
    assert "[howitzer]" not in entry.summary and "howitzer" in entry.summary and "<mark>" not in entry.summary
    assert entry.summary_detail.type == "text/plain"
    assert "author" not in entry and feed.feed.author == "News archive"  # no byline: the feed's author stands (RFC 4287 4.2.1)
    terms = {(tag.scheme, tag.term) for tag in entry.tags}
    assert ("urn:news-archive-search:outlet", "unknown") in terms
    assert ("urn:news-archive-search:actor", "K9 howitzer") not in terms
    assert ("urn:news-archive-search:actor", "South Korea") in terms


def test_a_dated_entry_has_its_byline_and_publication_date(web):
    feed = parsed(web.get("/feed", query_string={"outlet": "Medium"}))
    (entry,) = feed.entries
    assert entry.author == "Shankar Narayan"
    assert entry.published == entry.updated == "2024-06-23T00:00:00Z"
    assert feed.feed.updated == "2024-06-23T00:00:00Z"


def test_feed_applies_the_search_filters(web):
    for params in ({"q": "korea", "actor": "Putin"}, {"outlet": ["Medium", "korea times"]},
                   {"not_actor": "Japan"}, {"from": "2023", "to": "2023-12"}, {"undated": "1"},
                   {"q": "seoul OR moscow", "not_outlet": "unknown"}):
        feed = parsed(web.get("/feed", query_string=params))
        assert article_ids(feed) == api_ids(web, sort="newest", **params), params
    assert len(parsed(web.get("/feed", query_string={"undated": "1"})).entries) == 3


def test_feed_is_newest_first_whatever_the_sort_says(web):
    relevance = parsed(web.get("/feed", query_string={"q": "korea", "sort": "relevance"}))
    oldest = parsed(web.get("/feed", query_string={"q": "korea", "sort": "oldest"}))
    assert article_ids(relevance) == article_ids(oldest) == api_ids(web, q="korea", sort="newest")


def test_per_page_sets_how_many_entries_and_page_is_ignored(web):
    assert FEED_ENTRIES == 50
    two = parsed(web.get("/feed", query_string={"per_page": "2", "page": "3"}))
    assert article_ids(two) == api_ids(web, sort="newest")[:2]
    self_link = next(link.href for link in two.feed.links if link.rel == "self")
    assert dict(parse_qsl(urlsplit(self_link).query)) == {"per_page": "2"}


def test_feed_links_itself_and_the_search_page(web):
    feed = parsed(web.get("/feed", query_string={"q": "korea", "outlet": "Medium", "page": "2"}))
    links = {link.rel: link for link in feed.feed.links}
    assert links["self"].type == "application/atom+xml"
    assert parse_qsl(urlsplit(links["self"].href).query) == [("q", "korea"), ("outlet", "Medium")]
    assert links["alternate"].type == "text/html"
    page = web.get(urlsplit(links["alternate"].href).path + "?" + urlsplit(links["alternate"].href).query)
    assert page.status_code == 200
    assert feed.feed.title == "News archive: “korea” · Outlet Medium"


def test_feed_id_is_one_per_search_whatever_the_parameter_order(web):
    one = parsed(web.get("/feed?outlet=Medium&q=korea&actor=Russia"))
    other = parsed(web.get("/feed?actor=Russia&q=korea&outlet=Medium&sort=oldest"))
    different = parsed(web.get("/feed?q=korea"))
    assert one.feed.id == other.feed.id != different.feed.id


@pytest.mark.parametrize("params, names", [
    ({"sort": "bogus"}, "sort"),
    ({"page": "x"}, "page"),
    ({"per_page": "0"}, "per_page"),
    ({"per_page": "101"}, "per_page"),
    ({"from": "2023-13"}, "from"),
    ({"q": '"unclosed'}, "quote"),
    ({"q": "title:"}, "title"),
])
def test_bad_parameters_are_refused_like_on_the_search_page(web, params, names):
    response = web.get("/feed", query_string=params)
    assert response.status_code == 400
    assert names in response.get_data(as_text=True)
    assert web.get("/", query_string=params).status_code == 400


def test_an_unchanged_feed_answers_not_modified(web):
    first = web.get("/feed", query_string={"q": "korea"})
    assert first.headers["ETag"]
    again = web.get("/feed", query_string={"q": "korea"}, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


# -- the search page links its feed -----------------------------------------------------------
def test_search_page_links_its_feed_in_the_head_and_on_the_page(web):
    page = web.get("/", query_string={"q": "korea", "actor": "Putin", "sort": "oldest", "page": "1", "per_page": "25"})
    soup = BeautifulSoup(page.data, "html.parser")
    alternate = soup.head.find("link", rel="alternate", type="application/atom+xml")
    assert alternate is not None
    assert alternate["href"] == "/feed?q=korea&actor=Putin"
    visible = soup.find("a", class_="feed-link")
    assert visible["href"] == alternate["href"] and visible.get_text(strip=True) == "Atom feed"
    assert parsed(web.get(alternate["href"])).feed.title == "News archive: “korea” · Actor Vladimir Putin"


def test_a_search_with_no_match_still_has_a_feed(web):
    soup = BeautifulSoup(web.get("/", query_string={"q": "zeppelin"}).data, "html.parser")
    href = soup.find("a", class_="feed-link")["href"]
    feed = parsed(web.get(href))
    assert feed.entries == [] and feed.feed.updated == "1970-01-01T00:00:00Z"


# -- hostile text ------------------------------------------------------------------------------
def test_markup_in_titles_text_and_outlets_stays_text(hostile):
    response = hostile.get("/feed")
    feed = parsed(response)
    assert SCRIPT.encode() not in response.data and IMG.encode() not in response.data
    root = ET.fromstring(response.data)
    assert not [e for e in root.iter() if not e.tag.startswith(ATOM)]  # no element but Atom's
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    evil = next(title for title in titles if SCRIPT in title)
    assert evil == f"{SCRIPT} Seoul warns {IMG} over Moscow ties"
    (entry,) = [e for e in feed.entries if e.title == evil]
    assert SCRIPT in entry.summary
    assert any(tag.term == f"{IMG} Gazette" for tag in entry.tags)
    assert any(e.title.startswith('=HYPERLINK("http://evil.example"') for e in feed.entries)


def test_characters_xml_cannot_carry_are_dropped_and_the_feed_stays_valid(web):
    feed = parsed(web.get("/feed", query_string={"q": "korea\x01\x0b"}))
    assert feed.feed.title == "News archive: “korea”"
    assert xml_text("a\x00b\x1fc\ufffed\te\U0001F600") == "abcd\te\U0001F600"


# -- stable ids: rebuilds and updates ----------------------------------------------------------
def test_entry_ids_survive_a_rebuild_and_an_update_puts_a_new_article_on_top(corpus, root):
    app = make_app(root, corpus)
    client = app.test_client()
    undated = corpus / next(p for p in os.listdir(corpus) if p.startswith("000_"))
    os.utime(undated, (1_700_000_000, 1_700_000_000))  # when the file was saved: the undated entry's `updated`

    before = client.get("/feed", query_string={"actor": "Russia"})
    feed = parsed(before)
    ids = [entry.id for entry in feed.entries]
    assert len(ids) == 5
    saved = next(entry for entry in feed.entries if entry.title.startswith("Seoul raises stakes"))
    assert saved.updated == dt.datetime.fromtimestamp(1_700_000_000, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    sync.rebuild(corpus, root)  # a new generation: every document written again
    after_rebuild = client.get("/feed", query_string={"actor": "Russia"})
    assert after_rebuild.data == before.data  # the same feed, byte for byte

    (corpus / "ferry.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    run = subprocess.run([script("search-index"), "update", "--corpus", str(corpus), "--index", str(root)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "added      ferry.txt" in run.stdout
    updated = parsed(client.get("/feed", query_string={"actor": "Russia"}))
    first = updated.entries[0]
    assert first.title == "Seoul and Moscow reopen their ferry route after two years"
    assert first.published == "2025-03-03T00:00:00Z"
    assert first.id not in ids
    assert [entry.id for entry in updated.entries[1:]] == ids
    assert updated.feed.updated == max(entry.updated for entry in updated.entries)


def test_an_undated_article_whose_file_is_gone_says_its_time_is_unknown(corpus, root):
    client = make_app(root, corpus).test_client()
    (undated,) = corpus.glob("000_*.txt")
    undated.unlink()  # not updated yet: the index still holds it
    feed = parsed(client.get("/feed", query_string={"q": "howitzer"}))
    (entry,) = feed.entries
    assert entry.updated == "1970-01-01T00:00:00Z" and "published" not in entry
