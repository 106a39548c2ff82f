"""The publication date, with its precision and where it came from.

Only dates the page states are taken: a date without a year ("Dec. 4 (local
time)" in a caption) is not completed with the current year, a date after the
moment of ingestion is rejected, and the body is never searched (a body date
is an event, not the publication).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Iterable

import dateparser

from ..article import PublishedDate

_MONTHS = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
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
    """The first stated date in (line, source) pairs: header, byline or footer lines."""
    for line, source in lines:
        for pattern in _DAY_PATTERNS:
            for m in pattern.finditer(line):
                found = parse_date_text(m.group(0), now)
                if found:
                    return PublishedDate(*found, source=source)
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
