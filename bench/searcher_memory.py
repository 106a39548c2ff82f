"""What one Whoosh searcher costs at open: time, resident memory, and the largest allocations.

    python bench/searcher_memory.py --index /tmp/bench-index-100000

Prints the process's resident memory (own and mapped files) before and after
opening the index and a searcher, then the three largest allocation sites
(tracemalloc), so a copy of an index file into memory shows up by name.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.store import current_generation, open_index  # noqa: E402


def memory() -> str:
    fields = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "RssAnon", "RssFile"):
                fields[name] = int(value.split()[0]) // 1024
    return f"resident {fields['VmRSS']} MB: own {fields['RssAnon']} MB, mapped files {fields['RssFile']} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    args = parser.parse_args()
    generation = current_generation(args.index)
    if generation is None:
        sys.exit(f"--index {args.index}: no index there")
    print(f"before: {memory()}")
    tracemalloc.start(12)
    index = open_index(args.index, generation)
    started = time.perf_counter()
    searcher = index.searcher()
    print(f"searcher opened in {time.perf_counter() - started:.2f} s; after: {memory()}")
    for stat in tracemalloc.take_snapshot().statistics("traceback")[:3]:
        frame = stat.traceback[-1]
        print(f"  {stat.size / 1e6:8.1f} MB allocated at {frame.filename}:{frame.lineno}")
    searcher.close()


if __name__ == "__main__":
    main()
