"""Checks on a query string before Whoosh sees it, and the date parameters.

Whoosh's parser never fails: an unbalanced quote, a dangling `AND` or an
unknown field silently become a different query or no query at all. Users
should hear about those, so we check the syntax first and raise QueryError
with a one-line message.
"""

from __future__ import annotations

import datetime as dt
import re

from .errors import QueryError

MAX_QUERY_CHARS = 1000
_BINARY = ("AND", "OR", "ANDNOT", "ANDMAYBE")
_OPERATORS = (*_BINARY, "NOT")
_FIELD = re.compile(r"(?<![\w\"])([A-Za-z_]+):(?!//)")
_WILDCARD_TERM = re.compile(r"[^\s\"()]*[*?][^\s\"()]*")
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{1,2}))?(?:-([0-9]{1,2}))?")  # ASCII digits only, as documented


def check_query(text: str, fields: tuple[str, ...]) -> None:
    """Raise QueryError for a query whose meaning Whoosh would silently change."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}")
    if text.count('"') % 2:
        raise QueryError('query has an unclosed quote (")')
    unquoted = re.sub(r'"[^"]*"', '"q"', text)  # phrases keep their place, not their words
    depth = 0
    for ch in unquoted:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            raise QueryError("query has a ')' without a matching '('")
    if depth:
        raise QueryError("query has a '(' without a matching ')'")
    if unquoted.count("[") != unquoted.count("]"):
        raise QueryError("query has an unbalanced '[' range")
    tokens = unquoted.split()
    for first, second in zip(tokens, tokens[1:]):
        if first in _OPERATORS and second in _BINARY:
            raise QueryError(f"query has the operator {second} right after {first}; put a word between them")
    if tokens and tokens[-1] in _OPERATORS:
        raise QueryError(f"query ends with the operator {tokens[-1]}; add a word after it")
    if tokens and tokens[0] in _BINARY:
        raise QueryError(f"query starts with the operator {tokens[0]}; add a word before it")
    for match in _FIELD.finditer(unquoted):
        name = match.group(1)
        if name.lower() not in fields:
            raise QueryError(f"unknown field '{name}:' (fields: {', '.join(fields)})")
        rest = unquoted[match.end():]
        if not rest or rest[0].isspace():
            raise QueryError(f"field '{name}:' has no value")
    for term in _WILDCARD_TERM.findall(unquoted):
        literal = re.split(r"[*?]", term.split(":")[-1], maxsplit=1)[0]
        if len(literal) < 2:
            raise QueryError(f"wildcard '{term}' needs at least two letters before * or ?")


def parse_date_bound(value: str | None, name: str, end: bool) -> dt.date | None:
    """'2023', '2023-11' or '2023-11-07' as the first (or, with end=True, last) day it covers."""
    if value is None or not value.strip():
        return None
    m = _DATE.fullmatch(value.strip())
    try:
        if not m:
            raise ValueError
        year, month, day = int(m[1]), int(m[2] or 0), int(m[3] or 0)
        if not month:
            return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
        if not day:
            first = dt.date(year, month, 1)
            if not end:
                return first
            return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        return dt.date(year, month, day)
    except ValueError:
        raise QueryError(f"{name}: expected a date as YYYY, YYYY-MM or YYYY-MM-DD, got {value!r}") from None
