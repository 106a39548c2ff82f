"""The terminal faces, through click's CliRunner and as real console-script subprocesses."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from indexer.cli import search_cli, search_index
from indexer.search import SearchRequest, SearchService

from .helpers import SEED_TITLES, run_script, seed_path

RESULT_KEYS = {"query", "total", "groups", "all_copies", "page", "per_page", "hits", "facets", "suggestion"}
HIT_KEYS = {"id", "title", "outlet", "author", "published", "date_precision", "score", "snippet", "actors",
            "copy_group", "copy_count", "copies"}
FACET_KEYS = {"outlet", "actor", "year", "month", "undated"}


@pytest.fixture
def bad_corpus(tmp_path):
    """One good article, one empty file, one binary file."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(seed_path("000"), corpus / "good.txt")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02\x03PK\x03\x04" * 64)
    return corpus


# -- search-index build -------------------------------------------------------------------


def test_build_with_runner_indexes_five_seeds(runner, seed_dir, tmp_path):
    index = tmp_path / "index"
    result = runner.invoke(search_index, ["build", "--corpus", str(seed_dir), "--index", str(index)])
    assert result.exit_code == 0, result.output
    assert "Indexed 5 articles" in result.stdout
    assert re.search(r"\b0 skipped\b", result.stdout) and re.search(r"\b0 duplicates\b", result.stdout)
    assert SearchService(index).search(SearchRequest()).total == 5


def test_build_subprocess_indexes_five_seeds(seed_dir, tmp_path):
    index = tmp_path / "index"
    proc = run_script("search-index", "build", "--corpus", seed_dir, "--index", index)
    assert proc.returncode == 0, proc.stderr
    assert "Indexed 5 articles" in proc.stdout
    assert "Traceback" not in proc.stderr
    assert (index / "CURRENT").is_file()


def test_build_with_bad_files_exits_1_names_them_and_indexes_the_rest(runner, bad_corpus, tmp_path):
    index = tmp_path / "index"
    result = runner.invoke(search_index, ["build", "--corpus", str(bad_corpus), "--index", str(index)])
    assert result.exit_code == 1
    assert "empty.txt" in result.stderr
    assert "binary.txt" in result.stderr
    assert "good.txt" not in result.stderr
    assert "Indexed 1 articles" in result.stdout
    assert re.search(r"\b2 skipped\b", result.stdout)
    hits = SearchService(index).search(SearchRequest(query="K9 howitzer")).hits
    assert [hit.title for hit in hits] == [SEED_TITLES["000"]]


def test_build_subprocess_with_bad_files_exits_1(bad_corpus, tmp_path):
    index = tmp_path / "index"
    proc = run_script("search-index", "build", "--corpus", bad_corpus, "--index", index)
    assert proc.returncode == 1
    skipped = [line for line in proc.stderr.splitlines() if re.match(r"skipped\s", line)]
    assert len(skipped) == 2
    assert any("empty.txt" in line for line in skipped) and any("binary.txt" in line for line in skipped)
    assert "Traceback" not in proc.stderr
    search = run_script("search-cli", "howitzer", "--index", index)
    assert search.returncode == 0
    assert SEED_TITLES["000"] in search.stdout


def test_build_reports_duplicates(runner, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(seed_path("001"), corpus / "a.txt")
    shutil.copy(seed_path("001"), corpus / "b.txt")
    result = runner.invoke(search_index, ["build", "--corpus", str(corpus), "--index", str(tmp_path / "index")])
    assert result.exit_code == 0
    assert re.search(r"duplicate\s+b\.txt: same content as a\.txt", result.stderr)
    assert "Indexed 1 articles" in result.stdout
    assert re.search(r"\b1 duplicates\b", result.stdout)


def test_build_of_empty_corpus_is_a_user_error(runner, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    result = runner.invoke(search_index, ["build", "--corpus", str(corpus), "--index", str(tmp_path / "index")])
    assert result.exit_code == 2
    assert result.stderr.startswith("search-index: error:")
    assert not (tmp_path / "index" / "CURRENT").exists()


def test_build_of_missing_corpus_is_a_user_error(runner, tmp_path):
    result = runner.invoke(search_index, ["build", "--corpus", str(tmp_path / "nope"), "--index", str(tmp_path / "index")])
    assert result.exit_code == 2
    assert "corpus folder does not exist" in result.stderr


def test_build_where_every_file_is_bad_names_them_and_keeps_previous_index(runner, seed_dir, tmp_path):
    index = tmp_path / "index"
    assert runner.invoke(search_index, ["build", "--corpus", str(seed_dir), "--index", str(index)]).exit_code == 0
    before = (index / "CURRENT").read_text()
    corpus = tmp_path / "bad"
    corpus.mkdir()
    (corpus / "empty.txt").write_bytes(b"")
    result = runner.invoke(search_index, ["build", "--corpus", str(corpus), "--index", str(index)])
    assert result.exit_code == 2
    assert "empty.txt" in result.stderr
    assert (index / "CURRENT").read_text() == before
    assert SearchService(index).search(SearchRequest()).total == 5


# -- search-cli -----------------------------------------------------------------------------


def test_search_cli_subprocess_lists_seoul_article_first_with_marked_words(built_index):
    proc = run_script("search-cli", "K9 howitzer", "--index", built_index)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == '1 article matching "K9 howitzer" (page 1 of 1)'
    first_hit = next(line for line in lines if line.strip().startswith("1. "))
    assert first_hit.strip() == "1. Seoul raises stakes in confrontation with Moscow"
    assert "[K9] [howitzers]" in proc.stdout
    assert "<mark>" not in proc.stdout
    assert "\x1b[" not in proc.stdout  # no colour codes when not a terminal


def test_search_cli_runner_prints_facets(runner, built_index):
    result = runner.invoke(search_cli, ["--index", str(built_index)])
    assert result.exit_code == 0
    assert result.stdout.startswith("5 articles in the archive (page 1 of 1)")
    assert ("Outlets: Medium (1) · South China Morning Post (1) · The Hankyoreh (1) · "
            "The Korea Times (1) · unknown (1)") in result.stdout
    assert "Years:   2023 (1) · 2024 (1) · undated (3)" in result.stdout


def test_search_cli_query_words_are_joined(runner, built_index):
    result = runner.invoke(search_cli, ["K9", "howitzer", "--index", str(built_index), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["query"] == "K9 howitzer"


def test_search_cli_json_output_parses_with_the_documented_keys(built_index):
    proc = run_script("search-cli", "K9 howitzer", "--json", "--index", built_index)
    assert proc.returncode == 0, proc.stderr
    document = json.loads(proc.stdout)
    assert set(document) == RESULT_KEYS
    assert set(document["facets"]) == FACET_KEYS
    assert document["total"] == 1
    assert all(set(hit) == HIT_KEYS for hit in document["hits"])
    assert document["hits"][0]["title"] == SEED_TITLES["000"]
    assert document == SearchService(built_index).search(SearchRequest(query="K9 howitzer")).to_dict()


def test_search_cli_json_filters(runner, built_index):
    result = runner.invoke(search_cli, ["--index", str(built_index), "--json", "--outlet", "korea times",
                                        "--outlet", "Medium", "--actor", "Putin", "--from", "2024"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert [hit["title"] for hit in document["hits"]] == [SEED_TITLES["002"]]


def test_search_cli_suggests_spelling(built_index):
    proc = run_script("search-cli", "howitzr", "--index", built_index)
    assert proc.returncode == 0
    assert 'Did you mean: "howitzer"?' in proc.stdout


def test_search_cli_unclosed_quote_exits_2_with_one_line(built_index):
    proc = run_script("search-cli", '"unclosed', "--index", built_index)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("search-cli: error:")
    assert "quote" in lines[0]
    assert proc.stdout == ""


@pytest.mark.parametrize("args", [
    ["foo:bar"],
    ["seoul AND"],
    ["*a*"],
    ["seoul", "--from", "2023-13-45"],
    ["seoul", "--from", "yesterday"],
    ["seoul", "--from", "2024", "--to", "2023"],
])
def test_search_cli_bad_query_exits_2_without_traceback(runner, built_index, args):
    result = runner.invoke(search_cli, [*args, "--index", str(built_index)])
    assert result.exit_code == 2
    assert result.stderr.startswith("search-cli: error:")
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("args", [["--limit", "0"], ["--page", "0"], ["--sort", "random"]])
def test_search_cli_bad_options_exit_2(runner, built_index, args):
    result = runner.invoke(search_cli, ["seoul", *args, "--index", str(built_index)])
    assert result.exit_code == 2


def test_search_cli_missing_index_exits_2_and_says_how_to_build(tmp_path):
    proc = run_script("search-cli", "seoul", "--index", tmp_path / "no-index")
    assert proc.returncode == 2
    assert "search-index build" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


# -- search-index inspect and stats ----------------------------------------------------------


def test_inspect_json_prints_one_line_per_file_in_order(tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    files = [seed_path("004"), bad, seed_path("001")]
    proc = run_script("search-index", "inspect", *files, "--json")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert len(lines) == 3
    records = [json.loads(line) for line in lines]
    assert records[0]["source_path"] == str(files[0])
    assert records[0]["title"] == SEED_TITLES["004"]
    assert records[0]["outlet"] == "South China Morning Post"
    assert records[0]["published"] == "2023-11-07"
    assert records[0]["date_precision"] == "day"
    assert records[1] == {"source_path": str(bad), "error": "file is empty"}
    assert records[2]["title"] == SEED_TITLES["001"]
    assert records[2]["author"] == "Nam Hyun-woo"
    assert "Traceback" not in proc.stderr


def test_inspect_json_record_has_the_documented_keys(runner):
    result = runner.invoke(search_index, ["inspect", str(seed_path("002")), "--json"])
    assert result.exit_code == 0
    record = json.loads(result.stdout)
    assert set(record) == {"id", "source_path", "url", "title", "subtitle", "author", "outlet", "published",
                           "date_precision", "date_source", "actors", "word_count", "content_hash",
                           "provenance", "body"}
    assert record["date_source"] == "byline"
    assert record["provenance"]["outlet"] == "text"


def test_inspect_text_output_and_error_on_stderr(runner, tmp_path):
    bad = tmp_path / "image.txt"
    bad.write_bytes(b"\x00" * 100)
    result = runner.invoke(search_index, ["inspect", str(seed_path("001")), str(bad)])
    assert result.exit_code == 1
    assert "title:          Seoul-Moscow ties likely stuck in limbo amid blame game" in result.stdout
    assert "author:         Nam Hyun-woo  (byline)" in result.stdout
    assert f"{bad}: error:" in result.stderr


def test_stats_shows_five_documents(built_index):
    proc = run_script("search-index", "stats", "--index", built_index)
    assert proc.returncode == 0, proc.stderr
    assert "Documents:  5" in proc.stdout
    assert "Date span:  2023-11-07 to 2024-06-23 (3 undated)" in proc.stdout


def test_stats_json(runner, built_index):
    result = runner.invoke(search_index, ["stats", "--index", str(built_index), "--json"])
    assert result.exit_code == 0
    figures = json.loads(result.stdout)
    assert figures["documents"] == 5
    assert figures["undated"] == 3
    assert figures["outlets"]["The Korea Times"] == 1


def test_stats_missing_index_exits_2(runner, tmp_path):
    result = runner.invoke(search_index, ["stats", "--index", str(tmp_path)])
    assert result.exit_code == 2
    assert "search-index build" in result.stderr


# -- configuration from the environment ------------------------------------------------------


def test_search_index_dir_env_used_when_index_option_absent(built_index, tmp_path):
    proc = run_script("search-cli", "K9 howitzer", "--json", cwd=tmp_path,
                      extra_env={"SEARCH_INDEX_DIR": str(built_index)})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["hits"][0]["title"] == SEED_TITLES["000"]


def test_index_option_beats_search_index_dir_env(built_index, tmp_path):
    # The option names the real index, the environment a folder without one.
    proc = run_script("search-cli", "K9 howitzer", "--json", "--index", built_index, cwd=tmp_path,
                      extra_env={"SEARCH_INDEX_DIR": str(tmp_path / "empty")})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["total"] == 1
    # And the other way round: an option naming no index fails even though the environment has one.
    proc = run_script("search-cli", "K9 howitzer", "--index", tmp_path / "empty", cwd=tmp_path,
                      extra_env={"SEARCH_INDEX_DIR": str(built_index)})
    assert proc.returncode == 2
    assert str(tmp_path / "empty") in proc.stderr


def test_default_index_is_dot_index_in_working_directory(tmp_path):
    proc = run_script("search-cli", "seoul", cwd=tmp_path)
    assert proc.returncode == 2
    assert "no index at index" in proc.stderr


def test_stats_uses_search_index_dir_env(built_index, tmp_path):
    proc = run_script("search-index", "stats", cwd=tmp_path, extra_env={"SEARCH_INDEX_DIR": str(built_index)})
    assert proc.returncode == 0, proc.stderr
    assert "Documents:  5" in proc.stdout


def test_search_corpus_dir_env_used_for_build(seed_dir, tmp_path):
    proc = run_script("search-index", "build", "--index", tmp_path / "index", cwd=tmp_path,
                      extra_env={"SEARCH_CORPUS_DIR": str(seed_dir)})
    assert proc.returncode == 0, proc.stderr
    assert "Indexed 5 articles" in proc.stdout


def test_corpus_option_beats_search_corpus_dir_env(seed_dir, tmp_path):
    proc = run_script("search-index", "build", "--corpus", seed_dir, "--index", tmp_path / "index", cwd=tmp_path,
                      extra_env={"SEARCH_CORPUS_DIR": str(tmp_path / "nowhere")})
    assert proc.returncode == 0, proc.stderr
    assert "Indexed 5 articles" in proc.stdout


def test_build_uses_both_environment_folders(seed_dir, tmp_path):
    index = tmp_path / "env-index"
    proc = run_script("search-index", "build", cwd=tmp_path,
                      extra_env={"SEARCH_CORPUS_DIR": str(seed_dir), "SEARCH_INDEX_DIR": str(index)})
    assert proc.returncode == 0, proc.stderr
    assert (index / "CURRENT").is_file()
    assert SearchService(index).search(SearchRequest()).total == 5


def test_version_option(runner):
    import indexer

    result = runner.invoke(search_index, ["--version"])
    assert result.exit_code == 0
    assert indexer.__version__ in result.stdout
