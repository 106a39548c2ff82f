"""Which parts of an article's text can name an actor, and what the text itself defines.

Credits, bylines and label lines are taken out before anything is matched;
acronyms defined in the text ("National Intelligence Service (NIS)") are read
here; sentences whose capitalised words the knowledge base already explains are
kept from the (slow) statistical model.
"""

from __future__ import annotations

from bisect import bisect_right

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from .knowledge import fold

RULES_FILE = Path(__file__).with_name("data") / "actor_rules.json"

SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])")
CAPITALISED = re.compile(r"\b[A-Z][\w'’-]*")
LETTERS = re.compile(r"[^\W\d_][\w'’-]*")  # a word without the punctuation around it, in any script
CONTRACTION = re.compile(r"(.+?)['’](?:m|re|ve|ll|d)")  # "I’m", "They're", "We'll" (of a common word: not "Sa'd")
NEGATION = re.compile(r".+n['’]t", re.IGNORECASE)  # "Don't", "Can't"
NEXT_WORD = re.compile(r"[\s,]*(?=\S)")
WORD_RUN = re.compile(r"\S+")
MODEL_CONTEXT_WORDS = 5
ACRONYM_IN_BRACKETS = re.compile(r"\(\s*([A-Z][A-Za-z0-9&-]{1,9})\s*\)")
NAME_WORD = re.compile(r"[A-Z][\w'’.&-]*|of|for|and|on|in|the|de|du|des|&")
ABBREVIATION = re.compile(r"(?:[A-Z]\.)+|(?:\w+\.){2,}|(?:Mr|Mrs|Ms|Dr|Prof|Gov|Rep|Sen|Gen|Lt|Col|Adm|Sgt|St|Jr|Sr|Rt|Hon|No|vs"
                          r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.")
SMALL_WORDS = {"of", "for", "and", "on", "in", "the", "de", "du", "des", "&"}


@dataclass(frozen=True)
class Rules:
    credits: re.Pattern
    dateline_credit: re.Pattern
    never: frozenset[str]  # folded
    titles: frozenset[str]  # folded
    particles: frozenset[str]
    common: frozenset[str]
    not_actor_heads: frozenset[str]  # folded
    fingerprint: str


@lru_cache(maxsize=1)
def load_rules(path: Path = RULES_FILE) -> Rules:

    text = Path(path).read_text(encoding="utf-8")
    raw = json.loads(text)
    agencies = "|".join(re.escape(c) for c in sorted(raw["credits"], key=len, reverse=True))
    agency = rf"(?:{agencies})(?:\s*[-/]\s*(?:{agencies}))*"
    # A credit closes a paragraph ("... Dec. 4 (local time). AP-Yonhap") or follows "Photo:"/"Courtesy of".
    credits = re.compile(rf"(?:(?<=[.!?”\"')])\s+{agency}\s*$|(?:Photos?|Image|Courtesy of|Photo by)\s*[:by]*\s*{agency}\b)")
    dateline = re.compile(rf"^[A-Z][\w .,'’-]{{0,40}}?\(\s*({agency})\s*\)")
    import hashlib

    return Rules(credits=credits, dateline_credit=dateline, never=frozenset(fold(n) for n in raw["never"]),
                 titles=frozenset(fold(t) for t in raw["titles"]), particles=frozenset(raw["particles"]),
                 common=frozenset(raw["common"]), not_actor_heads=frozenset(fold(h) for h in raw["not_actor_heads"]),
                 fingerprint=hashlib.sha256(text.encode()).hexdigest()[:16])


def blank(text: str, start: int, end: int) -> str:
    """Text with [start, end) replaced by spaces: offsets of everything else stay valid."""
    return text[:start] + " " * (end - start) + text[end:]


def without_credits(text: str, rules: Rules) -> str:
    """Photo credits and dateline agencies blanked out ("AP-Yonhap", "Photo: dpa", "HANOI (AP)")."""
    for match in list(rules.credits.finditer(text)):
        text = blank(text, match.start(), match.end())
    if match := rules.dateline_credit.match(text):
        text = blank(text, match.start(1), match.end(1))
    return text


def is_byline(text: str) -> bool:
    """'By Nam Hyun-woo': a byline line, whose name is the author, never an actor."""
    words = text.split()
    return len(words) <= 6 and words[0].lower() == "by" and not re.search(r"[.!?]$", text.strip()) if words else False


def is_label(text: str) -> bool:
    """A short line without a sentence in it: a section label, a share-button row, a subheading."""
    words = text.split()
    return len(words) <= 4 and not re.search(r"[.!?:;\"”]", text)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of a paragraph (not split after "Dec." or "U.S.")."""
    spans, start = [], 0
    for match in SENTENCE_END.finditer(text):
        before = text[start : match.start()].split()
        if before and ABBREVIATION.fullmatch(before[-1]):
            continue
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def model_windows(text: str, start: int, end: int, explained: Explained, rules: Rules,
                  context: int = MODEL_CONTEXT_WORDS) -> list[tuple[int, int]]:
    """The parts of a sentence the model must read to find the names the knowledge base
    leaves unexplained ([] when it explains them all): each unexplained name (the
    run of capitalised words it is in, "Korea Development Institute"), with `context`
    words either side; overlapping parts joined.

    The model sees 4 tokens either side of a word (4 convolution layers of window 1),
    so it finds the same names in these parts as in the whole sentence (only a
    lower-case phrase, never an actor, can be cut at an edge); the names it would find
    far from any unexplained word are ones the knowledge base already has. Against
    reading whole sentences: no actor changed on 300 bench articles and 181 real
    pages, and the model's time fell by a third (bench/README.md, *Ingest*).
    """
    reasons = [match.start() for match in unexplained_names(text, start, end, explained, rules)]
    if not reasons:
        return []
    words = [match.span() for match in WORD_RUN.finditer(text, start, end)]
    starts = [word_start for word_start, _ in words]
    # The words holding a reason ("Doosan" in "Samsung/Doosan"), and words with a capital
    # in any script ("Любви Моисейкиной" in a sentence read for an English name).
    centres = {bisect_right(starts, position) - 1 for position in reasons}
    centres.update(k for k, (word_start, word_end) in enumerate(words)
                   if (name := LETTERS.search(text, word_start, word_end)) and any(char.isupper() for char in name.group(0))
                   and not _needs_no_reading(text, name.start(), name.end(), end, explained, rules))
    in_name = [_is_name_word(text[word_start:word_end]) for word_start, word_end in words]
    windows: list[tuple[int, int]] = []
    last_word = -1
    for k in sorted(centres):
        if k <= last_word:  # inside the run just taken (a page of title case: one run, not one per word)
            continue
        first_word, last_word = _name_run(in_name, k)
        first, last = words[max(0, first_word - context)][0], words[min(len(words) - 1, last_word + context)][1]
        if windows and first <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(last, windows[-1][1]))
        else:
            windows.append((first, last))
    return windows


def _is_name_word(word: str) -> bool | None:
    """True for a word with a capital (any script: "Émile"), None for a small word a name may hold ("of"), else False."""
    if any(char.isupper() for char in word):
        return True
    return None if word.lower() in SMALL_WORDS else False


def _name_run(in_name: list[bool | None], k: int) -> tuple[int, int]:
    """First and last word of the run of capitalised words around word k, with up to two small
    words between capitals ("Bank of Korea", "Ministry of the Interior")."""
    def step(position: int, direction: int) -> int:
        for gap in (1, 2, 3):
            beyond = position + gap * direction
            if not 0 <= beyond < len(in_name) or in_name[beyond] is False:
                return position
            if in_name[beyond]:
                return beyond
        return position

    first, last = k, k
    while (before := step(first, -1)) != first:
        first = before
    while (after := step(last, 1)) != last:
        last = after
    return first, last


class Explained:
    """Spans of a text the knowledge base explained, sorted once, looked up by bisection.

    A page of repeated names must not cost names x spans (found by bench/fuzz.py).
    """

    def __init__(self, spans: list[tuple[int, int]]):
        self.spans = sorted(spans)
        self.starts = [s for s, _ in self.spans]

    def covers(self, position: int) -> bool:
        k = bisect_right(self.starts, position) - 1
        return k >= 0 and position < self.spans[k][1]


def unexplained_names(text: str, start: int, end: int, explained: Explained, rules: Rules) -> Iterator[re.Match]:
    """The capitalised words of a sentence that are neither explained by the knowledge base nor common:
    the reasons to let the model read it.

    Not reasons (2.4 % of the sentences the model read, and found no name in;
    bench/README.md, *Ingest*): a contraction of a common word ("I’m", "Don't"), or
    a title before a name the knowledge base knows ("President" in "President Biden").
    """
    for match in CAPITALISED.finditer(text, start, end):
        if not _needs_no_reading(text, match.start(), match.end(), end, explained, rules):
            yield match


def _needs_no_reading(text: str, start: int, end: int, sentence_end: int, explained: Explained, rules: Rules) -> bool:
    """Whether the capitalised word text[start:end] is common, or explained by the knowledge base."""
    word = text[start:end]
    if word.rstrip("'’s") in rules.common or word in rules.common or _is_contraction(word, rules):
        return True
    if explained.covers(start):
        return True
    return _is_title(word, rules) and _next_word_explained(text, end, sentence_end, explained)


def _is_contraction(word: str, rules: Rules) -> bool:
    if NEGATION.fullmatch(word):
        return True
    contracted = CONTRACTION.fullmatch(word)
    return contracted is not None and contracted.group(1) in rules.common


def _is_title(word: str, rules: Rules) -> bool:
    return fold(word) in rules.titles


def _next_word_explained(text: str, position: int, end: int, explained: Explained) -> bool:
    """Whether the word after `position` (within the sentence) is part of a known name."""
    following = NEXT_WORD.match(text, position, end)
    return following is not None and explained.covers(following.end())


def acronym_definitions(text: str) -> dict[str, str]:
    """Acronyms the text defines, to their long form: {"NIS": "National Intelligence Service"}."""
    found: dict[str, str] = {}
    for match in ACRONYM_IN_BRACKETS.finditer(text):
        acronym = match.group(1)
        words = _name_words_before(text, match.start())
        if long_form := _long_form(words, acronym):
            found.setdefault(acronym, long_form)
    return found


def _name_words_before(text: str, end: int) -> list[str]:
    """The run of capitalised words (and small joining words) that ends where the bracket opens."""
    words = text[:end].rstrip().split()
    run: list[str] = []
    for word in reversed(words[-10:]):
        bare = word.rstrip(",;:")
        if bare != word and run:
            break
        if not NAME_WORD.fullmatch(bare):
            break
        run.insert(0, bare)
    while run and run[0].lower() in SMALL_WORDS:
        run.pop(0)
    return run


def _long_form(words: list[str], acronym: str) -> str | None:
    """The longest tail of words whose initials spell the acronym, or nearly do ("FSB", "KOICA")."""
    letters = acronym.replace("-", "").replace("&", "").upper()
    for i in range(len(words)):
        tail = words[i:]
        if tail[0].lower() in SMALL_WORDS or tail[0][0] != letters[0]:
            continue
        initials = "".join(w[0].upper() for w in tail if w.lower() not in SMALL_WORDS)
        if _initials_fit(initials, letters):
            return _strip_possessive(" ".join(tail))
    return None


def _initials_fit(initials: str, letters: str) -> bool:
    if initials == letters:
        return True
    # "Korea International Cooperation Agency (KOICA)"; a transliterated "Federal Security Service (FSB)".
    nearly = _is_subsequence(initials, letters) and len(initials) >= len(letters) - 1
    translated = len(initials) == len(letters) >= 3 and initials[:2] == letters[:2]
    return nearly or translated


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return len(short) >= 2 and all(c in it for c in short)


def _strip_possessive(name: str) -> str:
    return re.sub(r"(?:'s|’s|'|’)$", "", name)
