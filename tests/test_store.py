"""The index on disk: generations, the CURRENT pointer, failed builds, duplicates."""

from __future__ import annotations

import shutil

import pytest

from indexer import store
from indexer.errors import IndexMissingError, UserError
from indexer.pipeline import PipelineOptions, process_files
from indexer.search import SearchRequest, SearchService
from indexer.sources import discover

from .helpers import articles_only, build_index, seed_path


def generations(root):
    return sorted(p.name for p in root.glob("gen-*") if p.is_dir())


def current_name(root):
    return (root / "CURRENT").read_text(encoding="utf-8").strip()


@pytest.fixture(scope="module")
def seed_list(seed_dir):
    """The seed Articles in corpus order (processed once for this module)."""
    return articles_only(process_files(discover(seed_dir), PipelineOptions(relative_to=seed_dir)))


def test_build_creates_current_and_one_generation(tmp_path, seed_list):
    root = tmp_path / "index"
    result = store.build(root, seed_list)
    assert result.added == 5
    assert result.duplicates == []
    assert generations(root) == [result.generation.name]
    assert current_name(root) == result.generation.name
    assert store.current_generation(root) == result.generation
    assert not list(root.glob("CURRENT.tmp*"))


def test_second_build_swaps_to_a_new_generation_and_search_keeps_working(tmp_path, seed_list):
    root = tmp_path / "index"
    first = store.build(root, seed_list)
    service = SearchService(root)
    before = service.search(SearchRequest(query="howitzer"))
    assert before.total == 1

    # A searcher opened on the first generation before the swap.
    old_index = store.open_index(root)
    old_searcher = old_index.searcher()

    second = store.build(root, seed_list[:3])
    assert second.generation != first.generation
    assert current_name(root) == second.generation.name
    # The previous generation is kept one build longer for readers that opened it.
    assert set(generations(root)) == {first.generation.name, second.generation.name}
    assert old_searcher.doc_count() == 5
    old_searcher.close()

    # The same service follows CURRENT to the new generation.
    after = service.search(SearchRequest())
    assert after.total == 3
    assert service.search(SearchRequest(query="howitzer")).total == 1  # seed 000 is among the first three


def test_third_build_prunes_the_oldest_generation(tmp_path, seed_list):
    root = tmp_path / "index"
    first = store.build(root, seed_list)
    second = store.build(root, seed_list)
    third = store.build(root, seed_list)
    assert set(generations(root)) == {second.generation.name, third.generation.name}
    assert not first.generation.exists()


def test_build_that_fails_midway_leaves_previous_index(tmp_path, seed_list):
    root = tmp_path / "index"
    first = store.build(root, seed_list)

    def failing():
        yield seed_list[0]
        yield seed_list[1]
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        store.build(root, failing())
    assert current_name(root) == first.generation.name
    assert generations(root) == [first.generation.name]  # no partial generation left behind
    assert SearchService(root).search(SearchRequest()).total == 5


def test_build_interrupted_by_keyboard_interrupt_leaves_previous_index(tmp_path, seed_list):
    root = tmp_path / "index"
    first = store.build(root, seed_list)

    def interrupted():
        yield seed_list[0]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store.build(root, interrupted())
    assert current_name(root) == first.generation.name
    assert generations(root) == [first.generation.name]


def test_build_with_zero_articles_is_a_user_error_and_keeps_previous_index(tmp_path, seed_list):
    root = tmp_path / "index"
    first = store.build(root, seed_list)
    with pytest.raises(UserError):
        store.build(root, [])
    assert current_name(root) == first.generation.name
    assert generations(root) == [first.generation.name]
    assert SearchService(root).search(SearchRequest()).total == 5


def test_first_build_with_zero_articles_leaves_no_index(tmp_path):
    root = tmp_path / "index"
    with pytest.raises(UserError):
        store.build(root, iter(()))
    assert store.current_generation(root) is None
    assert generations(root) == []


def test_opening_a_folder_without_index_says_how_to_build_one(tmp_path):
    with pytest.raises(IndexMissingError) as info:
        store.open_index(tmp_path)
    assert "search-index build" in str(info.value)


def test_searching_a_folder_without_index_raises_index_missing(tmp_path):
    with pytest.raises(IndexMissingError) as info:
        SearchService(tmp_path / "nothing-here").search(SearchRequest(query="seoul"))
    assert "search-index build" in str(info.value)


def test_current_pointing_at_a_missing_generation_is_no_index(tmp_path):
    (tmp_path / "CURRENT").write_text("gen-20000101T000000000000-1\n", encoding="utf-8")
    assert store.current_generation(tmp_path) is None
    with pytest.raises(IndexMissingError, match="search-index build"):
        store.open_index(tmp_path)


def test_damaged_generation_raises_index_missing_with_rebuild_hint(tmp_path, seed_list):
    root = tmp_path / "index"
    result = store.build(root, seed_list)
    for path in result.generation.iterdir():
        if path.name != store.MANIFEST:
            path.unlink()
    with pytest.raises(IndexMissingError, match="search-index build"):
        store.open_index(root)


def test_duplicate_content_under_two_paths_indexed_once(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    shutil.copy(seed_path("000"), corpus / "a.txt")
    shutil.copy(seed_path("000"), corpus / "sub" / "b.txt")
    shutil.copy(seed_path("002"), corpus / "c.txt")
    result = build_index(tmp_path / "index", corpus)
    assert result.added == 2
    assert result.duplicates == [("sub/b.txt", "a.txt")]  # (duplicate, copy kept), in corpus order
    assert SearchService(tmp_path / "index").search(SearchRequest(query="howitzer")).total == 1


def test_stats_of_the_seed_index(built_index):
    figures = store.stats(built_index)
    assert figures.documents == 5
    assert figures.outlets == {"Medium": 1, "South China Morning Post": 1, "The Hankyoreh": 1,
                               "The Korea Times": 1, "unknown": 1}
    assert (figures.earliest, figures.latest, figures.undated) == ("2023-11-07", "2024-06-23", 3)
    assert figures.generation == store.current_generation(built_index).name
    assert figures.size_bytes > 0


def test_copy_groups_name_every_live_article_each_its_own_group(built_index, seed_articles):
    assert store.copy_groups(built_index) == {a.id: a.id for a in seed_articles.values()}


def test_stored_article_round_trips(service, seed_articles):
    for article in seed_articles.values():
        stored = service.article(article.id)
        assert stored is not None
        assert stored.to_dict() == article.to_dict()
    assert service.article("0000000000000000") is None


def test_a_searcher_reads_segments_without_mapping_them(built_index):
    """Index pages read by pread stay in the page cache instead of the process's resident size (bench/README.md, Load)."""
    service = SearchService(built_index)
    assert service.search(SearchRequest(query="howitzer")).total == 1
    generation = str(store.current_generation(built_index))
    with open("/proc/self/maps", encoding="utf-8") as maps:
        assert not [line for line in maps if generation in line]


def test_a_file_range_reads_the_bytes_it_stands_for(tmp_path):
    data = bytes(range(256)) * 4
    (tmp_path / "f").write_bytes(data)
    with open(tmp_path / "f", "rb", buffering=0) as handle:
        whole = store._FileRange(handle, 100, 500)
        assert len(whole) == 500 and bytes(whole) == data[100:600]
        assert bytes(whole[10:20]) == data[110:120] and whole[490:900].tobytes() == data[590:600]
        assert bytes(whole[600:700]) == b"" and len(whole[-5:]) == 5


def test_unpickling_from_a_range_reads_ahead_instead_of_once_per_opcode(tmp_path, monkeypatch):
    # Whoosh unpickles each posting block's header and ids from the file; read one opcode at a
    # time, the first search of a new process on a 100k index took 3.1 s where it takes 1.4 s reading ahead.
    import os
    import pickle

    values = [(n, float(n), f"term {n}") for n in range(50)]
    data = b"junk" + pickle.dumps(values, 2) + pickle.dumps(("second", 2), 2)
    (tmp_path / "f").write_bytes(data)
    reads = []
    real_pread = os.pread
    monkeypatch.setattr(store.os, "pread", lambda *args: reads.append(args) or real_pread(*args))
    with open(tmp_path / "f", "rb", buffering=0) as handle:
        reader = store._RangeReader(store._FileRange(handle, 0, len(data)))
        reader.seek(4)
        assert pickle.load(reader) == values
        assert pickle.load(reader) == ("second", 2)
        assert reader.tell() == len(data)
    assert len(reads) <= 4  # a read ahead and a skip per pickle, where it was one per opcode
