"""HTML pages: main text without navigation, metadata from JSON-LD and <meta>, outlet from the URL."""

from __future__ import annotations

import json

from indexer import store
from indexer.article import Article
from indexer.pipeline import process_file, process_files

PARAGRAPHS = [
    "South Korea's defence ministry said on Friday that it had signed a contract to export a further batch "
    "of self-propelled howitzers to Poland, the largest such deal in the history of the country's arms industry.",
    "Officials in Warsaw welcomed the agreement, saying the new artillery would replace ageing Soviet-era "
    "equipment that had been sent to Ukraine since the start of the war, and would arrive within two years.",
    "Analysts said the contract confirmed Seoul's rise as one of the world's leading arms exporters, although "
    "its policy of not supplying weapons directly to countries at war remains unchanged for now.",
]
NAV_TEXT = "Subscribe to the Gazette newsletter for daily updates"
FOOTER_TEXT = "Copyright 2024 Example Gazette Media Group. All rights reserved."


def paragraphs_for(tag: str) -> list[str]:
    return [f"{p} This report was filed for the {tag} edition." if tag else p for p in PARAGRAPHS]


JSON_LD = {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    "headline": "Seoul signs record howitzer export deal with Warsaw",
    "author": {"@type": "Person", "name": "Jane Roe"},
    "datePublished": "2024-03-15T08:30:00+09:00",
    "publisher": {"@type": "Organization", "name": "Example Gazette"},
}


def article_page(tag: str = "") -> str:
    """The test page; TAG makes its paragraphs unique to one test (see the repetition test below)."""
    paragraphs = "\n".join(f"    <p>{p}</p>" for p in paragraphs_for(tag))
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Seoul signs record howitzer export deal | Example Gazette</title>
  <meta property="og:site_name" content="Example Gazette">
  <meta property="og:title" content="Seoul signs record howitzer export deal with Warsaw">
  <script type="application/ld+json">{json.dumps(JSON_LD)}</script>
</head>
<body>
  <nav class="site-nav">
    <ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/sport">Sport</a></li></ul>
    <p>{NAV_TEXT}</p>
  </nav>
  <article>
    <h1>Seoul signs record howitzer export deal with Warsaw</h1>
{paragraphs}
  </article>
  <footer>
    <p>{FOOTER_TEXT}</p>
    <a href="/privacy">Privacy policy</a>
  </footer>
</body>
</html>
"""


def test_html_article_metadata_from_json_ld(tmp_path):
    page = article_page('metadata')
    path = tmp_path / "gazette.html"
    path.write_text(page, encoding="utf-8")
    article = process_file(path)
    assert article.title == "Seoul signs record howitzer export deal with Warsaw"
    assert article.author == "Jane Roe"
    assert article.outlet == "Example Gazette"
    published = article.published
    assert (published.label, published.precision, published.source) == ("2024-03-15", "day", "json-ld")
    assert article.provenance["author"] == "json-ld"
    assert article.provenance["published"] == "json-ld"


def test_html_article_body_keeps_paragraphs_and_excludes_navigation(tmp_path):
    page = article_page('body')
    path = tmp_path / "gazette.html"
    path.write_text(page, encoding="utf-8")
    article = process_file(path)
    body = article.body
    for paragraph in paragraphs_for("body"):
        assert paragraph in body
    assert NAV_TEXT not in body
    assert "Sport" not in body
    assert FOOTER_TEXT not in body
    assert "Privacy policy" not in body
    # The headline is the title, not a paragraph.
    assert article.title not in article.paragraphs


def test_html_article_actors_from_title_and_body(tmp_path):
    page = article_page('actors')
    path = tmp_path / "gazette.html"
    path.write_text(page, encoding="utf-8")
    names = {a.name for a in process_file(path).actors}
    assert {"South Korea", "Poland", "Ukraine"} <= names
    assert "Jane Roe" not in names


def test_html_page_on_korea_times_domain_gets_outlet_from_url(tmp_path):
    page = article_page('korea-times-url')
    path = tmp_path / "kt.html"
    path.write_text(page, encoding="utf-8")
    (tmp_path / "kt.json").write_text(json.dumps(
        {"url": "https://www.koreatimes.co.kr/www/nation/2024/03/113_370000.html"}), encoding="utf-8")
    article = process_file(path)
    assert article.outlet == "The Korea Times"
    assert article.provenance["outlet"] == "url"
    assert article.url == "https://www.koreatimes.co.kr/www/nation/2024/03/113_370000.html"


def test_html_page_on_unregistered_domain_shows_the_domain(tmp_path):
    page = article_page('other-url')
    page = page.replace('<meta property="og:site_name" content="Example Gazette">', "")
    path = tmp_path / "other.html"
    path.write_text(page, encoding="utf-8")
    (tmp_path / "other.json").write_text('{"url": "https://news.example.net/a/1"}', encoding="utf-8")
    article = process_file(path)
    assert article.outlet == "news.example.net"
    assert article.provenance["outlet"] == "url"


def test_html_page_without_json_ld_uses_meta_tags(tmp_path):
    page = article_page('meta-tags')
    start = page.index('<script type="application/ld+json">')
    end = page.index("</script>", start) + len("</script>")
    page = page[:start] + (
        '<meta name="author" content="John Smith">'
        '<meta property="article:published_time" content="2024-02-01T10:00:00Z">'
    ) + page[end:]
    path = tmp_path / "meta.html"
    path.write_text(page, encoding="utf-8")
    article = process_file(path)
    assert article.author == "John Smith"
    assert (article.published.label, article.published.source) == ("2024-02-01", "meta")
    assert article.outlet == "Example Gazette"
    assert article.provenance["outlet"] == "meta"


# trafilatura's `deduplicate=True` keeps a process-wide cache of paragraphs it has seen and
# drops a paragraph once it has seen it more than twice, in any document. The same page (or
# the same wire story saved from several outlets) must give the same article every time.


def test_html_page_processed_repeatedly_gives_the_same_article(tmp_path):
    path = tmp_path / "repeat.html"
    path.write_text(article_page("repeat"), encoding="utf-8")
    first = process_file(path)
    again = [process_file(path).paragraphs for _ in range(3)]
    assert again == [first.paragraphs] * 3


def test_copies_of_one_html_page_are_indexed_once_as_duplicates(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("a", "b", "c", "d"):
        (corpus / f"{name}.html").write_text(article_page("copies"), encoding="utf-8")
    items = list(process_files(sorted(corpus.glob("*.html"))))
    assert all(isinstance(item, Article) for item in items), [str(i) for i in items if not isinstance(i, Article)]
    result = store.build(tmp_path / "index", items)
    assert result.added == 1
    assert len(result.duplicates) == 3


def test_wire_story_shared_by_several_pages_keeps_its_paragraphs(tmp_path):
    for outlet in ("Alpha Post", "Beta Herald", "Gamma Times", "Delta Daily"):
        page = article_page("wire").replace("Example Gazette", outlet)
        path = tmp_path / f"{outlet.split()[0].lower()}.html"
        path.write_text(page, encoding="utf-8")
        article = process_file(path)
        assert article.outlet == outlet
        assert len(article.paragraphs) == len(PARAGRAPHS), outlet
