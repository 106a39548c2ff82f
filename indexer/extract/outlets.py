"""Which outlet published a page, as one display name per outlet.

Evidence in order of trust: the sidecar, the URL's domain, the page's own
metadata (og:site_name, JSON-LD publisher), then text signatures. In the text,
from strongest to weakest: phrases only that outlet prints (registry
signatures), the holder of the page's copyright line, a staff e-mail domain,
and the outlet's name as a line of its own (or closing a byline or a dateline).
Two outlets named at the same level are a tie, and a tie is "unknown": so is
an outlet nothing points to. We do not guess. A news agency's name in the text
credits a story or photo it supplied, so it never names the outlet.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable
from urllib.parse import urlsplit

from ..clean.lines import fold_key, words

UNKNOWN = "unknown"
_EMAIL_DOMAIN = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
# "© 2019 The New York Times Company", "Copyright © 2019 Business Insider Deutschland / finanzen.net GmbH"
_COPYRIGHT = re.compile(r"^(?:copyright\s*)?(?:©|\(c\)|copyright)\s*(?:(?:19|20)\d\d\s*(?:[-–]\s*(?:19|20)\d\d)?\s*)?(?P<holder>[^.|•·]{2,80})",
                        re.IGNORECASE)
# "The New York Times Company", "Al Jazeera Media Network", "Business Insider Deutschland GmbH"
_COMPANY_SUFFIX = re.compile(r"(?:\s+(?:company|co|inc|llc|ltd|limited|gmbh|ag|corporation|corp|group|holdings|plc|"
                             r"media network|media group|network|newspapers?|all rights reserved))+\.?$", re.IGNORECASE)
_BYLINE_OUTLET = re.compile(r"^(?:by\s+)?[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){0,3}\s*(?:,|\||–|—|-)\s*(?P<outlet>.+)$")
_DATE_WORDS = re.compile(r"\b(?:date|published|updated|posted|(?:19|20)\d\d[-/.]\d\d?[-/.]\d\d?|\d\d?:\d\d|am|pm|gmt|utc|kst)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Outlet:
    name: str
    domains: tuple[str, ...]
    aliases: tuple[str, ...]
    signatures: tuple[re.Pattern, ...]
    wire: bool = False  # a news agency: its name in a page credits a story, it does not name the outlet


class Registry:
    def __init__(self, outlets: tuple[Outlet, ...]):
        self.outlets = outlets
        self._by_key = {fold_key(n): o for o in outlets for n in (o.name, *o.aliases)}
        self._by_domain = {d: o for o in outlets for d in o.domains}

    def by_domain(self, host: str) -> Outlet | None:
        host = host.lower().rstrip(".")
        parts = host.split(".")
        # The host itself, then each parent domain: news.bbc.co.uk -> bbc.co.uk.
        return next((self._by_domain[".".join(parts[i:])] for i in range(len(parts) - 1)
                     if ".".join(parts[i:]) in self._by_domain), None)

    def by_name(self, text: str) -> Outlet | None:
        return self._by_key.get(fold_key(text))

    def display_name(self, text: str) -> str:
        """A name as a user or page gave it, mapped to the registry's display name when known."""
        outlet = self.by_name(text)
        return outlet.name if outlet else text.strip()


@lru_cache(maxsize=4)
def load_registry(path: Path | None = None) -> Registry:
    path = path or Path(__file__).with_name("data") / "outlets.json"
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return Registry(
        tuple(
            Outlet(
                name=entry["name"],
                domains=tuple(d.lower() for d in entry.get("domains", ())),
                aliases=tuple(entry.get("aliases", ())),
                signatures=tuple(re.compile(s) for s in entry.get("signatures", ())),
                wire=bool(entry.get("wire", False)),
            )
            for entry in raw["outlets"]
        )
    )


def host_of(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    return host[4:] if host.startswith("www.") else host


def outlet_from_url(url: str | None, registry: Registry) -> str | None:
    """The registry name for the URL's domain, else the domain itself: a fact, not a guess."""
    host = host_of(url)
    if host is None:
        return None
    outlet = registry.by_domain(host)
    return outlet.name if outlet else host


def outlet_from_text(lines: Iterable[str], registry: Registry) -> str | None:
    """Outlet evidence in header, footer and removed chrome lines; None when there is none or a tie."""
    lines = list(lines)
    for evidence in (_by_signature, _by_copyright, _by_email, _by_name_line):
        found = {outlet.name for line in lines for outlet in evidence(line, registry)}
        if len(found) == 1:
            return found.pop()
        if found:
            return None  # two outlets at the same level of trust: a tie is not an answer
    return None


def _by_signature(line: str, registry: Registry) -> list[Outlet]:
    return [o for o in registry.outlets if any(sig.search(line) for sig in o.signatures)]


def _by_copyright(line: str, registry: Registry) -> list[Outlet]:
    """The holder of a copyright line, when it is an outlet and not a news agency."""
    match = _COPYRIGHT.match(line)
    if not match:
        return []
    holder = re.split(r"\s*[/,;]\s*", match["holder"])[0]
    holder = _COMPANY_SUFFIX.sub("", holder).strip()
    outlet = registry.by_name(holder)
    return [outlet] if outlet and not outlet.wire else []


def _by_email(line: str, registry: Registry) -> list[Outlet]:
    found = (registry.by_domain(m.group(1)) for m in _EMAIL_DOMAIN.finditer(line))
    return [o for o in found if o]


def _by_name_line(line: str, registry: Registry) -> list[Outlet]:
    """The outlet's name as a whole line ("HANKYOREH"), after a dateline, or closing a byline."""
    candidates = [line, _DATE_WORDS.sub(" ", line)]
    if byline := _BYLINE_OUTLET.match(line):
        candidates.append(byline["outlet"])
    for text in candidates:
        text = text.strip(" ,|-–—")
        outlet = registry.by_name(text)
        if outlet and not outlet.wire and _distinctive(text) and _spelled_as_registered(text, outlet):
            return [outlet]
    return []


def _spelled_as_registered(text: str, outlet: Outlet) -> bool:
    """As the registry writes it, or in capitals: a menu's "Foreign policy" is a section, not the magazine."""
    return text.isupper() or " ".join(text.split()) in (outlet.name, *outlet.aliases)


def _distinctive(text: str) -> bool:
    """Two words or more, or written in capitals ("CNN", "HANKYOREH"): one common word names nothing."""
    return len(words(text)) >= 2 or (text.isupper() and len(text) >= 3)

