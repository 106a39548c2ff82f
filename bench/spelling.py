"""Fuzzy terms and spelling suggestions on an index of several segments: ours against Whoosh's reader.

    python bench/spelling.py --index /tmp/bench-index-100000-seg

For each misspelt word: the spelling words within two edits (`search.words_within`
against Whoosh's `MultiReader.terms_within`) and the top suggestions (our corrector
against Whoosh's), wall time of each, in the same run. The first of ours reads the
index's word list, once per set of segments; it is timed on its own.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer import store  # noqa: E402
from indexer.search import _SpellingWords, words_within  # noqa: E402

WORDS = ("modificatoin", "rosatmo", "buidling", "howitzr", "goverment")


def timed(make):
    started = time.perf_counter()
    value = make()
    return (time.perf_counter() - started) * 1000, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--field", default="body")
    args = parser.parse_args()
    reader = store.open_index(args.index).reader()
    words_field = reader.schema[args.field].spelling_fieldname(args.field)
    print(f"{len(reader.leaf_readers())} segments, {sum(1 for _ in reader.lexicon(words_field))} spelling words in {args.field}")
    first, _ = timed(lambda: list(words_within(reader, args.field, "x", 1)))
    print(f"reading the word list (first call): {first:.0f} ms\n")
    print("| word | within 2, ours | within 2, Whoosh's | suggestions, ours | suggestions, Whoosh's |")
    print("|---|---:|---:|---|---|")
    for word in WORDS:
        ours_ms, ours = timed(lambda: sorted(words_within(reader, args.field, word, 2)))
        whoosh_ms, whoosh = timed(lambda: sorted(reader.terms_within(words_field, word, 2)))
        ours_s_ms, ours_s = timed(lambda: _SpellingWords(reader, args.field).suggest(word, limit=3))
        whoosh_s_ms, whoosh_s = timed(lambda: reader.corrector(args.field).suggest(word, limit=3))
        print(f"| {word} | {ours_ms:.0f} ms ({len(ours)}) | {whoosh_ms:.0f} ms ({len(whoosh)}) "
              f"| {ours_s_ms:.0f} ms {', '.join(ours_s)} | {whoosh_s_ms:.0f} ms {', '.join(whoosh_s)} |")


if __name__ == "__main__":
    main()
