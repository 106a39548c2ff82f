"""Who wrote the article: sidecar, page metadata, a byline, or a sign-off.

A byline is looked for only in the header and footer the cleaner kept, never
in the body or in a related-story box, and a name that is an outlet or a
country is not an author.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

from ..clean.lines import fold_key, is_name_like

_BY = re.compile(r"^(?:By|BY|by)[:\s]+(.+)$")
_TRAILER = re.compile(r"\s*(?:[,|/·•–—-]\s*(?:Staff|Reporter|Correspondent|Editor|Contributor|Columnist|in |for |and |Updated|Published)\b.*|\s+\d.*|\s+(?:Updated|Published)\b.*)$")
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_READ_TIME = re.compile(r"(?i)\b\d+\s*min(?:ute)?s? read")
_HAS_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def author_from_meta(value: str | None) -> str | None:
    """A metadata author, unless it is a URL or a profile handle rather than a name."""
    if not value or "://" in value or value.startswith("@") or len(value) > 120:
        return None
    return value.strip()


def author_from_lines(header: Sequence[str], footer: Sequence[str], is_not_person: Callable[[str], bool]) -> tuple[str, str] | None:
    """(author, source) from "By ..." lines, byline blocks and e-mail sign-offs."""
    for line in header:
        if m := _BY.match(line):
            name = _TRAILER.sub("", m.group(1)).strip(" ,.")
            if name and len(name) <= 80 and not is_not_person(name):
                return name, "byline"
    for i, line in enumerate(header):
        if not is_name_like(line) or is_not_person(line):
            continue
        neighbours = [header[j] for j in (i - 1, i + 1) if 0 <= j < len(header)]
        repeated = any(fold_key(n) == fold_key(line) for n in neighbours)
        followed_by_date = i + 1 < len(header) and bool(_READ_TIME.search(header[i + 1]) or _HAS_YEAR.search(header[i + 1]))
        if repeated or followed_by_date:
            return line, "byline"
    for line in footer:
        if _EMAIL.search(line):
            name = _EMAIL.sub("", line).strip(" ,.-")
            if is_name_like(name) and not is_not_person(name):
                return name, "signoff"
    return None
