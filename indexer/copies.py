"""Syndicated copies: which articles are the same story reprinted with small edits.

A wire story reaches the archive many times: another headline, a paragraph cut,
a byline or a promo line added. Each article's cleaned body becomes a set of
word shingles (runs of `shingle_words` words); a MinHash signature (datasketch)
estimates the Jaccard similarity of two such sets from `num_perm` numbers, and
locality-sensitive hashing (the signature cut into bands, datasketch's choice
of bands for the threshold) finds the candidates without comparing every pair.
A candidate is confirmed when the estimated Jaccard is at least `threshold`;
a copy group is a connected component of confirmed pairs.

Group ids are article ids: an article starts in a group of its own, named by
its id, and a copy joins the group it matches, so adding a copy rewrites no
other document. When a new article links two groups, the larger one's id is
kept; when a removal splits a group, its largest part keeps the id.

Signatures and band keys persist in a SQLite file beside the index
(`copies-cache.sqlite`), keyed by article id, which is the content's hash: an
entry is never stale, so a build reuses it and an update computes signatures
only for the new articles. It is a cache: a missing or damaged file is rebuilt
from the bodies stored in the index.
"""

from __future__ import annotations

import functools
import hashlib
import re
import sqlite3
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

import numpy as np

from .article import Article
from .errors import IndexWriteError, UserError

# Measured on bench/dups.py (see bench/README.md): recall 1.0 down to ~0.4, no false pairs above ~0.2.
DEFAULT_THRESHOLD = 0.5
DEFAULT_NUM_PERM = 128
DEFAULT_SHINGLE_WORDS = 5
SEED = 1  # MinHash permutations; fixed, so signatures are comparable across runs
CACHE_FILE = "copies-cache.sqlite"
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class CopySettings:
    threshold: float = DEFAULT_THRESHOLD
    num_perm: int = DEFAULT_NUM_PERM
    shingle_words: int = DEFAULT_SHINGLE_WORDS

    def check(self) -> "CopySettings":
        if not 0.0 < self.threshold <= 1.0:
            raise UserError(f"copy threshold must be above 0 and at most 1, got {self.threshold}")
        if not 16 <= self.num_perm <= 1024:
            raise UserError(f"copy num_perm must be between 16 and 1024, got {self.num_perm}")
        if not 1 <= self.shingle_words <= 20:
            raise UserError(f"copy shingle_words must be between 1 and 20, got {self.shingle_words}")
        return self

    @property
    def signature_kind(self) -> str:
        """What a cached signature depends on; the threshold is not part of it."""
        return f"minhash-sha1-seed{SEED}-perm{self.num_perm}-shingle{self.shingle_words}"


# -- signatures ----------------------------------------------------------------------------
def shingles(text: str, size: int = DEFAULT_SHINGLE_WORDS) -> set[bytes]:
    """Runs of `size` words, case-folded; a text shorter than that is one shingle; no words, none."""
    words = _WORD.findall(text.casefold())
    if len(words) <= size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i:i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def signature(text: str, settings: CopySettings = CopySettings()) -> np.ndarray | None:
    """The MinHash signature of a body (uint32, num_perm long), or None for a body without words."""
    from datasketch import MinHash

    grams = shingles(text, settings.shingle_words)
    if not grams:
        return None
    minhash = MinHash(num_perm=settings.num_perm, seed=SEED)
    minhash.update_batch(sorted(grams))
    return minhash.hashvalues.astype(np.uint32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the shingle sets two signatures stand for."""
    return float(np.count_nonzero(a == b)) / len(a)


@functools.lru_cache(maxsize=16)
def bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band): datasketch's choice, balancing missed pairs and false candidates."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


def band_keys(sig: np.ndarray, settings: CopySettings) -> list[int]:
    """One key per band: two signatures that agree on a whole band share its key (a candidate pair)."""
    b, r = bands(settings.threshold, settings.num_perm)
    keys = []
    for i in range(b):
        digest = hashlib.blake2b(sig[i * r:(i + 1) * r].tobytes(), digest_size=8, person=b"band%04d" % i).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


# -- the cache beside the index --------------------------------------------------------------
class SignatureStore:
    """Signatures and LSH band keys by article id, in SQLite. For the one writer (under the write lock)."""

    def __init__(self, path: Path, settings: CopySettings):
        self.path = Path(path)
        self.settings = settings
        self.kind = f"v2-{settings.signature_kind}-bands{bands(settings.threshold, settings.num_perm)}"
        with self._write_errors():
            try:
                self.db = self._open()
            except sqlite3.OperationalError:
                raise
            except sqlite3.DatabaseError:  # a damaged file: it is only a cache
                with_suffixes = [self.path, *(self.path.with_name(self.path.name + s) for s in ("-wal", "-shm"))]
                for p in with_suffixes:
                    p.unlink(missing_ok=True)
                self.db = self._open()

    @contextmanager
    def _write_errors(self) -> Iterator[None]:
        """A full disk or a read-only folder: one clear line, and the index is left as it was."""
        try:
            yield
        except (sqlite3.OperationalError, OSError) as exc:
            raise IndexWriteError(f"cannot write the index at {self.path.parent}: {exc} (in {self.path.name});"
                                  " the last good index is unchanged") from exc

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30.0)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        row = db.execute("SELECT value FROM meta WHERE key = 'kind'").fetchone()
        if row is None or row[0] != self.kind:  # other settings: other signatures and bands
            db.execute("DROP TABLE IF EXISTS signatures")
            db.execute("DROP TABLE IF EXISTS bands")
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('kind', ?)", (self.kind,))
        # Band rows name an article by its signature's row number, not its id: half the size.
        db.execute("CREATE TABLE IF NOT EXISTS signatures (n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, sig BLOB)")
        db.execute("CREATE TABLE IF NOT EXISTS bands (key INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (key, n)) WITHOUT ROWID")
        db.commit()
        return db

    def get(self, article_id: str) -> np.ndarray | None | bool:
        """The signature; None when the article has no words; False when not cached."""
        row = self.db.execute("SELECT sig FROM signatures WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            return False
        return None if row[0] is None else np.frombuffer(row[0], dtype=np.uint32)

    def put(self, article_id: str, sig: np.ndarray | None) -> None:
        with self._write_errors():
            cursor = self.db.execute("INSERT OR IGNORE INTO signatures (id, sig) VALUES (?, ?)",
                                     (article_id, None if sig is None else sig.astype(np.uint32).tobytes()))
            if sig is not None and cursor.rowcount:  # an id's signature never changes: its bands are there
                n = cursor.lastrowid
                self.db.executemany("INSERT OR IGNORE INTO bands (key, n) VALUES (?, ?)",
                                    [(key, n) for key in band_keys(sig, self.settings)])

    def ids(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT id FROM signatures")}

    def candidates(self, sig: np.ndarray) -> set[str]:
        """Ids sharing at least one band with the signature (stale ids included: callers filter)."""
        found: set[str] = set()
        for key in band_keys(sig, self.settings):
            found.update(row[0] for row in self.db.execute(
                "SELECT s.id FROM bands AS b JOIN signatures AS s ON s.n = b.n WHERE b.key = ?", (key,)))
        return found

    def forget(self, keep: set[str]) -> None:
        """Drop entries of articles no longer indexed (after a build: the cache does not grow forever).

        Best effort: the build it follows is complete, and a cache that keeps a few
        more entries is still right.
        """
        gone = self.ids() - keep
        if not gone:
            return
        with suppress(sqlite3.Error, OSError):
            self.db.execute("CREATE TEMP TABLE IF NOT EXISTS gone (n INTEGER PRIMARY KEY)")
            self.db.executemany("INSERT OR IGNORE INTO gone (n) SELECT n FROM signatures WHERE id = ?", [(i,) for i in gone])
            self.db.execute("DELETE FROM bands WHERE n IN (SELECT n FROM gone)")
            self.db.execute("DELETE FROM signatures WHERE n IN (SELECT n FROM gone)")
            self.db.execute("DROP TABLE gone")

    def commit(self) -> None:
        with self._write_errors():
            self.db.commit()

    def close(self) -> None:
        try:
            self.commit()
        finally:
            self.db.close()


# -- grouping ------------------------------------------------------------------------------------
Bodies = Callable[[list[str]], Mapping[str, str]]  # ids -> their bodies, for signatures missing from the cache


class CopyGrouper:
    """Assigns a copy group to each article as it is indexed, and follows removals.

    `existing` is what the index holds (id -> group as written); `place` and
    `remove` change the grouping; `moved` lists the written documents whose
    group changed (a merge or a split), which the store rewrites.
    """

    def __init__(self, store: SignatureStore, existing: Mapping[str, str] | None = None, bodies: Bodies | None = None):
        self.store = store
        self.settings = store.settings
        self.group_of: dict[str, str] = dict(existing or {})
        self.written: dict[str, str] = dict(existing or {})
        self.members: dict[str, set[str]] = {}
        for article_id, group in self.group_of.items():
            self.members.setdefault(group, set()).add(article_id)
        self._sigs: dict[str, np.ndarray | None] = {}
        if self.group_of:
            self._cache_missing(bodies)

    def _cache_missing(self, bodies: Bodies | None) -> None:
        """Indexed articles the cache does not know (an index older than it, a lost cache): sign them now."""
        missing = sorted(set(self.group_of) - self.store.ids())
        if missing and bodies is not None:
            for article_id, body in bodies(missing).items():
                self.store.put(article_id, signature(body, self.settings))
            self.store.commit()

    def signature_of(self, article_id: str) -> np.ndarray | None:
        if article_id not in self._sigs:
            cached = self.store.get(article_id)
            self._sigs[article_id] = None if cached is False else cached
        return self._sigs[article_id]

    def place(self, article: Article) -> str:
        """The group of a newly indexed article, merging the groups it links."""
        if article.id in self.group_of:  # the same content again: nothing changes
            return self.group_of[article.id]
        cached = self.store.get(article.id)
        sig = signature(article.body, self.settings) if cached is False else cached
        if cached is False:
            self.store.put(article.id, sig)
        self._sigs[article.id] = sig
        matched: set[str] = set()
        if sig is not None:
            for other in self.store.candidates(sig):
                group = self.group_of.get(other)
                if group is None or group in matched or other == article.id:
                    continue
                other_sig = self.signature_of(other)
                if other_sig is not None and similarity(sig, other_sig) >= self.settings.threshold:
                    matched.add(group)
        if not matched:
            group = self._free_label(article.id)
        else:
            group = min(matched, key=lambda g: (-len(self.members[g]), g))
            for other in matched - {group}:
                self._relabel(other, group)
        self.group_of[article.id] = group
        self.members.setdefault(group, set()).add(article.id)
        return group

    def mark_written(self, article_id: str, group: str) -> None:
        """The store wrote this article's document with this group."""
        self.written[article_id] = group

    def remove(self, ids: Iterable[str]) -> None:
        """Articles leave the index; a group they held together splits into its parts."""
        touched: set[str] = set()
        for article_id in ids:
            group = self.group_of.pop(article_id, None)
            self.written.pop(article_id, None)
            if group is None:
                continue
            self.members[group].discard(article_id)
            if self.members[group]:
                touched.add(group)
            else:
                del self.members[group]
        for group in sorted(touched & self.members.keys()):  # a group all of whose members left is gone
            self._split(group)

    def moved(self) -> dict[str, str]:
        """Written documents whose group changed: id -> the group to write."""
        return {i: self.group_of[i] for i, g in self.written.items() if self.group_of.get(i, g) != g}

    def groups(self) -> dict[str, set[str]]:
        return {g: set(m) for g, m in self.members.items() if len(m) > 1}

    # -- internals -------------------------------------------------------------------------
    def _free_label(self, article_id: str) -> str:
        label, n = article_id, 1
        while label in self.members:  # a group named after an article that left
            n += 1
            label = f"{article_id}-{n}"
        return label

    def _relabel(self, source: str, target: str) -> None:
        for article_id in self.members.pop(source):
            self.group_of[article_id] = target
            self.members[target].add(article_id)

    def _split(self, group: str) -> None:
        ids = sorted(self.members[group])
        if len(ids) < 2:
            return
        parts = _components(ids, [self.signature_of(i) for i in ids], self.settings.threshold)
        if len(parts) == 1:
            return
        parts.sort(key=lambda part: (-len(part), min(part)))
        for part in parts[1:]:
            label = self._free_label(min(part))
            self.members[group] -= part
            self.members[label] = set(part)
            for article_id in part:
                self.group_of[article_id] = label


def _components(ids: list[str], sigs: list[np.ndarray | None], threshold: float) -> list[set[str]]:
    """Connected components of the pairs at or above the threshold (a small group: every pair)."""
    parent = list(range(len(ids)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, a in enumerate(sigs):
        for j in range(i + 1, len(sigs)):
            b = sigs[j]
            if a is not None and b is not None and similarity(a, b) >= threshold:
                parent[root(j)] = root(i)
    parts: dict[int, set[str]] = {}
    for i, article_id in enumerate(ids):
        parts.setdefault(root(i), set()).add(article_id)
    return list(parts.values())


def open_store(root: Path, settings: CopySettings) -> SignatureStore:
    return SignatureStore(Path(root) / CACHE_FILE, settings.check())
