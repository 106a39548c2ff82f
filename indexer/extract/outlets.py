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


class Registry:
    def __init__(self, outlets: tuple[Outlet, ...]):
        self.outlets = outlets
        self._by_key = {fold_key(n): o for o in outlets for n in (o.name, *o.aliases)}
        # Inside a longer line only distinctive names count: "Time" or "AP" in a line means nothing.
        self._inside = [
            (re.compile(rf"\b{re.escape(fold_key(n))}\b"), o)
            for o in outlets
            for n in (o.name, *o.aliases)
            if len(words(n)) >= 2 and len(fold_key(n)) >= 10
        ]

    def by_domain(self, host: str) -> Outlet | None:
        host = host.lower().rstrip(".")
        for outlet in self.outlets:
            if any(host == d or host.endswith("." + d) for d in outlet.domains):
                return outlet
        return None

    def by_name(self, text: str) -> Outlet | None:
        return self._by_key.get(fold_key(text))

    def by_name_inside(self, text: str) -> Outlet | None:
        """An outlet named inside a longer line: "date 2023-11-07 South China Morning Post"."""
        key = fold_key(text)
        return next((o for pattern, o in self._inside if pattern.search(key)), None)

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
        outlet = registry.by_name(line) or registry.by_name_inside(line)
        if outlet:
            return outlet.name
    return None
