"""Actor extraction against the hand-annotated gold set in bench/gold/.

    .venv/bin/python bench/actors.py                 # both modes: knowledge base + model, knowledge base only
    .venv/bin/python bench/actors.py --show-errors   # also list every miss and false actor
    .venv/bin/python bench/actors.py --speed 300     # also documents/s on N articles built from ../shared/data

Each gold file holds an article as the pipeline hands it to extraction (title,
subtitle, author, paragraphs) and the actors a human indexer listed for it,
written before looking at the system's output. `optional` actors (a country
named only through a seat of government used as a place, a generic "Interior
Ministry") count neither as a miss nor as a false actor. A predicted actor
matches a gold one when their folded names are equal, the gold entry's `also`
names one, or the knowledge base resolves both to the same actor; the types
must agree. Precision and recall are micro-averaged over articles.
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.article import ACTOR_TYPES, Actor  # noqa: E402
from indexer.extract import ner  # noqa: E402
from indexer.extract.actors import extract_actors, fold, load_knowledge_base  # noqa: E402

GOLD = ROOT / "bench" / "gold"
SHARED = ROOT.parent / "shared" / "data"


def load_gold() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(GOLD.glob("*.json"))]


def predicted(doc: dict, use_model: bool) -> tuple[Actor, ...]:
    headlines = [t for t in (doc.get("title"), doc.get("subtitle")) if t]
    return extract_actors(doc["paragraphs"], load_knowledge_base(), [doc["author"]] if doc.get("author") else [],
                          headlines=headlines, ner=use_model)


def _keys(entry: dict, kb) -> set[str]:
    names = [entry["name"], *entry.get("also", [])]
    keys = {fold(n) for n in names}
    keys |= {fold(known.name) for n in names if (known := kb.lookup(n))}
    return keys


def score(doc: dict, actors: tuple[Actor, ...], kb) -> dict:
    """Counts for one article: per type, true positives, false positives, misses; and the errors."""
    gold = [(e["type"], _keys(e, kb), e["name"]) for e in doc["actors"]]
    optional = [(e["type"], _keys(e, kb)) for e in doc.get("optional", [])]
    counts: Counter = Counter()
    matched: set[int] = set()
    false, missed = [], []
    for actor in actors:
        key = {fold(actor.name)} | ({fold(k.name)} if (k := kb.lookup(actor.name)) else set())
        hit = next((i for i, (t, keys, _) in enumerate(gold) if t == actor.type and keys & key and i not in matched), None)
        if hit is not None:
            matched.add(hit)
            counts[(actor.type, "tp")] += 1
        elif any(t == actor.type and keys & key for t, keys in optional):
            counts[(actor.type, "optional")] += 1
        else:
            counts[(actor.type, "fp")] += 1
            false.append(f"{actor.name} ({actor.type})")
    for i, (actor_type, _, name) in enumerate(gold):
        if i not in matched:
            counts[(actor_type, "fn")] += 1
            missed.append(f"{name} ({actor_type})")
    return {"counts": counts, "false": false, "missed": missed}


def prf(counts: Counter, types) -> tuple[float, float, float, int]:
    tp = sum(counts[(t, "tp")] for t in types)
    fp = sum(counts[(t, "fp")] for t in types)
    fn = sum(counts[(t, "fn")] for t in types)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f, tp + fn


def report(docs: list[dict], use_model: bool, show_errors: bool) -> None:
    kb = load_knowledge_base()
    by_split: dict[str, Counter] = {}
    total: Counter = Counter()
    started = time.perf_counter()
    results = [(doc, predicted(doc, use_model)) for doc in docs]
    seconds = time.perf_counter() - started
    for doc, actors in results:
        scored = score(doc, actors, kb)
        total.update(scored["counts"])
        by_split.setdefault(doc["split"], Counter()).update(scored["counts"])
        if show_errors and (scored["false"] or scored["missed"]):
            print(f"  {doc['id']}: false {scored['false']}  missed {scored['missed']}")
    mode = "knowledge base + model" if use_model else "knowledge base only"
    print(f"\n### {mode}: {len(docs)} articles, {len(docs) / seconds:.1f} articles/s (model loaded beforehand)\n")
    print("| set | type | gold actors | precision | recall | F1 |")
    print("|---|---|---:|---:|---:|---:|")
    for name, counts in [("all", total), *sorted(by_split.items())]:
        for label, types in [(t, (t,)) for t in ACTOR_TYPES] + [("**all types**", ACTOR_TYPES)]:
            if name != "all" and label != "**all types**":
                continue
            p, r, f, n = prf(counts, types)
            print(f"| {name} | {label} | {n} | {p:.3f} | {r:.3f} | {f:.3f} |")


def speed(n: int, use_model: bool) -> float:
    """Articles per second on N real article bodies from ../shared/data (English and not), model loaded beforehand."""
    bodies = []
    with gzip.open(SHARED / "article_bench.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            body = json.loads(line)["body"]
            bodies.append([p.strip() for p in body.split("\n") if p.strip()])
    docs = [bodies[i % len(bodies)] for i in range(n)]
    kb = load_knowledge_base()
    started = time.perf_counter()
    for paragraphs in docs:
        extract_actors(paragraphs, kb, ner=use_model)
    return n / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show-errors", action="store_true")
    parser.add_argument("--speed", type=int, default=0, metavar="N", help="also measure articles/s on N articles")
    parser.add_argument("--no-model", action="store_true", help="only the knowledge-base mode")
    args = parser.parse_args()
    docs = load_gold()
    print(f"{len(docs)} gold articles ({dict(Counter(d['split'] for d in docs))}); "
          f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    modes = [False] if args.no_model else [True, False]
    if True in modes:
        ner.load_model()
    for use_model in modes:
        report(docs, use_model, args.show_errors)
        if args.speed:
            print(f"\nspeed on {args.speed} articles of ../shared/data: {speed(args.speed, use_model):.1f} articles/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
