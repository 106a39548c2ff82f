"""Search latency at archive scale, ours against SQLite FTS5, measured in the same run.

    python bench/search.py --n 10000            # generates the corpus and builds both if missing
    python bench/search.py --n 100000 --reps 15

The mix ends with the actor page (SearchService.actor_profile) for the most
frequent actor, the 13th and the 50th, against the same actor-filtered browse in FTS5.

Ours: the search service (indexer.search) answering a SearchRequest with every
facet (outlet, actor, year, month, undated; disjunctive), the top 10 hits with
snippets. The peer: the same documents in SQLite FTS5 (porter tokenizer),
top 10 by bm25 and facets by GROUP BY over a temp table of matches, filtered and
disjunctive in the same way. Both warm; each case repeated --reps times. The
machine is shared and noisy, so the ratio ours/peer is the figure to read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import sqlite3
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer import store, sync  # noqa: E402
from indexer.pipeline import PipelineOptions  # noqa: E402
from indexer.search import SearchRequest, SearchService  # noqa: E402
from whoosh.analysis import STOP_WORDS as STOP  # noqa: E402

FILTERS = ("none", "outlet", "date", "actor")
STOP_WORDS = frozenset(STOP)
DATE_FROM, DATE_TO = "2020-01-01", "2021-12-31"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# -- the peer ---------------------------------------------------------------------------


def build_fts(root: Path, db_path: Path) -> float:
    """Copy every stored document of our index into an FTS5 database. Returns seconds."""
    started = time.monotonic()
    db = sqlite3.connect(db_path)
    db.executescript("""
        CREATE TABLE docs(rowid INTEGER PRIMARY KEY, title TEXT, outlet TEXT, day INTEGER, year INTEGER, month TEXT, precision INTEGER);
        CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='porter unicode61');
        CREATE TABLE actors(doc INTEGER, name TEXT, type TEXT);
    """)
    ix = store.open_index(root)
    with ix.searcher() as searcher:
        for n, stored in enumerate(searcher.all_stored_fields(), start=1):
            label, precision = stored.get("published"), stored.get("date_precision")
            day = year = month = None
            if label:
                year = int(label[:4])
                month = label[:7] if precision in ("day", "month") else None
                day = dt.date(year, int(label[5:7] or 1) if len(label) > 4 else 1, int(label[8:10]) if len(label) > 7 else 1).toordinal()
            db.execute("INSERT INTO docs VALUES (?,?,?,?,?,?,?)", (n, stored["title"], stored["outlet"], day, year, month,
                                                                  {"day": 3, "month": 2, "year": 1}.get(precision, 0)))
            db.execute("INSERT INTO fts(rowid, title, body) VALUES (?,?,?)", (n, stored["title"], stored["body"]))
            db.executemany("INSERT INTO actors VALUES (?,?,?)", [(n, a["name"], a["type"]) for a in json.loads(stored["actors"])])
    db.executescript("""
        CREATE INDEX actors_name ON actors(name, doc); CREATE INDEX actors_doc ON actors(doc);
        CREATE INDEX docs_outlet ON docs(outlet); CREATE INDEX docs_day ON docs(day);
        INSERT INTO fts(fts) VALUES('optimize');
    """)
    db.commit()
    db.close()
    return time.monotonic() - started


class Peer:
    def __init__(self, db_path: Path):
        self.db = sqlite3.connect(db_path)

    def search(self, query: str, outlet: str | None, actor: str | None, dated: bool) -> dict:
        db = self.db
        db.execute("DROP TABLE IF EXISTS temp.m")
        # The matches keyed by document, so the facet joins below are index lookups.
        db.execute("CREATE TEMP TABLE m(doc INTEGER PRIMARY KEY, score REAL)")
        if query:
            db.execute("INSERT INTO m SELECT rowid, bm25(fts) FROM fts WHERE fts MATCH ?", (query,))
        else:
            db.execute("INSERT INTO m SELECT rowid, 0.0 FROM docs")
        outlet_sql = "AND d.outlet = :outlet" if outlet else ""
        actor_sql = "AND EXISTS (SELECT 1 FROM actors a WHERE a.doc = m.doc AND a.name = :actor)" if actor else ""
        date_sql = f"AND d.day BETWEEN {dt.date.fromisoformat(DATE_FROM).toordinal()} AND {dt.date.fromisoformat(DATE_TO).toordinal()}" if dated else ""
        params = {"outlet": outlet, "actor": actor}
        base = "FROM m JOIN docs d ON d.rowid = m.doc WHERE 1=1 "
        order = "m.score" if query else "d.day IS NULL, d.day DESC"
        hits = db.execute(f"SELECT d.rowid, d.title {base} {outlet_sql} {actor_sql} {date_sql} ORDER BY {order} LIMIT 10", params).fetchall()
        total = db.execute(f"SELECT count(*) {base} {outlet_sql} {actor_sql} {date_sql}", params).fetchone()[0]
        outlets = db.execute(f"SELECT d.outlet, count(*) {base} {actor_sql} {date_sql} GROUP BY d.outlet ORDER BY 2 DESC", params).fetchall()
        actors = db.execute(f"SELECT a.name, a.type, count(*) FROM actors a JOIN docs d ON d.rowid = a.doc JOIN m ON m.doc = a.doc "
                            f"WHERE 1=1 {outlet_sql} {actor_sql} {date_sql} GROUP BY a.name, a.type ORDER BY 3 DESC LIMIT 50", params).fetchall()
        years = db.execute(f"SELECT d.year, count(*) {base} {outlet_sql} {actor_sql} AND d.year IS NOT NULL GROUP BY d.year", params).fetchall()
        months = db.execute(f"SELECT d.month, count(*) {base} {outlet_sql} {actor_sql} AND d.month IS NOT NULL GROUP BY d.month", params).fetchall()
        undated = db.execute(f"SELECT count(*) {base} {outlet_sql} {actor_sql} AND d.day IS NULL", params).fetchone()[0]
        return {"total": total, "hits": hits, "outlets": outlets, "actors": actors, "years": years, "months": months, "undated": undated}


# -- the query mix ------------------------------------------------------------------------


def choose_queries(root: Path) -> dict[str, str]:
    """Terms of high, middle and low document frequency, an AND, a phrase, an OR and browse-all, from the index."""
    ix = store.open_index(root)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        n = reader.doc_count()
        shares = []
        for term, info in reader.iter_field("body"):
            word = term.decode("utf-8")
            if word.isalpha() and len(word) >= 4:
                shares.append((info.doc_frequency() / n, word))
        first = searcher.stored_fields(0)["body"].split()
    def nearest(target: float, skip: int = 0) -> str:
        """The word whose document frequency is closest to `target` (the skip-th closest)."""
        return sorted(shares, key=lambda sw: (abs(math.log(sw[0] / target)), sw[1]))[skip][1]

    pick = {"high": nearest(0.3), "mid": nearest(0.02), "low": nearest(0.001)}
    mid = [nearest(0.02, k) for k in range(1, 4)]
    words = [w.strip(".,;:!?\"'()").lower() for w in first]
    # Two adjacent words, neither a stop word (Whoosh drops those from phrases).
    phrase_words = next([a, b] for a, b in zip(words, words[1:])
                        if a.isalpha() and b.isalpha() and len(a) > 3 and len(b) > 3 and not {a, b} & STOP_WORDS)
    return {
        "term-high": pick["high"],
        "term-mid": pick["mid"],
        "term-low": pick["low"],
        "and": f"{pick['mid']} {mid[0]}",
        "phrase": f'"{" ".join(phrase_words)}"',
        "or": f"{pick['low']} OR {mid[1]}",
        "all": "",
    }


def fts_query(text: str) -> str:
    """The same query in FTS5 syntax: implicit AND, quoted phrase, OR."""
    return text


def run(args: argparse.Namespace) -> None:
    corpus = args.corpus or Path(f"/tmp/bench-corpus-{args.n}")
    root = args.index or Path(f"/tmp/bench-index-{args.n}")
    db_path = root.with_name(root.name + ".fts5.sqlite")
    if not corpus.exists():
        from corpus import write_corpus

        print(f"generating {args.n} articles into {corpus}", file=sys.stderr)
        write_corpus(args.n, corpus, args.seed)
    if store.current_generation(root) is None:
        print(f"building our index at {root}", file=sys.stderr)
        started = time.monotonic()
        report = sync.rebuild(corpus, root, PipelineOptions(ner=args.ner))
        print(f"  ours: {len(report.added)} articles in {time.monotonic() - started:.0f} s", file=sys.stderr)
    if not db_path.exists():
        print(f"building the FTS5 peer at {db_path}", file=sys.stderr)
        print(f"  peer: copied in {build_fts(root, db_path):.0f} s", file=sys.stderr)

    service = SearchService(root, cache_size=0)  # every repetition computes its answer
    peer = Peer(db_path)
    everything = service.search(SearchRequest(per_page=1))
    outlet = everything.facets.outlet[min(2, len(everything.facets.outlet) - 1)].value
    actor = everything.facets.actor[min(19, len(everything.facets.actor) - 1)].value
    queries = choose_queries(root)
    print(f"queries: {queries}; outlet filter {outlet!r}; actor filter {actor!r}; dates {DATE_FROM}..{DATE_TO}", file=sys.stderr)

    rows = []
    for name, text in queries.items():
        for flt in FILTERS:
            request = SearchRequest(query=text, sort="relevance" if text else "newest", per_page=10,
                                    outlets=(outlet,) if flt == "outlet" else (), actors=(actor,) if flt == "actor" else (),
                                    date_from=DATE_FROM if flt == "date" else None, date_to=DATE_TO if flt == "date" else None)
            peer_args = (fts_query(text), outlet if flt == "outlet" else None, actor if flt == "actor" else None, flt == "date")
            ours_ms, peer_ms = [], []
            total = service.search(request).total  # warm
            peer_total = peer.search(*peer_args)["total"]
            for _ in range(args.reps):
                t = time.perf_counter()
                service.search(request)
                ours_ms.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                peer.search(*peer_args)
                peer_ms.append((time.perf_counter() - t) * 1000)
            rows.append((name, flt, total, peer_total, ours_ms, peer_ms))
            print(f"  {name}+{flt}: {total} hits, ours p50 {statistics.median(ours_ms):.1f} ms, peer p50 {statistics.median(peer_ms):.1f} ms",
                  file=sys.stderr)
    rows.extend(actor_page_rows(service, peer, everything, args.reps))
    print_report(rows, args)


def actor_page_rows(service: SearchService, peer: Peer, everything, reps: int) -> list[tuple]:
    """The actor page (/actors/<name>) for the most frequent actor, the 13th and the 50th
    (the actor facet lists 50).

    Ours: SearchService.actor_profile (count, month timeline, co-mentions, outlets,
    latest 10). The peer: the same actor-filtered browse with its GROUP BY facets.
    """
    actors = everything.facets.actor
    rows = []
    for position in sorted({0, len(actors) // 4, len(actors) - 1}):
        name = actors[position].value
        ours_ms, peer_ms = [], []
        total = service.actor_profile(name).count  # warm
        peer_total = peer.search("", None, name, False)["total"]
        for _ in range(reps):
            t = time.perf_counter()
            service.actor_profile(name)
            ours_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            peer.search("", None, name, False)
            peer_ms.append((time.perf_counter() - t) * 1000)
        rows.append((f"actor page (#{position + 1})", "none", total, peer_total, ours_ms, peer_ms))
        print(f"  actor page {name!r}: {total} articles, ours p50 {statistics.median(ours_ms):.1f} ms, "
              f"peer p50 {statistics.median(peer_ms):.1f} ms", file=sys.stderr)
    return rows


def print_report(rows, args) -> None:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), "?")
    print(f"\nN = {args.n} articles, {args.reps} warm repetitions; {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}\n")
    print("| query+filter | hits (ours / peer) | ours p50 | ours p95 | ours p99 | peer p50 | peer p95 | peer p99 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, flt, total, peer_total, ours, peer in rows:
        print(f"| {name}+{flt} | {total} / {peer_total} | {statistics.median(ours):.1f} | {percentile(ours, .95):.1f} | "
              f"{percentile(ours, .99):.1f} | {statistics.median(peer):.1f} | {percentile(peer, .95):.1f} | {percentile(peer, .99):.1f} |")
    print("\n| query class | ours/peer p50 (geometric mean over filters) | ours/peer p95 |")
    print("|---|---:|---:|")
    for name in dict.fromkeys(r[0] for r in rows):
        mine = [r for r in rows if r[0] == name]
        p50 = math.exp(statistics.mean(math.log(statistics.median(r[4]) / statistics.median(r[5])) for r in mine))
        p95 = math.exp(statistics.mean(math.log(percentile(r[4], .95) / percentile(r[5], .95)) for r in mine))
        print(f"| {name} | {p50:.2f} | {p95:.2f} |")
    every = [ms for r in rows for ms in r[4]]
    print(f"\nAll cases, ours: p50 {statistics.median(every):.1f} ms, p95 {percentile(every, .95):.1f} ms, p99 {percentile(every, .99):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--index", type=Path)
    parser.add_argument("--reps", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-ner", dest="ner", action="store_false",
                        help="build the index with knowledge-base actors only (an hour less at 100k)")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
