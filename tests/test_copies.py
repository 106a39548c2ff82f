"""Syndicated copies: grouping near-duplicates (copies.py), and the groups through build, update and search.

The copies are a seed rewritten the ways outlets reprint a wire story (a new
headline, a paragraph cut, boilerplate and a byline added), each with a sidecar
naming another outlet and a later date; the other seeds, on the same subject
(Seoul, Moscow, Pyongyang), must never join their group.
"""

from __future__ import annotations

import itertools
import json
import random
import shutil
from pathlib import Path

import pytest

from indexer import copies, store, sync
from indexer.article import Article
from indexer.copies import CopyGrouper, CopySettings, SignatureStore
from indexer.pipeline import PipelineOptions, process_file
from indexer.search import SearchRequest, SearchService

from .helpers import COPY_OUTLETS, COPY_SEED, SEED_TITLES, SEEDS, run_script, seed_path, write_copies

UNRELATED = [n for n in SEED_TITLES if n != COPY_SEED]


@pytest.fixture(scope="module")
def copy_corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("copies") / "corpus"
    shutil.copytree(SEEDS, folder)
    write_copies(folder, process_file(seed_path(COPY_SEED)))
    return folder


@pytest.fixture(scope="module")
def copy_articles(copy_corpus) -> dict[str, Article]:
    """The seeds by number and the copies by the way they were rewritten."""
    found = {n: process_file(next(copy_corpus.glob(f"{n}_*.txt")), PipelineOptions(ner=False)) for n in SEED_TITLES}
    found.update({way: process_file(copy_corpus / f"copy-{way}.txt", PipelineOptions(ner=False)) for way in COPY_OUTLETS})
    return found


@pytest.fixture(scope="module")
def copy_index(copy_corpus, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("copies-index") / "index"
    sync.rebuild(copy_corpus, root, PipelineOptions(ner=False))
    return root


@pytest.fixture(scope="module")
def copy_service(copy_index) -> SearchService:
    return SearchService(copy_index)


def grouper(tmp_path: Path, settings: CopySettings = CopySettings()) -> CopyGrouper:
    return CopyGrouper(SignatureStore(tmp_path / copies.CACHE_FILE, settings))


# -- the grouping itself -------------------------------------------------------------------------
def test_a_seed_rewritten_three_ways_is_one_group_of_four_and_no_unrelated_seed_joins_it(tmp_path, copy_articles):
    story = [copy_articles[k] for k in (COPY_SEED, *COPY_OUTLETS)]
    others = [copy_articles[n] for n in UNRELATED]
    for order, articles in enumerate(itertools.islice(itertools.permutations(story + others), 0, None, 997)):
        g = grouper(tmp_path / str(order))
        for article in articles:
            g.place(article)
        assert g.groups() == {g.group_of[story[0].id]: {a.id for a in story}}, f"order {order}"
        assert all(g.group_of[a.id] == a.id for a in others)


def test_each_rewrite_alone_is_a_copy_of_the_seed_and_of_no_other_seed(copy_articles):
    seed = copies.signature(copy_articles[COPY_SEED].body)
    for way in COPY_OUTLETS:
        sig = copies.signature(copy_articles[way].body)
        assert copies.similarity(sig, seed) >= copies.DEFAULT_THRESHOLD, way
        assert all(copies.similarity(sig, copies.signature(copy_articles[n].body)) < 0.1 for n in UNRELATED), way


def _words(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    return [f"w{rng.randrange(10**6)}" for _ in range(n)]


def _article(article_id: str, words: list[str]) -> Article:
    return Article(id=article_id, source_path=f"{article_id}.txt", url=None, title=article_id, subtitle=None, author=None,
                   outlet="unknown", published=None, actors=(), paragraphs=(" ".join(words),), content_hash=article_id)


def test_an_article_linking_two_groups_merges_them_and_lists_the_documents_to_rewrite(tmp_path):
    x, y, z = _words(1, 100), _words(2, 100), _words(3, 100)
    a, b, bridge = _article("a", x + y), _article("b", y + z), _article("m", x + y + z)  # J(a, b) = 1/3, J(a|b, m) = 2/3
    g = grouper(tmp_path)
    for article in (a, b):
        g.mark_written(article.id, g.place(article))
    assert g.group_of == {"a": "a", "b": "b"}
    g.place(bridge)
    assert g.groups() == {"a": {"a", "b", "m"}}
    assert g.moved() == {"b": "a"}


def test_removing_the_article_that_held_a_group_together_splits_it(tmp_path):
    x, y, z = _words(1, 100), _words(2, 100), _words(3, 100)
    g = grouper(tmp_path)
    for article in (_article("a", x + y), _article("m", x + y + z), _article("b", y + z)):
        g.mark_written(article.id, g.place(article))
    assert g.groups() == {"a": {"a", "m", "b"}}
    g.remove(["m"])
    assert g.group_of == {"a": "a", "b": "b"}
    assert g.moved() == {"b": "b"}


def test_removing_every_member_of_a_group_at_once_leaves_no_group(tmp_path):
    x, y, z = _words(1, 100), _words(2, 100), _words(3, 100)
    g = grouper(tmp_path)
    for article in (_article("a", x + y), _article("m", x + y + z), _article("b", y + z), _article("c", z)):
        g.mark_written(article.id, g.place(article))
    g.remove(["m", "a", "b"])  # the group is left with members after "m", then with none
    assert g.group_of == {"c": "c"} and g.groups() == {}


def test_an_article_without_words_is_never_a_copy(tmp_path):
    g = grouper(tmp_path)
    assert copies.signature("") is None
    assert g.place(_article("e1", [])) == "e1"
    assert g.place(_article("e2", [])) == "e2"


def test_the_threshold_decides_how_much_must_be_shared(tmp_path):
    x, y = _words(1, 200), _words(2, 100)
    half, whole = _article("half", x), _article("whole", x + y)  # J = 2/3
    strict, loose = grouper(tmp_path / "strict", CopySettings(threshold=0.9)), grouper(tmp_path / "loose", CopySettings(threshold=0.5))
    for g in (strict, loose):
        g.place(half)
        g.place(whole)
    assert strict.groups() == {}
    assert loose.groups() == {"half": {"half", "whole"}}


# -- through the index and the search service ----------------------------------------------------------
def test_search_folds_copies_under_the_best_ranked_one_and_counts_facets_per_article(copy_service, copy_articles):
    result = copy_service.search(SearchRequest(query="Blinken"))
    assert (result.total, result.groups, len(result.hits)) == (4, 1, 1)
    (hit,) = result.hits
    assert hit.copy_count == 3
    assert {c.outlet for c in hit.copies} | {hit.outlet} == {
        "South China Morning Post", "Korea JoongAng Daily", "The Korea Herald", "Yonhap News Agency"}
    dates = [c.published for c in hit.copies]
    assert dates == sorted(dates)  # earliest first
    assert {v.value: v.count for v in result.facets.outlet} == {
        "South China Morning Post": 1, "Korea JoongAng Daily": 1, "The Korea Herald": 1, "Yonhap News Agency": 1}
    assert all(v.count == 4 for v in result.facets.actor if v.value == "Antony Blinken")


def test_the_switch_shows_every_copy_as_a_hit(copy_service):
    result = copy_service.search(SearchRequest(query="Blinken", all_copies=True))
    assert (result.total, len(result.hits)) == (4, 4)
    assert all(hit.copy_count == 0 and hit.copies == () for hit in result.hits)
    assert len({hit.copy_group for hit in result.hits}) == 1


def test_pages_run_over_groups_when_copies_are_folded(copy_service):
    seen = []
    first = copy_service.search(SearchRequest(sort="newest", per_page=2))
    assert (first.total, first.groups, first.pages) == (8, 5, 3)
    for page in range(1, first.pages + 1):
        seen += [hit.copy_group for hit in copy_service.search(SearchRequest(sort="newest", per_page=2, page=page)).hits]
    assert len(seen) == len(set(seen)) == 5


def test_the_article_page_data_lists_every_copy_and_the_earliest_as_original(copy_service, copy_articles):
    group = copy_service.copies_of(copy_articles["cut"].id)
    assert [m.published for m in group.members] == ["2023-11-07", "2023-11-08", "2023-11-09", "2023-11-10"]
    assert group.original == copy_articles[COPY_SEED].id
    assert copy_service.copies_of(copy_articles["000"].id).members == (copy_service.copies_of(copy_articles["000"].id).members[0],)
    assert copy_service.copies_of("0" * 16) is None


def test_similar_articles_leave_out_the_articles_own_copies(copy_service, copy_articles):
    story = {copy_articles[k].id for k in (COPY_SEED, *COPY_OUTLETS)}
    similar = copy_service.similar(copy_articles[COPY_SEED].id)
    assert similar and not {hit.id for hit in similar} & story


# -- incremental: update, removal, a lost cache ------------------------------------------------------
@pytest.fixture
def seeds_index(tmp_path) -> tuple[Path, Path]:
    corpus, root = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(SEEDS, corpus)
    sync.rebuild(corpus, root, PipelineOptions(ner=False))
    return corpus, root


def _story_group(root: Path, seed_id: str) -> set[str]:
    groups = store.copy_groups(root)
    return {i for i, g in groups.items() if g == groups[seed_id]}


def test_update_adds_copies_to_the_existing_group_of_the_original(seeds_index, copy_articles):
    corpus, root = seeds_index
    seed_id = copy_articles[COPY_SEED].id
    write_copies(corpus, process_file(seed_path(COPY_SEED)))
    report = sync.update(corpus, root, PipelineOptions(ner=False))
    assert sorted(report.added) == sorted(f"copy-{way}.txt" for way in COPY_OUTLETS)
    groups = store.copy_groups(root)
    assert _story_group(root, seed_id) == {copy_articles[k].id for k in (COPY_SEED, *COPY_OUTLETS)}
    assert groups[seed_id] == seed_id  # the original's document was not rewritten: its group is named after it
    assert all(groups[copy_articles[n].id] == copy_articles[n].id for n in UNRELATED)
    result = SearchService(root).search(SearchRequest(query="Blinken"))
    assert (result.total, len(result.hits), result.hits[0].copy_count) == (4, 1, 3)


def test_a_removed_article_leaves_its_group(seeds_index, copy_articles):
    corpus, root = seeds_index
    paths = write_copies(corpus, process_file(seed_path(COPY_SEED)))
    sync.update(corpus, root, PipelineOptions(ner=False))
    paths["cut"].unlink()
    paths["cut"].with_suffix(".json").unlink()
    next(corpus.glob(f"{COPY_SEED}_*.txt")).unlink()  # the original too: the group stays, named as before
    report = sync.update(corpus, root, PipelineOptions(ner=False))
    assert len(report.removed) == 2
    remaining = {copy_articles["headline"].id, copy_articles["boilerplate"].id}
    assert _story_group(root, copy_articles["headline"].id) == remaining
    service = SearchService(root)
    assert service.copies_of(copy_articles["cut"].id) is None
    assert {m.id for m in service.copies_of(copy_articles["headline"].id).members} == remaining


def test_an_update_that_removes_a_story_and_all_its_copies_removes_them(seeds_index, copy_articles):
    # Found by bench/freshness.py: the group emptied by one update raised KeyError in the grouper.
    corpus, root = seeds_index
    paths = write_copies(corpus, process_file(seed_path(COPY_SEED)))
    sync.update(corpus, root, PipelineOptions(ner=False))
    for path in paths.values():
        path.unlink()
        path.with_suffix(".json").unlink(missing_ok=True)
    next(corpus.glob(f"{COPY_SEED}_*.txt")).unlink()
    report = sync.update(corpus, root, PipelineOptions(ner=False))
    assert len(report.removed) == 4
    assert SearchService(root).search(SearchRequest(query="Blinken")).total == 0
    assert store.copy_groups(root) == {copy_articles[n].id: copy_articles[n].id for n in UNRELATED}


@pytest.mark.parametrize("damage", ["deleted", "garbage"])
def test_update_regroups_from_the_index_when_the_signature_cache_is_lost(seeds_index, copy_articles, damage):
    corpus, root = seeds_index
    cache = root / copies.CACHE_FILE
    assert cache.is_file()
    for path in (cache, cache.with_name(cache.name + "-wal"), cache.with_name(cache.name + "-shm")):
        path.unlink(missing_ok=True)
    if damage == "garbage":
        cache.write_bytes(b"not a database " * 100)
    write_copies(corpus, process_file(seed_path(COPY_SEED)))
    sync.update(corpus, root, PipelineOptions(ner=False))
    assert _story_group(root, copy_articles[COPY_SEED].id) == {copy_articles[k].id for k in (COPY_SEED, *COPY_OUTLETS)}


# -- the faces ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def copy_client(copy_index, copy_corpus):
    from webui import create_app

    return create_app({"INDEX_DIR": str(copy_index), "CORPUS_DIR": str(copy_corpus), "TESTING": True}).test_client()


def test_results_page_folds_copies_with_their_outlets_and_links_to_every_copy(copy_client):
    page = copy_client.get("/?q=Blinken").get_data(as_text=True)
    assert page.count('class="hit"') == 1
    assert '<details class="hit-copies">' in page
    assert '<span class="copies-count">3 other copies</span>' in page
    folded = page[page.index('<details class="hit-copies">'):]
    summary = folded[:folded.index("</summary>")]
    assert all(outlet in summary for outlet in ("The Korea Herald", "Yonhap News Agency"))
    assert 'href="/?q=Blinken&amp;copies=all">Show every copy</a>' in page
    every = copy_client.get("/?q=Blinken&copies=all").get_data(as_text=True)
    assert every.count('class="hit"') == 4 and "hit-copies" not in every
    assert 'href="/?q=Blinken">Fold copies</a>' in every


def test_article_page_lists_copies_with_outlet_and_date_and_marks_the_earliest(copy_client, copy_articles):
    page = copy_client.get(f"/articles/{copy_articles['boilerplate'].id}").get_data(as_text=True)
    section = page[page.index('id="copies-heading"'):page.index('id="similar-heading"')]
    assert section.count("<li") == 4
    original = section[section.index('class="is-original"'):].split("</li>")[0]
    assert "South China Morning Post" in original and "2023-11-07" in original and "likely original" in original
    assert section.count("likely original") == 1
    assert "Yonhap News Agency" in section and "this article" in section
    alone = copy_client.get(f"/articles/{copy_articles['000'].id}").get_data(as_text=True)
    assert "copies-heading" not in alone


def test_a_bad_copies_parameter_is_a_400(copy_client):
    response = copy_client.get("/api/search?copies=some")
    assert response.status_code == 400
    assert "copies" in response.get_json()["error"]


def test_api_and_search_cli_agree_with_copies_folded_and_shown(copy_client, copy_index):
    for params, args in (("q=Blinken", []), ("q=Blinken&copies=all", ["--all-copies"])):
        api = copy_client.get(f"/api/search?{params}").get_json()
        proc = run_script("search-cli", "Blinken", "--json", "--index", copy_index, *args)
        assert proc.returncode == 0, proc.stderr
        assert api == json.loads(proc.stdout)
        assert api["all_copies"] == bool(args) and api["groups"] == 1 and api["total"] == 4


def test_search_index_dups_lists_the_group_with_the_likely_original_first(copy_index, copy_articles):
    proc = run_script("search-index", "dups", "--index", copy_index)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("1 group of copies, 4 articles")
    assert f"  * {copy_articles[COPY_SEED].id}  South China Morning Post · 2023-11-07 · {SEED_TITLES[COPY_SEED]}" in proc.stdout
    assert all(copy_articles[n].id not in proc.stdout for n in UNRELATED)
    listed = json.loads(run_script("search-index", "dups", "--json", "--index", copy_index).stdout)
    assert [(g["size"], g["original"]) for g in listed] == [(4, copy_articles[COPY_SEED].id)]
    assert [m["outlet"] for m in listed[0]["members"]][1:] == ["Korea JoongAng Daily", "The Korea Herald", "Yonhap News Agency"]


def test_search_index_dups_without_an_index_exits_2(tmp_path):
    proc = run_script("search-index", "dups", "--index", tmp_path / "none")
    assert proc.returncode == 2
    assert "no index" in proc.stderr and "Traceback" not in proc.stderr


def test_a_bad_copy_threshold_is_one_line_and_exit_2(tmp_path):
    proc = run_script("search-index", "build", "--corpus", SEEDS, "--index", tmp_path / "ix", "--copy-threshold", "1.5")
    assert proc.returncode == 2 and "--copy-threshold" in proc.stderr
    proc = run_script("search-index", "build", "--corpus", SEEDS, "--index", tmp_path / "ix", extra_env={"SEARCH_COPY_THRESHOLD": "high"})
    assert proc.returncode == 2 and "SEARCH_COPY_THRESHOLD" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("query, sort", [("", "newest"), ("Korea", "relevance"), ("Seoul", "oldest")])
def test_every_page_of_folded_results_holds_other_groups(copy_service, query, sort):
    first = copy_service.search(SearchRequest(query=query, sort=sort, per_page=1))
    seen = [h.copy_group for p in range(1, first.pages + 1)
            for h in copy_service.search(SearchRequest(query=query, sort=sort, per_page=1, page=p)).hits]
    assert len(seen) == len(set(seen)) == first.groups == first.pages
    assert sum(1 + h.copy_count for p in range(1, first.pages + 1)
               for h in copy_service.search(SearchRequest(query=query, sort=sort, per_page=1, page=p)).hits) == first.total


def test_a_build_rewrites_the_group_that_a_later_article_merged(tmp_path):
    rng = random.Random(5)
    vocabulary = [f"word{i}" for i in range(400)]
    part = lambda: [" ".join(rng.choice(vocabulary) for _ in range(50)).capitalize() + "." for _ in range(2)]  # noqa: E731
    x, y, z = part(), part(), part()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    # Built in path order: a and b are apart (a third shared) until m, which holds both, arrives.
    for name, paragraphs in (("a", x + y), ("b", y + z), ("m", x + y + z)):
        (corpus / f"{name}.txt").write_text(f"Story {name} from the wires\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    root = tmp_path / "index"
    sync.rebuild(corpus, root, PipelineOptions(ner=False))
    groups = store.copy_groups(root)
    assert len(groups) == 3 and len(set(groups.values())) == 1
    result = SearchService(root).search(SearchRequest(query="wires"))
    assert (result.total, result.groups, len(result.hits), result.hits[0].copy_count) == (3, 1, 1, 2)
