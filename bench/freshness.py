"""Freshness: how soon one new article is found after it lands in a large corpus.

    python bench/freshness.py --corpus /tmp/bench-corpus-100000 --index /tmp/bench-index-100000

Writes one new article (a word no other article has) into the corpus, then:

* cold: runs `search-index update --no-ner` as a user does (a new process: imports,
  listing the corpus, the manifest, the commit), then `search-cli` for the word;
  and `search-index add --no-ner FILE`, which looks at the added file only;
* warm: the update and the search in one long-running process, as `search-index
  watch` or the web UI's `POST /api/add` do (the libraries are loaded, the search
  service is open and must notice the new commit): an update of the whole corpus,
  and an update of the one path, as `watch` and `POST /api/add` run it.

Each article it writes is named bench-fresh-*.txt; `--clean` removes them and
updates the index again. It changes the index it is given: use a bench index.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BIN = Path(sys.executable).parent


def new_article(folder: Path) -> tuple[Path, str]:
    word = "zq" + uuid.uuid4().hex[:10]
    path = folder / f"bench-fresh-{word}.txt"
    path.write_text(f"Airship returns to the lake\n\nThe airship company said on Monday that its {word} prototype "
                    "would fly again from the lake shore, decades after the last one was retired from service.\n\n"
                    "Engineers spent three years rebuilding the frame, the company said, and the first passengers "
                    "are expected next spring.\n", encoding="utf-8")
    return path, word


def timed(command: list[str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, done.stdout


def cold(corpus: Path, index: Path) -> None:
    _, word = new_article(corpus)
    update_seconds, out = timed([str(BIN / "search-index"), "update", "--no-ner", "--corpus", str(corpus), "--index", str(index)])
    search_seconds, found = timed([str(BIN / "search-cli"), "--json", "--index", str(index), word])
    assert '"total": 1' in found, found[:300]
    print(f"cold: update {update_seconds:.2f} s ({out.strip().splitlines()[-1]})")
    print(f"      search-cli finds it in {search_seconds:.2f} s; written to found: {update_seconds + search_seconds:.2f} s")

    outside = Path(tempfile.mkdtemp())
    saved, word = new_article(outside)
    add_seconds, out = timed([str(BIN / "search-index"), "add", "--no-ner", str(saved), "--corpus", str(corpus), "--index", str(index)])
    search_seconds, found = timed([str(BIN / "search-cli"), "--json", "--index", str(index), word])
    assert '"total": 1' in found, found[:300]
    print(f"cold: add {add_seconds:.2f} s ({out.strip().splitlines()[-1]})")
    print(f"      search-cli finds it in {search_seconds:.2f} s; written to found: {add_seconds + search_seconds:.2f} s")


def warm(corpus: Path, index: Path, rounds: int) -> None:
    from indexer import sync
    from indexer.pipeline import PipelineOptions
    from indexer.search import SearchRequest, SearchService

    service = SearchService(index)
    service.search(SearchRequest(query="airship"))  # open, as a running web UI has it
    sync.update(corpus, index, PipelineOptions(ner=False))  # the libraries loaded, as in `watch`
    for label, named in (("the whole corpus", False), ("the one path (watch, POST /api/add)", True)):
        for _ in range(rounds):
            path, word = new_article(corpus)
            started = time.perf_counter()
            sync.update(corpus, index, PipelineOptions(ner=False), paths=[path] if named else None)
            updated = time.perf_counter()
            total = service.search(SearchRequest(query=word)).total
            found = time.perf_counter()
            assert total == 1, total
            print(f"warm, update of {label}: update {updated - started:.2f} s, first search after it"
                  f" {found - updated:.2f} s; written to found: {found - started:.2f} s")


def clean(corpus: Path, index: Path) -> None:
    for path in corpus.glob("bench-fresh-*.txt"):
        path.unlink()
    subprocess.run([str(BIN / "search-index"), "update", "--no-ner", "--corpus", str(corpus), "--index", str(index)],
                   check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3, help="warm rounds")
    parser.add_argument("--clean", action="store_true", help="remove the articles this script wrote, and update")
    args = parser.parse_args()
    if args.clean:
        clean(args.corpus, args.index)
        return
    files = sum(1 for _ in args.corpus.rglob("*.txt")) + sum(1 for _ in args.corpus.rglob("*.htm*"))
    print(f"{files} files in {args.corpus}; {os.cpu_count()} cores, Python {platform.python_version()}")
    cold(args.corpus, args.index)
    warm(args.corpus, args.index, args.rounds)


if __name__ == "__main__":
    main()
