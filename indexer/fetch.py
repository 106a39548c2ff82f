"""Bring new raw files into the corpus: copies of local files, or pages fetched by URL.

Everything is written under a hidden temporary name and renamed into place, so
`watch` and `update` never see half a file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from .errors import UserError
from .sources import DEFAULT_MAX_BYTES, KINDS

DEFAULT_TIMEOUT = 15.0
USER_AGENT = "news-archive-search/0.1 (+https://pypi.org/project/news-archive-search/)"


class FetchError(UserError):
    """A URL that could not be fetched into the corpus."""


class AddError(UserError):
    """A local file that cannot be added to the corpus."""


def is_url(text: str) -> bool:
    return urlsplit(text).scheme.lower() in ("http", "https")


def add_file(source: Path, corpus: Path) -> tuple[Path, bool]:
    """Copy a raw file (and its sidecar) into the corpus. Returns (path in corpus, whether it was new)."""
    if not source.is_file():
        raise AddError(f"{source}: no such file")
    if source.suffix.lower() not in KINDS:
        raise AddError(f"{source}: unsupported file type {source.suffix or '(none)'}; expected .txt, .html or .htm")
    corpus.mkdir(parents=True, exist_ok=True)
    data = source.read_bytes()
    target = _free_name(corpus, source.stem, source.suffix.lower(), data)
    if target.exists():
        return target, False  # the same bytes are already there under this name
    sidecar = source.with_suffix(".json")
    if sidecar.is_file():
        _write_atomically(target.with_suffix(".json"), sidecar.read_bytes())
    _write_atomically(target, data)
    return target, True


def fetch_url(url: str, corpus: Path, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = DEFAULT_MAX_BYTES) -> Path:
    """Fetch a page into the corpus with a sidecar recording the URL and when it was fetched."""
    if not is_url(url):
        raise FetchError(f"{url}: only http and https URLs can be fetched")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,text/plain;q=0.8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            content_type = response.headers.get_content_type()
            if content_type not in ("text/html", "application/xhtml+xml", "text/plain"):
                raise FetchError(f"{url}: not a web page (Content-Type {content_type})")
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchError(f"{url}: page is {int(length) / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit")
            data = response.read(max_bytes + 1)
            charset = response.headers.get_content_charset()
    except FetchError:
        raise
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: the server answered HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise FetchError(f"{url}: cannot fetch: {exc.reason}") from None
    except (TimeoutError, OSError) as exc:
        raise FetchError(f"{url}: cannot fetch: {exc}") from None
    if len(data) > max_bytes:
        raise FetchError(f"{url}: page is over the {max_bytes / 1e6:.1f} MB limit")
    if not data.strip():
        raise FetchError(f"{url}: the page is empty")
    data = _as_utf8(data, charset)
    host = (urlsplit(url).hostname or "page").removeprefix("www.")
    suffix = ".txt" if content_type == "text/plain" else ".html"
    corpus.mkdir(parents=True, exist_ok=True)
    target = _free_name(corpus, f"{host}-{hashlib.sha256(url.encode()).hexdigest()[:10]}", suffix, data)
    sidecar = {"url": url, "fetched_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    _write_atomically(target.with_suffix(".json"), json.dumps(sidecar, indent=2).encode())
    _write_atomically(target, data)
    return target


def _as_utf8(data: bytes, charset: str | None) -> bytes:
    """Pages are stored as UTF-8 when the HTTP header named another charset the bytes do not declare."""
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    if charset:
        try:
            return data.decode(charset).encode("utf-8")
        except (LookupError, UnicodeDecodeError):
            pass
    return data


def _free_name(corpus: Path, stem: str, suffix: str, data: bytes) -> Path:
    """corpus/stem.suffix, or stem-2, stem-3... when another file already has that name."""
    candidate = corpus / f"{stem}{suffix}"
    n = 2
    while candidate.exists() and candidate.read_bytes() != data:
        candidate = corpus / f"{stem}-{n}{suffix}"
        n += 1
    return candidate


def _write_atomically(target: Path, data: bytes) -> None:
    tmp = target.with_name(f".{target.name}.part-{os.getpid()}")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()

