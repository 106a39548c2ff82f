"""Shared fixtures: the seed corpus, one index built from it, the faces over that index.

Everything is real: a Whoosh index in a temporary folder, the console scripts run
as subprocesses, the Flask app through its test client. Fixtures that build an
index are session-scoped so the suite builds the seed index once.
"""

from __future__ import annotations

import http.server
import shutil
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.article import Article
from indexer.pipeline import PipelineOptions, process_file
from indexer import sync
from indexer.search import SearchService

from .helpers import SEED_TITLES, SEEDS, build_index, seed_path


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    assert SEEDS.is_dir()
    return SEEDS


@pytest.fixture(scope="session")
def seed_articles(seed_dir) -> dict[str, Article]:
    """Every seed through the pipeline, once: {"000": Article, ...}."""
    return {number: process_file(seed_path(number), PipelineOptions(relative_to=seed_dir)) for number in SEED_TITLES}


@pytest.fixture(scope="session")
def built_index(tmp_path_factory, seed_dir) -> Path:
    """A Whoosh index of the five seeds. Shared: tests must not write to it."""
    root = tmp_path_factory.mktemp("seed-index") / "index"
    result = build_index(root, seed_dir)
    assert result.added == 5
    return root


@pytest.fixture(scope="session")
def service(built_index) -> SearchService:
    return SearchService(built_index)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def app(built_index):
    from webui import create_app

    app = create_app({"INDEX_DIR": str(built_index), "TESTING": True})
    return app


@pytest.fixture
def client(app):
    return app.test_client()


# -- a writable copy of the seeds, its index, and pages to fetch (update, faults, admin tests) --


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    return folder


@pytest.fixture
def root(tmp_path: Path, corpus: Path) -> Path:
    index = tmp_path / "index"
    sync.rebuild(corpus, index)
    return index


class _Pages(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path == "/slow":
            time.sleep(2)
            return
        if self.path == "/missing":
            self.send_error(404)
            return
        if self.path == "/image":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(b"\x89PNG....")
            return
        page = (b"<html><head><title>Drone factory opens</title></head><body><article><h1>Drone factory opens in Tatarstan</h1>"
                b"<p>Iranian engineers helped Russia build a drone factory in Tatarstan, officials said on Monday, in a deal "
                b"that has worried Western governments for months.</p><p>The plant can make thousands of drones a year, "
                b"according to documents seen by reporters, and has been expanded twice since it opened.</p></article></body></html>")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, *args):
        pass


@pytest.fixture
def web_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
