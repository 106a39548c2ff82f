"""The index writer alone: Whoosh's own writer against ours (indexer/writer.py), same articles, same run.

    python bench/writer.py --n 1000          # articles from /tmp/bench-corpus-10000 (generated if missing)

Articles go through the pipeline first (knowledge-base actors only: the writer
sees the same documents either way), then each writer adds them to a fresh index
and commits. Reports CPU seconds for the adds and the commit, the postings per
field (the spelling words are where the two differ), and the segment size. The
writers run in turn; the first warms Whoosh's stemming cache, so it runs once
unmeasured first.
"""

from __future__ import annotations

import argparse
import collections
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from whoosh import index as whoosh_index  # noqa: E402

from indexer.pipeline import PipelineOptions, process_file  # noqa: E402
from indexer.schema import article_to_document, build_schema  # noqa: E402
from indexer.sources import discover  # noqa: E402
from indexer.writer import open_writer  # noqa: E402

WRITERS = {"whoosh": lambda ix: ix.writer(limitmb=128), "ours": open_writer}


def write(documents: list[dict], make_writer) -> dict:
    folder = tempfile.mkdtemp(prefix="bench-writer-")
    ix = whoosh_index.create_in(folder, build_schema())
    writer = make_writer(ix)
    started = time.process_time()
    for document in documents:
        writer.add_document(**document)
    added = time.process_time()
    writer.commit()
    committed = time.process_time()
    postings: collections.Counter = collections.Counter()
    with ix.reader() as reader:
        for fieldname, *_ in reader.iter_postings():
            postings[fieldname] += 1
    size = sum(path.stat().st_size for path in Path(folder).iterdir())
    return {"add": added - started, "commit": committed - added, "postings": postings, "size": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/bench-corpus-10000"))
    args = parser.parse_args()
    if not args.corpus.exists():
        from corpus import write_corpus

        write_corpus(10_000, args.corpus, 1)
    options = PipelineOptions(ner=False)
    documents = [article_to_document(process_file(path, options)) for path in discover(args.corpus)[: args.n]]
    print(f"{len(documents)} articles from {args.corpus}; {platform.machine()}, Python {platform.python_version()}")
    write(documents[:50], WRITERS["whoosh"])  # warm-up
    results = {name: write(documents, make) for name, make in WRITERS.items()}
    print("| writer | add, CPU s | commit, CPU s | postings | of them spelling words | segment MB |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        spelling = sum(count for field, count in r["postings"].items() if field.startswith("spell_"))
        print(f"| {name} | {r['add']:.2f} | {r['commit']:.2f} | {sum(r['postings'].values()):,} | {spelling:,} | "
              f"{r['size'] / 1e6:.1f} |")
    ours, whoosh = results["ours"], results["whoosh"]
    print(f"ours/whoosh: add {ours['add'] / whoosh['add']:.2f}, commit {ours['commit'] / whoosh['commit']:.2f}")


if __name__ == "__main__":
    main()
