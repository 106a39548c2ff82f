"""Faults: searching while the index changes, a full disk, a damaged index."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from indexer import store, sync
from indexer.search import SearchRequest, SearchService

from .helpers import make_corpus

BIN = Path(sys.executable).parent


def test_searching_goes_on_correctly_while_an_update_runs(corpus, root):
    make_corpus(corpus / "new", 300, seed=3)
    service = SearchService(root)
    errors: list[BaseException] = []
    totals: list[int] = []
    done = threading.Event()

    def search_in_a_loop():
        while not done.is_set():
            try:
                result = service.search(SearchRequest(query="report OR korea", per_page=20))
                totals.append(result.total)
                assert len(result.hits) == min(20, result.total)
            except BaseException as exc:  # noqa: BLE001 - any error at all fails the test
                errors.append(exc)
                return

    searchers = [threading.Thread(target=search_in_a_loop) for _ in range(3)]
    for thread in searchers:
        thread.start()
    try:
        sync.update(corpus, root)
    finally:
        done.set()
        for thread in searchers:
            thread.join()
    assert not errors
    assert len(totals) > 10
    assert set(totals) <= {5, 305}, "a reader saw a half-written index"
    assert service.search(SearchRequest(query="report OR korea")).total == 305


def _small_disk():
    """In the child: files may grow to 256 kB only, as on a nearly full disk (EFBIG instead of a signal)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))


@pytest.mark.parametrize("command", ["update", "build"])
def test_a_full_disk_gives_a_clear_error_and_keeps_the_last_good_index(corpus, root, command):
    make_corpus(corpus / "new", 120, seed=4)
    before = store.current_generation(root)
    run = subprocess.run([str(BIN / "search-index"), command, "--corpus", str(corpus), "--index", str(root)],
                         capture_output=True, text=True, timeout=300, preexec_fn=_small_disk)
    assert run.returncode == 2, run.stderr
    assert "cannot write the index" in run.stderr and "last good index is unchanged" in run.stderr
    assert "Traceback" not in run.stderr
    assert store.current_generation(root) == before
    service = SearchService(root)
    assert service.search(SearchRequest()).total == 5
    assert service.search(SearchRequest(query='"K9 howitzers"')).total == 1

    recovered = subprocess.run([str(BIN / "search-index"), "update", "--corpus", str(corpus), "--index", str(root)],
                               capture_output=True, text=True, timeout=300)
    assert recovered.returncode == 0, recovered.stderr
    assert SearchService(root).search(SearchRequest()).total == 125


def test_a_damaged_index_says_how_to_rebuild(root):
    for toc in store.current_generation(root).glob("_MAIN_*.toc"):
        toc.write_bytes(b"\x00garbage")
    run = subprocess.run([str(BIN / "search-cli"), "korea", "--index", str(root)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert "search-index build" in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_a_missing_index_says_how_to_build_one(tmp_path):
    run = subprocess.run([str(BIN / "search-cli"), "korea", "--index", str(tmp_path / "nothing")],
                         capture_output=True, text=True, timeout=60, env={**os.environ})
    assert run.returncode == 2
    assert run.stderr.strip() == f"search-cli: error: no index at {tmp_path / 'nothing'}; build it with: search-index build --index {tmp_path / 'nothing'}"
