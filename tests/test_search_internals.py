"""Performance internals of the search service that must not change an answer."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.search import SearchRequest, SearchService, _query_mask

from .helpers import build_index, make_corpus

QUERY_SHAPES = ["missile", "missile summit", "missile OR treaty", "missile NOT summit", "NOT drone",
                "(summit OR tariff) AND border", '"missile artillery"', "miss*", "misile~1", "title:report",
                "nothingsuchword", "missile AND nothingsuchword", "outlet:unknown"]


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
