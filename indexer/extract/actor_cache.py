"""An on-disk cache of extracted actors, so re-indexing unchanged text costs nothing.

Keyed by a digest of the texts, the excluded names and the extractor's settings
(code version, knowledge-base and rules digests, model version, mode): a change
to any of them misses the cache instead of returning stale actors. SQLite, one
connection per process, so build workers can share the file.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path
from typing import Sequence

from ..article import Actor

TIMEOUT_SECONDS = 30.0


class ActorCache:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._connection: sqlite3.Connection | None = None
        self._pid: int | None = None

    def _db(self) -> sqlite3.Connection:
        # A connection must not cross a fork: reopen in a new process.
        if self._connection is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._connection = sqlite3.connect(self.path, timeout=TIMEOUT_SECONDS, isolation_level=None)
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute("CREATE TABLE IF NOT EXISTS actors (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            self._pid = os.getpid()
        return self._connection

    # The cache only saves time: a full disk, a read-only folder or a damaged file
    # makes it miss, never fails the article.
    def get(self, key: str) -> tuple[Actor, ...] | None:
        try:
            row = self._db().execute("SELECT value FROM actors WHERE key = ?", (key,)).fetchone()
        except (sqlite3.Error, OSError):
            return None
        if row is None:
            return None
        return tuple(Actor(name, actor_type) for name, actor_type in json.loads(row[0]))

    def put(self, key: str, actors: Sequence[Actor]) -> None:
        value = json.dumps([[a.name, a.type] for a in actors], ensure_ascii=False)
        try:
            self._db().execute("INSERT OR REPLACE INTO actors (key, value) VALUES (?, ?)", (key, value))
        except (sqlite3.Error, OSError):
            pass

    def __len__(self) -> int:
        return self._db().execute("SELECT COUNT(*) FROM actors").fetchone()[0]


def cache_key(settings: str, headlines: Sequence[str], texts: Sequence[str], exclude: Sequence[str]) -> str:
    """Digest of everything extraction reads: same key, same actors."""
    payload = json.dumps([settings, list(headlines), list(texts), sorted(exclude)], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
