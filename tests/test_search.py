"""The search service over the seed index: ranking, query language, filters, facets, the JSON shape."""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from indexer import sync
from indexer.errors import QueryError
from indexer.search import SearchRequest, SearchService
from indexer.store import open_index

from .helpers import SEED_TITLES, build_index, seed_path

RESULT_KEYS = {"query", "total", "groups", "all_copies", "page", "per_page", "hits", "facets", "suggestion"}
HIT_KEYS = {"id", "title", "outlet", "author", "published", "date_precision", "score", "snippet", "actors",
            "copy_group", "copy_count", "copies"}
FACET_KEYS = {"outlet", "actor", "year", "month", "undated"}

SEED_000_ACTORS = [
    {"name": "South Korea", "type": "country"},
    {"name": "Russia", "type": "country"},
    {"name": "Ukraine", "type": "country"},
    {"name": "United States", "type": "country"},
    {"name": "Japan", "type": "country"},
    {"name": "North Korea", "type": "country"},
    {"name": "NATO", "type": "organisation"},
    {"name": "Armed Forces of Ukraine", "type": "organisation"},
    {"name": "Poland", "type": "country"},
    {"name": "Romania", "type": "country"},
    {"name": "Volodymyr Zelensky", "type": "person"},
    {"name": "Sergei Shoigu", "type": "person"},
    {"name": "China", "type": "country"},
]


def search(service, query="", **kwargs):
    return service.search(SearchRequest(query=query, **kwargs))


def titles(result):
    return [hit.title for hit in result.hits]


# -- ranking and the query language ----------------------------------------------------


def test_k9_howitzer_finds_the_seoul_article_first(service):
    result = search(service, "K9 howitzer")
    assert result.total >= 1
    assert result.hits[0].title == "Seoul raises stakes in confrontation with Moscow"
    assert result.hits[0].score > 0


def test_howitzer_finds_howitzers_by_stemming(service):
    result = search(service, "howitzer")
    assert titles(result) == [SEED_TITLES["000"]]
    assert "<mark>howitzers</mark>" in result.hits[0].snippet


def test_singular_finds_plural_only_word(service):
    # "tankers" is the only form in the corpus (seed 003).
    assert titles(search(service, "tanker")) == [SEED_TITLES["003"]]


def test_phrase_matches_only_that_article(service):
    result = search(service, '"K9 howitzers"')
    assert result.total == 1
    assert titles(result) == [SEED_TITLES["000"]]


def test_phrase_requires_adjacent_words(service):
    assert search(service, '"howitzers K9"').total == 0


def test_both_words_required_by_default(service):
    # "Blinken" is only in 004, "Zelensky" only in 000: no article has both.
    assert search(service, "Blinken Zelensky").total == 0
    assert search(service, "Blinken OR Zelensky").total == 2


def test_not_excludes_a_word(service):
    with_kremlin = search(service, "Kremlin", per_page=10)
    without = search(service, "Kremlin NOT Blinken", per_page=10)
    assert SEED_TITLES["004"] in titles(with_kremlin)
    assert SEED_TITLES["004"] not in titles(without)
    assert without.total == with_kremlin.total - 1


@pytest.mark.parametrize("query, expected", [
    ("title:putin", ["002"]),
    ("author:narayan", ["002"]),
    ("outlet:hankyoreh", ["003"]),
    ("actor:Blinken", ["004"]),
    ("howitz*", ["000"]),
])
def test_field_and_prefix_queries(service, query, expected):
    assert titles(search(service, query)) == [SEED_TITLES[n] for n in expected]


def test_outlet_field_query_with_quoted_name(service):
    # The README's own example: outlet:"korea times".
    assert titles(search(service, 'outlet:"korea times"')) == [SEED_TITLES["001"]]


def test_fuzzy_term_matches_a_misspelling(service):
    # The README's own example: howitzr~1 finds howitzer(s).
    assert titles(search(service, "howitzr~1")) == [SEED_TITLES["000"]]


def test_fuzzy_term_matches_a_misspelling_in_an_index_of_several_segments(corpus, root):
    # Found in review: over several segments (after an update) Whoosh looked for near words among the
    # stems ("howitz"), not the words as written ("howitzers"), so howitzerz~1 found nothing.
    (corpus / "ships.txt").write_text("Ships sailed\n\nThe ships sailed from Busan at dawn, the navy said.\n", encoding="utf-8")
    sync.update(corpus, root)
    service = SearchService(root)
    assert titles(search(service, "howitzerz~1")) == [SEED_TITLES["000"]]


def test_fuzzy_terms_and_suggestions_are_those_of_one_segment_in_an_index_of_several(corpus, root, service):
    # Found in review: over several segments Whoosh compared every word in Python (1.3 s
    # for 120,000 words) and counted a swap of two letters as one edit, one segment as two.
    (corpus / "ships.txt").write_text("Ships sailed\n\nThe ships sailed from Busan at dawn, the navy said.\n", encoding="utf-8")
    sync.update(corpus, root)
    several = SearchService(root)
    assert len(open_index(root)._segments()) > 1
    for query in ("howitzerz~1", "howtizer~1", "howitzr", "K9 howitzr", "hwoitzer"):
        one, many = search(service, query), search(several, query)
        assert (titles(many), many.suggestion) == (titles(one), one.suggestion), query
    assert search(several, "howtizer~1").total == 0  # a swap is two edits, as in one segment
    assert search(several, "hwoitzer").suggestion == "howitzer"


def test_actor_field_query_accepts_an_alias(service):
    result = search(service, "actor:Putin", sort="newest")
    assert titles(result) == [SEED_TITLES["002"], SEED_TITLES["004"], SEED_TITLES["001"]]


def test_actor_field_query_with_quoted_full_name(service):
    # The README's own example: actor:"Vladimir Putin".
    result = search(service, 'actor:"Vladimir Putin"', sort="newest")
    assert titles(result) == [SEED_TITLES["002"], SEED_TITLES["004"], SEED_TITLES["001"]]


def test_stop_words_alone_match_nothing_but_are_no_error(service):
    result = search(service, "the")
    assert result.total == 0
    assert result.hits == ()


# -- browsing, sorting, paging ----------------------------------------------------------


def test_empty_query_lists_all_newest_first_undated_last(service):
    result = search(service, "")
    assert result.total == 5
    published = [hit.published for hit in result.hits]
    assert published[:2] == ["2024-06-23", "2023-11-07"]
    assert published[2:] == [None, None, None]
    assert titles(result)[:2] == [SEED_TITLES["002"], SEED_TITLES["004"]]
    assert set(titles(result)[2:]) == {SEED_TITLES["000"], SEED_TITLES["001"], SEED_TITLES["003"]}
    assert all(hit.score is None for hit in result.hits)


def test_whitespace_query_is_the_empty_query(service):
    assert titles(search(service, "   ")) == titles(search(service, ""))


def test_sort_oldest_puts_undated_last(service):
    result = search(service, "", sort="oldest")
    assert [hit.published for hit in result.hits] == ["2023-11-07", "2024-06-23", None, None, None]


def test_sort_newest_applies_to_a_text_query(service):
    result = search(service, "Putin", sort="newest")
    dated = [hit.published for hit in result.hits if hit.published]
    assert dated == sorted(dated, reverse=True)
    assert result.hits[-1].published is None
    assert all(hit.score is None for hit in result.hits)


def test_pages_split_the_hits(service):
    pages = [search(service, "", per_page=2, page=n) for n in (1, 2, 3)]
    assert [len(p.hits) for p in pages] == [2, 2, 1]
    assert all(p.total == 5 and p.pages == 3 for p in pages)
    ids = [hit.id for p in pages for hit in p.hits]
    assert len(set(ids)) == 5
    assert ids == [hit.id for hit in search(service, "", per_page=5).hits]


def test_page_beyond_the_end_is_empty_with_the_right_total(service):
    result = search(service, "", page=2, per_page=10)
    assert result.hits == ()
    assert result.total == 5
    relevance = search(service, "Putin", page=4, per_page=1)
    assert relevance.hits == ()
    assert relevance.total == 3


# -- filters ------------------------------------------------------------------------------


def test_outlet_filter_is_case_insensitive_through_registry_alias(service):
    for name in ("korea times", "The Korea Times", "KOREA TIMES", "koreatimes"):
        result = search(service, "", outlets=(name,))
        assert titles(result) == [SEED_TITLES["001"]], name


def test_several_outlets_mean_any_of_them(service):
    result = search(service, "", outlets=("Medium", "scmp"))
    assert titles(result) == [SEED_TITLES["002"], SEED_TITLES["004"]]


def test_unknown_outlet_filter_matches_nothing(service):
    assert search(service, "", outlets=("Nowhere Daily",)).total == 0


def test_outlet_facet_is_disjunctive(service):
    result = search(service, "", outlets=("korea times",))
    assert result.total == 1
    counts = {v.value: v.count for v in result.facets.outlet}
    assert counts == {"Medium": 1, "South China Morning Post": 1, "The Hankyoreh": 1, "The Korea Times": 1, "unknown": 1}
    assert [v.value for v in result.facets.outlet if v.selected] == ["The Korea Times"]


def test_actor_filter_with_alias(service):
    result = search(service, "", actors=("Putin",))
    assert set(titles(result)) == {SEED_TITLES["001"], SEED_TITLES["002"], SEED_TITLES["004"]}
    assert all(any(a.name == "Vladimir Putin" for a in hit.actors) for hit in result.hits)


def test_actor_filter_folds_case_and_hyphens(service):
    assert search(service, "", actors=("kim jong un",)).total == search(service, "", actors=("Kim Jong-un",)).total == 2


def test_two_actors_mean_both(service):
    assert titles(search(service, "", actors=("Putin", "Iran"))) == [SEED_TITLES["002"]]
    assert titles(search(service, "", actors=("Vladimir Putin", "Blinken"))) == [SEED_TITLES["004"]]
    assert search(service, "", actors=("Iran", "Blinken")).total == 0


def test_actor_facet_counts_within_selection(service):
    result = search(service, "", actors=("Iran",))
    counts = {v.value: v.count for v in result.facets.actor}
    assert counts["Iran"] == 1
    assert "Antony Blinken" not in counts  # only in 004, which is not selected


def test_exclusions(service):
    assert search(service, "", exclude_outlets=("unknown",)).total == 4
    assert SEED_TITLES["002"] not in titles(search(service, "", exclude_actors=("Iran",)))


def test_date_range_from_2024_keeps_only_the_2024_article(service):
    result = search(service, "", date_from="2024")
    assert titles(result) == [SEED_TITLES["002"]]


def test_date_range_to_2023_and_month_bounds(service):
    assert titles(search(service, "", date_to="2023")) == [SEED_TITLES["004"]]
    assert titles(search(service, "", date_from="2023-11", date_to="2023-11")) == [SEED_TITLES["004"]]
    assert titles(search(service, "", date_from="2023-11-08", date_to="2024-06-22")) == []
    assert titles(search(service, "", date_from="2024-06-23", date_to="2024-06-23")) == [SEED_TITLES["002"]]


def test_undated_selection(service):
    result = search(service, "", undated=True)
    assert result.total == 3
    assert all(hit.published is None for hit in result.hits)
    assert search(service, "", undated=True, date_from="2024").total == 4


def test_date_facet_is_disjunctive(service):
    result = search(service, "", date_from="2024")
    assert [(v.value, v.count) for v in result.facets.year] == [("2023", 1), ("2024", 1)]
    assert result.facets.undated == 3


def test_from_after_to_is_a_query_error(service):
    with pytest.raises(QueryError):
        search(service, "", date_from="2024", date_to="2023")


# -- facets and the JSON document --------------------------------------------------------


def test_facets_of_the_whole_archive(service):
    facets = search(service, "").to_dict()["facets"]
    assert set(facets) == FACET_KEYS
    assert facets["outlet"] == [
        {"value": "Medium", "count": 1},
        {"value": "South China Morning Post", "count": 1},
        {"value": "The Hankyoreh", "count": 1},
        {"value": "The Korea Times", "count": 1},
        {"value": "unknown", "count": 1},
    ]
    assert facets["year"] == [{"value": "2023", "count": 1}, {"value": "2024", "count": 1}]
    assert facets["month"] == [{"value": "2023-11", "count": 1}, {"value": "2024-06", "count": 1}]
    assert facets["undated"] == 3
    assert all(set(entry) == {"value", "type", "count"} for entry in facets["actor"])
    assert all(entry["type"] in ("person", "country", "organisation") for entry in facets["actor"])
    assert facets["actor"][:9] == [
        {"value": "North Korea", "type": "country", "count": 5},
        {"value": "Russia", "type": "country", "count": 5},
        {"value": "South Korea", "type": "country", "count": 5},
        {"value": "Ukraine", "type": "country", "count": 5},
        {"value": "United States", "type": "country", "count": 5},
        {"value": "Japan", "type": "country", "count": 4},
        {"value": "China", "type": "country", "count": 3},
        {"value": "NATO", "type": "organisation", "count": 3},
        {"value": "Vladimir Putin", "type": "person", "count": 3},
    ]
    counts = [entry["count"] for entry in facets["actor"]]
    assert counts == sorted(counts, reverse=True)


def test_json_document_for_k9_howitzer(service, seed_articles):
    document = search(service, "K9 howitzer").to_dict()
    assert set(document) == RESULT_KEYS
    assert len(document["hits"]) == 1
    hit = document["hits"][0]
    assert set(hit) == HIT_KEYS
    assert isinstance(hit["score"], float) and hit["score"] > 0
    assert "<mark>K9</mark> <mark>howitzers</mark>" in hit["snippet"]
    assert hit == {
        "id": seed_articles["000"].id,
        "title": "Seoul raises stakes in confrontation with Moscow",
        "outlet": "unknown",
        "author": None,
        "published": None,
        "date_precision": None,
        "score": hit["score"],
        "snippet": hit["snippet"],
        "actors": SEED_000_ACTORS,
        "copy_group": seed_articles["000"].id,
        "copy_count": 0,
        "copies": [],
    }
    assert document == {
        "query": "K9 howitzer",
        "total": 1,
        "groups": 1,
        "all_copies": False,
        "page": 1,
        "per_page": 10,
        "hits": [hit],
        "facets": {
            "outlet": [{"value": "unknown", "count": 1}],
            "actor": sorted(({"value": a["name"], "type": a["type"], "count": 1} for a in SEED_000_ACTORS),
                            key=lambda entry: entry["value"].casefold()),
            "year": [],
            "month": [],
            "undated": 1,
        },
        "suggestion": None,
    }
    json.dumps(document)  # the document is plain JSON


def test_json_document_hit_for_a_dated_article(service, seed_articles):
    document = search(service, "", outlets=("Medium",)).to_dict()
    (hit,) = document["hits"]
    assert {k: hit[k] for k in HIT_KEYS - {"snippet", "actors"}} == {
        "id": seed_articles["002"].id,
        "title": SEED_TITLES["002"],
        "outlet": "Medium",
        "author": "Shankar Narayan",
        "published": "2024-06-23",
        "date_precision": "day",
        "score": None,
        "copy_group": seed_articles["002"].id,
        "copy_count": 0,
        "copies": [],
    }
    assert hit["snippet"].startswith("Struggling to supply ammunition")
    assert "<mark>" not in hit["snippet"]
    assert hit["actors"] == [a.to_dict() for a in seed_articles["002"].actors]


def test_snippet_marks_matched_words(service):
    snippet = search(service, "Kritenbrink").hits[0].snippet
    assert "<mark>Kritenbrink</mark>" in snippet
    assert snippet.count("<mark>") == snippet.count("</mark>") >= 1


def test_snippet_escapes_html_in_the_text(service):
    snippet = search(service, "Strategic", outlets=("Medium",)).hits[0].snippet
    assert "Center for <mark>Strategic</mark> &amp; International Studies" in snippet
    assert " & " not in snippet


def test_misspelt_word_gets_a_suggestion(service):
    result = search(service, "howitzr")
    assert result.total == 0
    assert result.suggestion == "howitzer"
    assert result.to_dict()["suggestion"] == "howitzer"


def test_no_suggestion_when_something_matches(service):
    assert search(service, "howitzer").suggestion is None


def test_no_suggestion_when_only_the_filters_leave_no_hit(service):
    # Regression: "K9 howitzer" limited to an outlet without it suggested "do howitzer".
    result = search(service, "K9 howitzer", outlets=("Medium",))
    assert result.total == 0
    assert result.suggestion is None


def test_suggestion_keeps_words_found_in_any_searched_field(service):
    # "K9" is in a body but in no title: it is not misspelt, only "howitzr" is.
    assert search(service, "K9 howitzr").suggestion == "K9 howitzer"


# -- bad requests --------------------------------------------------------------------------


@pytest.mark.parametrize("query", [
    '"unclosed',
    "K9 howitzer\"",
    "(seoul OR moscow",
    "seoul OR moscow)",
    "seoul AND",
    "seoul OR",
    "seoul NOT",
    "AND seoul",
    "foo:bar",
    "title:",
    "*a*",
    "a*",
    "?eoul",
    "[a TO",
    "x" * 1001,
])
def test_bad_query_raises_query_error(service, query):
    with pytest.raises(QueryError):
        search(service, query)


@pytest.mark.parametrize("kwargs", [
    {"per_page": 0},
    {"per_page": 101},
    {"page": 0},
    {"page": -1},
    {"sort": "random"},
    {"date_from": "2023-13-45"},
    {"date_from": "yesterday"},
    {"date_to": "2023-02-30"},
    {"date_to": "23-11-2023"},
])
def test_bad_parameters_raise_query_error(service, kwargs):
    with pytest.raises(QueryError):
        search(service, "seoul", **kwargs)


def test_query_error_message_is_one_line(service):
    with pytest.raises(QueryError) as info:
        search(service, '"unclosed')
    assert "\n" not in str(info.value)
    assert "quote" in str(info.value)


# -- a small index with HTML characters and dates of every precision ---------------------


@pytest.fixture(scope="module")
def mixed_index(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("mixed-corpus")
    shutil.copy(seed_path("000"), corpus / "month.txt")
    (corpus / "month.json").write_text('{"published": "2023-11"}', encoding="utf-8")
    shutil.copy(seed_path("003"), corpus / "year.txt")
    (corpus / "year.json").write_text('{"published": "2022"}', encoding="utf-8")
    (corpus / "markup.txt").write_text(
        "Markup in copied text\n\n"
        "The engineers wrote <script>alert('zebra')</script> into the form and R&D staff said "
        "that 3 < 4 is true, which the parser of the zebra registry never escaped before last week.\n",
        encoding="utf-8")
    root = tmp_path_factory.mktemp("mixed-index") / "index"
    build_index(root, corpus)
    return root


def test_snippet_escapes_markup_around_marks(mixed_index):
    snippet = SearchService(mixed_index).search(SearchRequest(query="zebra")).hits[0].snippet
    assert "<script>" not in snippet
    assert "&lt;script&gt;" in snippet
    assert "<mark>zebra</mark>" in snippet
    assert "R&amp;D" in snippet


def test_lead_snippet_without_query_is_escaped(mixed_index):
    result = SearchService(mixed_index).search(SearchRequest(query="", outlets=("unknown",), date_from=None))
    snippets = [hit.snippet for hit in result.hits if hit.title == "Markup in copied text"]
    assert snippets and "<script>" not in snippets[0] and "&lt;script&gt;" in snippets[0]


def test_month_and_year_precision_dates_overlap_ranges(mixed_index):
    service = SearchService(mixed_index)
    month = SEED_TITLES["000"]
    year = SEED_TITLES["003"]
    assert titles(service.search(SearchRequest(date_from="2023-11-15"))) == [month]
    assert titles(service.search(SearchRequest(date_from="2022-06-01", date_to="2022-06-30"))) == [year]
    assert titles(service.search(SearchRequest(date_to="2023-10-31"))) == [year]
    result = service.search(SearchRequest())
    assert [hit.published for hit in result.hits] == ["2023-11", "2022", None]
    assert [hit.date_precision for hit in result.hits] == ["month", "year", None]
    assert result.to_dict()["facets"]["month"] == [{"value": "2023-11", "count": 1}]
    assert result.to_dict()["facets"]["year"] == [{"value": "2022", "count": 1}, {"value": "2023", "count": 1}]


# -- threads -----------------------------------------------------------------------------


def test_concurrent_searches_from_threads_give_consistent_results(service):
    queries = ["howitzer", "Putin", "", "Kremlin", "Blinken", "tanker"] * 8
    expected = {q: (search(service, q).total, titles(search(service, q))) for q in set(queries)}
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda q: (q, search(service, q)), queries))
    for query, result in results:
        assert (result.total, titles(result)) == expected[query], query


def test_snippet_of_a_match_deep_in_a_long_paragraph_shows_the_match(tmp_path):
    words = " ".join(f"filler{i}" for i in range(1500))  # one paragraph of ~12,000 characters
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "long.txt").write_text(f"A long wire story\n\n{words} the zeppelin landed safely {words}\n", encoding="utf-8")
    sync.rebuild(corpus, tmp_path / "index")
    snippet = SearchService(tmp_path / "index").search(SearchRequest(query="zeppelin")).hits[0].snippet
    assert "the <mark>zeppelin</mark> landed safely" in snippet
    assert len(snippet) < 400
    plain = snippet.replace("<mark>", "").replace("</mark>", "").split()
    assert all(w.startswith("filler") and w[6:].isdigit() or w in ("the", "zeppelin", "landed", "safely", "…")
               for w in plain), plain  # whole words only
