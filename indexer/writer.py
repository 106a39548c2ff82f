"""Whoosh's segment writer, with three wastes taken out; the index it writes reads the same.

- When a commit writes the postings, Whoosh asks for each posting the length of its
  field in its document (for BM25), through a reader that looks the field's length
  column up every time and, for a field that has none (the spelling words, keywords,
  numbers), asks the file system whether the column file exists: ~390 `stat` calls
  per article and a fifth of the commit's time. Here each field's lengths are read once.
- A field with `spelling=True` and a stemmer keeps its unstemmed words in a second
  field for spelling suggestions and fuzzy terms, which read only its word list.
  Whoosh posts every word again for every article that has it, all to document 0:
  30 % of all postings. Here each word is posted once to each document it is
  posted to (a new article's words: once for all of them).
- Past ~1,000 articles the pool of postings spills sorted runs to temporary files,
  which Whoosh pickles one posting at a time. Here a thousand at a time (`_Pool`).
- A term with one posting (half the terms: most word pairs occur once) gets a block
  of its own in the postings file: a header, two pickles and a zlib stream larger
  than its input. Here its posting is kept in its entry of the term index, as
  Whoosh's readers already read (`_PostingsWriter`, `InliningCodec`).

And a writer for building a new index (`BuildWriter`) that writes it as several
segments, each one's postings written out in a thread while the next one fills: a
single segment's commit ran on one core while the other idled, for an eighth of a
build at 10,000 articles and more at 100,000.

bench/README.md, *Ingest*, has the figures; tests/test_writer.py checks the index
against one Whoosh's own writer writes.
"""

from __future__ import annotations

import pickle
import threading
from itertools import islice
from typing import Sequence

from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter
from whoosh.writing import PostingPool, SegmentWriter

POOL_MB = 128  # memory for sorting postings before they spill to temporary files
RUN_CHUNK = 1024  # postings per pickle in those files
# A build's segments halve in size down to this many documents (build_segment_sizes).
MIN_SEGMENT_DOCS = 1_000


class BuildCancelled(Exception):
    """A segment stopped being written because its build was cancelled."""


class _FieldLengths:
    """A per-document reader's field lengths, each field's read whole on first use."""

    def __init__(self, reader):
        self._reader = reader
        self._lengths: dict[str, list | None] = {}  # None: the field keeps no lengths

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        try:
            lengths = self._lengths[fieldname]
        except KeyError:
            lengths = self._lengths[fieldname] = self._read(fieldname)
        return default if lengths is None else lengths[docnum]

    def _read(self, fieldname: str) -> list | None:
        # Whoosh keeps lengths in a column named like this (whoosh.codec.whoosh3._lenfield).
        if not self._reader.has_column(f"_{fieldname}_len"):
            return None
        return [self._reader.doc_field_length(docnum, fieldname) for docnum in range(self._reader.doc_count_all())]

    def close(self) -> None:
        self._reader.close()


class _Pool(PostingPool):
    """Whoosh's pool of postings, which spills sorted runs to temporary files once it
    holds POOL_MB (from ~1,000 articles on), with two changes.

    Runs are written and read back RUN_CHUNK postings per pickle, where Whoosh
    pickles each posting on its own: a build's pickling and unpickling of runs
    took a tenth of its writer's time and files 2.7 times as large (9.4 GB at
    100,000 articles).

    And it takes each spelling word once per document it is posted to. New articles' words are all posted to document 0, so each is taken once. A merge
    brings each merged segment's words posted to that segment's first document; they
    are kept apart, as Whoosh keeps them, so deleting one of those documents later
    loses no more words than it would with Whoosh's writer (found in review).
    Remembers the words it has taken: about 100 bytes a distinct word (a real archive
    of 100,000 articles may have a million), beside the pool's own POOL_MB.
    """

    def __init__(self, *args, spelling_fields: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self._spelled: dict[str, dict[int, set[bytes]]] = {name: {} for name in spelling_fields}

    cancelled = False  # set from another thread to stop writing the postings out

    def iter_postings(self):
        for count, posting in enumerate(super().iter_postings()):
            if not count % 4096 and self.cancelled:
                raise BuildCancelled()
            yield posting

    def add(self, item) -> None:  # item: (fieldname, term bytes, docnum, weight, value bytes)
        by_document = self._spelled.get(item[0])
        if by_document is not None:
            taken = by_document.setdefault(item[2], set())
            if item[1] in taken:
                return
            taken.add(item[1])
        super().add(item)

    def _write_run(self, f, items) -> None:
        items = iter(items)
        while chunk := list(islice(items, RUN_CHUNK)):
            pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        f.close()

    def _read_run(self, path):
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = pickle.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)


def spelling_fields(schema) -> set[str]:
    """The hidden fields holding the unstemmed words of fields with `spelling=True` ("spell_body")."""
    return {field.spelling_fieldname(name) for name, field in schema.items() if field.separate_spelling()}


class _PostingsWriter(W3PostingsWriter):
    """Whoosh's postings writer, with a term's only posting kept in its term info ("inlined").

    Whoosh's codec has this ("inlinelimit"), but its writer calls a method the term
    info does not have (`set_inline`, not `set_inlined`), so it is never used, and its
    readers already read inlined postings (a `ListMatcher`). Kept to a posting with a
    value: Whoosh's `ListMatcher` yields no items for a posting without one.
    """

    def finish_postings(self):
        if self.written() or len(self._ids) != 1 or len(self._values) != 1:
            return super().finish_postings()
        terminfo, self._terminfo = self._terminfo, None
        terminfo.add_block(self)
        terminfo.set_inlined(self._ids, self._weights, self._values)
        return terminfo


class InliningCodec(W3Codec):
    """Whoosh's codec, writing with `_PostingsWriter`.

    Whoosh pickles a segment's codec into the index's table of contents, so this
    class's module and name are part of the index format: renaming it makes every
    index written since unreadable until rebuilt.
    """

    def postings_writer(self, dbfile, byteids=False):
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids, compression=self._compression)


class _Writer(SegmentWriter):
    def __init__(self, ix, limitmb: float, lock: bool = True):
        super().__init__(ix, limitmb=limitmb, _lk=lock, codec=InliningCodec())
        if not lock:  # one segment of a BuildWriter's: its temporary files apart from the others'
            self._tempstorage = self.storage.temp_storage(f"pool-{self.newsegment.segment_id()}.tmp")
        # Whoosh's own pool, made by SegmentWriter, holds nothing yet: replaced.
        self.pool = _Pool(self._tempstorage, self.newsegment, limitmb=limitmb, spelling_fields=spelling_fields(self.schema))

    def per_document_reader(self):
        return _FieldLengths(super().per_document_reader())

    def written_segment(self):
        """Write this writer's documents out as a segment, without touching the index's list of segments."""
        try:
            return self._finalize_segment()
        finally:
            self._close()

    def discard(self) -> None:
        self._close_segment()
        self._close()

    def _close(self) -> None:
        self._tempstorage.destroy()
        self.is_closed = True

    def commit_segments(self, segments: list) -> None:
        """Commit the index as its segments so far plus `segments`; this writer's own documents (none) are dropped."""
        self._check_state()
        self._close_segment()
        self._commit_toc([*self.segments, *segments])
        self._finish()


def open_writer(ix, limitmb: float = POOL_MB) -> SegmentWriter:
    """A writer on `ix` (takes Whoosh's write lock), as `ix.writer()` would give."""
    return _Writer(ix, limitmb=limitmb)


def build_segment_sizes(expected_docs: int | None) -> list[int]:
    """Sizes of the segments a build of about `expected_docs` documents is written in, the
    last one left out (it takes the rest): each half of what remains, down to MIN_SEGMENT_DOCS.

    The build then waits at its end only for the last, small segment to be written
    (and what is left of the one before), where a build in one segment waited for
    all of it on one core. Few segments, mostly large ones, keep searches fast and
    the index small. The sizes are a floor: BuildWriter lets a segment keep filling
    while the one before it is being written. Figures in bench/README.md, *Ingest*.
    """
    sizes: list[int] = []
    remaining = expected_docs or 0
    while remaining // 2 >= MIN_SEGMENT_DOCS:
        sizes.append(remaining // 2)
        remaining -= remaining // 2
    return sizes


class BuildWriter:
    """Writes a new index as segments of the sizes given, then one of the rest (no sizes: one segment).

    Each full segment's postings are sorted and written out in a thread while the
    next segment fills, so on a build whose documents come from worker processes
    the writing overlaps with their work instead of following it on one core. At
    most one segment is being written out at a time (memory stays at two pools); a
    segment that is full before the one before it is written keeps filling.
    Holds Whoosh's write lock from start to commit or cancel, as a writer does.
    """

    def __init__(self, ix, segment_sizes: Sequence[int] = (), limitmb: float = POOL_MB):
        self._ix = ix
        self._sizes = list(segment_sizes)
        self._limitmb = limitmb
        self._lock_holder = _Writer(ix, limitmb=1)  # takes the lock; its own segment stays empty
        self._filling = self._new_part()
        self._written: list = []
        self._writing: _SegmentThread | None = None

    def add_document(self, **fields) -> None:
        if self._writing is not None and self._writing.failed():
            self._collect_written()  # raises its error now, not a segment later
        self._filling.add_document(**fields)
        if self._sizes and self._filling.doc_count() >= self._sizes[0] and not self._still_writing():
            del self._sizes[0]
            self._collect_written()
            self._writing = _SegmentThread(self._filling)
            self._filling = self._new_part()

    def _still_writing(self) -> bool:
        """Whether a segment is still being written out: then the filling one grows past its
        size rather than make the documents (and the workers that send them) wait."""
        return self._writing is not None and not self._writing.done.is_set()

    def commit(self) -> None:
        """Wait for the segment being written out, write the last one, list them all; cancel on any failure."""
        try:
            self._collect_written()
            last, self._filling = self._filling, None
            if last.doc_count():
                self._written.append(last.written_segment())
            else:
                last.discard()
            self._lock_holder.commit_segments(self._written)
        except BaseException:  # Ctrl-C lands here most often: the build waits here for the last segments
            self.cancel()
            raise

    def cancel(self) -> None:
        """Stop and release the lock: the segment being written out stops within a few thousand
        postings. Safe to call again, and after a failed commit."""
        try:
            if self._writing is not None:
                self._writing.part.pool.cancelled = True
                self._writing.done.wait()
                self._writing = None
            if self._filling is not None and not self._filling.is_closed:
                self._filling.discard()
        finally:
            if not self._lock_holder.is_closed:
                self._lock_holder.cancel()

    def _collect_written(self) -> None:
        """Wait for the segment being written out, if any; its error, if it failed, is raised here."""
        if self._writing is not None:
            writing, self._writing = self._writing, None
            self._written.append(writing.result())

    def _new_part(self) -> _Writer:
        return _Writer(self._ix, limitmb=self._limitmb, lock=False)


class _SegmentThread(threading.Thread):
    """Writes one part out as a segment. `done` is set when it has: an Event, because after a
    join() interrupted by Ctrl-C, is_alive() says False of a thread still running (Python 3.11)."""

    def __init__(self, part: _Writer):
        super().__init__(name="segment-writer", daemon=True)
        self.part = part
        self.done = threading.Event()
        self._segment = None
        self._error: BaseException | None = None
        self.start()

    def run(self) -> None:
        try:
            self._segment = self.part.written_segment()
        except BaseException as exc:  # handed to the thread that waits for the segment
            self._error = exc
        finally:
            self.done.set()

    def failed(self) -> bool:
        return self.done.is_set() and self._error is not None

    def result(self):
        self.done.wait()
        if self._error is not None:
            raise self._error
        return self._segment
