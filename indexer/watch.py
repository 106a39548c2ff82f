"""`search-index watch`: keep the index in line with the corpus folder as files come and go.

File-system events (inotify through watchdog) note which files changed; once
it has been quiet for `debounce` seconds an update runs on those files alone
(at 100k articles, listing the whole corpus is most of an update's time), and
files modified within the last `debounce` seconds are left for the next round,
so a file that is still being written is not indexed half-way. A folder created,
moved or deleted, or events lost, make the next update look at everything.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable, Iterable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from . import sync
from .errors import UserError
from .pipeline import PipelineOptions


class _Changes(FileSystemEventHandler):
    """The paths events named since the last update, or None: look at the whole corpus."""

    def __init__(self):
        self.last = time.monotonic()
        self.dirty = threading.Event()
        self._lock = threading.Lock()
        self._paths: set[str] | None = None  # the first update looks at everything

    def on_any_event(self, event: FileSystemEvent) -> None:
        name = Path(str(event.src_path)).name
        if event.event_type in ("opened", "closed_no_write") or name.startswith("."):
            return
        with self._lock:
            if event.is_directory:
                if event.event_type != "modified":  # a file inside changed: its own event names it
                    self._paths = None
            elif self._paths is not None:
                self._paths.add(str(event.src_path))
                if getattr(event, "dest_path", ""):
                    self._paths.add(str(event.dest_path))
        self.last = time.monotonic()
        self.dirty.set()

    def take(self) -> set[str] | None:
        with self._lock:
            paths, self._paths = self._paths, set()
            return paths

    def again(self, paths: Iterable[str | Path] | None) -> None:
        """Look at these next time too (files still being written, an update that failed); None: everything."""
        with self._lock:
            if paths is None:
                self._paths = None
            elif self._paths is not None:
                self._paths.update(map(str, paths))


def watch(corpus: Path, root: Path, on_report: Callable[[sync.SyncReport], None],
          options: PipelineOptions | None = None, debounce: float = 2.0,
          stop: threading.Event | None = None, on_error: Callable[[UserError], None] | None = None) -> None:
    """Update now, then after every quiet spell following a change, until `stop` is set."""
    stop = stop or threading.Event()
    corpus.mkdir(parents=True, exist_ok=True)
    changes = _Changes()
    observer = Observer()
    observer.schedule(changes, str(corpus), recursive=True)
    observer.start()
    changes.dirty.set()
    changes.last = time.monotonic() - debounce
    try:
        while not stop.is_set():
            if not changes.dirty.wait(timeout=0.2):
                continue
            if time.monotonic() - changes.last < debounce:
                stop.wait(0.1)
                continue
            changes.dirty.clear()
            paths = changes.take()
            try:
                report = sync.update(corpus, root, options, settle_seconds=debounce, paths=paths)
            except UserError as exc:  # say it and keep watching; the next change tries again
                changes.again(paths)
                if on_error is None:
                    raise
                on_error(exc)
                continue
            on_report(report)
            if report.waiting:  # come back for files that were still being written
                changes.again(corpus / key for key in report.waiting)
                changes.last = time.monotonic()
                changes.dirty.set()
    finally:
        observer.stop()
        observer.join(timeout=5)
