"""The search page's whole state lives in its URL: parse it, change it, write it back.

A `SearchState` is what the URL says (q, outlet, actor, not_outlet, not_actor, from,
to, undated, sort, page, per_page, copies). Views derive every link from it — toggling a
facet value, removing a chip, changing the sort or the page — so templates only
print URLs they are given. Any change of filters goes back to page 1.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Iterable, Mapping
from urllib.parse import urlencode

from indexer.errors import QueryError
from indexer.search import SearchRequest

DEFAULT_PER_PAGE = 10
TRUE_WORDS = frozenset({"1", "true", "on", "yes"})
LIST_FIELDS = {"outlets": "outlet", "actors": "actor", "not_outlets": "not_outlet", "not_actors": "not_actor"}
_OPPOSITE = {"outlets": "not_outlets", "not_outlets": "outlets", "actors": "not_actors", "not_actors": "actors"}

Key = Callable[[str], str]  # folds a name so that aliases compare equal ("Putin" ~ "Vladimir Putin")


def _same(value: str) -> str:
    return value.casefold()


def _whole_number(args: Mapping, name: str, default: int) -> int:
    text = (args.get(name) or "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise QueryError(f"{name} must be a whole number, got {text!r}") from None


def _values(args, name: str) -> tuple[str, ...]:
    """A repeatable parameter: stripped, empty ones dropped, duplicates dropped (first kept)."""
    seen: dict[str, str] = {}
    for raw in args.getlist(name):
        value = raw.strip()
        if value and value.casefold() not in seen:
            seen[value.casefold()] = value
    return tuple(seen.values())


def _copies_mode(args: Mapping) -> bool:
    """copies=all shows every copy; copies=folded (or nothing) folds them under one hit."""
    text = (args.get("copies") or "").strip().lower()
    if text not in ("", "all", "folded"):
        raise QueryError(f"copies must be 'all' or 'folded', got {text!r}")
    return text == "all"


def _drop(values: tuple[str, ...], value: str, key: Key) -> tuple[str, ...]:
    wanted = key(value)
    return tuple(v for v in values if key(v) != wanted)


@dataclass(frozen=True)
class SearchState:
    q: str = ""
    outlets: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    not_outlets: tuple[str, ...] = ()
    not_actors: tuple[str, ...] = ()
    date_from: str = ""
    date_to: str = ""
    undated: bool = False
    sort: str = ""  # "" = the default: relevance for a query, newest for an empty one
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    all_copies: bool = False  # copies=all: every syndicated copy a hit of its own (default: folded)

    # -- reading ------------------------------------------------------------------------
    @classmethod
    def from_args(cls, args) -> "SearchState":
        """From request.args (a MultiDict). A page that is not a number is a QueryError (HTTP 400)."""
        return cls(
            q=(args.get("q") or "").strip(),
            outlets=_values(args, "outlet"),
            actors=_values(args, "actor"),
            not_outlets=_values(args, "not_outlet"),
            not_actors=_values(args, "not_actor"),
            date_from=(args.get("from") or "").strip(),
            date_to=(args.get("to") or "").strip(),
            undated=(args.get("undated") or "").strip().lower() in TRUE_WORDS,
            sort=(args.get("sort") or "").strip(),
            page=_whole_number(args, "page", 1),
            per_page=_whole_number(args, "per_page", DEFAULT_PER_PAGE),
            all_copies=_copies_mode(args),
        )

    @property
    def effective_sort(self) -> str:
        """The order hits come in: an empty query has no relevance, so it is newest unless oldest."""
        if not self.q:
            return "oldest" if self.sort == "oldest" else "newest"
        return self.sort or "relevance"

    @property
    def has_filters(self) -> bool:
        return bool(self.outlets or self.actors or self.not_outlets or self.not_actors
                    or self.date_from or self.date_to or self.undated)

    def to_request(self) -> SearchRequest:
        return SearchRequest(
            query=self.q,
            outlets=self.outlets,
            actors=self.actors,
            date_from=self.date_from or None,
            date_to=self.date_to or None,
            undated=self.undated,
            exclude_outlets=self.not_outlets,
            exclude_actors=self.not_actors,
            sort=self.sort or ("relevance" if self.q else "newest"),
            page=self.page,
            per_page=self.per_page,
            all_copies=self.all_copies,
        )

    # -- writing ------------------------------------------------------------------------
    def params(self, leave_out: Iterable[str] = ()) -> list[tuple[str, str]]:
        """URL parameters in a fixed order, defaults left out."""
        pairs: list[tuple[str, str]] = []
        if self.q:
            pairs.append(("q", self.q))
        for field_name, param in LIST_FIELDS.items():
            pairs.extend((param, value) for value in getattr(self, field_name))
        if self.date_from:
            pairs.append(("from", self.date_from))
        if self.date_to:
            pairs.append(("to", self.date_to))
        if self.undated:
            pairs.append(("undated", "1"))
        if self.sort:
            pairs.append(("sort", self.sort))
        if self.page != 1:
            pairs.append(("page", str(self.page)))
        if self.per_page != DEFAULT_PER_PAGE:
            pairs.append(("per_page", str(self.per_page)))
        if self.all_copies:
            pairs.append(("copies", "all"))
        skip = set(leave_out)
        return [(name, value) for name, value in pairs if name not in skip]

    def url(self, path: str = "/", leave_out: Iterable[str] = ()) -> str:
        query = urlencode(self.params(leave_out))
        return f"{path}?{query}" if query else path

    # -- changing -----------------------------------------------------------------------
    def with_filter(self, field_name: str, value: str, key: Key = _same) -> "SearchState":
        """Add VALUE to a list filter (outlets, actors, not_outlets, not_actors); it leaves the opposite list."""
        opposite = _OPPOSITE[field_name]
        return replace(self, page=1, **{
            field_name: _drop(getattr(self, field_name), value, key) + (value,),
            opposite: _drop(getattr(self, opposite), value, key),
        })

    def without_filter(self, field_name: str, value: str, key: Key = _same) -> "SearchState":
        """Remove VALUE, and every alias of it, from a list filter."""
        return replace(self, page=1, **{field_name: _drop(getattr(self, field_name), value, key)})

    def toggled(self, field_name: str, value: str, on: bool, key: Key = _same) -> "SearchState":
        return self.with_filter(field_name, value, key) if on else self.without_filter(field_name, value, key)

    def with_query(self, q: str) -> "SearchState":
        return replace(self, page=1, q=q.strip())

    def with_dates(self, date_from: str, date_to: str) -> "SearchState":
        return replace(self, page=1, date_from=date_from, date_to=date_to)

    def with_undated(self, undated: bool) -> "SearchState":
        return replace(self, page=1, undated=undated)

    def with_sort(self, sort: str) -> "SearchState":
        return replace(self, page=1, sort=sort)

    def with_page(self, page: int) -> "SearchState":
        return replace(self, page=page)

    def with_per_page(self, per_page: int) -> "SearchState":
        return replace(self, page=1, per_page=per_page)

    def with_all_copies(self, all_copies: bool) -> "SearchState":
        return replace(self, page=1, all_copies=all_copies)

    def cleared(self) -> "SearchState":
        """No filters; the query, sort, page size and copies switch stay."""
        return SearchState(q=self.q, sort=self.sort, per_page=self.per_page, all_copies=self.all_copies)
