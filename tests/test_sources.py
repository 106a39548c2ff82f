"""Reading raw files: bad files are refused by name, charsets are honoured, sidecars win."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from indexer.errors import SourceError, UserError
from indexer.pipeline import PipelineOptions, process_file, process_files
from indexer.sources import discover, fingerprint, read_document, scan

from .helpers import seed_path

PROSE = ("The delegation met in the capital on Tuesday to discuss a new trade agreement between the two "
         "countries, officials said, adding that talks would continue next month.")


def refused(path, options=PipelineOptions()) -> SourceError:
    with pytest.raises(SourceError) as info:
        process_file(path, options)
    return info.value


def test_empty_file_refused_by_name(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    error = refused(path)
    assert error.path == str(path)
    assert "empty" in error.reason
    assert "empty.txt" in str(error)


def test_whitespace_only_file_refused_as_empty(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_bytes(b"  \n\n\t \r\n")
    assert "empty" in refused(path).reason


def test_binary_file_with_nul_bytes_refused_by_name(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    error = refused(path)
    assert error.path == str(path)
    assert "binary" in error.reason


def test_undecodable_bytes_refused_by_name(tmp_path):
    path = tmp_path / "garbled.txt"
    path.write_bytes(bytes(range(128, 256)) * 20)
    error = refused(path)
    assert error.path == str(path)
    assert "decode" in error.reason


def test_file_over_the_size_limit_refused_by_name(tmp_path):
    path = tmp_path / "big.txt"
    shutil.copy(seed_path("000"), path)
    error = refused(path, PipelineOptions(max_file_bytes=1000))
    assert error.path == str(path)
    assert "limit" in error.reason
    # The same file under the default limit is fine.
    assert process_file(path).title == "Seoul raises stakes in confrontation with Moscow"


@pytest.mark.parametrize("name", ["article.pdf", "notes.md", "README"])
def test_unsupported_extension_refused_by_name(tmp_path, name):
    path = tmp_path / name
    path.write_text(PROSE, encoding="utf-8")
    error = refused(path)
    assert error.path == str(path)
    assert "unsupported file type" in error.reason


def test_source_error_is_a_user_error(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert isinstance(refused(path), UserError)


def test_process_files_yields_errors_in_place_of_bad_files(tmp_path):
    good = tmp_path / "a.txt"
    shutil.copy(seed_path("000"), good)
    bad = tmp_path / "b.txt"
    bad.write_bytes(b"")
    items = list(process_files([bad, good]))
    assert isinstance(items[0], SourceError) and items[0].path == str(bad)
    assert items[1].title == "Seoul raises stakes in confrontation with Moscow"


def test_discover_skips_hidden_files_and_other_kinds(tmp_path):
    (tmp_path / "b.html").write_text("<p>x</p>", encoding="utf-8")
    (tmp_path / "a.txt").write_text(PROSE, encoding="utf-8")
    (tmp_path / "c.HTM").write_text("<p>x</p>", encoding="utf-8")
    (tmp_path / "a.json").write_text("{}", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text(PROSE, encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text(PROSE, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.txt").write_text(PROSE, encoding="utf-8")
    assert [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)] == ["a.txt", "b.html", "c.HTM", "sub/d.txt"]


def test_discover_missing_corpus_is_a_source_error(tmp_path):
    with pytest.raises(SourceError):
        discover(tmp_path / "nowhere")


def _html_page(charset: str, title: str, paragraphs: list[str]) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!doctype html><html><head><meta charset="{charset}"><title>{title}</title></head>'
            f"<body><article><h1>{title}</h1>{body}</article></body></html>")


CYRILLIC_TITLE = "Москва и Сеул обсуждают новые поставки оружия"
CYRILLIC_PARAGRAPHS = [
    "Представители двух стран встретились во вторник, чтобы обсудить новое соглашение о торговле и безопасности, "
    "сообщили официальные лица, добавив, что переговоры продолжатся в следующем месяце в столице.",
    "По словам экспертов, отношения между странами остаются напряжёнными, однако обе стороны заинтересованы "
    "в сохранении диалога и в поиске компромисса по самым сложным вопросам повестки.",
    "Следующий раунд консультаций запланирован на конец года, и его результаты станут известны только после "
    "того, как обе делегации доложат о них своим правительствам и парламентам.",
]


def test_html_with_declared_windows_1251_charset_decodes(tmp_path):
    path = tmp_path / "ru.html"
    data = _html_page("windows-1251", CYRILLIC_TITLE, CYRILLIC_PARAGRAPHS).encode("cp1251")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the test is only meaningful for bytes that are not UTF-8
    path.write_bytes(data)
    raw = read_document(path)
    assert CYRILLIC_TITLE in raw.text
    assert CYRILLIC_PARAGRAPHS[1] in raw.text
    article = process_file(path)
    assert article.title == CYRILLIC_TITLE
    assert any("Представители двух стран" in p for p in article.paragraphs)


LATIN_TITLE = "Café owners in Zürich protest über-strict rules"
LATIN_PARAGRAPHS = [
    "Owners of cafés across Zürich gathered on Monday to protest what they called über-strict rules on "
    "terraces, saying the façades of the old town deserve better than a blanket ban on tables.",
    "The city council said it would review the rules next year after hearing from the owners, the "
    "residents' associations and the tourism office, which welcomed the débat.",
    "Until then the old regulations remain in force, and inspectors will continue to visit every café "
    "in the old town twice a month, the council's spokesperson added.",
]


def test_html_with_declared_iso_8859_1_charset_decodes(tmp_path):
    path = tmp_path / "de.htm"
    data = _html_page("iso-8859-1", LATIN_TITLE, LATIN_PARAGRAPHS).encode("latin-1")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    path.write_bytes(data)
    raw = read_document(path)
    assert LATIN_TITLE in raw.text
    assert "façades" in raw.text and "débat" in raw.text
    assert process_file(path).title == LATIN_TITLE


def test_utf8_bom_text_file_decodes_without_the_bom(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + seed_path("000").read_bytes())
    raw = read_document(path)
    assert raw.text.startswith("Seoul raises stakes")
    assert process_file(path).title == "Seoul raises stakes in confrontation with Moscow"


# -- sidecars ----------------------------------------------------------------------------


def test_sidecar_overrides_outlet_published_title_author_and_url(tmp_path):
    path = tmp_path / "scmp.txt"
    shutil.copy(seed_path("004"), path)
    (tmp_path / "scmp.json").write_text(json.dumps({
        "outlet": "reuters",
        "published": "2023-05",
        "title": "A title chosen by the user",
        "author": "Jane Doe",
        "url": "https://example.org/news/blinken-seoul",
    }), encoding="utf-8")
    article = process_file(path)
    assert article.outlet == "Reuters"  # the registry's display name for the alias given
    assert article.title == "A title chosen by the user"
    assert article.author == "Jane Doe"
    assert article.url == "https://example.org/news/blinken-seoul"
    assert (article.published.label, article.published.precision, article.published.source) == ("2023-05", "month", "sidecar")
    assert {k: article.provenance[k] for k in ("title", "outlet", "author", "url", "published")} == {
        "title": "sidecar", "outlet": "sidecar", "author": "sidecar", "url": "sidecar", "published": "sidecar"}


def test_sidecar_changes_the_content_hash(tmp_path):
    path = tmp_path / "a.txt"
    shutil.copy(seed_path("000"), path)
    before = process_file(path).content_hash
    (tmp_path / "a.json").write_text('{"outlet": "Reuters"}', encoding="utf-8")
    assert process_file(path).content_hash != before


def test_sidecar_year_only_published_has_year_precision(tmp_path):
    path = tmp_path / "a.txt"
    shutil.copy(seed_path("000"), path)
    (tmp_path / "a.json").write_text('{"published": "2023"}', encoding="utf-8")
    published = process_file(path).published
    assert (published.label, published.precision) == ("2023", "year")


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"title": 42}', b"\xff\xfe\x00garbage"])
def test_invalid_sidecar_refused_naming_the_json(tmp_path, content):
    path = tmp_path / "story.txt"
    shutil.copy(seed_path("000"), path)
    sidecar = tmp_path / "story.json"
    if isinstance(content, bytes):
        sidecar.write_bytes(content)
    else:
        sidecar.write_text(content, encoding="utf-8")
    error = refused(path)
    assert error.path == str(sidecar)
    assert "sidecar" in error.reason


@pytest.mark.parametrize("value", ["yesterday", "2024-13-45", "23/06/2099", "next week", "2999-01-01"])
def test_sidecar_published_in_a_bad_form_refused(tmp_path, value):
    path = tmp_path / "story.txt"
    shutil.copy(seed_path("000"), path)
    (tmp_path / "story.json").write_text(json.dumps({"published": value}), encoding="utf-8")
    error = refused(path)
    assert error.path == str(tmp_path / "story.json")
    assert value in error.reason


def test_sidecar_published_in_the_future_refused(tmp_path):
    import datetime as dt

    path = tmp_path / "story.txt"
    shutil.copy(seed_path("000"), path)
    (tmp_path / "story.json").write_text('{"published": "2024-06-01"}', encoding="utf-8")
    options = PipelineOptions(now=dt.datetime(2024, 1, 1))
    error = refused(path, options)
    assert error.path.endswith("story.json")


def test_scan_lists_what_discover_finds_with_the_fingerprint_of_each_file_and_sidecar(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    (corpus / ".hidden").mkdir()
    for name in ("a.txt", "sub/b.html", "sub/c.htm", ".hidden/d.txt", ".e.txt", "notes.md"):
        (corpus / name).write_text("Title\n\nBody text.\n", encoding="utf-8")
    (corpus / "sub" / "b.json").write_text('{"outlet": "Reuters"}', encoding="utf-8")
    listing = scan(corpus)
    assert [Path(path) for path, _ in listing] == discover(corpus) == [corpus / "a.txt", corpus / "sub/b.html",
                                                                       corpus / "sub/c.htm"]
    assert [print_ for _, print_ in listing] == [fingerprint(path) for path in discover(corpus)]
    assert listing[1][1][2:] == fingerprint(corpus / "sub/b.html")[2:] != (0, 0)
