"""Updating the index as the corpus changes: update, add, watch, the writer lock, crashes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from indexer import store, sync
from indexer.errors import IndexLockedError, UserError
from indexer.fetch import FetchError, fetch_url
from indexer.search import SearchRequest, SearchService

from .helpers import alive, children_of, make_corpus, wait_for

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
BIN = Path(sys.executable).parent


def search_index(*args: str, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "search-index"), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})}, **kwargs)


def titles(root: Path, query: str = "") -> list[str]:
    result = SearchService(root).search(SearchRequest(query=query, sort="newest", per_page=100))
    return sorted(hit.title for hit in result.hits)


def write_article(path: Path, title: str, sentence: str) -> None:
    body = "\n\n".join(f"{sentence} This is paragraph {i} of the story, told at length for the reader." for i in range(3))
    path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")


def test_update_adds_changes_and_removes_then_does_nothing(corpus, root):
    write_article(corpus / "new.txt", "Drone factory opens in Tatarstan", "Iranian engineers helped build the drone plant.")
    seed = next(corpus.glob("001_*.txt"))
    text = seed.read_text(encoding="utf-8")
    seed.write_text(text.replace("The remarks came against", "An added paragraph says zeppelins were seen over Seoul.\n\nThe remarks came against"),
                    encoding="utf-8")
    gone = next(corpus.glob("003_*.txt"))
    gone.unlink()

    report = sync.update(corpus, root)

    assert (report.added, report.updated, report.removed) == (["new.txt"], [seed.name], [gone.name])
    assert report.unchanged == 3
    assert "Drone factory opens in Tatarstan" in titles(root)
    assert "Will Seoul’s Ties With Moscow Really Recover on Their Own?" not in titles(root)
    assert titles(root, "zeppelins") == ["Seoul-Moscow ties likely stuck in limbo amid blame game"]

    again = sync.update(corpus, root)
    assert not again.changed
    assert (again.added, again.updated, again.removed, again.unchanged) == ([], [], [], 5)


def test_identical_content_under_two_paths_is_indexed_once(corpus, root):
    shutil.copy(next(corpus.glob("000_*.txt")), corpus / "copy-of-000.txt")
    report = sync.update(corpus, root)
    assert report.duplicates == [("copy-of-000.txt", next(corpus.glob("000_*.txt")).name)]
    assert SearchService(root).search(SearchRequest(query='"K9 howitzers"')).total == 1


def test_editing_a_sidecar_reindexes_the_article(corpus, root):
    seed = next(corpus.glob("000_*.txt"))
    seed.with_suffix(".json").write_text(json.dumps({"outlet": "Reuters", "published": "2023-02-14"}), encoding="utf-8")
    report = sync.update(corpus, root)
    assert report.updated == [seed.name]
    hit = SearchService(root).search(SearchRequest(query='"K9 howitzers"')).hits[0]
    assert (hit.outlet, hit.published, hit.date_precision) == ("Reuters", "2023-02-14", "day")


def test_a_running_service_sees_new_documents_without_restart(corpus, root):
    service = SearchService(root)
    assert service.search(SearchRequest(query="tatarstan")).total == 0
    write_article(corpus / "new.txt", "Drone factory opens in Tatarstan", "Iranian engineers helped build it.")
    sync.update(corpus, root)
    assert service.search(SearchRequest(query="tatarstan")).total == 1
    sync.rebuild(corpus, root)  # a new generation: the service reopens it
    assert service.search(SearchRequest(query="tatarstan")).total == 1
    (corpus / "new.txt").unlink()
    sync.update(corpus, root)
    # Regression: Whoosh's Searcher.refresh() kept deleted documents of unchanged segments.
    assert service.search(SearchRequest(query="tatarstan")).total == 0


def test_update_command_prints_what_it_did(corpus, root):
    write_article(corpus / "new.txt", "Drone factory opens in Tatarstan", "Iranian engineers helped build it.")
    (corpus / "empty.txt").write_bytes(b"")
    first = search_index("update", "--corpus", str(corpus), "--index", str(root))
    assert first.returncode == 1, first.stderr
    assert "added      new.txt" in first.stdout
    assert "skipped    empty.txt: file is empty" in first.stderr
    (corpus / "empty.txt").unlink()
    second = search_index("update", "--corpus", str(corpus), "--index", str(root))
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("Nothing to do")


@pytest.mark.parametrize("field, feature", [("copy_group", "copy groups"), ("body_pairs", "word pairs for phrase search")])
def test_update_of_an_index_from_an_older_version_says_it_rebuilds_then_adds_the_field(tmp_path, corpus, monkeypatch,
                                                                                      field, feature):
    """An index built before a field existed cannot be updated article by article: update says so before it starts."""
    from indexer import schema

    old_schema = schema.build_schema()
    old_schema.remove(field)
    monkeypatch.setattr(store, "build_schema", lambda: old_schema)
    monkeypatch.setattr(store, "article_to_document",
                        lambda article, group=None: {k: v for k, v in schema.article_to_document(article).items()
                                                     if k != field})
    root = tmp_path / "old-index"
    sync.rebuild(corpus, root)
    monkeypatch.undo()
    assert store.missing_fields(root) == [field]
    assert sync.update_rebuilds(root) == f"the index at {root} was built before {feature}"
    # Until then the old index still answers, phrases included.
    assert SearchService(root).search(SearchRequest(query='"155mm howitzer shells"')).total == 1

    result = search_index("update", "--corpus", str(corpus), "--index", str(root))

    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(f"note: the index at {root} was built before {feature}, so update indexes the whole corpus")
    assert result.stdout.startswith("Indexed 5 articles")
    assert store.missing_fields(root) == []
    assert sync.update_rebuilds(root) is None
    assert SearchService(root).search(SearchRequest(query='"155mm howitzer shells"')).total == 1
    assert search_index("update", "--corpus", str(corpus), "--index", str(root)).stdout.startswith("Nothing to do")


@pytest.mark.parametrize("existing_index", [True, False])
def test_a_file_that_cannot_be_looked_at_is_skipped_by_name_and_the_rest_indexed(tmp_path, corpus, existing_index):
    root = tmp_path / "index"
    if existing_index:
        sync.rebuild(corpus, root)
    (corpus / "loop.txt").symlink_to("loop.txt")  # found in review: stat fails with ELOOP
    write_article(corpus / "new.txt", "Drone factory opens in Tatarstan", "Iranian engineers helped build it.")
    result = search_index("update", "--corpus", str(corpus), "--index", str(root))
    assert result.returncode == 1, result.stderr
    assert "skipped    loop.txt: cannot read: Too many levels of symbolic links" in result.stderr
    assert "Drone factory opens in Tatarstan" in titles(root)


# -- add ------------------------------------------------------------------------------


def test_add_copies_a_file_into_the_corpus_and_indexes_it(corpus, root, tmp_path):
    outside = tmp_path / "saved.txt"
    write_article(outside, "Drone factory opens in Tatarstan", "Iranian engineers helped build it.")
    done = search_index("add", str(outside), "--corpus", str(corpus), "--index", str(root))
    assert done.returncode == 0, done.stderr
    assert (corpus / "saved.txt").read_bytes() == outside.read_bytes()
    assert titles(root, "tatarstan") == ["Drone factory opens in Tatarstan"]


def test_add_looks_at_the_added_file_only(corpus, root, tmp_path):
    """A change elsewhere in the corpus waits for update: add does not list the whole corpus."""
    write_article(corpus / "elsewhere.txt", "Walrus census", "The walrus count rose in Svalbard.")
    outside = tmp_path / "saved.txt"
    write_article(outside, "Drone factory opens in Tatarstan", "Iranian engineers helped build it.")
    done = search_index("add", "--no-ner", str(outside), "--corpus", str(corpus), "--index", str(root))
    assert done.returncode == 0, done.stderr
    assert "added      saved.txt" in done.stdout and "elsewhere" not in done.stdout
    assert titles(root, "tatarstan") == ["Drone factory opens in Tatarstan"] and titles(root, "svalbard") == []
    assert sync.update(corpus, root).added == ["elsewhere.txt"]


def test_add_fetches_a_url_with_a_sidecar_and_indexes_it(corpus, root, web_server):
    url = f"{web_server}/2024/03/11/drone-factory.html"
    done = search_index("add", url, "--corpus", str(corpus), "--index", str(root))
    assert done.returncode == 0, done.stderr
    sidecars = [json.loads(p.read_text()) for p in corpus.glob("127.0.0.1-*.json")]
    assert [s["url"] for s in sidecars] == [url]
    assert sidecars[0]["fetched_at"].startswith(time.strftime("%Y-"))
    hit = SearchService(root).search(SearchRequest(query="tatarstan")).hits[0]
    assert (hit.title, hit.outlet, hit.published) == ("Drone factory opens in Tatarstan", "127.0.0.1", "2024-03-11")


@pytest.mark.parametrize("path, message", [
    ("/missing", "HTTP 404"),
    ("/image", "not a web page"),
    ("/slow", "cannot fetch"),
])
def test_fetch_errors_are_clear_and_leave_the_corpus_alone(corpus, web_server, path, message):
    before = sorted(p.name for p in corpus.iterdir())
    with pytest.raises(FetchError, match=message):
        fetch_url(web_server + path, corpus, timeout=0.5)
    assert sorted(p.name for p in corpus.iterdir()) == before


def test_fetch_refuses_a_page_over_the_size_limit(corpus, web_server):
    with pytest.raises(FetchError, match="over the"):
        fetch_url(web_server + "/page", corpus, max_bytes=100)


def test_add_reports_a_bad_url_with_exit_code_2(corpus, root, web_server):
    done = search_index("add", f"{web_server}/missing", "--corpus", str(corpus), "--index", str(root))
    assert done.returncode == 2
    assert "HTTP 404" in done.stderr and "Traceback" not in done.stderr
    assert "Updated" not in done.stdout  # nothing came in, so nothing was looked at


def test_add_indexes_what_came_in_when_another_source_fails(corpus, root, web_server, tmp_path):
    saved = tmp_path / "saved.txt"
    write_article(saved, "Walrus census in Svalbard", "The walrus count rose in Svalbard this year.")
    done = search_index("add", f"{web_server}/missing", str(saved), "--corpus", str(corpus), "--index", str(root))
    assert done.returncode == 2 and "HTTP 404" in done.stderr
    assert "Walrus census in Svalbard" in titles(root)


# -- updating the paths watch names ------------------------------------------------------

def nothing_left_for_a_full_update(corpus: Path, root: Path) -> bool:
    report = sync.update(corpus, root)
    return not (report.added or report.updated or report.removed or report.duplicates)


def test_update_of_named_paths_adds_changes_and_removes_them_as_a_full_update_would(corpus, root):
    first = sorted(corpus.glob("*.txt"))[0]
    write_article(corpus / "new.txt", "Drone factory opens in Tatarstan", "Iranian engineers helped build it.")
    second = sync.update(corpus, root, paths=[corpus / "new.txt"])
    assert (second.added, second.unchanged) == (["new.txt"], 5)

    write_article(corpus / "new.txt", "Drone factory closes in Tatarstan", "The engineers went home to Isfahan.")
    first.unlink()
    third = sync.update(corpus, root, paths=[str(corpus / "new.txt"), str(first)])
    assert (third.updated, third.removed, third.unchanged) == (["new.txt"], [first.name], 4)

    service = SearchService(root)
    assert service.search(SearchRequest(query="isfahan")).total == 1
    assert service.search(SearchRequest(query="tatarstan")).total == 1
    assert service.search(SearchRequest()).total == 5
    assert nothing_left_for_a_full_update(corpus, root)


def test_a_sidecar_named_by_watch_re_reads_its_article(corpus, root):
    article = sorted(corpus.glob("*.txt"))[0]
    article.with_suffix(".json").write_text(json.dumps({"outlet": "The Sidecar Gazette"}))
    report = sync.update(corpus, root, paths=[article.with_suffix(".json")])
    assert report.updated == [article.name]
    assert SearchService(root).search(SearchRequest(outlets=("The Sidecar Gazette",))).total == 1
    assert nothing_left_for_a_full_update(corpus, root)


def test_when_watch_names_a_deleted_original_its_copy_under_another_name_keeps_the_article(corpus, root):
    original = sorted(corpus.glob("*.txt"))[0]
    shutil.copy(original, corpus / "zz-copy.txt")
    assert sync.update(corpus, root, paths=[corpus / "zz-copy.txt"]).duplicates == [("zz-copy.txt", original.name)]
    original.unlink()
    report = sync.update(corpus, root, paths=[original])
    assert report.removed == [original.name]  # the file, not its article: the copy stands for it now
    assert SearchService(root).search(SearchRequest()).total == 5
    assert nothing_left_for_a_full_update(corpus, root)


def test_named_paths_outside_the_corpus_or_hidden_are_left_alone(corpus, root, tmp_path):
    write_article(tmp_path / "outside.txt", "Outside", "Not in the corpus.")
    write_article(corpus / ".hidden.txt", "Hidden", "A hidden file.")
    report = sync.update(corpus, root, paths=[tmp_path / "outside.txt", corpus / ".hidden.txt", corpus / "gone.txt"])
    assert (report.added, report.removed, report.unchanged) == ([], [], 5)


# -- watch ----------------------------------------------------------------------------

def test_watch_indexes_files_as_they_arrive_and_disappear_but_not_half_written(corpus, root):
    stop = threading.Event()
    reports: list[sync.SyncReport] = []
    thread = threading.Thread(target=lambda: __import__("indexer.watch", fromlist=["watch"]).watch(
        corpus, root, reports.append, debounce=0.5, stop=stop), daemon=True)
    thread.start()
    try:
        service = SearchService(root)
        write_article(corpus / "arrived.txt", "Drone factory opens in Tatarstan", "Iranian engineers helped build it.")
        assert wait_for(lambda: service.search(SearchRequest(query="tatarstan")).total == 1)

        # A file written slowly, a line at a time, is not indexed until it stops changing.
        with open(corpus / "slow.txt", "w", encoding="utf-8") as handle:
            handle.write("Zeppelin fleet returns to the skies over Friedrichshafen\n\n")
            for i in range(12):
                handle.write(f"Paragraph {i}: the airship company said the zeppelin flights would resume in spring, "
                             f"with tours sold out for months ahead.\n\n")
                handle.flush()
                time.sleep(0.15)
                assert service.search(SearchRequest(query="friedrichshafen")).total == 0
            handle.write("The last paragraph mentions quokkas, only at the end.\n")
        assert wait_for(lambda: service.search(SearchRequest(query="quokkas")).total == 1)

        (corpus / "arrived.txt").unlink()
        assert wait_for(lambda: service.search(SearchRequest(query="tatarstan")).total == 0)

        # A folder moved in names none of its files: the next update looks at the whole corpus.
        (corpus.parent / "batch").mkdir()
        write_article(corpus.parent / "batch" / "one.txt", "Walrus census", "The walrus count rose in Svalbard.")
        (corpus.parent / "batch").rename(corpus / "batch")
        assert wait_for(lambda: service.search(SearchRequest(query="svalbard")).total == 1)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert any(r.waiting for r in reports), "the slow file should have been seen while still being written"



def test_settle_time_holds_back_new_and_changed_files_not_ones_already_indexed(corpus, root):
    # Files written just now and indexed as they are stay indexed and count as unchanged, even with an hour
    # to settle (nothing to wait for); only new or changed ones wait.
    for path in corpus.iterdir():
        os.utime(path)
    sync.rebuild(corpus, root)
    write_article(corpus / "new.txt", "Drone factory opens in Tatarstan", "Iranian engineers helped build the drone plant.")
    seed = next(corpus.glob("001_*.txt"))
    seed.write_text(seed.read_text(encoding="utf-8") + "\nA line added just now.\n", encoding="utf-8")

    report = sync.update(corpus, root, settle_seconds=3600)

    assert sorted(report.waiting) == sorted(["new.txt", seed.name])
    assert report.unchanged == 4 and not report.added and not report.updated
    assert "Drone factory opens in Tatarstan" not in titles(root)
    assert sync.update(corpus, root).added == ["new.txt"]

# -- one writer at a time -------------------------------------------------------------

HOLD_LOCK = """
import sys, time
from pathlib import Path
from indexer import store
with store.write_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(60)
"""


def hold_lock(root: Path) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(root)], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_a_second_writer_waits_then_fails_naming_the_holder(corpus, root):
    holder = hold_lock(root)
    try:
        started = time.monotonic()
        with pytest.raises(IndexLockedError, match=rf"pid {holder.pid}\b"):
            sync.update(corpus, root, lock_wait=0.5)
        assert 0.4 < time.monotonic() - started < 5
    finally:
        holder.kill()
        holder.wait()


def test_a_lock_left_by_a_killed_writer_is_cleared(corpus, root):
    holder = hold_lock(root)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    report = sync.update(corpus, root, lock_wait=0.5)
    assert report.stale_lock is not None and f"pid {holder.pid}" in report.stale_lock
    assert (root / store.LOCK).read_text() == ""


# -- crashes --------------------------------------------------------------------------





def kill_when(process: subprocess.Popen, ready, seconds: float = 30.0) -> set[int]:
    """SIGKILL PROCESS once READY; returns the processes it had started (its pool workers)."""
    assert wait_for(lambda: ready() or process.poll() is not None, seconds)
    time.sleep(0.3)
    started = children_of(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the process finished before it could be killed"
    return started


def test_killing_a_build_leaves_the_previous_index_and_update_recovers(tmp_path, corpus, root):
    make_corpus(corpus, 400, seed=1)
    before = store.current_generation(root)
    build = subprocess.Popen([str(BIN / "search-index"), "build", "--corpus", str(corpus), "--index", str(root)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers = kill_when(build, lambda: len(list(root.glob("gen-*"))) > 1)

    assert workers, "a 400-file build runs worker processes"
    assert wait_for(lambda: not any(alive(pid) for pid in workers), 10), "workers outlived their killed parent"
    assert store.current_generation(root) == before
    assert titles(root, '"K9 howitzers"') == ["Seoul raises stakes in confrontation with Moscow"]
    done = search_index("update", "--corpus", str(corpus), "--index", str(root))
    assert done.returncode == 0, done.stderr
    assert SearchService(root).search(SearchRequest()).total == 405
    assert search_index("update", "--corpus", str(corpus), "--index", str(root)).stdout.startswith("Nothing to do")


def test_killing_an_update_leaves_a_working_index_and_the_next_update_recovers(tmp_path, corpus, root):
    make_corpus(corpus, 400, seed=2)
    update = subprocess.Popen([str(BIN / "search-index"), "update", "--corpus", str(corpus), "--index", str(root)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kill_when(update, lambda: "pid" in (root / store.LOCK).read_text())

    assert SearchService(root).search(SearchRequest(query='"K9 howitzers"')).total == 1
    done = search_index("update", "--corpus", str(corpus), "--index", str(root))
    assert done.returncode == 0, done.stderr
    assert "cleared the lock" in done.stderr
    service = SearchService(root)
    assert service.search(SearchRequest()).total == 405
    assert service.search(SearchRequest(query="serial 2x399")).total == 1
    assert search_index("update", "--corpus", str(corpus), "--index", str(root)).stdout.startswith("Nothing to do")


def test_building_an_empty_corpus_is_refused_and_keeps_the_index(tmp_path, root):
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="no .txt"):
        sync.rebuild(tmp_path / "empty", root)
    assert SearchService(root).search(SearchRequest()).total == 5


def test_worker_processes_give_the_same_index_as_one_process(tmp_path, corpus):
    (corpus / "empty.txt").write_bytes(b"")
    reports = [sync.rebuild(corpus, tmp_path / f"ix-{workers}", workers=workers) for workers in (0, 1)]
    assert reports[0].added == reports[1].added and len(reports[0].added) == 5
    assert reports[0].skipped == reports[1].skipped == [("empty.txt", "file is empty")]
    results = [SearchService(tmp_path / f"ix-{w}").search(SearchRequest(per_page=10)).to_dict() for w in (0, 1)]
    assert results[0] == results[1]


def test_manifest_rows_saved_as_differences_load_back_as_the_whole(root):
    generation = store.current_generation(root)
    entry = store.FileEntry
    first = {"a.txt": entry((1, 2, 0, 0), "id-a", "indexed"), "b.txt": entry((3, 4, 0, 0), None, "skipped", "file is empty"),
             "c.txt": entry((5, 6, 7, 8), "id-a", "duplicate")}
    store.save_manifest(generation, first)
    second = {"a.txt": entry((1, 9, 0, 0), "id-a2", "indexed"), "c.txt": first["c.txt"], "d.txt": entry((1, 1, 0, 0), "id-d", "indexed")}
    store.save_manifest(generation, second, previous=first)
    assert store.load_manifest(root) == second


def test_an_index_with_the_json_manifest_of_older_versions_updates_without_reindexing(corpus, root):
    generation = store.current_generation(root)
    files = store.load_manifest(root)
    (generation / store.OLD_MANIFEST).write_text(json.dumps({"version": 1, "files": {
        path: {"fp": list(e.fp), "id": e.id, "status": e.status} for path, e in files.items()}}))
    (generation / store.MANIFEST).unlink()
    assert store.load_manifest(root) == files

    report = sync.update(corpus, root)

    assert (report.unchanged, report.added, report.updated) == (5, [], [])
    assert (generation / store.MANIFEST).exists() and not (generation / store.OLD_MANIFEST).exists()
    assert store.load_manifest(root) == files
    shutil.copy(corpus / sorted(p.name for p in corpus.iterdir())[0], corpus / "copy.txt")
    assert sync.update(corpus, root).duplicates == [("copy.txt", sorted(files)[0])]


def test_pipeline_workers_run_one_blas_thread():
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from threadpoolctl import threadpool_info

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                             initializer=sync._worker_started, initargs=(os.getpid(),)) as pool:
        pools = pool.submit(threadpool_info).result()
    blas = [p for p in pools if p["user_api"] == "blas"]
    assert blas and all(p["num_threads"] == 1 for p in blas)


def test_update_of_named_paths_under_a_corpus_given_as_a_relative_path(corpus, root, monkeypatch):
    """Found in review: named paths were keyed absolute while the manifest keys them under the corpus as given."""
    monkeypatch.chdir(corpus.parent)
    relative = Path(corpus.name)
    article = sorted(relative.glob("*.txt"))[0]
    os.utime(article, (time.time() - 100, time.time() - 100))  # touched, same content
    write_article(relative / "new.txt", "Drone factory opens in Tatarstan", "Iranian engineers helped build it.")
    report = sync.update(relative, root, paths=[article, (relative / "new.txt").resolve()])
    assert (report.added, report.updated, report.duplicates, report.unchanged) == (["new.txt"], [], [], 5)
    assert set(store.load_manifest(root)) == {p.name for p in relative.glob("*.txt")}
    assert nothing_left_for_a_full_update(relative, root)


def test_a_damaged_manifest_is_written_anew_by_the_next_update(corpus, root):
    (store.current_generation(root) / store.MANIFEST).write_bytes(b"this is not a database" * 100)
    report = sync.update(corpus, root)  # reads every file again: nothing says which are indexed
    assert report.removed == [] and SearchService(root).search(SearchRequest()).total == 5
    assert len(store.load_manifest(root)) == 5
    again = sync.update(corpus, root)
    assert (again.added, again.updated, again.unchanged) == ([], [], 5)
