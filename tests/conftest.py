"""Shared fixtures: the seed corpus, one index built from it, the faces over that index.

Everything is real: a Whoosh index in a temporary folder, the console scripts run
as subprocesses, the Flask app through its test client. Fixtures that build an
index are session-scoped so the suite builds the seed index once.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.article import Article
from indexer.pipeline import PipelineOptions, process_file
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
