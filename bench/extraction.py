"""Extraction quality on real pages nobody on the team wrote (../shared/data/).

    python bench/extraction.py                       # every set, our pipeline and the peers
    python bench/extraction.py --sets fullpage_text --worst 10
    python bench/extraction.py --with-url            # also score dates and outlets given the record's URL

For each set it runs our pipeline (indexer.pipeline.article_from_raw, the same code
`search-index build` runs) and, in the same run, the library peers: trafilatura
alone for bodies, titles and authors, htmldate alone for dates. It prints, per set
and overall, body token-F1 (precision, recall, F1; mean and median, exactly as
defined in ../shared/data/README.md), must-contain / must-not-contain pass rates,
title, author, date and outlet accuracy where the set has the ground truth, and
pages per second.

No record's URL reaches the pipeline unless --with-url is given (then it is passed
as a sidecar `url`, as `search-index add URL` would record it). A page's own
canonical / og:url link is part of the page and is used either way.

Actors are not part of this benchmark: actor extraction is replaced by a no-op
(--with-actors keeps it), so pages per second measure cleaning and metadata.

Outlet is scored against the record's `domain` (see bench/README.md): a registry
outlet is right when one of its domains is the record's domain (or a parent or
child of it); a bare domain when it is the record's domain; a name the registry
does not know when its letters contain the domain's name ("heise online" for
heise.de). "unknown" is counted apart: not a guess, not right.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import json
import logging
import os
import platform
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.clean.lines import fold_key  # noqa: E402
from indexer.errors import SourceError  # noqa: E402
from indexer.extract.outlets import UNKNOWN, Registry, load_registry  # noqa: E402
from indexer.pipeline import PipelineOptions, article_from_raw  # noqa: E402
from indexer.sources import RawDocument  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SETS = ("article_bench", "fullpage_text", "trafilatura_eval", "htmldate_eval")
TOKEN_RE = re.compile(r"\w+")
WS_RE = re.compile(r"\s+")

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)


# -- scoring, exactly as ../shared/data/README.md defines it ------------------------------


def tokens(text: str | None) -> list[str]:
    return TOKEN_RE.findall((text or "").lower())


def token_prf(pred: str | None, gold: str | None) -> tuple[float, float, float]:
    p_toks, g_toks = tokens(pred), tokens(gold)
    if not p_toks and not g_toks:
        return 1.0, 1.0, 1.0
    if not p_toks or not g_toks:
        return 0.0, 0.0, 0.0
    common = sum((Counter(p_toks) & Counter(g_toks)).values())
    if common == 0:
        return 0.0, 0.0, 0.0
    p, r = common / len(p_toks), common / len(g_toks)
    return p, r, 2 * p * r / (p + r)


def norm_ws(text: str | None) -> str:
    return WS_RE.sub(" ", text or "").strip()


def contains(text: str, needle: str) -> bool:
    return norm_ws(needle) in norm_ws(text)


def same_text(pred: str | None, gold: str | None) -> bool:
    """Title equality: whitespace folded, case folded."""
    return bool(pred) and norm_ws(pred).casefold() == norm_ws(gold).casefold()


def same_authors(pred: str | None, gold: str | list[str]) -> bool:
    """Author equality, casefolded, as a list of names: "A; B", "A, B", "A and B" and ["A", "B"] are equal."""
    if isinstance(gold, list):
        gold = "; ".join(gold)
    return bool(pred) and _author_names(pred) == _author_names(gold)


def _author_names(text: str) -> tuple[str, ...]:
    parts = re.split(r"\s*[;,&|]\s*|\s+and\s+|\s+und\s+", norm_ws(text).casefold())
    return tuple(part for part in parts if part)


def outlet_verdict(outlet: str | None, domain: str, registry: Registry) -> str:
    """'right', 'wrong' or 'unknown' for an outlet name against a record's registered domain."""
    if not outlet or outlet == UNKNOWN:
        return "unknown"
    entry = registry.by_name(outlet)
    if entry is not None:
        return "right" if any(_related_domains(d, domain) for d in entry.domains) else "wrong"
    if re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", outlet):
        return "right" if _related_domains(outlet, domain) else "wrong"
    label = fold_key(domain.split(".")[0]).replace(" ", "")
    squashed = fold_key(outlet).replace(" ", "")
    return "right" if label and (label in squashed or squashed in label) else "wrong"


def _related_domains(a: str, b: str) -> bool:
    return a == b or a.endswith("." + b) or b.endswith("." + a)


# -- running the pipeline and the peers ---------------------------------------------------


@dataclass
class Page:
    """What one system made of one record."""

    body: str = ""
    title: str | None = None
    author: str | None = None
    date: str | None = None  # YYYY-MM-DD, or a coarser label
    date_source: str | None = None
    outlet: str | None = None
    seconds: float = 0.0
    error: str | None = None


@dataclass
class SetResult:
    name: str
    records: list[dict]
    systems: dict[str, list[Page]] = field(default_factory=dict)
    fields: dict[str, set[str]] = field(default_factory=dict)  # system -> what it extracts


def read_set(folder: Path, name: str, limit: int | None) -> list[dict]:
    records = []
    with gzip.open(folder / f"{name}.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            if line.strip():
                records.append(json.loads(line))
            if limit and len(records) >= limit:
                break
    return records


def raw_document(record: dict, kind: str, with_url: bool) -> RawDocument:
    text = record["text"] if kind == "text" else record["html"]
    suffix = ".txt" if kind == "text" else ".html"
    sidecar = {"url": record["url"]} if with_url and record.get("url") else {}
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return RawDocument(path=Path(record["id"] + suffix), kind=kind, text=text, sidecar=sidecar, content_hash=digest)


def run_ours(record: dict, kind: str, with_url: bool, options: PipelineOptions) -> Page:
    raw = raw_document(record, kind, with_url)
    started = time.perf_counter()
    try:
        article = article_from_raw(raw, options)
    except SourceError as exc:
        return Page(seconds=time.perf_counter() - started, error=exc.reason)
    seconds = time.perf_counter() - started
    published = article.published
    return Page(body=article.body, title=article.title, author=article.author, outlet=article.outlet,
                date=published.label if published else None, date_source=published.source if published else None,
                seconds=seconds)


def run_trafilatura(record: dict, kind: str) -> Page:
    """trafilatura alone, with the settings our HTML cleaner gives it; a text dump as one <p> per line."""
    import trafilatura

    html = record["html"] if kind == "html" else _lines_as_html(record["text"])
    started = time.perf_counter()
    doc = trafilatura.bare_extraction(html, favor_precision=True, include_comments=False, include_tables=False,
                                      with_metadata=True)
    seconds = time.perf_counter() - started
    if not doc:
        return Page(seconds=seconds, error="nothing extracted")
    doc = doc.as_dict()
    return Page(body=doc.get("text") or "", title=doc.get("title"), author=doc.get("author"), date=doc.get("date"),
                outlet=doc.get("sitename"), seconds=seconds)


def run_htmldate(record: dict, extensive: bool) -> Page:
    from htmldate import find_date

    started = time.perf_counter()
    try:
        found = find_date(record["html"], original_date=True, extensive_search=extensive)
    except Exception as exc:  # a peer's crash is a miss for the peer, not the end of the benchmark
        return Page(seconds=time.perf_counter() - started, error=repr(exc))
    return Page(date=found, seconds=time.perf_counter() - started)


def _lines_as_html(text: str) -> str:
    from html import escape

    return "<html><body>" + "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip()) + "</body></html>"


# -- which systems run on which set -------------------------------------------------------


ALL_FIELDS = {"body", "title", "author", "date", "outlet"}


def systems_for(name: str, args) -> dict[str, tuple[Callable[[dict], Page], set[str]]]:
    """The systems run on a set, each with the fields it extracts."""
    now = dt.datetime.now()
    options = PipelineOptions(now=now)
    kind = "text" if name == "fullpage_text" else "html"
    systems = {"ours": (lambda r: run_ours(r, kind, False, options), ALL_FIELDS)}
    if args.with_url:
        systems["ours+url"] = (lambda r: run_ours(r, kind, True, options), ALL_FIELDS)
    if args.peers and name != "htmldate_eval":
        systems["trafilatura"] = (lambda r: run_trafilatura(r, kind), ALL_FIELDS - ({"outlet"} if kind == "text" else set()))
    if args.peers and name in ("trafilatura_eval", "htmldate_eval"):
        systems["htmldate"] = (lambda r: run_htmldate(r, extensive=True), {"date"})
        systems["htmldate-fast"] = (lambda r: run_htmldate(r, extensive=False), {"date"})
    return systems


def run_set(folder: Path, name: str, args) -> SetResult:
    result = SetResult(name, read_set(folder, name, args.limit))
    for system, (run, fields) in systems_for(name, args).items():
        result.fields[system] = fields
        if result.records:
            run(result.records[0])  # warm-up: first-use costs (imports, caches) are not per page
        pages = []
        for i, record in enumerate(result.records):
            pages.append(run(record))
            if args.progress:
                print(f"\r{name} {system} {i + 1}/{len(result.records)}", end="", file=sys.stderr)
        if args.progress:
            print(file=sys.stderr)
        result.systems[system] = pages
    return result


# -- summaries ---------------------------------------------------------------------------


def mean_median(values: list[float]) -> str:
    if not values:
        return "–"
    return f"{statistics.fmean(values):.3f} / {statistics.median(values):.3f}"


def rate(hits: int, total: int) -> str:
    return f"{hits / total:.3f} ({hits}/{total})" if total else "–"


def body_scores(records: list[dict], pages: list[Page]) -> list[tuple[float, float, float]]:
    return [token_prf(page.body, record["body"]) for record, page in zip(records, pages) if "body" in record]


def needle_rates(records: list[dict], pages: list[Page], key: str, wanted: bool) -> tuple[int, int, int, int]:
    """(needles passed, needles, pages where all passed, pages with needles)."""
    passed = total = pages_ok = pages_with = 0
    for record, page in zip(records, pages):
        needles = record.get(key) or []
        if not needles:
            continue
        results = [contains(page.body, n) == wanted for n in needles]
        passed, total = passed + sum(results), total + len(results)
        pages_with += 1
        pages_ok += all(results)
    return passed, total, pages_ok, pages_with


def field_rows(records: list[dict], pages: list[Page], registry: Registry, fields: set[str]) -> dict[str, str]:
    rows = {}
    titled = [(r, p) for r, p in zip(records, pages) if r.get("title")] if "title" in fields else []
    if titled:
        exact = sum(same_text(p.title, r["title"]) for r, p in titled)
        inside = sum(bool(p.title) and norm_ws(r["title"]).casefold() in norm_ws(p.title).casefold() for r, p in titled)
        rows["title exact"] = rate(exact, len(titled))
        rows["title contains gold"] = rate(inside, len(titled))
    authored = [(r, p) for r, p in zip(records, pages) if r.get("author")] if "author" in fields else []
    if authored:
        rows["author (casefold equal)"] = rate(sum(same_authors(p.author, r["author"]) for r, p in authored), len(authored))
    dated = [(r, p) for r, p in zip(records, pages) if r.get("date")] if "date" in fields else []
    if dated:
        right = sum(p.date == r["date"] for r, p in dated)
        answered = sum(p.date is not None for r, p in dated)
        rows["date (day equal)"] = rate(right, len(dated))
        rows["date precision when answered"] = rate(right, answered)
    with_domain = [(r, p) for r, p in zip(records, pages) if r.get("domain")] if "outlet" in fields else []
    if with_domain:
        verdicts = Counter(outlet_verdict(p.outlet, r["domain"], registry) for r, p in with_domain)
        answered = verdicts["right"] + verdicts["wrong"]
        rows["outlet vs domain"] = rate(verdicts["right"], len(with_domain))
        rows["outlet right when answered"] = rate(verdicts["right"], answered)
        rows["outlet unknown"] = rate(verdicts["unknown"], len(with_domain))
    return rows


def summary(result: SetResult, registry: Registry) -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    for system, pages in result.systems.items():
        rows: dict[str, str] = {}
        fields = result.fields[system]
        scores = body_scores(result.records, pages) if "body" in fields else []
        if scores:
            rows["body precision mean/median"] = mean_median([s[0] for s in scores])
            rows["body recall mean/median"] = mean_median([s[1] for s in scores])
            rows["body F1 mean/median"] = mean_median([s[2] for s in scores])
        for key, wanted, label in (("must_contain", True, "must_contain"), ("must_not_contain", False, "must_not_contain")):
            passed, total, ok, with_needles = needle_rates(result.records, pages, key, wanted)
            if total and "body" in fields:
                rows[f"{label} needles"] = rate(passed, total)
                rows[f"{label} pages all pass"] = rate(ok, with_needles)
        rows.update(field_rows(result.records, pages, registry, fields))
        seconds = sum(p.seconds for p in pages)
        rows["pages/s"] = f"{len(pages) / seconds:.1f}" if seconds else "–"
        table[system] = rows
    return table


def print_table(title: str, table: dict[str, dict[str, str]]) -> None:
    systems = list(table)
    measures = list(dict.fromkeys(m for rows in table.values() for m in rows))
    print(f"\n### {title}\n")
    print("| measure | " + " | ".join(systems) + " |")
    print("|---|" + "---:|" * len(systems))
    for measure in measures:
        print(f"| {measure} | " + " | ".join(table[s].get(measure, "–") for s in systems) + " |")


def print_ratios(result: SetResult) -> None:
    """Ours against each peer: body F1 and date accuracy ratios, and speed."""
    ours = result.systems["ours"]
    for peer, pages in result.systems.items():
        if peer.startswith("ours"):
            continue
        parts = []
        ours_f1 = [s[2] for s in body_scores(result.records, ours)]
        peer_f1 = [s[2] for s in body_scores(result.records, pages)] if "body" in result.fields[peer] else []
        if ours_f1 and peer_f1 and statistics.fmean(peer_f1):
            parts.append(f"body F1 {statistics.fmean(ours_f1) / statistics.fmean(peer_f1):.3f}x")
        dated = [i for i, r in enumerate(result.records) if r.get("date")]
        peer_right = sum(pages[i].date == result.records[i]["date"] for i in dated)
        if dated and peer_right:
            parts.append(f"date accuracy {sum(ours[i].date == result.records[i]['date'] for i in dated) / peer_right:.3f}x")
        ours_s, peer_s = sum(p.seconds for p in ours), sum(p.seconds for p in pages)
        if ours_s and peer_s:
            parts.append(f"speed {peer_s / ours_s:.2f}x (ours {len(ours) / ours_s:.1f} pages/s, {peer} {len(pages) / peer_s:.1f})")
        print(f"ours / {peer}: " + ", ".join(parts))


def print_overall(results: list[SetResult]) -> None:
    """Body F1 over every page with a gold body, per path, and dates over every dated page."""
    print("\n### overall\n")
    print("| path | pages run | body F1 mean | body F1 median | date (day equal) | pages/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for path, names in (("HTML", ("article_bench", "trafilatura_eval", "htmldate_eval")), ("text", ("fullpage_text",))):
        chosen = [r for r in results if r.name in names]
        if not chosen:
            continue
        f1 = [s[2] for r in chosen for s in body_scores(r.records, r.systems["ours"])]
        dated = [(rec, page) for r in chosen for rec, page in zip(r.records, r.systems["ours"]) if rec.get("date")]
        pages = [p for r in chosen for p in r.systems["ours"]]
        seconds = sum(p.seconds for p in pages)
        date = rate(sum(p.date == rec["date"] for rec, p in dated), len(dated)) if dated else "–"
        print(f"| {path} | {len(pages)} | {statistics.fmean(f1):.3f} | {statistics.median(f1):.3f} | {date} | "
              f"{len(pages) / seconds:.1f} |" if f1 else f"| {path} | {len(pages)} | – | – | {date} | {len(pages) / seconds:.1f} |")


def print_worst(result: SetResult, n: int) -> None:
    scored = [(token_prf(p.body, r["body"]), r["id"], r.get("domain")) for r, p in zip(result.records, result.systems["ours"])
              if "body" in r]
    print(f"\nworst {n} pages of {result.name} by body F1 (P, R, F1, id, domain):")
    for (p, r, f1), rid, domain in sorted(scored, key=lambda x: x[0][2])[:n]:
        print(f"  {p:.3f} {r:.3f} {f1:.3f}  {rid[:16]}  {domain}")


def print_date_misses(result: SetResult, n: int) -> None:
    misses = [(r["id"], r.get("domain"), r["date"], p.date, p.date_source)
              for r, p in zip(result.records, result.systems["ours"]) if r.get("date") and p.date != r["date"]]
    print(f"\n{len(misses)} date misses in {result.name} (id, domain, gold, ours, source); first {n}:")
    for miss in misses[:n]:
        print("  " + "  ".join(str(x) for x in miss))


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "?") if Path("/proc/cpuinfo").exists() else platform.processor()
    from importlib.metadata import version

    libs = ", ".join(f"{p} {version(p)}" for p in ("trafilatura", "htmldate", "beautifulsoup4", "dateparser", "lxml"))
    return f"{os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), {cpu}, Python {platform.python_version()}; {libs}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of the *.jsonl.gz sets")
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated subset of " + ", ".join(SETS))
    parser.add_argument("--limit", type=int, default=None, help="first N records of each set")
    parser.add_argument("--no-peers", dest="peers", action="store_false", help="skip trafilatura and htmldate alone")
    parser.add_argument("--with-url", action="store_true", help="also run ours with the record's URL as a sidecar")
    parser.add_argument("--worst", type=int, default=0, help="list the N worst pages by body F1, and date misses")
    parser.add_argument("--progress", action="store_true")
    parser.add_argument("--with-actors", action="store_true", help="keep actor extraction in the timed pipeline")
    args = parser.parse_args(argv)
    if not args.with_actors:
        import indexer.pipeline

        indexer.pipeline.extract_actors = lambda *a, **k: ()

    registry = load_registry()
    print(f"Machine: {machine()}")
    print(f"Command: python bench/extraction.py {' '.join(sys.argv[1:] if argv is None else argv)}".rstrip())
    results = []
    for name in [s.strip() for s in args.sets.split(",") if s.strip()]:
        if name not in SETS:
            parser.error(f"unknown set {name!r}")
        result = run_set(args.data, name, args)
        results.append(result)
        print_table(f"{name} ({len(result.records)} pages)", summary(result, registry))
        print()
        print_ratios(result)
        if args.worst:
            if any("body" in r for r in result.records):
                print_worst(result, args.worst)
            if any(r.get("date") for r in result.records):
                print_date_misses(result, args.worst)
    print_overall(results)


if __name__ == "__main__":
    main()
