"""The search service: a SearchRequest in, a SearchResult out.

The CLI, the web UI and the JSON API all call :meth:`SearchService.search`.

How a request is answered (figures from ../shared/WHOOSH.md):

1. The query string is checked (querylang) and parsed by Whoosh.
2. The set of matching documents is collected without scoring
   (`docs_for_query`) into a boolean mask over document numbers.
3. Filters (outlets, actors, dates, exclusions) are masks over per-generation
   arrays (doc number -> outlet, day, actors) read once per index generation;
   this costs a few ms, where Whoosh's `groupedby` costs 100-1000 ms.
4. Facet counts are `bincount`s over those masks. Facets are disjunctive: the
   outlet and date facets are counted with their own selection left out, so
   other values stay visible; the actor facet (where several selected actors
   mean "all of them") is counted within the selection.
5. The hits are ranked by Whoosh's BM25F scores computed as arrays over the
   posting blocks (`_scores`), or taken in date order (newest, oldest; undated
   articles last); only the page shown is read and highlighted.

A Whoosh searcher must not be shared between threads, and each holds about
1 GB at 100k articles, so a small pool of them serves every thread: a request
borrows one, checks that it is up to date (reopening it after a commit or when
CURRENT names a new generation), and gives it back.
"""

from __future__ import annotations

import datetime as dt
import queue
import re
import threading
from bisect import bisect_left
from collections import OrderedDict
from contextlib import contextmanager
from itertools import islice
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
from markupsafe import escape
from whoosh import highlight, qparser
from whoosh.codec.base import Automata
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.query import And, AndNot, DisjunctionMax, Every, FuzzyTerm, Not, NullQuery, Or, Phrase, Prefix, Query, Term, Wildcard
from whoosh.spelling import ReaderCorrector
from whoosh.util.numeric import byte_to_length

from .errors import QueryError
from .extract.actors import fold, load_knowledge_base
from .extract.outlets import load_registry
from .querylang import check_query, parse_date_bound
from .schema import QUERY_FIELDS, WORD_PAIRS, article_from_stored
from .store import column_numbers, column_strings, current_generation, live_mask, open_index, raw_numbers
from .article import Article

SORTS = ("relevance", "newest", "oldest")
MAX_PER_PAGE = 100
MAX_PAGE = 1000
MAX_ACTOR_FACET_VALUES = 50
MAX_OUTLET_FACET_VALUES = 100
POOL_SIZE = 4  # Whoosh searchers per process (see SearchService._borrow)
RESULT_CACHE_SIZE = 512  # answers kept per process for repeated requests on the same index state
EXPORT_LIMIT = 10_000  # hits in one export (CSV/JSON download), whatever the request's page size
SIMILAR_LIMIT = 5
MAX_EXPANSIONS = 500  # terms a wildcard or fuzzy term may stand for
SNIPPET_CHARS = 240
ACTOR_LATEST = 10  # latest articles on an actor page
TEXT_FIELDS = ("title", "subtitle", "body")  # what words without a field name search
MAX_COPIES_LISTED = 50  # copies named under one hit; copy_count has them all
_MARK_CLASS = re.compile(r'<mark class="[^"]*">')
_UNIX_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class SearchRequest:
    query: str = ""
    outlets: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    date_from: str | None = None  # "2023", "2023-11" or "2023-11-07"
    date_to: str | None = None
    undated: bool = False  # select undated articles (alone, or beside a date range)
    exclude_outlets: tuple[str, ...] = ()
    exclude_actors: tuple[str, ...] = ()
    sort: str = "relevance"  # an empty query is always newest first unless "oldest"
    page: int = 1
    per_page: int = 10
    all_copies: bool = False  # False: one hit per copy group (the best-ranked), its copies folded under it


@dataclass(frozen=True)
class CopyRef:
    """A syndicated copy of an article: enough to name and link it."""

    id: str
    title: str
    outlet: str
    published: str | None

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "outlet": self.outlet, "published": self.published}


@dataclass(frozen=True)
class CopyGroup:
    """Every indexed copy of a story, earliest first (undated last); `original` is the earliest dated one."""

    id: str
    members: tuple[CopyRef, ...]
    original: str | None


@dataclass(frozen=True)
class ActorRef:
    name: str
    type: str


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    outlet: str
    author: str | None
    published: str | None
    date_precision: str | None
    score: float | None
    snippet: str  # HTML-escaped text, matched words wrapped in <mark>
    actors: tuple[ActorRef, ...]
    copy_group: str = ""
    copy_count: int = 0  # other matching copies folded under this hit (0 when every copy is shown)
    copies: tuple[CopyRef, ...] = ()  # the first MAX_COPIES_LISTED of them, earliest first

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "outlet": self.outlet,
            "author": self.author,
            "published": self.published,
            "date_precision": self.date_precision,
            "score": self.score,
            "snippet": self.snippet,
            "actors": [{"name": a.name, "type": a.type} for a in self.actors],
            "copy_group": self.copy_group,
            "copy_count": self.copy_count,
            "copies": [c.to_dict() for c in self.copies],
        }


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    type: str | None = None  # actors only
    selected: bool = False


@dataclass(frozen=True)
class Facets:
    outlet: tuple[FacetValue, ...] = ()
    actor: tuple[FacetValue, ...] = ()
    year: tuple[FacetValue, ...] = ()
    month: tuple[FacetValue, ...] = ()
    undated: int = 0

    def to_dict(self) -> dict:
        plain = lambda values: [{"value": v.value, "count": v.count} for v in values]  # noqa: E731
        return {
            "outlet": plain(self.outlet),
            "actor": [{"value": v.value, "type": v.type, "count": v.count} for v in self.actor],
            "year": plain(self.year),
            "month": plain(self.month),
            "undated": self.undated,
        }


@dataclass(frozen=True)
class SearchResult:
    query: str
    total: int
    page: int
    per_page: int
    hits: tuple[Hit, ...]
    facets: Facets
    suggestion: str | None = None
    groups: int | None = None  # copy groups among the matches (a story and its copies count once)
    all_copies: bool = False

    @property
    def shown(self) -> int:
        """How many results the pages hold: one per copy group, unless every copy is shown."""
        return self.total if self.all_copies or self.groups is None else self.groups

    @property
    def pages(self) -> int:
        return max(1, -(-self.shown // self.per_page))

    def to_dict(self) -> dict:
        """The document `search-cli --json` prints and `GET /api/search` returns."""
        return {
            "query": self.query,
            "total": self.total,
            "groups": self.total if self.groups is None else self.groups,
            "all_copies": self.all_copies,
            "page": self.page,
            "per_page": self.per_page,
            "hits": [h.to_dict() for h in self.hits],
            "facets": self.facets.to_dict(),
            "suggestion": self.suggestion,
        }


@dataclass(frozen=True)
class Export:
    """Every hit of a request in its order, up to a limit: what the web UI downloads.

    Hits carry no snippet (`snippet == ""`): highlighting thousands of bodies is slow,
    and a download is for a spreadsheet, not for reading.
    """

    query: str
    total: int
    limit: int
    hits: tuple[Hit, ...]

    @property
    def truncated(self) -> bool:
        return self.total > len(self.hits)


@dataclass(frozen=True)
class ActorProfile:
    """What the archive says about one actor: the search filtered on it, read as a profile.

    `result` is that search (newest first, copies folded): its total is the number
    of articles mentioning the actor, its month facet the timeline, its actor facet
    the co-mentions, its outlet facet the outlets, its hits the latest articles.
    """

    name: str
    type: str | None  # None: neither the knowledge base nor any article says
    aliases: tuple[str, ...]
    result: SearchResult

    @property
    def count(self) -> int:
        return self.result.total

    @property
    def co_mentions(self) -> tuple[FacetValue, ...]:
        """The actors most often mentioned in the same articles, most first (the actor itself left out)."""
        key = fold(self.name)
        return tuple(v for v in self.result.facets.actor if fold(v.value) != key)

    def to_dict(self) -> dict:
        """The document `GET /api/actors/<name>` returns."""
        facets = self.result.facets.to_dict()
        return {
            "name": self.name,
            "type": self.type,
            "aliases": list(self.aliases),
            "count": self.count,
            "timeline": facets["month"],
            "year_only": sum(v["count"] for v in facets["year"]) - sum(v["count"] for v in facets["month"]),
            "undated": facets["undated"],
            "co_mentions": [{"value": v.value, "type": v.type, "count": v.count} for v in self.co_mentions],
            "outlets": facets["outlet"],
            "latest": [h.to_dict() for h in self.result.hits],
        }


class _SegmentColumns:
    """One segment's share of the columns. A segment's files never change once written
    (a commit adds segments, a merge replaces them, deletions are kept apart), so its
    share is read once and kept while the segment lives: after an update only the new
    segment is read (reading every actor posting again was 0.4 s at 100k articles)."""

    def __init__(self, leaf):
        self.size = leaf.doc_count_all()
        self.outlet_names, self.outlet_codes = _codes(column_strings(leaf, "outlet"))
        self.day_start = column_numbers(leaf, "day_start")
        self.day_end = column_numbers(leaf, "day_end")
        self.precision = column_numbers(leaf, "precision").astype(np.int8)
        # "type|Name" -> the segment's doc numbers, a posting block at a time (a million actor postings at 100k articles).
        self.actors = {term: _posting_ids(leaf._terms.matcher("actor_typed", term, leaf.schema["actor_typed"].format))
                       for term in leaf.lexicon("actor_typed")}
        if "copy_group" in leaf.schema:
            self.group_names, self.group_codes = _codes(column_strings(leaf, "copy_group"), ordered=False)
        else:  # an index from before copy groups: every article its own
            self.group_names, self.group_codes = [f"#{id(self)}-{i}" for i in range(self.size)], np.arange(self.size)
        self.lengths = {name: _field_lengths(leaf, name, self.size) for name, field in leaf.schema.items() if field.scorable}


class Columns:
    """Per-index-state arrays: doc number -> outlet, dates, actors, copy group, field lengths.

    Put together from each segment's share (`_SegmentColumns`, kept in `segments`
    by segment id) and the live mask, which deletions change.
    """

    def __init__(self, reader, segments: dict | None = None):
        segments = {} if segments is None else segments
        leaves = list(reader.leaf_readers())
        parts = []
        for leaf, _ in leaves:
            key = leaf.segment().segment_id()
            if key not in segments:
                segments[key] = _SegmentColumns(leaf)
            parts.append(segments[key])
        offsets = [offset for _, offset in leaves]
        self.size = n = reader.doc_count_all()
        self.live = live_mask(reader)
        self.outlet_names, self.outlet_ids = _joined_codes(parts, "outlet_names", "outlet_codes", n)
        self.day_start = _joined(parts, "day_start", np.int64)
        self.day_end = _joined(parts, "day_end", np.int64)
        self.precision = _joined(parts, "precision", np.int8)
        days = np.where(self.precision > 0, self.day_start - _UNIX_EPOCH_ORDINAL, 0).astype("datetime64[D]")
        self.year = days.astype("datetime64[Y]").astype(np.int64) + 1970  # meaningful where precision > 0
        self.month = days.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
        self.actor_names: list[tuple[str, str]] = []  # (name, type)
        docs, ids = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
        for term in sorted(set().union(*(part.actors for part in parts))):
            actor_type, _, name = term.decode("utf-8").partition("|")
            postings = np.concatenate([np.zeros(0, dtype=np.int64)] + [
                part.actors[term] + offset for part, offset in zip(parts, offsets) if term in part.actors])
            postings = postings[self.live[postings]]  # deleted documents left out
            docs.append(postings)
            ids.append(np.full(len(postings), len(self.actor_names), dtype=np.int64))
            self.actor_names.append((name, actor_type))
        self.actor_doc = np.concatenate(docs)
        self.actor_id = np.concatenate(ids)
        self.actor_by_key: dict[str, list[int]] = {}
        for i, (name, _) in enumerate(self.actor_names):
            self.actor_by_key.setdefault(fold(name), []).append(i)
        group_names, self.group = _joined_codes(parts, "group_names", "group_codes", n, ordered=False)
        self.group_count = len(group_names)
        self.lengths = {name: np.concatenate([part.lengths[name] for part in parts]) for name in (parts[0].lengths if parts else ())}
        self._orders: dict[str, np.ndarray] = {}

    def date_order(self, sort: str) -> np.ndarray:
        """Every doc number in date order ("newest" or "oldest"), undated last, newest doc first on a tie.

        Sorted once per generation; a request keeps the docs it matched from it in O(n)
        instead of sorting its matches (a lexsort of 100,000 docs on every browse page).
        """
        order = self._orders.get(sort)
        if order is None:
            docs = np.arange(self.size, dtype=np.int64)
            key = -self.day_start if sort != "oldest" else self.day_start
            order = docs[np.lexsort((-docs, key, self.precision == 0))]
            self._orders[sort] = order  # two threads may both compute it: same array, no harm
        return order

    def group_count_of(self, docs: np.ndarray) -> int:
        """How many copy groups the docs of a mask fall into."""
        return int(np.count_nonzero(np.bincount(self.group[docs], minlength=self.group_count)))

    def copy_order(self, docs: np.ndarray) -> np.ndarray:
        """Docs earliest first, undated last, then by doc number: the order copies are listed in."""
        return docs[np.lexsort((docs, self.day_start[docs], self.precision[docs] == 0))]

    def docs_with_actor(self, actor_ids: list[int]) -> np.ndarray:
        mask = np.zeros(self.size, dtype=bool)
        if actor_ids:
            mask[self.actor_doc[np.isin(self.actor_id, actor_ids)]] = True
        return mask


class _ColumnCache:
    """Columns shared by every thread's searcher on the same index state.

    They are read-only arrays, so sharing them is safe, and it keeps one copy in
    memory however many worker threads the web server runs. Each segment's share
    is kept too, so a new state reads only the segments it added.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._columns: Columns | None = None
        self._segments: dict[str, _SegmentColumns] = {}
        self._segments_of: str | None = None  # the generation folder they belong to

    def get(self, generation: Path, searcher) -> Columns:
        key = (str(generation), searcher.reader().generation())
        with self._lock:
            if key != self._key:
                if self._segments_of != str(generation):  # a rebuild: segments of other folders are gone
                    self._segments, self._segments_of = {}, str(generation)
                reader = searcher.reader()
                self._columns, self._key = Columns(reader, self._segments), key
                current = {leaf.segment().segment_id() for leaf, _ in reader.leaf_readers()}
                for gone in set(self._segments) - current:  # merged away
                    del self._segments[gone]
            return self._columns


class _Reader:
    """One thread's searcher on one generation, with its columns."""

    def __init__(self, generation: Path, root: Path, cache: _ColumnCache):
        self.generation = generation
        self.cache = cache
        self.index = open_index(root, generation)
        self.searcher = self.index.searcher()
        self.columns = cache.get(generation, self.searcher)

    @property
    def state(self) -> tuple[str, int]:
        """Which index state this reader sees: its generation folder and Whoosh commit."""
        return str(self.generation), self.searcher.reader().generation()

    def refreshed(self) -> "_Reader":
        # Not Searcher.refresh(): it reuses the readers of unchanged segments and so
        # misses documents deleted from them (a deleted article kept turning up).
        # up_to_date() is cheap; a new searcher is only opened after a commit.
        if not self.searcher.up_to_date():
            self.searcher.close()
            self.searcher = self.index.searcher()
            self.columns = self.cache.get(self.generation, self.searcher)
        return self

    def close(self) -> None:
        self.searcher.close()


class _AnswerCache:
    """The last answers, keyed by the index state they were computed on.

    A key holds the generation folder and Whoosh's commit number of the searcher
    that answered, so a commit (an `update`, an add) or a rebuild makes every older
    entry unreachable: nothing is served from an index state that is gone. Answers
    are frozen dataclasses, safe to hand to several threads.
    """

    def __init__(self, size: int):
        self.size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict = OrderedDict()

    def get(self, key):
        try:
            hash(key)
        except TypeError:  # a request built with lists instead of tuples: answered, not cached
            return None
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        return None

    def put(self, key, value) -> None:
        try:
            hash(key)
        except TypeError:
            return
        if self.size <= 0:
            return
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


class SearchService:
    """Answers SearchRequests from the index at `root`. Safe to share between threads."""

    def __init__(self, root: Path, pool_size: int = POOL_SIZE, cache_size: int = RESULT_CACHE_SIZE):
        self.root = Path(root)
        self.pool_size = pool_size
        self._answers = _AnswerCache(cache_size)
        self._idle: queue.LifoQueue[_Reader] = queue.LifoQueue()
        self._open = 0
        self._pool_lock = threading.Lock()
        self._columns = _ColumnCache()
        self.registry = load_registry()
        self.kb = load_knowledge_base()

    # -- the one public entry point for searching -------------------------------------
    def search(self, request: SearchRequest) -> SearchResult:
        _validate(request)
        with self._borrow() as reader:
            key = (reader.state, "search", request)
            result = self._answers.get(key)
            if result is None:
                result = self._search(request, reader)
                self._answers.put(key, result)
            return result

    def _search(self, request: SearchRequest, reader: "_Reader") -> SearchResult:
        searcher, cols = reader.searcher, reader.columns
        query = self._parse(request.query, searcher)
        runs: dict = {}  # the query's parts Whoosh itself answers, each run once (see _whoosh_run)

        matched = self._matches(query, searcher, cols, runs)
        outlet_mask = self._outlet_mask(request, cols)
        actor_mask = self._actor_mask(request, cols)
        date_mask = self._date_mask(request, cols)
        final = matched & outlet_mask & actor_mask & date_mask

        facets = Facets(
            outlet=self._outlet_facet(matched & actor_mask & date_mask, cols, request),
            actor=self._actor_facet(final, cols, request),
            **self._date_facets(matched & outlet_mask & actor_mask, cols),
        )
        total = int(final.sum())
        hits = self._page_of_hits(query, request, final, searcher, cols, runs=runs)
        # A spelling suggestion only when the words themselves match nothing, not when the filters leave no hit.
        suggestion = self._cached_suggestion(request.query, query, reader) if not matched.any() and request.query.strip() else None
        groups = cols.group_count_of(final)
        return SearchResult(query=request.query, total=total, page=request.page, per_page=request.per_page,
                            hits=tuple(hits), facets=facets, suggestion=suggestion, groups=groups,
                            all_copies=request.all_copies)

    def article(self, article_id: str) -> Article | None:
        with self._borrow() as reader:
            stored = reader.searcher.document(id=article_id)
        return article_from_stored(stored) if stored else None

    def export(self, request: SearchRequest, limit: int = EXPORT_LIMIT) -> Export:
        """Every hit of `request` in its sort order (its page and per_page ignored), up to `limit`."""
        _validate(replace(request, page=1, per_page=1))
        with self._borrow() as reader:
            searcher, cols = reader.searcher, reader.columns
            query = self._parse(request.query, searcher)
            runs: dict = {}
            final = (self._matches(query, searcher, cols, runs) & self._outlet_mask(request, cols)
                     & self._actor_mask(request, cols) & self._date_mask(request, cols))
            everything = replace(request, page=1, per_page=max(1, limit), all_copies=True)
            hits = self._page_of_hits(query, everything, final, searcher, cols, snippets=False, runs=runs)
        return Export(query=request.query, total=int(final.sum()), limit=limit, hits=tuple(hits))

    def similar(self, article_id: str, limit: int = SIMILAR_LIMIT) -> tuple[Hit, ...]:
        """Articles like this one (Whoosh more-like-this on the body's key terms); () for an unknown id."""
        with self._borrow() as reader:
            key = (reader.state, "similar", article_id, limit)
            found = self._answers.get(key)
            if found is None:
                found = self._similar(article_id, limit, reader)
                self._answers.put(key, found)
            return found

    def _similar(self, article_id: str, limit: int, reader: _Reader) -> tuple[Hit, ...]:
        searcher = reader.searcher
        docnum = searcher.document_number(id=article_id)
        if docnum is None:
            return ()
        # Its own copies are listed apart (copies_of), not as similar articles.
        cols = reader.columns
        same = set(np.flatnonzero(cols.group == cols.group[docnum]).tolist())
        results = searcher.more_like(docnum, "body", top=limit + len(same))
        return tuple(self._hit(hit.docnum, float(hit.score), searcher, set())
                     for hit in results if hit.docnum not in same)[:limit]

    def copies_of(self, article_id: str) -> CopyGroup | None:
        """The copy group of an article, itself included; None for an unknown id."""
        with self._borrow() as reader:
            searcher, cols = reader.searcher, reader.columns
            docnum = searcher.document_number(id=article_id)
            if docnum is None:
                return None
            docs = cols.copy_order(np.flatnonzero(cols.live & (cols.group == cols.group[docnum])))
            members = tuple(self._copy_ref(int(d), searcher) for d in docs)
            dated = [m for d, m in zip(docs.tolist(), members) if cols.precision[d] > 0]
            stored_group = searcher.stored_fields(docnum).get("copy_group") or article_id
            return CopyGroup(stored_group, members, dated[0].id if dated and len(members) > 1 else None)

    def copy_groups(self, min_size: int = 2) -> tuple[CopyGroup, ...]:
        """Every copy group of at least `min_size` articles, largest first (what `search-index dups` lists)."""
        with self._borrow() as reader:
            searcher, cols = reader.searcher, reader.columns
            live = np.flatnonzero(cols.live)
            numbers, counts = np.unique(cols.group[live], return_counts=True)
            big = numbers[counts >= min_size]
            result = []
            for number in big.tolist():
                docs = cols.copy_order(live[cols.group[live] == number])
                members = tuple(self._copy_ref(int(d), searcher) for d in docs)
                dated = [m for d, m in zip(docs.tolist(), members) if cols.precision[d] > 0]
                group_id = searcher.stored_fields(int(docs[0])).get("copy_group") or members[0].id
                result.append(CopyGroup(group_id, members, dated[0].id if dated else None))
        return tuple(sorted(result, key=lambda g: (-len(g.members), g.id)))

    def actor_profile(self, name: str, latest: int = ACTOR_LATEST) -> ActorProfile | None:
        """The profile of the actor `name` stands for (any alias), or None when nothing knows it.

        One search filtered on the actor answers it all, through the same facet
        columns as the search page: no second index, and as fast as a search.
        """
        known = self.kb.lookup(name)
        canonical = known.name if known else name.strip()
        if not canonical:
            return None
        result = self.search(SearchRequest(actors=(canonical,), sort="newest", per_page=latest))
        if result.total == 0 and known is None:
            return None
        key = fold(canonical)
        own = next((v for v in result.facets.actor if fold(v.value) == key), None)
        return ActorProfile(
            name=own.value if own else canonical,
            type=known.type if known else (own.type if own else None),
            aliases=self.kb.aliases_of(known) if known else (),
            result=result,
        )

    def document_count(self) -> int:
        """Live documents in the current generation (raises IndexMissingError without an index)."""
        with self._borrow() as reader:
            return int(reader.columns.live.sum())

    def canonical_outlet(self, name: str) -> str:
        """An outlet as a user wrote it, under the registry's display name when known."""
        return self.registry.display_name(name)

    def canonical_actor(self, name: str) -> str:
        """An actor as a user wrote it (any alias), under the knowledge base's name when known."""
        known = self.kb.lookup(name)
        return known.name if known else name.strip()

    def outlet_key(self, name: str) -> str:
        """What the outlet filter compares: equal keys are the same outlet ("korea times", "The Korea Times")."""
        return fold(self.canonical_outlet(name))

    def actor_key(self, name: str) -> str:
        """What the actor filter compares: equal keys are the same actor ("Putin", "Vladimir Putin")."""
        return fold(self.canonical_actor(name))

    # -- readers ------------------------------------------------------------------------
    @contextmanager
    def _borrow(self) -> Iterator[_Reader]:
        """A searcher no other thread is using, up to date, returned to the pool afterwards.

        Whoosh searchers must not be shared between threads. Each one reads the
        segments through the page cache (store._FileRange), about 40 MB of its own
        at 100k articles, so the pool matches the web server's default 4 threads.
        """
        try:
            reader = self._idle.get_nowait()
        except queue.Empty:
            with self._pool_lock:
                create = self._open < self.pool_size
                if create:
                    self._open += 1
            reader = None if create else self._idle.get()
        try:
            reader = self._fresh(reader)
        except BaseException:
            with self._pool_lock:
                self._open -= 1  # that slot's searcher is gone; the next borrower opens one
            raise
        try:
            yield reader
        finally:
            self._idle.put(reader)

    def _fresh(self, reader: _Reader | None) -> _Reader:
        generation = current_generation(self.root)
        if reader is not None and reader.generation == generation:
            return reader.refreshed()
        if reader is not None:
            reader.close()
        return _Reader(generation, self.root, self._columns)

    # -- query --------------------------------------------------------------------------
    def _parse(self, text: str, searcher) -> Query:
        if not text.strip():
            return Every()
        check_query(text, QUERY_FIELDS)
        parser = qparser.MultifieldParser(list(TEXT_FIELDS), searcher.schema)
        parser.add_plugin(qparser.FieldAliasPlugin({"outlet_text": ["outlet"]}))
        parser.add_plugin(qparser.FuzzyTermPlugin())
        try:
            query = parser.parse(text)
        except Exception as exc:  # Whoosh's parser has corner cases (found by fuzzing) that raise
            raise QueryError(f"cannot understand the query {text!r}; check its quotes, brackets and operators") from exc
        reader = searcher.reader()
        return query.accept(lambda q: self._rewrite(q, reader))

    def _rewrite(self, q: Query, reader) -> Query:
        """Make actor, fuzzy and wildcard terms mean what the user meant, within limits."""
        if isinstance(q, Term) and q.fieldname == "actor":
            # actor:"Putin" means the canonical Vladimir Putin, whatever alias articles used.
            known = self.kb.lookup(q.text)
            return Term("actor", fold(known.name) if known else fold(q.text), boost=q.boost)
        if isinstance(q, FuzzyTerm):
            # Fuzzy candidates come from the unstemmed spelling words ("howitzers"); the
            # index holds stems ("howitz"): stem the candidates.
            words = list(islice(words_within(reader, q.fieldname, q.text, q.maxdist, q.prefixlength), MAX_EXPANSIONS + 1))
            _check_expansion(f"{q.text}~{q.maxdist}", len(words))
            analyzer = reader.schema[q.fieldname].analyzer
            stems = sorted({token.text for word in words for token in analyzer(word)})
            return Or([Term(q.fieldname, stem, boost=q.boost) for stem in stems]) if stems else NullQuery
        if isinstance(q, (Prefix, Wildcard)):
            _check_expansion(q.text, sum(1 for _ in islice(q._btexts(reader), MAX_EXPANSIONS + 1)))
        return q

    @staticmethod
    def _matches(query: Query, searcher, cols: Columns, runs: dict | None = None) -> np.ndarray:
        if isinstance(query, Every):
            return cols.live.copy()
        return _query_mask(query, searcher, cols, runs) & cols.live

    # -- filters ------------------------------------------------------------------------
    def _outlet_ids(self, names: tuple[str, ...], cols: Columns) -> list[int]:
        wanted = {fold(self.registry.display_name(n)) for n in names} | {fold(n) for n in names}
        return [i for i, name in enumerate(cols.outlet_names) if fold(name) in wanted]

    def _outlet_mask(self, request: SearchRequest, cols: Columns) -> np.ndarray:
        mask = np.ones(cols.size, dtype=bool)
        if request.outlets:
            mask &= np.isin(cols.outlet_ids, self._outlet_ids(request.outlets, cols))
        if request.exclude_outlets:
            mask &= ~np.isin(cols.outlet_ids, self._outlet_ids(request.exclude_outlets, cols))
        return mask

    def _actor_ids(self, name: str, cols: Columns) -> list[int]:
        known = self.kb.lookup(name)
        return cols.actor_by_key.get(fold(known.name if known else name), [])

    def _actor_mask(self, request: SearchRequest, cols: Columns) -> np.ndarray:
        mask = np.ones(cols.size, dtype=bool)
        for name in request.actors:  # several actors: articles with all of them
            mask &= cols.docs_with_actor(self._actor_ids(name, cols))
        for name in request.exclude_actors:
            mask &= ~cols.docs_with_actor(self._actor_ids(name, cols))
        return mask

    @staticmethod
    def _date_mask(request: SearchRequest, cols: Columns) -> np.ndarray:
        start = parse_date_bound(request.date_from, "from", end=False)
        end = parse_date_bound(request.date_to, "to", end=True)
        if start and end and start > end:
            raise QueryError(f"from ({request.date_from}) is after to ({request.date_to})")
        if start is None and end is None and not request.undated:
            return np.ones(cols.size, dtype=bool)
        dated = cols.precision > 0
        if start is None and end is None:
            in_range = np.zeros(cols.size, dtype=bool)
        else:
            # An article is in range when the period its date stands for overlaps the range:
            # "2023-11" (month precision) is in from=2023-11-15.
            in_range = dated.copy()
            if start:
                in_range &= cols.day_end >= start.toordinal()
            if end:
                in_range &= cols.day_start <= end.toordinal()
        return in_range | (~dated if request.undated else False)

    # -- facets -------------------------------------------------------------------------
    def _outlet_facet(self, base: np.ndarray, cols: Columns, request: SearchRequest) -> tuple[FacetValue, ...]:
        counts = np.bincount(cols.outlet_ids[base], minlength=len(cols.outlet_names))
        selected = set(self._outlet_ids(request.outlets, cols))
        values = [FacetValue(name, int(counts[i]), selected=i in selected)
                  for i, name in enumerate(cols.outlet_names) if counts[i] or i in selected]
        values.sort(key=lambda v: (not v.selected, -v.count, v.value.casefold()))
        kept = values[:MAX_OUTLET_FACET_VALUES]  # selected outlets first, so they are never cut
        return tuple(sorted(kept, key=lambda v: (-v.count, v.value.casefold())))

    def _actor_facet(self, base: np.ndarray, cols: Columns, request: SearchRequest) -> tuple[FacetValue, ...]:
        if not len(cols.actor_id):
            return ()
        counts = np.bincount(cols.actor_id[base[cols.actor_doc]], minlength=len(cols.actor_names))
        selected = {i for name in request.actors for i in self._actor_ids(name, cols)}
        order = sorted((i for i in range(len(counts)) if counts[i]), key=lambda i: (-counts[i], cols.actor_names[i][0].casefold()))
        return tuple(FacetValue(cols.actor_names[i][0], int(counts[i]), type=cols.actor_names[i][1], selected=i in selected)
                     for i in order[:MAX_ACTOR_FACET_VALUES])

    @staticmethod
    def _date_facets(base: np.ndarray, cols: Columns) -> dict:
        dated = base & (cols.precision > 0)
        years, year_counts = np.unique(cols.year[dated], return_counts=True)
        months, month_counts = np.unique(cols.month[dated & (cols.precision >= 2)], return_counts=True)
        return {
            "year": tuple(FacetValue(str(y), int(c)) for y, c in zip(years.tolist(), year_counts.tolist())),
            "month": tuple(FacetValue(f"{1970 + m // 12:04d}-{m % 12 + 1:02d}", int(c))
                           for m, c in zip(months.tolist(), month_counts.tolist())),
            "undated": int((base & (cols.precision == 0)).sum()),
        }

    # -- hits ---------------------------------------------------------------------------
    def _page_of_hits(self, query: Query, request: SearchRequest, final: np.ndarray, searcher, cols: Columns,
                      snippets: bool = True, runs: dict | None = None) -> list[Hit]:
        """The page of hits of the docs in `final`: by relevance, or by date, undated last."""
        first = (request.page - 1) * request.per_page
        last = first + request.per_page
        if first >= int(final.sum()):
            return []
        by_relevance = request.sort == "relevance" and not isinstance(query, Every)
        if by_relevance:
            page = self._ranked(query, final, searcher, cols, last, collapse=not request.all_copies, runs=runs)[first:last]
        else:
            order = cols.date_order(request.sort)
            ordered = order[final[order]]
            if not request.all_copies:
                ordered = _first_of_each_group(ordered, cols)
            page = [(int(d), None) for d in ordered[first:last]]
        terms = {text for fieldname, text in query.all_terms() if fieldname in TEXT_FIELDS} if not isinstance(query, Every) else set()
        hits = [self._hit(docnum, score, searcher, terms, snippets) for docnum, score in page]
        if request.all_copies:
            return hits
        return [self._with_copies(hit, docnum, final, searcher, cols) for hit, (docnum, _) in zip(hits, page)]

    @staticmethod
    def _ranked(query: Query, final: np.ndarray, searcher, cols: Columns, last: int, collapse: bool,
                runs: dict | None = None) -> list[tuple[int, float]]:
        """The best `last` hits as (doc number, score), best first; with `collapse`, one per copy group.

        Scored as arrays (`_scores`, Whoosh's own BM25F figures) rather than by
        Whoosh's collector, which scores every match through Python matchers and
        ranks documents, not copy groups.
        """
        scores = _scores(query, searcher, cols, runs)
        docs = np.flatnonzero(final)
        # Best first; equal scores in doc-number order, as Whoosh's collector has them.
        ordered = docs[np.lexsort((docs, -scores[docs]))]
        if collapse:
            ordered = _first_of_each_group(ordered, cols)
        return [(int(d), float(scores[d])) for d in ordered[:last]]

    def _with_copies(self, hit: Hit, docnum: int, final: np.ndarray, searcher, cols: Columns) -> Hit:
        others = np.flatnonzero(final & (cols.group == cols.group[docnum]))
        others = cols.copy_order(others[others != docnum])
        if not others.size:
            return hit
        refs = tuple(self._copy_ref(int(d), searcher) for d in others[:MAX_COPIES_LISTED])
        return replace(hit, copy_count=int(others.size), copies=refs)

    @staticmethod
    def _copy_ref(docnum: int, searcher) -> CopyRef:
        stored = searcher.stored_fields(docnum)
        return CopyRef(stored["id"], stored.get("title") or "", stored.get("outlet") or "unknown", stored.get("published"))

    def _hit(self, docnum: int, score: float | None, searcher, terms: set, snippet: bool = True) -> Hit:
        stored = searcher.stored_fields(docnum)
        article = article_from_stored(stored)
        return Hit(
            id=article.id,
            title=article.title,
            outlet=article.outlet,
            author=article.author,
            published=article.published.label if article.published else None,
            date_precision=article.date_precision,
            score=round(score, 4) if score is not None else None,
            snippet=_snippet(stored.get("body") or "", terms, searcher.schema["body"].analyzer) if snippet else "",
            actors=tuple(ActorRef(a.name, a.type) for a in article.actors),
            copy_group=stored.get("copy_group") or article.id,
        )

    # -- spelling -----------------------------------------------------------------------
    def _cached_suggestion(self, text: str, query: Query, reader: _Reader) -> str | None:
        """The suggestion for a query text, computed once per index state whatever the filters and page.

        Looking for near words runs an automaton over the whole lexicon (~0.15 s a word
        at 100k articles), the costliest part of a search that finds nothing.
        """
        key = (reader.state, "suggestion", text)
        found = self._answers.get(key)
        if found is None:
            found = (self._suggestion(text, query, reader.searcher),)
            self._answers.put(key, found)
        return found[0]

    @staticmethod
    def _suggestion(text: str, query: Query, searcher) -> str | None:
        # Whoosh corrects every (field, word) the index lacks, so a word found in the body
        # but in no title ("K9") was "corrected" to another title word. Misspelt means:
        # in none of the fields searched.
        reader = searcher.reader()
        unknown = [(field, word) for field, word in query.all_terms()
                   if field in TEXT_FIELDS and not any((other, word) in reader for other in TEXT_FIELDS)]
        if not unknown:
            return None
        correctors = {field: _SpellingWords(reader, field) for field, _ in unknown}
        try:
            corrected = searcher.correct_query(query, text, correctors=correctors, terms=unknown)
        except Exception:  # a suggestion is a nicety; never fail a search for it
            return None
        if corrected.query != query and corrected.string != text:
            return corrected.string
        return None


def words_within(reader, fieldname: str, text: str, maxdist: int, prefix: int = 0) -> Iterator[str]:
    """The spelling words (unstemmed) of a field within `maxdist` edits of `text`.

    Whoosh's automaton for the edit distance runs over one sorted list of the words of
    every segment, read once per set of segments. Whoosh runs it over one segment's words; over
    several (an index after any update; a build of 2,000 articles or more) it compared
    every word in Python, 1.3 s against 4 ms over 120,000 words, with a swap of two
    letters as one edit where a segment counts two, and given the main field it read
    the stems (found in review). Running it segment by segment cost 1.4 s a word at
    distance 2 over the seven segments of a 100k build.
    """
    automaton = Automata.levenshtein_dfa(text, maxdist, prefix)
    return Automata.find_matches(automaton, _WordCursor(_spelling_words(reader, fieldname)))


_WORD_LISTS: OrderedDict = OrderedDict()  # (segment ids, field) -> sorted words, for the last few index states
_WORD_LISTS_KEPT = 4
_WORD_LISTS_LOCK = threading.Lock()


def _spelling_words(reader, fieldname: str) -> list[str]:
    """Every spelling word of a field in the reader's segments, sorted; read once per set of segments."""
    segments = [segment for segment, _ in reader.leaf_readers()]
    key = (tuple(segment.segment().segment_id() for segment in segments), fieldname)
    with _WORD_LISTS_LOCK:
        if key not in _WORD_LISTS:
            words_field = reader.schema[fieldname].spelling_fieldname(fieldname)
            _WORD_LISTS[key] = sorted({word.decode("utf-8") for segment in segments for word in segment.lexicon(words_field)})
            while len(_WORD_LISTS) > _WORD_LISTS_KEPT:
                _WORD_LISTS.popitem(last=False)
        _WORD_LISTS.move_to_end(key)
        return _WORD_LISTS[key]


class _WordCursor:
    """What Whoosh's automaton asks of a term cursor (the current word; move to the first word >= a text), over a sorted list."""

    def __init__(self, words: list[str]):
        self._words = words
        self._at = 0

    def text(self) -> str | None:
        return self._words[self._at] if self._at < len(self._words) else None

    def find(self, term: str) -> None:
        self._at = bisect_left(self._words, term)


class _SpellingWords(ReaderCorrector):
    """Whoosh's corrector (nearest words first, then the most frequent), its words from `words_within`."""

    def __init__(self, reader, fieldname: str):
        super().__init__(reader, fieldname, reader.schema[fieldname])

    def _suggestions(self, text: str, maxdist: int, prefix: int):
        for word in words_within(self.reader, self.fieldname, text, maxdist, prefix):
            yield -(maxdist + 0.5 / (self.reader.frequency(self.fieldname, word) or 1)), word


def _query_mask(query: Query, searcher, cols: Columns, runs: dict | None = None) -> np.ndarray:
    """Doc number -> matches `query` (deleted documents not yet removed), without scoring.

    Terms and the boolean operators over them are answered from the posting blocks
    with numpy: Whoosh's docs_for_query walks every posting through Python matchers,
    which cost ~100 ms a query for common words at 100k articles. Anything else
    (phrases, ranges, prefixes, ...) goes to `_whoosh_run`.
    """
    if isinstance(query, Every):
        return np.ones(cols.size, dtype=bool)
    if query is NullQuery or isinstance(query, type(NullQuery)):
        return np.zeros(cols.size, dtype=bool)
    if type(query) is Term:
        return _term_mask(query.fieldname, query.text, searcher, cols.size, runs)
    if type(query) is And:
        mask = np.ones(cols.size, dtype=bool)
        for sub in query.subqueries:
            mask &= _query_mask(sub, searcher, cols, runs)
        return mask
    if type(query) in (Or, DisjunctionMax) and getattr(query, "minmatch", 0) in (0, 1, None):
        mask = np.zeros(cols.size, dtype=bool)
        for sub in query.subqueries:
            mask |= _query_mask(sub, searcher, cols, runs)
        return mask
    if type(query) is AndNot:
        return _query_mask(query.a, searcher, cols, runs) & ~_query_mask(query.b, searcher, cols, runs)
    if type(query) is Not:
        return ~_query_mask(query.query, searcher, cols, runs)
    return _whoosh_run(query, searcher, cols, runs)[0]


def _term_mask(fieldname: str, text, searcher, size: int, runs: dict | None = None) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    for postings in _term_postings(fieldname, text, searcher, runs).values():
        mask[postings.ids] = True
    return mask


@dataclass
class _Postings:
    """One segment's postings of a term: doc numbers (offset into the whole index), weights, raw values."""
    btext: bytes
    ids: np.ndarray
    weights: np.ndarray
    values: list  # Whoosh's encoded value of each posting (word positions, for a phrase)


def _term_postings(fieldname: str, text, searcher, runs: dict | None) -> dict[int, _Postings]:
    """A term's postings in each segment (by the segment's first doc number), read once per request.

    A block is unpickled and decompressed as a whole, so the match mask, the scores
    and a phrase's positions share one read (reading it twice was a third of a
    common word's search).
    """
    key = ("term", fieldname, text)
    if runs is not None and key in runs:
        return runs[key]
    found = {}
    for leaf, offset in searcher.reader().leaf_readers():
        if (fieldname, text) not in leaf:
            continue
        btext = leaf._text_to_bytes(fieldname, text)
        ids, weights, values = _postings(leaf._terms.matcher(fieldname, btext, leaf.schema[fieldname].format))
        found[offset] = _Postings(btext, ids + offset, weights, values)
    if runs is not None:
        runs[key] = found
    return found


def _scores(query: Query, searcher, cols: Columns, runs: dict | None = None) -> np.ndarray:
    """Doc number -> the score Whoosh's matchers give `query` with its default weighting, BM25F.

    Meaningful only where the query matches. Whoosh scores every match through a
    tree of Python matchers (50-100 ms for a common word at 100k articles); here a
    term's postings are read a block at a time and scored as arrays. A conjunction
    or disjunction adds its parts' scores, as Whoosh's matchers do. Other parts
    (phrases, prefixes, ranges) keep the scores of the pass that matched them (`_whoosh_run`).
    """
    if query is NullQuery:
        return np.zeros(cols.size)
    if type(query) is Not:  # Whoosh's InverseMatcher: 1.0 for every document it lets through
        return (~_query_mask(query.query, searcher, cols, runs)).astype(np.float64)
    if type(query) is Term:
        part = _term_scores(query.fieldname, query.text, searcher, cols, runs)
    elif type(query) in (And, Or) and getattr(query, "scale", None) is None and getattr(query, "minmatch", 0) in (0, 1, None):
        if len(query.subqueries) == 1:  # Whoosh answers it with the subquery's matcher, without this boost
            return _scores(query.subqueries[0], searcher, cols, runs)
        part = np.sum([_scores(sub, searcher, cols, runs) for sub in query.subqueries], axis=0)
    elif type(query) is AndNot:
        part = _scores(query.a, searcher, cols, runs)
    else:
        return _whoosh_run(query, searcher, cols, runs)[1]  # its matcher applied any boost
    if query.boost != 1.0:
        part = part * query.boost
    return part


def _whoosh_run(query: Query, searcher, cols: Columns, runs: dict | None) -> tuple[np.ndarray, np.ndarray]:
    """(match mask, scores) of a query part that is not a term or a boolean operator, from one pass.

    A phrase of adjacent words is matched from its words' postings (`_phrase_run`);
    anything else by Whoosh's own scored matchers. The pass that finds the matches
    keeps their scores, and `runs` (one per request) keeps the pass for the ranking
    that follows, so a phrase's positions are read once.
    """
    key = id(query)  # the parsed query lives as long as the request and its `runs`
    if runs is not None and key in runs:
        return runs[key]
    if type(query) is Phrase and (found := _phrase_run(query, searcher, cols, runs)) is not None:
        if runs is not None:
            runs[key] = found
        return found
    mask = np.zeros(cols.size, dtype=bool)
    scores = np.zeros(cols.size)
    context = searcher.context()
    for subsearcher, offset in searcher.leaf_searchers():
        matcher = query.matcher(subsearcher, context)
        ids, values = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            values.append(matcher.score())
            matcher.next()
        ids_array = np.array(ids, dtype=np.int64) + offset
        mask[ids_array] = True
        scores[ids_array] = values
    if runs is not None:
        runs[key] = (mask, scores)
    return mask, scores


def _phrase_run(query: Phrase, searcher, cols: Columns, runs: dict | None) -> tuple[np.ndarray, np.ndarray] | None:
    """(match mask, scores) of a phrase of adjacent words, from postings; None for Whoosh to answer.

    Whoosh walks the words' posting lists in step and unpickles positions in its
    matchers (~200 ms for two common words at 100k articles). A body phrase is
    looked up as its word pairs instead (schema.WORD_PAIRS): two words are one
    term, more are pairs at adjacent positions, and pairs are rare even where
    their words are common. The score is Whoosh's for the phrase of pairs (the sum
    of its terms' scores), so a phrase ranks by how often the words occur together.
    """
    fieldname, words = query.fieldname, list(query.words)
    if query.slop != 1 or len(words) < 2 or fieldname not in searcher.schema:
        return None
    if WORD_PAIRS.get(fieldname) in searcher.schema:
        fieldname, words = WORD_PAIRS[fieldname], [f"{a} {b}" for a, b in zip(words, words[1:])]
    field_format = searcher.schema[fieldname].format
    if len(words) == 1:
        mask = _term_mask(fieldname, words[0], searcher, cols.size, runs)
    elif field_format and field_format.supports("positions"):
        mask = _adjacent_words_mask(fieldname, words, field_format, searcher, cols, runs)
    else:
        return None
    scores = np.sum([_term_scores(fieldname, word, searcher, cols, runs) for word in words], axis=0) * query.boost
    return mask, np.where(mask, scores, 0.0)


def _adjacent_words_mask(fieldname: str, words: list[str], field_format, searcher, cols: Columns,
                         runs: dict | None) -> np.ndarray:
    """Doc number -> the words occur one after the other: documents holding every word
    are intersected as arrays, and positions are read only for those."""
    mask = np.zeros(cols.size, dtype=bool)
    per_word = [_term_postings(fieldname, word, searcher, runs) for word in words]
    for offset in set.intersection(*(set(postings) for postings in per_word)):
        segment = [postings[offset] for postings in per_word]
        candidates = segment[0].ids
        where = [np.arange(len(candidates))]  # per word: the index of each candidate in its postings
        for postings in segment[1:]:
            candidates, keep, found = np.intersect1d(candidates, postings.ids, assume_unique=True, return_indices=True)
            where = [w[keep] for w in where] + [found]
        for j, doc in enumerate(candidates.tolist()):
            ends = None  # where a run of the phrase's first words ends; a word's positions are read only if needed
            for postings, w in zip(segment, where):
                positions = field_format.decode_as("positions", postings.values[w[j]])
                ends = set(positions) if ends is None else {p for p in positions if p - 1 in ends}
                if not ends:
                    break
            mask[doc] = bool(ends)
    return mask


def _term_scores(fieldname: str, text, searcher, cols: Columns, runs: dict | None = None) -> np.ndarray:
    """Whoosh's BM25F score of one term in every document (0 where it is absent)."""
    scores = np.zeros(cols.size)
    if fieldname not in searcher.schema:
        return scores
    weighting = searcher.weighting
    lengths = cols.lengths.get(fieldname)
    for postings in _term_postings(fieldname, text, searcher, runs).values():
        btext, ids, weights = postings.btext, postings.ids, postings.weights
        if lengths is None:  # not scorable (keywords): the weight is the score
            scores[ids] = weights
            continue
        B = weighting._field_B.get(fieldname, weighting.B)
        K1 = weighting.K1
        idf = searcher.idf(fieldname, btext)
        avgfl = searcher.avg_field_length(fieldname) or 1
        fl = lengths[ids]
        scores[ids] = idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * fl / avgfl)))
    return scores


def _postings(matcher) -> tuple[np.ndarray, np.ndarray, list]:
    """Doc numbers, weights (term frequency times field boost) and raw values of one segment's postings of a term."""
    if type(matcher) is not W3LeafMatcher:  # short posting lists are inlined in the term info
        ids, weights, values = [], [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            values.append(matcher.value())
            matcher.next()
        return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64), values
    id_blocks, weight_blocks, values = [], [], []
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        if matcher._weights is None:
            matcher._read_weights()
        if matcher._values is None:
            matcher._read_values()
        id_blocks.append(np.asarray(matcher._ids, dtype=np.int64))
        weight_blocks.append(np.asarray(matcher._weights, dtype=np.float64))
        values.extend(matcher._values)
        matcher._next_block()
    if not id_blocks:
        return np.zeros(0, dtype=np.int64), np.zeros(0), []
    return np.concatenate(id_blocks), np.concatenate(weight_blocks), values


def _posting_ids(matcher) -> np.ndarray:
    """The doc numbers of one segment's postings of a term, a block at a time (weights and values left unread)."""
    if type(matcher) is not W3LeafMatcher:
        return _postings(matcher)[0]
    blocks = []
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        blocks.append(np.asarray(matcher._ids, dtype=np.int64))
        matcher._next_block()
    return np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int64)


def _field_lengths(reader, fieldname: str, size: int) -> np.ndarray:
    """Doc number -> the field's length as Whoosh's scorer sees it (stored in a byte, so rounded; 1 when empty)."""
    decode = np.array([byte_to_length(b) or 1 for b in range(256)], dtype=np.float64)
    lengths = np.ones(size)
    for leaf, offset in reader.leaf_readers():
        column = leaf._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is not None:
            codes = raw_numbers(column, leaf.doc_count_all())
            lengths[offset:offset + len(codes)] = decode[codes]
    return lengths


def _validate(request: SearchRequest) -> None:
    if request.sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}, got {request.sort!r}")
    if not 1 <= request.page <= MAX_PAGE:
        raise QueryError(f"page must be between 1 and {MAX_PAGE}, got {request.page}")
    if not 1 <= request.per_page <= MAX_PER_PAGE:
        raise QueryError(f"per_page (limit) must be between 1 and {MAX_PER_PAGE}, got {request.per_page}")


def _positions(values: Iterable[str], ordered: bool) -> dict[str, int]:
    """Each distinct value -> its index among them: sorted if `ordered`, else as first seen.

    Copy groups need no order, and sorting 100,000 of them cost more than the rest of a new index state.
    """
    position: dict[str, int] = {}
    for value in values:
        position.setdefault(value, len(position))
    if ordered:
        position = {value: i for i, value in enumerate(sorted(position))}
    return position


def _codes(values: list[str], ordered: bool = True) -> tuple[list[str], np.ndarray]:
    """(the distinct values, in `_positions` order; each value's index among them)."""
    position = _positions(values, ordered)
    return list(position), np.fromiter((position[v] for v in values), dtype=np.int64, count=len(values))


def _joined(parts: list[_SegmentColumns], attribute: str, dtype) -> np.ndarray:
    return np.concatenate([getattr(part, attribute) for part in parts]).astype(dtype) if parts else np.zeros(0, dtype=dtype)


def _joined_codes(parts: list[_SegmentColumns], names: str, codes: str, size: int,
                  ordered: bool = True) -> tuple[list[str], np.ndarray]:
    """The segments' coded columns as one: (all distinct values, in `_positions` order; each document's index among them)."""
    position = _positions((name for part in parts for name in getattr(part, names)), ordered)
    joined = [np.array([position[name] for name in getattr(part, names)], dtype=np.int64)[getattr(part, codes)]
              for part in parts]
    return list(position), (np.concatenate(joined) if joined else np.zeros(size, dtype=np.int64))


def _first_of_each_group(ordered: np.ndarray, cols: Columns) -> np.ndarray:
    """The docs in their order, keeping only the first of each copy group."""
    groups = cols.group[ordered]
    first = np.full(cols.group_count, len(ordered), dtype=np.int64)
    np.minimum.at(first, groups, np.arange(len(ordered), dtype=np.int64))
    return ordered[first[groups] == np.arange(len(ordered))]


def _check_expansion(term: str, count: int) -> None:
    if count > MAX_EXPANSIONS:
        raise QueryError(f"'{term}' matches more than {MAX_EXPANSIONS} different words; make it more specific")


def _snippet(body: str, terms: set, analyzer) -> str:
    """Up to two fragments around the matched words, HTML-escaped, matches in <mark>."""
    if terms:
        text = " ".join(_likely_paragraphs(body, terms).split())
        fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60)
        formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
        marked = highlight.highlight(text, terms, analyzer, fragmenter, formatter, top=2)
        if marked:
            return _MARK_CLASS.sub("<mark>", marked)
    body = " ".join(body.split())
    lead = body[:SNIPPET_CHARS]
    if len(body) > SNIPPET_CHARS:
        lead = lead.rsplit(" ", 1)[0] + " …"
    return str(escape(lead))


def _likely_paragraphs(body: str, terms: set) -> str:
    """The two paragraphs with the most matches, found by a cheap prefix test.

    Whoosh's highlighter stems every word it is given (4 ms for a long article),
    so it is given only these. A stem is close to a prefix of its words
    ("howitz" of "howitzers", "happi" -> "happ" of "happy"); when nothing
    matches that way, the whole body is used.
    """
    needles = [t.lower()[: max(3, len(t) - 1)] for t in terms if isinstance(t, str)]
    paragraphs = body.split("\n\n")
    scored = [(sum(p.lower().count(n) for n in needles), i) for i, p in enumerate(paragraphs)]
    best = sorted(i for score, i in sorted(scored, reverse=True)[:2] if score)
    return "\n\n".join(_around_first_match(paragraphs[i], needles) for i in best) if best else body


def _around_first_match(paragraph: str, needles: list[str], before: int = 2 * SNIPPET_CHARS,
                        after: int = 3 * SNIPPET_CHARS) -> str:
    """The part of a long paragraph around its first match: enough for a fragment, a
    fraction of the words to stem (a wire story's paragraph can be thousands of characters)."""
    if len(paragraph) <= before + after or not needles:
        return paragraph
    # Searched case-insensitively in the paragraph itself: lower() can change a text's
    # length ("İ" becomes two characters), which would shift the offsets.
    match = re.search("|".join(map(re.escape, needles)), paragraph, re.IGNORECASE)
    first = match.start() if match else 0
    start, end = max(0, first - before), first + after
    # Whole words where the window has spaces to cut at (CJK text or one long token may not).
    if start > 0 and 0 <= (space := paragraph.find(" ", start, first)):
        start = space + 1
    if end < len(paragraph) and (space := paragraph.rfind(" ", first, end)) > first:
        end = space
    return paragraph[start:end]