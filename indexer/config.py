"""Where things live: defaults, then environment, then explicit options.

Every face resolves its folders through :func:`index_dir` and :func:`corpus_dir`
so the CLI, the web app and the tests agree on one order of precedence.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

INDEX_ENV = "SEARCH_INDEX_DIR"
CORPUS_ENV = "SEARCH_CORPUS_DIR"
DEFAULT_INDEX_DIR = "index"
DEFAULT_CORPUS_DIR = "seeds"


def index_dir(option: str | os.PathLike | None = None, environ: Mapping[str, str] = os.environ) -> Path:
    """The index folder: the option if given, else $SEARCH_INDEX_DIR, else ./index."""
    return Path(option or environ.get(INDEX_ENV) or DEFAULT_INDEX_DIR)


def corpus_dir(option: str | os.PathLike | None = None, environ: Mapping[str, str] = os.environ) -> Path:
    """The corpus folder: the option if given, else $SEARCH_CORPUS_DIR, else ./seeds."""
    return Path(option or environ.get(CORPUS_ENV) or DEFAULT_CORPUS_DIR)
