"""Who wrote the article: sidecar, page metadata, trafilatura's byline reading, a byline, or a sign-off.

A byline is looked for only in the header and footer the cleaner kept, never
in the body or in a related-story box, and a name that is an outlet, the
site's own name, a domain or a country is not an author.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

from ..clean.lines import RULE_KINDS, fold_key, fold_spaces, is_name_like, matches_rule

_BY = re.compile(r"^(?:By|BY|by)[:\s]+(.+)$")
# "September 10, 2018 | by Catherine", "Nov 19, 2019 · By Jane Roe"
_BY_AFTER_DATE = re.compile(r"(?:19|20)\d\d\b.{0,20}?[|·•]\s*(?:By|BY|by)\s+([^|·•]{2,60})$")
_TRAILER = re.compile(r"\s*(?:[,|/／·•–—-]\s*(?:Staff|Reporter|Correspondent|Editor|Contributor|Columnist|in |for |and |Updated|Published)\b.*|\s+\d.*|\s+(?:Updated|Published)\b.*)$")
_EMAIL = re.compile(r"[^\s@]+@\S+\.\w+")
_READ_TIME = re.compile(r"(?i)\b\d+\s*min(?:ute)?s? read")
_HAS_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# "By", in the languages of the corpus, before a metadata author: "Von Roland Brockmann".
_BY_WORD = re.compile(r"^(?:by|von|par|por|di|door|av|af|от|автор)[:\s]+", re.IGNORECASE)
_NAME_SEPARATORS = re.compile(r"\s*(?:[;,|]|\s-\s|\s–\s|\s—\s)\s*")
_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}$", re.IGNORECASE)
_PLACEHOLDERS = {"no author", "admin", "administrator", "unknown", "anonymous", "author", "guest", "none"}


def author_from_meta(value: str | None, is_not_person: Callable[[str], bool] = lambda name: False) -> str | None:
    """A metadata author as names, or None when it is a URL, a handle, a domain or the outlet itself.

    "By Jane Roe, CNN" is "Jane Roe"; "A; B" is "A, B"; "jungefreiheit.de" and an
    author equal to the site's name are not authors.
    """
    if not value or "://" in value or "@" in value or len(value) > 120:
        return None
    names = [_BY_WORD.sub("", part).strip(" .") for part in _NAME_SEPARATORS.split(fold_spaces(value))]
    names = [n for n in names if n and not _DOMAIN.match(n) and not is_not_person(n) and fold_key(n) not in _PLACEHOLDERS
             and re.search(r"[^\W\d_]", n)]
    return ", ".join(dict.fromkeys(names)) or None


def _is_chrome(line: str) -> bool:
    """Page chrome that looks like a name: "Next Post", "Related Articles"."""
    return any(matches_rule(kind, line) for kind in RULE_KINDS)


def author_from_lines(header: Sequence[str], footer: Sequence[str], is_not_person: Callable[[str], bool]) -> tuple[str, str] | None:
    """(author, source) from "By ..." lines, byline blocks and e-mail sign-offs.

    The header is read from the bottom: the byline sits right above the text,
    the bylines of other stories' teasers further up.
    """
    for line in reversed(header):
        if m := _BY.match(line) or _BY_AFTER_DATE.search(line):
            name = _TRAILER.sub("", m.group(1)).strip(" ,.|/／-–—")
            if name and len(name) <= 80 and not is_not_person(name):
                return name, "byline"
    for i in reversed(range(len(header))):
        line = header[i]
        if not is_name_like(line) or is_not_person(line) or _is_chrome(line):
            continue
        neighbours = [header[j] for j in (i - 1, i + 1) if 0 <= j < len(header)]
        repeated = any(fold_key(n) == fold_key(line) for n in neighbours)
        followed_by_date = i + 1 < len(header) and bool(_READ_TIME.search(header[i + 1]) or _HAS_YEAR.search(header[i + 1]))
        if repeated or followed_by_date:
            return line, "byline"
    for line in footer:
        if "@" in line and _EMAIL.search(line):
            name = _EMAIL.sub("", line).strip(" ,.-")
            if is_name_like(name) and not is_not_person(name):
                return name, "signoff"
    return None
