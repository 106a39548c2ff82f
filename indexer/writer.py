"""Whoosh's segment writer, with the field lengths of a new segment read once at commit.

When a commit writes the postings, Whoosh asks for each posting the length of its
field in its document (for BM25), through a reader that looks the field's length
column up every time and, for a field that has none (the spelling words, keywords,
numbers), asks the file system whether the column file exists: ~390 `stat` calls
per article and a fifth of the commit's time (bench/README.md, *Ingest*). The
lengths are the same; only how often they are looked up changes.
"""

from __future__ import annotations

from whoosh.writing import SegmentWriter

POOL_MB = 128  # memory for sorting postings before they spill to temporary files


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


class _Writer(SegmentWriter):
    def per_document_reader(self):
        return _FieldLengths(super().per_document_reader())


def open_writer(ix) -> SegmentWriter:
    """A writer on `ix` (takes Whoosh's write lock), as `ix.writer()` would give."""
    return _Writer(ix, limitmb=POOL_MB)
