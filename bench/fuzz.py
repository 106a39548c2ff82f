"""Mutation fuzzing of the two ways in: raw bytes -> Article, and query parameters -> SearchResult.

    python bench/fuzz.py --cases 5000 --seconds 600

The pipeline target takes the seed articles and a small HTML page, mutates them
(byte flips, cuts, repeats, random bytes, deep nesting, huge lines, other
encodings, truncation) and runs each result through the whole pipeline as a
.txt and as an .html file: it must give an Article or a SourceError. The query
target builds query strings from the query language's pieces and random text,
with random filters and paging, against an index of the seeds: it must give a
SearchResult or a QueryError. Anything else is a crash; its input is saved under
--crashes for a regression test. Deterministic from --seed.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer import sync  # noqa: E402
from indexer.errors import QueryError, SourceError  # noqa: E402
from indexer.pipeline import process_file  # noqa: E402
from indexer.search import SearchRequest, SearchService  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PAGE = ("<html><head><meta charset='utf-8'><title>Fuzz page</title><script type='application/ld+json'>"
        '{"@type":"NewsArticle","headline":"Fuzz","datePublished":"2023-05-01","author":{"name":"A B"}}</script></head>'
        "<body><nav>Home News</nav><article><h1>Fuzz page</h1><p>Seoul and Moscow held talks on Monday, officials said, "
        "and agreed to meet again.</p><p>The K9 howitzers were delivered to Poland last year.</p></article></body></html>")
PIECES = ['"', "(", ")", "[", "]", "*", "?", "~", "~2", "^2", ":", "AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "-", "+",
          "title:", "outlet:", "actor:", "body:", "author:", "date:", "foo:", "K9", "howitz*", "korea", "putin", "\\",
          "'", "{", "}", "TO", "/", "\x00", "\u200b", "한국", "[a TO z]", "ka*", "*", "??", "a~9"]


def mutate(data: bytes, rng: random.Random) -> bytes:
    for _ in range(rng.randint(1, 5)):
        choice = rng.randrange(9)
        n = len(data)
        if choice == 0 and n:
            i = rng.randrange(n)
            data = data[:i] + bytes([rng.randrange(256)]) + data[i + 1:]
        elif choice == 1 and n:
            i, j = sorted(rng.randrange(n) for _ in range(2))
            data = data[:i] + data[j:]
        elif choice == 2 and n:
            i, j = sorted(rng.randrange(n) for _ in range(2))
            data = data[:j] + data[i:j] * rng.randint(1, 20) + data[j:]
        elif choice == 3:
            i = rng.randrange(n + 1)
            data = data[:i] + rng.randbytes(rng.randint(1, 200)) + data[i:]
        elif choice == 4:
            depth = rng.choice((100, 1000, 20_000))
            data = b"<div>" * depth + data + b"</div>" * rng.randrange(depth)
        elif choice == 5:
            data = data + b"x" * rng.choice((10_000, 1_000_000))
        elif choice == 6:
            try:
                data = data.decode("utf-8", "replace").encode(rng.choice(("utf-16", "latin-1", "cp1251", "gb18030")), "replace")
            except (UnicodeError, LookupError):
                pass
        elif choice == 7 and n:
            data = data[: rng.randrange(n)]
        elif choice == 8:
            data = data.replace(b"\n", b" ") if rng.random() < 0.5 else data.replace(b". ", b".\n\n")
    return data


def fuzz_pipeline(cases: int, deadline: float, rng: random.Random, crashes: Path) -> tuple[int, int]:
    seeds = [p.read_bytes() for p in sorted((REPO / "seeds").glob("*.txt"))] + [PAGE.encode()]
    folder = Path(tempfile.mkdtemp(prefix="fuzz-pipeline-"))
    run = crashed = 0
    try:
        while run < cases and time.monotonic() < deadline:
            data = mutate(rng.choice(seeds), rng)
            path = folder / f"case{rng.choice(('.txt', '.html'))}"
            path.write_bytes(data)
            run += 1
            try:
                process_file(path)
            except SourceError:
                pass
            except Exception:  # noqa: BLE001 - a crash is what we are looking for
                crashed += 1
                saved = crashes / f"pipeline-{run}{path.suffix}"
                saved.write_bytes(data)
                print(f"CRASH pipeline case {run} saved as {saved}:\n{traceback.format_exc(limit=3)}", file=sys.stderr)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return run, crashed


def random_query(rng: random.Random) -> str:
    parts = [rng.choice(PIECES) if rng.random() < 0.6 else "".join(chr(rng.randrange(32, 0x3000)) for _ in range(rng.randint(0, 6)))
             for _ in range(rng.randint(0, 8))]
    return (" " if rng.random() < 0.7 else "").join(parts)


def fuzz_queries(cases: int, deadline: float, rng: random.Random, crashes: Path) -> tuple[int, int]:
    folder = Path(tempfile.mkdtemp(prefix="fuzz-query-"))
    run = crashed = 0
    try:
        sync.rebuild(REPO / "seeds", folder / "index")
        service = SearchService(folder / "index")
        names = ["Putin", "korea times", "Medium", "unknown", "", "x" * 300, "<script>", "Kiev"]
        dates = [None, "", "2023", "2023-11", "2023-11-07", "2024-02-30", "0000", "9999-99", "yesterday", "2023-1-1"]
        while run < cases and time.monotonic() < deadline:
            request = SearchRequest(
                query=random_query(rng),
                outlets=tuple(rng.sample(names, rng.randint(0, 2))), actors=tuple(rng.sample(names, rng.randint(0, 2))),
                exclude_outlets=tuple(rng.sample(names, rng.randint(0, 1))), exclude_actors=tuple(rng.sample(names, rng.randint(0, 1))),
                date_from=rng.choice(dates), date_to=rng.choice(dates), undated=rng.random() < 0.2,
                sort=rng.choice(("relevance", "newest", "oldest", "bogus")),
                page=rng.choice((1, 2, 0, -1, 999, 5000)), per_page=rng.choice((10, 1, 100, 0, 1000)))
            run += 1
            try:
                service.search(request).to_dict()
            except QueryError:
                pass
            except Exception:  # noqa: BLE001
                crashed += 1
                (crashes / f"query-{run}.txt").write_text(repr(request), encoding="utf-8")
                print(f"CRASH query case {run}: {request!r}\n{traceback.format_exc(limit=3)}", file=sys.stderr)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return run, crashed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000, help="cases per target")
    parser.add_argument("--seconds", type=float, default=300, help="time budget per target")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--crashes", type=Path, default=Path("/tmp/fuzz-crashes"))
    args = parser.parse_args()
    args.crashes.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    for name, target in (("pipeline", fuzz_pipeline), ("query", fuzz_queries)):
        started = time.monotonic()
        run, crashed = target(args.cases, started + args.seconds, rng, args.crashes)
        print(f"{name}: {run} cases in {time.monotonic() - started:.0f} s, {crashed} crashes")


if __name__ == "__main__":
    main()
