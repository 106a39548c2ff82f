"""Clean an HTML page: main text by trafilatura, metadata by BeautifulSoup.

trafilatura is the best main-text extractor measured on ../shared/data
(bench/extraction.py), so we use it rather than write our own; BeautifulSoup
reads the metadata that says who published what and when: <meta> tags, JSON-LD,
<time>, the canonical URL, byline elements. It builds only those elements
(a parse filter), which makes it five times faster than building the whole page.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from html import unescape

import lxml.html
import trafilatura
from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning
from bs4.filter import ElementFilter

from . import CleanDocument, UnreadablePage
from .lines import fold_key, fold_spaces

# trafilatura logs every page it finds too short; that is not our user's problem.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
# A page that says it is XHTML is still read as HTML, on purpose: browsers do the same.
warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)

# libxml2 (under lxml, trafilatura and htmldate) stops building the tree this deep
# and silently drops what is below; we refuse such a page rather than index half of it.
MAX_NESTING = 256

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
# We read dates with htmldate ourselves (extract/dates.py); trafilatura's own call stays cheap.
_NO_DATE_GUESSING = {"extensive_search": False, "original_date": True}
_HTML_TAG = re.compile(r"<html[\s>]", re.IGNORECASE)
_METADATA_TAGS = {"meta", "link", "title", "h1", "time"}
_BYLINE_HINTS = ("byline", "author", "autor", "writer", "dateline")


class _MetadataOnly(ElementFilter):
    """Build only the elements metadata is read from (and what is inside them)."""

    def allow_tag_creation(self, nsprefix, name, attrs) -> bool:
        if name in _METADATA_TAGS:
            return True
        attrs = attrs or {}
        if name == "script":
            return "ld+json" in str(attrs.get("type", "")).lower()
        hints = " ".join(str(attrs.get(key, "")) for key in ("class", "id", "rel", "itemprop")).lower()
        return any(hint in hints for hint in _BYLINE_HINTS)

    def allow_string_creation(self, string: str) -> bool:
        return False


def clean_html(html: str) -> CleanDocument:
    check_nesting(html)
    soup = metadata_soup(html)
    meta = page_metadata(soup)
    paragraphs, extracted = main_text_and_metadata(html)
    meta.update({f"trafilatura_{key}": value for key, value in extracted.items()})
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


def check_nesting(html: str) -> None:
    """Raise UnreadablePage when the page is nested deeper than the HTML parser builds."""
    parser = lxml.html.HTMLParser(collect_ids=False)
    try:
        lxml.html.document_fromstring(html.encode("utf-8", "surrogatepass"), parser=parser)
    except (ValueError, lxml.etree.ParserError):
        return  # an empty or unparsable document: the cleaners find no text and say so
    if any("excessive depth" in error.message.lower() for error in parser.error_log):
        raise UnreadablePage(f"HTML nested deeper than {MAX_NESTING} elements; it cannot be read reliably")


def metadata_soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml", parse_only=_MetadataOnly())


def main_text_and_metadata(html: str) -> tuple[tuple[str, ...], dict[str, str]]:
    """trafilatura's main text, and the author and site name it reads (its byline rules beat ours).

    Precision mode first (the best body F1 measured); on a page where it finds
    nothing, the default mode, then recall mode: a short page is still a page.
    """
    found: dict[str, str] = {}
    if not _HTML_TAG.search(html[:4096]):
        html = f"<html><body>{html}</body></html>"  # a saved fragment: trafilatura reads only documents
    for mode in ({"favor_precision": True}, {}, {"favor_recall": True}):
        # Not deduplicate=True: trafilatura's cache spans documents, so a wire story
        # seen twice lost its paragraphs the second time. We dedupe within the page below.
        doc = trafilatura.bare_extraction(html, include_comments=False, include_tables=False, with_metadata=True,
                                          date_extraction_params=_NO_DATE_GUESSING, **mode)
        if doc is None:
            continue
        for key, value in (("author", doc.author), ("site_name", doc.sitename)):
            if isinstance(value, str) and value.strip() and key not in found:
                found[key] = fold_spaces(value)
        if doc.text and doc.text.strip():
            return _unique_lines(doc.text), found
    return (), found


def _unique_lines(text: str) -> tuple[str, ...]:
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
    says which one gave it ("json-ld", "meta" or "time").
    """
    found: dict[str, str] = {}
    tags = {}
    for tag in soup.find_all("meta"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").strip().lower()
        content = tag.get("content")
        if key and isinstance(content, str) and content.strip() and key not in tags:
            tags[key] = fold_spaces(unescape(content))  # pages escape twice: "&amp;#8216;" reads "&#8216;"
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
    for script in soup.find_all("script"):
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
            if isinstance(item.get("headline"), str) and item["headline"].strip():
                found["title"] = fold_spaces(unescape(item["headline"]))
            author = _ld_name(item.get("author"))
            if author:
                found["author"] = author
            if isinstance(item.get("datePublished"), str) and item["datePublished"].strip():
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


def _ld_name(value, depth: int = 0) -> str | None:
    if depth > 3:
        return None
    if isinstance(value, list):
        names = [n for n in (_ld_name(v, depth + 1) for v in value) if n]
        return ", ".join(dict.fromkeys(names)) if names else None
    if isinstance(value, dict):
        value = value.get("name")
        if isinstance(value, (list, dict)):
            return _ld_name(value, depth + 1)
    return fold_spaces(unescape(value)) if isinstance(value, str) and value.strip() else None


def _first_text(soup: BeautifulSoup, name: str) -> str | None:
    tag = soup.find(name)
    text = fold_spaces(tag.get_text(" ")) if tag else ""
    return text or None


def _byline_texts(soup: BeautifulSoup) -> list[str]:
    found = []
    for tag in soup.find_all(_is_byline_element, limit=5):
        text = fold_spaces(tag.get_text(" "))
        if text and len(text) < 120:
            found.append(text)
    return found


def _is_byline_element(tag) -> bool:
    if tag.get("rel") and "author" in tag.get("rel"):
        return True
    if tag.get("itemprop") == "author":
        return True
    classes = " ".join(tag.get("class") or ()).lower()
    return "byline" in classes or "author-name" in classes
