"""Clean an HTML page: main text by trafilatura, metadata by BeautifulSoup.

trafilatura is the best main-text extractor measured on ../shared/data
(article_bench body F1 0.959-0.965), so we use it rather than write our own;
BeautifulSoup reads the metadata that says who published what and when:
<meta> tags, JSON-LD, <time>, the canonical URL.
"""

from __future__ import annotations

import json
import logging

import trafilatura
from bs4 import BeautifulSoup

from . import CleanDocument
from .lines import fold_key, fold_spaces

# trafilatura logs every page it finds too short; that is not our user's problem.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)

_META_KEYS = {
    # our key: <meta> names/properties, most trusted first
    "title": ("og:title", "twitter:title", "headline", "dc.title"),
    "author": ("author", "article:author", "byl", "dc.creator", "parsely-author", "sailthru.author"),
    "published": ("article:published_time", "og:article:published_time", "datepublished", "pubdate",
                  "publishdate", "date", "dc.date", "dc.date.issued", "sailthru.date", "parsely-pub-date"),
    "site_name": ("og:site_name", "application-name", "publisher", "dc.publisher"),
    "url": ("og:url",),
    "description": ("og:description", "description", "twitter:description"),
}


def clean_html(html: str) -> CleanDocument:
    soup = BeautifulSoup(html, "html.parser")
    meta = page_metadata(soup)
    paragraphs = main_paragraphs(html)
    title = meta.get("title")
    for tag in ("h1", "title"):
        if not title and (title := _first_text(soup, tag)):
            meta["title_source"] = tag
    if title:
        paragraphs = tuple(p for p in paragraphs if fold_key(p) != fold_key(title))
    subtitle = meta.get("description")
    if subtitle and paragraphs and fold_key(paragraphs[0]).startswith(fold_key(subtitle)[:80]):
        subtitle = None  # the description is just the first paragraph again
    header = tuple(t for t in (_first_text(soup, "h1"), *_byline_texts(soup)) if t)
    return CleanDocument(title=title, subtitle=subtitle, paragraphs=paragraphs, header=header, meta=meta)


def main_paragraphs(html: str) -> tuple[str, ...]:
    # Not deduplicate=True: trafilatura's cache spans documents, so a wire story
    # seen twice lost its paragraphs the second time. We dedupe within the page below.
    text = trafilatura.extract(html, output_format="txt", include_comments=False, include_tables=False,
                               favor_precision=True) or ""
    seen, paragraphs = set(), []
    for line in text.splitlines():
        line = fold_spaces(line)
        if line and fold_key(line) not in seen:
            seen.add(fold_key(line))
            paragraphs.append(line)
    return tuple(paragraphs)


def page_metadata(soup: BeautifulSoup) -> dict[str, str]:
    """Title, author, published, site_name, url, description from <meta>, JSON-LD and <time>.

    JSON-LD wins over <meta> where both are present; the key "<field>_source"
    says which one gave it ("json-ld" or "meta").
    """
    found: dict[str, str] = {}
    tags = {}
    for tag in soup.find_all("meta"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").strip().lower()
        content = tag.get("content")
        if key and isinstance(content, str) and content.strip() and key not in tags:
            tags[key] = fold_spaces(content)
    for field, keys in _META_KEYS.items():
        value = next((tags[k] for k in keys if k in tags), None)
        if value:
            found[field], found[f"{field}_source"] = value, "meta"
    canonical = soup.find("link", rel="canonical")
    if canonical and canonical.get("href") and "url" not in found:
        found["url"], found["url_source"] = canonical["href"].strip(), "meta"
    time_tag = soup.find("time", attrs={"datetime": True})
    if time_tag and "published" not in found:
        found["published"], found["published_source"] = time_tag["datetime"].strip(), "time"
    for field, value in _json_ld(soup).items():
        found[field], found[f"{field}_source"] = value, "json-ld"
    return found


def _json_ld(soup: BeautifulSoup) -> dict[str, str]:
    """headline, author, datePublished, publisher from the first article-like JSON-LD object."""
    for script in soup.find_all("script", type="application/ld+json"):
        try:
            data = json.loads(script.string or "")
        except (json.JSONDecodeError, TypeError, RecursionError):
            continue
        for item in _ld_items(data):
            kind = item.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if not any(isinstance(k, str) and ("Article" in k or k in ("BlogPosting", "Report")) for k in kinds):
                continue
            found = {}
            if isinstance(item.get("headline"), str):
                found["title"] = fold_spaces(item["headline"])
            author = _ld_name(item.get("author"))
            if author:
                found["author"] = author
            if isinstance(item.get("datePublished"), str):
                found["published"] = item["datePublished"].strip()
            publisher = _ld_name(item.get("publisher"))
            if publisher:
                found["site_name"] = publisher
            return found
    return {}


def _ld_items(data, depth: int = 0):
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _ld_items(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        if isinstance(data.get("@graph"), list):
            yield from _ld_items(data["@graph"], depth + 1)


def _ld_name(value) -> str | None:
    if isinstance(value, list):
        names = [n for n in (_ld_name(v) for v in value) if n]
        return ", ".join(names) if names else None
    if isinstance(value, dict):
        value = value.get("name")
    return fold_spaces(value) if isinstance(value, str) and value.strip() else None


def _first_text(soup: BeautifulSoup, name: str) -> str | None:
    tag = soup.find(name)
    text = fold_spaces(tag.get_text(" ")) if tag else ""
    return text or None


def _byline_texts(soup: BeautifulSoup) -> list[str]:
    found = []
    for tag in soup.select('[rel="author"], [class*="byline"], [class*="author-name"], [itemprop="author"]')[:5]:
        text = fold_spaces(tag.get_text(" "))
        if text and len(text) < 120:
            found.append(text)
    return found
