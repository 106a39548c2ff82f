"""The Whoosh schema, and how an Article becomes a Whoosh document.

Text fields use a stemming analyzer, so `howitzer` finds `howitzers` and
`"K9 howitzers"` is a phrase. Facet values (outlet, dates, typed actors) are
stored as columns and keyword postings that the search service reads once per
index generation into arrays: counting over arrays is what keeps facets fast
(see ../shared/WHOOSH.md: `groupedby` costs 100-1000 ms at 20k articles).
"""

from __future__ import annotations

import json

from whoosh import fields
from whoosh.analysis import BiWordFilter, StemmingAnalyzer

from .article import Actor, Article, PublishedDate
from .extract.actors import fold

PRECISION_CODES = {None: 0, "year": 1, "month": 2, "day": 3}
QUERY_FIELDS = ("title", "subtitle", "body", "author", "outlet", "actor")
# A text field -> its field of adjacent word pairs, where a phrase is looked up (search._phrase_run).
WORD_PAIRS = {"body": "body_pairs"}


def build_schema() -> fields.Schema:
    stem = StemmingAnalyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True, sortable=True),
        content_hash=fields.ID(stored=True),
        title=fields.TEXT(analyzer=stem, stored=True, field_boost=2.0, spelling=True),
        subtitle=fields.TEXT(analyzer=stem, stored=True, field_boost=1.5),
        body=fields.TEXT(analyzer=stem, stored=True, spelling=True),
        # Each pair of adjacent body words as one term ("blog comment"), with its position:
        # a phrase reads these short posting lists instead of the word positions of
        # common words (~45 ms for a word in two thirds of 100k articles). The idea of
        # Elasticsearch's `index_phrases`; costs index size and write time (bench/README.md).
        body_pairs=fields.TEXT(analyzer=StemmingAnalyzer() | BiWordFilter(sep=" ")),
        author=fields.TEXT(stored=True),
        # `outlet` is the exact display name, a column for facets and filters;
        # `outlet_text` lets the query language say outlet:"korea times".
        outlet=fields.ID(stored=True, sortable=True),
        outlet_text=fields.TEXT(),
        published=fields.STORED(),
        date_precision=fields.STORED(),
        date_source=fields.STORED(),
        # Days as proleptic ordinals; 0 when undated (never Whoosh's DATETIME, whose
        # sentinel for "no date" sorts undated articles first).
        day_start=fields.NUMERIC(numtype=int, bits=32, sortable=True, signed=False),
        day_end=fields.NUMERIC(numtype=int, bits=32, sortable=True, signed=False),
        precision=fields.NUMERIC(numtype=int, bits=8, sortable=True, signed=False),
        # `actor` matches folded canonical names in queries; `actor_typed` keeps
        # "type|Name" terms whose postings become the actor facet.
        actor=fields.KEYWORD(commas=True, lowercase=True, scorable=False),
        actor_typed=fields.KEYWORD(commas=True, scorable=False),
        actors=fields.STORED(),
        url=fields.STORED(),
        source_path=fields.STORED(),
        word_count=fields.STORED(),
        provenance=fields.STORED(),
        # The syndicated-copy group (copies.py): an article id; a column for collapsing results.
        copy_group=fields.ID(stored=True, sortable=True),
    )


def article_to_document(article: Article, copy_group: str | None = None) -> dict:
    """The Whoosh document; an article without copies is its own group (its id)."""
    published = article.published
    return {
        "id": article.id,
        "content_hash": article.content_hash,
        "title": article.title,
        "subtitle": article.subtitle or "",
        "body": article.body,
        "body_pairs": article.body,
        "author": article.author or "",
        "outlet": article.outlet,
        "outlet_text": article.outlet,
        "published": published.label if published else None,
        "date_precision": article.date_precision,
        "date_source": published.source if published else None,
        "day_start": published.value.toordinal() if published else 0,
        "day_end": published.last_day.toordinal() if published else 0,
        "precision": PRECISION_CODES[article.date_precision],
        "actor": ",".join(fold(a.name) for a in article.actors),
        "actor_typed": ",".join(f"{a.type}|{a.name.replace(',', ' ')}" for a in article.actors),
        "actors": json.dumps([a.to_dict() for a in article.actors]),
        "url": article.url,
        "source_path": article.source_path,
        "word_count": article.word_count,
        "provenance": json.dumps(dict(article.provenance)),
        "copy_group": copy_group or article.id,
    }


def article_from_stored(stored: dict) -> Article:
    """Rebuild the Article record from a document's stored fields."""
    published = None
    if stored.get("published"):
        import datetime as dt

        label = stored["published"]
        value = dt.date(int(label[:4]), int(label[5:7] or 1) if len(label) > 4 else 1, int(label[8:10]) if len(label) > 7 else 1)
        published = PublishedDate(value, stored["date_precision"], stored.get("date_source") or "unknown")
    body = stored.get("body") or ""
    return Article(
        id=stored["id"],
        source_path=stored.get("source_path") or "",
        url=stored.get("url"),
        title=stored.get("title") or "",
        subtitle=stored.get("subtitle") or None,
        author=stored.get("author") or None,
        outlet=stored.get("outlet") or "unknown",
        published=published,
        actors=tuple(Actor(a["name"], a["type"]) for a in json.loads(stored.get("actors") or "[]")),
        paragraphs=tuple(p for p in body.split("\n\n") if p),
        content_hash=stored.get("content_hash") or "",
        provenance=json.loads(stored.get("provenance") or "{}"),
    )
