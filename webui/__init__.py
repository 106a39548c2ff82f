"""The Flask web UI: an app factory over the same search service the CLI uses."""

from __future__ import annotations

import os
from typing import Mapping

from flask import Flask

from indexer import config as indexer_config
from indexer.search import SearchService


def create_app(config: Mapping | None = None) -> Flask:
    """Defaults, then the environment ($SEARCH_INDEX_DIR), then `config` (tests' overrides)."""
    app = Flask(__name__)
    app.json.sort_keys = False  # the API document keeps the order search-cli --json prints
    app.config.from_mapping(INDEX_DIR=str(indexer_config.index_dir(environ=os.environ)))
    if config:
        app.config.from_mapping(config)
    app.extensions["search"] = SearchService(app.config["INDEX_DIR"])

    from . import views

    app.register_blueprint(views.bp)
    return app
