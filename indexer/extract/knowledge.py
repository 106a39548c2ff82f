"""The actor knowledge base: known people, countries and organisations with their aliases.

Two data files make it: data/actor_countries.json, generated from the
countryinfo library by tools/make_country_data.py, and the curated
data/actors.json (people, organisations, and what the library lacks for
countries: "ROK", "the Kremlin"), which is merged over it and wins a clash.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from ..article import Actor

DATA = Path(__file__).with_name("data")
CURATED_FILE = DATA / "actors.json"
COUNTRIES_FILE = DATA / "actor_countries.json"
RULES_FILE = DATA / "actor_rules.json"
SECTION_TYPES = {"countries": "country", "people": "person", "organisations": "organisation"}
NAME_KEYS = ("aliases", "demonyms", "capitals")

TOKEN = re.compile(r"[^\W_]+")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case, accents, hyphens, dots and spacing folded: 'Kim Jong-un' -> 'kim jong un'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(t.lower() for t in TOKEN.findall(text))


def fold_key(text: str) -> tuple[str, ...]:
    return tuple(fold(text).split())


@dataclass(frozen=True)
class Alias:
    actor: Actor | None  # None: a place whose name holds a country's ("Inner Mongolia"), never an actor
    exact_case: bool  # an all-capitals alias (DPRK, US) matches only in capitals
    implies: tuple[Actor, ...] = ()  # countries an organisation's name states ("US State Department")


@dataclass(frozen=True)
class Mention:
    """A stretch of one text that the knowledge base explains."""

    start: int
    end: int
    actor: Actor


@dataclass(frozen=True)
class KnowledgeBase:
    aliases: dict[tuple[str, ...], Alias]
    fingerprint: str = ""  # digest of the data files: part of the extraction cache key
    names: dict[Actor, tuple[str, ...]] = field(default_factory=dict)  # every name an actor goes by, as written
    # First word of an alias -> the lengths of the aliases it starts, longest first. Most words
    # of a text start none, so `mentions` looks up one word there instead of a slice of the text per
    # alias length (a quarter of the pipeline's time outside the model went to those).
    lengths_from: dict[str, tuple[int, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lengths: dict[str, set[int]] = {}
        for key in self.aliases:
            lengths.setdefault(key[0], set()).add(len(key))
        object.__setattr__(self, "lengths_from", {word: tuple(sorted(n, reverse=True)) for word, n in lengths.items()})

    def aliases_of(self, actor: Actor) -> tuple[str, ...]:
        """The other names the knowledge base knows an actor by ("DPRK", "Pyongyang" for North Korea)."""
        return tuple(n for n in self.names.get(actor, ()) if fold(n) != fold(actor.name))

    def lookup(self, name: str) -> Actor | None:
        """The canonical actor a name or alias stands for, if the knowledge base knows it."""
        alias = self.aliases.get(fold_key(name))
        return alias.actor if alias else None

    def implied(self, actor: Actor) -> tuple[Actor, ...]:
        """The countries a known organisation's canonical name states: 'US State Department' -> United States."""
        alias = self.aliases.get(fold_key(actor.name))
        return alias.implies if alias and alias.actor == actor else ()

    def mentions(self, text: str) -> Iterator[Mention]:
        """Known actors in text, longest alias first, left to right, with their character spans."""
        tokens = [(m.group(0), m.start(), m.end()) for m in TOKEN.finditer(text)]
        folded = [fold(t) for t, _, _ in tokens]
        i = 0
        while i < len(tokens):
            for n in self.lengths_from.get(folded[i], ()):
                if i + n > len(tokens):
                    continue
                alias = self.aliases.get(tuple(folded[i : i + n]))
                if alias and _case_fits(alias, [t for t, _, _ in tokens[i : i + n]]):
                    if alias.actor is not None:
                        yield Mention(tokens[i][1], tokens[i + n - 1][2], alias.actor)
                    i += n
                    break
            else:
                i += 1

    def find(self, text: str) -> list[Actor]:
        """Actors mentioned in text, in order of first mention, each once."""
        return list(dict.fromkeys(m.actor for m in self.mentions(text)))


def _case_fits(alias: Alias, words: list[str]) -> bool:
    if alias.exact_case:
        return all(w.isupper() for w in words)
    return words[0][:1].isupper()


def _is_exact_case(name: str) -> bool:
    letters = name.replace(".", "").replace("-", "")
    return letters.isupper() and len(letters) <= 6


def knowledge_entries(raw: dict) -> Iterator[tuple[Actor, list[str]]]:
    """(actor, every name it goes by) for each entry of a knowledge-base document."""
    for section, actor_type in SECTION_TYPES.items():
        for entry in raw.get(section, []):
            yield Actor(entry["name"], actor_type), [entry["name"], *(n for key in NAME_KEYS for n in entry.get(key, []))]


def knowledge_files(path: Path | None) -> list[Path]:
    """The files a knowledge base is read from: a given file alone, else curated over generated."""
    return [Path(path)] if path else [CURATED_FILE, COUNTRIES_FILE]


@lru_cache(maxsize=4)
def load_knowledge_base(path: Path | None = None) -> KnowledgeBase:
    """The knowledge base of `path` alone, or (default) the curated file merged over the generated countries."""
    digest = hashlib.sha256()
    aliases: dict[tuple[str, ...], Alias] = {}
    written: dict[Actor, dict[tuple[str, ...], str]] = {}
    for file in knowledge_files(path):  # earlier files win a clash: the curated file is read first
        text = Path(file).read_text(encoding="utf-8")
        digest.update(text.encode("utf-8"))
        for actor, names in knowledge_entries(json.loads(text)):
            for name in names:
                if key := fold_key(name):
                    aliases.setdefault(key, Alias(actor, _is_exact_case(name)))
                    written.setdefault(actor, {}).setdefault(key, name)
    for place in _places():
        aliases.setdefault(fold_key(place), Alias(None, False))
    aliases = _with_implied_countries(aliases)
    names = {actor: tuple(name for key, name in keys.items() if aliases[key].actor == actor)  # a clash's loser is not its name
             for actor, keys in written.items()}
    return KnowledgeBase(aliases, digest.hexdigest()[:16], names)


def _places() -> list[str]:
    return json.loads(RULES_FILE.read_text(encoding="utf-8")).get("places", [])


def _with_implied_countries(aliases: dict[tuple[str, ...], Alias]) -> dict[tuple[str, ...], Alias]:
    """Organisations' aliases with the countries their canonical names state."""
    countries = KnowledgeBase({k: a for k, a in aliases.items() if a.actor and a.actor.type == "country"})
    implied: dict[Actor, tuple[Actor, ...]] = {}
    for alias in aliases.values():
        if alias.actor and alias.actor.type == "organisation" and alias.actor not in implied:
            implied[alias.actor] = tuple(countries.find(alias.actor.name))
    return {k: replace(a, implies=implied.get(a.actor, ())) for k, a in aliases.items()}

