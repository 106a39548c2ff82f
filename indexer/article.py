"""The Article record: the only thing that crosses from extraction to the index."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping

ACTOR_TYPES = ("person", "country", "organisation")
PRECISIONS = ("day", "month", "year")


@dataclass(frozen=True, order=True)
class Actor:
    name: str
    type: str  # one of ACTOR_TYPES

    def to_dict(self) -> dict:
        return {"name": self.name, "type": self.type}


@dataclass(frozen=True)
class PublishedDate:
    """A publication date as precise as the source allows.

    ``value`` is the first day of the period: 2024-06-01 with precision "month"
    means "some day in June 2024", never "1 June".
    """

    value: dt.date
    precision: str  # one of PRECISIONS
    source: str  # where it came from: sidecar, url, meta, json-ld, header, byline...

    @property
    def label(self) -> str:
        """ISO text at the known precision: 2024-06-23, 2024-06 or 2024."""
        return {"day": self.value.isoformat(), "month": self.value.strftime("%Y-%m"), "year": str(self.value.year)}[
            self.precision
        ]

    @property
    def last_day(self) -> dt.date:
        """The last day of the period the date stands for."""
        if self.precision == "day":
            return self.value
        if self.precision == "month":
            next_month = (self.value.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            return next_month - dt.timedelta(days=1)
        return self.value.replace(month=12, day=31)


@dataclass(frozen=True)
class Article:
    id: str
    source_path: str
    url: str | None
    title: str
    subtitle: str | None
    author: str | None
    outlet: str  # display name, or "unknown"
    published: PublishedDate | None
    actors: tuple[Actor, ...]
    paragraphs: tuple[str, ...]
    content_hash: str
    provenance: Mapping[str, str] = field(default_factory=dict)  # field -> where its value came from

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def word_count(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)

    @property
    def date_precision(self) -> str | None:
        return self.published.precision if self.published else None

    def to_dict(self) -> dict:
        """The JSON shape used by `search-index inspect --json` and the article API."""
        return {
            "id": self.id,
            "source_path": self.source_path,
            "url": self.url,
            "title": self.title,
            "subtitle": self.subtitle,
            "author": self.author,
            "outlet": self.outlet,
            "published": self.published.label if self.published else None,
            "date_precision": self.date_precision,
            "date_source": self.published.source if self.published else None,
            "actors": [a.to_dict() for a in self.actors],
            "word_count": self.word_count,
            "content_hash": self.content_hash,
            "provenance": dict(self.provenance),
            "body": self.body,
        }
