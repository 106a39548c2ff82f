"""What the search page shows, as data: facet values with the URLs that toggle them,
filter chips, the date histogram's bars, sort links, the pager.

Everything here is computed from a SearchResult and the SearchState of the URL, so
templates only loop and print. Names are compared through `Names` (the search
service), which knows that "Putin" and "Vladimir Putin" are one actor.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from markupsafe import Markup

from indexer.querylang import parse_date_bound
from indexer.search import CopyGroup, FacetValue, Hit, SearchResult

from .urls import SearchState

TOP_VALUES = 6  # facet values shown before "more"
HIT_ACTORS = 6  # actors listed under a hit
PER_PAGE_CHOICES = (10, 25, 50, 100)
MONTH_VIEW_MAX = 24  # the histogram shows months when the span is at most this many
MIN_SLOTS = 8  # a histogram of fewer bars keeps the bar width of eight
COUNT_DIGIT_WIDTH = 7.5  # room a digit of a count above a bar takes (SVG units); counts that do not fit are left out
MAX_YEAR_LABELS = 6  # years labelled under the bars; the others are in each bar's title
MAX_MONTH_LABELS = 36  # months labelled one by one; a longer timeline labels its years
ACTOR_GROUPS = (("person", "People"), ("country", "Countries"), ("organisation", "Organisations"))
SORT_LABELS = (("relevance", "Relevance"), ("newest", "Newest"), ("oldest", "Oldest"))
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class Names(Protocol):
    def outlet_key(self, name: str) -> str: ...
    def actor_key(self, name: str) -> str: ...
    def canonical_outlet(self, name: str) -> str: ...
    def canonical_actor(self, name: str) -> str: ...


# -- facet values ------------------------------------------------------------------------
@dataclass(frozen=True)
class FacetLink:
    value: str
    count: int
    selected: bool
    excluded: bool
    url: str  # selects it, or unselects it when selected
    exclude_url: str  # excludes it (NOT), or lifts the exclusion
    type: str | None = None


@dataclass(frozen=True)
class FacetGroup:
    name: str  # "outlet", "person", ...
    label: str
    top: tuple[FacetLink, ...]
    more: tuple[FacetLink, ...]  # collapsed behind "more"

    @property
    def values(self) -> tuple[FacetLink, ...]:
        return self.top + self.more


def _facet_link(value: FacetValue, state: SearchState, field: str, key) -> FacetLink:
    not_field = f"not_{field}"
    excluded = key(value.value) in {key(v) for v in getattr(state, not_field)}
    return FacetLink(
        value=value.value,
        count=value.count,
        selected=value.selected,
        excluded=excluded,
        url=state.toggled(field, value.value, not value.selected, key).url(),
        exclude_url=state.toggled(not_field, value.value, not excluded, key).url(),
        type=value.type,
    )


def _group(name: str, label: str, links: list[FacetLink]) -> FacetGroup:
    # Chosen and excluded values are never hidden behind "more".
    pinned = [link for link in links if link.selected or link.excluded]
    rest = [link for link in links if not (link.selected or link.excluded)]
    ordered = pinned + rest
    cut = max(TOP_VALUES, len(pinned))
    return FacetGroup(name, label, tuple(ordered[:cut]), tuple(ordered[cut:]))


def outlet_group(result: SearchResult, state: SearchState, names: Names) -> FacetGroup:
    links = [_facet_link(v, state, "outlets", names.outlet_key) for v in result.facets.outlet]
    return _group("outlet", "Outlet", links)


def actor_groups(result: SearchResult, state: SearchState, names: Names) -> list[FacetGroup]:
    """The actor facet split by type: people, countries, organisations (empty groups left out)."""
    groups = []
    for actor_type, label in ACTOR_GROUPS:
        links = [_facet_link(v, state, "actors", names.actor_key) for v in result.facets.actor if v.type == actor_type]
        if links:
            groups.append(_group(actor_type, label, links))
    return groups


# -- chips ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Chip:
    kind: str  # "Outlet", "Not outlet", "Actor", "Not actor", "From", "To", "Date"
    label: str
    remove_url: str
    negative: bool = False


def chips(state: SearchState, names: Names) -> list[Chip]:
    """Active filters, each with the URL that removes it."""
    result = []
    for field, kind, canonical, key in (
        ("outlets", "Outlet", names.canonical_outlet, names.outlet_key),
        ("actors", "Actor", names.canonical_actor, names.actor_key),
        ("not_outlets", "Not outlet", names.canonical_outlet, names.outlet_key),
        ("not_actors", "Not actor", names.canonical_actor, names.actor_key),
    ):
        for value in getattr(state, field):
            result.append(Chip(kind, canonical(value), state.without_filter(field, value, key).url(),
                               negative=field.startswith("not_")))
    if state.date_from:
        result.append(Chip("From", state.date_from, state.with_dates("", state.date_to).url()))
    if state.date_to:
        result.append(Chip("To", state.date_to, state.with_dates(state.date_from, "").url()))
    if state.undated:
        result.append(Chip("Date", "undated", state.with_undated(False).url()))
    return result


# -- date histogram ------------------------------------------------------------------------
@dataclass(frozen=True)
class Bar:
    period: str  # "2023" or "2023-11": what from/to are set to
    label: str  # axis label: the year, or the month's name
    sublabel: str  # the year under a month view's first bar and under each January
    count: int
    selected: bool
    url: str | None  # None for an empty bar
    x: float
    y: float
    width: float
    height: float

    @property
    def text_x(self) -> float:
        return round(self.x + self.width / 2, 2)

    @property
    def count_y(self) -> float:
        return round(self.y - 3, 2)

    @property
    def title(self) -> str:
        noun = "article" if self.count == 1 else "articles"
        return f"{self.period}: {self.count} {noun}"


@dataclass(frozen=True)
class Histogram:
    unit: str  # "year" or "month"
    bars: tuple[Bar, ...]
    year_only: int  # articles dated only to a year, not drawn in a month view
    undated: FacetLink
    width: int = 240
    height: int = 106
    chart_top: int = 14  # room for the counts above the bars
    chart_height: int = 62
    show_counts: bool = True

    @property
    def baseline(self) -> int:
        return self.chart_top + self.chart_height

    @property
    def label_y(self) -> int:
        return self.baseline + 13

    @property
    def sublabel_y(self) -> int:
        return self.baseline + 26


def _months_between(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _period_bounds(period: str) -> tuple[dt.date, dt.date]:
    return parse_date_bound(period, "period", end=False), parse_date_bound(period, "period", end=True)


def _selected_range(state: SearchState) -> tuple[dt.date | None, dt.date | None]:
    return (parse_date_bound(state.date_from or None, "from", end=False),
            parse_date_bound(state.date_to or None, "to", end=True))


def _span(result: SearchResult, state: SearchState, by_month: bool = False) -> tuple[str, list[str]]:
    """("month", months) when the span to show is short (or `by_month`), else ("year", years).

    A long archive is drawn by year; once a date range is chosen, the whole years it
    touches are drawn by month when they are few enough (a drill-down).
    """
    years = [int(v.value) for v in result.facets.year]
    months = [v.value for v in result.facets.month]
    if by_month and months:
        return "month", _months_between(min(months), max(months))
    first_year, last_year = min(years), max(years)
    first = min([m for m in months if m.startswith(f"{first_year:04d}")] or [f"{first_year:04d}-01"])
    last = max([m for m in months if m.startswith(f"{last_year:04d}")] or [f"{last_year:04d}-12"])
    span = _months_between(first, last)
    if months and len(span) > MONTH_VIEW_MAX:
        start, end = _selected_range(state)
        if start:
            first = max(first, f"{start.year:04d}-01")
        if end:
            last = min(last, f"{end.year:04d}-12")
        span = _months_between(first, last)
    if months and 0 < len(span) <= MONTH_VIEW_MAX:
        return "month", span
    return "year", [str(y) for y in range(first_year, last_year + 1)]


def _bar_labels(unit: str, period: str, index: int, count: int) -> tuple[str, str]:
    """(label, sublabel) under a bar: a year (every few years when there are many); or a
    month (its initial when there are many), with the year under the first bar and January."""
    if unit == "year":
        step = -(-count // MAX_YEAR_LABELS)
        return (period if index % step == 0 else ""), ""
    month = int(period[5:7])
    if count > MAX_MONTH_LABELS:  # a long timeline: the year under each January (and the first bar)
        return (period[:4] if index == 0 or month == 1 else ""), ""
    name = MONTH_NAMES[month - 1]
    return (name if count <= 8 else name[0]), (period[:4] if index == 0 or month == 1 else "")


def histogram(result: SearchResult, state: SearchState, by_month: bool = False, width: int = 240) -> Histogram:
    """Bars by year, or by month when the span is short or `by_month` (a timeline); a bar filters to it."""
    facets = result.facets
    undated = FacetLink("Undated", facets.undated, state.undated, False,
                        state.with_undated(not state.undated).url(), "", None)
    if not facets.year:
        return Histogram("year", (), 0, undated, width=width)
    unit, periods = _span(result, state, by_month)
    counts = {v.value: v.count for v in (facets.month if unit == "month" else facets.year)}
    start, end = _selected_range(state)
    hist = Histogram(unit, (), 0, undated, width=width)
    slot = hist.width / max(len(periods), MIN_SLOTS)  # a few bars stay slim, centred
    offset = (hist.width - slot * len(periods)) / 2
    gap = min(4.0, slot * 0.2)
    top = max(counts.get(p, 0) for p in periods) or 1
    bars = []
    for i, period in enumerate(periods):
        count = counts.get(period, 0)
        low, high = _period_bounds(period)
        selected = bool((start or end) and (start is None or low >= start) and (end is None or high <= end))
        only_this = state.date_from == period and state.date_to == period
        url = state.with_dates("", "") if only_this else state.with_dates(period, period)
        height = 0.0 if not count else max(2.0, round(hist.chart_height * count / top, 2))
        bars.append(Bar(period, *_bar_labels(unit, period, i, len(periods)), count, selected,
                        url.url() if count or only_this else None,
                        x=round(offset + i * slot + gap / 2, 2), y=round(hist.baseline - height, 2),
                        width=round(slot - gap, 2), height=height))
    year_only = 0
    if unit == "month":
        shown_years = {p[:4] for p in periods}
        year_only = (sum(v.count for v in facets.year if v.value in shown_years)
                     - sum(v.count for v in facets.month if v.value[:4] in shown_years))
    widest = len(str(max(b.count for b in bars)))
    return Histogram(unit, tuple(bars), year_only, undated, width=width,
                     show_counts=widest * COUNT_DIGIT_WIDTH + 2 <= slot)


# -- hits, sort, pages ---------------------------------------------------------------------
@dataclass(frozen=True)
class Link:
    label: str
    url: str | None  # None: shown, not a link (the current page, an unavailable sort)
    current: bool = False


@dataclass(frozen=True)
class CopyLink:
    """A syndicated copy as shown under a hit or on an article page."""

    id: str
    title: str
    outlet: str
    published: str | None
    url: str
    original: bool = False  # the earliest dated copy: the likely original
    current: bool = False  # the article the page is about


@dataclass(frozen=True)
class HitView:
    hit: Hit
    rank: int
    url: str
    snippet: Markup  # the service's snippet: HTML-escaped text with <mark>ed words
    actors: tuple[Link, ...]
    more_actors: int
    copies: tuple[CopyLink, ...] = ()
    copy_outlets: str = ""  # "The Korea Herald, Yonhap News Agency": the summary of the folded copies
    more_copies: int = 0  # copies folded but not listed (beyond the service's list)


def hit_views(result: SearchResult, state: SearchState, names: Names, article_url) -> list[HitView]:
    first = (result.page - 1) * result.per_page + 1
    chosen = {names.actor_key(a) for a in state.actors}
    views = []
    for rank, hit in enumerate(result.hits, start=first):
        actors = tuple(
            Link(a.name, state.with_filter("actors", a.name, names.actor_key).url(), current=names.actor_key(a.name) in chosen)
            for a in hit.actors[:HIT_ACTORS]
        )
        copies = tuple(CopyLink(c.id, c.title, c.outlet, c.published, article_url(c.id)) for c in hit.copies)
        views.append(HitView(hit, rank, article_url(hit.id), Markup(hit.snippet), actors, max(0, len(hit.actors) - HIT_ACTORS),
                             copies, _outlet_list([c.outlet for c in hit.copies]), hit.copy_count - len(copies)))
    return views


def _outlet_list(outlets: list[str]) -> str:
    """Outlets once each, in order, with how many copies an outlet ran when more than one."""
    counts: dict[str, int] = {}
    for outlet in outlets:
        counts[outlet] = counts.get(outlet, 0) + 1
    return ", ".join(f"{o} (×{n})" if n > 1 else o for o, n in counts.items())


@dataclass(frozen=True)
class CopiesSwitch:
    """The link between one hit per story (copies folded) and every copy."""

    all_copies: bool
    folded: int  # articles folded under other hits now (0 when every copy is shown)
    url: str


def copies_switch(result: SearchResult, state: SearchState) -> CopiesSwitch | None:
    """None when there is nothing to fold: no two matching articles are copies of each other."""
    if result.groups is None or (result.groups == result.total and not state.all_copies):
        return None
    folded = 0 if state.all_copies else result.total - result.groups
    return CopiesSwitch(state.all_copies, folded, state.with_all_copies(not state.all_copies).url())


def copy_links(group: CopyGroup | None, current_id: str, article_url) -> list[CopyLink]:
    """An article's copy group for its page (itself included), earliest first; [] when it has no copies."""
    if group is None or len(group.members) < 2:
        return []
    return [CopyLink(m.id, m.title, m.outlet, m.published, article_url(m.id), original=m.id == group.original,
                     current=m.id == current_id) for m in group.members]


def sort_links(state: SearchState) -> list[Link]:
    current = state.effective_sort
    links = []
    for sort, label in SORT_LABELS:
        available = bool(state.q) or sort != "relevance"
        links.append(Link(label, state.with_sort(sort).url() if available else None, current=sort == current))
    return links


def per_page_links(state: SearchState) -> list[Link]:
    return [Link(str(n), state.with_per_page(n).url(), current=n == state.per_page) for n in PER_PAGE_CHOICES]


@dataclass(frozen=True)
class Pager:
    pages: int
    current: int
    previous: str | None
    next: str | None
    links: tuple[Link | None, ...]  # None is a gap (…)
    first_url: str
    last_url: str

    @property
    def past_the_end(self) -> bool:
        return self.current > self.pages


def pager(result: SearchResult, state: SearchState) -> Pager:
    pages, current = result.pages, state.page
    wanted = sorted({1, pages, *range(max(1, current - 2), min(pages, current + 2) + 1)})
    links: list[Link | None] = []
    for before, number in zip([0, *wanted], wanted):
        if number > before + 1 and before:
            links.append(None)
        links.append(Link(str(number), state.with_page(number).url(), current=number == current))
    return Pager(
        pages=pages,
        current=current,
        previous=state.with_page(min(current - 1, pages)).url() if current > 1 else None,
        next=state.with_page(current + 1).url() if current < pages else None,
        links=tuple(links),
        first_url=state.with_page(1).url(),
        last_url=state.with_page(pages).url(),
    )
