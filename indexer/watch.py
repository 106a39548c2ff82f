"""`search-index watch`: keep the index in line with the corpus folder as files come and go.

File-system events (inotify through watchdog) only mark the corpus dirty; once
it has been quiet for `debounce` seconds an update runs, and files modified
within the last `debounce` seconds are left for the next round, so a file that
is still being written is not indexed half-way.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from . import sync
from .errors import UserError
from .pipeline import PipelineOptions


class _Changes(FileSystemEventHandler):
    def __init__(self):
        self.last = time.monotonic()
        self.dirty = threading.Event()

    def on_any_event(self, event: FileSystemEvent) -> None:
        name = Path(str(event.src_path)).name
        if event.event_type in ("opened", "closed_no_write") or name.startswith("."):
            return
        self.last = time.monotonic()
        self.dirty.set()


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
            try:
                report = sync.update(corpus, root, options, settle_seconds=debounce)
            except UserError as exc:  # say it and keep watching; the next change tries again
                if on_error is None:
                    raise
                on_error(exc)
                continue
            on_report(report)
            if report.waiting:  # come back for files that were still being written
                changes.last = time.monotonic()
                changes.dirty.set()
    finally:
        observer.stop()
        observer.join(timeout=5)
