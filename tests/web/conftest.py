"""Fixtures for the web UI tests (tests/test_web_*.py import them from here).

Everything is real: indexes are built with the pipeline and the store in
temporary folders, the app is created with create_app over them.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from indexer import store
from indexer.article import Article
from indexer.pipeline import PipelineOptions, process_files
from indexer.sources import discover
from webui import create_app

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"

# An article whose title, body and outlet (through its sidecar) carry markup that must never run.
EVIL_TEXT = f"""{SCRIPT} Seoul warns {IMG} over Moscow ties

By Jane Doe

Seoul, June 3, 2024

South Korea said on Monday that {SCRIPT} was found in a report about Russia and North Korea. Officials in Seoul said the report, which carried {IMG} in its text, would be reviewed by the foreign ministry.

The ministry said talks with Moscow would go on, and that Seoul and Washington would keep working together on the matter in the coming weeks.
"""
EVIL_SIDECAR = {"outlet": f"{IMG} Gazette"}

# An article whose title a spreadsheet would run as a formula.
FORMULA_TEXT = """=HYPERLINK("http://evil.example","click") Seoul budget talks

Seoul, June 5, 2024

Lawmakers in Seoul debated the defence budget on Wednesday, with South Korea weighing more support for Ukraine against relations with Russia.

The debate is set to continue next week as the ministry prepares its final proposal for parliament.
"""


def build(root: Path, corpus: Path) -> store.BuildResult:
    """An index at ROOT from every file in CORPUS, source paths relative to it."""
    items = process_files(discover(corpus), PipelineOptions(relative_to=corpus))
    return store.build(root, [item for item in items if isinstance(item, Article)])


def make_app(index: Path, corpus: Path, **config):
    return create_app({"INDEX_DIR": str(index), "CORPUS_DIR": str(corpus), "TESTING": True, **config})


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory) -> Path:
    """An index of the repository's five seeds, built once for the web tests."""
    root = tmp_path_factory.mktemp("web-seeds") / "index"
    assert build(root, SEEDS).added == 5
    return root


@pytest.fixture(scope="session")
def web_app(seed_index):
    return make_app(seed_index, SEEDS)


@pytest.fixture
def web(web_app):
    return web_app.test_client()


@pytest.fixture(scope="session")
def hostile_corpus(tmp_path_factory) -> Path:
    """A corpus of two articles: markup in title, body and outlet; a formula as title."""
    corpus = tmp_path_factory.mktemp("hostile") / "corpus"
    corpus.mkdir()
    (corpus / "evil.txt").write_text(EVIL_TEXT, encoding="utf-8")
    (corpus / "evil.json").write_text(json.dumps(EVIL_SIDECAR), encoding="utf-8")
    (corpus / "formula.txt").write_text(FORMULA_TEXT, encoding="utf-8")
    return corpus


@pytest.fixture(scope="session")
def hostile_index(hostile_corpus, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile-index") / "index"
    assert build(root, hostile_corpus).added == 2
    return root


@pytest.fixture(scope="session")
def hostile_app(hostile_index, hostile_corpus):
    return make_app(hostile_index, hostile_corpus)


@pytest.fixture
def hostile(hostile_app):
    return hostile_app.test_client()


class LiveServer:
    """The app served over real HTTP by werkzeug in a thread, on 127.0.0.1 and a free port."""

    def __init__(self, app):
        from werkzeug.serving import make_server

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="web-test-server", daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """A real server over an index built in a temporary folder from the repository's seeds."""
    root = tmp_path_factory.mktemp("live") / "index"
    assert build(root, SEEDS).added == 5
    with LiveServer(make_app(root, SEEDS)) as server:
        yield server
