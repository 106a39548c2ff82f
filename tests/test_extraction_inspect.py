"""`search-index inspect FILE --json` shows every extracted field and where each came from."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from indexer.cli import search_index

from .helpers import seed_path

PAGES = Path(__file__).parent / "fixtures" / "extraction" / "pages"


def inspect_json(*paths: Path) -> list[dict]:
    result = CliRunner().invoke(search_index, ["inspect", *map(str, paths), "--json"])
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_text_dump_fields_come_with_their_sources():
    (record,) = inspect_json(seed_path("004"))
    assert {k: record[k] for k in ("outlet", "author", "published", "date_precision", "date_source")} == {
        "outlet": "South China Morning Post", "author": "Park Chan-kyong", "published": "2023-11-07",
        "date_precision": "day", "date_source": "header"}
    assert record["provenance"] == {"title": "header", "outlet": "text", "published": "header", "author": "byline"}


def test_html_page_fields_come_with_their_sources():
    (record,) = inspect_json(PAGES / "mobilsicher-icloud.html")
    assert record["title"] == "Apple kippt Verschlüsselungspläne für iCloud"
    assert (record["author"], record["published"], record["date_source"]) == ("Miriam Ruhenstroth", "2020-01-23", "json-ld")
    assert (record["outlet"], record["url"]) == ("mobilsicher.de", "https://mobilsicher.de/aktuelles/apple-kippt-verschluesselungsplaene-fuer-icloud")
    assert record["provenance"] == {"title": "json-ld", "url": "meta", "outlet": "url", "published": "json-ld",
                                    "author": "json-ld"}


def test_undated_article_says_so_and_names_no_source():
    (record,) = inspect_json(seed_path("001"))
    assert (record["published"], record["date_precision"], record["date_source"]) == (None, None, None)
    assert "published" not in record["provenance"]


def test_refused_file_is_one_json_error_line(tmp_path):
    deep = tmp_path / "deep.html"
    deep.write_text("<div>" * 400 + "text" + "</div>" * 400, encoding="utf-8")
    (record,) = inspect_json(deep)
    assert record["source_path"] == str(deep)
    assert "nested deeper than" in record["error"]
