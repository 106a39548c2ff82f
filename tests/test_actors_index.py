"""Actors end to end: a built index, the actor facet and filter under any alias, `search-index actors`."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from indexer.cli import search_index
from indexer.search import SearchRequest, SearchService

from .helpers import build_index

ARTICLES = {
    "putin.txt": "Kremlin courts Pyongyang\n\nRussian President Vladimir Putin met North Korean leader Kim Jong-un on Wednesday. "
                 "Putin said the two countries would deepen military cooperation.\n\n"
                 "Jeon Min-ho, an analyst at Mirae Asset Securities, said Seoul was alarmed.\n",
    "yoon.txt": "Yoon warns Moscow\n\nSouth Korean President Yoon Suk-yeol said Putin would regret any transfer of "
                "missile technology to the DPRK. The Kremlin did not comment.\n",
}


@pytest.fixture(scope="module")
def actor_index(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("actor-corpus")
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    root = tmp_path_factory.mktemp("actor-index") / "index"
    assert build_index(root, corpus).added == 2
    return root


@pytest.mark.parametrize("alias", ["Vladimir Putin", "Putin", "putin", "Russian President Vladimir Putin"[17:]])
def test_actor_filter_matches_whatever_alias_the_article_used(actor_index, alias):
    result = SearchService(actor_index).search(SearchRequest(actors=(alias,)))
    assert result.total == 2


def test_actor_query_term_matches_any_alias(actor_index):
    service = SearchService(actor_index)
    assert service.search(SearchRequest(query='actor:"Yoon Suk Yeol"')).total == 1
    assert service.search(SearchRequest(query='actor:"yoon suk-yeol"')).total == 1
    assert service.search(SearchRequest(query='actor:DPRK')).total == 2


def test_actor_facet_has_value_type_and_count(actor_index):
    facet = SearchService(actor_index).search(SearchRequest()).to_dict()["facets"]["actor"]
    entries = {(v["value"], v["type"]): v["count"] for v in facet}
    assert entries[("Vladimir Putin", "person")] == 2
    assert entries[("North Korea", "country")] == 2
    assert entries[("Russia", "country")] == 2
    assert entries[("Kim Jong Un", "person")] == 1
    assert ("Jeon Min-ho", "person") in entries
    assert not any(name in {"Kremlin", "Yoon Suk", "Kim", "Putin"} for name, _ in entries)


def test_search_index_actors_lists_every_actor_with_counts(actor_index):
    result = CliRunner().invoke(search_index, ["actors", "--index", str(actor_index), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows[0]["count"] == 2
    assert {"name": "Vladimir Putin", "type": "person", "count": 2, "known": True} in rows


def test_search_index_actors_unknown_lists_what_the_knowledge_base_lacks(actor_index):
    result = CliRunner().invoke(search_index, ["actors", "--unknown", "--index", str(actor_index)])
    assert result.exit_code == 0, result.output
    assert "Jeon Min-ho (person)" in result.output
    assert "Mirae Asset Securities (organisation)" in result.output
    assert "Vladimir Putin" not in result.output


def test_search_index_actors_without_an_index_is_one_line_and_exit_2(tmp_path):
    result = CliRunner().invoke(search_index, ["actors", "--index", str(tmp_path / "none")])
    assert result.exit_code == 2
