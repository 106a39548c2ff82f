"""Bad input never crashes the pipeline: it gives an article or a SourceError that names the file.

Property tests (hypothesis) feed arbitrary bytes, truncated and mangled HTML, deep
nesting, huge lines and mixed encodings. Examples are few and deadlines off so the
suite stays fast; the properties, not the examples, are the point.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.article import Article
from indexer.clean.html import MAX_NESTING
from indexer.clean.text import clean_text
from indexer.errors import SourceError
from indexer.extract.dates import parse_date_text
from indexer.pipeline import PipelineOptions, process_file

PAGE = (Path(__file__).parent / "fixtures" / "extraction" / "pages" / "flowfx-tmux.html").read_text(encoding="utf-8")
NOW = dt.datetime(2024, 7, 1)
OPTIONS = PipelineOptions(now=NOW)
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def outcome(path: Path, options: PipelineOptions = OPTIONS) -> Article | SourceError:
    """process_file's answer; any exception other than SourceError fails the test by propagating."""
    try:
        return process_file(path, options)
    except SourceError as exc:
        assert exc.path in (str(path), str(path.with_suffix(".json")))
        assert exc.reason
        return exc


def assert_well_formed(article: Article) -> None:
    assert article.title and isinstance(article.title, str)
    assert all(p and p == p.strip() for p in article.paragraphs)
    assert article.published is None or article.published.value <= NOW.date()
    assert article.outlet


@FAST
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".txt", ".html"]))
def test_arbitrary_bytes_give_an_article_or_a_source_error(tmp_path, data, suffix):
    path = tmp_path / f"page{suffix}"
    path.write_bytes(data)
    result = outcome(path)
    if isinstance(result, Article):
        assert_well_formed(result)


@FAST
@given(cut=st.integers(min_value=0, max_value=len(PAGE)))
def test_truncated_html_gives_an_article_or_a_source_error(tmp_path, cut):
    path = tmp_path / "cut.html"
    path.write_text(PAGE[:cut], encoding="utf-8")
    result = outcome(path)
    if isinstance(result, Article):
        assert_well_formed(result)


@FAST
@given(tags=st.lists(st.sampled_from(["<div>", "</div>", "<p>", "</p>", "<table><tr><td>", "</td>", "<script>",
                                       "</script>", "<!--", "-->", "<meta charset='latin-1'>", "<title>", "&#x0;",
                                       "<time datetime='2999-01-01'>", "<![CDATA[", "\x00", "\ufffd"]),
                     max_size=60),
       text=st.text(max_size=400))
def test_mangled_markup_gives_an_article_or_a_source_error(tmp_path, tags, text):
    path = tmp_path / "mangled.html"
    path.write_text("".join(tags) + text + "".join(reversed(tags)), encoding="utf-8", errors="surrogatepass")
    result = outcome(path)
    if isinstance(result, Article):
        assert_well_formed(result)


@FAST
@given(text=st.text(max_size=2000))
def test_any_text_dump_cleans_to_distinct_nonempty_paragraphs(text):
    doc = clean_text(text)
    assert all(p.strip() == p and p for p in doc.paragraphs)
    assert len(set(doc.paragraphs)) == len(doc.paragraphs)


@FAST
@given(text=st.text(max_size=80))
def test_any_date_text_is_none_or_a_past_date(text):
    found = parse_date_text(text, NOW)
    assert found is None or (found[0] <= NOW.date() and found[1] in ("day", "month", "year"))


@pytest.mark.parametrize("depth", [MAX_NESTING + 50, 5000])
def test_html_nested_deeper_than_the_parser_builds_is_refused_by_name(tmp_path, depth):
    path = tmp_path / "deep.html"
    path.write_text("<html><body>" + "<div>" * depth + "<p>" + "Deep text. " * 20 + "</p>" + "</div>" * depth
                    + "</body></html>", encoding="utf-8")
    with pytest.raises(SourceError) as info:
        process_file(path, OPTIONS)
    assert info.value.path == str(path)
    assert f"nested deeper than {MAX_NESTING}" in info.value.reason


def test_moderately_nested_html_is_read(tmp_path):
    path = tmp_path / "nested.html"
    sentence = "The delegation met in the capital on Tuesday to discuss a new trade agreement, officials said. "
    path.write_text("<html><body>" + "<div>" * 100 + "<article><h1>Trade talks</h1>" + f"<p>{sentence * 3}</p>" * 3
                    + "</article>" + "</div>" * 100 + "</body></html>", encoding="utf-8")
    article = process_file(path, OPTIONS)
    assert "The delegation met in the capital" in article.body


def test_huge_single_line_of_html_is_read(tmp_path):
    path = tmp_path / "huge.html"
    line = "This is one sentence of a very long line that never breaks. " * 8000  # ~480 kB
    path.write_text(f"<p>{line}</p>", encoding="utf-8")
    article = process_file(path, OPTIONS)
    assert article.word_count > 80_000


def test_a_long_line_of_text_under_the_limit_is_read(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("This is one sentence of a very long line that never breaks. " * 1600, encoding="utf-8")  # ~96 kB
    assert process_file(path, OPTIONS).word_count > 15_000


def test_a_text_line_over_the_limit_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_text("Title\n\n" + "This is one sentence of a very long line that never breaks. " * 8000, encoding="utf-8")
    with pytest.raises(SourceError, match=r"line 3 is 480,000 characters long, over the 100,000 limit"):
        process_file(path, OPTIONS)


def test_mixed_encodings_in_one_file_do_not_crash(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_bytes("Café owners in Zürich protest über-strict rules on terraces, officials said. ".encode("utf-8") * 20
                     + "Café owners in Zürich protest über-strict rules on terraces, officials said. ".encode("cp1252") * 20)
    result = outcome(path)
    if isinstance(result, Article):
        assert "Zürich" in result.body or "Z" in result.body


@pytest.mark.parametrize("suffix", [".txt", ".html"])
def test_file_over_the_size_limit_is_refused_with_a_clear_message(tmp_path, suffix):
    path = tmp_path / f"big{suffix}"
    path.write_bytes(b"x" * 2048)
    with pytest.raises(SourceError) as info:
        process_file(path, PipelineOptions(max_file_bytes=1024))
    assert info.value.path == str(path)
    assert "over the" in info.value.reason and "limit" in info.value.reason
