"""Raw file -> Article: read, clean, extract, assemble.

One options object carries every knob of the pipeline, so callers (build,
update, inspect, tests) do not thread flags through each stage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from .article import Article, PublishedDate
from .clean import CleanDocument, UnreadablePage, clean
from .clean.lines import fold_key
from .copies import CopySettings
from .errors import SourceError
from .extract.actors import actor_cache, extract_actors, load_knowledge_base
from .extract.authors import author_from_lines, author_from_meta
from .extract.dates import date_from_lines, date_from_page, date_from_url, parse_date_text
from .extract.outlets import UNKNOWN, load_registry, outlet_from_text, outlet_from_url
from .sources import DEFAULT_MAX_BYTES, RawDocument, read_document


@dataclass(frozen=True)
class PipelineOptions:
    max_file_bytes: int = DEFAULT_MAX_BYTES
    # Dates after this moment are rejected as impossible; None means "now, when processing".
    now: dt.datetime | None = None
    outlets_file: Path | None = None
    actors_file: Path | None = None
    relative_to: Path | None = field(default=None)  # store source paths relative to this folder
    # Actors: the statistical model on top of the knowledge base (False: knowledge base only, ~20x faster),
    # and an on-disk cache of extracted actors keyed by text (None: no cache).
    ner: bool = True
    actor_cache: Path | None = None
    # Syndicated copies (copies.py): estimated Jaccard of body shingles at or above `copies.threshold`.
    copies: CopySettings = field(default_factory=CopySettings)


def process_file(path: Path, options: PipelineOptions = PipelineOptions()) -> Article:
    """One raw file to an Article. Raises SourceError for a file that gives no article."""
    return article_from_raw(read_document(path, options.max_file_bytes), options)


def process_files(paths: Iterable[Path], options: PipelineOptions = PipelineOptions()) -> Iterator[Article | SourceError]:
    """Articles for the paths, with a SourceError in place of each file that gives none."""
    for path in paths:
        try:
            yield process_file(path, options)
        except SourceError as exc:
            yield exc


def article_from_raw(raw: RawDocument, options: PipelineOptions = PipelineOptions()) -> Article:
    now = _ingested_at(raw, options)
    try:
        doc = clean(raw.kind, raw.text)
    except UnreadablePage as exc:
        raise SourceError(raw.path, str(exc)) from None
    title = raw.sidecar.get("title") or doc.title or (doc.paragraphs[0][:120] if doc.paragraphs else None)
    if not doc.paragraphs and not raw.sidecar.get("title"):
        raise SourceError(raw.path, "no article text found")
    registry = load_registry(options.outlets_file)
    kb = load_knowledge_base(options.actors_file)
    provenance: dict[str, str] = {"title": "sidecar" if raw.sidecar.get("title") else doc.meta.get("title_source", "header")}

    url = raw.sidecar.get("url") or doc.meta.get("url")
    if url:
        provenance["url"] = "sidecar" if raw.sidecar.get("url") else doc.meta.get("url_source", "meta")

    outlet, provenance["outlet"] = _outlet(raw, doc, url, registry)
    published = _published(raw, doc, url, now)
    if published:
        provenance["published"] = published.source

    site_names = {fold_key(n) for n in (doc.meta.get("site_name"), doc.meta.get("trafilatura_site_name"), outlet) if n}

    def is_not_person(name: str) -> bool:
        known = kb.lookup(name)
        return ((known is not None and known.type != "person") or registry.by_name(name) is not None
                or fold_key(name) in site_names)

    author = None
    if raw.sidecar.get("author"):
        author, provenance["author"] = raw.sidecar["author"], "sidecar"
    elif meta_author := author_from_meta(doc.meta.get("author"), is_not_person):
        author, provenance["author"] = meta_author, doc.meta.get("author_source", "meta")
    elif extracted := author_from_meta(doc.meta.get("trafilatura_author"), is_not_person):
        author, provenance["author"] = extracted, "byline"
    elif found := author_from_lines(doc.header, doc.footer, is_not_person):
        author, provenance["author"] = found

    actors = extract_actors(doc.paragraphs, kb, exclude=[author] if author else [],
                            headlines=[t for t in (title, doc.subtitle) if t], ner=options.ner,
                            cache=actor_cache(options.actor_cache))
    return Article(
        id=raw.content_hash[:16],
        source_path=_display_path(raw.path, options.relative_to),
        url=url,
        title=title or "(untitled)",
        subtitle=doc.subtitle,
        author=author,
        outlet=outlet,
        published=published,
        actors=actors,
        paragraphs=doc.paragraphs,
        content_hash=raw.content_hash,
        provenance=provenance,
    )


def _outlet(raw: RawDocument, doc: CleanDocument, url: str | None, registry) -> tuple[str, str]:
    if raw.sidecar.get("outlet"):
        return registry.display_name(raw.sidecar["outlet"]), "sidecar"
    if from_url := outlet_from_url(url, registry):
        return from_url, "url"
    if site := doc.meta.get("site_name"):
        return registry.display_name(site), doc.meta.get("site_name_source", "meta")
    if from_text := outlet_from_text([*doc.header, *doc.footer, *doc.boilerplate], registry):
        return from_text, "text"
    return UNKNOWN, "none"


def _published(raw: RawDocument, doc: CleanDocument, url: str | None, now: dt.datetime) -> PublishedDate | None:
    if raw.sidecar.get("published"):
        found = parse_date_text(raw.sidecar["published"], now)
        if not found:
            raise SourceError(raw.path.with_suffix(".json"),
                              f"sidecar 'published' is not a past date: {raw.sidecar['published']!r} (use YYYY, YYYY-MM or YYYY-MM-DD)")
        return PublishedDate(*found, source="sidecar")
    metadata = None
    if doc.meta.get("published") and (found := parse_date_text(doc.meta["published"], now)):
        metadata = PublishedDate(*found, source=doc.meta.get("published_source", "meta"))
    if raw.kind == "html" and (from_page := date_from_page(raw.text, metadata, url, now)):
        return from_page
    if metadata:
        return metadata
    if from_url := date_from_url(url, now):
        return from_url
    # Nearest the text first: the dateline sits right above it, menus and teasers far above.
    lines = [(line, "byline" if _is_byline_line(line) else "header") for line in (*reversed(doc.header), *doc.boilerplate)]
    lines += [(line, "footer") for line in doc.footer]
    return date_from_lines(lines, now)


def _ingested_at(raw: RawDocument, options: PipelineOptions) -> dt.datetime:
    """When the page was taken in: no date after it can be its publication date.

    Now (or the options' now), or earlier when the sidecar says when the page was fetched.
    """
    now = options.now or dt.datetime.now()
    try:
        fetched = dt.datetime.fromisoformat(raw.sidecar.get("fetched_at", ""))
    except ValueError:
        return now
    if fetched.tzinfo is not None:
        fetched = fetched.astimezone().replace(tzinfo=None)
    return min(now, fetched)


def _is_byline_line(line: str) -> bool:
    lowered = line.lower()
    return lowered.startswith("by ") or "min read" in lowered


def _display_path(path: Path, relative_to: Path | None) -> str:
    if relative_to is not None:
        try:
            return str(path.resolve().relative_to(relative_to.resolve()))
        except ValueError:
            pass
    return str(path)
