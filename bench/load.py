"""Load test: mixed searches against a running web UI on this machine, bounded in time and requests.

    search-web --index /tmp/bench-index-10000 --port 5077 &
    python bench/load.py --url http://127.0.0.1:5077 --seconds 30 --requests 5000 --concurrency 8

It refuses any address that is not loopback. Each worker thread keeps one
HTTP/1.1 connection and sends GET requests drawn from a fixed mix (keyword
queries with and without filters, browsing, facet toggles, pages, the JSON API,
an article page). It reports throughput, latency percentiles and errors; the bar
is zero 5xx.
"""

from __future__ import annotations

import argparse
import http.client
import ipaddress
import json
import random
import socket
import statistics
import sys
import threading
import time
from urllib.parse import urlencode, urlsplit

WORDS = ("korea", "russia", "missile", "putin", "sanctions", "election", "drone", "summit", "ukraine", "energy",
         "china", "treaty", "howitzer", "tariff", "border", "nuclear", "army", "minister", "market", "court")


def loopback_only(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    addresses = {info[4][0] for info in socket.getaddrinfo(host, parts.port or 80)}
    if not addresses or not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses):
        sys.exit(f"{url}: the load test only targets this machine (127.0.0.0/8 or ::1)")
    return host, parts.port or 80


def memory(pid: int) -> str:
    """Resident memory of the server: of its process, and of each server process it forked (--processes)."""
    children = [int(c) for c in open(f"/proc/{pid}/task/{pid}/children", encoding="ascii").read().split()]
    lines = [f"pid {p}: {process_memory(p)}" for p in [pid, *children]]
    return lines[0] if not children else "\n  " + "\n  ".join(lines)


def process_memory(pid: int) -> str:
    """Resident memory of a process: all of it, its own (anonymous) and mapped files (the index)."""
    fields = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            name, _, value = line.partition(":")
            fields[name] = int(value.split()[0]) // 1024 if value.strip().endswith("kB") else value.strip()
    return (f"resident {fields['VmRSS']} MB (peak {fields['VmHWM']} MB): own {fields['RssAnon']} MB, "
            f"mapped files {fields['RssFile']} MB")


def request_mix(rng: random.Random, outlets: list[str], actors: list[str], ids: list[str]) -> str:
    roll = rng.random()
    q = " ".join(rng.sample(WORDS, rng.choice((1, 1, 2))))
    if roll < 0.35:
        return "/?" + urlencode({"q": q})
    if roll < 0.55:
        return "/api/search?" + urlencode({"q": q})
    if roll < 0.65 and outlets:
        return "/?" + urlencode({"q": q, "outlet": rng.choice(outlets)})
    if roll < 0.75 and actors:
        return "/?" + urlencode([("actor", rng.choice(actors)), ("from", "2019"), ("to", "2022")])
    if roll < 0.85:
        return "/?" + urlencode({"page": rng.randint(1, 5), "sort": rng.choice(("newest", "oldest"))})
    if roll < 0.93 and ids:
        return f"/articles/{rng.choice(ids)}"
    return "/?" + urlencode({"q": f'"{q}"', "sort": "newest"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000")
    parser.add_argument("--seconds", type=float, default=30.0, help="stop after this long")
    parser.add_argument("--requests", type=int, default=5000, help="stop after this many requests")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--server-pid", type=int,
                        help="report the memory of this server process (and of the processes it forked) before and after")
    args = parser.parse_args()
    if not (1 <= args.concurrency <= 64 and args.seconds <= 600 and args.requests <= 200_000):
        sys.exit("keep it bounded: concurrency 1-64, at most 600 s and 200,000 requests")
    host, port = loopback_only(args.url)

    if args.server_pid:
        print(f"server memory before: {memory(args.server_pid)}")
    probe = http.client.HTTPConnection(host, port, timeout=30)
    probe.request("GET", "/api/search?per_page=20")
    first = json.loads(probe.getresponse().read())
    outlets = [v["value"] for v in first["facets"]["outlet"][:10]]
    actors = [v["value"] for v in first["facets"]["actor"][:20]]
    ids = [h["id"] for h in first["hits"]]
    probe.close()

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors: list[str] = []
    lock = threading.Lock()
    budget = iter(range(args.requests))
    deadline = time.monotonic() + args.seconds

    def worker(n: int) -> None:
        rng = random.Random(args.seed * 1000 + n)
        connection = http.client.HTTPConnection(host, port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                if next(budget, None) is None:
                    break
            path = request_mix(rng, outlets, actors, ids)
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=30)
                with lock:
                    errors.append(f"{path}: {exc}")
                continue
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)
                statuses[status] = statuses.get(status, 0) + 1
        connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    ordered = sorted(latencies) or [0.0]
    pick = lambda p: ordered[min(len(ordered) - 1, int(p * (len(ordered) - 1)))]  # noqa: E731
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    print(f"{len(latencies)} requests in {elapsed:.1f} s = {len(latencies) / elapsed:.1f} requests/s, concurrency {args.concurrency}")
    print(f"latency ms: p50 {pick(.5):.1f}, p95 {pick(.95):.1f}, p99 {pick(.99):.1f}, max {ordered[-1]:.1f}, mean {statistics.mean(ordered):.1f}")
    print(f"status codes: {dict(sorted(statuses.items()))}; 5xx: {server_errors}; connection errors: {len(errors)}")
    for line in errors[:5]:
        print(f"  {line}")
    if args.server_pid:
        print(f"server memory after: {memory(args.server_pid)}")
    sys.exit(1 if server_errors or errors else 0)


if __name__ == "__main__":
    main()
