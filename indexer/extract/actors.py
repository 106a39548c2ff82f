"""The actors an article is about: people, countries and organisations.

This first version matches the knowledge base in data/actors.json against the
title, standfirst and body (never the byline, captions or chrome), longest
alias first, with case, accents, hyphens and spacing folded.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from ..article import Actor

_TOKEN = re.compile(r"[^\W_]+")
_TYPES = {"countries": "country", "people": "person", "organisations": "organisation"}


def fold(text: str) -> str:
    """Case, accents, hyphens, dots and spacing folded: 'Kim Jong-un' -> 'kim jong un'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(t.lower() for t in _TOKEN.findall(text))


@dataclass(frozen=True)
class Alias:
    actor: Actor
    exact_case: bool  # an all-capitals alias (DPRK, US) matches only in capitals


@dataclass(frozen=True)
class KnowledgeBase:
    aliases: dict[tuple[str, ...], Alias]
    longest: int

    def lookup(self, name: str) -> Actor | None:
        """The canonical actor a name or alias stands for, if the knowledge base knows it."""
        alias = self.aliases.get(tuple(fold(name).split()))
        return alias.actor if alias else None

    def find(self, text: str) -> list[Actor]:
        """Actors mentioned in text, in order of first mention, each once."""
        tokens = [(m.group(0), m.start()) for m in _TOKEN.finditer(unicodedata.normalize("NFKC", text))]
        folded = [fold(t) for t, _ in tokens]
        found: dict[Actor, None] = {}
        i = 0
        while i < len(tokens):
            for n in range(min(self.longest, len(tokens) - i), 0, -1):
                alias = self.aliases.get(tuple(folded[i : i + n]))
                if alias and _case_fits(alias, [t for t, _ in tokens[i : i + n]]):
                    found.setdefault(alias.actor)
                    i += n
                    break
            else:
                i += 1
        return list(found)


def _case_fits(alias: Alias, words: list[str]) -> bool:
    if alias.exact_case:
        return all(w.isupper() for w in words)
    return words[0][:1].isupper()


@lru_cache(maxsize=4)
def load_knowledge_base(path: Path | None = None) -> KnowledgeBase:
    path = path or Path(__file__).with_name("data") / "actors.json"
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    aliases: dict[tuple[str, ...], Alias] = {}
    for section, actor_type in _TYPES.items():
        for entry in raw.get(section, []):
            actor = Actor(entry["name"], actor_type)
            names = [entry["name"], *entry.get("aliases", []), *entry.get("demonyms", []), *entry.get("capitals", [])]
            for name in names:
                key = tuple(fold(name).split())
                if key:
                    exact = name.replace(".", "").replace("-", "").isupper() and len(name.replace(".", "")) <= 6
                    aliases.setdefault(key, Alias(actor, exact))
    return KnowledgeBase(aliases, max(len(k) for k in aliases))


def extract_actors(texts: Iterable[str], kb: KnowledgeBase, exclude: Iterable[str] = ()) -> tuple[Actor, ...]:
    """Actors in the given texts; names in `exclude` (the author) are never actors."""
    excluded = {fold(name) for name in exclude if name}
    found: dict[Actor, None] = {}
    for text in texts:
        for actor in kb.find(text):
            if fold(actor.name) not in excluded:
                found.setdefault(actor)
    return tuple(found)
