"""The current result set as a download: CSV for spreadsheets, JSON for programs.

Every hit of the request (not one page), in its order, up to the app's
EXPORT_LIMIT (10,000 by default); when there are more, the JSON says
"truncated": true and both carry the X-Export-Truncated header. CSV cells that a
spreadsheet would run as a formula (starting with = + - @, tab or CR) are
prefixed with a single quote.
"""

from __future__ import annotations

import csv
import io

from indexer.search import Export, Hit

CSV_COLUMNS = ("id", "title", "outlet", "author", "published", "date_precision", "score", "actors")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A CSV cell a spreadsheet shows as text: formula-like text gets a leading '."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def hit_record(hit: Hit) -> dict:
    """A hit as exported: the API's hit without the snippet."""
    record = hit.to_dict()
    del record["snippet"]
    return record


def csv_row(hit: Hit) -> list[str]:
    record = hit_record(hit)
    record["actors"] = "; ".join(a["name"] for a in record["actors"])
    return [safe_cell(record[column]) for column in CSV_COLUMNS]


def to_csv(export: Export) -> str:
    """UTF-8 text with a byte-order mark, so that spreadsheet programs read it as UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_row(hit) for hit in export.hits)
    return out.getvalue()


def to_json(export: Export) -> dict:
    return {
        "query": export.query,
        "total": export.total,
        "exported": len(export.hits),
        "limit": export.limit,
        "truncated": export.truncated,
        "hits": [hit_record(hit) for hit in export.hits],
    }


def headers(export: Export, extension: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="news-archive-export.{extension}"',
        "X-Total-Count": str(export.total),
        "X-Export-Limit": str(export.limit),
        "X-Export-Truncated": "true" if export.truncated else "false",
    }
