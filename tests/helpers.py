"""Helpers shared by the test modules: where the seeds and console scripts are, how to run them."""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from indexer import store
from indexer.article import Article
from indexer.pipeline import PipelineOptions, process_files
from indexer.sources import discover

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
BIN = Path(sys.executable).parent

# The seeds by their number, and what each one is.
SEED_TITLES = {
    "000": "Seoul raises stakes in confrontation with Moscow",
    "001": "Seoul-Moscow ties likely stuck in limbo amid blame game",
    "002": "South Korea Dares Putin to Work with North Korea",
    "003": "Will Seoul’s Ties With Moscow Really Recover on Their Own?",
    "004": "Blinken set to discuss Russia-North Korea military ties in first Seoul visit, amid Israel-Gaza, Ukraine wars",
}


def seed_path(number: str) -> Path:
    """The seed file whose name starts with NUMBER_ ("000" .. "004")."""
    (path,) = SEEDS.glob(f"{number}_*.txt")
    return path


def script(name: str) -> str:
    """Absolute path of a console script installed in the venv running the tests."""
    candidate = BIN / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    assert found, f"console script {name} is not installed"
    return found


def run_script(name: str, *args, env: dict | None = None, cwd: Path | None = None, extra_env: dict | None = None,
               timeout: float = 60) -> subprocess.CompletedProcess:
    """Run a console script as a real subprocess, capturing text output.

    The index and corpus variables are removed from the inherited environment so
    that only what a test passes decides which folders are used.
    """
    if env is None:
        env = {k: v for k, v in os.environ.items() if k not in ("SEARCH_INDEX_DIR", "SEARCH_CORPUS_DIR")}
    if extra_env:
        env = {**env, **extra_env}
    return subprocess.run([script(name), *map(str, args)], capture_output=True, text=True, env=env,
                          cwd=str(cwd) if cwd else None, timeout=timeout)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_search_web(log: Path, *args: str) -> tuple[subprocess.Popen, str]:
    """`search-web` on a free port of 127.0.0.1 as a subprocess, and its base URL once /healthz answers."""
    port = free_port()
    with log.open("w") as out:
        server = subprocess.Popen([script("search-web"), "--host", "127.0.0.1", "--port", str(port), *args],
                                  stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                assert response.status == 200
                return server, base
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise AssertionError(f"search-web did not answer /healthz within 30 s:\n{log.read_text()}")
            time.sleep(0.2)


# -- processes (Linux /proc): what a test started, and whether it ended --


def wait_for(condition, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def children_of(pid: int) -> set[int]:
    """Processes whose parent is PID."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    """Running: a process its parent has not reaped yet (a zombie) counts as ended."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def articles_only(items) -> list[Article]:
    return [item for item in items if isinstance(item, Article)]


def build_index(root: Path, corpus: Path = SEEDS) -> store.BuildResult:
    """Build an index at ROOT from CORPUS through the library (pipeline + store)."""
    paths = discover(corpus)
    return store.build(root, articles_only(process_files(paths, PipelineOptions(relative_to=corpus))))


WORDS = ("missile artillery summit treaty sanctions embassy parliament harbour convoy minister "
         "election pipeline satellite refinery border ceasefire tariff drone reactor alliance").split()


def make_corpus(folder: Path, n: int, seed: int) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        paragraphs = [" ".join(rng.choice(WORDS) for _ in range(60)).capitalize() + "." for _ in range(6)]
        (folder / f"gen-{seed}-{i:04d}.txt").write_text(f"Report number {i} on the {rng.choice(WORDS)} story\n\n"
                                                        + "\n\n".join(paragraphs) + f"\n\nSerial {seed}x{i}.\n",
                                                        encoding="utf-8")


# -- syndicated copies: a seed rewritten the ways outlets reprint a wire story --

COPY_SEED = "004"  # the SCMP article: the story the copies are made from
COPY_OUTLETS = {"headline": ("Korea JoongAng Daily", "2023-11-08"),
                "cut": ("The Korea Herald", "2023-11-09"),
                "boilerplate": ("Yonhap", "2023-11-10")}


def rewritten_copies(article: Article) -> dict[str, tuple[str, dict]]:
    """Three reprints of an article: {way: (plain text, sidecar)}: a new headline, a paragraph cut, boilerplate added."""
    paragraphs = list(article.paragraphs)
    cut = paragraphs[:3] + paragraphs[4:]
    boilerplate = ["Share on Facebook Share on X Copy link",
                   f"By {article.author or 'Staff reporter'} and wire services",
                   *paragraphs,
                   "This story was first published by a partner agency and is republished under a syndication agreement.",
                   "Sign up for our morning newsletter to get the day's top stories from Asia in your inbox."]
    texts = {
        "headline": ("Blinken heads to Seoul as Moscow-Pyongyang arms ties deepen", paragraphs),
        "cut": (article.title, cut),
        "boilerplate": (article.title, boilerplate),
    }
    return {way: ("\n\n".join([title, *body]) + "\n",
                  {"title": title, "outlet": COPY_OUTLETS[way][0], "published": COPY_OUTLETS[way][1]})
            for way, (title, body) in texts.items()}


def write_copies(corpus: Path, article: Article) -> dict[str, Path]:
    """The three reprints written into a corpus folder as NAME.txt with a NAME.json sidecar."""
    import json

    written = {}
    for way, (text, sidecar) in rewritten_copies(article).items():
        path = corpus / f"copy-{way}.txt"
        path.write_text(text, encoding="utf-8")
        path.with_suffix(".json").write_text(json.dumps(sidecar), encoding="utf-8")
        written[way] = path
    return written
