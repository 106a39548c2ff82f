"""Clean a text dump copied from a browser ("select all, copy").

The dump is a column of lines: page chrome (menus, share buttons, font-size
controls, cookie notices), the headline, a standfirst, a byline, photo captions
(often twice: once as alt text, once visible), the paragraphs with related-story
links between them, then related stories, comments and the site's footer.

We drop the lines that are chrome by pattern (data/boilerplate.json) and the
captions, then look for the article as the stretch of lines richest in running
text: paragraphs count for it by their length, headlines, labels and links count
against it, the paragraph under a byline counts extra, and a comment section is
a wall it never crosses. Inside that stretch the article ends at a marker
("Related Articles", a promotion, the author's sign-off or bio) once most of its
text is behind us, or where story teasers begin; one or two headlines between
paragraphs are related-story links and dropped, three or more short lines in a
row are a list and kept. The headline is the header line that best looks like
one (length, byline under it, shown twice, near the text). The lines above and
below are kept for the extractors: that is where bylines, dates and outlet names are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    word_count,
    words,
)

# A photo credit closing a caption: "... (local time). AP-Yonhap", "... Photo: dpa".
_AGENCY = r"(?:AP|AFP|Reuters|REUTERS|EPA(?:-EFE)?|Getty Images|Xinhua|Yonhap|Bloomberg|dpa|Kyodo|KCNA|Newsis|News1|Joint Press Corps|Korea Times|Shutterstock|iStock|TASS|Sputnik|Anadolu|PA|UPI)"
_CAPTION_CREDIT = re.compile(
    rf"(?:[.)”\"]\s+{_AGENCY}(?:\s*[-/]\s*(?:{_AGENCY}|Getty|Yonhap))*"
    r"|\b(?:Photo|Photos|Photograph|Image|Picture|Graphic|Illustration|Video|Foto|Bild|Credit)\s*(?:[:/©]|by|courtesy of)\s*[^.]{1,60}"
    r"|\[(?:Photo|Image)[^\]]*\]|\((?:Photo|Image|AP Photo|Foto)[^)]*\)|\bPhoto courtesy of [^.]{1,60}\.?"
    r"|/\s*(?:Getty Images|AFP via Getty Images|AP|Reuters|Shutterstock|iStock|Alamy)\)?"
    r"|\(\s*[A-Z][A-Z.'’ -]+/\s*[A-Z][\w.'’ &-]+\))$"
)
# Where people stand in a picture: "(left)", ", right,", "(L-R)" — caption words, not story words.
_CAPTION_POSITION = re.compile(
    r"\((?:left|right|center|centre|top|bottom|middle|front|background|foreground|L-R|R-L|from left|from right)\)"
    r"|, (?:left|right|center|centre|second from (?:left|right)|far (?:left|right)|from left),"
)
# A gallery counter glued to its caption: "1of4Grass Valley's ..."
_GALLERY = re.compile(r"^\d+\s*of\s*\d+(?=[A-Z“\"])")
# A comment's heading: "thelastchargersfan says:", "Catherine (GiveWell) on May 3, 2018 at 5:23 pm said:"
_COMMENT_HEADING = re.compile(r"^\S.{0,60}\s(?:says|said|wrote|sagt|schrieb|disse|dijo|a dit):$")
# A date or a clock time: "2023-11-07", "Nov 19, 6:55 AM", "18.11.2019", "Feb 16, 2018" — a dateline, not a headline.
_DATELINE = re.compile(r"\d{4}-\d{2}-\d{2}|\b\d{1,2}:\d{2}\b|\b\d{1,2}[./]\d{1,2}[./](?:19|20)\d\d\b"
                       r"|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?,? (?:19|20)\d\d\b")
_BY_START = re.compile(r"(?i)^(?:by|von|par|por|di|door|av|af)[:\s]+\S")
_RELATED_MAX_WORDS = 18
_TITLE_BYLINE_REACH = 6  # a headline has its byline or dateline within this many lines below
_TITLE_REACH = 15  # and sits within this many lines above the text
_TITLE_FULL_WORDS = 8  # a headline this long scores as long as any: past it, length tells nothing
_TEASER_MAX_WORDS = 35  # a story's summary under its headline is one or two sentences
_TEASERS_SEEN = 3  # teasers are recognised by the next few stories, not by the whole page below
_LIST_RUN = 3  # this many short lines in a row between paragraphs are a list, not interjections
_END_PENALTY = 10.0  # what an end marker ("Related", a promotion) weighs against the stretch around it
_MIN_ARTICLE_SCORE = 50.0  # running text worth calling an article before a comment wall
_BYLINE_BONUS = 25.0  # the first paragraph under a byline or dateline is where an article starts
_LATE = 0.5  # share of the article's running text that must be behind an end marker
_BIO = re.compile(r"^(?P<name>[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){1,3}) (?:is|was|has been|writes|covers|reports)\b")


@dataclass(frozen=True)
class _Span:
    start: int
    end: int  # exclusive


def clean_text(text: str) -> CleanDocument:
    lines = [line for line in (fold_spaces(raw) for raw in text.splitlines()) if line]
    walls = _comment_walls(lines)
    chrome = [line for i, line in enumerate(lines) if matches_rule("line", line) and i not in walls]
    kept = [(line, i in walls) for i, line in enumerate(lines) if i in walls or not matches_rule("line", line)]
    lines, is_wall, captions = _drop_captions(kept)

    span = _article_span(lines, is_wall)
    header = lines[: span.start]
    title, subtitle = _title_and_subtitle(header)
    body, footer, related = _body_and_footer(lines[span.start : span.end], header)
    footer += lines[span.end :]
    body = _drop_repeats(body, title, subtitle)
    return CleanDocument(
        title=title,
        subtitle=subtitle,
        paragraphs=tuple(body),
        header=tuple(header),
        footer=tuple(footer),
        boilerplate=tuple(chrome + related),
        captions=tuple(captions),
    )


def is_caption(line: str) -> bool:
    """A photo caption: a credit at its end, people placed in the picture, or a gallery counter."""
    if word_count(line) < 3:
        return False
    return bool(_CAPTION_CREDIT.search(line) or _CAPTION_POSITION.search(line) or _GALLERY.match(line))


def _comment_walls(lines: list[str]) -> set[int]:
    """Indexes of lines where a comment section or form begins."""
    walls = {i for i, line in enumerate(lines) if matches_rule("comments", line)}
    headings = [i for i, line in enumerate(lines) if _COMMENT_HEADING.match(line)]
    # One "X said:" may introduce a quotation; several are a thread of comments.
    if len(headings) >= 2:
        walls.update(headings)
    return walls


def _drop_captions(lines: list[tuple[str, bool]]) -> tuple[list[str], list[bool], list[str]]:
    """Remove captions: lines with a photo credit, and a long line repeated on the next line."""
    texts = [line for line, _ in lines]
    keys = [fold_key(line) for line in texts]
    kept, walls, captions = [], [], []
    first_prose = next((i for i, line in enumerate(texts) if is_prose(line)), len(texts))
    for i, (line, wall) in enumerate(lines):
        doubled = (i + 1 < len(texts) and keys[i + 1] == keys[i]) or (i > 0 and keys[i - 1] == keys[i])
        # A headline shown twice above the text (page title, then article title) is a title, not a caption.
        repeated_headline = doubled and is_headline_like(line) and i < first_prose
        if not wall and (is_caption(line) or (doubled and word_count(line) >= 6 and not is_name_like(line)
                                               and not repeated_headline)):
            if not captions or fold_key(captions[-1]) != keys[i]:
                captions.append(line)
        else:
            kept.append(line)
            walls.append(wall)
    return kept, walls, captions


def _article_span(lines: list[str], is_wall: list[bool]) -> _Span:
    """The stretch of lines richest in running text, never across a comment wall.

    A running sum over the lines (paragraphs +, everything else -), restarted where
    it drops to zero: the best stretch is where it peaks. Once a stretch with
    running text lies behind us, a comment wall ends the search: what follows it
    is comments, however long.
    """
    best, best_score = None, 0.0
    start, score = 0, 0.0
    for i, line in enumerate(lines):
        if is_wall[i]:
            if best_score >= _MIN_ARTICLE_SCORE:
                break
            start, score = i + 1, 0.0
            continue
        if score <= 0:
            start, score = i, 0.0
        score += _line_score(line) + (_BYLINE_BONUS if _opens_under_byline(lines, i) else 0.0)
        if score > best_score and is_prose(line):
            best, best_score = _Span(start, i + 1), score
    if best is None:
        # No running text at all (a short note): everything below the first line is body.
        first = min(1, len(lines) - 1) if len(lines) > 1 else 0
        end = next((i for i in range(first, len(lines)) if is_wall[i]), len(lines))
        return _Span(first, end)
    return _Span(_after_byline(lines, _first_prose(lines, best)), _past_closing_sentences(lines, is_wall, best.end))


def _past_closing_sentences(lines: list[str], is_wall: list[bool], end: int) -> int:
    """Move the end past short sentences that close the article ("He died in 2009.", "Serial 2x399.")."""
    while end < len(lines) and not is_wall[end] and _is_closing_sentence(lines[end]):
        end += 1
    return end


def _is_closing_sentence(line: str) -> bool:
    if word_count(line) < 2 or not line.rstrip("\"”’')").endswith((".", "!", "?", "。")) or is_caption(line):
        return False
    return not any(matches_rule(kind, line) for kind in ("end", "promo", "comments"))


def _line_score(line: str) -> float:
    """What a line adds to the case that the article is here: + its words if prose, - if chrome."""
    n = word_count(line)
    if is_prose(line) and not matches_rule("promo", line):
        return float(n)
    if matches_rule("end", line) or matches_rule("promo", line):
        return -_END_PENALTY
    return -(2.0 + 0.5 * min(n, 20))


def _opens_under_byline(lines: list[str], i: int) -> bool:
    """A paragraph right below a byline block ("By ...", a name, a date), with no paragraph in between."""
    if not is_prose(lines[i]):
        return False
    for j in range(i - 1, max(-1, i - 4), -1):
        if is_prose(lines[j]):
            return False
        if _is_dateline_or_by(lines[j]):
            return True
    return False


def _is_dateline_or_by(line: str) -> bool:
    """A byline or a dateline: "By Tess Bonn - 11/19/19 06:56 AM EST", "6 min read", "Nov 19, 2019".

    Bare names are left out: menus are full of two capitalised words ("Jerusalem Hotels").
    """
    n = word_count(line)
    return ((bool(_BY_START.match(line)) and n <= 15) or (bool(_DATELINE.search(line)) and n <= 12)
            or (is_byline_marker(line) and not is_name_like(line)))


def _first_prose(lines: list[str], span: _Span) -> int:
    return next(i for i in range(span.start, span.end) if is_prose(lines[i]))


def _after_byline(lines: list[str], start: int) -> int:
    """Move the start below a byline block that follows a short standfirst.

    A short standfirst sentence may sit above the byline ("He is caught in a trap
    of his own making." / "Shankar Narayan" / "6 min read..."): the text starts after the byline.
    """
    lead_words = 0
    for j in range(start, min(start + 6, len(lines))):
        if is_byline_marker(lines[j]):
            later = next((k for k in range(j + 1, len(lines)) if is_prose(lines[k])), None)
            return later if later is not None else start
        lead_words += word_count(lines[j])
        if lead_words > 60:
            break
    return start


def is_byline_marker(line: str) -> bool:
    """A line of the byline block: an author name, "By ...", "6 min read", a dateline."""
    return (
        is_name_like(line)
        or bool(re.match(r"(?i)by\s+[A-Z]", line) and word_count(line) <= 8)
        or bool(re.search(r"(?i)\b\d+\s*min(ute)?s? read", line))
        or bool(re.fullmatch(r"(?i)(published|updated|posted|date)?:?\s*[\w ,.:/-]*\b(19|20)\d\d\b[\w ,.:/-]*", line) and word_count(line) <= 10)
    )


def _title_and_subtitle(header: list[str]) -> tuple[str | None, str | None]:
    """The headline: the header line that best looks like one, and the standfirst under it."""
    scored = [(_title_score(header, i), -i) for i, line in enumerate(header) if _could_be_title(line)]
    if not scored:
        return None, None
    _, best = max(scored)
    title = header[-best]
    return title, _subtitle_under(header[-best + 1 :], title)


def _title_score(header: list[str], i: int) -> float:
    """How much line I of the header looks like the article's headline.

    A headline is a line of some length right above the text, with the byline
    or dateline under it, often shown twice (page title, then heading); menus,
    section labels and promotions are short, far above, or in capitals.
    """
    line = header[i]
    n = word_count(line)
    score = min(n, _TITLE_FULL_WORDS) / 2
    if any(_is_dateline_or_by(other) for other in header[i + 1 : i + 1 + _TITLE_BYLINE_REACH]):
        score += 4
    if sum(fold_key(other) == fold_key(line) for other in header) >= 2 and n >= 3:
        score += 3
    distance = len(header) - i
    score += 3 if distance <= _TITLE_BYLINE_REACH else 2 if distance <= _TITLE_REACH else 0
    if (line.isupper() and n > 3) or _is_menu_run(line, n):
        score -= 3
    if n < 3:
        score -= 3
    return score


def _is_menu_run(line: str, n: int) -> bool:
    """Menu items run together: many words, every one capitalised ("Israel Elections Gaza News BDS ...").

    A headline in title case still writes "of", "to", "with" in lower case.
    """
    return n >= 6 and not any(word[:1].islower() for word in words(line))


def _subtitle_under(after: list[str], title: str) -> str | None:
    bullets = [strip_bullet(line) for line in after if is_bullet(line)]
    for line in after:
        if fold_key(line) == fold_key(title) or is_byline_marker(line) or line.lower().startswith("by "):
            continue
        if is_bullet(line):
            return "; ".join(bullets)  # each bullet a point of its own, not one run-on sentence
        if word_count(line) >= 4 and _could_be_title(line, max_words=45, allow_stop=True):
            return line
    return None


def _could_be_title(line: str, max_words: int = 30, allow_stop: bool = False) -> bool:
    if is_bullet(line) or is_name_like(line) or "@" in line or _DATELINE.search(line):
        return False
    if re.match(r"(?i)by\s", line) or re.search(r"(?i)\bmin read\b", line):
        return False
    if matches_rule("end", line) or matches_rule("promo", line) or matches_rule("comments", line):
        return False
    if allow_stop:
        return 2 <= word_count(line) <= max_words
    return is_headline_like(line, max_words)


def _body_and_footer(span: list[str], header: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Split the article's stretch into body, footer and dropped related-story links.

    The body ends at an 'end' marker (Related Articles, Top 10 Stories), at a
    promotion ("Thanks for reading"), or at the author's sign-off or bio, once
    most of the running text is behind us; related-headline interjections inside
    the body are dropped, lists (several short lines in a row) are kept.
    """
    if not any(is_prose(line) for line in span):
        return list(span), [], []  # a short note: its lines are all it says
    names = _byline_names(header)
    total = sum(word_count(line) for line in span if is_prose(line)) or 1
    seen = 0
    body, related = [], []
    short_run: list[str] = []
    for i, line in enumerate(span):
        # An end marker only counts once most of the running text is behind us:
        # a "Related" box or a section label early on is not the end of the article.
        late = seen / total >= _LATE
        ends = (matches_rule("end", line) and not _article_resumes(span, i)) or matches_rule("promo", line) \
            or _is_signoff(line, names)
        if late and (ends or (not is_prose(line) and not short_run and _teasers_follow(span, i))):
            body, dropped = _flush_short_run(body, short_run)
            return body, span[i:], related + dropped
        if matches_rule("promo", line) or matches_rule("end", line):
            related.append(line)
            continue
        if is_prose(line):
            body, dropped = _flush_short_run(body, short_run)
            related += dropped
            short_run = []
            seen += word_count(line)
            body.append(line)
        else:
            short_run.append(line)
    body, dropped = _flush_short_run(body, short_run)
    return body, [], related + dropped


def _article_resumes(span: list[str], i: int) -> bool:
    """Whether the article goes on after the box that starts at line I: a "Related" box inside it.

    Teasers after the article are one paragraph each between headlines; the
    article resuming is two paragraphs in a row, or its last paragraph.
    """
    j = i + 1
    while j < len(span) and not is_prose(span[j]):
        j += 1
    run = 0
    while j < len(span) and is_prose(span[j]):
        run, j = run + 1, j + 1
    return run >= 2 or (run == 1 and j == len(span))


def _teasers_follow(span: list[str], i: int) -> bool:
    """Whether the lines from I on are story teasers: headline (byline, date), a summary, again.

    After the article a page lists other stories, each a headline (with a byline
    or a date) and a one-sentence summary. An article goes on with paragraphs in
    a row, or with short subheads over paragraphs longer than a summary.
    """
    groups: list[tuple[list[str], list[str]]] = []  # (short lines, paragraphs)
    for line in span[i:]:
        if is_prose(line):
            if groups:
                groups[-1][1].append(line)
        elif not groups or groups[-1][1]:
            if len(groups) == _TEASERS_SEEN:
                break
            groups.append(([line], []))
        else:
            groups[-1][0].append(line)
    groups = [g for g in groups if g[1]]
    return len(groups) >= 2 and all(_is_teaser(*g) for g in groups)


def _is_teaser(shorts: list[str], paragraphs: list[str]) -> bool:
    headline = max(word_count(line) for line in shorts) >= 6 or any(is_byline_marker(line) for line in shorts)
    return headline and len(paragraphs) == 1 and word_count(paragraphs[0]) < _TEASER_MAX_WORDS


def _flush_short_run(body: list[str], run: list[str]) -> tuple[list[str], list[str]]:
    """Short lines between paragraphs: a list is kept; one or two headlines or labels are dropped."""
    if not run:
        return body, []
    if _is_list(run):
        return body + run, []
    kept = [line for line in run if not _is_interjection(line)]
    dropped = [line for line in run if _is_interjection(line)]
    return body + kept, dropped


def _is_list(run: list[str]) -> bool:
    """Several short lines in a row that are items of a list (tour dates, steps), not a menu."""
    # A menu shown twice (desktop and mobile) repeats itself; a product list repeats a feature or two.
    if len(run) < _LIST_RUN or len({fold_key(line) for line in run}) < 0.7 * len(run):
        return False
    if sum(word_count(line) for line in run) < 3 * len(run):
        return False
    return not _is_headline_block(run)


def _is_headline_block(run: list[str]) -> bool:
    """Headlines of other stories in a row: (nearly) every line a headline of six words or more.

    Items of a list in the article (tour dates, prices, steps) mostly carry numbers; headlines seldom do.
    """
    headlines = sum(is_headline_like(line, _RELATED_MAX_WORDS) and word_count(line) >= 6 and not line[:1].isdigit()
                    for line in run)
    with_numbers = sum(any(ch.isdigit() for ch in line) for line in run)
    return headlines >= 0.8 * len(run) and with_numbers <= len(run) / 2


def _is_interjection(line: str) -> bool:
    """A related-story headline or a stray label between paragraphs: "South Korea", "3"."""
    if is_headline_like(line, _RELATED_MAX_WORDS) and not _is_quote(line):
        return True
    return word_count(line) <= 3 and not ends_like_sentence(line)


def _byline_names(header: list[str]) -> set[str]:
    names = {fold_key(line) for line in header if is_name_like(line) or line.lower().startswith("by ")}
    names |= {fold_key(line[3:]) for line in header if line.lower().startswith("by ")}
    return names


def _is_signoff(line: str, names: set[str]) -> bool:
    """The author's name on its own (or with an e-mail) after the text, or the author's bio."""
    key = fold_key(re.sub(r"[^\s@]+@\S+", "", line) if "@" in line else line)
    if key and key in names:
        return True
    if "@" in line and re.search(r"[^\s@]+@\S+\.\w+", line) and is_name_like(line.split("@")[0].rsplit(" ", 1)[0]):
        return True
    bio = _BIO.match(line)
    return bool(bio and fold_key(bio["name"]) in names)


def _is_quote(line: str) -> bool:
    return line.startswith(("“", '"', "‘")) or line.endswith(("”", '"', "’"))


def _drop_repeats(body: list[str], title: str | None, subtitle: str | None) -> list[str]:
    """Each paragraph once; a repeat of the headline or standfirst is not body."""
    seen = {fold_key(t) for t in (title, subtitle) if t}
    kept = []
    for line in body:
        key = fold_key(line)
        if key not in seen:
            kept.append(line)
            seen.add(key)
    return kept
