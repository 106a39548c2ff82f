"""The index on disk: generations, the CURRENT pointer, the writer lock.

Layout of an index folder:

    index/
      CURRENT            name of the generation readers open ("gen-20261123T210501-4242")
      gen-.../           a complete Whoosh index, with manifest.sqlite (what the corpus held)
      WRITE.lock         held (flock) by the one process writing; says who

A build writes a new generation beside the current one and only then points
CURRENT at it (an atomic rename), so a failed or interrupted build leaves the
previous index searchable. The previous generation is kept one build longer,
for readers that opened it just before the swap. An update changes the
current generation in place with one Whoosh commit (atomic: readers see the
old or the new state, never half), then changes the manifest in one transaction.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import gc
import json
import os
import sys
import shutil
import sqlite3
import time
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, NamedTuple

import numpy as np
from whoosh import columns as whoosh_columns
from whoosh import index as whoosh_index
from whoosh.filedb import compound as whoosh_compound
from whoosh.filedb.structfile import BufferFile

from .article import Article, PublishedDate
from .errors import IndexLockedError, IndexMissingError, IndexWriteError, UserError
from .schema import PRECISION_CODES, article_from_stored, article_to_document, build_schema
from .writer import BuildWriter, build_segment_sizes, open_writer

if TYPE_CHECKING:
    from .copies import CopyGrouper

POINTER = "CURRENT"
LOCK = "WRITE.lock"
MANIFEST = "manifest.sqlite"
OLD_MANIFEST = "manifest.json"  # before 2026-12-03
GENERATION_PREFIX = "gen-"


@dataclass
class BuildResult:
    generation: Path
    added: int = 0
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (path, path of the copy kept)


@dataclass(frozen=True)
class IndexStats:
    documents: int
    outlets: dict[str, int]
    earliest: str | None
    latest: str | None
    undated: int
    size_bytes: int
    generation: str


def rebuild_hint(root: Path) -> str:
    return f"build it with: search-index build --index {root}"


def current_generation(root: Path) -> Path | None:
    """The generation CURRENT points at, or None when there is no complete index."""
    try:
        name = (root / POINTER).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    generation = root / name
    return generation if name.startswith(GENERATION_PREFIX) and generation.is_dir() else None


class _FileRange:
    """Bytes [offset, offset + length) of an open segment file, read with `os.pread` when
    turned into bytes; slicing one gives a narrower range and reads nothing.

    Whoosh maps each segment file (mmap) and reads from the mapping. The pages a
    process reads then count in its resident size: with the 1.8 GB index of 100k
    articles, 270-390 MB of index pages on top of ~185 MB of its own per web server
    process. Read with `pread`, the pages stay in the kernel's page cache, shared by
    every process and reclaimable, and the process holds only what it copied.
    """

    __slots__ = ("_file", "_offset", "_length")

    def __init__(self, file, offset: int, length: int):
        self._file = file
        self._offset = offset
        self._length = length

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, key: slice) -> "_FileRange":
        start, stop, _ = key.indices(self._length)
        return _FileRange(self._file, self._offset + start, max(0, stop - start))

    def __bytes__(self) -> bytes:
        return os.pread(self._file.fileno(), self._length, self._offset)

    def tobytes(self) -> bytes:
        return bytes(self)


PEEK_BYTES = 4096  # read ahead for pickle.load: a posting block's header and most blocks' ids


class _RangeReader:
    """A read-only file over a range of a segment file (a `_FileRange`), without copying it.

    Whoosh's own BufferFile wraps the bytes in BytesIO, which copies them: every
    searcher on a 900 MB index then held the postings file (630 MB) as private memory.
    """

    def __init__(self, view: "_FileRange"):
        self._view = view
        self._pos = 0
        self._size = len(view)

    def read(self, size: int = -1) -> bytes:
        start = self._pos
        end = self._size if size is None or size < 0 else min(self._size, start + size)
        self._pos = max(start, end)
        return self._view[start:end].tobytes()

    def peek(self, size: int = 0) -> bytes:
        """Up to PEEK_BYTES from the position on, whatever `size` asks (as a buffered
        file's peek may), without moving it. `pickle.load` reads ahead
        with this; without it, it reads each opcode with its own `read`, i.e. its own
        `pread` (20 per posting block: most of the time to open an index's arrays)."""
        return self._view[self._pos:self._pos + PEEK_BYTES].tobytes()

    def readline(self, size: int = -1) -> bytes:
        start = self._pos
        end = self._size if size is None or size < 0 else min(self._size, start + size)
        chunk = self._view[start:end].tobytes()
        cut = chunk.find(b"\n")
        line = chunk if cut < 0 else chunk[:cut + 1]
        self._pos = start + len(line)
        return line

    def __iter__(self):
        while True:
            line = self.readline()
            if not line:
                return
            yield line

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._view = memoryview(b"")


class _RangeBufferFile(BufferFile):
    """Whoosh's BufferFile reading straight from the segment file (see _FileRange, _RangeReader)."""

    def __init__(self, buf, name=None, onclose=None):
        self._buf = buf
        self._name = name
        self.file = _RangeReader(buf)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    def subset(self, position, length, name=None):
        return _RangeBufferFile(self._buf[position:position + length], name=name or self._name)


def _open_compound(self, dbfile, use_mmap=True, basepos=0):
    # No mapping when the segment file can be read with pread (see _FileRange).
    _whoosh_compound_init(self, dbfile, use_mmap=use_mmap and not _has_descriptor(dbfile), basepos=basepos)


def _open_segment_file(self, name, *args, **kwargs):
    if self.is_closed or self._source is not None or not _has_descriptor(self._file):
        return _whoosh_open_compound_file(self, name, *args, **kwargs)
    offset, length = self.range(name)
    # Whoosh closes the file with the storage: a range read after that fails, as a closed mapping did.
    return _RangeBufferFile(_FileRange(self._file, offset, length), name=name)


def _has_descriptor(file) -> bool:
    try:
        file.fileno()
        return True
    except (AttributeError, OSError, ValueError):
        return False


_whoosh_compound_init = whoosh_compound.CompoundStorage.__init__
_whoosh_open_compound_file = whoosh_compound.CompoundStorage.open_file
whoosh_compound.CompoundStorage.__init__ = _open_compound
whoosh_compound.CompoundStorage.open_file = _open_segment_file


def open_index(root: Path, generation: Path | None = None):
    """Open a generation (by default the current one). Raises IndexMissingError with how to rebuild."""
    generation = generation or current_generation(root)
    if generation is None:
        raise IndexMissingError(f"no index at {root}; {rebuild_hint(root)}")
    try:
        return whoosh_index.open_dir(str(generation))
    except Exception as exc:  # Whoosh raises many kinds for a damaged folder
        raise IndexMissingError(f"the index at {root} cannot be opened ({type(exc).__name__}); rebuild it with: search-index build --index {root}") from exc


@dataclass(frozen=True)
class Lock:
    stale_holder: str | None  # a writer that was killed while holding the lock, if any


@contextmanager
def write_lock(root: Path, wait_seconds: float = 10.0) -> Iterator[Lock]:
    """Hold the one writer lock, waiting a bounded time for another writer to finish.

    The lock is an OS lock (flock), so a killed holder's lock is released by the
    kernel; the note it left in the file tells us it died, and we say so.
    """
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK, "a+", encoding="utf-8") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "another process"
                    raise IndexLockedError(
                        f"the index at {root} is being written by {holder}; waited {wait_seconds:g} s, try again when it finishes"
                    ) from None
                time.sleep(0.1)
        handle.seek(0)
        stale = handle.read().strip() or None
        handle.seek(0)
        handle.truncate()
        command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:2]]) if sys.argv and sys.argv[0] else "python"
        handle.write(f"pid {os.getpid()} ({command}) since {dt.datetime.now().isoformat(timespec='seconds')}")
        handle.flush()
        try:
            yield Lock(stale_holder=stale)
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)


def build(root: Path, articles: Iterable[Article], manifest: dict | None = None, lock_wait: float = 10.0,
          grouper: CopyGrouper | None = None, expected: int | None = None) -> BuildResult:
    """Write every article into a new generation, then make it current.

    If anything fails (or the user presses Ctrl-C) the new generation is removed
    and CURRENT still names the previous, complete one. `manifest` is filled in
    by the caller while `articles` is consumed, and saved with the generation.
    `expected`, about how many articles will come, sets the size of the segments
    the index is written in (writer.BuildWriter).
    """
    with write_lock(root, lock_wait):
        return build_locked(root, articles, manifest, grouper, expected)


@contextmanager
def _disk_errors(root: Path) -> Iterator[None]:
    """A full disk or a read-only folder becomes one clear message; the last good index stays."""
    try:
        yield
    except (OSError, sqlite3.OperationalError) as exc:  # the manifest is SQLite: "database or disk is full"
        reason = getattr(exc, "strerror", None) or str(exc)
        raise IndexWriteError(f"cannot write the index at {root}: {reason}; the last good index is unchanged") from exc


def build_locked(root: Path, articles: Iterable[Article], manifest: dict | None = None,
                 grouper: CopyGrouper | None = None, expected: int | None = None) -> BuildResult:
    """`build` for a caller that already holds the write lock.

    With a `grouper` (copies.py) each article is written with its copy group;
    groups that a later article merged are rewritten before the swap.
    """
    with _disk_errors(root):
        return _build_generation(root, articles, manifest, grouper, expected)


def _build_generation(root: Path, articles: Iterable[Article], manifest: dict | None,
                      grouper: CopyGrouper | None = None, expected: int | None = None) -> BuildResult:
    before = current_generation(root)
    generation = root / f"{GENERATION_PREFIX}{dt.datetime.now():%Y%m%dT%H%M%S%f}-{os.getpid()}"
    generation.mkdir(parents=True)
    result = BuildResult(generation)
    try:
        ix = whoosh_index.create_in(str(generation), build_schema())
        writer = BuildWriter(ix, build_segment_sizes(expected))
        seen: dict[str, str] = {}
        try:
            for article in articles:
                if article.id in seen:
                    result.duplicates.append((article.source_path, seen[article.id]))
                    continue
                seen[article.id] = article.source_path
                group = grouper.place(article) if grouper else None
                writer.add_document(**article_to_document(article, group))
                if grouper:
                    grouper.mark_written(article.id, group)
                result.added += 1
            if result.added == 0:
                raise UserError(f"no article could be indexed; the index at {root} is unchanged")
            writer.commit()
        except BaseException:
            with suppress(Exception):  # the original error is the one to report
                writer.cancel()
            raise
        if grouper and (moved := grouper.moved()):
            _regroup(ix, moved)  # readers never saw this generation: a second commit is still atomic for them
        ix.close()
        save_manifest(generation, manifest or {})
        _point_at(root, generation)
    except BaseException:
        shutil.rmtree(generation, ignore_errors=True)
        raise
    # Also clears generations left half-written by a build that was killed.
    _prune(root, keep={generation, before})
    return result


def live_mask(reader) -> np.ndarray:
    """Doc number -> not deleted (Whoosh's all_doc_ids asks about each document in turn)."""
    mask = np.ones(reader.doc_count_all(), dtype=bool)
    if reader.has_deletions():
        for leaf, offset in reader.leaf_readers():
            if leaf.has_deletions():
                mask[np.fromiter(leaf.deleted_docs_set, dtype=np.int64) + offset] = False  # a cached property
    return mask


# Whoosh's column iterators read and decode one value per call (about 1 s per column at
# 100,000 articles, paid by every update and by the first search after it); these read
# each segment's column in one piece. Tests check them against Whoosh's own iterators.
_NUMERIC_DTYPES = {"B": ">u1", "H": ">u2", "I": ">u4", "L": ">u4", "Q": ">u8",
                   "b": ">i1", "h": ">i2", "i": ">i4", "l": ">i4", "q": ">i8"}


def column_strings(reader, fieldname: str) -> list[str]:
    """Doc number -> the value of an ID column (id, outlet, copy group) of every document."""
    values: list[str] = []
    for leaf, _ in reader.leaf_readers():
        raw = leaf.column_reader(fieldname, translate=False)
        if type(raw) is not whoosh_columns.VarBytesColumn.Reader:
            values.extend(leaf.column_reader(fieldname))
            continue
        offsets, lengths = raw._offsets, raw._lengths
        end = offsets[-1] + lengths[-1] if len(lengths) else 0
        data = bytes(raw._dbfile.get(raw._basepos, end))
        values.extend(data[o:o + n].decode("utf-8") for o, n in zip(offsets, lengths))
    return values


def column_numbers(reader, fieldname: str) -> np.ndarray:
    """Doc number -> the value of an unsigned integer column (days, precision) of every document."""
    signed = reader.schema[fieldname].signed  # stored shifted: Whoosh's own iterator translates them
    parts = [np.fromiter(leaf.column_reader(fieldname), dtype=np.int64, count=leaf.doc_count_all()) if signed
             else raw_numbers(leaf.column_reader(fieldname, translate=False), leaf.doc_count_all())
             for leaf, _ in reader.leaf_readers()]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def raw_numbers(raw, size: int) -> np.ndarray:
    """The stored values of a numeric column reader (Whoosh's, untranslated), as int64."""
    dtype = _NUMERIC_DTYPES.get(getattr(raw, "_typecode", ""))
    if type(raw) is not whoosh_columns.NumericColumn.Reader or dtype is None:
        return np.fromiter(raw, dtype=np.int64, count=size)
    values = np.full(size, raw._default, dtype=np.int64)
    stored = min(raw._count, size)  # documents after the last non-default value are not written
    values[:stored] = np.frombuffer(bytes(raw._dbfile.get(raw._basepos, stored * raw._fixedlen)), dtype=dtype)
    return values


def apply_changes(root: Path, add: Iterable[Article], delete: Iterable[str], manifest: dict[str, FileEntry],
                  grouper: CopyGrouper | None = None, previous: dict[str, FileEntry] | None = None) -> int:
    """Add and delete documents in the current generation in one commit, then save the manifest
    (what differs from `previous`, the manifest the caller loaded).

    For a caller holding the write lock. Returns the number of documents written.
    If the process dies before the commit, the index is as it was; if it dies
    between the commit and the manifest, the next update re-reads the files the
    stale manifest does not describe, finds their ids indexed, and goes on.
    With a `grouper`, articles are written with their copy groups, and indexed
    articles whose group changed (merged or split) are rewritten in the same commit.
    """
    generation = current_generation(root)
    ix = open_index(root, generation)
    with _disk_errors(root):
        writer = open_writer(ix)
        written = 0
        try:
            for article_id in delete:
                writer.delete_by_term("id", article_id)
            adding = set()
            for article in add:
                writer.update_document(**article_to_document(article, grouper.group_of.get(article.id) if grouper else None))
                adding.add(article.id)
                written += 1
            if grouper:
                moved = {i: g for i, g in grouper.moved().items() if i not in adding}
                _rewrite_groups(writer, ix, moved)
            writer.commit()
        except BaseException:
            with suppress(Exception):  # the original error is the one to report
                writer.cancel()
            raise
        ix.close()
        save_manifest(generation, manifest, previous)
    return written


def _rewrite_groups(writer, ix, moved: dict[str, str]) -> None:
    """Re-add indexed documents with a new copy group (Whoosh cannot change one field in place)."""
    if not moved:
        return
    with ix.searcher() as searcher:
        stored = [searcher.document(id=article_id) for article_id in sorted(moved)]
    for fields_ in stored:
        if fields_:
            writer.update_document(**article_to_document(article_from_stored(fields_), moved[fields_["id"]]))


def _regroup(ix, moved: dict[str, str]) -> None:
    writer = open_writer(ix)
    try:
        _rewrite_groups(writer, ix, moved)
        writer.commit()
    except BaseException:
        with suppress(Exception):
            writer.cancel()
        raise


def missing_fields(root: Path) -> list[str]:
    """Fields of today's schema that the current generation lacks (an index built by an older version)."""
    ix = open_index(root)
    try:
        return [name for name in build_schema().names() if name not in ix.schema]
    finally:
        ix.close()


@contextmanager
def many_objects() -> Iterator[None]:
    """Python's cyclic garbage collector paused while 100,000s of small objects that
    hold no cycles are made (the manifest's entries, the copy groups): its passes over
    them were a third to half of the time of loading the manifest of 100k files."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def copy_groups(root: Path) -> dict[str, str]:
    """Live article id -> its copy group, from the columns (cheap)."""
    ix = open_index(root)
    with ix.searcher() as searcher, many_objects():
        reader = searcher.reader()
        ids = column_strings(reader, "id")
        groups = column_strings(reader, "copy_group")
        return {ids[n]: groups[n] or ids[n] for n in np.flatnonzero(live_mask(reader)).tolist()}


def bodies(root: Path, ids: list[str]) -> dict[str, str]:
    """The stored bodies of these articles (to sign those the copies cache lacks)."""
    ix = open_index(root)
    with ix.searcher() as searcher:
        found = {}
        for article_id in ids:
            stored = searcher.document(id=article_id)
            if stored:
                found[article_id] = stored.get("body") or ""
        return found


@dataclass(frozen=True)
class CopyMember:
    id: str
    title: str
    outlet: str
    published: str | None
    day: int  # proleptic ordinal of the first day the date stands for; 0 when undated
    precision: int


def copy_group_members(root: Path, min_size: int = 2) -> dict[str, list[CopyMember]]:
    """Groups of at least `min_size` live articles: group id -> members (stored fields, for `dups`)."""
    ix = open_index(root)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        if "copy_group" not in reader.schema:
            return {}
        groups = column_strings(reader, "copy_group")
        by_group: dict[str, list[int]] = {}
        for n in np.flatnonzero(live_mask(reader)).tolist():
            by_group.setdefault(groups[n], []).append(n)
        result = {}
        for group, docs in by_group.items():
            if len(docs) < min_size:
                continue
            members = []
            for n in docs:
                stored = searcher.stored_fields(n)
                article = article_from_stored(stored)
                published = article.published
                members.append(CopyMember(article.id, article.title, article.outlet, published.label if published else None,
                                          published.value.toordinal() if published else 0, PRECISION_CODES[article.date_precision]))
            result[group] = members
        return result


class FileEntry(NamedTuple):
    """What the manifest knows of one corpus file: its fingerprint when last looked at, and the outcome."""
    fp: tuple[int, int, int, int]  # sources.fingerprint: size and mtime of the file and of its sidecar
    id: str | None
    status: str  # "indexed", "duplicate" or "skipped"
    reason: str | None = None


def load_manifest(root: Path) -> dict[str, FileEntry]:
    """What the corpus held at the last build or update: {path: entry}; {} when unknown."""
    generation = current_generation(root)
    if generation is None:
        return {}
    if not (generation / MANIFEST).exists():
        return _load_json_manifest(generation)
    try:
        with closing(_manifest_db(generation)) as db, many_objects():
            rows = db.execute("SELECT path, size, mtime, side_size, side_mtime, id, status, reason FROM files").fetchall()
            return {path: FileEntry((size, mtime, side_size, side_mtime), article_id, status, reason)
                    for path, size, mtime, side_size, side_mtime, article_id, status, reason in rows}
    except sqlite3.Error:
        # Unreadable (damaged): update reads every file again, and the manifest is written anew.
        (generation / MANIFEST).unlink(missing_ok=True)
        return {}


def save_manifest(generation: Path, files: dict[str, FileEntry], previous: dict[str, FileEntry] | None = None) -> None:
    """Write the manifest in one transaction: only what differs from `previous`, else every entry.

    SQLite rows changed in place rather than a JSON file rewritten whole: an update
    of one article at 100k files wrote 100,000 entries (0.3 s) to change one.
    """
    rows_exist = previous is not None and (generation / MANIFEST).exists()
    with closing(_manifest_db(generation)) as db, db:
        if rows_exist:
            gone = [(path,) for path in previous if path not in files]
            changed = {path: entry for path, entry in files.items() if previous.get(path) != entry}
        else:
            db.execute("DELETE FROM files")
            gone, changed = [], files
        db.executemany("DELETE FROM files WHERE path = ?", gone)
        db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       [(path, *entry.fp, entry.id, entry.status, entry.reason) for path, entry in changed.items()])
    (generation / OLD_MANIFEST).unlink(missing_ok=True)


def manifest_is_old(root: Path) -> bool:
    """Whether the current generation still has the JSON manifest of older versions (the next update replaces it)."""
    generation = current_generation(root)
    return generation is not None and not (generation / MANIFEST).exists() and (generation / OLD_MANIFEST).exists()


def _manifest_db(generation: Path) -> sqlite3.Connection:
    db = sqlite3.connect(generation / MANIFEST, timeout=30.0)
    db.execute("CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER, mtime INTEGER,"
               " side_size INTEGER, side_mtime INTEGER, id TEXT, status TEXT NOT NULL, reason TEXT)")
    return db


def _load_json_manifest(generation: Path) -> dict[str, FileEntry]:
    """The manifest of an index written before it moved to SQLite; replaced at the next save."""
    try:
        data = json.loads((generation / OLD_MANIFEST).read_text(encoding="utf-8"))
        return {path: FileEntry(tuple(e["fp"]), e.get("id"), e["status"], e.get("reason"))
                for path, e in data.get("files", {}).items()}
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        return {}


def stats(root: Path) -> IndexStats:
    """Figures from the facet columns, not the stored documents: fast at 100k articles."""
    ix = open_index(root)
    generation = current_generation(root)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        live = list(reader.all_doc_ids())
        outlet_of = list(reader.column_reader("outlet"))
        day_of = list(reader.column_reader("day_start"))
        precision_of = list(reader.column_reader("precision"))
    outlets: dict[str, int] = {}
    for n in live:
        outlets[outlet_of[n]] = outlets.get(outlet_of[n], 0) + 1
    dated = [(day_of[n], precision_of[n]) for n in live if precision_of[n]]
    size = sum(p.stat().st_size for p in generation.rglob("*") if p.is_file())
    return IndexStats(
        documents=len(live),
        outlets=dict(sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0]))),
        earliest=_date_label(*min(dated)) if dated else None,
        latest=_date_label(*max(dated)) if dated else None,
        undated=len(live) - len(dated),
        size_bytes=size,
        generation=generation.name,
    )


def actor_counts(root: Path) -> list[tuple[str, str, int]]:
    """(name, type, articles) of every actor in the index, most frequent first; read from the facet postings."""
    ix = open_index(root)
    counts = []
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for term in reader.lexicon("actor_typed"):
            actor_type, _, name = term.decode("utf-8").partition("|")
            live = sum(1 for n in reader.postings("actor_typed", term).all_ids() if not reader.is_deleted(n))
            if live:
                counts.append((name, actor_type, live))
    return sorted(counts, key=lambda c: (-c[2], c[0].casefold()))


def _date_label(ordinal: int, precision_code: int) -> str:
    precision = next(name for name, code in PRECISION_CODES.items() if code == precision_code)
    return PublishedDate(dt.date.fromordinal(ordinal), precision, "index").label


def _point_at(root: Path, generation: Path) -> None:
    tmp = root / f"{POINTER}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(generation.name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, root / POINTER)
    _fsync_dir(root)


def _prune(root: Path, keep: set[Path]) -> None:
    for path in root.glob(f"{GENERATION_PREFIX}*"):
        if path.is_dir() and path not in keep:
            shutil.rmtree(path, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
