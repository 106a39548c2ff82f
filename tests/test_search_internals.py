"""Performance internals of the search service that must not change an answer."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from whoosh.query import Phrase, Term

from indexer import store, sync
from indexer.pipeline import PipelineOptions, process_files
from indexer.schema import WORD_PAIRS, article_to_document
from indexer.search import SearchRequest, SearchService, _around_first_match, _query_mask, _scores
from indexer.sources import discover

from .helpers import SEEDS, articles_only, build_index, make_corpus

QUERY_SHAPES = ["missile", "missile summit", "missile OR treaty", "missile NOT summit", "NOT drone",
                "(summit OR tariff) AND border", '"missile artillery"', "miss*", "misile~1", "title:report",
                "nothingsuchword", "missile AND nothingsuchword", "outlet:unknown", '"missile missile"',
                '"border ceasefire tariff"', '"missile artillery"~3', 'title:"report number"', '"serial 5x7"',
                '"missile nothingsuchword"']


def with_word_pairs(query):
    """The query whose scores Whoosh must give ours: a body phrase becomes the phrase of its word pairs."""
    def pairs(q):
        if type(q) is Phrase and q.fieldname in WORD_PAIRS and q.slop == 1 and len(q.words) > 1:
            terms = [f"{a} {b}" for a, b in zip(q.words, q.words[1:])]
            if len(terms) == 1:
                return Term(WORD_PAIRS[q.fieldname], terms[0], boost=q.boost)
            return Phrase(WORD_PAIRS[q.fieldname], terms, boost=q.boost)
        return q
    return query.accept(pairs)


@pytest.fixture(scope="module")
def generated_service(tmp_path_factory) -> SearchService:
    base = tmp_path_factory.mktemp("internals")
    # Enough articles that common words' postings span several of Whoosh's 128-posting blocks.
    make_corpus(base / "corpus", 300, seed=3)
    build_index(base / "index", base / "corpus")
    return SearchService(base / "index")


@pytest.mark.parametrize("text", QUERY_SHAPES)
def test_match_mask_from_posting_blocks_equals_whooshs_own_matching(generated_service, text):
    service = generated_service
    with service._borrow() as reader:
        query = service._parse(text, reader.searcher)
        fast = _query_mask(query, reader.searcher, reader.columns) & reader.columns.live
        slow = np.zeros(reader.columns.size, dtype=bool)
        slow[np.fromiter(reader.searcher.docs_for_query(query), dtype=np.int64)] = True
        slow &= reader.columns.live
    assert np.array_equal(fast, slow)
    assert service.search(SearchRequest(query=text)).total == int(fast.sum())


def test_common_word_postings_span_several_blocks(generated_service):
    assert generated_service.search(SearchRequest(query="missile")).total > 2 * 128


@pytest.fixture(scope="module")
def segmented_service(tmp_path_factory) -> SearchService:
    """An index of two segments with deleted documents: doc numbers are offset per segment.

    The second segment holds the seeds too, so the date and outlet columns vary."""
    base = tmp_path_factory.mktemp("segments")
    make_corpus(base / "corpus", 200, seed=5)
    build_index(base / "index", base / "corpus")
    make_corpus(base / "more", 150, seed=6)
    shutil.copytree(SEEDS, base / "more", dirs_exist_ok=True)  # dated, with outlets: columns that vary
    writer = store.open_index(base / "index").writer()
    for article in articles_only(process_files(discover(base / "more"), PipelineOptions(relative_to=base / "more"))):
        writer.add_document(**article_to_document(article))
    for docnum in range(0, 200, 7):
        writer.delete_document(docnum)
    writer.commit(merge=False)
    return SearchService(base / "index")


@pytest.mark.parametrize("text", QUERY_SHAPES + ["missile^3 treaty", "title:report OR body:convoy", "author:nobody OR drone",
                                  '"missile artillery" summit', "miss* OR treaty", '"summit treaty"^2 OR NOT drone',
                                  '"missile missile"', '"border ceasefire tariff"', '"missile artillery"~3',
                                  'title:"report number"', '"serial 5x7"'])
def test_scores_as_arrays_are_whooshs_own_scores_and_order(segmented_service, text):
    service = segmented_service
    with service._borrow() as reader:
        searcher, cols = reader.searcher, reader.columns
        assert len(list(searcher.reader().leaf_readers())) == 2
        query = service._parse(text, searcher)
        runs: dict = {}
        docs = np.flatnonzero(_query_mask(query, searcher, cols, runs) & cols.live)
        scores = _scores(query, searcher, cols, runs)
        whoosh = [(hit.docnum, hit.score) for hit in searcher.search(with_word_pairs(query), limit=None)]
    ours = docs[np.lexsort((docs, -scores[docs]))]
    assert [d for d, _ in whoosh] == ours.tolist()
    assert np.allclose([score for _, score in whoosh], scores[ours], rtol=1e-12, atol=0)


@pytest.mark.parametrize("fieldname", ["id", "outlet", "copy_group", "day_start", "day_end", "precision"])
def test_columns_read_in_one_piece_per_segment_equal_whooshs_iterators(segmented_service, fieldname):
    with segmented_service._borrow() as reader:
        whoosh_reader = reader.searcher.reader()
        expected = list(whoosh_reader.column_reader(fieldname))
        if fieldname in ("id", "outlet", "copy_group"):
            assert store.column_strings(whoosh_reader, fieldname) == expected
        else:
            assert store.column_numbers(whoosh_reader, fieldname).tolist() == expected
    assert len(expected) == 355 and len(set(expected)) > 1


def test_live_mask_is_whooshs_own_list_of_live_documents(segmented_service):
    with segmented_service._borrow() as reader:
        whoosh_reader = reader.searcher.reader()
        expected = np.zeros(whoosh_reader.doc_count_all(), dtype=bool)
        expected[list(whoosh_reader.all_doc_ids())] = True
        assert np.array_equal(store.live_mask(whoosh_reader), expected)
        assert 0 < expected.sum() < len(expected)  # the fixture deleted some


def test_field_lengths_are_the_ones_whooshs_scorer_reads(segmented_service):
    with segmented_service._borrow() as reader:
        whoosh_reader, cols = reader.searcher.reader(), reader.columns
        for fieldname in ("title", "body"):
            expected = [whoosh_reader.doc_field_length(n, fieldname, 1) for n in range(cols.size)]
            assert cols.lengths[fieldname].tolist() == expected


@pytest.mark.parametrize("text", ["convoy OR drone", '"missile artillery" OR title:report'])
def test_a_relevance_page_is_whooshs_own_ranking(segmented_service, text):
    service = SearchService(segmented_service.root, cache_size=0)
    result = service.search(SearchRequest(query=text, per_page=20, page=2, all_copies=True))
    with service._borrow() as reader:
        searcher = reader.searcher
        whoosh = searcher.search(with_word_pairs(service._parse(text, searcher)), limit=40)[20:40]
        expected = [(searcher.stored_fields(hit.docnum)["id"], round(hit.score, 4)) for hit in whoosh]
    assert len(expected) == 20
    assert [(hit.id, hit.score) for hit in result.hits] == expected


def write_article(path, title: str, sentence: str) -> None:
    body = "\n\n".join(f"{sentence} Paragraph {i} tells the story at length for the reader." for i in range(3))
    path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")


def test_a_repeated_request_is_answered_from_the_cache(built_index):
    service = SearchService(built_index)
    first = service.search(SearchRequest(query="howitzer"))
    assert service.search(SearchRequest(query="howitzer")) is first
    assert service.search(SearchRequest(query="howitzer", page=2)) is not first


def test_a_request_built_with_lists_is_answered_though_not_cacheable(built_index):
    service = SearchService(built_index)
    result = service.search(SearchRequest(query="howitzer", outlets=["The Korea Times", "Medium"]))
    assert result.total == service.search(SearchRequest(query="howitzer", outlets=("The Korea Times", "Medium"))).total


def test_a_search_after_update_sees_the_new_article_not_the_cached_answer(corpus, root):
    service = SearchService(root)
    request = SearchRequest(query="seoul", sort="newest", per_page=100)
    before = service.search(request)
    assert service.search(request) is before  # cached
    write_article(corpus / "new.txt", "Zeppelin sighted over Seoul", "A zeppelin drifted over Seoul at dawn.")
    sync.update(corpus, root)
    after = service.search(request)
    assert after.total == before.total + 1
    assert "Zeppelin sighted over Seoul" in [hit.title for hit in after.hits]
    (corpus / "new.txt").unlink()
    sync.update(corpus, root)
    assert service.search(request).total == before.total


def test_similar_articles_are_recomputed_after_an_update(corpus, root):
    service = SearchService(root)
    seed_id = service.search(SearchRequest(query='"K9 howitzers"')).hits[0].id
    before = service.similar(seed_id)
    assert before
    gone = before[0]
    next(path for path in corpus.glob("*.txt") if gone.title in path.read_text(encoding="utf-8")).unlink()
    sync.update(corpus, root)
    assert gone.id not in {hit.id for hit in service.similar(seed_id)}


@pytest.mark.parametrize("paragraph", [
    "x" * 1000 + "needle rest " + "y" * 300,  # no space to cut at before the match
    "İ" * 700 + " " + "a " * 100 + "needle " + "b " * 400,  # lower() makes the text longer than it is
    "word " * 300 + "Needle " + "word " * 300,  # the match in another case
])
def test_the_window_of_a_long_paragraph_keeps_its_first_match(paragraph):
    window = _around_first_match(paragraph, ["needl"])
    assert "needle" in window.lower()
    assert len(window) < len(paragraph)


def test_actor_arrays_are_the_live_postings_of_each_actor(segmented_service):
    with segmented_service._borrow() as reader:
        whoosh_reader, cols = reader.searcher.reader(), reader.columns
        expected = {}
        for term in whoosh_reader.lexicon("actor_typed"):
            actor_type, _, name = term.decode("utf-8").partition("|")
            expected[(name, actor_type)] = sorted(whoosh_reader.postings("actor_typed", term).all_ids())
    ours = {actor: sorted(cols.actor_doc[cols.actor_id == i].tolist()) for i, actor in enumerate(cols.actor_names)}
    assert ours == expected
    assert sum(map(len, expected.values())) > 0


def test_body_word_pairs_are_the_adjacent_stems_once_stop_words_are_dropped():
    from indexer.schema import build_schema

    analyzer = build_schema()["body_pairs"].analyzer
    tokens = [(t.text, t.pos) for t in analyzer("Officials in Tajikistan declined to comment.", positions=True)]
    assert tokens == [("offici tajikistan", 0), ("tajikistan declin", 1), ("declin comment", 2)]


@pytest.mark.parametrize("text", ['"missile artillery"', '"border ceasefire tariff"'])
def test_a_phrase_found_from_word_pairs_matches_fewer_than_its_words(generated_service, text):
    phrase = generated_service.search(SearchRequest(query=text)).total
    words = generated_service.search(SearchRequest(query=text.strip('"'))).total
    assert 0 < phrase < words


def test_columns_of_a_new_index_state_reuse_unchanged_segments_and_equal_a_fresh_read(corpus, root):
    from indexer.search import Columns

    segments: dict = {}
    with SearchService(root, cache_size=0)._borrow() as reader:
        Columns(reader.searcher.reader(), segments)
    kept = dict(segments)
    write_article(corpus / "zz-airship.txt", "Airship returns", "The airship company said the prototype would fly.")
    (corpus / sorted(p.name for p in corpus.glob("*.txt"))[0]).unlink()  # a deletion in the old segment
    sync.update(corpus, root)

    with SearchService(root, cache_size=0)._borrow() as reader:
        whoosh_reader = reader.searcher.reader()
        assert len(list(whoosh_reader.leaf_readers())) == 2
        incremental = Columns(whoosh_reader, segments)
        fresh = Columns(whoosh_reader)
    assert all(segments[key] is part for key, part in kept.items())  # the old segment was not read again
    assert len(segments) == len(kept) + 1
    for name in ("size", "outlet_names", "actor_names", "group_count"):
        assert getattr(incremental, name) == getattr(fresh, name), name
    for name in ("live", "outlet_ids", "day_start", "day_end", "precision", "year", "month", "actor_doc", "actor_id", "group"):
        assert np.array_equal(getattr(incremental, name), getattr(fresh, name)), name
    assert incremental.lengths.keys() == fresh.lengths.keys() and "body_pairs" in fresh.lengths
    assert all(np.array_equal(incremental.lengths[k], fresh.lengths[k]) for k in fresh.lengths)
    assert not fresh.live.all() and fresh.size == 6
