"""Clean a text dump copied from a browser ("select all, copy").

The dump is a column of lines: page chrome (menus, share buttons, font-size
controls), the headline, a standfirst, a byline, photo captions (often twice:
once as alt text, once visible), the paragraphs with related-story links
between them, and a footer. We classify each line by its shape and by the
patterns in data/boilerplate.json, find where the running text starts and
ends, and keep header and footer lines for the extractors.
"""

from __future__ import annotations

import re

from . import CleanDocument
from .lines import (
    ends_like_sentence,
    fold_key,
    fold_spaces,
    is_bullet,
    is_headline_like,
    is_name_like,
    is_prose,
    matches_rule,
    strip_bullet,
    words,
)

# A photo credit closing a caption: "... (local time). AP-Yonhap", "... Photo: dpa".
_AGENCY = r"(?:AP|AFP|Reuters|EPA(?:-EFE)?|Getty Images|Xinhua|Yonhap|Bloomberg|dpa|Kyodo|KCNA|Newsis|News1|Joint Press Corps|Korea Times|Shutterstock|iStock|TASS|Sputnik|Anadolu|PA|UPI)"
_CAPTION_CREDIT = re.compile(
    rf"(?:[.)”\"]\s+{_AGENCY}(?:\s*[-/]\s*(?:{_AGENCY}|Getty|Yonhap))*"
    r"|\b(?:Photo|Photos|Image|Picture|Graphic|Illustration|Video)\s*(?:[:/]|by|courtesy of)\s*[^.]{1,60}"
    r"|\[(?:Photo|Image)[^\]]*\]|\((?:Photo|Image)[^)]*\)|\bPhoto courtesy of [^.]{1,60}\.?)$"
)
_RELATED_MAX_WORDS = 18


def clean_text(text: str) -> CleanDocument:
    lines = [fold_spaces(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    boilerplate = [line for line in lines if matches_rule("line", line)]
    lines = [line for line in lines if not matches_rule("line", line)]

    lines, captions = _drop_captions(lines)
    start = _body_start(lines)
    header, rest = lines[:start], lines[start:]
    title, subtitle = _title_and_subtitle(header)
    body, footer, related = _split_footer(rest, header)
    body = _drop_repeats(body, title)
    return CleanDocument(
        title=title,
        subtitle=subtitle,
        paragraphs=tuple(body),
        header=tuple(header),
        footer=tuple(footer),
        boilerplate=tuple(boilerplate + related),
        captions=tuple(captions),
    )


def is_caption(line: str) -> bool:
    return bool(_CAPTION_CREDIT.search(line)) and len(words(line)) >= 3


def _drop_captions(lines: list[str]) -> tuple[list[str], list[str]]:
    """Remove captions: lines with a photo credit, and a long line repeated on the next line."""
    kept, captions = [], []
    first_prose = next((i for i, line in enumerate(lines) if is_prose(line)), len(lines))
    for i, line in enumerate(lines):
        doubled = (i + 1 < len(lines) and fold_key(lines[i + 1]) == fold_key(line)) or (
            i > 0 and fold_key(lines[i - 1]) == fold_key(line)
        )
        # A headline shown twice above the text (page title, then article title) is a title, not a caption.
        repeated_headline = doubled and is_headline_like(line) and i < first_prose
        if is_caption(line) or (doubled and len(words(line)) >= 6 and not is_name_like(line) and not repeated_headline):
            if not captions or fold_key(captions[-1]) != fold_key(line):
                captions.append(line)
        else:
            kept.append(line)
    return kept, captions


def _body_start(lines: list[str]) -> int:
    """Index of the first line of running text; the lines before it are the header."""
    start = next((i for i, line in enumerate(lines) if is_prose(line) and not matches_rule("promo", line)), None)
    if start is None:
        # No running text at all (a short note): everything below the first line is body.
        return min(1, len(lines) - 1) if len(lines) > 1 else 0
    # A short standfirst sentence may sit above the byline ("He is caught in a trap
    # of his own making." / "Shankar Narayan" / "6 min read..."): the text starts after the byline.
    lead_words = 0
    for j in range(start, min(start + 6, len(lines))):
        if is_byline_marker(lines[j]):
            later = next((k for k in range(j + 1, len(lines)) if is_prose(lines[k])), None)
            return later if later is not None else start
        lead_words += len(words(lines[j]))
        if lead_words > 60:
            break
    return start


def is_byline_marker(line: str) -> bool:
    """A line of the byline block: an author name, "By ...", "6 min read", a dateline."""
    return (
        is_name_like(line)
        or bool(re.match(r"(?i)by\s+[A-Z]", line) and len(words(line)) <= 8)
        or bool(re.search(r"(?i)\b\d+\s*min(ute)?s? read", line))
        or bool(re.fullmatch(r"(?i)(published|updated|posted|date)?:?\s*[\w ,.:/-]*\b(19|20)\d\d\b[\w ,.:/-]*", line) and len(words(line)) <= 10)
    )


def _title_and_subtitle(header: list[str]) -> tuple[str | None, str | None]:
    candidates = [line for line in header if _could_be_title(line)]
    title = next((line for line in candidates if len(words(line)) >= 5), None)
    if title is None and candidates:
        title = max(candidates, key=lambda line: len(words(line)))
    if title is None:
        return None, None
    after = header[header.index(title) + 1 :]
    bullets = [strip_bullet(line) for line in after if is_bullet(line)]
    for line in after:
        if fold_key(line) == fold_key(title) or is_name_like(line) or line.lower().startswith("by "):
            continue
        if is_bullet(line):
            return title, " ".join(bullets)
        if len(words(line)) >= 4 and _could_be_title(line, max_words=45, allow_stop=True):
            return title, line
    return title, None


def _could_be_title(line: str, max_words: int = 30, allow_stop: bool = False) -> bool:
    if is_bullet(line) or is_name_like(line) or "@" in line or re.search(r"\d{4}-\d{2}-\d{2}", line):
        return False
    if re.match(r"(?i)by\s", line) or re.search(r"(?i)\bmin read\b", line):
        return False
    if allow_stop:
        return 2 <= len(words(line)) <= max_words
    return is_headline_like(line, max_words)


def _split_footer(rest: list[str], header: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Split the lines after the header into body, footer and dropped related-story links.

    The body ends at an 'end' marker (Related Articles, Top 10 Stories), at a
    promotion ("Thanks for reading"), or at the author's name repeated as a
    sign-off; related-headline interjections inside the body are dropped.
    """
    names = {fold_key(line) for line in header if is_name_like(line) or line.lower().startswith("by ")}
    names |= {fold_key(line[3:]) for line in header if line.lower().startswith("by ")}
    total = sum(len(words(line)) for line in rest if is_prose(line)) or 1
    seen = 0
    body, related = [], []
    for i, line in enumerate(rest):
        # An end marker only counts once most of the running text is behind us:
        # a "Related" box or a section label early on is not the end of the article.
        late = seen / total >= 0.5
        if matches_rule("promo", line) or (late and (matches_rule("end", line) or _is_signoff(line, names))):
            return body, rest[i:], related
        if is_prose(line):
            seen += len(words(line))
            body.append(line)
        elif is_headline_like(line, _RELATED_MAX_WORDS) and not _is_quote(line):
            related.append(line)
        elif len(words(line)) <= 3 and not ends_like_sentence(line):
            related.append(line)  # a stray label between paragraphs: "South Korea", "3"
        else:
            body.append(line)
    return body, [], related


def _is_signoff(line: str, names: set[str]) -> bool:
    key = fold_key(re.sub(r"\S+@\S+", "", line))
    return bool(key) and (key in names or (bool(re.search(r"\S+@\S+\.\w+", line)) and is_name_like(line.split("@")[0].rsplit(" ", 1)[0])))


def _is_quote(line: str) -> bool:
    return line.startswith(("“", '"', "‘")) or line.endswith(("”", '"', "’"))


def _drop_repeats(body: list[str], title: str | None) -> list[str]:
    """Each paragraph once; a repeat of the headline is not body."""
    seen = {fold_key(title)} if title else set()
    kept = []
    for line in body:
        key = fold_key(line)
        if key not in seen:
            kept.append(line)
            seen.add(key)
    return kept
