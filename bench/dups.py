"""Syndicated copies: precision and recall of the copy groups, and what they cost per article.

    python bench/dups.py                                  # thresholds 0.3 .. 0.8, 5,000 background articles
    python bench/dups.py --thresholds 0.5 --background 20000
    python bench/dups.py --scale 100000                   # what an update pays beside a cache of 100k articles

The labelled set is made from real article bodies (`../shared/data/article_bench`,
the ground-truth bodies of 181 news and blog pages). Each of `--stories` of them
gets reprints edited the ways outlets edit a wire story:

* headline: a new title, the body as it was;
* cut: one paragraph dropped (a sentence, for a body of one or two paragraphs);
* boilerplate: a byline line on top, two promo/copyright lines at the end;
* words: about 3 % of the words changed (tense, numbers, spelling);
* mixed: a paragraph dropped, boilerplate added and 2 % of the words changed;
* truncated: only the first 60 % of the paragraphs (a reprint cut to fit): the hard case.

The other pages are distractors with no copies, half of them with the same
boilerplate lines as the reprints (shared boilerplate must not make two stories
one), and `--background` articles of sentences drawn at random from all the
bodies stand for the rest of an archive. Everything is placed in a random order
through `copies.CopyGrouper` with its SQLite store, exactly as `search-index
build` does. Pairwise precision and recall: a pair of articles is a true pair
when both are versions of one story, a predicted pair when they share a group.
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import random
import re
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer import copies  # noqa: E402
from indexer.article import Article  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "article_bench.jsonl.gz"
EDITS = ("headline", "cut", "boilerplate", "words", "mixed", "truncated")
BOILERPLATE = [
    "This article was first published by our partner agency and is republished under a syndication agreement.",
    "Sign up for our morning newsletter to get the day's top stories in your inbox.",
    "Copyright 2024 The Associated Press. All rights reserved. This material may not be published, broadcast, rewritten or redistributed.",
    "Follow us on Facebook, X and Instagram for the latest news and analysis.",
    "Reporting by our correspondents; editing by the news desk.",
]
SWAPS = {"said": "says", "says": "said", "the": "a", "will": "would", "would": "will", "and": "&", "percent": "%",
         "million": "mln", "government": "govt", "president": "President", "on": "upon"}


def load_bodies(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        bodies = [json.loads(line).get("body") or "" for line in handle]
    return [b for b in bodies if len(b.split()) >= 40]


def paragraphs_of(body: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n+", body) if p.strip()]


def edit_words(paragraphs: list[str], rate: float, rng: random.Random) -> list[str]:
    out = []
    for p in paragraphs:
        words = p.split(" ")
        for i, w in enumerate(words):
            if rng.random() < rate:
                words[i] = SWAPS.get(w.lower(), str(rng.randrange(10, 99)) if w.isdigit() else w.upper())
        out.append(" ".join(words))
    return out


def drop_one(paragraphs: list[str], rng: random.Random) -> list[str]:
    if len(paragraphs) >= 3:
        i = rng.randrange(1, len(paragraphs))
        return paragraphs[:i] + paragraphs[i + 1:]
    sentences = re.split(r"(?<=[.!?])\s+", " ".join(paragraphs))
    if len(sentences) > 1:
        sentences.pop(rng.randrange(len(sentences)))
    return [" ".join(sentences)]


def with_boilerplate(paragraphs: list[str], rng: random.Random) -> list[str]:
    return [f"By {rng.choice(['Staff reporter', 'AP', 'Reuters', 'AFP'])} | Updated {rng.randrange(1, 12)} hours ago",
            *paragraphs, *rng.sample(BOILERPLATE, 2)]


def reprint(paragraphs: list[str], edit: str, rng: random.Random) -> list[str]:
    if edit == "headline":
        return list(paragraphs)
    if edit == "cut":
        return drop_one(paragraphs, rng)
    if edit == "boilerplate":
        return with_boilerplate(paragraphs, rng)
    if edit == "words":
        return edit_words(paragraphs, 0.03, rng)
    if edit == "mixed":
        return edit_words(with_boilerplate(drop_one(paragraphs, rng), rng), 0.02, rng)
    if edit == "truncated":
        return paragraphs[:max(1, round(len(paragraphs) * 0.6))]
    raise ValueError(edit)


def article(article_id: str, paragraphs: list[str]) -> Article:
    return Article(id=article_id, source_path=article_id, url=None, title=article_id, subtitle=None, author=None,
                   outlet="bench", published=None, actors=(), paragraphs=tuple(paragraphs), content_hash=article_id)


def labelled_set(bodies: list[str], stories: int, background: int, rng: random.Random) -> tuple[list[Article], dict[str, str], dict[str, str]]:
    """(articles, id -> true story, id -> edit) for originals, reprints, distractors and background."""
    order = list(range(len(bodies)))
    rng.shuffle(order)
    items: list[Article] = []
    story_of: dict[str, str] = {}
    edit_of: dict[str, str] = {}
    for n, i in enumerate(order):
        paragraphs = paragraphs_of(bodies[i])
        if n < stories:
            items.append(article(f"s{i}-original", paragraphs))
            story_of[f"s{i}-original"], edit_of[f"s{i}-original"] = f"s{i}", "original"
            for edit in EDITS:
                article_id = f"s{i}-{edit}"
                items.append(article(article_id, reprint(paragraphs, edit, rng)))
                story_of[article_id], edit_of[article_id] = f"s{i}", edit
        else:
            article_id = f"d{i}"
            items.append(article(article_id, with_boilerplate(paragraphs, rng) if n % 2 else paragraphs))
            story_of[article_id], edit_of[article_id] = article_id, "distractor"
    sentences = [s for b in bodies for s in re.split(r"(?<=[.!?])\s+", b.replace("\n", " ")) if len(s.split()) >= 6]
    for k in range(background):
        chosen = rng.sample(sentences, rng.randrange(8, 30))
        article_id = f"b{k}"
        items.append(article(article_id, [" ".join(chosen[j:j + 4]) for j in range(0, len(chosen), 4)]))
        story_of[article_id], edit_of[article_id] = article_id, "background"
    rng.shuffle(items)
    return items, story_of, edit_of


def pairs(groups: dict[str, set[str]]) -> set[tuple[str, str]]:
    return {tuple(sorted(p)) for members in groups.values() for p in combinations(members, 2)}


def run(items: list[Article], story_of: dict[str, str], edit_of: dict[str, str], threshold: float, num_perm: int) -> dict:
    settings = copies.CopySettings(threshold=threshold, num_perm=num_perm)
    with tempfile.TemporaryDirectory() as tmp:
        copies.signature(items[0].body, settings)  # imports and first-call set-up are not per-article costs
        started = time.perf_counter()
        for item in items:
            copies.signature(item.body, settings)
        sign_seconds = time.perf_counter() - started
        store = copies.SignatureStore(Path(tmp) / copies.CACHE_FILE, settings)
        grouper = copies.CopyGrouper(store)
        started = time.perf_counter()
        for item in items:
            grouper.place(item)
        store.commit()
        place_seconds = time.perf_counter() - started
        store.close()
    truth: dict[str, set[str]] = {}
    for item in items:
        truth.setdefault(story_of[item.id], set()).add(item.id)
    true_pairs, found_pairs = pairs(truth), pairs(grouper.groups())
    hit = len(true_pairs & found_pairs)
    per_edit = Counter()
    for article_id, edit in edit_of.items():
        if edit in EDITS and grouper.group_of[article_id] == grouper.group_of[f"{story_of[article_id]}-original"]:
            per_edit[edit] += 1
    stories = sum(1 for e in edit_of.values() if e == "original")
    wrong = sum(1 for a, b in found_pairs - true_pairs)
    return {
        "threshold": threshold, "bands": copies.bands(threshold, num_perm),
        "precision": hit / len(found_pairs) if found_pairs else 1.0,
        "recall": hit / len(true_pairs) if true_pairs else 1.0,
        "false_pairs": wrong, "true_pairs": len(true_pairs),
        "per_edit": {e: per_edit[e] / stories for e in EDITS},
        "sign_ms": 1000 * sign_seconds / len(items),
        "place_ms": 1000 * place_seconds / len(items),
    }


def scale(n: int) -> None:
    """An update's copy work beside an archive of n articles: opening the cache and the grouper, placing one article.

    The cache is filled with n random signatures (their band keys as for real ones);
    what is timed does not depend on what the signatures say.
    """
    import numpy as np

    settings = copies.CopySettings()
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / copies.CACHE_FILE
        store = copies.SignatureStore(path, settings)
        started = time.perf_counter()
        ids = [f"{i:016x}" for i in range(n)]
        for article_id in ids:
            store.put(article_id, rng.integers(0, 2**32, settings.num_perm, dtype=np.uint64).astype(np.uint32))
        store.close()
        fill = time.perf_counter() - started
        size = path.stat().st_size
        started = time.perf_counter()
        store = copies.SignatureStore(path, settings)
        grouper = copies.CopyGrouper(store, {i: i for i in ids}, bodies=lambda missing: {})
        opened = time.perf_counter() - started
        new = article("new", [" ".join(f"w{k}" for k in range(600))])
        started = time.perf_counter()
        grouper.place(new)
        store.commit()
        placed = time.perf_counter() - started
        store.close()
    print(f"cache of {n} articles: written in {fill:.1f} s, {size / 1e6:.0f} MB ({size / n / 1000:.2f} kB an article); "
          f"an update opens it and its grouper in {opened:.2f} s and places a new article in {placed * 1000:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--stories", type=int, default=100, help="real articles that get reprints (the rest are distractors)")
    parser.add_argument("--background", type=int, default=5000, help="articles of random sentences, standing for the rest of an archive")
    parser.add_argument("--thresholds", default="0.3,0.4,0.5,0.6,0.7,0.8")
    parser.add_argument("--num-perm", type=int, default=copies.DEFAULT_NUM_PERM)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scale", type=int, default=0, help="instead: time an update's copy work beside a cache of N articles")
    args = parser.parse_args()
    if args.scale:
        scale(args.scale)
        return

    rng = random.Random(args.seed)
    bodies = load_bodies(args.data)
    items, story_of, edit_of = labelled_set(bodies, args.stories, args.background, rng)
    kinds = Counter(edit_of.values())
    print(f"{len(items)} articles: {kinds['original']} stories x (original + {len(EDITS)} reprints), "
          f"{kinds['distractor']} distractors, {kinds['background']} background; num_perm {args.num_perm}, "
          f"shingles of {copies.DEFAULT_SHINGLE_WORDS} words")
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}\n")
    print("| threshold | bands x rows | pairwise precision | pairwise recall | false pairs | "
          + " | ".join(f"{e} found" for e in EDITS) + " | signature ms/article | signature + lookup + store ms/article |")
    print("|---:|---:|---:|---:|---:|" + "---:|" * len(EDITS) + "---:|---:|")
    for threshold in (float(t) for t in args.thresholds.split(",")):
        r = run(items, story_of, edit_of, threshold, args.num_perm)
        b, rows = r["bands"]
        print(f"| {threshold:.2f} | {b} x {rows} | {r['precision']:.3f} | {r['recall']:.3f} | {r['false_pairs']} | "
              + " | ".join(f"{r['per_edit'][e]:.2f}" for e in EDITS)
              + f" | {r['sign_ms']:.2f} | {r['place_ms']:.2f} |", flush=True)


if __name__ == "__main__":
    main()
