"""Ingest speed: articles per second end to end, and per pipeline stage.

    python bench/ingest.py --n 10000            # generates /tmp/bench-corpus-10000 if missing
    python bench/ingest.py --n 100000 --sample 2000
    python bench/ingest.py --n 10000 --no-ner   # knowledge-base actors only (the bulk-load mode)

End to end is `search-index build` as a user runs it (sync.rebuild: read, clean,
extract, index; worker processes for the pipeline), into a fresh index folder.
Per stage is measured serially on a sample of the corpus, so the stages can be
compared: read+decode, clean, extract (outlet, date, author, actors), index write.
Peak memory is the largest resident set of this process and of its workers.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer import store, sync  # noqa: E402
from indexer.clean import clean  # noqa: E402
from indexer.pipeline import PipelineOptions, article_from_raw  # noqa: E402
from indexer.sources import discover, read_document  # noqa: E402
from indexer.writer import open_writer  # noqa: E402


def stages(paths: list[Path], options: PipelineOptions) -> dict[str, float]:
    """Seconds per stage for the sample, serially."""
    from whoosh import index as whoosh_index

    from indexer.schema import article_to_document, build_schema

    timings = {"read": 0.0, "clean": 0.0, "extract": 0.0, "index": 0.0}
    articles = []
    for path in paths:
        t0 = time.perf_counter()
        try:
            raw = read_document(path)
        except Exception:
            continue
        t1 = time.perf_counter()
        clean(raw.kind, raw.text)
        t2 = time.perf_counter()
        try:
            articles.append(article_from_raw(raw, options))  # cleans again, then extracts
        except Exception:
            pass
        t3 = time.perf_counter()
        timings["read"] += t1 - t0
        timings["clean"] += t2 - t1
        timings["extract"] += max(0.0, (t3 - t2) - (t2 - t1))
    folder = tempfile.mkdtemp(prefix="bench-stage-")
    try:
        ix = whoosh_index.create_in(folder, build_schema())
        writer = open_writer(ix)
        t0 = time.perf_counter()
        for article in articles:
            writer.add_document(**article_to_document(article))
        writer.commit()
        timings["index"] = time.perf_counter() - t0
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return timings


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--sample", type=int, default=1000, help="articles timed stage by stage")
    parser.add_argument("--workers", type=int, default=None, help="pipeline worker processes (default: one per core)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-ner", dest="ner", action="store_false",
                        help="knowledge-base actors only, without the statistical model")
    args = parser.parse_args()
    options = PipelineOptions(ner=args.ner)
    corpus = args.corpus or Path(f"/tmp/bench-corpus-{args.n}")
    if not corpus.exists():
        from corpus import write_corpus

        print(f"generating {args.n} articles into {corpus}", file=sys.stderr)
        write_corpus(args.n, corpus, args.seed)
    paths = discover(corpus)

    sample = paths[: args.sample]
    timings = stages(sample, options)
    root = Path(tempfile.mkdtemp(prefix="bench-ingest-")) / "index"
    started = time.monotonic()
    report = sync.rebuild(corpus, root, options, workers=args.workers)
    seconds = time.monotonic() - started
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "?")
    print(f"N = {len(paths)} files ({corpus}); {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}")
    print(f"\nEnd to end (sync.rebuild, workers={args.workers or 'default'}, actor model {'on' if args.ner else 'off'}): {len(report.added)} articles in {seconds:.0f} s"
          f" = {len(report.added) / seconds:.1f} articles/s; {len(report.skipped)} skipped, {len(report.duplicates)} duplicates")
    print(f"Peak resident memory: {peak_self:.0f} MB (indexing process), {peak_children:.0f} MB (largest worker)")
    segments = [segment.doc_count_all() for segment in store.open_index(root)._segments()]
    print(f"Index size: {size_of(root) / 1e6:.0f} MB ({size_of(root) / max(1, len(report.added)) / 1e3:.1f} kB per article)"
          f" in {len(segments)} segments of {', '.join(map(str, segments))} articles")
    print(f"\nPer stage, serially on {len(sample)} articles:\n")
    print("| stage | seconds | articles/s |")
    print("|---|---:|---:|")
    for stage, secs in timings.items():
        print(f"| {stage} | {secs:.1f} | {len(sample) / secs if secs else float('inf'):.0f} |")
    total = sum(timings.values())
    print(f"| all, one process | {total:.1f} | {len(sample) / total:.0f} |")
    shutil.rmtree(root.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
