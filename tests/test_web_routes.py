"""The web UI through Flask's test client: every route, every error path.

The seed index holds five articles: two dated (Medium 2024-06-23, South China
Morning Post 2023-11-07) and three undated (The Hankyoreh, The Korea Times,
unknown). Pages are read with BeautifulSoup, the API as JSON.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from bs4 import BeautifulSoup
from werkzeug.datastructures import MultiDict

from indexer.search import SearchRequest
from webui.exports import safe_cell
from webui.urls import SearchState

from .helpers import free_port
from .web.conftest import (  # noqa: F401  (fixtures)
    IMG,
    SCRIPT,
    SEEDS,
    build,
    hostile,
    hostile_app,
    hostile_corpus,
    hostile_index,
    make_app,
    seed_index,
    web,
    web_app,
)

MEDIUM = "65125868a07dbffe"  # South Korea Dares Putin to Work with North Korea (2024-06-23)
SCMP = "d1c3064665642bad"  # Blinken set to discuss ... (2023-11-07)
HANKYOREH = "53ab5b3696cd4fea"
KOREA_TIMES = "827e01d4f28e677d"
UNKNOWN = "f3ea0a8181685976"
NEWEST_FIRST = [MEDIUM, SCMP, HANKYOREH, KOREA_TIMES, UNKNOWN]  # undated last, newest document first
ALL_OUTLETS = ["Medium", "South China Morning Post", "The Hankyoreh", "The Korea Times", "unknown"]


# -- helpers -------------------------------------------------------------------------------
def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def get_page(client, url: str, status: int = 200) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return soup_of(response)


def hit_ids(soup: BeautifulSoup) -> list[str]:
    return [a["href"].rsplit("/", 1)[1] for a in soup.select(".hit-title a")]


def facet(soup: BeautifulSoup, section: str) -> list[tuple[str, int, bool]]:
    """(name, count, selected) of every value in a facet section, "more" included."""
    values = []
    for item in soup.select(f".facet-{section} .facet-value"):
        name = item.select_one(".facet-name").get_text(" ", strip=True)
        name = re.sub(r"^(Selected|Excluded): ", "", name)
        values.append((name, int(item.select_one(".facet-count").get_text()), "is-selected" in item["class"]))
    return values


def facet_link(soup: BeautifulSoup, section: str, name: str, which: str = ".facet-toggle") -> str:
    for item in soup.select(f".facet-{section} .facet-value"):
        if item["data-name"] == name.lower():
            return item.select_one(which)["href"]
    raise AssertionError(f"no {name!r} in the {section} facet")


def params(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


def chips(soup: BeautifulSoup) -> list[tuple[str, str]]:
    return [(c.select_one(".chip-kind").get_text(), c.select_one(".chip-label").get_text()) for c in soup.select(".chip")]


# -- the search page -----------------------------------------------------------------------
def test_empty_query_browses_every_article_newest_first_undated_last(web):
    soup = get_page(web, "/")
    assert soup.select_one(".results-count").get_text(" ", strip=True) == "5 articles in the archive"
    assert hit_ids(soup) == NEWEST_FIRST
    assert [m.get_text(" ", strip=True) for m in soup.select(".hit-meta")][:2] == [
        "Medium · 2024-06-23 · Shankar Narayan",
        "South China Morning Post · 2023-11-07 · Park Chan-kyong",
    ]


def test_each_hit_shows_title_outlet_date_highlighted_snippet_and_actor_links(web):
    soup = get_page(web, "/?q=howitzer")
    (hit,) = soup.select(".hit")
    assert hit.select_one(".hit-title a").get_text() == "Seoul raises stakes in confrontation with Moscow"
    assert hit.select_one(".hit-title a")["href"] == f"/articles/{UNKNOWN}"
    assert hit.select_one(".hit-meta").get_text(" ", strip=True) == "unknown · undated"
    assert {m.get_text().lower() for m in hit.select(".snippet mark")} == {"howitzer", "howitzers"}
    actors = hit.select(".hit-actors a")
    assert [a.get_text() for a in actors][:3] == ["South Korea", "Russia", "Ukraine"]
    assert params(actors[0]["href"]) == [("q", "howitzer"), ("actor", "South Korea")]
    assert hit.select_one(".tag-more").get_text() == "+7 more"


def test_heading_counts_the_matches_of_a_query(web):
    assert get_page(web, "/?q=seoul").select_one(".results-count").get_text(" ", strip=True) == "5 articles matching seoul"
    assert get_page(web, "/?q=K9+howitzer").select_one(".results-count").get_text(" ", strip=True) == "1 article matching K9 howitzer"


def test_outlet_facet_counts_every_outlet_of_the_query(web):
    soup = get_page(web, "/?q=seoul")
    assert facet(soup, "outlet") == [(name, 1, False) for name in ALL_OUTLETS]


def test_choosing_an_outlet_keeps_the_other_outlets_counted(web):
    url = facet_link(get_page(web, "/?q=seoul"), "outlet", "Medium")
    assert params(url) == [("q", "seoul"), ("outlet", "Medium")]
    soup = get_page(web, url)
    assert hit_ids(soup) == [MEDIUM]
    assert facet(soup, "outlet") == [("Medium", 1, True)] + [(name, 1, False) for name in ALL_OUTLETS[1:]]
    assert chips(soup) == [("Outlet", "Medium")]


def test_several_outlets_are_any_of_them(web):
    soup = get_page(web, "/?outlet=Medium&outlet=The+Korea+Times")
    assert hit_ids(soup) == [MEDIUM, KOREA_TIMES]
    # The link of a chosen outlet unchooses it and keeps the other one.
    assert params(facet_link(soup, "outlet", "Medium")) == [("outlet", "The Korea Times")]


def test_outlet_names_in_the_url_match_through_the_registry(web):
    soup = get_page(web, "/?outlet=korea+times")
    assert hit_ids(soup) == [KOREA_TIMES]
    assert chips(soup) == [("Outlet", "The Korea Times")]
    assert params(facet_link(soup, "outlet", "The Korea Times")) == []


def test_several_actors_are_all_of_them(web):
    soup = get_page(web, "/?actor=Vladimir+Putin&actor=Japan")
    assert hit_ids(soup) == [MEDIUM, SCMP]
    assert ("Vladimir Putin", 2, True) in facet(soup, "actor")
    assert ("Japan", 2, True) in facet(soup, "actor")


def test_actor_facet_is_grouped_by_type_with_the_rest_behind_more(web):
    soup = get_page(web, "/")
    groups = soup.select(".actor-group")
    assert [g.select_one("h3").get_text() for g in groups] == ["People", "Countries", "Organisations"]
    countries = groups[1]
    top = [v.select_one(".facet-name").get_text(strip=True) for v in countries.select(":scope > .facet-values .facet-value")]
    assert top == ["North Korea", "Russia", "South Korea", "Ukraine", "United States", "Japan"]
    more = countries.select_one("details.facet-more")
    assert more.select_one("summary").get_text() == f"{len(more.select('.facet-value'))} more"
    assert {g["data-group"] for g in groups} == {"person", "country", "organisation"}
    assert {o["value"] for o in soup.select("#actor-names option")} >= {"Vladimir Putin", "NATO", "Japan"}


def test_actor_alias_in_the_url_chooses_the_canonical_value_and_its_link_removes_it(web):
    soup = get_page(web, "/?actor=putin")
    assert hit_ids(soup) == [MEDIUM, SCMP, KOREA_TIMES]
    assert ("Vladimir Putin", 3, True) in facet(soup, "actor")
    assert chips(soup) == [("Actor", "Vladimir Putin")]
    assert params(facet_link(soup, "actor", "Vladimir Putin")) == []


def test_find_an_actor_form_adds_to_the_actors_already_chosen(web):
    soup = get_page(web, "/?q=seoul&actor=Japan&page=2&per_page=2")
    form = soup.select_one("form.actor-find")
    hidden = [(i["name"], i["value"]) for i in form.select("input[type=hidden]")]
    assert hidden == [("q", "seoul"), ("actor", "Japan"), ("per_page", "2")]
    assert form.select_one("#actor-find")["name"] == "actor"
    assert form["action"] == "/" and form.get("method") == "get"


def test_excluding_an_outlet_leaves_it_out_and_shows_a_not_chip(web):
    url = facet_link(get_page(web, "/"), "outlet", "unknown", ".facet-not")
    assert params(url) == [("not_outlet", "unknown")]
    soup = get_page(web, url)
    assert hit_ids(soup) == [MEDIUM, SCMP, HANKYOREH, KOREA_TIMES]
    assert chips(soup) == [("Not outlet", "unknown")]
    excluded = soup.select_one('.facet-outlet .facet-value[data-name="unknown"]')
    assert "is-excluded" in excluded["class"]
    assert params(excluded.select_one(".facet-not")["href"]) == []  # lifts the exclusion


def test_excluding_an_actor_leaves_out_its_articles(web):
    url = facet_link(get_page(web, "/"), "actor", "Japan", ".facet-not")
    assert params(url) == [("not_actor", "Japan")]
    soup = get_page(web, url)
    assert hit_ids(soup) == [KOREA_TIMES]
    assert chips(soup) == [("Not actor", "Japan")]


def test_choosing_an_excluded_value_lifts_the_exclusion(web):
    soup = get_page(web, "/?not_outlet=Medium")
    assert params(facet_link(soup, "outlet", "Medium")) == [("outlet", "Medium")]


def test_chips_remove_one_filter_each_and_clear_all_keeps_the_query(web):
    url = "/?q=seoul&outlet=Medium&actor=Russia&not_actor=Iran&from=2023&to=2024-12&undated=1&sort=oldest&page=1"
    soup = get_page(web, url)
    assert chips(soup) == [("Outlet", "Medium"), ("Actor", "Russia"), ("Not actor", "Iran"),
                           ("From", "2023"), ("To", "2024-12"), ("Date", "undated")]
    removes = [params(a["href"]) for a in soup.select(".chip-remove")]
    everything = [("q", "seoul"), ("outlet", "Medium"), ("actor", "Russia"), ("not_actor", "Iran"),
                  ("from", "2023"), ("to", "2024-12"), ("undated", "1"), ("sort", "oldest")]
    assert removes == [[p for p in everything if p != gone] for gone in everything[1:7]]
    assert params(soup.select_one(".clear-all")["href"]) == [("q", "seoul"), ("sort", "oldest")]


def test_date_histogram_draws_months_for_a_short_span(web):
    soup = get_page(web, "/")
    bars = soup.select(".histogram a.bar")
    assert [b.title.get_text() for b in bars] == ["2023-11: 1 article", "2024-06: 1 article"]  # each link's name
    assert len(soup.select(".histogram .bar.is-empty")) == 6  # December to May
    assert [t.get_text() for t in soup.select(".histogram .bar-label:not(.bar-sublabel)")] == ["Nov", "Dec", "Jan", "Feb", "Mar", "Apr", "May", "Jun"]
    assert [t.get_text() for t in soup.select(".histogram .bar-sublabel")] == ["2023", "2024"]
    assert params(bars[0]["href"]) == [("from", "2023-11"), ("to", "2023-11")]
    assert soup.select_one(".histogram")["viewbox"] == "0 0 240 106"
    assert all(r.get("height") for r in soup.select(".histogram .bar-fill"))


def test_clicking_a_bar_filters_to_it_and_clicking_it_again_clears(web):
    soup = get_page(web, "/?from=2023-11&to=2023-11")
    assert hit_ids(soup) == [SCMP]
    selected = soup.select(".histogram a.bar.is-selected")
    assert [b.title.get_text() for b in selected] == ["2023-11: 1 article (selected)"]
    assert params(selected[0]["href"]) == []
    # The date facet leaves its own selection out: June 2024 still counts.
    assert "2024-06: 1 article" in [b.title.get_text() for b in soup.select(".histogram a.bar")]


def test_date_histogram_draws_years_for_a_long_span():
    from indexer.search import FacetValue, Facets, SearchResult

    from webui.present import histogram

    facets = Facets(year=(FacetValue("2001", 2), FacetValue("2024", 1)), month=(FacetValue("2001-05", 2),), undated=4)
    result = SearchResult(query="", total=7, page=1, per_page=10, hits=(), facets=facets)
    drawn = histogram(result, SearchState())
    assert drawn.unit == "year"
    assert [(b.period, b.count) for b in drawn.bars if b.count] == [("2001", 2), ("2024", 1)]
    assert len(drawn.bars) == 24
    assert [b.label for b in drawn.bars if b.label] == ["2001", "2005", "2009", "2013", "2017", "2021"]
    assert (drawn.undated.value, drawn.undated.count, params(drawn.undated.url)) == ("Undated", 4, [("undated", "1")])
    # A year chosen in a long archive is drawn by month (a drill-down).
    assert histogram(result, SearchState(date_from="2001", date_to="2001")).unit == "month"


@pytest.mark.parametrize(
    "query, expected",
    [
        ("from=2024", [MEDIUM]),
        ("from=2023&to=2023", [SCMP]),
        ("from=2023-11&to=2023-11", [SCMP]),
        ("from=2023-11-07&to=2023-11-07", [SCMP]),
        ("to=2023-12-31", [SCMP]),
        ("undated=1", [HANKYOREH, KOREA_TIMES, UNKNOWN]),
        ("from=2024&undated=1", [MEDIUM, HANKYOREH, KOREA_TIMES, UNKNOWN]),
    ],
)
def test_dates_accept_years_months_and_days_and_undated_is_selectable(web, query, expected):
    assert hit_ids(get_page(web, f"/?{query}")) == expected


def test_date_form_keeps_the_other_filters_and_shows_the_range(web):
    soup = get_page(web, "/?q=seoul&outlet=Medium&from=2024&undated=1&page=2")
    form = soup.select_one("form.date-form")
    assert [(i["name"], i["value"]) for i in form.select("input[type=hidden]")] == [
        ("q", "seoul"), ("outlet", "Medium"), ("undated", "1")]
    assert form.select_one("#date-from")["value"] == "2024"
    assert soup.select_one('label[for="date-from"]').get_text() == "From"
    undated = soup.select_one('.facet-date .facet-value[data-name="undated"]')
    assert "is-selected" in undated["class"] and params(undated.a["href"]) == [
        ("q", "seoul"), ("outlet", "Medium"), ("from", "2024")]


def test_sort_links_order_by_relevance_newest_oldest(web):
    soup = get_page(web, "/?q=seoul")
    sorts = soup.select(".sort li")
    assert [s.get_text(strip=True) for s in sorts] == ["Relevance", "Newest", "Oldest"]
    assert sorts[0].select_one("[aria-current]") is not None
    oldest = sorts[2].a["href"]
    assert params(oldest) == [("q", "seoul"), ("sort", "oldest")]
    assert hit_ids(get_page(web, oldest)) == [SCMP, MEDIUM, HANKYOREH, KOREA_TIMES, UNKNOWN]


def test_an_empty_query_has_no_relevance_order_to_offer(web):
    sorts = get_page(web, "/").select(".sort li")
    assert sorts[0].a is None and sorts[0].select_one(".is-disabled") is not None
    assert sorts[1].select_one("[aria-current]").get_text() == "Newest"


def test_pages_link_to_each_other_and_filters_go_back_to_page_one(web):
    soup = get_page(web, "/?per_page=2&page=2")
    assert hit_ids(soup) == NEWEST_FIRST[2:4]
    assert soup.select_one(".range").get_text() == "Showing 3–4 of 5"
    assert soup.select_one(".hits")["start"] == "3"
    pager = soup.select_one("nav.pager")
    assert [li.get_text(strip=True) for li in pager.select("li")] == ["1", "2", "3"]
    assert pager.select_one('[aria-current="page"]').get_text() == "2"
    assert params(pager.select_one("a[rel=prev]")["href"]) == [("per_page", "2")]
    assert params(pager.select_one("a[rel=next]")["href"]) == [("page", "3"), ("per_page", "2")]
    assert params(facet_link(soup, "outlet", "Medium")) == [("outlet", "Medium"), ("per_page", "2")]


def test_a_page_past_the_end_says_so_and_links_back(web):
    soup = get_page(web, "/?per_page=2&page=9")
    message = soup.select_one(".empty").get_text(" ", strip=True)
    assert "Page 9 is past the end: 5 articles fill 3 pages." in message
    links = [params(a["href"]) for a in soup.select(".empty a")]
    assert links == [[("page", "3"), ("per_page", "2")], [("per_page", "2")]]
    assert hit_ids(soup) == []


def test_no_match_offers_the_spelling_suggestion_and_a_way_out_of_filters(web):
    soup = get_page(web, "/?q=howitzr&outlet=Medium")
    assert soup.select_one(".suggestion a").get_text() == "howitzer"
    assert params(soup.select_one(".suggestion a")["href"]) == [("q", "howitzer"), ("outlet", "Medium")]
    assert "No article matches howitzr with these filters." in soup.select_one(".empty").get_text(" ", strip=True)


def test_search_box_carries_the_filters_but_not_the_page(web):
    soup = get_page(web, "/?q=seoul&outlet=Medium&sort=oldest&page=2")
    form = soup.select_one("form.search-form")
    assert form.select_one("#q")["value"] == "seoul"
    assert soup.select_one('label[for="q"]').get_text() == "Search articles"
    assert [(i["name"], i["value"]) for i in form.select("input[type=hidden]")] == [("outlet", "Medium"), ("sort", "oldest")]


def test_empty_boxes_of_a_submitted_form_redirect_to_the_tidy_address(web):
    response = web.get("/?q=&outlet=Medium&outlet=&from=2024&to=")
    assert (response.status_code, response.headers["Location"]) == (302, "/?outlet=Medium&from=2024")
    assert web.get("/?q=seoul&to=").headers["Location"] == "/?q=seoul"


def test_query_language_is_documented_in_a_popover_and_on_the_help_page(web):
    soup = get_page(web, "/")
    popover = soup.select_one("details.help-pop")
    assert popover.summary.get_text() == "Query syntax"
    assert '"K9 howitzers"' in popover.get_text()
    help_page = get_page(web, "/help").get_text(" ", strip=True)
    for example in ("title:putin", 'outlet:"korea times"', "howitz*", "howitzr~1", "seoul NOT moscow"):
        assert example in help_page


# -- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query, message",
    [
        ("q=%22K9+howitzer", 'query has an unclosed quote (")'),
        ("q=seoul+AND", "query ends with the operator AND; add a word after it"),
        ("q=colour:red", "unknown field 'colour:' (fields: title, subtitle, body, author, outlet, actor)"),
        ("page=two", "page must be a whole number, got 'two'"),
        ("page=0", "page must be between 1 and 1000, got 0"),
        ("per_page=500", "per_page (limit) must be between 1 and 100, got 500"),
        ("sort=best", "sort must be one of relevance, newest, oldest, got 'best'"),
        ("from=June", "from: expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got 'June'"),
        ("from=2024&to=2023", "from (2024) is after to (2023)"),
    ],
)
def test_bad_queries_and_parameters_are_400_with_a_readable_message(web, query, message):
    soup = get_page(web, f"/?{query}", status=400)
    assert soup.select_one(".error-message").get_text() == message
    assert soup.select_one("#q")["value"] == dict(parse_qsl(query)).get("q", "")
    api = web.get(f"/api/search?{query}")
    assert (api.status_code, api.get_json()) == (400, {"error": message})


def test_unknown_article_is_a_404_page(web):
    soup = get_page(web, "/articles/0000000000000000", status=404)
    assert soup.select_one("h1").get_text() == "Not found"
    assert soup.select_one(".error-message").get_text() == "There is no article with id '0000000000000000' in the archive."
    assert get_page(web, "/articles/0000000000000000/source", status=404).select_one(".error-message")


def test_unknown_route_is_a_404_page_and_api_404_is_json(web):
    assert get_page(web, "/nothing/here", status=404).select_one(".error-message").get_text() == "There is no page at /nothing/here."
    response = web.get("/api/nothing")
    assert (response.status_code, response.get_json()) == (404, {"error": "There is no page at /api/nothing."})


def test_a_missing_index_is_503_on_pages_api_and_health(tmp_path):
    client = make_app(tmp_path / "no-index", SEEDS).test_client()
    page = client.get("/")
    assert page.status_code == 503
    assert "search-index build" in soup_of(page).select_one(".error-message").get_text()
    assert client.get("/api/search").status_code == 503
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["status"] == "unavailable"


# -- the article page -----------------------------------------------------------------------
def test_article_page_shows_fields_and_where_each_came_from(web):
    soup = get_page(web, f"/articles/{SCMP}")
    assert soup.select_one("h1").get_text() == ("Blinken set to discuss Russia-North Korea military ties in first Seoul visit, "
                                               "amid Israel-Gaza, Ukraine wars")
    facts = {div.dt.get_text(): div.dd.get_text(" ", strip=True) for div in soup.select(".facts div")}
    assert facts == {
        "Title": "header",
        "Outlet": "South China Morning Post text",
        "Author": "Park Chan-kyong byline",
        "Date": "2023-11-07 precise to the day header",
        "File": "004_8697239a557947ef.txt raw, as collected",
        "Id": f"{SCMP} · JSON",
    }
    assert [s.get_text() for s in soup.select(".facts .source")] == ["header", "text", "byline", "header"]
    assert soup.select_one(".article-body p").get_text().startswith("The raging conflicts in Ukraine and the Middle East")
    assert soup.select_one(".article-byline").get_text(" ", strip=True) == "By Park Chan-kyong · 2023-11-07 · 712 words"


def test_undated_article_says_so(web):
    soup = get_page(web, f"/articles/{UNKNOWN}")
    facts = {div.dt.get_text(): div.dd.get_text(" ", strip=True) for div in soup.select(".facts div")}
    assert facts["Date"] == "undated: the article does not say when it was published"


def test_article_actors_link_to_the_search_filtered_by_them(web):
    soup = get_page(web, f"/articles/{MEDIUM}")
    groups = {h3.get_text(): [a.get_text() for a in h3.find_next_sibling("ul").select("a.tag")]
              for h3 in soup.select("#actors-heading ~ h3")}
    assert list(groups) == ["People", "Countries", "Organisations"]
    assert groups["People"] == ["Vladimir Putin", "Chang Ho-jin"]
    putin = soup.find("a", string="Vladimir Putin")
    assert params(putin["href"]) == [("actor", "Vladimir Putin")]
    assert hit_ids(get_page(web, putin["href"])) == [MEDIUM, SCMP, KOREA_TIMES]
    assert params(soup.select_one(".article-outlet a")["href"]) == [("outlet", "Medium")]


def test_article_page_lists_similar_articles(web):
    soup = get_page(web, f"/articles/{SCMP}")
    similar = [a["href"] for a in soup.select(".similar a")]
    assert 1 <= len(similar) <= 5
    assert f"/articles/{SCMP}" not in similar
    assert all(re.fullmatch(r"/articles/[0-9a-f]{16}", href) for href in similar)


def test_raw_source_is_the_file_as_collected_served_as_plain_text(web):
    response = web.get(f"/articles/{SCMP}/source")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.get_data() == (SEEDS / "004_8697239a557947ef.txt").read_bytes()
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"] == 'inline; filename="004_8697239a557947ef.txt"'


def test_raw_source_is_never_served_from_outside_the_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "note.txt").write_text((SEEDS / "004_8697239a557947ef.txt").read_text(encoding="utf-8"), encoding="utf-8")
    index = tmp_path / "index"
    build(index, corpus)
    client = make_app(index, corpus).test_client()
    assert client.get(f"/articles/{SCMP}/source").status_code == 200
    # The stored path now leads outside the corpus through a symbolic link: refused.
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    (corpus / "note.txt").unlink()
    (corpus / "note.txt").symlink_to(secret)
    response = client.get(f"/articles/{SCMP}/source")
    assert response.status_code == 404
    assert b"TOP SECRET" not in response.get_data()
    page = soup_of(client.get(f"/articles/{SCMP}"))
    assert page.find("a", href=f"/articles/{SCMP}/source") is None
    # Served with another corpus folder, the same relative path is looked up there only.
    other = tmp_path / "other"
    other.mkdir()
    assert make_app(index, other).test_client().get(f"/articles/{SCMP}/source").status_code == 404


def test_raw_source_ignores_any_path_in_the_request(web):
    for url in ("/articles/../../etc/passwd/source", f"/articles/{SCMP}/source?path=/etc/passwd",
                "/articles/%2e%2e%2fsetup.cfg/source"):
        response = web.get(url)
        assert b"root:" not in response.get_data() and b"[metadata]" not in response.get_data()
    assert web.get(f"/articles/{SCMP}/source?path=/etc/passwd").get_data() == (SEEDS / "004_8697239a557947ef.txt").read_bytes()


# -- the JSON API --------------------------------------------------------------------------
def search_cli_json(index: Path, *args: str) -> dict:
    script = Path(sys.executable).parent / "search-cli"
    env = {k: v for k, v in os.environ.items() if k not in ("SEARCH_INDEX_DIR", "SEARCH_CORPUS_DIR")}
    done = subprocess.run([str(script), "--json", "--index", str(index), *args], capture_output=True, text=True,
                          env=env, timeout=60, check=True)
    return json.loads(done.stdout)


@pytest.mark.parametrize(
    "query, cli_args",
    [
        ("", []),
        ("q=seoul", ["seoul"]),
        ("q=K9+howitzer&sort=oldest", ["K9 howitzer", "--sort", "oldest"]),
        ("q=seoul&outlet=Medium&outlet=korea+times&per_page=1&page=2",
         ["seoul", "--outlet", "Medium", "--outlet", "korea times", "--limit", "1", "--page", "2"]),
        ("actor=putin&actor=Japan&from=2023-11&to=2024", ["--actor", "putin", "--actor", "Japan", "--from", "2023-11", "--to", "2024"]),
        ("q=howitzr", ["howitzr"]),
    ],
)
def test_api_search_returns_exactly_what_search_cli_json_prints(web, seed_index, query, cli_args):
    response = web.get(f"/api/search?{query}")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == search_cli_json(seed_index, *cli_args)
    assert list(response.get_json()) == ["query", "total", "groups", "all_copies", "page", "per_page", "hits", "facets", "suggestion"]


def test_api_search_takes_exclusions_and_undated(web):
    document = web.get("/api/search?undated=1&not_outlet=unknown&not_actor=Japan").get_json()
    assert [h["id"] for h in document["hits"]] == [KOREA_TIMES]
    assert document["facets"]["undated"] == 1


def test_api_article_is_the_article_record(web, web_app):
    response = web.get(f"/api/articles/{SCMP}")
    assert response.status_code == 200
    assert response.get_json() == web_app.extensions["search"].article(SCMP).to_dict()
    assert response.get_json()["provenance"] == {"title": "header", "outlet": "text", "published": "header", "author": "byline"}
    missing = web.get("/api/articles/nope")
    assert (missing.status_code, missing.get_json()) == (404, {"error": "no article with id 'nope'"})


def test_healthz_is_ok_when_the_index_opens(web):
    response = web.get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


# -- exports -------------------------------------------------------------------------------
def read_csv(response) -> list[dict]:
    text = response.get_data().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_export_holds_every_hit_of_the_search_not_one_page(web):
    response = web.get("/export.csv?undated=1&per_page=1&page=2")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="news-archive-export.csv"'
    assert (response.headers["X-Total-Count"], response.headers["X-Export-Truncated"]) == ("3", "false")
    rows = read_csv(response)
    assert [r["id"] for r in rows] == [HANKYOREH, KOREA_TIMES, UNKNOWN]
    assert rows[0] == {
        "id": HANKYOREH, "title": "Will Seoul’s Ties With Moscow Really Recover on Their Own?", "outlet": "The Hankyoreh",
        "author": "", "published": "", "date_precision": "", "score": "",
        "actors": rows[0]["actors"],
    }
    assert rows[0]["actors"].startswith("South Korea; Russia; Asia-Pacific Leadership Network;")


def test_json_export_holds_every_hit_in_the_search_order(web):
    response = web.get("/export.json?q=seoul&per_page=2")
    document = response.get_json()
    assert response.headers["Content-Disposition"] == 'attachment; filename="news-archive-export.json"'
    assert {k: v for k, v in document.items() if k != "hits"} == {
        "query": "seoul", "total": 5, "exported": 5, "limit": 10_000, "truncated": False}
    api = web.get("/api/search?q=seoul&per_page=5").get_json()
    assert [h["id"] for h in document["hits"]] == [h["id"] for h in api["hits"]]
    assert document["hits"][0] == {k: v for k, v in api["hits"][0].items() if k != "snippet"}


def test_exports_stop_at_the_limit_and_say_so(seed_index):
    client = make_app(seed_index, SEEDS, EXPORT_LIMIT=2).test_client()
    document = client.get("/export.json").get_json()
    assert (document["total"], document["exported"], document["limit"], document["truncated"]) == (5, 2, 2, True)
    response = client.get("/export.csv")
    assert response.headers["X-Export-Truncated"] == "true"
    assert [r["id"] for r in read_csv(response)] == NEWEST_FIRST[:2]


def test_export_of_a_bad_query_is_400(web):
    response = web.get("/export.csv?q=%22open")
    assert (response.status_code, response.get_json()) == (400, {"error": 'query has an unclosed quote (")'})


@pytest.mark.parametrize(
    "value, cell",
    [("=SUM(A1)", "'=SUM(A1)"), ("+1", "'+1"), ("-2", "'-2"), ("@cmd", "'@cmd"), ("\tx", "'\tx"),
     ("plain", "plain"), ("a=b", "a=b"), (None, ""), (4.5, "4.5")],
)
def test_csv_cells_that_look_like_formulas_are_quoted(value, cell):
    assert safe_cell(value) == cell


def test_csv_export_of_a_formula_title_is_text(hostile):
    rows = read_csv(hostile.get("/export.csv?q=budget"))
    assert [r["title"] for r in rows] == ["'=HYPERLINK(\"http://evil.example\",\"click\") Seoul budget talks"]


# -- the URL state ---------------------------------------------------------------------------
def test_url_state_round_trips_and_leaves_defaults_out():
    state = SearchState(q="K9 howitzer", outlets=("Medium", "The Korea Times"), actors=("Vladimir Putin",),
                        not_outlets=("unknown",), not_actors=("Japan",), date_from="2023", date_to="2024-06",
                        undated=True, sort="oldest", page=3, per_page=25)
    url = state.url()
    assert url == ("/?q=K9+howitzer&outlet=Medium&outlet=The+Korea+Times&actor=Vladimir+Putin&not_outlet=unknown"
                   "&not_actor=Japan&from=2023&to=2024-06&undated=1&sort=oldest&page=3&per_page=25")
    assert SearchState.from_args(MultiDict(params(url))) == state
    assert SearchState().url() == "/"


def test_url_state_becomes_the_service_request():
    state = SearchState.from_args(MultiDict([("q", " seoul "), ("outlet", "Medium"), ("outlet", " "), ("outlet", "medium"),
                                             ("not_actor", "Japan"), ("undated", "1"), ("from", "2023")]))
    assert state.to_request() == SearchRequest(query="seoul", outlets=("Medium",), exclude_actors=("Japan",), undated=True,
                                               date_from="2023", sort="relevance")
    assert SearchState().to_request().sort == "newest"


def test_choosing_a_value_removes_its_exclusion_and_goes_back_to_page_one():
    state = SearchState(not_outlets=("Medium",), page=4)
    assert state.with_filter("outlets", "Medium") == SearchState(outlets=("Medium",))
    assert state.with_filter("outlets", "Medium").with_filter("not_outlets", "medium") == SearchState(not_outlets=("medium",))


# -- security ------------------------------------------------------------------------------
SECURITY = {"Content-Security-Policy": "default-src 'self'", "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin"}


@pytest.mark.parametrize("url", ["/", "/?q=%22", f"/articles/{SCMP}", f"/articles/{SCMP}/source", "/articles/x", "/help",
                                 "/api/search", "/healthz", "/export.csv", "/static/app.css", "/static/app.js", "/missing"])
def test_every_response_carries_the_security_headers(web, url):
    response = web.get(url)
    assert {name: response.headers.get(name) for name in SECURITY} == SECURITY


@pytest.mark.parametrize("url", ["/", "/?q=seoul&outlet=Medium&actor=Japan&from=2023", f"/articles/{SCMP}", "/help",
                                 "/?q=%22", "/articles/nope"])
def test_pages_have_no_inline_script_inline_style_or_outside_asset(web, url):
    html = web.get(url).get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    assert [s.get("src") for s in soup.find_all("script")] == ["/static/app.js"]
    assert all(not s.string for s in soup.find_all("script"))
    assert soup.find_all("style") == []
    assert [t.name for t in soup.find_all(style=True)] == []
    assert [(t.name, a) for t in soup.find_all(True) for a in t.attrs if a.startswith("on")] == []
    loaded = [t for t in soup.find_all(["script", "link", "img", "iframe"]) if "alternate" not in (t.get("rel") or [])]
    assets = [t.get("src") or t.get("href") for t in loaded]
    assert all(a.startswith("/static/") for a in assets), assets
    alternates = [t["href"] for t in soup.find_all("link", rel="alternate")]  # not loaded: the search's own feed
    assert all(a.startswith("/feed") for a in alternates), alternates


def test_static_assets_are_served(web):
    for name, mimetype in (("app.css", "text/css"), ("app.js", "text/javascript"), ("favicon.svg", "image/svg+xml")):
        response = web.get(f"/static/{name}")
        assert (response.status_code, response.mimetype) == (200, mimetype)


def _no_live_markup(html: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    assert [s.get("src") for s in soup.find_all("script")] == ["/static/app.js"]
    assert soup.find_all("img") == []
    assert SCRIPT not in html and IMG not in html


def test_markup_in_articles_is_shown_as_text_on_every_page(hostile):
    html = hostile.get("/?q=seoul").get_data(as_text=True)
    _no_live_markup(html)
    soup = BeautifulSoup(html, "html.parser")
    titles = [a.get_text() for a in soup.select(".hit-title a")]
    assert f"{SCRIPT} Seoul warns {IMG} over Moscow ties" in titles
    assert f"{IMG} Gazette" in [n.get_text(" ", strip=True) for n in soup.select(".hit-outlet")]
    assert f"{IMG} Gazette" in [name for name, _, _ in facet(soup, "outlet")]
    for url in ("/", "/?q=report"):  # the lead of the body, and fragments around a matched word
        listing = hostile.get(url).get_data(as_text=True)
        _no_live_markup(listing)
        snippets = " ".join(s.get_text() for s in BeautifulSoup(listing, "html.parser").select(".snippet"))
        assert SCRIPT in snippets  # the text survives, as text
    evil_id = soup.find("a", string=titles[titles.index(f"{SCRIPT} Seoul warns {IMG} over Moscow ties")])["href"]
    article = hostile.get(evil_id).get_data(as_text=True)
    _no_live_markup(article)
    assert SCRIPT in BeautifulSoup(article, "html.parser").select_one(".article-body").get_text()
    # Chosen as a filter, the outlet's name reaches the URL, a chip and a form's hidden field: all escaped.
    outlet_page = hostile.get(facet_link(soup, "outlet", f"{IMG} Gazette")).get_data(as_text=True)
    _no_live_markup(outlet_page)
    assert (("Outlet", f"{IMG} Gazette") in chips(BeautifulSoup(outlet_page, "html.parser")))


def test_markup_in_articles_is_shown_as_text_when_highlighted(hostile):
    for query in ("script", "alert", "onerror", "img"):
        html = hostile.get(f"/?q={query}").get_data(as_text=True)
        _no_live_markup(html)


def test_markup_in_the_query_and_parameters_is_shown_as_text(hostile):
    payload = f'{SCRIPT}"><img src=x onerror=alert(1)>'
    for url in (f"/?q={payload}", f"/?q=seoul&outlet={payload}&actor={payload}&not_actor={payload}",
                f"/?from={payload}", f"/?q={payload}&page={payload}", f"/articles/{payload}", f"/help?q={payload}"):
        response = hostile.get(url)
        assert response.status_code in (200, 400, 404), url
        _no_live_markup(response.get_data(as_text=True))


# -- the app factory and search-web ----------------------------------------------------------
def test_app_config_is_defaults_then_environment_then_overrides(monkeypatch, seed_index, tmp_path):
    monkeypatch.delenv("SEARCH_INDEX_DIR", raising=False)
    monkeypatch.delenv("SEARCH_CORPUS_DIR", raising=False)
    from webui import create_app

    defaults = create_app().config
    assert (defaults["INDEX_DIR"], defaults["CORPUS_DIR"], defaults["EXPORT_LIMIT"]) == ("index", "seeds", 10_000)
    monkeypatch.setenv("SEARCH_INDEX_DIR", str(seed_index))
    monkeypatch.setenv("SEARCH_CORPUS_DIR", str(tmp_path))
    from_env = create_app().config
    assert (from_env["INDEX_DIR"], from_env["CORPUS_DIR"]) == (str(seed_index), str(tmp_path))
    assert create_app({"CORPUS_DIR": str(SEEDS)}).config["CORPUS_DIR"] == str(SEEDS)


def test_search_web_serves_the_app_over_the_index_and_corpus_given(monkeypatch, seed_index):
    import waitress
    from click.testing import CliRunner

    from webui.serve import main

    served = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **options: served.update(app=app, **options))
    port = free_port()
    result = CliRunner().invoke(main, ["--index", str(seed_index), "--corpus", str(SEEDS), "--port", str(port)])
    assert result.exit_code == 0, result.output
    app = served.pop("app")
    assert (app.config["INDEX_DIR"], app.config["CORPUS_DIR"]) == (str(seed_index), str(SEEDS))
    [listener] = served.pop("sockets")
    assert listener.getsockname() == ("127.0.0.1", port)
    listener.close()
    assert served == {"threads": 4, "ident": "news-archive"}
    assert app.test_client().get(f"/articles/{SCMP}/source").status_code == 200
