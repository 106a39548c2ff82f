"""Bring the index in line with the corpus: a full rebuild, or an update of what changed.

The manifest kept with each index generation remembers, for every corpus file,
its fingerprint (size and mtime of the file and its sidecar), its content hash
and what became of it (indexed, duplicate, skipped and why). An update reads
only the files whose fingerprint changed, indexes only content the index does
not have, and deletes documents whose content is no longer in the corpus; all
of it in one commit, under the one-writer lock.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from threadpoolctl import threadpool_limits

from . import copies, store
from .article import Article
from .errors import SourceError, UserError
from .pipeline import PipelineOptions, process_file
from .sources import content_hash, discover, fingerprint, named_raw_files, scan

Track = Callable[[Sequence[Path], str], Iterable[Path]]
PARALLEL_FROM = 200  # files in a batch before worker processes pay for their start-up
MAX_WORKERS = 4
IN_FLIGHT_PER_WORKER = 32
PARENT_CHECK_SECONDS = 1.0  # how soon a worker notices its parent was killed
ACTOR_CACHE = "actors-cache.sqlite"
NO_FILES = "no .txt, .html or .htm files in the corpus folder"


def no_progress(paths: Sequence[Path], label: str) -> Iterable[Path]:
    return paths


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (path, path of the copy indexed)
    waiting: list[str] = field(default_factory=list)  # still being written; taken next time
    stale_lock: str | None = None
    rebuilt: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


def rebuild(corpus: Path, root: Path, options: PipelineOptions | None = None, track: Track = no_progress,
            lock_wait: float = 10.0, workers: int | None = None) -> SyncReport:
    """Index every file in the corpus into a new generation and swap it in."""
    paths = _corpus_files(corpus)
    with store.write_lock(root, lock_wait) as lock:
        report = _rebuild_locked(corpus, root, paths, options, track, workers)
        report.stale_lock = lock.stale_holder
        return report


def update(corpus: Path, root: Path, options: PipelineOptions | None = None, track: Track = no_progress,
           lock_wait: float = 10.0, settle_seconds: float = 0.0, workers: int | None = None,
           paths: Iterable[str | Path] | None = None) -> SyncReport:
    """Add, re-index and delete what changed since the last build or update.

    Files modified less than `settle_seconds` ago are left for the next run, so
    a file still being written is not indexed half-way (used by `watch`). With
    `paths` (the files `watch` saw change: added, modified or deleted), only those
    are looked at and the rest of the corpus is taken to be as the manifest says,
    instead of listing 100,000 files to find one.
    """
    named = None if paths is None else named_raw_files(corpus, paths)
    listing = scan(corpus, only=named)
    if not listing and named is None:
        raise SourceError(corpus, NO_FILES)
    with store.write_lock(root, lock_wait) as lock:
        if update_rebuilds(root):
            everything = listing if named is None else scan(corpus)
            report = _rebuild_locked(corpus, root, [Path(path) for path, _ in everything], options, track, workers)
        else:
            report = _update_locked(corpus, root, listing, options, track, settle_seconds, workers, named)
        report.stale_lock = lock.stale_holder
        return report


# What an index built by an older version lacks, by the field that holds it.
FIELD_FEATURES = {"copy_group": "copy groups", "body_pairs": "word pairs for phrase search"}


def update_rebuilds(root: Path) -> str | None:
    """Why `update` has to index the whole corpus again, or None when it can add what changed."""
    if store.current_generation(root) is None:
        return f"there is no index at {root} yet"
    if missing := store.missing_fields(root):
        # Every article needs the new fields (and its copy group needs the signatures of all the others).
        return f"the index at {root} was built before {' and '.join(FIELD_FEATURES.get(f, f) for f in missing)}"
    return None


def _corpus_files(corpus: Path) -> list[Path]:
    paths = discover(corpus)
    if not paths:
        raise SourceError(corpus, NO_FILES)
    return paths


def _rebuild_locked(corpus, root, paths, options, track, workers) -> SyncReport:
    options = _options(corpus, root, options)
    report = SyncReport(rebuilt=True)
    manifest: dict[str, store.FileEntry] = {}
    seen: dict[str, str] = {}

    def articles() -> Iterator[Article]:
        for path, print_, result in processed(paths, options, track, f"Indexing {corpus}", workers):
            key = _key(path, corpus)
            if isinstance(result, str):
                report.skipped.append((key, result))
                manifest[key] = _entry(print_, None, "skipped", result)
            elif result.id in seen:
                report.duplicates.append((key, seen[result.id]))
                manifest[key] = _entry(print_, result.id, "duplicate")
            else:
                seen[result.id] = key
                manifest[key] = _entry(print_, result.id, "indexed")
                report.added.append(key)
                yield result

    signatures = copies.open_store(root, options.copies)
    try:
        grouper = copies.CopyGrouper(signatures)
        store.build_locked(root, articles(), manifest, grouper, expected=len(paths))
        signatures.forget(keep=set(seen))
    except UserError as exc:
        if not report.skipped:
            raise
        reasons = "; ".join(f"{key}: {reason}" for key, reason in report.skipped[:5])
        more = f" and {len(report.skipped) - 5} more" if len(report.skipped) > 5 else ""
        raise UserError(f"{exc} (skipped {reasons}{more})") from None
    finally:
        signatures.close()
    return report


def _update_locked(corpus, root, listing, options, track, settle_seconds, workers, named=None) -> SyncReport:
    options = _options(corpus, root, options)
    report = SyncReport()
    old = store.load_manifest(root)
    live_groups = store.copy_groups(root)  # the live articles' ids, and their groups should anything change
    live = live_groups.keys()
    manifest: dict[str, store.FileEntry] = {}
    claimed: dict[str, str] = {}  # article id -> the corpus path it is indexed for
    pending: dict[Path, tuple[str, tuple, str]] = {}  # path -> (key, fingerprint, id) to (re)process
    now = time.time()
    carried: dict[str, store.FileEntry] = {}  # files not looked at: as the manifest says, keeping their articles
    if named is not None:
        looked_at = {_key(path, corpus) for path in named}
        carried = {key: entry for key, entry in old.items() if key not in looked_at}
        manifest.update(carried)
        for key, entry in carried.items():
            if entry.status == "indexed" and entry.id in live:
                claimed.setdefault(entry.id, key)
                report.unchanged += 1

    prefix = _key_prefix(corpus)
    for name, print_ in listing:
        key = _key(name, corpus, prefix)
        entry = old.get(key)
        if entry is not None and entry.fp == print_ and entry.status == "indexed" and entry.id in live \
                and entry.id not in claimed:
            # Unchanged, and still the article it was indexed for: most of a large corpus, so kept cheap. Before
            # the settle check: a file indexed as it is now has nothing to wait for, however recent.
            claimed[entry.id] = key
            manifest[key] = entry
            report.unchanged += 1
            continue
        if isinstance(print_, str):  # scan could not look at it
            report.skipped.append((key, print_))
            continue
        if now - print_[1] / 1e9 < settle_seconds:
            report.waiting.append(key)
            if entry:  # keep what was indexed for it until the new version settles
                manifest[key] = entry
                if entry.id:
                    claimed.setdefault(entry.id, key)
            continue
        if entry and entry.fp == print_ and entry.status == "skipped":
            report.skipped.append((key, entry.reason))
            manifest[key] = entry
            continue
        if entry and entry.fp == print_ and entry.id in live:
            article_id = entry.id
        else:
            try:
                article_id = content_hash(Path(name))[:16]
            except OSError as exc:
                report.skipped.append((key, f"cannot read: {exc.strerror or exc}"))
                continue
        if article_id in claimed:
            report.duplicates.append((key, claimed[article_id]))
            manifest[key] = _entry(print_, article_id, "duplicate")
        elif article_id in live and entry and entry.id == article_id:
            claimed[article_id] = key
            manifest[key] = _entry(print_, article_id, "indexed")
            report.unchanged += 1
        else:
            claimed[article_id] = key
            pending[Path(name)] = (key, print_, article_id)

    to_add: list[Article] = []
    for path, _, result in processed(list(pending), options, track, f"Updating from {corpus}", workers):
        key, print_, article_id = pending[path]
        if isinstance(result, str):
            report.skipped.append((key, result))
            manifest[key] = _entry(print_, None, "skipped", result)
            claimed.pop(article_id, None)
            continue
        if result.id != article_id:  # the file changed again while we read it
            claimed.pop(article_id, None)
            claimed[result.id] = key
        to_add.append(result)
        manifest[key] = _entry(print_, result.id, "indexed")
        (report.updated if key in old else report.added).append(key)

    for key, entry in carried.items():  # a copy whose original was deleted now stands for the article
        if entry.status == "duplicate" and entry.id in live and entry.id not in claimed:
            claimed[entry.id] = key
            manifest[key] = entry._replace(status="indexed")
    report.removed = sorted(key for key, entry in old.items()
                            if entry.status == "indexed" and key not in manifest and not (corpus / key).exists())
    delete = live - set(claimed)
    if to_add or delete:
        signatures = copies.open_store(root, options.copies)
        try:
            with store.many_objects():
                grouper = copies.CopyGrouper(signatures, live_groups, lambda ids: store.bodies(root, ids))
            grouper.remove(delete)
            for article in to_add:
                grouper.place(article)
            signatures.commit()  # before the index: a signature without its document is harmless
            store.apply_changes(root, to_add, delete, manifest, grouper, previous=old)
        finally:
            signatures.close()
    elif manifest != old or store.manifest_is_old(root):
        store.save_manifest(store.current_generation(root), manifest, previous=old)
    return report


def processed(paths: Sequence[Path], options: PipelineOptions, track: Track, label: str,
              workers: int | None = None) -> Iterator[tuple[Path, tuple, Article | str]]:
    """(path, fingerprint, Article or the reason it gave none) for each path, in order.

    Large batches go through worker processes (the pipeline is CPU-bound and the
    index writer keeps the main process busy), with a bounded number of
    articles in flight so memory stays flat however large the corpus.
    """
    workers = default_workers(len(paths)) if workers is None else workers
    if workers <= 0:
        for path in track(paths, label):
            yield _process_one(path, options)
        return
    # spawn, not fork: the caller may run threads (watch), and forking those is unsafe.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_worker_started, initargs=(os.getpid(),)) as pool:
        in_flight: deque = deque()
        for path in track(paths, label):
            in_flight.append(pool.submit(_process_one, path, options))
            if len(in_flight) >= IN_FLIGHT_PER_WORKER * workers:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()


def exit_with_parent(parent: int) -> None:
    """In a child process: end it once the process that started it is gone.

    Used by the pipeline's workers and by `search-web --processes`. A pool worker waits on a queue whose write end it holds itself, so when its
    parent is killed (SIGKILL, the OOM killer) it would wait for ever: killed builds
    left workers of 150 MB each behind (seen after tests/test_sync.py's crash tests).
    """
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _worker_started(parent: int) -> None:
    """In a pipeline worker: one BLAS thread, and end with the parent.

    A worker per core already keeps every core busy; OpenBLAS's own threads (the
    actor model's matrix products) then only wait for one another: the model's
    wall time with another process on the cores was 4.9 s with them and 3.5-4.1 s
    without (600 paragraphs, one-off timing).
    """
    threadpool_limits(1)
    exit_with_parent(parent)


def default_workers(batch: int) -> int:
    """Worker processes for a batch: none (0) for a few files, whose start-up would cost more;
    else one per core. The index writer shares a core with them: it waits for articles
    most of the time (bench/ingest.py, 2 cores, actor model on: 11.8 articles/s with
    one worker, 16.1 with two)."""
    if batch < PARALLEL_FROM:
        return 0
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def _process_one(path: Path, options: PipelineOptions) -> tuple[Path, tuple, Article | str]:
    try:
        print_ = fingerprint(path)
    except OSError as exc:
        return path, (0, 0, 0, 0), f"cannot read: {exc.strerror or exc}"
    try:
        return path, print_, process_file(path, options)
    except SourceError as exc:
        return path, print_, exc.reason


def _options(corpus: Path, root: Path, options: PipelineOptions | None) -> PipelineOptions:
    """Paths relative to the corpus; actors cached beside the generations, so a rebuild reuses them."""
    options = options or PipelineOptions()
    return replace(options, relative_to=corpus, actor_cache=options.actor_cache or root / ACTOR_CACHE)


def _key(path: str | Path, corpus: Path, prefix: str | None = None) -> str:
    """The path relative to the corpus, as the manifest keys it (string work: this runs per file)."""
    text, prefix = str(path), _key_prefix(corpus) if prefix is None else prefix
    return (text[len(prefix):] if text.startswith(prefix) else text).replace(os.sep, "/")


def _key_prefix(corpus: Path) -> str:
    return str(corpus).rstrip(os.sep) + os.sep


def _entry(print_: tuple, article_id: str | None, status: str, reason: str | None = None) -> store.FileEntry:
    return store.FileEntry(tuple(print_), article_id, status, reason)
