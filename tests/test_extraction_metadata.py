"""Dates, outlets and authors: sources in order of trust, precision, and the answers we refuse to guess."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from indexer.article import PublishedDate
from indexer.extract.authors import author_from_lines, author_from_meta
from indexer.extract.dates import date_from_lines, date_from_page, date_from_url, parse_date_text
from indexer.extract.outlets import UNKNOWN, load_registry, outlet_from_text, outlet_from_url
from indexer.pipeline import PipelineOptions, process_file

NOW = dt.datetime(2024, 7, 1, 12, 0)
PROSE = ("The delegation met in the capital on Tuesday to discuss a new trade agreement between the two "
         "countries, officials said, adding that talks would continue next month.")


def page(head: str = "", body: str = "") -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>Trade talks resume</title>{head}</head>"
            f"<body><article><h1>Trade talks resume</h1>{body}<p>{PROSE}</p><p>{PROSE.replace('Tuesday', 'Monday')}</p>"
            "</article></body></html>")


# -- dates ---------------------------------------------------------------------------------


def test_stated_dates_keep_their_precision():
    assert parse_date_text("2024", NOW) == (dt.date(2024, 1, 1), "year")
    assert parse_date_text("2024-06", NOW) == (dt.date(2024, 6, 1), "month")
    assert parse_date_text("Jun 2024", NOW) == (dt.date(2024, 6, 1), "month")
    assert parse_date_text("Jun 23, 2024", NOW) == (dt.date(2024, 6, 23), "day")
    assert parse_date_text("2024-06-23T08:30:00+09:00", NOW) == (dt.date(2024, 6, 23), "day")


def test_date_without_a_year_is_not_completed():
    assert parse_date_text("Dec. 4 (local time)", NOW) is None
    assert date_from_lines([("Seoul, Dec. 4 (Yonhap)", "header")], NOW) is None


def test_date_after_ingestion_is_rejected():
    assert parse_date_text("2024-07-02", NOW) is None
    assert date_from_url("https://example.org/2030/01/05/story.html", NOW) is None


def test_url_dates_by_day_and_by_month():
    assert date_from_url("https://example.org/2023/11/07/story.html", NOW) == PublishedDate(dt.date(2023, 11, 7), "day", "url")
    assert date_from_url("https://example.org/2023/11/story.html", NOW) == PublishedDate(dt.date(2023, 11, 1), "month", "url")


def test_full_date_in_a_dateline_beats_a_month_in_a_title():
    lines = [("September 2018 open thread", "header"), ("September 10, 2018 | by Catherine", "byline")]
    assert date_from_lines(lines, NOW) == PublishedDate(dt.date(2018, 9, 10), "day", "byline")


def test_dateline_in_capitals_and_medium_read_time_line():
    assert date_from_lines([("NOVEMBER 20, 2019 10:43", "header")], NOW).value == dt.date(2019, 11, 20)
    assert date_from_lines([("6 min readJun 23, 2024", "byline")], NOW).value == dt.date(2024, 6, 23)


def test_html_date_from_metadata_names_the_metadata_when_htmldate_agrees():
    html = page('<meta property="article:published_time" content="2024-03-15T08:30:00Z">')
    metadata = PublishedDate(dt.date(2024, 3, 15), "day", "meta")
    assert date_from_page(html, metadata, None, NOW) == metadata


def test_html_date_from_time_element_through_htmldate():
    found = date_from_page(page(body='<p class="date"><time datetime="2021-05-04">4 May 2021</time></p>'), None, None, NOW)
    assert (found.value, found.precision) == (dt.date(2021, 5, 4), "day")


def test_htmldate_date_padded_to_the_first_of_january_is_refused():
    html = page(body="<footer><p>© 2004 Example Media</p></footer>")
    assert date_from_page(html, None, None, NOW) is None


def test_future_date_in_page_metadata_is_refused(tmp_path):
    path = tmp_path / "future.html"
    path.write_text(page('<meta property="article:published_time" content="2031-01-01T00:00:00Z">'), encoding="utf-8")
    assert process_file(path, PipelineOptions(now=NOW)).published is None


def test_date_source_is_recorded_in_provenance(tmp_path):
    path = tmp_path / "dated.html"
    path.write_text(page('<meta property="article:published_time" content="2024-03-15T08:30:00Z">'), encoding="utf-8")
    article = process_file(path, PipelineOptions(now=NOW))
    assert (article.published.label, article.published.source, article.provenance["published"]) == ("2024-03-15", "meta", "meta")


def test_sidecar_date_wins_over_the_page(tmp_path):
    path = tmp_path / "dated.html"
    path.write_text(page('<meta property="article:published_time" content="2024-03-15T08:30:00Z">'), encoding="utf-8")
    (tmp_path / "dated.json").write_text(json.dumps({"published": "2023-05"}), encoding="utf-8")
    published = process_file(path, PipelineOptions(now=NOW)).published
    assert (published.label, published.precision, published.source) == ("2023-05", "month", "sidecar")


# -- outlets -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def test_outlet_from_url_domain_and_subdomain(registry):
    assert outlet_from_url("https://edition.cnn.com/2021/03/14/story", registry) == "CNN"
    assert outlet_from_url("https://www.koreatimes.co.kr/www/nation/2024/03/113_370000.html", registry) == "The Korea Times"
    assert outlet_from_url("https://news.example.net/a/1", registry) == "news.example.net"


@pytest.mark.parametrize("lines, outlet", [
    (["Why you can trust SCMP"], "South China Morning Post"),
    (["© 2019 The New York Times Company"], "The New York Times"),
    (["© 2019 Al Jazeera Media Network"], "Al Jazeera"),
    (["Nam Hyun-woo namhw@koreatimes.co.kr"], "The Korea Times"),
    (["HANKYOREH"], "The Hankyoreh"),
    (["date 2023-11-07 South China Morning Post"], "South China Morning Post"),
    (["Tanza Loudenback, Business Insider"], "Business Insider"),
])
def test_outlet_text_signatures(registry, lines, outlet):
    assert outlet_from_text(lines, registry) == outlet


@pytest.mark.parametrize("lines", [
    ["Al Goldis, Associated Press"],  # a wire credit on someone else's page
    ["© 2019 Associated Press. All Rights Reserved. This material may not be published"],
    ["REUTERS"],
    ["Foreign policy"],  # a menu's section, not the magazine
    ["Nature"],  # one common word names nothing
    ["Sanjeev Verma/Hindustan Times/Getty Images"],  # a photo credit
    ["© 2019 Vox Media, LLC. All Rights Reserved"],  # the parent company, not the outlet
    ["New York Post", "The Sun", "The Wall Street Journal"],  # sister titles in a menu: a tie
])
def test_outlet_text_evidence_that_names_no_outlet(registry, lines):
    assert outlet_from_text(lines, registry) is None


def test_page_without_outlet_evidence_is_unknown(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text(f"Trade talks resume\n\n{PROSE}\n", encoding="utf-8")
    article = process_file(path)
    assert (article.outlet, article.provenance["outlet"]) == (UNKNOWN, "none")


def test_outlet_from_og_site_name_when_no_url(tmp_path):
    path = tmp_path / "p.html"
    path.write_text(page('<meta property="og:site_name" content="The Korea Herald">'), encoding="utf-8")
    article = process_file(path)
    assert (article.outlet, article.provenance["outlet"]) == ("The Korea Herald", "meta")


def test_canonical_url_of_the_page_names_the_outlet(tmp_path):
    path = tmp_path / "p.html"
    path.write_text(page('<link rel="canonical" href="https://www.reuters.com/world/asia/story-idUS1">'), encoding="utf-8")
    article = process_file(path)
    assert (article.outlet, article.provenance["outlet"]) == ("Reuters", "url")


# -- authors -------------------------------------------------------------------------------


def never(name: str) -> bool:
    return False


@pytest.mark.parametrize("value, author", [
    ("Jane Roe", "Jane Roe"),
    ("By Glen Owen And Brendan Carlin", "Glen Owen And Brendan Carlin"),
    ("Von Roland Brockmann", "Roland Brockmann"),
    ("Lars Fischer; Alina Schadwinkel", "Lars Fischer, Alina Schadwinkel"),
    ("https://www.facebook.com/someone", None),
    ("@handle", None),
    ("jungefreiheit.de", None),
    ("No Author", None),
])
def test_metadata_author_cleaned_or_refused(value, author):
    assert author_from_meta(value, never) == author


def test_metadata_author_that_is_the_outlet_is_dropped(registry):
    def is_outlet(name: str) -> bool:
        return registry.by_name(name) is not None

    assert author_from_meta("Rob Picheta, CNN", is_outlet) == "Rob Picheta"
    assert author_from_meta("CNN", is_outlet) is None


def test_byline_author_and_medium_style_author_line():
    assert author_from_lines(["Trade talks resume", "By Jane Roe | Staff Reporter"], [], never) == ("Jane Roe", "byline")
    assert author_from_lines(["Trade talks resume", "Shankar Narayan", "6 min readJun 23, 2024"], [], never) == (
        "Shankar Narayan", "byline")


def test_navigation_that_looks_like_a_name_is_not_a_byline():
    assert author_from_lines(["Previous Post", "Next Post", "September 10, 2018 | by Catherine"], [], never) == (
        "Catherine", "byline")


def test_json_ld_author_equal_to_the_publisher_is_not_the_author(tmp_path):
    ld = {"@type": "NewsArticle", "headline": "Trade talks resume", "author": {"name": "Example Gazette"},
          "publisher": {"name": "Example Gazette"}}
    path = tmp_path / "p.html"
    path.write_text(page(f'<script type="application/ld+json">{json.dumps(ld)}</script>'), encoding="utf-8")
    assert process_file(path).author is None


def test_date_after_the_page_was_fetched_is_rejected(tmp_path):
    path = tmp_path / "fetched.html"
    path.write_text(page('<meta property="article:published_time" content="2024-03-15T08:30:00Z">'), encoding="utf-8")
    (tmp_path / "fetched.json").write_text(json.dumps({"fetched_at": "2024-03-01T10:00:00+00:00"}), encoding="utf-8")
    assert process_file(path, PipelineOptions(now=NOW)).published is None
    (tmp_path / "fetched.json").write_text(json.dumps({"fetched_at": "2024-04-01T10:00:00+00:00"}), encoding="utf-8")
    assert process_file(path, PipelineOptions(now=NOW)).published.label == "2024-03-15"
