"""Whoosh's segment writer, with two wastes of its commit taken out; the index it writes reads the same.

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

bench/README.md, *Ingest*, has the figures; tests/test_writer.py checks the index
against one Whoosh's own writer writes.
"""

from __future__ import annotations

from whoosh.writing import PostingPool, SegmentWriter

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


class _SpellingOncePool(PostingPool):
    """Whoosh's pool of postings, taking each spelling word once per document it is posted to.

    New articles' words are all posted to document 0, so each is taken once. A merge
    brings each merged segment's words posted to that segment's first document; they
    are kept apart, as Whoosh keeps them, so deleting one of those documents later
    loses no more words than it would with Whoosh's writer (found in review).
    Remembers the words it has taken: about 100 bytes a distinct word (a real archive
    of 100,000 articles may have a million), beside the pool's own POOL_MB.
    """

    def __init__(self, *args, spelling_fields: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self._spelled: dict[str, dict[int, set[bytes]]] = {name: {} for name in spelling_fields}

    def add(self, item) -> None:  # item: (fieldname, term bytes, docnum, weight, value bytes)
        by_document = self._spelled.get(item[0])
        if by_document is not None:
            taken = by_document.setdefault(item[2], set())
            if item[1] in taken:
                return
            taken.add(item[1])
        super().add(item)


def spelling_fields(schema) -> set[str]:
    """The hidden fields holding the unstemmed words of fields with `spelling=True` ("spell_body")."""
    return {field.spelling_fieldname(name) for name, field in schema.items() if field.separate_spelling()}


class _Writer(SegmentWriter):
    def __init__(self, ix, limitmb: int):
        super().__init__(ix, limitmb=limitmb)
        # Whoosh's own pool, made by SegmentWriter, holds nothing yet: replaced.
        self.pool = _SpellingOncePool(self._tempstorage, self.newsegment, limitmb=limitmb,
                                      spelling_fields=spelling_fields(self.schema))

    def per_document_reader(self):
        return _FieldLengths(super().per_document_reader())


def open_writer(ix) -> SegmentWriter:
    """A writer on `ix` (takes Whoosh's write lock), as `ix.writer()` would give."""
    return _Writer(ix, limitmb=POOL_MB)
