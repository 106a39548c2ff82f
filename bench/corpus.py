"""Generate a realistic corpus of N raw articles for the benchmarks, deterministically.

    python bench/corpus.py --n 100000 --out /tmp/corpus-100k [--seed 1]

Text comes from real English sentences in ../shared/data (the article bodies of
the extraction sets). Outlets, actors and authors are drawn with Zipf skew (a few
big ones, a long tail); dates span 2015-2025 with day, month and year
precision and about 5% undated. Half the files are browser text dumps with page
chrome (share buttons, font-size controls, captions shown twice, related
headlines, promo footers), half are HTML pages with metadata. Files go into
subfolders of 1,000 so that 100,000 of them stay easy to list.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import html
import json
import random
import re
import sys
import time
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
REPO = Path(__file__).resolve().parents[1]
_STOP = {"the", "and", "of", "to", "in", "is", "that", "for", "was", "with", "on", "as", "it", "by", "said"}
FIRST = ("James Maria Wei Hyun Anna Olga Ivan Sofia Min-jun Daniel Yuki Ahmed Fatima Pierre Elena Tomas Chloe Arjun "
         "Nadia Lucas Hannah Omar Mei Kenji Sara Dmitri Grace Mateo Ines Noah Leila").split()
LAST = ("Kim Lee Park Smith Ivanova Chen Tanaka Müller Rossi Novak Garcia Haddad Okafor Silva Kowalski Petrov Nguyen "
        "Johansson Dubois Cohen Singh Yamamoto Fischer Moreau Hughes Wong Alvarez Byrne Sato Larsen").split()
TEMPLATES = (
    "{a} said on {weekday} that talks with {b} would continue.",
    "Officials in {a} declined to comment on the report about {b}.",
    "{a} and {b} signed an agreement on energy and security cooperation.",
    "According to {a}, the measures were aimed at {b}.",
    "{a} has repeatedly criticised {b} over the issue.",
    "A spokesperson for {a} said the meeting with {b} had been constructive.",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def english_sentences(limit: int = 50_000) -> list[str]:
    """Real sentences from the article bodies of the evaluation sets, English ones only."""
    found: list[str] = []
    seen: set[str] = set()
    for name in ("article_bench", "trafilatura_eval"):
        with gzip.open(DATA / f"{name}.jsonl.gz", "rt", encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                body = record.get("body") or " ".join(record.get("must_contain") or [])
                for sentence in re.findall(r"[A-Z][^.!?\n]{30,300}[.!?]", body):
                    words = re.findall(r"[a-z]+", sentence.lower())
                    if len(words) >= 6 and sum(w in _STOP for w in words) / len(words) > 0.12 and sentence not in seen:
                        seen.add(sentence)
                        found.append(sentence.strip())
    if not found:
        sys.exit(f"no sentences found under {DATA}")
    return found[:limit]


def zipf_weights(n: int, s: float = 1.1) -> list[float]:
    return [1 / (rank**s) for rank in range(1, n + 1)]


def knowledge_base_actors() -> list[tuple[str, str]]:
    """(name as written, type) for every actor in the repository's knowledge base."""
    actors = []
    for path in sorted((REPO / "indexer" / "extract" / "data").glob("actor*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        for section, kind in (("people", "person"), ("countries", "country"), ("organisations", "organisation")):
            for entry in raw.get(section, []) if isinstance(raw, dict) else []:
                actors.append((entry["name"], kind))
    return actors


def outlets() -> list[dict]:
    raw = json.loads((REPO / "indexer" / "extract" / "data" / "outlets.json").read_text(encoding="utf-8"))
    return [o for o in raw["outlets"] if o.get("domains")]


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.sentences = english_sentences()
        self.outlets = outlets()
        self.outlet_weights = zipf_weights(len(self.outlets), 1.2)
        known = knowledge_base_actors()
        self.rng.shuffle(known)
        # A long tail of people the knowledge base does not know.
        unknown = [(f"{f} {l}", "person") for f in FIRST for l in LAST]
        self.rng.shuffle(unknown)
        self.actors = known + unknown[:600]
        self.actor_weights = zipf_weights(len(self.actors), 1.05)
        self.authors = [f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}" for _ in range(400)]
        self.author_weights = zipf_weights(len(self.authors), 0.9)

    def article(self, i: int) -> dict:
        rng = self.rng
        outlet = rng.choices(self.outlets, self.outlet_weights)[0]
        actors = list(dict.fromkeys(rng.choices(self.actors, self.actor_weights, k=rng.randint(3, 8))))
        paragraphs = []
        for _ in range(rng.randint(6, 14)):
            sentences = rng.sample(self.sentences, rng.randint(2, 4))
            if actors and rng.random() < 0.6:
                a, b = rng.choice(actors)[0], rng.choice(actors)[0]
                sentences.insert(rng.randrange(len(sentences) + 1),
                                 rng.choice(TEMPLATES).format(a=a, b=b, weekday=rng.choice(WEEKDAYS)))
            paragraphs.append(" ".join(sentences))
        for name, _ in actors:  # every drawn actor is mentioned at least once
            if not any(name in p for p in paragraphs):
                paragraphs[rng.randrange(len(paragraphs))] += f" {name} was also mentioned in the report."
        title_actor = actors[0][0]
        title = f"{title_actor} {rng.choice(('faces', 'weighs', 'rejects', 'backs', 'warns over'))} " + \
            " ".join(rng.choice(self.sentences).split()[:rng.randint(3, 7)]).rstrip(",.;:")
        roll = rng.random()
        day = dt.date(2015, 1, 1) + dt.timedelta(days=int((rng.random() ** 0.7) * 3990))
        precision = "day" if roll < 0.85 else "month" if roll < 0.92 else "year" if roll < 0.95 else None
        return {
            "n": i,
            "title": title,
            "outlet": outlet,
            "author": rng.choices(self.authors, self.author_weights)[0],
            "day": day,
            "precision": precision,
            "paragraphs": paragraphs,
            "caption": rng.choice(self.sentences).rstrip(".") + ". Photo: Reuters",
            "related": " ".join(rng.choice(self.sentences).split()[:8]).rstrip(",.;:"),
        }


def text_dump(a: dict) -> str:
    lines = ["Settings", "ⓕ font-size", "  • -2", "  • -1", "  • 0", "  • +1", "  • +2", "", a["title"], "",
             "  • Facebook share button", "  • Twitter share button", "  • Mail share button", a["caption"], "", a["caption"], ""]
    lines.append(f"By {a['author']}")
    if a["precision"] == "day":
        lines.append(f"Published {a['day']:%b. %d, %Y}")
    elif a["precision"] == "month":
        lines.append(f"{a['day']:%B %Y}")
    elif a["precision"] == "year":
        pass  # a text dump rarely says only the year; these get it from the sidecar
    lines.append("")
    middle = len(a["paragraphs"]) // 2
    for k, paragraph in enumerate(a["paragraphs"]):
        lines += [paragraph, ""]
        if k == middle:
            lines += [a["related"], ""]
    lines += [f"{a['author']} {a['author'].split()[-1].lower()}@{a['outlet']['domains'][0]}", "", "Related Articles", "",
              "Top 10 Stories", "go top LETTER"]
    return "\n".join(lines) + "\n"


def html_page(a: dict) -> str:
    e = html.escape
    published = {"day": a["day"].isoformat(), "month": a["day"].strftime("%Y-%m"), "year": str(a["day"].year)}.get(a["precision"])
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": a["title"],
          "author": {"@type": "Person", "name": a["author"]}, "publisher": {"@type": "Organization", "name": a["outlet"]["name"]}}
    if a["precision"] == "day":
        ld["datePublished"] = published
    body = "\n".join(f"<p>{e(p)}</p>" for p in a["paragraphs"])
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{e(a['title'])} | {e(a['outlet']['name'])}</title>
<meta property="og:site_name" content="{e(a['outlet']['name'])}">
<meta property="og:title" content="{e(a['title'])}">
<script type="application/ld+json">{json.dumps(ld)}</script></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/business">Business</a> <a href="/sport">Sport</a></nav>
<article><h1>{e(a['title'])}</h1><p class="byline">By {e(a['author'])}</p>
<figure><img src="x.jpg" alt=""><figcaption>{e(a['caption'])}</figcaption></figure>
{body}
<aside><h2>Related</h2><ul><li><a href="/r">{e(a['related'])}</a></li></ul></aside></article>
<footer><p>Subscribe to our newsletter</p><p>© {a['outlet']['name']}. All rights reserved.</p></footer></body></html>
"""


def sidecar(a: dict) -> dict | None:
    """Year-only dates cannot be written in a page convincingly: the sidecar gives them, as a user would."""
    return {"published": str(a["day"].year)} if a["precision"] == "year" else None


def write_corpus(n: int, out: Path, seed: int = 1, html_share: float = 0.5) -> None:
    generator = Generator(seed)
    started = time.monotonic()
    for i in range(n):
        a = generator.article(i)
        folder = out / f"{i // 1000:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        as_html = generator.rng.random() < html_share
        path = folder / f"{i:06d}{'.html' if as_html else '.txt'}"
        path.write_text(html_page(a) if as_html else text_dump(a), encoding="utf-8")
        extra = sidecar(a)
        if extra:
            path.with_suffix(".json").write_text(json.dumps(extra), encoding="utf-8")
        if (i + 1) % 10_000 == 0:
            print(f"  {i + 1} articles ({time.monotonic() - started:.0f} s)", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, required=True, help="number of articles")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (must not exist)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.out.exists():
        sys.exit(f"{args.out} exists; choose a new folder")
    started = time.monotonic()
    write_corpus(args.n, args.out, args.seed)
    print(f"wrote {args.n} articles to {args.out} in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
