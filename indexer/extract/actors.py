"""The actors an article is about: people, countries and organisations.

Two recognisers, the knowledge base first:

1. The knowledge base (knowledge.py) explains every alias it knows, with case,
   accents, hyphens and spacing folded; capitals and demonyms count as their
   country. It is trusted over the model wherever the two overlap ("Kyiv" is
   Ukraine, whatever the model calls it).
2. The statistical model (ner.py) reads only the sentences with capitalised words
   the knowledge base left unexplained, and of those only the names it left
   unexplained and the words around them (actor_text.model_windows), and proposes people and organisations
   it does not know. They are kept under their cleaned name ("Samsung Heavy
   Industries'" -> "Samsung Heavy Industries", titles dropped), after rules a
   human indexer would apply: a lone surname or a cut name ("Yoon Suk") joins
   the one full name in the article it belongs to and is dropped if ambiguous
   ("Kim" with two Kims); an acronym the text defines stands for its long form;
   credits, bylines and the author are never actors.

Headlines (title, subtitle) get the knowledge base only: their title case makes
the model see names everywhere ("Dares Putin").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from ..article import Actor
from . import ner
from .actor_cache import ActorCache, cache_key
from .actor_text import (Explained, Rules, acronym_definitions, is_byline, is_label, load_rules,
                         model_windows, sentence_spans, without_credits)
from .knowledge import TOKEN, KnowledgeBase, Mention, fold, fold_key, load_knowledge_base

__all__ = ["Actor", "ActorCache", "KnowledgeBase", "extract_actors", "fold", "load_knowledge_base"]

# Bump when a change to the code changes what is extracted: the cache then misses.
EXTRACTOR_VERSION = "2"
MAX_NAME_WORDS = 8


@dataclass
class Candidate:
    """A name the model proposed, cleaned, that the knowledge base does not know."""

    name: str
    type: str  # person | organisation
    words: tuple[str, ...]  # folded


@dataclass
class ArticleText:
    """The article's texts as matched: credits blanked, bylines and labels left out."""

    texts: list[str]
    headline_count: int
    mentions: list[list[Mention]] = field(default_factory=list)


def extract_actors(texts: Iterable[str], kb: KnowledgeBase, exclude: Iterable[str] = (), *,
                   headlines: Sequence[str] = (), ner: bool = False, cache: ActorCache | None = None) -> tuple[Actor, ...]:
    """Actors of an article: `headlines` (title, subtitle) and body `texts`; names in `exclude` (the author) never.

    With `ner`, the statistical model adds people and organisations the knowledge
    base does not know; without it, only the knowledge base and acronyms the
    text defines are used. With a `cache`, unchanged input is not extracted twice.
    """
    texts, excluded = list(texts), [name for name in exclude if name]
    key = None
    if cache is not None:
        key = cache_key(_settings(kb, ner), headlines, texts, excluded)
        if (hit := cache.get(key)) is not None:
            return hit
    actors = _extract(list(headlines), texts, kb, excluded, ner)
    if cache is not None:
        cache.put(key, actors)
    return actors


def _settings(kb: KnowledgeBase, use_model: bool) -> str:
    model = ner.model_version() if use_model else "no-model"
    return f"v{EXTRACTOR_VERSION}|kb {kb.fingerprint}|rules {load_rules().fingerprint}|{model}"


def _extract(headlines: list[str], texts: list[str], kb: KnowledgeBase, excluded: list[str], use_model: bool) -> tuple[Actor, ...]:
    rules = load_rules()
    article = _prepared(headlines, texts, kb, rules)
    acronyms = _defined_acronyms(article, kb)
    found: dict[Actor, None] = {}
    for i, text in enumerate(article.texts):
        for mention in article.mentions[i]:
            actor = acronyms.get(text[mention.start:mention.end], mention.actor)
            found.setdefault(actor)
            for country in kb.implied(actor):
                found.setdefault(country)
        for acronym, actor in acronyms.items():
            if acronym in text and any(t == acronym for t in TOKEN.findall(text)):
                found.setdefault(actor)
    for actor in dict.fromkeys(acronyms.values()):
        found.setdefault(actor)
    candidates: list[Candidate] = []
    if use_model:
        candidates, dropped = _model_candidates(article, rules, acronyms)
        found = {a: None for a in found if a not in dropped or _mentioned_elsewhere(a, article, dropped[a])}
    excluded_words = [set(fold_key(name)) for name in excluded]
    for actor in _resolved(candidates, list(found), excluded_words, acronyms):
        found.setdefault(actor)
    excluded_keys = {fold(name) for name in excluded}
    return tuple(a for a in found if fold(a.name) not in excluded_keys and fold(a.name) not in rules.never)


def _prepared(headlines: list[str], texts: list[str], kb: KnowledgeBase, rules: Rules) -> ArticleText:
    kept = [without_credits(t, rules) for t in headlines]
    kept += [without_credits(t, rules) for t in texts if t.strip() and not is_byline(t) and not is_label(t)]
    article = ArticleText(kept, len(headlines))
    article.mentions = [list(kb.mentions(t)) for t in kept]
    return article


def _defined_acronyms(article: ArticleText, kb: KnowledgeBase) -> dict[str, Actor]:
    """Acronyms the article defines, each to the actor its long form names (known, or a new organisation)."""
    defined: dict[str, Actor] = {}
    for text in article.texts:
        for acronym, long_form in acronym_definitions(text).items():
            actor = kb.lookup(long_form) or Actor(long_form, "organisation")
            defined.setdefault(acronym, actor)
    return defined


MODEL_CHARS_PER_ARTICLE = 60_000


def _model_candidates(article: ArticleText, rules: Rules, acronyms: dict[str, Actor]) -> tuple[list[Candidate], dict[Actor, list]]:
    """People and organisations the model finds that the knowledge base does not explain.

    Also returns the knowledge-base mentions the model shows to be part of a
    person's name ("Chad" in "Chad Smith"), which are then not the country.
    """
    pieces: list[tuple[int, int, int]] = []  # (text index, start, end) of each part of a sentence sent to the model
    # The model reads at most this much of one article (found by bench/fuzz.py: a page of
    # repeated text took minutes); past it, the knowledge base alone finds actors.
    budget = MODEL_CHARS_PER_ARTICLE
    for i in range(article.headline_count, len(article.texts)):
        text = article.texts[i]
        explained = Explained([(m.start, m.end) for m in article.mentions[i]])
        for start, end in sentence_spans(text):
            if budget <= 0:
                break
            for window_start, window_end in model_windows(text, start, end, explained, rules):
                pieces.append((i, window_start, window_end))
                budget -= window_end - window_start
    if not pieces:
        return [], {}
    entities = ner.entities_in([article.texts[i][s:e] for i, s, e in pieces])
    candidates: list[Candidate] = []
    dropped: dict[Actor, list] = {}
    for (i, offset, _), found in zip(pieces, entities):
        text = article.texts[i]
        for entity in found:
            if entity.label not in ("PERSON", "ORG"):
                continue
            start, end = _cleaned_span(text, offset + entity.start, offset + entity.end, entity.label, rules)
            if start >= end:
                continue
            inside = [m for m in article.mentions[i] if m.start < end and start < m.end]
            if not _unexplained(inside, start, end, entity.label, dropped):
                continue
            name = text[start:end]
            if name in acronyms:
                continue
            if candidate := _candidate(name, "person" if entity.label == "PERSON" else "organisation", text, end, rules):
                candidates.append(candidate)
    return candidates, dropped


def _unexplained(inside: list[Mention], start: int, end: int, label: str, dropped: dict[Actor, list]) -> bool:
    """Whether an entity is more than the knowledge base already explains; notes mentions it overrides."""
    if not inside:
        return True
    if any(m.start < start or m.end > end for m in inside):
        return False  # overlaps a known name without containing it: the knowledge base wins
    if label == "PERSON":
        if any(m.actor.type == "person" for m in inside) or not _has_words_beyond(inside, start, end):
            return False
        for m in inside:  # "Chad Smith", "George Washington": a person's name, not the country
            dropped.setdefault(m.actor, []).append((m.start, m.end))
        return True
    # An organisation named after a country ("Russian Foreign Ministry") is both; one named after a known
    # organisation ("NATO Secretary General") is that organisation.
    return all(m.actor.type == "country" for m in inside) and _has_words_beyond(inside, start, end)


def _has_words_beyond(inside: list[Mention], start: int, end: int) -> bool:
    covered = sum(m.end - m.start for m in inside)
    return (end - start) - covered > 3


def _mentioned_elsewhere(actor: Actor, article: ArticleText, spans: list) -> bool:
    taken = set(spans)
    return any(m.actor == actor and (m.start, m.end) not in taken for mentions in article.mentions for m in mentions)


def _cleaned_span(text: str, start: int, end: int, label: str, rules: Rules) -> tuple[int, int]:
    """The entity's span without titles, 'the', a possessive or a cut hyphenated name ('Nam Hyun' -> 'Nam Hyun-woo')."""
    if "(" in text[start:end]:  # "Office of Foreign Assets Control (OFAC"
        end = start + text[start:end].index("(")
        while end > start and text[end - 1] == " ":
            end -= 1
    start = _extended_left(text, start, end, label, rules)
    while end < len(text) and text[end] in "-‐" and end + 1 < len(text) and text[end + 1].islower():
        end += 1
        while end < len(text) and (text[end].isalnum()):
            end += 1
    while end > start and text[end - 1] in "-‐":  # 'Chair Chung-' with nothing lower-case after it
        end -= 1
    for suffix in ("'s", "’s", "'", "’"):
        if text[start:end].endswith(suffix):
            end -= len(suffix)
            break
    words = list(TOKEN.finditer(text, start, end))
    skip = {"the"} | (rules.titles if label == "PERSON" else set())
    while words and fold(words[0].group(0)) in skip:
        words.pop(0)
    if not words:
        return end, end
    return words[0].start(), end


def _extended_left(text: str, start: int, end: int, label: str, rules: Rules) -> int:
    """The model often cuts a name's first word: 'Son Jae-il' read as 'Jae-il', 'HD Hyundai Heavy Industries' as 'Hyundai...'."""
    before = re.search(r"([A-Z][\w'’-]*) $", text[max(0, start - 30) : start])
    if not before:
        return start
    word = before.group(1)
    if label == "PERSON":
        single = len(text[start:end].split()) == 1
        fits = single and fold(word) not in rules.titles and word not in rules.common and not word.isupper()
    else:
        fits = word.isupper() and len(word) <= 4 and fold(word) not in rules.titles
    return start - len(word) - 1 if fits else start


def _candidate(name: str, actor_type: str, text: str, end: int, rules: Rules) -> Candidate | None:
    """A cleaned name as a candidate actor, or None when it cannot be one."""
    name = " ".join(name.split()).strip(" ,.;:\"“”'’()")
    words = fold_key(name)
    raw_words = name.split()
    if not words or len(words) > MAX_NAME_WORDS or fold(name) in rules.never:
        return None
    if any(ch.isdigit() for ch in name) or not name[0].isupper():
        return None
    if re.search(r"-(?:based|led|backed|owned|run|born|made)\b", name):
        return None
    if actor_type == "person":
        if not all(w[0].isupper() or w.lower().strip(".") in rules.particles for w in raw_words):
            return None
        if all(w in rules.titles for w in words):
            return None
    else:
        if len(words) == 1 and _followed_by_title(text, end, rules):
            return None  # "Defense" in "Russian Defense Minister"
        if all(w in rules.titles for w in words) or words[-1] in rules.not_actor_heads or words[-1].endswith("ism"):
            return None  # a title, a stock index, a law, a programme, an ideology
        if name.isupper() and len(name) <= 3:
            return None  # an undefined short acronym ("SMO") is too ambiguous to name an organisation
        if len(words) == 1 and not name.isupper() and _reads_as_place(text, raw_words[0]):
            return None  # "in Senkata", "Logar province": a place the model called an organisation
    return Candidate(name, actor_type, words)


def _reads_as_place(text: str, word: str) -> bool:
    place = rf"\b(?:in|at|near|from|of|outside|across)\s+{re.escape(word)}\b|\b{re.escape(word)}\s+(?:province|region|area|city|county|district|state)\b"
    return re.search(place, text) is not None


def _followed_by_title(text: str, end: int, rules: Rules) -> bool:
    following = TOKEN.findall(text[end : end + 30])
    return bool(following) and fold(following[0]) in rules.titles


def _resolved(candidates: list[Candidate], known: list[Actor], excluded_words: list[set[str]],
              acronyms: dict[str, Actor]) -> list[Actor]:
    """Candidates as actors: part-names joined to the one full name they belong to, the rest kept by their name."""
    people = [c for c in candidates if c.type == "person"]
    full_names = [set(fold_key(a.name)) for a in known if a.type == "person"]
    full_names += [set(c.words) for c in people if len(c.words) >= 2]
    actors: dict[Actor, None] = {}
    by_words: dict[frozenset[str], str] = {}
    for candidate in sorted(people, key=lambda c: -len(c.words)):
        words = set(candidate.words)
        if any(words <= author for author in excluded_words) or any(author <= words for author in excluded_words):
            continue
        if any(words < other for other in full_names) or len(words) < 2:
            continue  # a surname or a cut name: joins its full name, or is dropped when there is none or several
        if any(words == set(fold_key(a.name)) for a in known if a.type == "person"):
            continue
        key = frozenset(words)
        if key not in by_words:
            by_words[key] = candidate.name
            actors.setdefault(Actor(candidate.name, "person"))
    long_forms = {fold(a.name): a for a in acronyms.values()}
    known_keys = {fold(a.name) for a in known}
    people_words = full_names + [set(fold_key(a.name)) for a in actors if a.type == "person"]
    for candidate in candidates:
        if candidate.type != "organisation":
            continue
        name = _without_country_possessive(candidate.name, known)
        key = fold(name)
        if key in long_forms or key in known_keys or not key:
            continue
        if any(set(fold_key(name)) <= words for words in people_words + excluded_words):
            continue  # "Persson", "Carlineo": a person the model took for an organisation
        actors.setdefault(Actor(name, "organisation"))
    return _without_duplicate_organisations(list(actors), known)


def _without_country_possessive(name: str, known: list[Actor]) -> str:
    """"Vietnam's Communist Party" -> "Communist Party": the country is an actor of its own."""
    match = re.match(r"(.+?)(?:'s|’s)\s+(.+)", name)
    if match and any(fold(match.group(1)) == fold(a.name) for a in known if a.type == "country"):
        return match.group(2)
    return name


def _without_duplicate_organisations(actors: list[Actor], known: list[Actor]) -> list[Actor]:
    """One organisation per folded name; 'Afghan Taliban' beside 'Taliban' is the Taliban."""
    names = {fold(a.name) for a in actors if a.type == "organisation"}
    seen: set[str] = set()
    kept = []
    for actor in actors:
        key = fold(actor.name)
        if actor.type == "organisation":
            first, _, rest = key.partition(" ")
            if key in seen or (rest in names and rest != key):
                continue
        seen.add(key)
        kept.append(actor)
    return kept


_caches: dict[Path, ActorCache] = {}


def actor_cache(path: Path | None) -> ActorCache | None:
    """One cache object per file and process (it keeps its connection open)."""
    if path is None:
        return None
    return _caches.setdefault(Path(path), ActorCache(Path(path)))
