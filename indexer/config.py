"""Where things live: defaults, then environment, then explicit options.

Every face resolves its folders through :func:`index_dir` and :func:`corpus_dir`
so the CLI, the web app and the tests agree on one order of precedence.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

INDEX_ENV = "SEARCH_INDEX_DIR"
COPY_THRESHOLD_ENV = "SEARCH_COPY_THRESHOLD"
CORPUS_ENV = "SEARCH_CORPUS_DIR"
DEFAULT_INDEX_DIR = "index"
DEFAULT_CORPUS_DIR = "seeds"


def index_dir(option: str | os.PathLike | None = None, environ: Mapping[str, str] = os.environ) -> Path:
    """The index folder: the option if given, else $SEARCH_INDEX_DIR, else ./index."""
    return Path(option or environ.get(INDEX_ENV) or DEFAULT_INDEX_DIR)


def corpus_dir(option: str | os.PathLike | None = None, environ: Mapping[str, str] = os.environ) -> Path:
    """The corpus folder: the option if given, else $SEARCH_CORPUS_DIR, else ./seeds."""
    return Path(option or environ.get(CORPUS_ENV) or DEFAULT_CORPUS_DIR)


def copy_threshold(option: float | None = None, environ: Mapping[str, str] = os.environ) -> float:
    """The similarity at which two articles are copies: the option, else $SEARCH_COPY_THRESHOLD, else the default."""
    from .copies import DEFAULT_THRESHOLD
    from .errors import UserError

    if option is not None:
        value = option
    else:
        text = (environ.get(COPY_THRESHOLD_ENV) or "").strip()
        try:
            value = float(text) if text else DEFAULT_THRESHOLD
        except ValueError:
            raise UserError(f"{COPY_THRESHOLD_ENV} must be a number between 0 and 1, got {text!r}") from None
    if not 0.0 < value <= 1.0:
        raise UserError(f"the copy threshold must be above 0 and at most 1, got {value:g}")
    return value
