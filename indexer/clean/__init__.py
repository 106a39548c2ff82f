"""Cleaning: a raw text dump or HTML page in, a CleanDocument out.

The cleaners separate the article (title, standfirst, paragraphs) from page
chrome, and keep the lines around the article (header, footer) because that is
where bylines, dates and outlet names live; the extractors read them there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping


class UnreadablePage(ValueError):
    """A page the cleaners refuse to read, with the reason (the pipeline names the file)."""


@dataclass(frozen=True)
class CleanDocument:
    title: str | None
    subtitle: str | None
    paragraphs: tuple[str, ...]
    header: tuple[str, ...] = ()  # lines above the body: bylines, dates, outlet names
    footer: tuple[str, ...] = ()  # lines below the body: sign-offs, bios, promotions
    boilerplate: tuple[str, ...] = ()  # chrome that was removed (outlet signatures live here)
    captions: tuple[str, ...] = ()
    meta: Mapping[str, str] = field(default_factory=dict)  # HTML metadata: title, author, published, site_name, url


def clean(kind: str, text: str) -> CleanDocument:
    """Dispatch on the kind of raw file: "text" or "html"."""
    if kind == "html":
        from .html import clean_html

        return clean_html(text)
    from .text import clean_text

    return clean_text(text)
