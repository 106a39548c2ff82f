"""The shapes of single lines: what a headline, a sentence or a name looks like.

Shared by the text cleaner and the extractors, so they agree on what a byline is.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

BULLETS = "•·▪●◦‣∙*–—-"
_SPACES = re.compile(r"\s+")
# Chinese and Japanese are written without spaces: two characters count as one word,
# about the length of a word, so line shapes (headline, paragraph) mean the same there.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]{{1,2}}|[^\W{_CJK}]+(?:[-'’][^\W{_CJK}]+)*")
# A sentence boundary: lower-case letter or digit, stop, space, capital. "S. Korea" is not one.
_SENTENCE_BREAK = re.compile(r"[a-z0-9\)][.!?][\"”’')]?\s+[\"“‘]?[A-Z]|[。！？][」』”）)]?(?=\S)")
_TERMINAL = re.compile(r"[.!?…:;,。！？：；][\"”’')\]」』）]*$|[\"”’」』]$")
# A teaser cut short by the page: "Seoul and Moscow agree to..", "주인공 자리까지 꿰찬 나영석 PD의.."
_TRUNCATED = re.compile(r"(?:\.\.\.?|…)$")
_NAME_TOKEN = re.compile(r"^(?:[A-Z][a-zà-ÿ'’]+(?:-[A-Za-zà-ÿ]+)*|[A-Z]\.|[A-Z][a-z]?[A-Z][a-z]+|de|van|von|der|da|bin|al|la|le|du|dos)$")


def fold_spaces(line: str) -> str:
    return _SPACES.sub(" ", line.replace("\u00a0", " ").replace("\u200b", "")).strip()


def strip_bullet(line: str) -> str:
    return line.lstrip(BULLETS).strip()


def is_bullet(line: str) -> bool:
    return bool(line) and line[0] in "•·▪●◦‣∙"


def words(line: str) -> list[str]:
    return _WORD.findall(line)


@lru_cache(maxsize=8192)
def word_count(line: str) -> int:
    """word_count(line), remembered: the cleaners ask it of each line many times."""
    return len(_WORD.findall(line))


@lru_cache(maxsize=8192)
def fold_key(line: str) -> str:
    """Case, accents, punctuation and spacing folded: for comparing two lines."""
    text = unicodedata.normalize("NFKD", line)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(w.lower() for w in re.findall(r"\w+", text))


def has_sentence_break(line: str) -> bool:
    return bool(_SENTENCE_BREAK.search(line))


def ends_like_sentence(line: str) -> bool:
    return bool(_TERMINAL.search(line))


def is_prose(line: str) -> bool:
    """A paragraph of running text, as opposed to a headline, label or caption."""
    n = word_count(line)
    if is_bullet(line) or (n < 20 and _TRUNCATED.search(line)):
        return False
    # A short line ending in "?" or "!" is more often a headline than a paragraph.
    ends_with_stop = ends_like_sentence(line) and not line.rstrip("\"”’')」』）").endswith(("?", "!", ":", "？", "！", "："))
    return (n >= 20 and not _is_keyword_list(line)) or (n >= 8 and ends_with_stop) or (n >= 6 and has_sentence_break(line))


def _is_keyword_list(line: str) -> bool:
    """A tag cloud or keyword line: many words, lower-case start, no sentence punctuation."""
    return line[:1].islower() and not re.search(r"[.!?;:。！？]", line)


def is_headline_like(line: str, max_words: int = 30) -> bool:
    """Short, no full stop at the end: a title, subhead or related-story link."""
    n = word_count(line)
    if n < 2 or n > max_words or len(line) > 250:
        return False
    return not line.rstrip("\"”’'").endswith((".", ",", ";", ":")) and not has_sentence_break(line)


def is_name_like(line: str) -> bool:
    """Two to five capitalised tokens and nothing else: 'Park Chan-kyong', 'Jane van der Berg'."""
    tokens = line.split()
    if not 2 <= len(tokens) <= 5 or len(line) > 60:
        return False
    if not tokens[0][:1].isupper() or not tokens[-1][:1].isupper():
        return False
    return all(_NAME_TOKEN.match(t) for t in tokens)


RULE_KINDS = ("line", "end", "promo", "comments")


@lru_cache(maxsize=1)
def boilerplate_rules() -> dict[str, list[re.Pattern]]:
    """The boilerplate patterns from data/boilerplate.json, compiled, by kind."""
    path = Path(__file__).with_name("data") / "boilerplate.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {kind: [re.compile(rf"(?:{pattern})", re.IGNORECASE) for pattern in raw[kind]] for kind in RULE_KINDS}


@lru_cache(maxsize=1)
def _combined_rules() -> dict[str, re.Pattern]:
    # One alternation per kind: a line is tested once per kind, not once per pattern.
    return {kind: re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)
            for kind, patterns in boilerplate_rules().items()}


def matches_rule(kind: str, line: str) -> bool:
    """Whether the whole line (bullets and trailing ' .:!' aside) is boilerplate of KIND."""
    candidate = strip_bullet(line).rstrip(" .:!")
    return _combined_rules()[kind].fullmatch(candidate) is not None
