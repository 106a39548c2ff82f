"""The web face: the search page, the JSON API (same document as search-cli --json), health."""

from __future__ import annotations

import json
from html import escape

from indexer.search import SearchRequest

from .helpers import SEED_TITLES, run_script

RESULT_KEYS = {"query", "total", "groups", "all_copies", "page", "per_page", "hits", "facets", "suggestion"}


def test_home_page_lists_the_newest_article_first(client, service):
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    first = service.search(SearchRequest(sort="newest")).hits[0]
    assert first.title == SEED_TITLES["002"]
    assert escape(first.title, quote=False) in page
    assert "5 articles" in page
    # Hits in order: the newest before the undated ones.
    assert page.index(escape(SEED_TITLES["002"], quote=False)) < page.index(escape(SEED_TITLES["004"], quote=False))


def test_search_page_shows_first_hit_with_marked_snippet(client):
    response = client.get("/?q=K9+howitzer")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert SEED_TITLES["000"] in page
    assert "<mark>K9</mark> <mark>howitzers</mark>" in page
    assert "1 article<" in page


def test_search_page_escapes_the_query(client):
    response = client.get("/", query_string={"q": '<script>alert("x")</script>'})
    page = response.get_data(as_text=True)
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;" in page


def test_search_page_bad_query_is_400_with_message(client):
    response = client.get('/?q=%22unclosed')
    assert response.status_code == 400
    assert "quote" in response.get_data(as_text=True)


def test_api_search_matches_search_cli_json(client, built_index):
    response = client.get("/api/search?q=K9+howitzer")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    api = response.get_json()
    proc = run_script("search-cli", "K9 howitzer", "--json", "--index", built_index)
    assert proc.returncode == 0, proc.stderr
    cli = json.loads(proc.stdout)
    assert api == cli
    assert set(api) == RESULT_KEYS
    assert api["hits"][0]["title"] == SEED_TITLES["000"]


def test_api_search_keeps_the_cli_key_order(client):
    api = json.loads(client.get("/api/search?q=K9+howitzer").get_data(as_text=True))
    assert list(api) == ["query", "total", "groups", "all_copies", "page", "per_page", "hits", "facets", "suggestion"]
    assert list(api["hits"][0]) == ["id", "title", "outlet", "author", "published", "date_precision", "score",
                                    "snippet", "actors", "copy_group", "copy_count", "copies"]


def test_api_search_filters_match_search_cli(client, built_index):
    api = client.get("/api/search", query_string=[("outlet", "korea times"), ("outlet", "Medium"),
                                                  ("actor", "Putin"), ("from", "2023")]).get_json()
    proc = run_script("search-cli", "--json", "--index", built_index, "--outlet", "korea times",
                      "--outlet", "Medium", "--actor", "Putin", "--from", "2023")
    assert api == json.loads(proc.stdout)
    assert [hit["title"] for hit in api["hits"]] == [SEED_TITLES["002"]]


def test_api_search_empty_query_is_newest_first(client):
    api = client.get("/api/search").get_json()
    assert api["total"] == 5
    assert [hit["published"] for hit in api["hits"]] == ["2024-06-23", "2023-11-07", None, None, None]


def test_api_search_unclosed_quote_is_400_with_error(client):
    response = client.get("/api/search?q=%22unclosed")
    assert response.status_code == 400
    body = response.get_json()
    assert set(body) == {"error"}
    assert "quote" in body["error"]


def test_api_search_bad_numbers_are_400(client):
    for query in ("page=abc", "per_page=0", "page=0", "per_page=1000", "from=yesterday", "sort=random"):
        response = client.get(f"/api/search?q=seoul&{query}")
        assert response.status_code == 400, query
        assert "error" in response.get_json(), query


def test_api_search_without_index_is_503(tmp_path):
    from webui import create_app

    client = create_app({"INDEX_DIR": str(tmp_path / "none")}).test_client()
    response = client.get("/api/search?q=seoul")
    assert response.status_code == 503
    assert "search-index build" in response.get_json()["error"]
    assert client.get("/").status_code == 503


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
