"""Actor pages: /actors/<name> and /api/actors/<name> on the seed index.

Expected values are computed independently from the articles themselves (their
actors and dates through /export.json), not from the facet code under test.
"""

from __future__ import annotations

import re
from collections import Counter
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from indexer.search import SearchService

from .web.conftest import SCRIPT, seed_index, web, web_app  # noqa: F401  (fixtures)

PUTIN = "Vladimir Putin"


def all_articles(web) -> list[dict]:
    return web.get("/export.json").get_json()["hits"]


def mentioning(web, name: str) -> list[dict]:
    return [a for a in all_articles(web) if name in {actor["name"] for actor in a["actors"]}]


def test_profile_counts_the_articles_that_mention_the_actor(web):
    profile = web.get(f"/api/actors/{PUTIN}").get_json()
    assert profile["count"] == len(mentioning(web, PUTIN)) == 3
    assert profile["count"] == web.get("/api/search", query_string={"actor": PUTIN}).get_json()["total"]


def test_co_mentions_are_the_other_actors_of_those_articles_most_first(web):
    counts = Counter(actor["name"] for article in mentioning(web, PUTIN) for actor in article["actors"]
                     if actor["name"] != PUTIN)
    types = {actor["name"]: actor["type"] for article in all_articles(web) for actor in article["actors"]}
    expected = sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold()))[:49]
    got = web.get(f"/api/actors/{PUTIN}").get_json()["co_mentions"]
    assert got == [{"value": name, "type": types[name], "count": n} for name, n in expected]


def test_timeline_counts_the_dated_articles_by_month(web):
    articles = mentioning(web, PUTIN)
    months = Counter(a["published"][:7] for a in articles if a["published"] and a["date_precision"] in ("day", "month"))
    profile = web.get(f"/api/actors/{PUTIN}").get_json()
    assert profile["timeline"] == [{"value": m, "count": n} for m, n in sorted(months.items())]
    assert profile["undated"] == sum(1 for a in articles if not a["published"])


def test_whole_profile_of_an_actor_with_outlets_aliases_and_latest(web):
    articles = mentioning(web, PUTIN)
    profile = web.get(f"/api/actors/{PUTIN}").get_json()
    assert {k: profile[k] for k in ("name", "type", "year_only")} == {"name": PUTIN, "type": "person", "year_only": 0}
    assert {"Putin", "Vladimir Vladimirovich Putin"} <= set(profile["aliases"])
    outlets = Counter(a["outlet"] for a in articles)
    assert profile["outlets"] == [{"value": o, "count": n} for o, n in sorted(outlets.items(), key=lambda i: (-i[1], i[0].casefold()))]
    dated = sorted((a for a in articles if a["published"]), key=lambda a: a["published"], reverse=True)
    assert [h["id"] for h in profile["latest"]] == [a["id"] for a in dated] + [a["id"] for a in articles if not a["published"]]


def test_an_alias_redirects_to_the_canonical_actor_page(web):
    response = web.get("/actors/Putin")
    assert response.status_code == 302
    assert response.headers["Location"] == "/actors/Vladimir%20Putin"
    assert web.get("/api/actors/putin").get_json()["name"] == PUTIN


def test_a_known_actor_without_articles_has_a_page_saying_so(web):
    response = web.get("/actors/Ghana")
    assert response.status_code == 200
    assert "No article mentions Ghana yet." in response.get_data(as_text=True)
    assert web.get("/api/actors/Ghana").get_json()["count"] == 0


@pytest.mark.parametrize("url", ["/actors/Nobody%20Anyone%20Knows", "/api/actors/Nobody%20Anyone%20Knows"])
def test_an_unknown_actor_is_a_404(web, url):
    response = web.get(url)
    assert response.status_code == 404
    assert "Nobody Anyone Knows" in response.get_data(as_text=True)


def test_an_actor_name_with_markup_is_escaped_on_the_404_page(web):
    response = web.get("/actors/" + SCRIPT)
    assert response.status_code == 404
    assert SCRIPT not in response.get_data(as_text=True)


def links(html: str) -> dict[str, str]:
    """Link text (tags stripped) -> href, for the page's <a> elements."""
    found = {}
    for href, text in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>(.*?)</a>', html, re.S):
        found.setdefault(unescape(re.sub(r"<[^>]+>", "", text)).strip(), unescape(href))
    return found


def test_a_co_mention_links_to_the_search_for_both_actors(web):
    html = web.get(f"/actors/{PUTIN}").get_data(as_text=True)
    url = links(html)["Kim Jong Un"]
    assert parse_qs(urlsplit(url).query)["actor"] == [PUTIN, "Kim Jong Un"]
    both = web.get("/api/search" + url[url.index("?"):]).get_json()
    co = {c["value"]: c["count"] for c in web.get(f"/api/actors/{PUTIN}").get_json()["co_mentions"]}
    assert both["total"] == co["Kim Jong Un"] == 2


def test_a_timeline_bar_searches_the_actor_in_that_month(web):
    html = web.get(f"/actors/{PUTIN}").get_data(as_text=True)
    href = unescape(re.search(r'<a href="([^"]+)" class="bar[^"]*">\s*<title>2023-11: 1 article</title>', html).group(1))
    assert parse_qs(urlsplit(href).query) == {"actor": [PUTIN], "from": ["2023-11"], "to": ["2023-11"]}
    assert web.get("/api/search" + href[href.index("?"):]).get_json()["total"] == 1


def test_the_article_page_links_each_actor_to_its_page(web):
    article = mentioning(web, PUTIN)[0]
    html = web.get(f"/articles/{article['id']}").get_data(as_text=True)
    assert 'href="/actors/Vladimir%20Putin"' in html


def test_service_profile_finds_the_actor_by_any_alias(seed_index):
    service = SearchService(seed_index)
    profile = service.actor_profile("Putin")
    assert (profile.name, profile.type, profile.count) == (PUTIN, "person", 3)
    assert all(v.value != PUTIN for v in profile.co_mentions)
    assert service.actor_profile("Nobody Anyone Knows") is None
    assert service.actor_profile("   ") is None
