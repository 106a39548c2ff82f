"""Which outlet published a page, as one display name per outlet.

Evidence in order of trust: the sidecar, the URL's domain, the page's own
metadata (og:site_name, JSON-LD publisher), then text signatures (the outlet's
name as a header line, a staff e-mail domain, phrases only that outlet prints).
An outlet nothing points to is "unknown": we do not guess.
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


@dataclass(frozen=True)
class Outlet:
    name: str
    domains: tuple[str, ...]
    aliases: tuple[str, ...]
    signatures: tuple[re.Pattern, ...]


@dataclass(frozen=True)
class Registry:
    outlets: tuple[Outlet, ...]

    def by_domain(self, host: str) -> Outlet | None:
        host = host.lower().rstrip(".")
        for outlet in self.outlets:
            if any(host == d or host.endswith("." + d) for d in outlet.domains):
                return outlet
        return None

    def by_name(self, text: str) -> Outlet | None:
        key = fold_key(text)
        for outlet in self.outlets:
            if key in {fold_key(n) for n in (outlet.name, *outlet.aliases)}:
                return outlet
        return None

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
    """Outlet evidence in header, footer and removed chrome lines."""
    lines = list(lines)
    for line in lines:
        for outlet in registry.outlets:
            if any(sig.search(line) for sig in outlet.signatures):
                return outlet.name
    for line in lines:
        for match in _EMAIL_DOMAIN.finditer(line):
            outlet = registry.by_domain(match.group(1))
            if outlet:
                return outlet.name
    for line in lines:
        key = fold_key(line)
        if not key:
            continue
        for outlet in registry.outlets:
            for name in (outlet.name, *outlet.aliases):
                name_key = fold_key(name)
                if key == name_key:
                    return outlet.name
                # Inside a longer line only for distinctive names: "Time" or "AP" in a line means nothing.
                if len(words(name)) >= 2 and len(name_key) >= 10 and re.search(rf"\b{re.escape(name_key)}\b", key):
                    return outlet.name
    return None
