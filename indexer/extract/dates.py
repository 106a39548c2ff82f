"""The publication date, with its precision and where it came from.

Only dates the page states are taken: a date without a year ("Dec. 4 (local
time)" in a caption) is not completed with the current year, a date after the
moment of ingestion is rejected, and the body of a text dump is never searched
(a body date is an event, not the publication).

For HTML pages htmldate reads the date better than our own metadata rules
(bench/extraction.py: 0.85 against 0.66 on htmldate_eval), so it comes first:
its fast mode reads the page's metadata, JSON-LD, <time> and date elements.
Its extensive mode, which guesses from dates anywhere in the page, comes after
everything the page states outright. A date htmldate pads to the 1st of a month
or of January (from "2019-10", a year-only field or a copyright year) is not
taken unless the page writes that very day.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Iterable

import dateparser

from ..article import PublishedDate

logging.getLogger("htmldate").setLevel(logging.CRITICAL)

# Capitalised or in capitals ("Nov.", "NOVEMBER"); lower case "may" is a verb.
_MONTHS = r"(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*|(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|SEPT|OCT|NOV|DEC)[A-Z]*)\.?"
# Each pattern finds a date with a year; dateparser then reads the matched text.
_DAY_PATTERNS = (
    re.compile(r"(?<!\d)((?:19|20)\d\d)[-/.](0?[1-9]|1[0-2])[-/.](0?[1-9]|[12]\d|3[01])(?!\d)"),
    re.compile(rf"(?:(?<![A-Za-z])|(?<=[a-z]))({_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d)(?!\d)"),
    re.compile(rf"(?<!\d)(\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS},?\s+(?:19|20)\d\d)(?!\d)"),
)
_MONTH_PATTERN = re.compile(rf"(?:(?<![A-Za-z])|(?<=[a-z]))({_MONTHS}\s+(?:19|20)\d\d)(?!\d)")
_URL_DAY = re.compile(r"/((?:19|20)\d\d)/(0[1-9]|1[0-2])/(0[1-9]|[12]\d|3[01])(?:/|$)")
_URL_COMPACT_DAY = re.compile(r"[/_-]((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=[/_.-]|$)")
_URL_MONTH = re.compile(r"/((?:19|20)\d\d)/(0[1-9]|1[0-2])(?:/|$)")
_SETTINGS = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DAY_OF_MONTH": "first"}


def parse_date_text(text: str, now: dt.datetime) -> tuple[dt.date, str] | None:
    """A stated date ("2024", "2024-06", "Jun 23, 2024", ISO timestamps) and its precision."""
    text = text.strip()
    if re.fullmatch(r"(?:19|20)\d\d", text):
        return _checked(dt.date(int(text), 1, 1), "year", now)
    if m := re.fullmatch(r"((?:19|20)\d\d)-(0[1-9]|1[0-2])", text):
        return _checked(dt.date(int(m[1]), int(m[2]), 1), "month", now)
    if m := re.match(r"((?:19|20)\d\d)-(\d\d)-(\d\d)", text):  # ISO 8601 dates and timestamps
        try:
            return _checked(dt.date(int(m[1]), int(m[2]), int(m[3])), "day", now)
        except ValueError:
            return None
    if _MONTH_PATTERN.fullmatch(text):
        parsed = _dateparse(text, ["month", "year"])
        return _checked(parsed.replace(day=1), "month", now) if parsed else None
    if not re.search(r"(?:19|20)\d\d", text):
        return None  # no year stated: never completed with the current one
    parsed = _dateparse(text, ["day", "month", "year"])
    return _checked(parsed, "day", now) if parsed else None


def date_from_url(url: str | None, now: dt.datetime) -> PublishedDate | None:
    if not url:
        return None
    for pattern, precision in ((_URL_DAY, "day"), (_URL_COMPACT_DAY, "day"), (_URL_MONTH, "month")):
        if m := pattern.search(url):
            try:
                value = dt.date(int(m[1]), int(m[2]), int(m[3]) if precision == "day" else 1)
            except ValueError:
                continue
            checked = _checked(value, precision, now)
            if checked:
                return PublishedDate(*checked, source="url")
    return None


def date_from_lines(lines: Iterable[tuple[str, str]], now: dt.datetime) -> PublishedDate | None:
    """The first stated date in (line, source) pairs: header, byline or footer lines.

    A full date anywhere in them beats a month and year: "September 2018 open
    thread" is a title, "September 10, 2018 | by Catherine" the dateline.
    """
    lines = list(lines)
    return _first_day(lines, now) or _first_month(lines, now)


def _first_day(lines: list[tuple[str, str]], now: dt.datetime) -> PublishedDate | None:
    for line, source in lines:
        for pattern in _DAY_PATTERNS:
            for m in pattern.finditer(line):
                found = parse_date_text(m.group(0), now)
                if found:
                    return PublishedDate(*found, source=source)
    return None


def _first_month(lines: list[tuple[str, str]], now: dt.datetime) -> PublishedDate | None:
    for line, source in lines:
        for m in _MONTH_PATTERN.finditer(line):
            found = parse_date_text(m.group(1), now)
            if found:
                return PublishedDate(*found, source=source)
    return None


def _dateparse(text: str, parts: list[str]) -> dt.date | None:
    settings = dict(_SETTINGS, REQUIRE_PARTS=parts)
    try:
        parsed = dateparser.parse(text, languages=["en"], settings=settings)
    except (ValueError, OverflowError, TypeError):
        return None
    return parsed.date() if parsed else None


def _checked(value: dt.date, precision: str, now: dt.datetime) -> tuple[dt.date, str] | None:
    if value.year < 1900 or value > now.date():
        return None
    return value, precision


def date_from_page(html: str, metadata: PublishedDate | None, url: str | None, now: dt.datetime) -> PublishedDate | None:
    """The publication date of an HTML page: htmldate, the page's own metadata, the URL, then htmldate's guess.

    When htmldate and the page's metadata agree, the metadata names the source
    (json-ld, meta, time); when they differ htmldate wins, having chosen among
    all the dates the page's markup gives.
    """
    found = _stated(htmldate_date(html, url, now, extensive=False), html)
    if found and (from_url := date_from_url(url, now)) and from_url.value == found.value:
        return from_url
    if found and metadata and metadata.precision == "day" and metadata.value == found.value:
        return metadata
    if found or metadata:
        return found or metadata
    if from_url := date_from_url(url, now):
        return from_url
    return _stated(htmldate_date(html, url, now, extensive=True), html)


def _stated(found: PublishedDate | None, html: str) -> PublishedDate | None:
    """htmldate's date, unless it is the 1st of a month the page never writes: a padded "2019-10" or "2004"."""
    if found is None or found.value.day != 1 or _states_first_of_month(html, found.value):
        return found
    return None


def htmldate_date(html: str, url: str | None, now: dt.datetime, extensive: bool) -> PublishedDate | None:
    """htmldate's original publication date, never after NOW; source "htmldate"."""
    from htmldate import find_date

    try:
        found = find_date(html, extensive_search=extensive, original_date=True, url=url, max_date=now)
    except Exception:  # noqa: BLE001 - a third-party parser on arbitrary pages; no date is the safe answer
        return None
    if not found:
        return None
    try:
        value = dt.date.fromisoformat(found)
    except ValueError:
        return None
    checked = _checked(value, "day", now)
    return PublishedDate(*checked, source="htmldate" if not extensive else "htmldate-text") if checked else None


def _states_first_of_month(html: str, day: dt.date) -> bool:
    """Whether the page writes the 1st of that month with its year: 2019-10-01, 1.10.2019, October 1, 2019..."""
    y, m = day.year, day.month
    numeric = (rf"{y}[-/.]0?{m}[-/.]0?1(?!\d)", rf"(?<!\d)0?1[-/.]0?{m}[-/.]{y}", rf"(?<!\d)0?{m}/0?1/{y}")
    worded = (rf"(?<!\d)0?1(?:st|er|\.)?\s+[^\W\d_]{{3,}}\.?,?\s+{y}", rf"[^\W\d_]{{3,}}\.?\s+0?1(?:st)?,?\s+{y}")
    return any(re.search(pattern, html) for pattern in (*numeric, *worded))
